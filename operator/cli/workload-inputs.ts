// Kepler snapshots → the engine's per-workload input. With two or more snapshots the energy is the
// joule counters' increase between consecutive scrapes (resets handled by the integrator). With one
// snapshot the counters cannot be used: a pod's counter starts when Kepler first saw the pod, which the
// scrape does not say, so energy since an unknown start is no energy over a known window. One snapshot
// therefore uses the instantaneous watts gauges (Kepler 0.10+), held for one hour before the scrape,
// and the energy source says so. Kepler 0.7 exposes no watts: one 0.7 snapshot has no energy data.
import {
  distributeToHours,
  integrateInterval,
  mergeHourly,
  podReadings,
} from '../kepler/energy-integrator.js';
import { totalWatts, type KeplerSnapshot, type PodEnergyReading } from '../kepler/kepler-metrics.js';
import type { HourlyEnergy, WorkloadEnergyInput, WorkloadKind } from '../engine/types.js';
import { CliInputError, type LoadedSnapshot } from './metrics-snapshots.js';
import { ownerOfPodName, podBelongsTo } from './workload-names.js';

const HOUR_MS = 3_600_000;
/** How long one snapshot's watts are assumed to have held (stated in the energy source). */
export const SINGLE_SNAPSHOT_ASSUMED_HOURS = 1;

export type Selection =
  { all: true; namespace?: string } | { all: false; workload: string; namespace: string };

export interface WorkloadInputs {
  inputs: WorkloadEnergyInput[];
  window: { start: string; end: string };
  /** How the energy was obtained, for the report. */
  basis: string;
}

interface PodEnergy {
  reading: PodEnergyReading;
  hourly: HourlyEnergy[];
  joules: number;
  seconds: number;
  flags: string[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function fromOneSnapshot(loaded: LoadedSnapshot): {
  pods: PodEnergy[];
  startMs: number;
  endMs: number;
  basis: string;
} {
  const s = loaded.snapshot;
  const endMs = s.scrapedAtMs;
  const startMs = endMs - SINGLE_SNAPSHOT_ASSUMED_HOURS * HOUR_MS;
  const pods: PodEnergy[] = [];
  for (const reading of s.pods.values()) {
    const hasWatts = Object.keys(reading.wattsByZone).length > 0;
    // A terminated pod's gauge is its last value, not power drawn in the hour before the scrape.
    const watts = hasWatts && !reading.terminated ? totalWatts(reading) : undefined;
    const flags = [...reading.dataQuality];
    if (!hasWatts) flags.push('no-watts-gauge');
    if (reading.terminated) flags.push('terminated-pod');
    const joules = watts === undefined ? 0 : watts * SINGLE_SNAPSHOT_ASSUMED_HOURS * 3600;
    pods.push({
      reading,
      hourly: watts === undefined ? [] : distributeToHours(startMs, endMs, joules),
      joules,
      seconds: SINGLE_SNAPSHOT_ASSUMED_HOURS * 3600,
      flags,
    });
  }
  const basis =
    `single snapshot (${loaded.location}, taken ${iso(endMs)}, time from ${loaded.timeSource === 'unknown' ? '--at' : loaded.timeSource}): ` +
    `instantaneous watts assumed constant over the ${SINGLE_SNAPSHOT_ASSUMED_HOURS} h before it; counters not used (their start is unknown)`;
  return { pods, startMs, endMs, basis };
}

function fromSeries(loaded: LoadedSnapshot[]): {
  pods: PodEnergy[];
  startMs: number;
  endMs: number;
  basis: string;
} {
  for (const l of loaded) {
    if (l.timeSource === 'unknown') {
      throw new CliInputError(
        `--metrics ${l.location}: the time of this snapshot is unknown (no sample timestamps); give it as --metrics ${l.location}@<ISO 8601>`,
      );
    }
  }
  const sorted = [...loaded].sort((a, b) => a.snapshot.scrapedAtMs - b.snapshot.scrapedAtMs);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.snapshot.scrapedAtMs === sorted[i - 1]!.snapshot.scrapedAtMs) {
      throw new CliInputError(
        `--metrics: ${sorted[i - 1]!.location} and ${sorted[i]!.location} were taken at the same time (${iso(sorted[i]!.snapshot.scrapedAtMs)}); energy needs two different times`,
      );
    }
  }
  const byKey = new Map<string, PodEnergy>();
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!.snapshot;
    const current = sorted[i]!.snapshot;
    const readings = new Map<string, PodEnergyReading>([...current.pods.values()].map((r) => [r.key, r]));
    for (const interval of integrateInterval(podReadings(previous), podReadings(current))) {
      const reading = readings.get(interval.key);
      if (!reading) continue;
      const entry = byKey.get(interval.key) ?? {
        reading,
        hourly: [],
        joules: 0,
        seconds: 0,
        flags: [...reading.dataQuality],
      };
      entry.hourly = mergeHourly(
        entry.hourly,
        distributeToHours(interval.fromMs, interval.toMs, interval.joules),
      );
      entry.joules += interval.joules;
      entry.seconds += (interval.toMs - interval.fromMs) / 1000;
      entry.flags.push(...interval.flags);
      byKey.set(interval.key, entry);
    }
  }
  const startMs = sorted[0]!.snapshot.scrapedAtMs;
  const endMs = sorted[sorted.length - 1]!.snapshot.scrapedAtMs;
  const basis =
    `${sorted.length} snapshots from ${iso(startMs)} to ${iso(endMs)}: joule counter increases between consecutive scrapes ` +
    `(${sorted.map((l) => `${l.location} @ ${l.timeSource}`).join(', ')})`;
  return { pods: [...byKey.values()], startMs, endMs, basis };
}

