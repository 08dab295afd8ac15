// The carbon engine's inputs for one policy: each workload's hourly energy (fresh readings merged into
// the history kept in status), its idle share and estimated part, its CPU/memory requests and p95 usage,
// and for Jobs and CronJobs the run length and schedule. Pure: no I/O, no clock.
import type { CarbonCompliancePolicyStatus } from '../api/v1alpha1/types.js';
import type { HourlyEnergy, WorkloadEnergyInput } from '../domain/types.js';
import type { CollectedPodEnergy, MetricsCollection } from '../sources/metrics-source.js';
import { MIN_USAGE_SAMPLES } from '../sources/usage-percentile.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';
import {
  mergeReadings,
  observedHours,
  seriesFromStatus,
  type FreshSeries,
  type HistoryWindow,
} from './energy-history.js';
import type { UsageResult } from './policy-collection.js';
import { significantKWh } from './status-builder.js';
import type { Workload } from './workload-grouping.js';

/** Hourly kWh per workload key over the window, one value or null per hour. */
export type WorkloadSeries = Map<string, Array<number | null>>;

export interface PolicyHistory {
  /** Active energy. */
  series: WorkloadSeries;
  idleSeries: WorkloadSeries;
  /** The estimated part of each hour (CCF model), kept beside kWh so that a restart keeps the split. */
  estimatedSeries: WorkloadSeries;
  observed: ReturnType<typeof observedHours>;
  /** Per workload key, its pods' collected energy (undefined: the source has none for the pod), looked up
   * once per reconcile. */
  podReadings: PodReadings;
}

/** Per workload key, the collected energy of each of its pods, in pod order. */
type PodReadings = Map<string, Array<CollectedPodEnergy | undefined>>;

/** The history stored in status merged with the fresh readings, per workload. */
export function mergeHistory(
  stored: CarbonCompliancePolicyStatus['energyHistory'],
  workloads: Workload[],
  collection: MetricsCollection,
  window: HistoryWindow,
  now: Date,
): PolicyHistory {
  const podReadings: PodReadings = new Map();
  const fresh = perWorkloadReadings(workloads, collection, window, podReadings);
  const series = mergeReadings(seriesFromStatus(stored, window), fresh.energy_kWh, window);
  const idleSeries = mergeReadings(seriesFromStatus(stored, window, 'idleKWh'), fresh.idleShare_kWh, window);
  const estimatedSeries = mergeReadings(
    seriesFromStatus(stored, window, 'estimatedKWh'),
    fresh.estimated_kWh,
    window,
  );
  const observed = observedHours(window, now.getTime(), [
    collection.observedSinceMs,
    stored?.observedSince ? Date.parse(stored.observedSince) : undefined,
  ]);
  return { series, idleSeries, estimatedSeries, observed, podReadings };
}

const FIELDS = ['energy_kWh', 'idleShare_kWh', 'estimated_kWh'] as const;

/**
 * Sums pods' hourly active energy, idle share and estimated part per workload key, onto the window's
 * hours. Per hour the pods' values are summed (in pod order); a sum that is negative or not finite is
 * dropped, and hours outside the window are not counted. A workload gets a series for a field only if
 * one of its hours has a value. The pods' hours are typed arrays (PodHours), so per pod-hour the work is
 * three additions.
 */
function perWorkloadReadings(
  workloads: Workload[],
  collection: MetricsCollection,
  window: HistoryWindow,
  podReadings: PodReadings,
): Record<(typeof FIELDS)[number], FreshSeries> {
  const out = { energy_kWh: new Map(), idleShare_kWh: new Map(), estimated_kWh: new Map() };
  // Per window hour, the workload's three sums, and which of them have a value (bits 1, 2, 4).
  const sums = [0, 1, 2].map(() => new Float64Array(window.hours));
  const present = new Uint8Array(window.hours);
  for (const workload of workloads) {
    const readings = workload.pods.map((p) =>
      collection.pods.get(`${p.metadata.namespace}/${p.metadata.name}`),
    );
    podReadings.set(workload.key, readings);
    let any = false;
    for (const reading of readings) {
      if (!reading) continue;
      const hours = reading.hours;
      const offset = Math.round((hours.firstHourMs - window.startMs) / HOUR_MS);
      const from = Math.max(0, -offset);
      const to = Math.min(hours.energy_kWh.length, window.hours - offset);
      const parts = [hours.energy_kWh, hours.idleShare_kWh, hours.estimated_kWh];
      for (let f = 0; f < 3; f++) {
        const values = parts[f];
        if (!values) continue;
        const sum = sums[f]!;
        const bit = 1 << f;
        for (let i = from; i < to; i++) {
          const v = values[i]!;
          // A part counts only in an hour with an energy figure.
          if (Number.isNaN(v) || Number.isNaN(hours.energy_kWh[i]!)) continue;
          const at = i + offset;
          sum[at] = (present[at]! & bit ? sum[at]! : 0) + v;
          present[at] = present[at]! | bit;
          any = true;
        }
      }
    }
    if (!any) continue;
    FIELDS.forEach((field, f) => {
      let values: Float64Array | undefined;
      const bit = 1 << f;
      for (let at = 0; at < window.hours; at++) {
        const sum = sums[f]![at]!;
        if (!(present[at]! & bit) || !Number.isFinite(sum) || sum < 0) continue;
        values ??= new Float64Array(window.hours).fill(Number.NaN);
        values[at] = sum;
      }
      if (values) out[field].set(workload.key, values);
    });
    present.fill(0);
  }
  return out;
}

const kinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet']);

/** Engine inputs for every workload with pods now or energy in the window (a CronJob between runs). */
export function workloadInputs(
  namespace: string,
  workloads: Workload[],
  series: Map<string, Array<number | null>>,
  window: HistoryWindow,
  collection: MetricsCollection,
  extra: {
    idleSeries: Map<string, Array<number | null>>;
    usage: UsageResult;
    estimatedSeries: Map<string, Array<number | null>>;
    observedHours?: number;
    /** CronJob name → spec.schedule, when the operator reads CronJobs. */
    schedules: Map<string, string>;
    podReadings: PodReadings;
  },
): WorkloadEnergyInput[] {
  const byKey = new Map(workloads.map((w) => [w.key, w]));
  const keys = new Set([...byKey.keys(), ...series.keys()]);
  // The window's hour stamps, formatted once and shared by every workload (not once per workload-hour).
  const hourIsos = Array.from({ length: window.hours }, (_, i) => isoSeconds(window.startMs + i * HOUR_MS));
  const inputs: WorkloadEnergyInput[] = [];
  for (const key of [...keys].sort()) {
    const workload = byKey.get(key);
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    if (!kinds.has(kind)) continue;
    const values = series.get(key) ?? [];
    const idleValues = extra.idleSeries.get(key);
    const estimatedValues = extra.estimatedSeries.get(key);
    const readings = (workload && extra.podReadings.get(key)) ?? [];
    // The idle share is reported only where every pod with energy has one (never part-guessed).
    const idleMissing =
      readings.find((r) => r?.idleShareUnavailable !== undefined)?.idleShareUnavailable ??
      (collection.idleShareProvenance === undefined
        ? 'the metrics source gives no idle figure (see the energy source)'
        : undefined);
    const withIdle = idleMissing === undefined && idleValues !== undefined;
    const hourly: HourlyEnergy[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      const bucket: HourlyEnergy = { hourStart: hourIsos[i]!, energy_kWh: v };
      const idle = withIdle ? idleValues[i] : null;
      if (idle !== null && idle !== undefined) bucket.idleShare_kWh = idle;
      // The estimated part never exceeds the hour's energy (each series keeps its own per-hour maximum).
      const estimated = Math.min(v, estimatedValues?.[i] ?? 0);
      if (estimated > 0) bucket.estimated_kWh = estimated;
      hourly.push(bucket);
    }
    const estimatedKWh = hourly.reduce((s, h) => s + (h.estimated_kWh ?? 0), 0);
    const estimateProvenance =
      estimatedKWh > 0 ? (collection.estimate?.provenance ?? ESTIMATE_FROM_HISTORY) : undefined;
    const livePower = readings.reduce<number | undefined>(
      (sum, r) => (r?.power_watts === undefined ? sum : (sum ?? 0) + r.power_watts),
      undefined,
    );
    const energy = hourly.reduce((s, h) => s + h.energy_kWh, 0);
    const input: WorkloadEnergyInput = {
      workload: key.slice(slash + 1),
      namespace,
      kind: kind as WorkloadEnergyInput['kind'],
      pods: workload?.pods.length ?? 0,
      hourly,
      // Mean power over the hours with data when the source has no live figure.
      power_watts: livePower ?? (hourly.length > 0 ? (energy * 1000) / hourly.length : 0),
      zonesCounted: collection.zonesCounted,
      // Estimated energy is named in the workload's energy source, never passed off as measured.
      energySource:
        estimateProvenance === undefined
          ? collection.energyProvenance
          : estimatedKWh >= energy * (1 - 1e-9)
            ? estimateProvenance
            : `${collection.energyProvenance}; part estimated (${significantKWh(estimatedKWh)} of ${significantKWh(energy)} kWh): ${estimateProvenance}`,
      dataQuality:
        estimateProvenance === undefined
          ? collection.dataQuality
          : [...collection.dataQuality, 'ccf-estimated'],
      ...(estimateProvenance !== undefined ? { estimateSource: estimateProvenance } : {}),
      idleShare: withIdle
        ? {
            available: true,
            source: collection.idleShareProvenance!,
            // Latest idle-share watts where the source has them, else the mean over the hours with data.
            power_watts:
              readings.reduce<number | undefined>(
                (sum, r) => (r?.idleShare_watts === undefined ? sum : (sum ?? 0) + r.idleShare_watts),
                undefined,
              ) ??
              (hourly.length > 0
                ? (hourly.reduce((s, h) => s + (h.idleShare_kWh ?? 0), 0) * 1000) / hourly.length
                : 0),
          }
        : {
            available: false,
            reason: idleMissing ?? 'no idle-share history for this workload yet',
          },
      ...(extra.observedHours !== undefined && extra.observedHours > 0
        ? { observed_hours: extra.observedHours }
        : {}),
    };
    const usage = workloadUsage(workload, extra.usage);
    if (usage.usage) input.usage = usage.usage;
    if (usage.unavailable) input.usageUnavailable = usage.unavailable;
    if (kind === 'Job' || kind === 'CronJob') {
      const run = latestRunHours(values);
      if (run > 0) input.runLength_hours = run;
    }
    const schedule = kind === 'CronJob' ? extra.schedules.get(input.workload) : undefined;
    if (schedule !== undefined) input.cronSchedule = schedule;
    inputs.push(input);
  }
  return inputs;
}

