// One reconcile of one CarbonCompliancePolicy, top to bottom: validate the spec, select and group
// pods, collect their energy and usage (policy-collection.ts), build the evaluated status
// (evaluated-status.ts: history, engine inputs, conditions, ledger), act on CronJob schedules
// (cronjob-schedule-actions.ts), write the status only when it changed, and announce what changed in
// Events. Failures of the metrics source keep the previous assessment and mark it stale.
import type { Logger } from 'pino';
import {
  policySpecSchema,
  type CarbonCompliancePolicy,
  type CarbonCompliancePolicySpec,
  type CarbonCompliancePolicyStatus,
} from '../api/v1alpha1/types.js';
import type { CarbonBudgetStatus } from '../domain/types.js';
import { parseDurationMs } from '../kube/duration.js';
import type { EventRecorder } from '../kube/event-recorder.js';
import { isForbidden } from '../kube/kube-rest-client.js';
import type { PodView } from '../kube/pod-view.js';
import type { WorkResult } from '../kube/work-queue.js';
import {
  MetricsUnavailableError,
  type MetricsCollection,
  type MetricsSource,
} from '../sources/metrics-source.js';
import type { UsageSource } from '../sources/usage-source.js';
import {
  actOnCronJobs,
  type CronJobObject,
  type CronJobScheduleActions,
} from './cronjob-schedule-actions.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';
import { windowEndingAt } from './energy-history.js';
import {
  buildEvaluatedStatus,
  completeWithActions,
  type EvaluatedStatus,
  type EvaluationContext,
} from './evaluated-status.js';
import type { OperatorMetrics } from './operator-metrics.js';
import { collectEnergy, collectUsage, type CollectionRequest } from './policy-collection.js';
import { compliantCondition } from './policy-conditions.js';
import { PolicyConfigurationError, type PolicyEvaluator } from './policy-evaluator.js';
import { conditionReason, getCondition, setCondition, statusChanged } from './status-builder.js';
import { writeStatusWithRetry, type PolicyStore } from './status-writer.js';
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
    const policyKey = `${namespace}/${name}`;
    const policy = this.deps.policies.get(namespace, name);
    if (!policy) {
      this.deps.source.retain?.(policyKey, [], 0);
      this.deps.usage?.retain?.(policyKey, [], 0);
      return { result: 'deleted', written: false, conflicts: 0 };
    }
    const now = this.clock();

    // 1. The spec as the CRD's schema reads it; an invalid one is reported, never guessed at.
    const parsed = policySpecSchema.safeParse(policy.spec ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = ['spec', ...issue.path.map(String)].join('.');
      const message = `${field}: ${issue.message}`;
      log.warn({ field, reason: 'InvalidSpec' }, message);
      return this.writeFailure(policy, now, 'InvalidSpec', message, undefined);
    }
    const spec = parsed.data;

    // 2. The selected pods, grouped by their top owner, and the hour-aligned window.
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

    // 3. Their energy (a failing source keeps the previous assessment, marked stale) and usage.
    const request: CollectionRequest = {
      policyKey,
      pods: selected,
      window,
      now,
      timeoutMs: this.options.collectTimeoutMs,
    };
    // Usage is asked beside energy (it never rejects: a failure is its own result), so a policy waits for
    // the slower of the two sources, not their sum.
    const usagePending = collectUsage(this.deps.usage, request, log);
    let collection: MetricsCollection;
    try {
      collection = await collectEnergy(this.deps.source, request);
    } catch (error) {
      const reason = error instanceof MetricsUnavailableError ? conditionReason(error.reason) : 'SourceError';
      const message = `${this.deps.source.description}: ${(error as Error).message}`;
      log.warn(
        { reason, err: (error as Error).message },
        'metrics source unavailable: keeping the previous assessment',
      );
      const outcome = await this.writeStale(policy, now, reason, message);
      this.lastOutcome.set(policyKey, outcome);
      throw new ReconcileRetryError(reason, message);
    }
    // Usage failing is not a metrics failure: the verdict stands, right-sizing is not assessed.
    const usage = await usagePending;

    // 4. CronJobs (with actions enabled in the operator): their schedules make the advised cron line keep
    // their day fields, and the actions need their annotations and managedFields.
    const { cronJobs, listError } = await this.listCronJobs(namespace, log);
    const schedules = new Map((cronJobs ?? []).map((c) => [c.metadata.name, c.spec.schedule]));

    // 5. Evaluate, act on the advice, write the status when it changed, announce what changed.
    const context: EvaluationContext = {
      namespace,
      spec,
      now,
      window,
      selectedPods: selected.length,
      workloads,
      collection,
      source: this.deps.source,
      usage,
      schedules,
      evaluator: this.deps.evaluator,
      workloadsByteBudget: this.options.workloadsByteBudget,
      maxHistoryCells: this.options.maxHistoryCells,
    };
    return this.evaluateAndWrite(policy, context, { cronJobs, listError }, log);
  }

  /**
   * Evaluates, acts on the advice (CronJob schedules), writes the status when it changed (a 409
   * re-reads and rebuilds) and announces what changed in Events.
   */
  private async evaluateAndWrite(
    policy: CarbonCompliancePolicy,
    context: EvaluationContext,
    { cronJobs, listError }: { cronJobs?: CronJobObject[]; listError?: Error },
    log: Logger,
  ): Promise<ReconcileOutcome> {
    const { namespace, spec, now } = context;
    const name = policy.metadata.name;
    /** The status built for the last write attempt. */
    let last: EvaluatedStatus | undefined;
    let previousStatus = policy.status?.summary?.status;
    try {
      // The actions need the advice first; the status then carries what they did. The first write
      // attempt reuses this evaluation (same object); a 409 re-reads and rebuilds.
      const first = buildEvaluatedStatus(policy, context);
      const actions = await actOnCronJobs(
        this.deps,
        policy,
        spec,
        first.evaluation.assessments,
        cronJobs,
        listError,
        now,
        log,
      );
      const result = await writeStatusWithRetry(this.deps.store, policy, (current) => {
        const built = current === policy ? first : buildEvaluatedStatus(current, context);
        // Changes are detected against the freshest stored status, and verified over its history.
        completeWithActions(built, current, actions, context);
        last = built;
        previousStatus = current.status?.summary?.status;
        return this.needsWrite(current.status, built.status, now) ? built.status : undefined;
      });
      const evaluated = last as EvaluatedStatus | undefined;
      if (evaluated) {
        this.deps.metrics?.policyEvaluated(namespace, name, evaluated.evaluation);
        this.deps.metrics?.budgetObserved(namespace, name, evaluated.status.budget);
      }
      if (result.written && result.policy && evaluated)
        await this.recordEvaluationEvents(policy, result.policy, evaluated, previousStatus);
      log.info(
        {
          status: evaluated?.evaluation.summary.status,
          workloads: evaluated?.evaluation.summary.workloads,
          pods: context.selectedPods,
          written: result.written,
          conflicts: result.conflicts,
        },
        'policy evaluated',
      );
      return {
        result: 'evaluated',
        written: result.written,
        conflicts: result.conflicts,
        statusBytes: evaluated ? Buffer.byteLength(JSON.stringify(evaluated.status)) : undefined,
      };
    } catch (error) {
      if (error instanceof PolicyConfigurationError) {
        log.warn({ field: error.field, reason: error.reason }, error.message);
        return this.writeFailure(policy, now, error.reason, error.message, undefined);
      }
      throw error;
    }
  }

  /** The namespace's CronJobs when actions are enabled; a 403 is logged and reported in status.actions. */
  private async listCronJobs(
    namespace: string,
    log: Logger,
  ): Promise<{ cronJobs?: CronJobObject[]; listError?: Error }> {
    if (!this.deps.cronJobs) return {};
    try {
      return { cronJobs: await this.deps.cronJobs.list(namespace) };
    } catch (error) {
      if (!isForbidden(error)) throw error;
      log.error({ reason: 'Forbidden', err: error.message }, error.message);
      return { listError: error };
    }
  }

  /** Events after a written evaluation: a rejected catalogue edit, a compliance change, budget thresholds. */
  private async recordEvaluationEvents(
    policy: CarbonCompliancePolicy,
    written: CarbonCompliancePolicy,
    evaluated: EvaluatedStatus,
    previousStatus: string | undefined,
  ): Promise<void> {
    const { evaluation, status, budgetReached } = evaluated;
    const catalogueError = evaluation.catalogueError;
    if (
      catalogueError &&
      getCondition(policy.status, 'StandardsCatalogue')?.message !== catalogueError.message
    ) {
      await this.deps.events?.record(written, 'Warning', 'StandardsCatalogueInvalid', catalogueError.message);
    }
    if (previousStatus !== evaluation.summary.status) {
      await this.deps.events?.record(
        written,
        evaluation.summary.status === 'NON_COMPLIANT' ? 'Warning' : 'Normal',
        'ComplianceChanged',
        `${previousStatus ?? 'none'} → ${evaluation.summary.status}: ${compliantCondition(evaluation, undefined).message}`,
      );
    }
    if (status.budget)
      for (const percent of budgetReached)
        await this.deps.events?.record(
          written,
          'Warning',
          percent >= 100 ? 'CarbonBudgetExceeded' : 'CarbonBudgetThreshold',
          budgetEventMessage(status.budget, percent),
        );
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
        stale: { since: previous.stale?.since ?? isoSeconds(now), reason },
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
