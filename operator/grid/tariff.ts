// KEPCO time-of-use tariff, K-ETS allowance price and KRW/USD rate from operator/data/tariffs-kepco.json.
import { z } from 'zod';

import type { Sourced, Tariff } from '../engine/types.js';
import { parseDataFile, parseJsonText } from './data-file-error.js';
import { readDataFile } from './data-files.js';

const FILE = 'operator/data/tariffs-kepco.json';

const kepcoSeason = z.enum(['summer', 'spring-autumn', 'winter']);
const band = z.enum(['off-peak', 'mid-peak', 'peak']);
const rate = z.number().positive().max(1000);
const bandRates = z.object({ 'off-peak': rate, 'mid-peak': rate, peak: rate });
const source = z.string().min(10);

export const tariffFileSchema = z.object({
  tariff: z.object({
    id: z.string().min(1),
    class: z.object({ en: z.string().min(1), ko: z.string().min(1) }),
    whyThisClass: z.string().min(1),
    effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    currency: z.literal('KRW'),
    baseTable: z.object({ effectiveFrom: z.string(), basicCharge_KRW_per_kW: z.number().positive(), source }),
    seasons: z.object({
      source,
      months: z
        .record(z.string().regex(/^(1[0-2]|[1-9])$/), kepcoSeason)
        .refine((m) => Object.keys(m).length === 12, {
          message: 'all 12 months need a season',
        }),
    }),
    bands: z.object({ source, byHour: z.array(band).length(24) }),
    rates_KRW_per_kWh: z.object({ source, summer: bandRates, 'spring-autumn': bandRates, winter: bandRates }),
    weekendDiscount: z.object({
      seasons: z.array(kepcoSeason),
      hours: z.array(z.number().int().min(0).max(23)),
      factor: z.number().positive().max(1),
      until: z.string(),
      source,
    }),
    surcharges_KRW_per_kWh: z.object({
      climateEnvironment: z.number().nonnegative(),
      fuelCostAdjustment: z.number(),
      appliedByDefault: z.boolean(),
      source,
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
export type TouBand = z.infer<typeof band>;
export type DayType = 'weekday' | 'weekend';

let cached: TariffFile | undefined;

export function parseTariffFile(text: string, file = FILE): TariffFile {
  return parseDataFile(file, tariffFileSchema, parseJsonText(file, text));
}

export function tariffFile(): TariffFile {
  cached ??= parseTariffFile(readDataFile('tariffs-kepco.json'));
  return cached;
}

/** KEPCO's season of a calendar month (Nov is winter for KEPCO, autumn for the grid profile). */
export function kepcoSeasonOfMonth(month: number, file: TariffFile = tariffFile()): KepcoSeason {
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

export interface KepcoTariff extends Tariff {
  band(localHour: number): TouBand;
  rate_KRW_per_kWh: (localHour: number, season: string, dayType?: DayType) => number;
  tariffClass: { en: string; ko: string };
}

export interface KepcoTariffOptions {
  /** Add the climate-environment and fuel-cost surcharges (old, weakly sourced: off by default). */
  includeSurcharges?: boolean;
}

export function kepcoTariff(options: KepcoTariffOptions = {}, file: TariffFile = tariffFile()): KepcoTariff {
  const t = file.tariff;
  const surcharge =
    (options.includeSurcharges ?? t.surcharges_KRW_per_kWh.appliedByDefault)
      ? t.surcharges_KRW_per_kWh.climateEnvironment + t.surcharges_KRW_per_kWh.fuelCostAdjustment
      : 0;
  const bandOf = (localHour: number): TouBand => {
    if (!Number.isInteger(localHour) || localHour < 0 || localHour > 23)
      throw new RangeError(`local hour ${localHour} is not 0–23`);
    return t.bands.byHour[localHour] as TouBand;
  };
  return {
    currency: 'KRW',
    tariffClass: t.class,
    band: bandOf,
    rate_KRW_per_kWh(localHour: number, season: string, dayType: DayType = 'weekday'): number {
      const s = toKepcoSeason(season);
      let energy = t.rates_KRW_per_kWh[s][bandOf(localHour)];
      const d = t.weekendDiscount;
      if (dayType === 'weekend' && d.seasons.includes(s) && d.hours.includes(localHour)) energy *= d.factor;
      return Math.round((energy + surcharge) * 100) / 100;
    },
    source:
      `dataset: KEPCO ${t.class.ko} (${t.class.en}), 2026 TOU reform from ${t.effectiveFrom}, energy rate` +
      `${surcharge ? ' + surcharges' : ' only (no basic charge, no surcharges)'}; ${t.rates_KRW_per_kWh.source}`,
  };
}

export function ketsAllowancePrice(file: TariffFile = tariffFile()): Sourced<number> & { date: string } {
  const k = file.ketsAllowancePrice;
  return {
    value: k.price_KRW_per_tCO2eq,
    date: k.date,
    source: `dataset: K-ETS ${k.instrument} — ${k.source}`,
  };
}

export function krwPerUsd(file: TariffFile = tariffFile()): Sourced<number> & { date: string } {
  const x = file.exchangeRate;
  return { value: x.KRW_per_USD, date: x.date, source: `dataset: KRW/USD ${x.basis} — ${x.source}` };
}
