// The status of an evaluated policy, built from one reconcile's collected data and the freshest stored
// status: history merged, engine inputs built and evaluated, workloads ranked and bounded, conditions
// set, the month's emissions ledger and carbon budget advanced; then, once the schedule actions are
// known, the adopted changes verified. Pure but for the evaluator (the carbon engine): a 409 on the
// write rebuilds it from the re-read policy.
import type {
  ActionsStatus,
  CarbonCompliancePolicy,
  CarbonCompliancePolicySpec,
  CarbonCompliancePolicyStatus,
} from '../api/v1alpha1/types.js';
import { decomposeEmissionsChange, lastTwoCompleteMonths } from '../engine/emissions-change.js';
import { advanceLedger, carbonBudgetStatus, kstMonth } from '../engine/emissions-ledger.js';
import type { CarbonBudgetStatus } from '../domain/types.js';
import type { MetricsCollection, MetricsSource } from '../sources/metrics-source.js';
import { adoptedChanges, verifiedSavingsStatus } from './adopted-changes.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';
import { seriesToStatus, type HistoryWindow } from './energy-history.js';
import type { UsageResult } from './policy-collection.js';
import { evaluatedConditions } from './policy-conditions.js';
import type { Evaluation, PolicyEvaluator } from './policy-evaluator.js';
import { boundWorkloads, rankAssessments } from './status-builder.js';
import { mergeHistory, workloadInputs, type WorkloadSeries } from './workload-energy-inputs.js';
import type { Workload } from './workload-grouping.js';

/** What one reconcile collected, the same for every write attempt. */
export interface EvaluationContext {
  namespace: string;
  spec: CarbonCompliancePolicySpec;
  now: Date;
  window: HistoryWindow;
  selectedPods: number;
  workloads: Workload[];
  collection: MetricsCollection;
  source: MetricsSource;
  usage: UsageResult;
  /** CronJob name → spec.schedule, when the operator reads CronJobs. */
  schedules: Map<string, string>;
  evaluator: PolicyEvaluator;
  /** JSON bytes allowed for status.workloads. */
  workloadsByteBudget: number;
  /** History values kept in status (workloads × hours). */
  maxHistoryCells: number;
}

export interface EvaluatedStatus {
  status: CarbonCompliancePolicyStatus;
  evaluation: Evaluation;
  /** Hourly active kWh per workload over the window (the verified savings' measured energy). */
  series: WorkloadSeries;
  /** Budget thresholds reached in this evaluation and not announced before this month. */
  budgetReached: number[];
}

const trimIso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The evaluated status over `current`'s stored history, ledger and conditions. */
export function buildEvaluatedStatus(
  current: CarbonCompliancePolicy,
  context: EvaluationContext,
): EvaluatedStatus {
  const { namespace, spec, now, window, workloads, collection, usage, schedules } = context;
  const previous = current.status;
  const { series, idleSeries, estimatedSeries, observed, podReadings } = mergeHistory(
    previous?.energyHistory,
    workloads,
    collection,
    window,
    now,
  );
  const inputs = workloadInputs(namespace, workloads, series, window, collection, {
    idleSeries,
    usage,
    schedules,
    estimatedSeries,
    podReadings,
    ...(observed ? { observedHours: observed.hours } : {}),
  });
  const evaluation = context.evaluator.evaluate({
    namespace,
    spec,
    inputs,
    // Hour-aligned: the window is the hourly buckets it covers, so an evaluation in the same
    // hour over the same energy yields the same status (and no write).
    window: {
      start: isoSeconds(window.startMs),
      end: isoSeconds(window.startMs + window.hours * HOUR_MS),
      hours: window.hours,
    },
    now,
  });
  const ranked = rankAssessments(evaluation.assessments);
  const { listed, omitted } = boundWorkloads(ranked, spec.maxWorkloadsInStatus, context.workloadsByteBudget);
  const conditions = evaluatedConditions({
    previous: previous?.conditions,
    generation: current.metadata.generation,
    standard: spec.standard,
    selectedPods: context.selectedPods,
    workloads,
    collection,
    source: context.source,
    usage,
    evaluation,
    now,
  });
  // The month's emissions, counted hour by hour from the engine's hourly figures; the budget and the
  // month-over-month change read them. Thresholds announced this month are kept in status, so a
  // restarted operator announces none twice.
  const ledger = evaluation.hours
    ? advanceLedger(previous?.emissionsLedger, evaluation.hours, now.getTime())
    : previous?.emissionsLedger;
  let budget: CarbonBudgetStatus | undefined;
  let budgetReached: number[] = [];
  if (spec.budget && ledger) {
    const before = previous?.budget;
    const result = carbonBudgetStatus(
      ledger,
      spec.budget.kgCO2eqPerMonth,
      now.getTime(),
      before ? { month: before.month, thresholds: before.thresholdsNotified } : undefined,
    );
    budget = result.status;
    budgetReached = result.newlyReached;
  }
  const lastTwo = ledger ? lastTwoCompleteMonths(ledger.months, kstMonth(now.getTime())) : null;
  const status: CarbonCompliancePolicyStatus = {
    observedGeneration: current.metadata.generation,
    conditions,
    lastEvaluationTime: trimIso(now),
    summary: {
      ...evaluation.summary,
      ...(ledger
        ? { emissionsChange: lastTwo ? decomposeEmissionsChange(lastTwo[0], lastTwo[1]) : null }
        : {}),
    },
    workloads: listed,
    workloadsOmitted: omitted,
    energyHistory: seriesToStatus(series, window, context.maxHistoryCells, {
      idle: idleSeries,
      estimated: estimatedSeries,
      ...(observed ? { observedSinceMs: observed.sinceMs } : {}),
    }),
    ...(ledger ? { emissionsLedger: ledger } : {}),
    ...(budget ? { budget } : {}),
  };
  return { status, evaluation, series, budgetReached };
}

/**
 * Puts the schedule actions' outcome into the built status, and the adopted changes (detected against
 * the freshest stored status) with their verified savings over its history.
 */
export function completeWithActions(
  built: EvaluatedStatus,
  current: CarbonCompliancePolicy,
  actions: ActionsStatus,
  context: Pick<EvaluationContext, 'spec' | 'now' | 'window'>,
): void {
  const { spec, now, window } = context;
  built.status.actions = actions;
  const profile = built.evaluation.gridProfile;
  const verified = profile
    ? verifiedSavingsStatus({
        changes: adoptedChanges({
          previous: current.status,
          actions,
          pue: built.evaluation.summary.pue,
          pueAssumed: built.evaluation.summary.pueAssumed ?? false,
          zone: built.evaluation.summary.zone,
          now,
        }),
        series: built.series,
        window,
        profile,
        ...(built.evaluation.gridProfileOf ? { profileOf: built.evaluation.gridProfileOf } : {}),
        pue: built.evaluation.summary.pue,
        now,
        limit: spec.maxWorkloadsInStatus,
      })
    : undefined;
  if (verified && verified.length > 0) built.status.verifiedSavings = verified;
}
