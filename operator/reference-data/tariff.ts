// KEPCO time-of-use tariff, K-ETS allowance price and KRW/USD rate from operator/data/tariffs-kepco.json.
import { z } from 'zod';

import type { DayType, Sourced, Tariff } from '../domain/types.js';
import { parseDataFile, parseJsonText } from './data-file-error.js';

const FILE = 'operator/data/tariffs-kepco.json';

const kepcoSeason = z.enum(['summer', 'spring-autumn', 'winter']);
const band = z.enum(['off-peak', 'mid-peak', 'peak']);
const rate = z.number().positive().max(1000);
const bandRates = z.object({ 'off-peak': rate, 'mid-peak': rate, peak: rate });
const source = z.string().min(10);

const ymd = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const tariffTable = z.object({
  id: z.string().min(1),
  effectiveFrom: ymd,
  bands: z.object({ source, byHour: z.array(band).length(24) }),
  rates_KRW_per_kWh: z.object({ source, summer: bandRates, 'spring-autumn': bandRates, winter: bandRates }),
  weekendDiscount: z
    .object({
      seasons: z.array(kepcoSeason),
      hours: z.array(z.number().int().min(0).max(23)),
      factor: z.number().positive().max(1),
      until: z.string(),
      source,
    })
    .nullable(),
});

const tariffFileSchema = z.object({
  tariff: z.object({
    id: z.string().min(1),
    class: z.object({ en: z.string().min(1), ko: z.string().min(1) }),
    whyThisClass: z.string().min(1),
    currency: z.literal('KRW'),
    seasons: z.object({
      source,
      months: z
        .record(z.string().regex(/^(1[0-2]|[1-9])$/), kepcoSeason)
        .refine((m) => Object.keys(m).length === 12, {
          message: 'all 12 months need a season',
        }),
    }),
    surcharges_KRW_per_kWh: z.object({
      climateEnvironment: z.number().nonnegative(),
      fuelCostAdjustment: z.number(),
      appliedByDefault: z.boolean(),
      source,
    }),
    tables: z
      .array(tariffTable)
      .min(1)
      .refine((t) => t.every((table, i) => i === 0 || t[i - 1]!.effectiveFrom < table.effectiveFrom), {
        message: 'tables must be in order of effectiveFrom, one per date',
      }),
  }),
  ketsAllowancePrice: z.object({
    instrument: z.string().min(1),
    price_KRW_per_tCO2eq: z.number().positive(),
    date: z.string().min(4),
    recentRange_KRW_per_tCO2eq: z.tuple([z.number(), z.number()]),
    source,
  }),
  exchangeRate: z.object({
    KRW_per_USD: z.number().positive(),
    basis: z.string().min(1),
    date: z.string().min(4),
    source,
  }),
});

export type TariffFile = z.infer<typeof tariffFileSchema>;
export type KepcoSeason = z.infer<typeof kepcoSeason>;
export type TariffTable = z.infer<typeof tariffTable>;
type TouBand = z.infer<typeof band>;

export function parseTariffFile(text: string, file = FILE): TariffFile {
  return parseDataFile(file, tariffFileSchema, parseJsonText(file, text));
}

/** KEPCO's season of a calendar month (Nov is winter for KEPCO, autumn for the grid profile). */
export function kepcoSeasonOfMonth(month: number, file: TariffFile): KepcoSeason {
  const season = file.tariff.seasons.months[String(month)];
  if (!season) throw new RangeError(`month ${month} is not 1–12`);
  return season;
}

/** Accepts KEPCO seasons and the grid profile's meteorological seasons ('spring', 'autumn'). */
export function toKepcoSeason(season: string): KepcoSeason {
  if (season === 'spring' || season === 'autumn' || season === 'spring-autumn') return 'spring-autumn';
  if (season === 'summer' || season === 'winter') return season;
  throw new RangeError(
    `unknown season '${season}' (expected summer, spring, autumn, spring-autumn or winter)`,
  );
}

/** No KEPCO table is known for the date (it lies before the first table's effectiveFrom). */
export class TariffNotInForceError extends RangeError {
  constructor(
    readonly at: Date,
    readonly firstEffectiveFrom: string,
  ) {
    super(
      `no KEPCO tariff table in ${FILE} is in force on ${at.toISOString()} (the first applies from ${firstEffectiveFrom}, KST)`,
    );
    this.name = 'TariffNotInForceError';
  }
}

/** Start of a table's effective date in KST, as an instant. */
const kstMidnight = (ymdDate: string) => Date.parse(`${ymdDate}T00:00:00+09:00`);

