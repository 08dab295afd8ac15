// The MODELLED hourly grid carbon intensity of South Korea. No official 24-hour profile exists, so
// the profile is built from sourced inputs (operator/data/kr-hourly-model.json): KPX market demand
// shapes, must-run nuclear/hydro/other renewables, wind, market solar, pumped storage, and the fossil
// residual split between coal and LNG, weighted by per-fuel emission factors. The mix is the KPX
// market's, as on the real days the model is checked against (non-market solar shows only as the
// midday dip of market demand). The energy-weighted annual mean is then scaled to a published anchor
// (GIR 2023 by default), and the model's error against the real days is measured per season.
import { z } from 'zod';

import type { DayType, HourlyIntensityProfile, ProfileSeasonError } from '../domain/types.js';
import { DataFileError, parseDataFile, parseJsonText } from './data-file-error.js';

const FILE = 'operator/data/kr-hourly-model.json';
export const SEASONS = ['spring', 'summer', 'autumn', 'winter'] as const;
export type ModelSeason = (typeof SEASONS)[number];
const FUELS = ['coal', 'lng', 'nuclear', 'hydro', 'solar', 'wind', 'otherRenewable'] as const;
type Fuel = (typeof FUELS)[number];

const source = z.string().min(10);
const sourced = <T extends z.ZodType>(value: T) => z.object({ value, source });
const mw = z.number().nonnegative().max(200_000);
const hours24 = (item: z.ZodType<number>) => z.array(item).length(24);
const perSeason = <T extends z.ZodType>(item: T) =>
  z.object({ spring: item, summer: item, autumn: item, winter: item });
const hour = z.number().int().min(0).max(23);
const factorSet = z.object(
  Object.fromEntries(FUELS.map((f) => [f, z.number().nonnegative().max(2000)])) as Record<Fuel, z.ZodNumber>,
);

const krModelFileSchema = z.object({
  zone: z.literal('KR'),
  timeZone: z.literal('Asia/Seoul'),
  seasonDays: sourced(perSeason(z.number().int().min(1).max(92))),
  weekendShare: sourced(z.number().min(0).max(1)),
  demand: z.object({
    source,
    bySeason: perSeason(
      z.object({
        weekday: z.object({ mean_MW: mw, shape: hours24(z.number().positive().max(3)) }),
        weekend: z.object({ mean_MW: mw, shape: hours24(z.number().positive().max(3)) }),
      }),
    ),
  }),
  solar: z.object({
    source,
    bySeason: perSeason(
      z.object({
        marketDaily_MWh: z.number().nonnegative(),
        hourlyShare: hours24(z.number().min(0).max(1)).refine(
          (s) => Math.abs(s.reduce((a, b) => a + b, 0) - 1) < 0.02,
          {
            message: 'hourly shares must sum to 1 (±0.02)',
          },
        ),
      }),
    ),
  }),
  nuclear_MW: sourced(mw),
  nuclearSpringWeekendCut: sourced(z.object({ MW: mw, hours: z.array(hour) })),
  hydro_MW: sourced(mw),
  otherRenewable_MW: sourced(mw),
  wind_MW: sourced(perSeason(mw)),
  pumpedStorage: sourced(
    z.object({
      pump_MW: z.record(z.string().regex(/^([01]?\d|2[0-3])$/), mw),
      generateHours: z.array(hour).min(1),
      roundTripEfficiency: z.number().gt(0).max(1),
    }),
  ),
  coal: sourced(z.object({ shareOfResidual: z.number().min(0).max(1), min_MW: mw, cap_MW: perSeason(mw) })),
  lngMin_MW: sourced(mw),
  emissionFactors_gCO2eq_kWh: z.object({ lifecycle: sourced(factorSet), direct: sourced(factorSet) }),
  anchors_gCO2eq_kWh: z.record(z.string(), sourced(z.number().positive().max(2000))),
  defaultAnchor: z.string(),
  realDays: z.object({
    source,
    hours: z.array(hour),
    days: z.record(
      z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      z.object({
        season: z.enum(SEASONS),
        dayType: z.enum(['weekday', 'weekend']),
        values: z.array(z.number().positive()),
      }),
    ),
  }),
});

export type KrModelInputs = z.infer<typeof krModelFileSchema>;

