// The grid intensity a profile gives for one clock hour: a live point for that exact hour when the
// provider has one, else the 24-hour shape at the local hour of the local season.
import type { GridHourSource, GridHoursBySource, HourlyIntensityProfile } from '../domain/types.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

export type Season = 'spring' | 'summer' | 'autumn' | 'winter';

const localPartsFormatters = new Map<string, Intl.DateTimeFormat>();

// Intl formatting dominates a policy's evaluation (every workload-hour looks up its local hour), and
// the same few hundred hours recur across workloads: remember them (bounded, cleared when full), per
// time zone and instant (a number key: no key string built per lookup).
const localPartsMemo = new Map<string, Map<number, { month: number; hour: number }>>();
const MEMO_LIMIT = 50_000;

/** Local calendar month (1–12) and hour (0–23) of an instant in an IANA time zone. */
export function localMonthAndHour(instant: Date, timeZone: string): { month: number; hour: number } {
  let memo = localPartsMemo.get(timeZone);
  if (!memo) localPartsMemo.set(timeZone, (memo = new Map()));
  const ms = instant.getTime();
  const known = memo.get(ms);
  if (known) return known;
  const parts = formatLocalParts(instant, timeZone);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(ms, parts);
  return parts;
}

function formatLocalParts(instant: Date, timeZone: string): { month: number; hour: number } {
  let formatter = localPartsFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      month: 'numeric',
      hour: 'numeric',
      hourCycle: 'h23',
    });
    localPartsFormatters.set(timeZone, formatter);
  }
  let month = 0;
  let hour = 0;
  for (const part of formatter.formatToParts(instant)) {
    if (part.type === 'month') month = Number(part.value);
    if (part.type === 'hour') hour = Number(part.value) % 24;
  }
  return { month, hour };
}

/** Meteorological seasons (as the KR profile's inputs are: DJF, MAM, JJA, SON). */
export function seasonOfMonth(month: number): Season {
  if (month >= 3 && month <= 5) return 'spring';
  if (month >= 6 && month <= 8) return 'summer';
  if (month >= 9 && month <= 11) return 'autumn';
  return 'winter';
}

/** The 24 hourly values the profile uses for a season (falls back to its all-year shape). */
export function dailyShape(profile: HourlyIntensityProfile, season: Season): number[] {
  const shape = profile.hourly_gCO2eq_kWh[season] ?? profile.hourly_gCO2eq_kWh.all;
  if (!shape || shape.length !== 24) {
    throw new RangeError(`grid profile ${profile.zone}: no 24-hour shape for season '${season}' or 'all'`);
  }
  return shape;
}

type Point = NonNullable<HourlyIntensityProfile['points']>[number];

// Points indexed by hour, once per points array (profiles are immutable values; a policy with many
// workloads looks the same hours up thousands of times).
const pointIndexes = new WeakMap<object, Map<string, Point>>();

function pointAt(profile: HourlyIntensityProfile, hourStart: string): Point | undefined {
  const points = profile.points;
  if (!points || points.length === 0) return undefined;
  let index = pointIndexes.get(points);
  if (!index) {
    index = new Map(points.map((p) => [p.hourStart.replace('.000Z', 'Z'), p]));
    pointIndexes.set(points, index);
  }
  return index.get(hourStart.replace('.000Z', 'Z'));
}

type GridHour = { intensity_gCO2eq_kWh: number; source: GridHourSource; forecast: boolean };

// Each workload looks up the same window hours: per profile (an immutable value; its points and shapes
// are checked to be the ones the answers were computed from), the answer per hour stamp, bounded.
const gridHourMemo = new WeakMap<
  HourlyIntensityProfile,
  { points: unknown; shapes: unknown; timeZone: string; kind: string; byHour: Map<string, GridHour> }
>();

/** The grid intensity of one hour and where it came from (live point → modelled shape → annual factor). */
export function gridHourAt(profile: HourlyIntensityProfile, hourStart: string): GridHour {
  let memo = gridHourMemo.get(profile);
  if (
    !memo ||
    memo.points !== profile.points ||
    memo.shapes !== profile.hourly_gCO2eq_kWh ||
    memo.timeZone !== profile.timeZone ||
    memo.kind !== profile.kind
  ) {
    memo = {
      points: profile.points,
      shapes: profile.hourly_gCO2eq_kWh,
      timeZone: profile.timeZone,
      kind: profile.kind,
      byHour: new Map(),
    };
    gridHourMemo.set(profile, memo);
  }
  const known = memo.byHour.get(hourStart);
  if (known) return { ...known };
  const hour = gridHourOf(profile, hourStart);
  if (memo.byHour.size >= MEMO_LIMIT) memo.byHour.clear();
  memo.byHour.set(hourStart, hour);
  return { ...hour };
}

function gridHourOf(profile: HourlyIntensityProfile, hourStart: string): GridHour {
  const live = pointAt(profile, hourStart);
  if (live)
    return { intensity_gCO2eq_kWh: live.intensity_gCO2eq_kWh, source: 'live', forecast: !!live.forecast };
  const { month, hour } = localMonthAndHour(new Date(hourStart), profile.timeZone);
  const value = dailyShape(profile, seasonOfMonth(month))[hour];
  if (value === undefined) throw new RangeError(`grid profile ${profile.zone}: no value for hour ${hour}`);
  return {
    intensity_gCO2eq_kWh: value,
    source: profile.kind === 'annual-flat' ? 'annual' : 'modelled',
    forecast: false,
  };
}

export function gridIntensityAt(profile: HourlyIntensityProfile, hourStart: string): number {
  return gridHourAt(profile, hourStart).intensity_gCO2eq_kWh;
}

export function emptyGridHours(): GridHoursBySource {
  return { live: 0, modelled: 0, annual: 0 };
}

/** The source of every hour of a window (hourly from `start`), and their counts. */
export function gridSourcesOfWindow(
  profile: HourlyIntensityProfile,
  start: string,
  hours: number,
): { sources: GridHourSource[]; counts: GridHoursBySource } {
  const counts = emptyGridHours();
  const sources: GridHourSource[] = [];
  const startMs = Date.parse(start);
  for (let k = 0; k < hours; k++) {
    const hourStart = isoSeconds(startMs + k * HOUR_MS);
    const { source } = gridHourAt(profile, hourStart);
    sources.push(source);
    counts[source] += 1;
  }
  return { sources, counts };
}

/** How many of the `hours` hours from `start` take their intensity from a live forecast point. */
/** How many of the window's hours a live point (measured or forecast) covers. */
export function liveHoursIn(profile: HourlyIntensityProfile, start: string, hours: number): number {
  if (!profile.points?.length) return 0;
  let n = 0;
  const startMs = Date.parse(start);
  for (let k = 0; k < Math.ceil(hours); k++) {
    const hourStart = isoSeconds(startMs + k * HOUR_MS);
    if (pointAt(profile, hourStart)) n += 1;
  }
  return n;
}

export function forecastHoursIn(profile: HourlyIntensityProfile, start: string, hours: number): number {
  let n = 0;
  const startMs = Date.parse(start);
  for (let k = 0; k < Math.ceil(hours); k++) {
    const hourStart = isoSeconds(startMs + k * HOUR_MS);
    if (pointAt(profile, hourStart)?.forecast) n += 1;
  }
  return n;
}