/** The table in force at an instant: the last one whose effectiveFrom (KST) is not after it. */
export function kepcoTableAt(at: Date, file: TariffFile): TariffTable {
  if (Number.isNaN(at.getTime())) throw new RangeError('tariff date: not a valid date');
  const tables = file.tariff.tables;
  let found: TariffTable | undefined;
  for (const table of tables) if (kstMidnight(table.effectiveFrom) <= at.getTime()) found = table;
  if (!found) throw new TariffNotInForceError(at, tables[0]!.effectiveFrom);
  return found;
}

export interface KepcoTariff extends Tariff {
  /** The band of a local hour in the table in force at `at` (the newest table without a date). */
  band(localHour: number, at?: Date): TouBand;
  /** Rate of a local hour; the table is the one in force at `at`, else at the tariff's `at`, else the newest. */
  rate_KRW_per_kWh: (localHour: number, season: string, dayType?: DayType, at?: Date) => number;
  /** KEPCO's season of a calendar month (November is winter). */
  seasonOfMonth: (month: number) => KepcoSeason;
  tariffClass: { en: string; ko: string };
}

export interface KepcoTariffOptions {
  /** Add the climate-environment and fuel-cost surcharges (old, weakly sourced: off by default). */
  includeSurcharges?: boolean;
  /** The instant whose table applies when a rate is asked for without its own date (the caller's clock:
   * the engine reads none). Without it, the newest table, and the source says so. */
  at?: Date;
}

export function kepcoTariff(options: KepcoTariffOptions, file: TariffFile): KepcoTariff {
  const t = file.tariff;
  const surcharge =
    (options.includeSurcharges ?? t.surcharges_KRW_per_kWh.appliedByDefault)
      ? t.surcharges_KRW_per_kWh.climateEnvironment + t.surcharges_KRW_per_kWh.fuelCostAdjustment
      : 0;
  const newest = t.tables[t.tables.length - 1]!;
  const fixed = options.at ? kepcoTableAt(options.at, file) : newest;
  // Table start instants, parsed once: every workload-hour asks for its table.
  const starts = t.tables.map((table) => kstMidnight(table.effectiveFrom));
  const tableFor = (at: Date | undefined): TariffTable => {
    if (!at) return fixed;
    const ms = at.getTime();
    for (let i = starts.length - 1; i >= 0; i--) if ((starts[i] as number) <= ms) return t.tables[i]!;
    throw new TariffNotInForceError(at, t.tables[0]!.effectiveFrom);
  };
  const bandOf = (localHour: number, table: TariffTable): TouBand => {
    if (!Number.isInteger(localHour) || localHour < 0 || localHour > 23)
      throw new RangeError(`local hour ${localHour} is not 0–23`);
    return table.bands.byHour[localHour] as TouBand;
  };
  const dates = t.tables.map((table) => table.effectiveFrom).join(', ');
  const which = options.at
    ? `table effective ${fixed.effectiveFrom} (in force at ${options.at.toISOString()}, an hour with its own date uses the table in force then)`
    : `the table in force at each hour (tables from ${dates}, an hour without a date uses the newest, ${newest.effectiveFrom})`;
  return {
    currency: 'KRW',
    tariffClass: t.class,
    band: (localHour: number, at?: Date) => bandOf(localHour, tableFor(at)),
    seasonOfMonth: (month: number) => kepcoSeasonOfMonth(month, file),
    inForceAt: (at: Date) => (starts[0] as number) <= at.getTime(),
    rate_KRW_per_kWh(localHour: number, season: string, dayType: DayType = 'weekday', at?: Date): number {
      const table = tableFor(at);
      const s = toKepcoSeason(season);
      let energy = table.rates_KRW_per_kWh[s][bandOf(localHour, table)];
      const d = table.weekendDiscount;
      if (dayType === 'weekend' && d && d.seasons.includes(s) && d.hours.includes(localHour))
        energy *= d.factor;
      return Math.round((energy + surcharge) * 100) / 100;
    },
    source:
      `dataset: KEPCO ${t.class.ko} (${t.class.en}), ${which}, energy rate` +
      `${surcharge ? ' + surcharges' : ' only (no basic charge, no surcharges)'}; ${fixed.rates_KRW_per_kWh.source}`,
  };
}

export function ketsAllowancePrice(file: TariffFile): Sourced<number> & { date: string } {
  const k = file.ketsAllowancePrice;
  return {
    value: k.price_KRW_per_tCO2eq,
    date: k.date,
    source: `dataset: K-ETS ${k.instrument} — ${k.source}`,
  };
}

export function krwPerUsd(file: TariffFile): Sourced<number> & { date: string; label: string } {
  const x = file.exchangeRate;
  return {
    value: x.KRW_per_USD,
    date: x.date,
    // What the rate is, as every surface prints it next to the number (from the data file, never retyped).
    label: `${x.basis}, as of ${x.date}`,
    source: `dataset: KRW/USD ${x.basis} — ${x.source}`,
  };
}
