// Annual grid carbon intensity by zone: Korea's official consumption-side factors from
// operator/data/grid-factors.json, every other zone from the datasets the @tgwf/co2 package ships
// (Electricity Maps yearly by zone key, Ember by ISO alpha-3 code), read from the package at run time.
import { averageIntensity, electricityMaps } from '@tgwf/co2/data';
import { z } from 'zod';

import type { Sourced } from '../domain/types.js';
import { parseDataFile, parseJsonText } from './data-file-error.js';

const FILE = 'operator/data/grid-factors.json';

const factorSchema = z.object({
  id: z.string().min(1),
  value_tCO2eq_MWh: z.number().positive().max(2),
  periodStart: z.number().int().min(1990).max(2100),
  periodEnd: z.number().int().min(1990).max(2100),
  kind: z.enum(['single-year', 'multi-year-average']),
  status: z.enum(['official', 'reference', 'unverified', 'historical']),
  published: z.string().min(4),
  source: z.string().min(10),
});

const datasetSchema = z.object({
  package: z.string().min(1),
  module: z.string().min(1),
  keys: z.string().min(1),
  basis: z.string().min(1),
  source: z.string().min(10),
  year: z.number().int().optional(),
  years: z.array(z.number().int()).optional(),
  defaultYear: z.number().int().optional(),
  licence: z.string().optional(),
});

const gridFactorsFileSchema = z.object({
  unit: z.literal('tCO2eq/MWh'),
  zones: z.record(
    z.string().min(1),
    z
      .object({
        name: z.object({ en: z.string().min(1), ko: z.string().min(1) }),
        timeZone: z.string().min(1),
        default: z.string().min(1),
        factors: z.array(factorSchema).min(1),
      })
      .refine((zone) => zone.factors.some((f) => f.id === zone.default), {
        message: 'default must name one of the factors',
        path: ['default'],
      }),
  ),
  datasets: z.object({ ember: datasetSchema, 'electricity-maps': datasetSchema }),
});

export type GridFactorsFile = z.infer<typeof gridFactorsFileSchema>;
export type OfficialFactor = z.infer<typeof factorSchema>;
export type GridDataset = 'official' | 'electricity-maps' | 'ember';

export class UnknownZoneError extends Error {
  constructor(
    readonly zone: string,
    detail = '',
  ) {
    super(`unknown grid zone '${zone}'${detail ? `: ${detail}` : ''}`);
    this.name = 'UnknownZoneError';
  }
}

const emEntrySchema = z.object({
  zone: z.object({ zoneName: z.string() }).optional(),
  carbonIntensity: z.object({ value: z.number().nonnegative(), unit: z.literal('gCO2eq/kWh') }),
});
const emEntryMapSchema = z.record(z.string(), z.unknown());
const emberDataSchema = z.record(z.string(), z.number().nonnegative());

export function parseGridFactors(text: string, file = FILE): GridFactorsFile {
  return parseDataFile(file, gridFactorsFileSchema, parseJsonText(file, text));
}

const PACKAGE_FILE = '@tgwf/co2';

function emberData(): Record<string, number> {
  return parseDataFile(`${PACKAGE_FILE}/data averageIntensity`, emberDataSchema, averageIntensity.data);
}

