// The conditions of an evaluated policy, each from what the evaluation saw: Ready, MetricsAvailable,
// Compliant, UsageAvailable, PUEKnown, and where they apply EnergyEstimated, GridDataLive and
// StandardsCatalogue. Pure: `now` only stamps a changed condition's lastTransitionTime.
import { pueAssumedMessage } from '../binding/pue-assumed.js';
import type { Condition } from '../api/v1alpha1/types.js';
import type { EnergyEstimateReport, MetricsCollection, MetricsSource } from '../sources/metrics-source.js';
import { hoursWithEnergy } from '../sources/pod-hours.js';
import { MIN_USAGE_SAMPLES } from '../sources/usage-percentile.js';
import type { UsageResult } from './policy-collection.js';
import type { Evaluation } from './policy-evaluator.js';
import { removeCondition, setCondition, significantKWh } from './status-builder.js';
import type { Workload } from './workload-grouping.js';

export interface EvaluatedConditionsInput {
  /** The stored conditions (their transition times are kept where the status did not change). */
  previous: Condition[] | undefined;
  generation: number | undefined;
  /** spec.standard */
  standard: string;
  selectedPods: number;
  workloads: Workload[];
  collection: MetricsCollection;
  source: MetricsSource;
  usage: UsageResult;
  evaluation: Evaluation;
  now: Date;
}

/** Every condition of a policy that was evaluated, in the order status lists them. */
export function evaluatedConditions(input: EvaluatedConditionsInput): Condition[] {
  const {
    previous,
    generation,
    standard,
    selectedPods,
    workloads,
    collection,
    source,
    usage,
    evaluation,
    now,
  } = input;
  let conditions = setCondition(
    previous,
    {
      type: 'Ready',
      status: 'True',
      reason: 'Evaluated',
      message: `${evaluation.summary.workloads} workloads from ${selectedPods} selected pods evaluated against ${standard}`,
      observedGeneration: generation,
    },
    now,
  );
  conditions = setCondition(conditions, metricsCondition(collection, selectedPods, generation, source), now);
  conditions = setCondition(conditions, compliantCondition(evaluation, generation), now);
  conditions = setCondition(conditions, usageCondition(usage, workloads, generation), now);
  conditions = setCondition(
    conditions,
    evaluation.summary.pueAssumed
      ? {
          type: 'PUEKnown',
          status: 'False',
          reason: 'PUEAssumed',
          message: pueAssumedMessage(evaluation.summary.pue, 'spec.site.pue'),
          observedGeneration: generation,
        }
      : {
          type: 'PUEKnown',
          status: 'True',
          reason: 'PUEConfigured',
          message: `PUE ${evaluation.summary.pue}: ${evaluation.summary.pueSource}`,
          observedGeneration: generation,
        },
    now,
  );
  // Live grid data: True in use, False failing (the verdict is still computed on the fallback),
  // no condition when no live provider is configured.
  conditions = collection.estimate
    ? setCondition(conditions, energyEstimatedCondition(collection.estimate, evaluation, generation), now)
    : removeCondition(conditions, 'EnergyEstimated');
  conditions = evaluation.gridLive
    ? setCondition(
        conditions,
        { type: 'GridDataLive', ...evaluation.gridLive, observedGeneration: generation },
        now,
      )
    : removeCondition(conditions, 'GridDataLive');
  conditions =
    evaluation.catalogueError === undefined
      ? removeCondition(conditions, 'StandardsCatalogue')
      : setCondition(
          conditions,
          evaluation.catalogueError
            ? {
                type: 'StandardsCatalogue',
                status: 'False',
                reason: evaluation.catalogueError.reason,
                message: evaluation.catalogueError.message,
                observedGeneration: generation,
              }
            : {
                type: 'StandardsCatalogue',
                status: 'True',
                reason: 'Loaded',
                message: 'the standards file in force is the one mounted',
                observedGeneration: generation,
              },
          now,
        );
  return conditions;
}

/** UsageAvailable: whether right-sizing could be assessed, from which source, on how many samples. */
function usageCondition(
  usage: UsageResult,
  workloads: Workload[],
  generation: number | undefined,
): Omit<Condition, 'lastTransitionTime'> {
  if ('unavailable' in usage)
    return {
      type: 'UsageAvailable',
      status: 'False',
      reason: usage.unavailable.reason,
      message: `right-sizing not assessed: ${usage.unavailable.message}`,
      observedGeneration: generation,
    };
  const pods = workloads.flatMap((w) => w.pods);
  const readings = pods.flatMap((p) => {
    const r = usage.collection.pods.get(`${p.metadata.namespace}/${p.metadata.name}`);
    return r ? [r] : [];
  });
  const withP95 = readings.filter((r) => r.cpuP95_cores !== null || r.memoryP95_bytes !== null);
  const samples = readings.map((r) => Math.min(r.cpuSamples, r.memorySamples));
  const [fewest, most] = [Math.min(...samples), Math.max(...samples)];
  const range =
    samples.length === 0 ? '' : `, ${fewest === most ? fewest : `${fewest}–${most}`} samples per pod`;
  const ok = pods.length === 0 || withP95.length > 0;
  return {
    type: 'UsageAvailable',
    status: ok ? 'True' : 'False',
    reason: ok ? 'Collected' : readings.length === 0 ? 'NoUsageSamples' : 'TooFewSamples',
    message:
      `${withP95.length} of ${pods.length} selected pods have a p95 of CPU and memory usage from ${usage.description}${range}` +
      (ok ? '' : `; right-sizing not assessed (a p95 needs ${MIN_USAGE_SAMPLES} samples)`),
    observedGeneration: generation,
  };
}

