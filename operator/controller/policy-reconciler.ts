// One reconcile of one CarbonCompliancePolicy: validate the spec, select and group pods, merge
// fresh hourly energy into the persisted history, run the engine, and write the status only when
// it changed. Failures of the metrics source keep the previous assessment and mark it stale.
import type { Logger } from 'pino';
import { pueAssumedMessage } from '../binding/pue-assumed.js';
import {
  policySpecSchema,
  type ActionsStatus,
  type CarbonCompliancePolicy,
  type CarbonCompliancePolicySpec,
  type CarbonCompliancePolicyStatus,
  type Condition,
} from '../api/v1alpha1/types.js';
import { decomposeEmissionsChange, lastTwoCompleteMonths } from '../engine/emissions-change.js';
import { advanceLedger, carbonBudgetStatus, kstMonth } from '../engine/emissions-ledger.js';
import type { CarbonBudgetStatus, WorkloadAssessment, WorkloadEnergyInput } from '../engine/types.js';
import { adoptedChanges, verifiedSavingsStatus } from './adopted-changes.js';
import {
  decideCronJobAction,
  SHIFTED_BY_ANNOTATION,
  type CronJobObject,
  type CronJobScheduleActions,
  type ScheduleAdvice,
} from './cronjob-schedule-actions.js';
import { parseDurationMs } from '../kube/duration.js';
import {
  HOUR_MS,
  hourIso,
  mergeReadings,
  seriesFromStatus,
  seriesToStatus,
  windowEndingAt,
  type HistoryWindow,
  observedHours,
} from './energy-history.js';
import type { EventRecorder } from '../kube/event-recorder.js';
import { isForbidden } from '../kube/kube-rest-client.js';
import {
  conditionReason,
  MetricsUnavailableError,
  type EnergyEstimateReport,
  type MetricsCollection,
  type MetricsSource,
  type PodRef,
} from '../sources/metrics-source.js';
import type { OperatorMetrics } from './operator-metrics.js';
import { PolicyConfigurationError, type Evaluation, type PolicyEvaluator } from './policy-evaluator.js';
import type { PodView } from '../kube/pod-view.js';
import {
  boundWorkloads,
  getCondition,
  removeCondition,
  rankAssessments,
  setCondition,
  statusChanged,
} from './status-builder.js';
import { writeStatusWithRetry, type PolicyStore } from './status-writer.js';
import { MIN_USAGE_SAMPLES } from '../sources/usage-percentile.js';
import { UsageUnavailableError, type UsageCollection, type UsageSource } from '../sources/usage-source.js';
import type { WorkResult } from '../kube/work-queue.js';
import { groupByWorkload, selectPods, type OwnerLookup, type Workload } from './workload-grouping.js';

export interface ReconcilerOptions {
  /** History values kept in status (workloads × hours). 6,000 cells ≈ 50 KiB of JSON. */
  maxHistoryCells: number;
  /** JSON bytes allowed for status.workloads. */
  workloadsByteBudget: number;
  /** Longest window kept hourly (the engine still sees the policy's window). */
  maxWindowHours: number;
  /** Shortest re-evaluation interval honoured, whatever spec.interval says. */
  minIntervalMs: number;
  /** Write status at least this often even when nothing changed, so readers can tell it is live. */
  heartbeatMs: number;
  collectTimeoutMs: number;
}

const defaultReconcilerOptions: ReconcilerOptions = {
  maxHistoryCells: 6_000,
  workloadsByteBudget: 150 * 1024,
  maxWindowHours: 31 * 24,
  minIntervalMs: 5_000,
  heartbeatMs: 30 * 60_000,
  collectTimeoutMs: 30_000,
};

export interface ReconcilerDeps {
  policies: { get(namespace: string, name: string): CarbonCompliancePolicy | undefined };
  pods: {
    list(namespace: string): PodView[];
    /** An informer that has not listed yet must not be read as "no pods". */
    hasSynced?(): boolean;
    lastError?: Error;
  };
  owners: OwnerLookup;
  source: MetricsSource;
  /** CPU and memory usage for right-sizing; absent: no usage source (UsageAvailable=False says so). */
  usage?: UsageSource;
  evaluator: PolicyEvaluator;
  store: PolicyStore;
  events?: EventRecorder;
  metrics?: OperatorMetrics;
  /** CronJob schedule actions (spec.actions); absent: disabled in the operator (Apply acts as Recommend). */
  cronJobs?: CronJobScheduleActions;
  logger: Logger;
  clock?: () => Date;
  options?: Partial<ReconcilerOptions>;
}

