// Temporal shift: when in the day a batch workload of a given run length is cleanest to run.
// A rolling average over a window as long as the run (not the single cleanest hour: a 4-hour job
// that starts at the cleanest hour can spend three hours in dirtier ones; GSF Carbon Aware SDK
// windowSize, microsoft/carbon-aware-sdk PR #74). Hours come from the profile at each hour's local
// time and season, live points where the profile has them, so the advice follows the data.
import { z } from 'zod';
import { EngineInputError, type CoreAssessment } from './assess-workload.js';
import {
  forecastHoursIn,
  gridIntensityAt,
  liveHoursIn,
  localMonthAndHour,
  seasonOfMonth,
} from './grid-intensity-at.js';
import { cronJobSchedulePatch, startsOncePerDay } from './manifest-patch.js';
import { formatNumber, messages } from './messages.js';
import type { Effect, MonthlyBasis } from './savings.js';
import type { HourlyIntensityProfile, Language, Optimization, WorkloadEnergyInput } from '../domain/types.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

/** Longest run the daily profile can place: a 24-hour run covers every hour whatever its start. */
const MAX_SHIFTABLE_HOURS = 23;
/** Floor for a profile that states no error (a test profile): a cut below 1 % is no advice. A modelled
 * profile's own stated error per season raises the bar (shiftErrorFor). */
const MIN_SHIFT_PERCENT = 1;

/**
 * The error a shift's cut must exceed in the season the shifted run falls in. A modelled profile states
 * it per season (measured against real days, or assumed where there is none). A live profile's hours
 * are the provider's data, not a model: no model error applies. An annual-flat profile has the same
 * value every hour, so it never yields a cut to compare.
 */
export function shiftErrorFor(
  profile: HourlyIntensityProfile,
  season: string,
): { percent: number; measured: boolean } | null {
  if (profile.kind !== 'modelled') return null;
  const stated = profile.error_percent_by_season?.[season];
  return stated ? { percent: stated.percent, measured: stated.kind === 'measured' } : null;
}

interface ScheduleCandidate {
  /** UTC instant of the start (hour resolution). */
  start: string;
  startLocalHour: number;
  windowIntensity_gCO2eq_kWh: number;
}

export interface OptimalSchedule {
  durationHours: number;
  timeZone: string;
  best: ScheduleCandidate;
  /** Starting in the current clock hour (the naive choice). */
  immediate: ScheduleCandidate;
  worst: ScheduleCandidate;
  median_gCO2eq_kWh: number;
  savings_percent: { vsImmediate: number; vsWorst: number; vsMedian: number };
  candidates: number;
  /** The modelled profile's stated error for the season of the best start (null: live or annual-flat
   * profile, or none stated), and whether the cut against starting now stays within it (no advice). */
  modelError: { season: string; percent: number; measured: boolean; withinError: boolean } | null;
  method: string;
  source: string;
}

const scheduleRequestSchema = z
  .object({
    durationHours: z.number().finite().positive().max(168),
    earliestStart: z.date().refine((d) => !Number.isNaN(d.getTime()), 'a valid date'),
    deadline: z.date().refine((d) => !Number.isNaN(d.getTime()), 'a valid date'),
  })
  .refine((r) => r.deadline.getTime() - r.earliestStart.getTime() >= r.durationHours * HOUR_MS, {
    message: 'the deadline leaves less time than the run needs after the earliest start',
    path: ['deadline'],
  });

function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** Local hours a run may occupy (spec.actions.allowedHours: KST hours), and the zone they are read in. */
export interface AllowedHours {
  timeZone: string;
  hours: number[];
}

/** Whether every hour a run of `duration` hours from `startMs` touches is an allowed local hour. */
export function runFitsAllowedHours(startMs: number, duration: number, allowed: AllowedHours): boolean {
  const hours = new Set(allowed.hours);
  for (let k = 0; k < Math.ceil(duration); k++) {
    if (!hours.has(localMonthAndHour(new Date(startMs + k * HOUR_MS), allowed.timeZone).hour)) return false;
  }
  return true;
}