function metricsCondition(
  collection: MetricsCollection,
  selectedPods: number,
  generation: number | undefined,
  source: MetricsSource,
): Omit<Condition, 'lastTransitionTime'> {
  const withData = [...collection.pods.values()].filter((r) => hoursWithEnergy(r.hours) > 0).length;
  const partial = collection.errors.length > 0;
  return {
    type: 'MetricsAvailable',
    status: 'True',
    reason: partial ? 'PartialData' : selectedPods === 0 ? 'NoPodsSelected' : 'Collected',
    message:
      `${withData} of ${selectedPods} selected pods have energy data from ${source.description}` +
      (partial
        ? `; ${collection.errors.length} target(s) failed: ${collection.errors
            .slice(0, 3)
            .map((e) => `${e.target} (${e.reason})`)
            .join(', ')}`
        : ''),
    observedGeneration: generation,
  };
}

/** EnergyEstimated: True whenever the totals include CCF estimates (never a silent mix). */
function energyEstimatedCondition(
  report: EnergyEstimateReport,
  evaluation: Evaluation,
  generation: number | undefined,
): Omit<Condition, 'lastTransitionTime'> {
  const s = evaluation.summary;
  const estimated = s.energyEstimated_kWh ?? 0;
  if (report.unavailable)
    return {
      type: 'EnergyEstimated',
      status: 'Unknown',
      reason: 'EstimateUnavailable',
      message: report.unavailable,
      observedGeneration: generation,
    };
  const nodes = report.nodes
    .slice(0, 5)
    .map((n) => `${n.node}: ${n.reason}; ${n.coefficients}`)
    .join(' | ');
  const skipped = report.notEstimated.length
    ? `; ${report.notEstimated.length} pod(s) not estimated: ${report.notEstimated
        .slice(0, 3)
        .map((p) => `${p.pod} (${p.reason})`)
        .join(', ')}`
    : '';
  const assumed = report.nodes.some((n) => n.assumed)
    ? '; coefficients assumed for a node with no instance type and no cloud providerID: label it node.kubernetes.io/instance-type or set spec.providerID'
    : '';
  if (estimated <= 0)
    return {
      type: 'EnergyEstimated',
      status: 'False',
      reason:
        report.podsEstimated > 0 || report.notEstimated.length > 0 ? 'NoEstimatedEnergyYet' : 'AllMeasured',
      message:
        `${report.podsMeasured} selected pod(s) on nodes with Kepler readings, ${report.podsEstimated} estimated` +
        (nodes ? `; nodes without readings: ${nodes}` : '') +
        skipped +
        assumed,
      observedGeneration: generation,
    };
  const total = s.energy_kWh;
  const percent = total > 0 ? Number(((estimated / total) * 100).toPrecision(3)) : 0;
  return {
    type: 'EnergyEstimated',
    status: 'True',
    reason: 'CCFEstimate',
    message:
      `${significantKWh(estimated)} of ${significantKWh(total)} kWh (${percent} %) is estimated, not measured: ` +
      `${report.podsEstimated} pod(s) on nodes without Kepler readings, ${report.podsMeasured} measured; ` +
      `CPU: ${report.cpuBasis}; nodes: ${nodes}${skipped}${assumed}; ${report.provenance}`,
    observedGeneration: generation,
  };
}

export function compliantCondition(
  evaluation: Evaluation,
  generation: number | undefined,
): Omit<Condition, 'lastTransitionTime'> {
  const s = evaluation.summary;
  const intensity =
    s.effectiveIntensity_gCO2eq_kWh === null
      ? 'no energy data'
      : `effective intensity ${s.effectiveIntensity_gCO2eq_kWh} gCO2e/kWh`;
  const text = `${s.nonCompliant} of ${s.workloads} workloads non-compliant; ${intensity} against a target of ${s.target_gCO2eq_kWh} gCO2e/kWh; PUE ${s.pue} (${s.pueSource})`;
  if (s.status === 'COMPLIANT')
    return {
      type: 'Compliant',
      status: 'True',
      reason: 'Compliant',
      message: text,
      observedGeneration: generation,
    };
  if (s.status === 'NON_COMPLIANT')
    return {
      type: 'Compliant',
      status: 'False',
      reason: 'NonCompliant',
      message: text,
      observedGeneration: generation,
    };
  return {
    type: 'Compliant',
    status: 'Unknown',
    reason: 'InsufficientData',
    message: text,
    observedGeneration: generation,
  };
}