export interface ReconcileOutcome {
  result: 'invalid-spec' | 'configuration-error' | 'evaluated' | 'metrics-unavailable' | 'deleted';
  written: boolean;
  conflicts: number;
  statusBytes?: number;
}

/** Thrown after a stale status was written, so the work queue retries with backoff. */
export class ReconcileRetryError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReconcileRetryError';
  }
}

const trimIso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class PolicyReconciler {
  private readonly options: ReconcilerOptions;
  private readonly clock: () => Date;
  /** Outcome of the last reconcile per key (tests, the benchmark). */
  readonly lastOutcome = new Map<string, ReconcileOutcome>();

  constructor(private readonly deps: ReconcilerDeps) {
    this.options = { ...defaultReconcilerOptions, ...deps.options };
    this.clock = deps.clock ?? (() => new Date());
  }

  /** The work queue's handler: key = namespace/name. */
  async handle(key: string): Promise<WorkResult | void> {
    const [namespace, name] = splitKey(key);
    const log = this.deps.logger.child({ namespace, name });
    const started = performance.now();
    try {
      const outcome = await this.reconcile(namespace, name, log);
      this.lastOutcome.set(key, outcome);
      this.deps.metrics?.reconciled(namespace, name, outcome.result, (performance.now() - started) / 1000);
      if (outcome.result === 'deleted') {
        this.deps.metrics?.forgetPolicy(namespace, name);
        await this.restoreAfterDeletion(namespace, log);
        return;
      }
      const policy = this.deps.policies.get(namespace, name);
      if (outcome.result === 'invalid-spec' || outcome.result === 'configuration-error' || !policy) return;
      return { requeueAfterMs: this.intervalMs(policy.spec) };
    } catch (error) {
      const reason =
        error instanceof ReconcileRetryError
          ? error.reason
          : isForbidden(error)
            ? 'Forbidden'
            : 'ReconcileError';
      this.deps.metrics?.reconcileFailed(namespace, name, reason, (performance.now() - started) / 1000);
      log.warn({ err: (error as Error).message, reason }, 'reconcile failed: will retry with backoff');
      throw error;
    }
  }

  intervalMs(spec: Partial<CarbonCompliancePolicySpec>): number {
    try {
      return Math.max(this.options.minIntervalMs, parseDurationMs(spec.interval ?? '5m'));
    } catch {
      return 5 * 60_000;
    }
  }

  async reconcile(namespace: string, name: string, log: Logger): Promise<ReconcileOutcome> {
    const policy = this.deps.policies.get(namespace, name);
    if (!policy) {
      this.deps.source.retain?.(`${namespace}/${name}`, [], 0);
      this.deps.usage?.retain?.(`${namespace}/${name}`, [], 0);
      return { result: 'deleted', written: false, conflicts: 0 };
    }
    const now = this.clock();

    const parsed = policySpecSchema.safeParse(policy.spec ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = ['spec', ...issue.path.map(String)].join('.');
      const message = `${field}: ${issue.message}`;
      log.warn({ field, reason: 'InvalidSpec' }, message);
      return this.writeFailure(policy, now, 'InvalidSpec', message, undefined);
    }
    const spec = parsed.data;

    if (this.deps.pods.hasSynced && !this.deps.pods.hasSynced()) {
      const cause = this.deps.pods.lastError;
      if (isForbidden(cause)) return this.forbidden(policy, now, cause, log);
      throw new ReconcileRetryError(
        'CacheNotSynced',
        `pods not listed yet${cause ? `: ${cause.message}` : ''}`,
      );
    }
    const selected = selectPods(this.deps.pods.list(namespace), namespace, spec.selector);
    let workloads: Workload[];
    try {
      workloads = await groupByWorkload(selected, this.deps.owners);
    } catch (error) {
      if (isForbidden(error)) return this.forbidden(policy, now, error, log);
      throw error;
    }
    const windowMs = parseDurationMs(spec.window);
    const hours = Math.min(this.options.maxWindowHours, Math.max(1, Math.ceil(windowMs / HOUR_MS)));
    const window = windowEndingAt(now, hours);

    let collection: MetricsCollection;
    try {
      collection = await this.collect(`${namespace}/${name}`, selected, window, now);
    } catch (error) {
      const reason = error instanceof MetricsUnavailableError ? conditionReason(error.reason) : 'SourceError';
      const message = `${this.deps.source.description}: ${(error as Error).message}`;
      log.warn(
        { reason, err: (error as Error).message },
        'metrics source unavailable: keeping the previous assessment',
      );
      const outcome = await this.writeStale(policy, now, reason, message);
      this.lastOutcome.set(`${namespace}/${name}`, outcome);
      throw new ReconcileRetryError(reason, message);
    }
    // Usage failing is not a metrics failure: the verdict stands, right-sizing is not assessed.
    const usage = await this.collectUsage(`${namespace}/${name}`, selected, window, now, log);

    // CronJobs (with actions enabled in the operator): their schedules make the advised cron line keep
    // their day fields, and the actions below need their annotations and managedFields.
    let cronJobs: CronJobObject[] | undefined;
    let cronJobsError: Error | undefined;
    if (this.deps.cronJobs) {
      try {
        cronJobs = await this.deps.cronJobs.list(namespace);
      } catch (error) {
        if (!isForbidden(error)) throw error;
        log.error({ reason: 'Forbidden', err: error.message }, error.message);
        cronJobsError = error;
      }
    }
    const schedules = new Map((cronJobs ?? []).map((c) => [c.metadata.name, c.spec.schedule]));

    const build = (
      current: CarbonCompliancePolicy,
    ): {
      status: CarbonCompliancePolicyStatus;
      evaluation: Evaluation;
      series: Map<string, Array<number | null>>;
    } => {
      const stored = current.status?.energyHistory;
      const series = mergeReadings(
        seriesFromStatus(stored, window),
        perWorkloadReadings(workloads, collection, 'energy_kWh'),
        window,
      );
      const idleSeries = mergeReadings(
        seriesFromStatus(stored, window, 'idleKWh'),
        perWorkloadReadings(workloads, collection, 'idleShare_kWh'),
        window,
      );
      // The estimated part of each hour (CCF model), kept beside kWh so that a restart keeps the split.
      const estimatedSeries = mergeReadings(
        seriesFromStatus(stored, window, 'estimatedKWh'),
        perWorkloadReadings(workloads, collection, 'estimated_kWh'),
        window,
      );
      const observed = observedHours(window, now.getTime(), [
        collection.observedSinceMs,
        stored?.observedSince ? Date.parse(stored.observedSince) : undefined,
      ]);
      const inputs = workloadInputs(namespace, workloads, series, window, collection, {
        idleSeries,
        usage,
        schedules,
        estimatedSeries,
        ...(observed ? { observedHours: observed.hours } : {}),
      });
      const evaluation = this.deps.evaluator.evaluate({
        namespace,
        spec,
        inputs,
        // Hour-aligned: the window is the hourly buckets it covers, so an evaluation in the same
        // hour over the same energy yields the same status (and no write).
        window: {
          start: hourIso(window.startMs),
          end: hourIso(window.startMs + window.hours * HOUR_MS),
          hours: window.hours,
        },
        now,
      });
      const ranked = rankAssessments(evaluation.assessments);
      const { listed, omitted } = boundWorkloads(
        ranked,
        spec.maxWorkloadsInStatus,
        this.options.workloadsByteBudget,
      );
      const previous = current.status;
      let conditions = setCondition(
        previous?.conditions,
        {
          type: 'Ready',
          status: 'True',
          reason: 'Evaluated',
          message: `${evaluation.summary.workloads} workloads from ${selected.length} selected pods evaluated against ${spec.standard}`,
          observedGeneration: current.metadata.generation,
        },
        now,
      );
      conditions = setCondition(
        conditions,
        metricsCondition(collection, selected.length, current.metadata.generation, this.deps.source),
        now,
      );
      conditions = setCondition(conditions, compliantCondition(evaluation, current.metadata.generation), now);
      conditions = setCondition(
        conditions,
        usageCondition(usage, workloads, current.metadata.generation),
        now,
      );
      conditions = setCondition(
        conditions,
        evaluation.summary.pueAssumed
          ? {
              type: 'PUEKnown',
              status: 'False',
              reason: 'PUEAssumed',
              message: pueAssumedMessage(evaluation.summary.pue, 'spec.site.pue'),
              observedGeneration: current.metadata.generation,
            }
          : {
              type: 'PUEKnown',
              status: 'True',
              reason: 'PUEConfigured',
              message: `PUE ${evaluation.summary.pue}: ${evaluation.summary.pueSource}`,
              observedGeneration: current.metadata.generation,
            },
        now,
      );
      // Live grid data: True in use, False failing (the verdict is still computed on the fallback),
      // no condition when no live provider is configured.
      conditions = collection.estimate
        ? setCondition(
            conditions,
            energyEstimatedCondition(collection.estimate, evaluation, current.metadata.generation),
            now,
          )
        : removeCondition(conditions, 'EnergyEstimated');
      conditions = evaluation.gridLive
        ? setCondition(
            conditions,
            { type: 'GridDataLive', ...evaluation.gridLive, observedGeneration: current.metadata.generation },
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
                    observedGeneration: current.metadata.generation,
                  }
                : {
                    type: 'StandardsCatalogue',
                    status: 'True',
                    reason: 'Loaded',
                    message: 'the standards file in force is the one mounted',
                    observedGeneration: current.metadata.generation,
                  },
              now,
            );
      // The month's emissions, counted hour by hour from the engine's hourly figures; the budget and the
      // month-over-month change read them. Thresholds announced this month are kept in status, so a
      // restarted operator announces none twice.
      const ledger = evaluation.hours
        ? advanceLedger(previous?.emissionsLedger, evaluation.hours, now.getTime())
        : previous?.emissionsLedger;
      let budget: CarbonBudgetStatus | undefined;
      budgetReached = [];
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
        energyHistory: seriesToStatus(series, window, this.options.maxHistoryCells, {
          idle: idleSeries,
          estimated: estimatedSeries,
          ...(observed ? { observedSinceMs: observed.sinceMs } : {}),
        }),
        ...(ledger ? { emissionsLedger: ledger } : {}),
        ...(budget ? { budget } : {}),
      };
      return { status, evaluation, series };
    };

    let evaluation: Evaluation | undefined;
    /** Budget thresholds reached in this evaluation and not announced before this month. */
    let budgetReached: number[] = [];
    let previousStatus = policy.status?.summary?.status;
    let status: CarbonCompliancePolicyStatus | undefined;
    try {
      // The actions need the advice first; the status then carries what they did. The first write
      // attempt reuses this evaluation (same object); a 409 re-reads and rebuilds.
      const first = build(policy);
      const actions = await this.act(
        policy,
        spec,
        first.evaluation.assessments,
        cronJobs,
        cronJobsError,
        now,
        log,
      );
      const result = await writeStatusWithRetry(this.deps.store, policy, (current) => {
        const built = current === policy ? first : build(current);
        built.status.actions = actions;
        // Changes are detected against the freshest stored status, and verified over its history.
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
        evaluation = built.evaluation;
        status = built.status;
        previousStatus = current.status?.summary?.status;
        return this.needsWrite(current.status, built.status, now) ? built.status : undefined;
      });
      if (evaluation) {
        this.deps.metrics?.policyEvaluated(namespace, name, evaluation);
        this.deps.metrics?.budgetObserved(namespace, name, status?.budget);
      }
      const catalogueError = evaluation?.catalogueError;
      if (
        result.written &&
        result.policy &&
        catalogueError &&
        getCondition(policy.status, 'StandardsCatalogue')?.message !== catalogueError.message
      ) {
        await this.deps.events?.record(
          result.policy,
          'Warning',
          'StandardsCatalogueInvalid',
          catalogueError.message,
        );
      }
      if (result.written && evaluation && previousStatus !== evaluation.summary.status && result.policy) {
        await this.deps.events?.record(
          result.policy,
          evaluation.summary.status === 'NON_COMPLIANT' ? 'Warning' : 'Normal',
          'ComplianceChanged',
          `${previousStatus ?? 'none'} → ${evaluation.summary.status}: ${compliantCondition(evaluation, undefined).message}`,
        );
      }
      if (result.written && result.policy && status?.budget)
        for (const percent of budgetReached)
          await this.deps.events?.record(
            result.policy,
            'Warning',
            percent >= 100 ? 'CarbonBudgetExceeded' : 'CarbonBudgetThreshold',
            budgetEventMessage(status.budget, percent),
          );
      log.info(
        {
          status: evaluation?.summary.status,
          workloads: evaluation?.summary.workloads,
          pods: selected.length,
          written: result.written,
          conflicts: result.conflicts,
        },
        'policy evaluated',
      );
      return {
        result: 'evaluated',
        written: result.written,
        conflicts: result.conflicts,
        statusBytes: status ? Buffer.byteLength(JSON.stringify(status)) : undefined,
      };
    } catch (error) {
      if (error instanceof PolicyConfigurationError) {
        log.warn({ field: error.field, reason: error.reason }, error.message);
        return this.writeFailure(policy, now, error.reason, error.message, undefined);
      }
      throw error;
    }
  }

  /**
   * spec.actions.temporalShift on the policy's CronJobs: apply the advised schedule (Apply), restore
   * the original (Off, Recommend, no longer selected), or leave alone (GitOps), each with its reason.
   */
  private async act(
    policy: CarbonCompliancePolicy,
    spec: CarbonCompliancePolicySpec,
    assessments: WorkloadAssessment[],
    cronJobs: CronJobObject[] | undefined,
    listError: Error | undefined,
    now: Date,
    log: Logger,
  ): Promise<ActionsStatus> {
    const mode = spec.actions.temporalShift;
    const advice = new Map<string, ScheduleAdvice | null>();
    for (const a of assessments) {
      if (a.kind !== 'CronJob') continue;
      const shift = a.optimizations.find((o) => o.type === 'temporal_shift' && o.patch && o.schedule);
      advice.set(
        a.workload,
        shift ? { cron: shift.schedule!.cron, timeZone: shift.schedule!.timeZone } : null,
      );
    }
    const limit = spec.maxWorkloadsInStatus;
    if (!this.deps.cronJobs) {
      return {
        temporalShift: mode,
        ...(mode === 'Apply'
          ? {
              message:
                'actions are disabled in the operator (flag --actions, chart value operator.actions.enabled): ' +
                'Apply acts as Recommend, and no schedule is changed or restored',
            }
          : {}),
        cronJobs: [...advice]
          .sort(([a], [b]) => a.localeCompare(b))
          .slice(0, limit)
          .map(([name, a]) =>
            a
              ? {
                  name,
                  state: 'Recommended' as const,
                  reason: 'AdviceOnly',
                  message: `advised schedule "${a.cron}" (${a.timeZone}); the ready-to-commit patch is in the workload's temporal_shift optimisation`,
                }
              : {
                  name,
                  state: 'NotApplied' as const,
                  reason: 'NoRecommendation',
                  message: 'no temporal shift is advised for this CronJob',
                },
          ),
      };
    }
    if (listError || !cronJobs)
      return {
        temporalShift: mode,
        message: `${listError?.message ?? 'CronJobs not listed'}; no schedule is changed or restored`,
        cronJobs: [],
      };
    const policyName = policy.metadata.name;
    const byName = new Map(cronJobs.map((c) => [c.metadata.name, c]));
    const names = new Set([
      ...[...advice.keys()].filter((n) => byName.has(n)),
      ...cronJobs
        .filter((c) => c.metadata.annotations?.[SHIFTED_BY_ANNOTATION] === policyName)
        .map((c) => c.metadata.name),
    ]);
    const minIntervalMs = parseDurationMs(spec.actions.minInterval);
    const entries = [];
    for (const name of [...names].sort()) {
      const cronJob = byName.get(name)!;
      const decision = decideCronJobAction({
        cronJob,
        policy: policyName,
        mode,
        advice: advice.get(name) ?? null,
        selected: advice.has(name),
        minIntervalMs,
        now,
      });
      if (decision.kind === 'none') {
        entries.push(decision.status);
        continue;
      }
      const done = await this.deps.cronJobs.carryOut(cronJob, decision, policyName, now);
      entries.push(done);
      const event =
        done.state === 'Applied'
          ? (['Normal', 'ScheduleShifted'] as const)
          : done.state === 'Restored'
            ? (['Normal', 'ScheduleRestored'] as const)
            : (['Warning', 'ActionForbidden'] as const);
      await this.deps.events?.record(policy, event[0], event[1], `CronJob ${name}: ${done.message}`);
    }
    log.debug({ mode, cronJobs: entries.length }, 'schedule actions evaluated');
    return { temporalShift: mode, cronJobs: entries.slice(0, limit) };
  }

  /** A deleted policy's moved schedules go back at once (the runtime's sweep catches any missed here). */
  private async restoreAfterDeletion(namespace: string, log: Logger): Promise<void> {
    if (!this.deps.cronJobs) return;
    try {
      const restored = await this.deps.cronJobs.restoreOrphans(
        namespace,
        (ns, name) => this.deps.policies.get(ns, name) !== undefined,
        this.clock(),
      );
      if (restored.length > 0) log.info({ cronJobs: restored }, 'schedules of the deleted policy restored');
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not restore the schedules of the deleted policy');
    }
  }

  private needsWrite(
    previous: CarbonCompliancePolicyStatus | undefined,
    next: CarbonCompliancePolicyStatus,
    now: Date,
  ): boolean {
    if (statusChanged(previous, next)) return true;
    const last = previous?.lastEvaluationTime ? Date.parse(previous.lastEvaluationTime) : 0;
    return now.getTime() - last >= this.options.heartbeatMs;
  }

  /** p95 usage of the selected pods over the window, or why there is none (never an exception). */
  private async collectUsage(
    policyKey: string,
    pods: PodView[],
    window: HistoryWindow,
    now: Date,
    log: Logger,
  ): Promise<UsageResult> {
    const source = this.deps.usage;
    if (!source)
      return {
        unavailable: {
          reason: 'NoUsageSource',
          message:
            'no usage source is configured (--usage-source=none): set it to prometheus or metrics-api to assess right-sizing',
        },
      };
    const refs: PodRef[] = pods.map((p) => ({ namespace: p.metadata.namespace, name: p.metadata.name }));
    source.retain?.(policyKey, refs, window.hours * HOUR_MS);
    try {
      const collection = await source.collect({
        pods: refs,
        from: new Date(window.startMs),
        to: now,
        signal: AbortSignal.timeout(this.options.collectTimeoutMs),
      });
      return { collection, description: source.description };
    } catch (error) {
      const reason =
        error instanceof UsageUnavailableError ? conditionReason(error.reason) : 'UsageSourceError';
      log.warn({ reason, err: (error as Error).message }, 'usage unavailable: right-sizing not assessed');
      return { unavailable: { reason, message: `${source.description}: ${(error as Error).message}` } };
    }
  }

  private async collect(
    policyKey: string,
    pods: PodView[],
    window: HistoryWindow,
    now: Date,
  ): Promise<MetricsCollection> {
    const refs: PodRef[] = pods.map((p) => ({
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      uid: p.metadata.uid,
      nodeName: p.spec.nodeName,
      ...(p.spec.cpuRequest_cores !== undefined ? { cpuRequest_cores: p.spec.cpuRequest_cores } : {}),
      ...(p.status.startTime ? { startTime: p.status.startTime } : {}),
      ...(p.status.finishedTime ? { finishedTime: p.status.finishedTime } : {}),
    }));
    // Sources that keep history in memory keep only what policies select, for their window.
    this.deps.source.retain?.(policyKey, refs, window.hours * HOUR_MS);
    const signal = AbortSignal.timeout(this.options.collectTimeoutMs);
    const timeout = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () =>
        reject(
          new MetricsUnavailableError('timeout', `no answer within ${this.options.collectTimeoutMs} ms`),
        ),
      ),
    );
    return Promise.race([
      this.deps.source.collect({
        pods: refs,
        from: new Date(window.startMs),
        to: now,
        signal,
      }),
      timeout,
    ]);
  }

  /**
   * The API server denied a read the evaluation needs (a missing RBAC rule): Ready=False with the
   * rule in the message, previous assessment kept, and a retry with backoff (RBAC may be fixed).
   */
  private async forbidden(
    policy: CarbonCompliancePolicy,
    now: Date,
    error: Error,
    log: Logger,
  ): Promise<never> {
    log.error({ reason: 'Forbidden', err: error.message }, error.message);
    const outcome = await this.writeFailure(policy, now, 'Forbidden', error.message, undefined);
    this.lastOutcome.set(`${policy.metadata.namespace}/${policy.metadata.name}`, outcome);
    throw new ReconcileRetryError('Forbidden', error.message);
  }

  /** Invalid spec or unusable configuration: Ready=False, the previous assessment stays. */
  private async writeFailure(
    policy: CarbonCompliancePolicy,
    now: Date,
    reason: string,
    message: string,
    _unused: undefined,
  ): Promise<ReconcileOutcome> {
    const wasFailing = getCondition(policy.status, 'Ready')?.reason === reason;
    const result = await writeStatusWithRetry(this.deps.store, policy, (current) => {
      const next: CarbonCompliancePolicyStatus = {
        ...current.status,
        observedGeneration: current.metadata.generation,
        conditions: setCondition(
          current.status?.conditions,
          {
            type: 'Ready',
            status: 'False',
            reason,
            message,
            observedGeneration: current.metadata.generation,
          },
          now,
        ),
      };
      return statusChanged(current.status, next) ? next : undefined;
    });
    if (result.written && !wasFailing && result.policy)
      await this.deps.events?.record(result.policy, 'Warning', reason, message);
    return {
      result: reason === 'InvalidSpec' ? 'invalid-spec' : 'configuration-error',
      written: result.written,
      conflicts: result.conflicts,
    };
  }

  /** Source down: MetricsAvailable=False, stale since the first failure, assessment untouched. */
  private async writeStale(
    policy: CarbonCompliancePolicy,
    now: Date,
    reason: string,
    message: string,
  ): Promise<ReconcileOutcome> {
    const result = await writeStatusWithRetry(this.deps.store, policy, (current) => {
      const previous = current.status ?? {};
      let conditions = setCondition(
        previous.conditions,
        {
          type: 'MetricsAvailable',
          status: 'False',
          reason,
          message,
          observedGeneration: current.metadata.generation,
        },
        now,
      );
      conditions = setCondition(
        conditions,
        {
          type: 'Ready',
          status: 'False',
          reason: 'MetricsUnavailable',
          message: previous.summary
            ? `showing the assessment of ${previous.lastEvaluationTime ?? 'an earlier evaluation'}; ${message}`
            : `no assessment yet; ${message}`,
          observedGeneration: current.metadata.generation,
        },
        now,
      );
      const next: CarbonCompliancePolicyStatus = {
        ...previous,
        observedGeneration: current.metadata.generation,
        conditions,
        stale: { since: previous.stale?.since ?? trimIso(now), reason },
      };
      return statusChanged(previous, next) ? next : undefined;
    });
    return { result: 'metrics-unavailable', written: result.written, conflicts: result.conflicts };
  }
}

