// Kepler snapshots → the engine's per-workload input. With two or more snapshots the energy is the
// joule counters' increase between consecutive scrapes (resets handled by the integrator). With one
// snapshot the counters cannot be used: a pod's counter starts when Kepler first saw the pod, which the
// scrape does not say, so energy since an unknown start is no energy over a known window. One snapshot
// therefore uses the instantaneous watts gauges (Kepler 0.10+), held for one hour before the scrape,
// and the energy source says so. Kepler 0.7 exposes no watts: one 0.7 snapshot has no energy data.
import {
  allocateNodeIdle,
  allocateNodeIdleWatts,
  CounterIntegrator,
  distributeToHours,
  mergeHourly,
  nodeReadings,
  podReadings,
  type EnergyReadingLike,
} from '../kepler/energy-integrator.js';
import { totalWatts, type KeplerSnapshot, type PodEnergyReading } from '../kepler/kepler-metrics.js';
import type { HourlyEnergy, WorkloadEnergyInput, WorkloadKind } from '../domain/types.js';
import { CliInputError, type LoadedSnapshot } from './metrics-snapshots.js';
import { ownerOfPodName, podBelongsTo } from './workload-names.js';
import { HOUR_MS } from '../domain/time.js';

/** How long one snapshot's watts are assumed to have held (stated in the energy source). */
const SINGLE_SNAPSHOT_ASSUMED_HOURS = 1;

export type Selection =
  { all: true; namespace?: string } | { all: false; workload: string; namespace: string };

/** What the cluster says about pods (with --kubeconfig): names for UIDs, and each pod's top owner. */
export interface ClusterPods {
  byUid: Map<string, { namespace: string; name: string }>;
  /** Key `namespace/name`. */
  ownerOf: Map<string, { kind: WorkloadKind; workload: string }>;
}

export interface WorkloadInputs {
  inputs: WorkloadEnergyInput[];
  window: { start: string; end: string };
  /** How the energy was obtained, for the report. */
  basis: string;
  /** Pods Kepler named only by UID (container-level series) that could not be named: not assessed. */
  unnamedPodUids: string[];
}