export function parseKrModel(text: string, file = FILE): KrModelInputs {
  const inputs = parseDataFile(file, krModelFileSchema, parseJsonText(file, text));
  if (!inputs.anchors_gCO2eq_kWh[inputs.defaultAnchor]) {
    throw new DataFileError(
      file,
      'defaultAnchor',
      `'${inputs.defaultAnchor}' is not a key of anchors_gCO2eq_kWh`,
    );
  }
  return inputs;
}

/** One modelled day: the dispatch per hour (MW) and the raw (uncalibrated) intensity. */
export interface ModelledDay {
  season: ModelSeason;
  dayType: DayType;
  demand_MW: number[];
  dispatch_MW: Record<Fuel, number[]>;
  curtailed_MW: number[];
  intensity_gCO2eq_kWh: number[];
}

export function modelDay(
  inputs: KrModelInputs,
  season: ModelSeason,
  dayType: DayType,
  factorBasis: 'lifecycle' | 'direct' = 'lifecycle',
): ModelledDay {
  const d = inputs.demand.bySeason[season][dayType];
  const solar = inputs.solar.bySeason[season];
  const factors = inputs.emissionFactors_gCO2eq_kWh[factorBasis].value;
  const ps = inputs.pumpedStorage.value;
  const pumped_MWh = Object.values(ps.pump_MW).reduce((a, b) => a + b, 0);
  const psGenerate_MW = (pumped_MWh * ps.roundTripEfficiency) / ps.generateHours.length;
  const coal = inputs.coal.value;
  const cut = inputs.nuclearSpringWeekendCut.value;

  const out: ModelledDay = {
    season,
    dayType,
    demand_MW: [],
    dispatch_MW: Object.fromEntries(FUELS.map((f) => [f, [] as number[]])) as unknown as Record<
      Fuel,
      number[]
    >,
    curtailed_MW: [],
    intensity_gCO2eq_kWh: [],
  };
  for (let h = 0; h < 24; h++) {
    // Market demand and market generation only: PPA and behind-the-meter solar never enter the KPX
    // market (the real days and Electricity Maps' KR data leave them out too); they show as the midday
    // dip of market demand. Counting them as supply made winter middays 17 % cleaner than the evening
    // where the real winter day shows 5 %.
    const demand_MW = d.mean_MW * (d.shape[h] as number);
    const nuclear_MW =
      inputs.nuclear_MW.value -
      (season === 'spring' && dayType === 'weekend' && cut.hours.includes(h) ? cut.MW : 0);
    const pump_MW = ps.pump_MW[String(h)] ?? 0;
    const psGen_MW = ps.generateHours.includes(h) ? psGenerate_MW : 0;
    let solar_MW = solar.marketDaily_MWh * (solar.hourlyShare[h] as number);
    const fixed_MW =
      nuclear_MW + inputs.hydro_MW.value + inputs.otherRenewable_MW.value + inputs.wind_MW.value[season];
    let residual_MW = demand_MW + pump_MW - psGen_MW - fixed_MW - solar_MW;
    // Coal and LNG cannot go below their minimum: the surplus is curtailed (SMP = 0 hours).
    const floor_MW = coal.min_MW + inputs.lngMin_MW.value;
    let curtailed_MW = 0;
    if (residual_MW < floor_MW) {
      curtailed_MW = Math.min(solar_MW, floor_MW - residual_MW);
      solar_MW -= curtailed_MW;
      residual_MW += curtailed_MW;
    }
    const coal_MW = Math.min(
      coal.cap_MW[season],
      Math.max(coal.min_MW, coal.shareOfResidual * residual_MW),
      residual_MW - inputs.lngMin_MW.value,
    );
    const lng_MW = residual_MW - coal_MW;
    const gen: Record<Fuel, number> = {
      coal: coal_MW,
      lng: lng_MW,
      nuclear: nuclear_MW,
      hydro: inputs.hydro_MW.value,
      solar: solar_MW,
      wind: inputs.wind_MW.value[season],
      otherRenewable: inputs.otherRenewable_MW.value,
    };
    // Mix intensity of the generation, pumped-storage flows excluded (as in the real-day figures).
    let total = 0;
    let emissions = 0;
    for (const f of FUELS) {
      out.dispatch_MW[f].push(gen[f]);
      total += gen[f];
      emissions += gen[f] * factors[f];
    }
    out.demand_MW.push(demand_MW);
    out.curtailed_MW.push(curtailed_MW);
    out.intensity_gCO2eq_kWh.push(emissions / total);
  }
  return out;
}