/**
 * The workload's requests and p95 usage, all pods summed (the engine divides by pods). A p95 is given
 * only when every current pod has one; otherwise `unavailable` says why right-sizing is not assessed.
 */
function workloadUsage(
  workload: Workload | undefined,
  usage: UsageResult,
): { usage?: WorkloadEnergyInput['usage']; unavailable?: string } {
  if (!workload || workload.pods.length === 0)
    return { unavailable: 'the workload has no pods now (nothing to resize)' };
  const sum = (values: Array<number | null | undefined>) =>
    values.some((v) => v === undefined || v === null)
      ? undefined
      : values.reduce<number>((s, v) => s + v!, 0);
  const names = workload.pods[0]!.spec.containerNames;
  const sameContainers = workload.pods.every((p) => sameNames(p.spec.containerNames, names));
  const requests = {
    cpuRequest_cores: sum(workload.pods.map((p) => p.spec.cpuRequest_cores)),
    memoryRequest_bytes: sum(workload.pods.map((p) => p.spec.memoryRequest_bytes)),
    ...(sameContainers && names ? { containerNames: names } : {}),
  };
  let p95: Partial<NonNullable<WorkloadEnergyInput['usage']>> = {};
  let unavailable: string | undefined;
  if ('unavailable' in usage) unavailable = usage.unavailable.message;
  else {
    const readings = workload.pods.map((p) =>
      usage.collection.pods.get(`${p.metadata.namespace}/${p.metadata.name}`),
    );
    const missing = readings.filter((r) => r === undefined).length;
    if (missing > 0) {
      unavailable = `${missing} of ${readings.length} pods have no usage samples in the window from ${usage.description} yet`;
    } else {
      const samples = Math.min(...readings.map((r) => Math.min(r!.cpuSamples, r!.memorySamples)));
      const cpu = sum(readings.map((r) => r!.cpuP95_cores));
      const memory = sum(readings.map((r) => r!.memoryP95_bytes));
      if (cpu === undefined && memory === undefined)
        unavailable = `only ${samples} usage samples in the window from ${usage.description} (a p95 needs ${MIN_USAGE_SAMPLES})`;
      else
        p95 = {
          ...(cpu !== undefined ? { cpuP95_cores: cpu } : {}),
          ...(memory !== undefined ? { memoryP95_bytes: memory } : {}),
          samples,
          source: usage.collection.provenance,
        };
    }
  }
  const all = { ...requests, ...p95 };
  const defined = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  return {
    ...(Object.keys(defined).length > 0 ? { usage: defined as WorkloadEnergyInput['usage'] } : {}),
    ...(unavailable ? { unavailable } : {}),
  };
}

function sameNames(a: string[] | undefined, b: string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((name, i) => name === b[i]);
}

/** Length in hours of the last contiguous run of hours with energy. */
function latestRunHours(values: Array<number | null>): number {
  let run = 0;
  for (let i = values.length - 1; i >= 0; i--) {
    if (values[i] !== null && values[i]! > 0) run += 1;
    else if (run > 0) break;
  }
  return run;
}

/** Workloads whose history holds estimated hours although the fallback is now off. */
const ESTIMATE_FROM_HISTORY =
  'estimated: CCF (hours estimated while --estimate-unmeasured-power was on, kept in status.energyHistory)';
