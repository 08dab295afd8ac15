// What a month of the workload amounts to (energy, emissions, energy cost at the hours it ran), and
// how a measure's effect turns into monthly savings in kgCO2eq, kWh, KRW and USD.
import type { CoreAssessment } from './assess-workload.js';
import { localMonthAndHour, seasonOfMonth } from './grid-intensity-at.js';
import { briefSource } from './presentation.js';
import type { Sourced, Tariff, WorkloadEnergyInput } from '../domain/types.js';

const HOURS_PER_MONTH = 720;

export interface Prices {
  /** K-ETS allowance price; when given, avoided emissions are also valued at it. */
  kets_KRW_per_tCO2eq?: Sourced<number>;
  /** Exchange rate for the USD figures; `label` says what rate it is (basis, date), from the data file. */
  krwPerUsd?: Sourced<number> & { label?: string };
}

export interface MonthlyBasis {
  itEnergy_kWh: number;
  facilityEnergy_kWh: number;
  emissions_kgCO2eq: number;
  pue: number;
  /** Energy-weighted tariff rate over the hours the workload ran; null without a tariff. */
  rate_KRW_per_kWh: number | null;
  tariff: Tariff | null;
  /** Local time zone of the site (for tariff hours). */
  timeZone: string;
  /** The tariff's season of `now` at the site, for hours that lie in the future. */
  season: string;
}

function tariffSeason(tariff: Tariff | null, month: number): string {
  return tariff?.seasonOfMonth?.(month) ?? seasonOfMonth(month);
}

export function monthlyBasis(args: {
  core: CoreAssessment;
  input: WorkloadEnergyInput;
  tariff: Tariff | null;
  timeZone: string;
  now: Date;
}): MonthlyBasis {
  const { core, input, tariff, timeZone } = args;
  // The same 30-day scale as the projection: the hours the source observed, not the nominal window.
  const hours = core.window.observedHours ?? core.window.hours;
  const scale = hours > 0 ? HOURS_PER_MONTH / hours : 0;
  let rate: number | null = null;
  if (tariff && core.exact.energy_kWh > 0) {
    let weighted = 0;
    for (const bucket of input.hourly) {
      if (bucket.energy_kWh <= 0) continue;
      const at = new Date(bucket.hourStart);
      // An hour before the tariff's first table: no energy cost at all (not another table's rates).
      if (tariff.inForceAt && !tariff.inForceAt(at)) {
        weighted = Number.NaN;
        break;
      }
      const { month, hour } = localMonthAndHour(at, timeZone);
      // The table in force at that hour (a tariff change inside the window prices each side by its own).
      weighted +=
        bucket.energy_kWh * tariff.rate_KRW_per_kWh(hour, tariffSeason(tariff, month), undefined, at);
    }
    rate = Number.isNaN(weighted) ? null : weighted / core.exact.energy_kWh;
  }
  const it = core.exact.energy_kWh * scale;
  return {
    itEnergy_kWh: it,
    facilityEnergy_kWh: it * core.pue,
    emissions_kgCO2eq: (core.exact.emissions_gCO2eq * scale) / 1000,
    pue: core.pue,
    rate_KRW_per_kWh: rate,
    tariff,
    timeZone,
    season: tariffSeason(tariff, localMonthAndHour(args.now, timeZone).month),
  };
}

/** A measure's effect on one month. */
export interface Effect {
  /** Share of the workload's emissions avoided (0–1). */
  emissionsFraction: number;
  /** Facility energy no longer drawn (negative = more). */
  facilityEnergySaved_kWh: number;
  /** Energy cost avoided at the tariff; null when no tariff applies to the change. */
  energyCostSaved_KRW: number | null;
}

export function monthlySavings(
  effect: Effect,
  basis: MonthlyBasis,
  prices: Prices,
): { savings: { kgCO2eq: number; kWh: number; KRW: number; USD: number }; costBasis: string } {
  const kg = basis.emissions_kgCO2eq * effect.emissionsFraction;
  const carbon = prices.kets_KRW_per_tCO2eq ? (kg / 1000) * prices.kets_KRW_per_tCO2eq.value : 0;
  const energy = effect.energyCostSaved_KRW ?? 0;
  const krw = energy + carbon;
  const usd = prices.krwPerUsd ? krw / prices.krwPerUsd.value : 0;
  // Short: the full sources of the tariff and prices are in the workload's sources.cost, once.
  // Each part with its own KRW figure: an energy cost that rises is shown, not netted away by the
  // carbon value.
  const parts = [
    effect.energyCostSaved_KRW === null
      ? 'KRW: no energy cost (no tariff applies to this change)'
      : `KRW: energy ${signedKrw(energy)} at the tariff rates of the hours involved (weekday)` +
        (energy < 0 ? ' (costs more)' : ''),
    prices.kets_KRW_per_tCO2eq
      ? `${signedKrw(carbon)} for avoided tCO2eq at the K-ETS price ${prices.kets_KRW_per_tCO2eq.value} KRW/tCO2eq`
      : 'no carbon price',
    prices.krwPerUsd
      ? `USD at ${prices.krwPerUsd.value} KRW/USD${prices.krwPerUsd.label ? ` (${prices.krwPerUsd.label})` : ''}`
      : 'USD: no exchange rate given (0)',
  ];
  return {
    savings: {
      kgCO2eq: round(kg, 3),
      kWh: round(effect.facilityEnergySaved_kWh, 3),
      KRW: Math.round(krw),
      USD: round(usd, 2),
    },
    costBasis: parts.join('; '),
  };
}

function signedKrw(value: number): string {
  const rounded = Math.round(value);
  return `${rounded < 0 ? '−' : '+'}${Math.abs(rounded)}`;
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** The full sources behind KRW and USD figures, stated once per workload. */
export function costSources(tariff: Tariff | null, prices: Prices): string {
  return [
    tariff ? `tariff: ${briefSource(tariff.source.split(';')[0]!)}` : 'tariff: none for this zone',
    prices.kets_KRW_per_tCO2eq
      ? `carbon price: ${briefSource(prices.kets_KRW_per_tCO2eq.source)}`
      : 'carbon price: none',
    prices.krwPerUsd ? `exchange rate: ${briefSource(prices.krwPerUsd.source)}` : 'exchange rate: none',
  ].join('; ');
}
