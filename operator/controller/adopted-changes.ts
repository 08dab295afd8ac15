// The change record behind status.verifiedSavings: which advice was adopted, when, and from what to
// what. Kept in the status itself (each verifiedSavings entry carries its change), updated from what
// this evaluation saw: a schedule the operator moved (status.actions), a CronJob schedule someone else
// changed (the schedule status.actions showed last time differs now), a PUE that changed (the summary's
// PUE last time). Then each change is verified by the engine (engine/verified-savings.ts).
import type { ActionsStatus, CarbonCompliancePolicyStatus } from '../api/v1alpha1/types.js';
import type {
  AdoptedChange,
  HourlyEnergy,
  HourlyIntensityProfile,
  VerifiedSavings,
} from '../domain/types.js';
import { verifySavings } from '../engine/verified-savings.js';
import type { HistoryWindow, HourlySeries } from './energy-history.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

/** The first whole hour after an instant: the first hour the change fully applies to. */
function nextHour(ms: number): string {
  return isoSeconds(Math.ceil(ms / HOUR_MS) * HOUR_MS);
}

/** The change record after this evaluation (pure). */
export function adoptedChanges(args: {
  previous: CarbonCompliancePolicyStatus | undefined;
  actions: ActionsStatus;
  pue: number;
  /** An assumed PUE replaced by a configured one is a correction of the data, not an adopted change. */
  pueAssumed: boolean;
  /** The grid zone of this evaluation (summary.zone). */
  zone: string | undefined;
  now: Date;
}): AdoptedChange[] {
  const { previous, actions, now } = args;
  const byKey = new Map<string, AdoptedChange>(
    (previous?.verifiedSavings ?? []).map((v) => [`${v.change.workload}|${v.change.kind}`, v.change]),
  );
  const before = new Map((previous?.actions?.cronJobs ?? []).map((c) => [c.name, c]));
  for (const entry of actions.cronJobs) {
    const key = `CronJob/${entry.name}|schedule`;
    if (entry.state === 'Restored') {
      byKey.delete(key);
      continue;
    }
    if (entry.state === 'Applied' && entry.reason === 'Moved' && entry.originalSchedule && entry.shiftedAt) {
      byKey.set(key, {
        workload: `CronJob/${entry.name}`,
        kind: 'schedule',
        since: nextHour(Date.parse(entry.shiftedAt)),
        source: 'applied by the operator (spec.actions.temporalShift: Apply)',
        before: {
          schedule: entry.originalSchedule,
          ...(entry.originalTimeZone ? { timeZone: entry.originalTimeZone } : {}),
        },
        after: { schedule: entry.schedule!, ...(entry.timeZone ? { timeZone: entry.timeZone } : {}) },
      });
      continue;
    }
    const last = before.get(entry.name);
    if (
      last?.schedule !== undefined &&
      entry.schedule !== undefined &&
      (last.schedule !== entry.schedule || (last.timeZone ?? '') !== (entry.timeZone ?? ''))
    ) {
      byKey.set(key, {
        workload: `CronJob/${entry.name}`,
        kind: 'schedule',
        since: nextHour(now.getTime()),
        source: `observed: spec.schedule changed outside the operator (${entry.reason})`,
        before: { schedule: last.schedule, ...(last.timeZone ? { timeZone: last.timeZone } : {}) },
        after: { schedule: entry.schedule, ...(entry.timeZone ? { timeZone: entry.timeZone } : {}) },
      });
    }
  }
  const lastPue = previous?.summary?.pue;
  if (lastPue !== undefined && lastPue !== args.pue && !previous?.summary?.pueAssumed && !args.pueAssumed)
    byKey.set('*|pue', {
      workload: '*',
      kind: 'pue',
      since: nextHour(now.getTime()),
      source: `observed: the site's PUE changed (${previous?.summary?.pueSource ?? 'unknown source'} → now)`,
      before: { pue: lastPue },
      after: { pue: args.pue },
    });
  const lastZone = previous?.summary?.zone;
  if (lastZone !== undefined && args.zone !== undefined && lastZone !== args.zone)
    byKey.set('*|zone', {
      workload: '*',
      kind: 'zone',
      since: nextHour(now.getTime()),
      source: "observed: the site's grid zone changed (spec.site)",
      before: { zone: lastZone },
      after: { zone: args.zone },
    });
  return [...byKey.values()];
}

/** The workload's hourly energy from the merged history (`*`: every workload's, summed). */
function hourlyOf(series: HourlySeries, window: HistoryWindow, workload: string): HourlyEnergy[] {
  const rows = workload === '*' ? [...series.values()] : [series.get(workload) ?? []];
  const sums = new Map<number, number>();
  for (const values of rows)
    values.forEach((v, i) => {
      if (v !== null) sums.set(i, (sums.get(i) ?? 0) + v);
    });
  return [...sums]
    .sort(([a], [b]) => a - b)
    .map(([i, energy_kWh]) => ({ hourStart: isoSeconds(window.startMs + i * HOUR_MS), energy_kWh }));
}

/** status.verifiedSavings: every recorded change verified over the history (newest first, at most `limit`). */
export function verifiedSavingsStatus(args: {
  changes: AdoptedChange[];
  series: HourlySeries;
  window: HistoryWindow;
  profile: HourlyIntensityProfile;
  /** The profile of another zone (the old one of a zone change). */
  profileOf?: (zone: string) => HourlyIntensityProfile | undefined;
  pue: number;
  now: Date;
  limit: number;
}): VerifiedSavings[] {
  // After a zone change, the hours before it were drawn on the old zone's grid.
  const zoneChange = args.changes.find((c) => c.kind === 'zone' && c.before.zone);
  const oldZoneProfile = zoneChange ? args.profileOf?.(zoneChange.before.zone!) : undefined;
  return (
    args.changes
      // A CronJob whose history is gone (deleted, out of the window) has nothing left to verify.
      .filter((c) => c.workload === '*' || args.series.has(c.workload))
      .sort((a, b) => b.since.localeCompare(a.since) || a.workload.localeCompare(b.workload))
      .slice(0, args.limit)
      .map((change) =>
        verifySavings({
          change,
          hourly: hourlyOf(args.series, args.window, change.workload),
          profile: args.profile,
          ...(change.kind === 'zone' && oldZoneProfile ? { profileBefore: oldZoneProfile } : {}),
          ...(change.kind !== 'zone' && zoneChange && oldZoneProfile
            ? { earlierZone: { until: zoneChange.since, profile: oldZoneProfile } }
            : {}),
          pue: args.pue,
          now: args.now,
        }),
      )
  );
}