function emYear(year: number): Record<string, unknown> | undefined {
  const yearly = electricityMaps[`yearly${year}`];
  if (!yearly) return undefined;
  return parseDataFile(`${PACKAGE_FILE}/data electricityMaps.yearly${year}`, emEntryMapSchema, yearly.data);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * The official factor for a year: an official single-year factor for it, else the official multi-year
 * average covering it (2020–2022 → 0.4541: the single-year 2021 and 2022 values were published later
 * as reference figures only), else a reference or historical factor for that year, else the newest one
 * describing earlier years (it was in force then). Never an unverified one. No year: the file's default.
 */
export function officialFactor(
  zone: string,
  year: number | undefined,
  file: GridFactorsFile,
): OfficialFactor {
  const entry = file.zones[zone];
  if (!entry) throw new UnknownZoneError(zone, 'no official factors');
  const byDefault = entry.factors.find((f) => f.id === entry.default) as OfficialFactor;
  if (year === undefined) return byDefault;
  const usable = entry.factors.filter((f) => f.status !== 'unverified');
  const covers = (f: OfficialFactor) => f.periodStart <= year && year <= f.periodEnd;
  const official = usable.filter((f) => f.status === 'official' && covers(f));
  const chosen =
    official.find((f) => f.kind === 'single-year') ??
    official[0] ??
    usable.find((f) => f.kind === 'single-year' && covers(f)) ??
    usable.find(covers);
  if (chosen) return chosen;
  // A year no factor describes: the newest one describing earlier years (official first on a tie).
  const rank = (f: OfficialFactor) => (f.status === 'official' ? 1 : 0);
  const earlier = usable
    .filter((f) => f.periodEnd < year)
    .sort((a, b) => b.periodEnd - a.periodEnd || rank(b) - rank(a))[0];
  if (earlier) return earlier;
  throw new UnknownZoneError(zone, `no official factor covers year ${year}`);
}

function electricityMapsIntensity(
  zone: string,
  year: number | undefined,
  file: GridFactorsFile,
): Sourced<number> {
  const ds = file.datasets['electricity-maps'];
  const requested = year ?? ds.defaultYear ?? 2024;
  // A year past the newest published one (the current year, typically) uses the newest year, as
  // officialFactor does: the source names both years.
  const newestEarlier = (ds.years ?? [])
    .filter((candidate) => candidate <= requested)
    .sort((a, b) => b - a)[0];
  const y = emYear(requested) ? requested : (newestEarlier ?? requested);
  const data = emYear(y);
  if (!data)
    throw new UnknownZoneError(
      zone,
      `Electricity Maps yearly data has no year ${requested} or earlier (has ${ds.years?.join(', ')})`,
    );
  const raw = data[zone];
  if (raw === undefined) throw new UnknownZoneError(zone, `not an Electricity Maps zone in the ${y} data`);
  const entry = parseDataFile(`${PACKAGE_FILE}/data electricityMaps.yearly${y}`, emEntrySchema, raw);
  return {
    value: entry.carbonIntensity.value,
    source:
      `${ds.source.replace('<YEAR>', String(y))}; zone ${zone}, year ${y}` +
      (y !== requested ? ` (newest published year, used for ${requested})` : ''),
  };
}

function emberIntensity(zone: string, file: GridFactorsFile): Sourced<number> {
  const ds = file.datasets.ember;
  const value = emberData()[zone];
  if (value === undefined) throw new UnknownZoneError(zone, 'not an ISO alpha-3 code in the Ember data');
  return { value, source: `${ds.source}; ${zone}` };
}

export interface AnnualIntensityOptions {
  year?: number;
  /** Which dataset; by default official for zones that have one, else Electricity Maps (zone keys) or Ember (alpha-3). */
  dataset?: GridDataset;
}

function defaultDataset(zone: string, file: GridFactorsFile): GridDataset {
  if (file.zones[zone]) return 'official';
  const em = emYear(file.datasets['electricity-maps'].defaultYear ?? 2024);
  if (em && em[zone] !== undefined) return 'electricity-maps';
  if (emberData()[zone] !== undefined) return 'ember';
  throw new UnknownZoneError(
    zone,
    'not in the official factors, the Electricity Maps yearly data or the Ember data',
  );
}

/** Annual mean grid intensity in gCO2eq/kWh for a zone, with its source. */
export function annualGridIntensity(
  zone: string,
  options: AnnualIntensityOptions,
  file: GridFactorsFile,
): Sourced<number> {
  const dataset: GridDataset = options.dataset ?? defaultDataset(zone, file);
  if (dataset === 'official') {
    const f = officialFactor(zone, options.year, file);
    const period =
      f.periodStart === f.periodEnd ? `${f.periodStart}` : `${f.periodStart}–${f.periodEnd} average`;
    return {
      value: round(f.value_tCO2eq_MWh * 1000, 2),
      source: `dataset: ${zone} official consumption-side electricity emission factor ${f.value_tCO2eq_MWh} tCO2eq/MWh (${period}, ${f.status}) — ${f.source}`,
    };
  }
  if (dataset === 'ember') return emberIntensity(zone, file);
  return electricityMapsIntensity(zone, options.year, file);
}

/** Zones that annualGridIntensity answers for, per dataset. */
export function gridZones(file: GridFactorsFile): {
  official: string[];
  electricityMaps: string[];
  ember: string[];
} {
  const years = file.datasets['electricity-maps'].years ?? [];
  const em = new Set<string>();
  for (const y of years) for (const key of Object.keys(emYear(y) ?? {})) em.add(key);
  return {
    official: Object.keys(file.zones).sort(),
    electricityMaps: [...em].sort(),
    ember: Object.keys(emberData()).sort(),
  };
}

/** The zone's IANA time zone where the data file records one. */
export function zoneTimeZone(zone: string, file: GridFactorsFile): string | undefined {
  return file.zones[zone]?.timeZone;
}