/** Mean intensity of a run of `duration` hours from an hour start; a partial last hour weighs its share. */
export function windowIntensity(profile: HourlyIntensityProfile, startMs: number, duration: number): number {
  let weighted = 0;
  let total = 0;
  for (let k = 0; k < Math.ceil(duration); k++) {
    const weight = Math.min(1, duration - k);
    weighted += weight * gridIntensityAt(profile, isoSeconds(startMs + k * HOUR_MS));
    total += weight;
  }
  return weighted / total;
}

function percentBelow(reference: number, value: number): number {
  return reference > 0 ? (1 - value / reference) * 100 : 0;
}

/**
 * The best start for a run of `durationHours` between `earliestStart` and `deadline` (default: the
 * next 24 hours of starts), with the immediate, worst and median starts for comparison.
 */
export function optimalSchedule(args: {
  durationHours: number;
  profile: HourlyIntensityProfile;
  earliestStart?: Date;
  deadline?: Date;
  now: Date;
  /** Only runs that lie wholly inside these local hours may be the best start (immediate, worst and
   * median still describe every start). */
  allowedHours?: AllowedHours;
}): OptimalSchedule {
  const earliest = args.earliestStart ?? args.now;
  const deadline =
    args.deadline ?? new Date(floorHour(earliest.getTime()) + (24 + Math.ceil(args.durationHours)) * HOUR_MS);
  const parsed = scheduleRequestSchema.safeParse({
    durationHours: args.durationHours,
    earliestStart: earliest,
    deadline,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EngineInputError(issue.path.map(String).join('.') || 'schedule', issue.message);
  }
  const { profile } = args;
  const duration = args.durationHours;
  // Hour resolution: the current clock hour is the first candidate ("start now").
  const first = floorHour(earliest.getTime());
  const candidates: ScheduleCandidate[] = [];
  // The validation guarantees room for the first start (floorHour ≤ earliest).
  for (let s = first; s + duration * HOUR_MS <= deadline.getTime(); s += HOUR_MS) {
    candidates.push({
      start: isoSeconds(s),
      startLocalHour: localMonthAndHour(new Date(s), profile.timeZone).hour,
      windowIntensity_gCO2eq_kWh: windowIntensity(profile, s, duration),
    });
    if (candidates.length >= 24 * 7) break;
  }
  const immediate = candidates[0]!;
  const allowed = args.allowedHours;
  const eligible = allowed
    ? candidates.filter((c) => runFitsAllowedHours(Date.parse(c.start), duration, allowed))
    : candidates;
  if (eligible.length === 0) {
    throw new EngineInputError(
      'allowedHours',
      `no start of a ${formatNumber(duration)} h run from ${isoSeconds(first)} to ${isoSeconds(deadline.getTime())} lies wholly inside the allowed hours (${allowed!.timeZone}): ${allowed!.hours.join(', ')}`,
    );
  }
  // Earliest of equals wins: sooner is better when the grid is the same.
  const best = eligible.reduce((b, c) =>
    c.windowIntensity_gCO2eq_kWh < b.windowIntensity_gCO2eq_kWh ? c : b,
  );
  const worst = candidates.reduce((w, c) =>
    c.windowIntensity_gCO2eq_kWh > w.windowIntensity_gCO2eq_kWh ? c : w,
  );
  const sorted = candidates.map((c) => c.windowIntensity_gCO2eq_kWh).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const b = best.windowIntensity_gCO2eq_kWh;
  const vsImmediate = percentBelow(immediate.windowIntensity_gCO2eq_kWh, b);
  const season = seasonOfMonth(localMonthAndHour(new Date(best.start), profile.timeZone).month);
  // Live hours (measured or forecast) carry no model error: the bar applies to modelled windows.
  const live = liveHoursIn(profile, best.start, duration) >= Math.ceil(duration);
  const error = live ? null : shiftErrorFor(profile, season);
  return {
    durationHours: duration,
    timeZone: profile.timeZone,
    best,
    immediate,
    worst,
    median_gCO2eq_kWh: median,
    savings_percent: {
      vsImmediate,
      vsWorst: percentBelow(worst.windowIntensity_gCO2eq_kWh, b),
      vsMedian: percentBelow(median, b),
    },
    candidates: candidates.length,
    modelError: error ? { season, ...error, withinError: vsImmediate <= error.percent } : null,
    method: `rolling mean over ${duration} h windows, hourly starts from ${isoSeconds(first)} to ${isoSeconds(deadline.getTime())}`,
    source: profile.source,
  };
}

/** A cron line that starts at `hour` (local to the CronJob's timeZone), keeping an existing schedule's days. */
export function cronAtHour(hour: number, existing?: string): string {
  const fields = existing?.trim().split(/\s+/);
  const days =
    fields && fields.length === 5 && !fields[0]!.startsWith('@') ? fields.slice(2) : ['*', '*', '*'];
  return ['0', String(hour), ...days].join(' ');
}

export type Shiftability =
  { shiftable: true; runHours: number } | { shiftable: false; reason: 'continuous' | 'too-long' };

/** Batch-like: a Job or CronJob, or any workload whose observed run is shorter than a day. */
export function shiftability(input: WorkloadEnergyInput): Shiftability {
  const batchKind = input.kind === 'Job' || input.kind === 'CronJob';
  const run = input.runLength_hours;
  if (run === undefined) {
    // A Job with no observed run length: one hour per hour with energy is the least we know.
    if (!batchKind) return { shiftable: false, reason: 'continuous' };
    const hours = input.hourly.filter((h) => h.energy_kWh > 0).length;
    if (hours === 0) return { shiftable: false, reason: 'continuous' };
    return hours > MAX_SHIFTABLE_HOURS
      ? { shiftable: false, reason: 'too-long' }
      : { shiftable: true, runHours: hours };
  }
  if (!batchKind && run >= 24) return { shiftable: false, reason: 'continuous' };
  if (run > MAX_SHIFTABLE_HOURS) return { shiftable: false, reason: 'too-long' };
  return { shiftable: true, runHours: run };
}

/** The temporal-shift advice for one workload, or why there is none. */
export function temporalShift(args: {
  input: WorkloadEnergyInput;
  core: CoreAssessment;
  profile: HourlyIntensityProfile;
  basis: MonthlyBasis;
  now: Date;
  language: Language;
  /** spec.actions.allowedHours: the advised run must lie inside them. */
  allowedHours?: AllowedHours;
}):
  | { optimization: Omit<Optimization, 'savings_per_month'>; effect: Effect; schedule: OptimalSchedule }
  | { skipped: string } {
  const { input, core, profile, basis, language } = args;
  const current = core.exact.gridIntensity;
  if (current === null) return { skipped: messages.insufficientData(language) };
  const shift = shiftability(input);
  if (!shift.shiftable) {
    return {
      skipped:
        shift.reason === 'continuous'
          ? messages.continuousNoShift(language)
          : messages.runTooLong(language, input.runLength_hours ?? MAX_SHIFTABLE_HOURS + 1),
    };
  }
  let schedule: OptimalSchedule;
  try {
    schedule = optimalSchedule({
      durationHours: shift.runHours,
      profile,
      now: args.now,
      ...(args.allowedHours ? { allowedHours: args.allowedHours } : {}),
    });
  } catch (error) {
    if (error instanceof EngineInputError && error.field === 'allowedHours' && args.allowedHours)
      return {
        skipped: messages.shiftOutsideAllowedHours(language, {
          hours: shift.runHours,
          allowed: args.allowedHours.hours,
        }),
      };
    throw error;
  }
  const windowI = schedule.best.windowIntensity_gCO2eq_kWh;
  const percent = (1 - windowI / current) * 100;
  if (percent < MIN_SHIFT_PERCENT) {
    return {
      skipped: messages.shiftNotCleaner(language, { hours: shift.runHours, windowIntensity: windowI }),
    };
  }
  // The cut (against the hours it ran) must exceed the profile's error in the season the shifted run
  // falls in.
  const error = schedule.modelError;
  if (error && percent <= error.percent) {
    return {
      skipped: messages.shiftWithinModelError(language, {
        hours: shift.runHours,
        percent,
        errorPercent: error.percent,
        season: error.season,
        measured: error.measured,
      }),
    };
  }
  // Energy cost at the tariff, kept with its sign: a window in dearer hours costs more (negative saving).
  let cost: number | null = null;
  if (basis.tariff && basis.rate_KRW_per_kWh !== null) {
    let rate = 0;
    let weight = 0;
    for (let k = 0; k < Math.ceil(shift.runHours); k++) {
      const w = Math.min(1, shift.runHours - k);
      const at = new Date(Date.parse(schedule.best.start) + k * HOUR_MS);
      rate +=
        w *
        basis.tariff.rate_KRW_per_kWh((schedule.best.startLocalHour + k) % 24, basis.season, undefined, at);
      weight += w;
    }
    cost = basis.facilityEnergy_kWh * (basis.rate_KRW_per_kWh - rate / weight);
  }
  const hour = schedule.best.startLocalHour;
  const cron = cronAtHour(hour, input.cronSchedule);
  return {
    schedule,
    optimization: {
      type: 'temporal_shift',
      reduces: 'intensity',
      estimated_reduction_percent: Math.round(percent * 10) / 10,
      description: messages.temporalShift(language, {
        startHour: hour,
        hours: shift.runHours,
        timeZone: profile.timeZone,
        windowIntensity: windowI,
        current,
        percent,
        energyCostSaved_KRW: cost,
      }),
      schedule: {
        startLocalHour: hour,
        durationHours: shift.runHours,
        cron,
        timeZone: profile.timeZone,
        windowIntensity_gCO2eq_kWh: Math.round(windowI * 10) / 10,
      },
      // Only a CronJob has a schedule to change (a Job runs once, a continuous workload not at all),
      // and only one that starts once a day moves to one start without changing how often it runs.
      ...(input.kind === 'CronJob' &&
      (input.cronSchedule === undefined || startsOncePerDay(input.cronSchedule))
        ? {
            patch: cronJobSchedulePatch({
              name: input.workload,
              namespace: input.namespace,
              cron,
              timeZone: profile.timeZone,
              startLocalHour: hour,
              runHours: shift.runHours,
              reductionPercent: percent,
              currentScheduleKnown: input.cronSchedule !== undefined,
            }),
          }
        : {}),
      source:
        `${schedule.method}; current = energy-weighted grid intensity of the hours it ran; ${profile.kind} profile ${profile.zone} (sources.grid_intensity)` +
        (error
          ? `; the ${formatNumber(percent)} % cut exceeds the profile's ${error.season} error of ${error.percent} % (${error.measured ? 'measured' : 'assumed'})`
          : liveHoursIn(profile, schedule.best.start, shift.runHours) > 0
            ? '; live hourly data: no model error applies'
            : '') +
        forecastNote(profile, schedule.best.start, shift.runHours),
    },
    effect: { emissionsFraction: percent / 100, facilityEnergySaved_kWh: 0, energyCostSaved_KRW: cost },
  };
}

/** Says when the advised window was chosen on a live forecast rather than the modelled shape. */
function forecastNote(profile: HourlyIntensityProfile, start: string, runHours: number): string {
  const forecast = forecastHoursIn(profile, start, runHours);
  return forecast > 0
    ? `; next run: ${forecast} of ${Math.ceil(runHours)} h of the advised window from the live forecast`
    : '';
}
