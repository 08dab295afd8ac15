// The grid intensity a profile gives for one clock hour: a live point for that exact hour when the
// provider has one, else the 24-hour shape at the local hour of the local season.
import type { HourlyIntensityProfile } from './types.js';

export type Season = 'spring' | 'summer' | 'autumn' | 'winter';

const localPartsFormatters = new Map<string, Intl.DateTimeFormat>();

// Intl formatting dominates a policy's evaluation (every workload-hour looks up its local hour), and
// the same few hundred hours recur across workloads: remember them (bounded, cleared when full).
const localPartsMemo = new Map<string, { month: number; hour: number }>();
const MEMO_LIMIT = 50_000;

/** Local calendar month (1–12) and hour (0–23) of an instant in an IANA time zone. */
export function localMonthAndHour(instant: Date, timeZone: string): { month: number; hour: number } {
  const key = `${timeZone}|${instant.getTime()}`;
  const known = localPartsMemo.get(key);
  if (known) return known;
  const parts = formatLocalParts(instant, timeZone);
  if (localPartsMemo.size >= MEMO_LIMIT) localPartsMemo.clear();
  localPartsMemo.set(key, parts);
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

export function gridIntensityAt(profile: HourlyIntensityProfile, hourStart: string): number {
  const live = profile.points?.find((p) => p.hourStart === hourStart);
  if (live) return live.intensity_gCO2eq_kWh;
  const { month, hour } = localMonthAndHour(new Date(hourStart), profile.timeZone);
  const value = dailyShape(profile, seasonOfMonth(month))[hour];
  if (value === undefined) throw new RangeError(`grid profile ${profile.zone}: no value for hour ${hour}`);
  return value;
}
