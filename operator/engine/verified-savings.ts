// Verified savings: did an adopted change (a CronJob schedule moved, by the operator or anyone; the
// site's PUE or grid zone changed) cut emissions? The measured emissions since the change are set
// against a counterfactual: the same measured energy, hour by hour, as it would have been emitted
// without the change (at the old schedule's hours, with the old PUE, on the old zone's grid). Pure:
// hourly energy, profiles and the clock come in; figures and a verdict go out (docs/methodology.md § 7.2).
import { gridIntensityAt } from './grid-intensity-at.js';
import type {
  AdoptedChange,
  HourlyEnergy,
  HourlyIntensityProfile,
  SavingsVerdict,
  VerifiedSavings,
} from '../domain/types.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

/** A verdict needs a day since the change (every hour of the daily profile has passed once) … */
const MIN_ELAPSED_HOURS = 24;
/** … and energy measured in at least this many hours since the change (one short run is not a record). */
const MIN_HOURS_WITH_ENERGY = 2;
/** The smallest cut called verified: the engine advises no temporal shift below 1 % either. */
const MIN_VERIFIED_PERCENT = 1;
/** The time zone of a CronJob without spec.timeZone: the kube-controller-manager's, assumed UTC. */
const ASSUMED_CONTROLLER_TIME_ZONE = 'UTC';

/** Minutes past midnight UTC at which a once-a-day cron line starts, on the day of `at`. */
function utcStartMinute(schedule: string, timeZone: string, at: Date): number | null {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5 || !/^\d{1,2}$/.test(fields[0]!) || !/^\d{1,2}$/.test(fields[1]!)) return null;
  const local = Number(fields[1]) * 60 + Number(fields[0]);
  // The zone's offset at that instant (Intl gives the local wall time; the difference is the offset).
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  const offsetMinutes = Math.round((wall - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
  return (((local - offsetMinutes) % 1440) + 1440) % 1440;
}

/**
 * Hours by which a schedule change moved the runs (new start − old start, in (−12, 12]); null when a
 * line does not start once a day (the counterfactual hours are then unknown).
 */
export function scheduleShiftHours(change: AdoptedChange, at: Date): number | null {
  const { before, after } = change;
  if (!before.schedule || !after.schedule) return null;
  const from = utcStartMinute(before.schedule, before.timeZone || ASSUMED_CONTROLLER_TIME_ZONE, at);
  const to = utcStartMinute(after.schedule, after.timeZone || ASSUMED_CONTROLLER_TIME_ZONE, at);
  if (from === null || to === null) return null;
  let delta = (((to - from) % 1440) + 1440) % 1440;
  if (delta > 720) delta -= 1440;
  return Math.round(delta / 60);
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The verdict and figures for one adopted change over the workload's hourly energy since it. */
export function verifySavings(args: {
  change: AdoptedChange;
  /** The workload's (for `*`: every workload's) measured hourly IT energy. */
  hourly: HourlyEnergy[];
  /** The site's grid profile, and the old zone's for a zone change. */
  profile: HourlyIntensityProfile;
  profileBefore?: HourlyIntensityProfile;
  /** A later zone change: the hours before `until` were drawn on `profile` (the old zone's grid), so a
   * schedule or PUE change is priced on the grid of each hour's own zone. */
  earlierZone?: { until: string; profile: HourlyIntensityProfile };
  /** The site's PUE now (the status summary's, with its source). */
  pue: number;
  now: Date;
}): VerifiedSavings {
  const { change, profile, pue, now } = args;
  const sinceMs = Date.parse(change.since);
  const shift = change.kind === 'schedule' ? scheduleShiftHours(change, new Date(sinceMs)) : 0;
  const pueBefore = change.kind === 'pue' && change.before.pue !== undefined ? change.before.pue : pue;
  const profileBefore = change.kind === 'zone' ? args.profileBefore : undefined;
  let measured = 0;
  let counterfactual = 0;
  let energy = 0;
  let hoursWithEnergy = 0;
  for (const h of args.hourly) {
    const t = Date.parse(h.hourStart);
    if (t < sinceMs || t >= now.getTime() || !(h.energy_kWh > 0)) continue;
    energy += h.energy_kWh;
    hoursWithEnergy += 1;
    const earlier =
      change.kind !== 'zone' && args.earlierZone && t < Date.parse(args.earlierZone.until)
        ? args.earlierZone.profile
        : undefined;
    const grid = earlier ?? profile;
    measured += h.energy_kWh * pue * gridIntensityAt(grid, h.hourStart);
    // Without the change this energy would have been drawn `shift` hours earlier (a schedule), under the
    // old PUE, or from the old zone's grid.
    const counterGrid = change.kind === 'zone' ? profileBefore : grid;
    if (counterGrid)
      counterfactual +=
        h.energy_kWh * pueBefore * gridIntensityAt(counterGrid, isoSeconds(t - (shift ?? 0) * HOUR_MS));
  }
  const elapsedHours = Math.max(0, Math.floor((now.getTime() - sinceMs) / HOUR_MS));
  const saved = counterfactual - measured;
  const percent = counterfactual > 0 ? (saved / counterfactual) * 100 : null;
  const verdict: SavingsVerdict =
    shift === null ||
    (change.kind === 'zone' && !profileBefore) ||
    elapsedHours < MIN_ELAPSED_HOURS ||
    hoursWithEnergy < MIN_HOURS_WITH_ENERGY
      ? 'too_early'
      : saved > 0 && percent !== null && percent >= MIN_VERIFIED_PERCENT
        ? 'verified'
        : 'not_realized';
  const assumedUtc =
    change.kind === 'schedule' && (!change.before.timeZone || !change.after.timeZone)
      ? `; a CronJob without spec.timeZone is read in the kube-controller-manager's zone, assumed ${ASSUMED_CONTROLLER_TIME_ZONE}`
      : '';
  const what =
    change.kind === 'schedule'
      ? shift === null
        ? `the schedule "${change.before.schedule}" or "${change.after.schedule}" does not start once a day: the old hours are unknown, so no counterfactual`
        : `the same energy ${Math.abs(shift)} h ${shift >= 0 ? 'earlier' : 'later'} (at the old schedule's hours), same PUE, same grid profile${assumedUtc}`
      : change.kind === 'pue'
        ? `the same energy at the same hours with the old PUE ${change.before.pue} instead of ${pue}`
        : profileBefore
          ? `the same energy at the same hours on the old zone ${change.before.zone}'s grid (${profileBefore.source}) instead of ${change.after.zone}'s`
          : `no grid profile for the old zone ${change.before.zone}: no counterfactual`;
  return {
    workload: change.workload,
    change,
    since: change.since,
    verdict,
    kgCO2eq: round(saved / 1000, 4),
    percent: percent === null ? null : round(percent, 1),
    measured_kgCO2eq: round(measured / 1000, 4),
    counterfactual_kgCO2eq: round(counterfactual / 1000, 4),
    energy_kWh: round(energy, 4),
    hoursWithEnergy,
    elapsedHours,
    minimum: `${MIN_ELAPSED_HOURS} h since the change and measured energy in ${MIN_HOURS_WITH_ENERGY} hours since it; verified from a ${MIN_VERIFIED_PERCENT} % cut`,
    method:
      `measured Σ E(h)·PUE·I(h) over the hours of status.energyHistory since the change (at most the policy window) ` +
      `against the counterfactual: ${what}; I from ${profile.source}` +
      (args.earlierZone && change.kind !== 'zone'
        ? `; hours before ${args.earlierZone.until} on the earlier zone's grid (${args.earlierZone.profile.source})`
        : ''),
  };
}