export interface KrHourlyOptions {
  /** Anchor the energy-weighted annual mean is scaled to: a key of anchors_gCO2eq_kWh or a number. */
  anchor?: string | { value_gCO2eq_kWh: number; source: string };
  /** Per-fuel factor basis of the shape before calibration. */
  factorBasis?: 'lifecycle' | 'direct';
  /** Only weekdays or only weekends/holidays; by default both, weighted by energy. */
  dayType?: DayType;
  inputs?: KrModelInputs;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Energy-weighted mean of hourly values, weights = demand energy. */
function weighted(values: number[][], weights: number[][]): number[] {
  return Array.from({ length: 24 }, (_, h) => {
    let num = 0;
    let den = 0;
    values.forEach((v, i) => {
      num += (v[h] as number) * (weights[i]?.[h] as number);
      den += weights[i]?.[h] as number;
    });
    return num / den;
  });
}

const SEASON_DAY_BASIS =
  'modelled day of the same season and day type (lifecycle factors, before calibration, as the real days) ' +
  'against the real KPX day at each of its hours';

/**
 * The model's error against the real KPX days, per season: mean absolute and largest hourly error, in
 * gCO2eq/kWh and % of the real value. A season without a real day gets the largest measured season's
 * mean error, marked `assumed`.
 */
export function krModelError(inputs: KrModelInputs): Record<ModelSeason, ProfileSeasonError> {
  const bySeason = new Map<ModelSeason, { dates: string[]; abs: number[]; pct: number[] }>();
  for (const [date, day] of Object.entries(inputs.realDays.days)) {
    if (day.values.length !== inputs.realDays.hours.length) {
      throw new DataFileError(
        FILE,
        `realDays.days.${date}.values`,
        `${day.values.length} values for ${inputs.realDays.hours.length} hours`,
      );
    }
    const modelled = modelDay(inputs, day.season, day.dayType, 'lifecycle').intensity_gCO2eq_kWh;
    const entry = bySeason.get(day.season) ?? { dates: [], abs: [], pct: [] };
    entry.dates.push(date);
    inputs.realDays.hours.forEach((h, k) => {
      const real = day.values[k] as number;
      const abs = Math.abs((modelled[h] as number) - real);
      entry.abs.push(abs);
      entry.pct.push((abs / real) * 100);
    });
    bySeason.set(day.season, entry);
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const measured: Partial<Record<ModelSeason, ProfileSeasonError>> = {};
  for (const [season, e] of bySeason) {
    measured[season] = {
      percent: round1(mean(e.pct)),
      kind: 'measured',
      meanAbsolute_percent: round1(mean(e.pct)),
      meanAbsolute_gCO2eq_kWh: round1(mean(e.abs)),
      maxHourly_percent: round1(Math.max(...e.pct)),
      maxHourly_gCO2eq_kWh: round1(Math.max(...e.abs)),
      realDays: e.dates,
      basis: `${SEASON_DAY_BASIS}: hours ${inputs.realDays.hours.join(', ')} (KST); ${inputs.realDays.source}`,
    };
  }
  const worst = Object.entries(measured).sort((a, b) => b[1].percent - a[1].percent)[0];
  if (!worst) throw new DataFileError(FILE, 'realDays.days', 'no real day to measure the model against');
  return Object.fromEntries(
    SEASONS.map((season) => [
      season,
      measured[season] ?? {
        percent: worst[1].percent,
        kind: 'assumed',
        meanAbsolute_percent: null,
        meanAbsolute_gCO2eq_kWh: null,
        maxHourly_percent: null,
        maxHourly_gCO2eq_kWh: null,
        realDays: [],
        basis:
          `assumed: no real KPX day in ${season} to measure against; the largest measured season's mean ` +
          `error (${worst[0]}, ${worst[1].percent} %) is used`,
      },
    ]),
  ) as Record<ModelSeason, ProfileSeasonError>;
}

export interface KrHourlyModel {
  profile: HourlyIntensityProfile;
  /** Demand energy behind each season's hourly values (MWh over the year), the calibration weights. */
  energyWeights_MWh: Record<ModelSeason, number[]>;
  rawAnnualMean_gCO2eq_kWh: number;
  scale: number;
}

export function krHourlyModel(options: KrHourlyOptions & { inputs: KrModelInputs }): KrHourlyModel {
  const inputs = options.inputs;
  const basis = options.factorBasis ?? 'lifecycle';
  const anchorKey =
    typeof options.anchor === 'string' ? options.anchor : options.anchor ? undefined : inputs.defaultAnchor;
  const anchor =
    typeof options.anchor === 'object'
      ? { value: options.anchor.value_gCO2eq_kWh, source: options.anchor.source }
      : inputs.anchors_gCO2eq_kWh[anchorKey as string];
  if (!anchor) {
    throw new RangeError(
      `unknown anchor '${anchorKey}' (known: ${Object.keys(inputs.anchors_gCO2eq_kWh).join(', ')})`,
    );
  }
  const dayTypes: Array<{ type: DayType; share: number }> = options.dayType
    ? [{ type: options.dayType, share: 1 }]
    : [
        { type: 'weekday', share: 1 - inputs.weekendShare.value },
        { type: 'weekend', share: inputs.weekendShare.value },
      ];

  // Per season: day-type days weighted by their energy; weights carry season length too.
  const raw: Record<string, number[]> = {};
  const energy: Record<string, number[]> = {};
  for (const season of SEASONS) {
    const days = dayTypes.map((dt) => modelDay(inputs, season, dt.type, basis));
    const weights = days.map((day, i) =>
      day.demand_MW.map((d) => d * (dayTypes[i]?.share as number) * inputs.seasonDays.value[season]),
    );
    raw[season] = weighted(
      days.map((d) => d.intensity_gCO2eq_kWh),
      weights,
    );
    energy[season] = Array.from({ length: 24 }, (_, h) => weights.reduce((a, w) => a + (w[h] as number), 0));
  }
  raw.all = weighted(
    SEASONS.map((s) => raw[s] as number[]),
    SEASONS.map((s) => energy[s] as number[]),
  );
  const totalEnergy = SEASONS.reduce((a, s) => a + (energy[s] as number[]).reduce((x, y) => x + y, 0), 0);
  const rawAnnual =
    SEASONS.reduce(
      (a, s) =>
        a + (raw[s] as number[]).reduce((x, v, h) => x + v * ((energy[s] as number[])[h] as number), 0),
      0,
    ) / totalEnergy;
  const scale = anchor.value / rawAnnual;

  const hourly: Record<string, number[]> = {};
  for (const key of ['all', ...SEASONS]) hourly[key] = (raw[key] as number[]).map((v) => round1(v * scale));
  const errors = krModelError(inputs);
  const errorText = SEASONS.map((s) => `${s} ${errors[s].percent} % (${errors[s].kind})`).join(', ');
  const profile: HourlyIntensityProfile = {
    zone: 'KR',
    timeZone: inputs.timeZone,
    kind: 'modelled',
    annualMean_gCO2eq_kWh: anchor.value,
    hourly_gCO2eq_kWh: hourly,
    error_percent_by_season: errors,
    source:
      `modelled: KR hourly dispatch model (KPX 2024 market demand shapes, must-run nuclear/hydro/other renewables, wind, ` +
      `market solar, pumped storage, coal/LNG residual split; ${basis} fuel factors), ` +
      `${options.dayType ? `${options.dayType}s only, ` : ''}energy-weighted annual mean ${round1(rawAnnual)} g/kWh ` +
      `scaled ×${scale.toFixed(3)} to the anchor ${anchor.value} g/kWh (${anchorKey ? `${anchorKey}: ` : ''}${anchor.source}); ` +
      `mean absolute error against the real KPX days: ${errorText}; not an official profile`,
  };
  return {
    profile,
    energyWeights_MWh: Object.fromEntries(SEASONS.map((s) => [s, energy[s] as number[]])) as Record<
      ModelSeason,
      number[]
    >,
    rawAnnualMean_gCO2eq_kWh: rawAnnual,
    scale,
  };
}