function budgetEventMessage(budget: CarbonBudgetStatus, percent: number): string {
  return (
    `${budget.usedPercent} % of the ${budget.month} carbon budget used (reached ${percent} %): ` +
    `${budget.monthToDate_kgCO2eq} of ${budget.budget_kgCO2eq} kgCO2e month-to-date (KST); burn rate ` +
    `${budget.burnRate_kgCO2eq_per_day} kgCO2e/day, projected month-end ${budget.projectedMonthEnd_kgCO2eq} kgCO2e`
  );
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/** Sums pods' hourly active energy (or idle share) per workload key. */
function perWorkloadReadings(
  workloads: Workload[],
  collection: MetricsCollection,
  field: 'energy_kWh' | 'idleShare_kWh' | 'estimated_kWh',
): Map<string, Array<{ hourStart: string; energy_kWh: number }>> {
  const out = new Map<string, Array<{ hourStart: string; energy_kWh: number }>>();
  for (const workload of workloads) {
    const byHour = new Map<string, number>();
    for (const pod of workload.pods) {
      const reading = collection.pods.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
      for (const h of reading?.hourly ?? []) {
        const value = h[field];
        if (value !== undefined) byHour.set(h.hourStart, (byHour.get(h.hourStart) ?? 0) + value);
      }
    }
    if (byHour.size > 0)
      out.set(
        workload.key,
        [...byHour].map(([hourStart, energy_kWh]) => ({ hourStart, energy_kWh })),
      );
  }
  return out;
}

const kinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet']);

/** Engine inputs for every workload with pods now or energy in the window (a CronJob between runs). */
function workloadInputs(
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
  },
): WorkloadEnergyInput[] {
  const byKey = new Map(workloads.map((w) => [w.key, w]));
  const keys = new Set([...byKey.keys(), ...series.keys()]);
  // The window's hour stamps, formatted once and shared by every workload (not once per workload-hour).
  const hourIsos = Array.from({ length: window.hours }, (_, i) => hourIso(window.startMs + i * HOUR_MS));
  const inputs: WorkloadEnergyInput[] = [];
  for (const key of [...keys].sort()) {
    const workload = byKey.get(key);
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    if (!kinds.has(kind)) continue;
    const values = series.get(key) ?? [];
    const idleValues = extra.idleSeries.get(key);
    const estimatedValues = extra.estimatedSeries.get(key);
    const readings = (workload?.pods ?? []).map((p) =>
      collection.pods.get(`${p.metadata.namespace}/${p.metadata.name}`),
    );
    // The idle share is reported only where every pod with energy has one (never part-guessed).
    const idleMissing =
      readings.find((r) => r?.idleShareUnavailable !== undefined)?.idleShareUnavailable ??
      (collection.idleShareProvenance === undefined
        ? 'the metrics source gives no idle figure (see the energy source)'
        : undefined);
    const withIdle = idleMissing === undefined && idleValues !== undefined;
    const hourly = values.flatMap((v, i) => {
      if (v === null) return [];
      const idle = withIdle ? idleValues[i] : null;
      // The estimated part never exceeds the hour's energy (each series keeps its own per-hour maximum).
      const estimated = Math.min(v, estimatedValues?.[i] ?? 0);
      return [
        {
          hourStart: hourIsos[i]!,
          energy_kWh: v,
          ...(idle !== null && idle !== undefined ? { idleShare_kWh: idle } : {}),
          ...(estimated > 0 ? { estimated_kWh: estimated } : {}),
        },
      ];
    });
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

type UsageResult =
  { collection: UsageCollection; description: string } | { unavailable: { reason: string; message: string } };

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
  const sameContainers = workload.pods.every(
    (p) => JSON.stringify(p.spec.containerNames) === JSON.stringify(names),
  );
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

/** Length in hours of the last contiguous run of hours with energy. */
function latestRunHours(values: Array<number | null>): number {
  let run = 0;
  for (let i = values.length - 1; i >= 0; i--) {
    if (values[i] !== null && values[i]! > 0) run += 1;
    else if (run > 0) break;
  }
  return run;
}

function metricsCondition(
  collection: MetricsCollection,
  selectedPods: number,
  generation: number | undefined,
  source: MetricsSource,
): Omit<Condition, 'lastTransitionTime'> {
  const withData = [...collection.pods.values()].filter((r) => r.hourly.length > 0).length;
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

/** Workloads whose history holds estimated hours although the fallback is now off. */
const ESTIMATE_FROM_HISTORY =
  'estimated: CCF (hours estimated while --estimate-unmeasured-power was on, kept in status.energyHistory)';

const significantKWh = (value: number) => Number(value.toPrecision(4));

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

function compliantCondition(
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