function groupKey(namespace: string, workload: string) {
  return `${namespace}/${workload}`;
}

function mostCommon(kinds: WorkloadKind[]): WorkloadKind {
  const counts = new Map<WorkloadKind, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

export function workloadInputs(
  loaded: LoadedSnapshot[],
  selection: Selection,
  options: { kind?: WorkloadKind } = {},
): WorkloadInputs {
  const series = loaded.length === 1 ? fromOneSnapshot(loaded[0]!) : fromSeries(loaded);
  const latest: KeplerSnapshot = loaded.reduce((a, b) =>
    b.snapshot.scrapedAtMs > a.snapshot.scrapedAtMs ? b : a,
  ).snapshot;
  const groups = new Map<
    string,
    { namespace: string; workload: string; kinds: WorkloadKind[]; pods: PodEnergy[] }
  >();
  for (const pod of series.pods) {
    const { namespace, name } = pod.reading;
    let workload: string;
    let kind: WorkloadKind | null;
    if (selection.all) {
      if (selection.namespace && namespace !== selection.namespace) continue;
      ({ workload, kind } = ownerOfPodName(name));
    } else {
      if (namespace !== selection.namespace) continue;
      kind = podBelongsTo(name, selection.workload);
      if (!kind) continue;
      workload = selection.workload;
    }
    const key = groupKey(namespace, workload);
    const group = groups.get(key) ?? { namespace, workload, kinds: [], pods: [] };
    group.kinds.push(kind);
    group.pods.push(pod);
    groups.set(key, group);
  }
  if (groups.size === 0) {
    const seen = [...new Set(series.pods.map((p) => `${p.reading.namespace}/${p.reading.name}`))].sort();
    const what = selection.all
      ? `no pods${selection.namespace ? ` in namespace ${selection.namespace}` : ''}`
      : `no pod of workload '${selection.workload}' in namespace '${selection.namespace}'`;
    throw new CliInputError(
      `--workload/--namespace: ${what} in the metrics (pods seen: ${seen.slice(0, 20).join(', ') || 'none'}${seen.length > 20 ? `, … ${seen.length - 20} more` : ''})`,
    );
  }
  const seconds = (series.endMs - series.startMs) / 1000;
  const inputs = [...groups.values()]
    .sort((a, b) => groupKey(a.namespace, a.workload).localeCompare(groupKey(b.namespace, b.workload)))
    .map((g): WorkloadEnergyInput => {
      const joules = g.pods.reduce((sum, p) => sum + p.joules, 0);
      const hourly = mergeHourly(...g.pods.map((p) => p.hourly));
      const flags = [...new Set([...latest.dataQuality, ...g.pods.flatMap((p) => p.flags)])].sort();
      return {
        workload: g.workload,
        namespace: g.namespace,
        kind: options.kind ?? mostCommon(g.kinds),
        pods: g.pods.length,
        hourly,
        power_watts: seconds > 0 ? joules / seconds : 0,
        zonesCounted: latest.countedZones,
        energySource: `${latest.energySource}; ${series.basis}`,
        dataQuality: flags,
      };
    });
  return {
    inputs,
    window: { start: iso(series.startMs), end: iso(series.endMs) },
    basis: series.basis,
  };
}