interface PodEnergy {
  reading: PodEnergyReading;
  namespace: string;
  name: string;
  hourly: HourlyEnergy[];
  joules: number;
  /** Idle share over the same time, or undefined when none exists for this pod. */
  idleJoules: number | undefined;
  seconds: number;
  flags: string[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function newPodEnergy(reading: PodEnergyReading): PodEnergy {
  return {
    reading,
    namespace: reading.namespace,
    name: reading.name,
    hourly: [],
    joules: 0,
    idleJoules: 0,
    seconds: 0,
    flags: [...reading.dataQuality],
  };
}

function fromOneSnapshot(loaded: LoadedSnapshot): {
  pods: PodEnergy[];
  startMs: number;
  endMs: number;
  basis: string;
  idleText: string;
} {
  const s = loaded.snapshot;
  const endMs = s.scrapedAtMs;
  const startMs = endMs - SINGLE_SNAPSHOT_ASSUMED_HOURS * HOUR_MS;
  const seconds = SINGLE_SNAPSHOT_ASSUMED_HOURS * 3600;
  const activeWatts = (r: PodEnergyReading) =>
    Object.keys(r.wattsByZone).length > 0 && !r.terminated ? totalWatts(r) : undefined;
  // 0.10+: the node's idle watts split over its pods by active watts (0.7 has no gauges at all).
  const idleWatts =
    s.idleShare.method === 'node-idle-allocation'
      ? allocateNodeIdleWatts(
          [...s.pods.values()].map((r) => ({ key: r.key, node: r.node, activeWatts: activeWatts(r) ?? 0 })),
          new Map(
            s.nodes
              .filter((n) => Object.keys(n.idleWattsByZone).length > 0)
              .map((n) => [n.name, totalWatts({ wattsByZone: n.idleWattsByZone })]),
          ),
        )
      : undefined;
  const pods: PodEnergy[] = [];
  for (const reading of s.pods.values()) {
    const hasWatts = Object.keys(reading.wattsByZone).length > 0;
    // A terminated pod's gauge is its last value, not power drawn in the hour before the scrape.
    const watts = activeWatts(reading);
    const flags = [...reading.dataQuality];
    if (!hasWatts) flags.push('no-watts-gauge');
    if (reading.terminated) flags.push('terminated-pod');
    const joules = watts === undefined ? 0 : watts * seconds;
    const idleW = watts === undefined ? undefined : idleWatts?.get(reading.key);
    const idleJoules = idleW === undefined ? undefined : idleW * seconds;
    pods.push({
      reading,
      namespace: reading.namespace,
      name: reading.name,
      hourly: watts === undefined ? [] : distributeToHours(startMs, endMs, joules, idleJoules),
      joules,
      idleJoules,
      seconds,
      flags,
    });
  }
  const basis =
    `single snapshot (${loaded.location}, taken ${iso(endMs)}, time from ${loaded.timeSource === 'unknown' ? '--at' : loaded.timeSource}): ` +
    `instantaneous watts assumed constant over the ${SINGLE_SNAPSHOT_ASSUMED_HOURS} h before it; counters not used (their start is unknown)`;
  const idleText =
    s.idleShare.method === 'node-idle-allocation'
      ? "allocated: node idle watts (kepler_node_cpu_idle_watts) split over the node's pods by their share of its pods' active watts"
      : s.idleShare.method === 'unavailable'
        ? s.idleShare.text
        : 'unavailable: one Kepler 0.7 snapshot has no gauges';
  return { pods, startMs, endMs, basis, idleText };
}

function fromSeries(loaded: LoadedSnapshot[]): {
  pods: PodEnergy[];
  startMs: number;
  endMs: number;
  basis: string;
  idleText: string;
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
  // One integrator over all files: a pod absent from one scrape (or NaN in it) and back later counts
  // its increase since it was last seen, once.
  const podIntegrator = new CounterIntegrator<PodEnergyReading>({ forgetAfterMs: Infinity });
  const nodeIntegrator = new CounterIntegrator<EnergyReadingLike>({ forgetAfterMs: Infinity });
  const byKey = new Map<string, PodEnergy>();
  for (const { snapshot: current } of sorted) {
    const readings = new Map<string, PodEnergyReading>(current.pods);
    let intervals = podIntegrator.next(podReadings(current));
    const nodeIntervals = nodeIntegrator.next(nodeReadings(current));
    if (current.idleShare.method === 'node-idle-allocation')
      intervals = allocateNodeIdle(intervals, (key) => readings.get(key)?.node, nodeIntervals);
    for (const interval of intervals) {
      const reading = readings.get(interval.key);
      if (!reading) continue;
      const entry = byKey.get(interval.key) ?? newPodEnergy(reading);
      entry.reading = reading;
      entry.hourly = mergeHourly(
        entry.hourly,
        distributeToHours(interval.fromMs, interval.toMs, interval.joules, interval.idleJoules),
      );
      entry.joules += interval.joules;
      entry.idleJoules =
        entry.idleJoules === undefined || interval.idleJoules === undefined
          ? undefined
          : entry.idleJoules + interval.idleJoules;
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
  const last = sorted[sorted.length - 1]!.snapshot.idleShare;
  return { pods: [...byKey.values()], startMs, endMs, basis, idleText: last.text };
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
  options: { kind?: WorkloadKind; cluster?: ClusterPods } = {},
): WorkloadInputs {
  const series = loaded.length === 1 ? fromOneSnapshot(loaded[0]!) : fromSeries(loaded);
  const latest: KeplerSnapshot = loaded.reduce((a, b) =>
    b.snapshot.scrapedAtMs > a.snapshot.scrapedAtMs ? b : a,
  ).snapshot;
  // Container-level series carry only the pod UID: name them from the cluster, or leave them out.
  const unnamed = new Set<string>();
  const named: PodEnergy[] = [];
  for (const pod of series.pods) {
    if (pod.namespace && pod.name) {
      named.push(pod);
      continue;
    }
    const found = pod.reading.uid ? options.cluster?.byUid.get(pod.reading.uid) : undefined;
    if (found) named.push({ ...pod, namespace: found.namespace, name: found.name });
    else unnamed.add(pod.reading.uid ?? pod.reading.key);
  }
  const groups = new Map<
    string,
    {
      namespace: string;
      workload: string;
      kinds: WorkloadKind[];
      ambiguous: WorkloadKind[] | undefined;
      pods: PodEnergy[];
    }
  >();
  for (const pod of named) {
    const { namespace, name } = pod;
    const owner = options.cluster?.ownerOf.get(`${namespace}/${name}`);
    let workload: string;
    let kind: WorkloadKind | null;
    let ambiguous: WorkloadKind[] | undefined;
    if (selection.all) {
      if (selection.namespace && namespace !== selection.namespace) continue;
      if (owner) ({ workload, kind } = owner);
      else ({ workload, kind, ambiguous } = ownerOfPodName(name));
    } else {
      if (namespace !== selection.namespace) continue;
      if (owner) {
        if (owner.workload !== selection.workload) continue;
        kind = owner.kind;
      } else {
        kind = podBelongsTo(name, selection.workload);
        if (!kind) continue;
        const guess = ownerOfPodName(name);
        if (guess.workload === selection.workload && guess.kind === kind) ambiguous = guess.ambiguous;
      }
      workload = selection.workload;
    }
    const key = groupKey(namespace, workload);
    const group = groups.get(key) ?? { namespace, workload, kinds: [], ambiguous: undefined, pods: [] };
    group.kinds.push(kind);
    if (ambiguous) group.ambiguous = ambiguous;
    group.pods.push(pod);
    groups.set(key, group);
  }
  if (groups.size === 0) {
    const seen = [...new Set(named.map((p) => `${p.namespace}/${p.name}`))].sort();
    const what = selection.all
      ? `no pods${selection.namespace ? ` in namespace ${selection.namespace}` : ''}`
      : `no pod of workload '${selection.workload}' in namespace '${selection.namespace}'`;
    throw new CliInputError(
      `--workload/--namespace: ${what} in the metrics (pods seen: ${seen.slice(0, 20).join(', ') || 'none'}${seen.length > 20 ? `, … ${seen.length - 20} more` : ''})` +
        (unnamed.size > 0 ? `; ${unnamedMessage([...unnamed])}` : ''),
    );
  }
  const seconds = (series.endMs - series.startMs) / 1000;
  const inputs = [...groups.values()]
    .sort((a, b) => groupKey(a.namespace, a.workload).localeCompare(groupKey(b.namespace, b.workload)))
    .map((g): WorkloadEnergyInput => {
      const joules = g.pods.reduce((sum, p) => sum + p.joules, 0);
      const hourly = mergeHourly(...g.pods.map((p) => p.hourly));
      const flags = [...new Set([...latest.dataQuality, ...g.pods.flatMap((p) => p.flags)])].sort();
      // The idle share only where every pod with energy has one (never part-guessed).
      const idleMissing =
        series.idleText.startsWith('unavailable') ||
        g.pods.some((p) => p.joules > 0 && p.idleJoules === undefined);
      const idleJoules = g.pods.reduce((sum, p) => sum + (p.idleJoules ?? 0), 0);
      const kind = options.kind ?? mostCommon(g.kinds);
      return {
        workload: g.workload,
        namespace: g.namespace,
        kind,
        ...(!options.kind && g.ambiguous ? { kindAmbiguous: g.ambiguous } : {}),
        pods: g.pods.length,
        hourly: idleMissing ? hourly.map(({ idleShare_kWh: _i, ...h }) => h) : hourly,
        power_watts: seconds > 0 ? joules / seconds : 0,
        idleShare: idleMissing
          ? {
              available: false,
              reason: series.idleText.startsWith('unavailable: ')
                ? series.idleText.slice('unavailable: '.length)
                : 'a pod of this workload runs on a node without idle figures in the scrape',
            }
          : {
              available: true,
              source: series.idleText,
              power_watts: seconds > 0 ? idleJoules / seconds : 0,
            },
        // The hours the snapshots span are the hours observed.
        ...(seconds > 0 ? { observed_hours: seconds / 3600 } : {}),
        zonesCounted: latest.countedZones,
        energySource: `${latest.energySource}; ${series.basis}`,
        dataQuality: flags,
        usageUnavailable:
          'carbon-kepler reads Kepler scrapes, which carry no CPU or memory usage: right-sizing is assessed by the operator with a usage source (docs/methodology.md § 7.1)',
      };
    });
  return {
    inputs,
    window: { start: iso(series.startMs), end: iso(series.endMs) },
    basis: series.basis,
    unnamedPodUids: [...unnamed].sort(),
  };
}

/** What the user is told about pods Kepler named only by UID. */
export function unnamedMessage(uids: string[]): string {
  return (
    `${uids.length} pod(s) appear only in Kepler's container-level series, which carry the pod UID but no pod name ` +
    `(${uids.slice(0, 5).join(', ')}${uids.length > 5 ? ', …' : ''}): their energy is not assessed; ` +
    'give --kubeconfig to name them from the cluster, or enable pod-level metrics in Kepler (--metrics=pod)'
  );
}
