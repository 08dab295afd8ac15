// spec.actions.temporalShift at work on CronJobs: in Apply, move a CronJob's schedule into the advised
// window; in Off or Recommend (or when its policy is gone), put the original back. Every change is a
// server-side apply with the operator's own field manager, so the API server's managedFields tell
// whether anyone changed the schedule after the operator did; then the CronJob is left alone (never
// fight GitOps), as it is when annotated carbon-aware.dev/actions=disabled.
//
// Restoring does not depend on the policy object: what to restore is recorded on the CronJob itself
// (annotations, and a label to find it), so a deleted policy, an operator that was down at the deletion,
// or a policy that no longer selects the CronJob all end with the original schedule back (the sweep
// below). No finalizer: a policy never waits on the operator to be deleted, and uninstalling the
// operator never leaves policies stuck in deletion.
import type { Logger } from 'pino';
import type {
  ActionsStatus,
  CarbonCompliancePolicy,
  CarbonCompliancePolicySpec,
  CronJobActionStatus,
} from '../api/v1alpha1/types.js';
import { startsOncePerDay } from '../engine/manifest-patch.js';
import type { WorkloadAssessment } from '../domain/types.js';
import { parseDurationMs } from '../kube/duration.js';
import type { EventRecorder } from '../kube/event-recorder.js';
import { isForbidden, type KubeRestClient } from '../kube/kube-rest-client.js';
import { isoSeconds } from '../domain/time.js';

export const FIELD_MANAGER = 'carbon-aware-operator';
export const ACTIONS_ANNOTATION = 'carbon-aware.dev/actions';
export const ORIGINAL_SCHEDULE_ANNOTATION = 'carbon-aware.dev/original-schedule';
/** The original spec.timeZone ('' when it had none), restored with the schedule. */
export const ORIGINAL_TIME_ZONE_ANNOTATION = 'carbon-aware.dev/original-time-zone';
/** The policy (same namespace) whose advice moved the schedule. */
export const SHIFTED_BY_ANNOTATION = 'carbon-aware.dev/shifted-by';
export const SHIFTED_AT_ANNOTATION = 'carbon-aware.dev/shifted-at';
/** Finds the CronJobs the operator changed with one label-selected list. */
export const SHIFTED_LABEL = 'carbon-aware.dev/schedule-shifted';

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string;
  fieldsV1?: { 'f:spec'?: Record<string, unknown> } & Record<string, unknown>;
}

export interface CronJobObject {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: ManagedFieldsEntry[];
  };
  spec: { schedule: string; timeZone?: string };
}

/** The schedule a policy's advice asks for (from the temporal_shift optimisation that carries a patch). */
export interface ScheduleAdvice {
  cron: string;
  timeZone: string;
}

export type TemporalShiftMode = ActionsStatus['temporalShift'];

/** Field managers that own spec.schedule. */
function scheduleOwners(cronJob: CronJobObject): string[] {
  return (cronJob.metadata.managedFields ?? [])
    .filter((e) => e.fieldsV1?.['f:spec']?.['f:schedule'] !== undefined)
    .map((e) => `${e.manager ?? 'unknown'} (${e.operation ?? 'unknown'}${e.time ? ` at ${e.time}` : ''})`);
}

function operatorOwnsSchedule(cronJob: CronJobObject): boolean {
  return (cronJob.metadata.managedFields ?? []).some(
    (e) =>
      e.manager === FIELD_MANAGER &&
      e.operation === 'Apply' &&
      e.fieldsV1?.['f:spec']?.['f:schedule'] !== undefined,
  );
}

/** What to do with one CronJob: apply a schedule, restore the original, or nothing (with the status). */
export type CronJobDecision =
  | { kind: 'apply'; schedule: string; timeZone: string; original: string; originalTimeZone: string }
  | { kind: 'restore'; schedule: string; timeZone: string | undefined; reason: string; message: string }
  | { kind: 'none'; status: CronJobActionStatus };

/** Pure: the decision for one CronJob of policy `policy` from its state, the mode and the advice. */
export function decideCronJobAction(args: {
  cronJob: CronJobObject;
  policy: string;
  mode: TemporalShiftMode;
  /** The advised schedule; null when the policy advises no shift for it (or no longer selects it). */
  advice: ScheduleAdvice | null;
  /** Whether the policy still selects the CronJob. */
  selected: boolean;
  minIntervalMs: number;
  now: Date;
}): CronJobDecision {
  const { cronJob, policy, mode, advice } = args;
  const annotations = cronJob.metadata.annotations ?? {};
  const shiftedBy = annotations[SHIFTED_BY_ANNOTATION];
  const ours = shiftedBy === policy && cronJob.metadata.labels?.[SHIFTED_LABEL] === 'true';
  const original = annotations[ORIGINAL_SCHEDULE_ANNOTATION];
  const shiftedAt = annotations[SHIFTED_AT_ANNOTATION];
  const base = {
    name: cronJob.metadata.name,
    schedule: cronJob.spec.schedule,
    ...(cronJob.spec.timeZone ? { timeZone: cronJob.spec.timeZone } : {}),
    ...(ours && original !== undefined ? { originalSchedule: original } : {}),
    ...(ours && annotations[ORIGINAL_TIME_ZONE_ANNOTATION]
      ? { originalTimeZone: annotations[ORIGINAL_TIME_ZONE_ANNOTATION] }
      : {}),
    ...(ours && shiftedAt ? { shiftedAt } : {}),
  };
  const none = (state: CronJobActionStatus['state'], reason: string, message: string): CronJobDecision => ({
    kind: 'none',
    status: { ...base, state, reason, message },
  });

  if (annotations[ACTIONS_ANNOTATION] === 'disabled')
    return none(
      'LeftAlone',
      'ActionsDisabledAnnotation',
      `annotated ${ACTIONS_ANNOTATION}=disabled: the operator does not change this CronJob` +
        (ours && original !== undefined
          ? `; its schedule was moved from "${original}" before the annotation was set: restore it by hand if you want it back`
          : ''),
    );
  if (shiftedBy !== undefined && shiftedBy !== policy)
    return none(
      'LeftAlone',
      'ShiftedByOtherPolicy',
      `policy ${shiftedBy} already moved this schedule; one policy at a time changes a CronJob`,
    );
  if (ours && !operatorOwnsSchedule(cronJob))
    return none(
      'LeftAlone',
      'ChangedByOtherManager',
      `spec.schedule was changed by another field manager after the operator moved it (now owned by ${scheduleOwners(cronJob).join(', ') || 'nobody'}): ` +
        `the operator leaves it alone and restores nothing; remove the ${SHIFTED_LABEL} label and the carbon-aware.dev annotations to clear this`,
    );

  const restore = (reason: string, message: string): CronJobDecision => ({
    kind: 'restore',
    schedule: original!,
    timeZone: annotations[ORIGINAL_TIME_ZONE_ANNOTATION] || undefined,
    reason,
    message,
  });
  if (ours && original !== undefined) {
    if (mode !== 'Apply')
      return restore(
        `Mode${mode}`,
        `spec.actions.temporalShift is ${mode}: original schedule "${original}" restored`,
      );
    if (!args.selected)
      return restore(
        'NoLongerSelected',
        `the policy no longer selects this CronJob: original schedule "${original}" restored`,
      );
  }

  if (mode === 'Off') return none('NotApplied', 'ActionsOff', 'spec.actions.temporalShift is Off');
  if (mode === 'Recommend')
    return advice
      ? none(
          'Recommended',
          'AdviceOnly',
          `advised schedule "${advice.cron}" (${advice.timeZone}); the ready-to-commit patch is in the workload's temporal_shift optimisation; set spec.actions.temporalShift to Apply to let the operator move it`,
        )
      : none('NotApplied', 'NoRecommendation', 'no temporal shift is advised for this CronJob');

  // Apply.
  if (!advice)
    return ours
      ? none(
          'Applied',
          'InAdvisedWindow',
          `schedule "${cronJob.spec.schedule}" set by the operator (original "${original}"); no further shift is advised`,
        )
      : none(
          'NotApplied',
          startsOncePerDay(cronJob.spec.schedule) ? 'NoRecommendation' : 'ScheduleNotDaily',
          startsOncePerDay(cronJob.spec.schedule)
            ? 'no temporal shift is advised for this CronJob'
            : `schedule "${cronJob.spec.schedule}" starts more than once a day (or is not a five-field line): one start in the advised window would change how often it runs`,
        );
  if (cronJob.spec.schedule === advice.cron && (cronJob.spec.timeZone ?? '') === advice.timeZone)
    return ours
      ? none(
          'Applied',
          'InAdvisedWindow',
          `schedule "${advice.cron}" (${advice.timeZone}) set by the operator (original "${original}")`,
        )
      : none(
          'NotApplied',
          'AlreadyInWindow',
          `schedule "${advice.cron}" (${advice.timeZone}) is already the advised one`,
        );
  if (ours && shiftedAt) {
    const next = Date.parse(shiftedAt) + args.minIntervalMs;
    if (Number.isFinite(next) && args.now.getTime() < next)
      return none(
        'Waiting',
        'MinInterval',
        `advised schedule "${advice.cron}" (${advice.timeZone}) differs from the operator's "${cronJob.spec.schedule}"; spec.actions.minInterval allows the next change at ${new Date(next).toISOString()}`,
      );
  }
  return {
    kind: 'apply',
    schedule: advice.cron,
    timeZone: advice.timeZone,
    original: ours && original !== undefined ? original : cronJob.spec.schedule,
    originalTimeZone: ours
      ? (annotations[ORIGINAL_TIME_ZONE_ANNOTATION] ?? '')
      : (cronJob.spec.timeZone ?? ''),
  };
}

const cronJobsPath = (namespace: string) =>
  `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/cronjobs`;

/** Reads and changes CronJob schedules for the reconciler; absent when actions are disabled in the operator. */
export class CronJobScheduleActions {
  constructor(
    private readonly client: KubeRestClient,
    private readonly logger: Logger,
  ) {}

  /** Every CronJob of the namespace (one list: schedules, annotations and managedFields). */
  async list(namespace: string): Promise<CronJobObject[]> {
    return (await this.client.list<CronJobObject>(cronJobsPath(namespace))).items;
  }

  /** Carries out a decision; returns the status entry (Forbidden when the API server denies the patch). */
  async carryOut(
    cronJob: CronJobObject,
    decision: Exclude<CronJobDecision, { kind: 'none' }>,
    policy: string,
    now: Date,
  ): Promise<CronJobActionStatus> {
    const { name, namespace } = cronJob.metadata;
    const path = `${cronJobsPath(namespace)}/${encodeURIComponent(name)}`;
    const log = this.logger.child({ namespace, cronJob: name, policy });
    const at = isoSeconds(now);
    const body =
      decision.kind === 'apply'
        ? {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            metadata: {
              name,
              namespace,
              labels: { [SHIFTED_LABEL]: 'true' },
              annotations: {
                [ORIGINAL_SCHEDULE_ANNOTATION]: decision.original,
                [ORIGINAL_TIME_ZONE_ANNOTATION]: decision.originalTimeZone,
                [SHIFTED_BY_ANNOTATION]: policy,
                [SHIFTED_AT_ANNOTATION]: at,
              },
            },
            spec: { schedule: decision.schedule, timeZone: decision.timeZone },
          }
        : // Omitting the label and annotations the operator alone set removes them (server-side apply);
          // so does omitting a time zone the CronJob did not have.
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            metadata: { name, namespace },
            spec: {
              schedule: decision.schedule,
              ...(decision.timeZone ? { timeZone: decision.timeZone } : {}),
            },
          };
    try {
      await this.client.patch(path, body, 'apply', { fieldManager: FIELD_MANAGER, force: 'true' });
    } catch (error) {
      if (!isForbidden(error)) throw error;
      log.error({ reason: 'Forbidden', err: error.message }, error.message);
      return {
        name,
        state: 'Forbidden',
        reason: 'Forbidden',
        message: `${error.message}; the chart grants patch on CronJobs only with operator.actions.enabled=true`,
        schedule: cronJob.spec.schedule,
        ...(cronJob.spec.timeZone ? { timeZone: cronJob.spec.timeZone } : {}),
      };
    }
    if (decision.kind === 'apply') {
      log.info(
        { schedule: decision.schedule, timeZone: decision.timeZone, originalSchedule: decision.original },
        'CronJob schedule moved into the advised window',
      );
      return {
        name,
        state: 'Applied',
        reason: 'Moved',
        message: `schedule moved from "${cronJob.spec.schedule}" to "${decision.schedule}" (${decision.timeZone}); original "${decision.original}" kept in ${ORIGINAL_SCHEDULE_ANNOTATION}`,
        schedule: decision.schedule,
        timeZone: decision.timeZone,
        originalSchedule: decision.original,
        ...(decision.originalTimeZone ? { originalTimeZone: decision.originalTimeZone } : {}),
        shiftedAt: at,
      };
    }
    log.info({ schedule: decision.schedule, reason: decision.reason }, 'CronJob schedule restored');
    return {
      name,
      state: 'Restored',
      reason: decision.reason,
      message: decision.message,
      schedule: decision.schedule,
      ...(decision.timeZone ? { timeZone: decision.timeZone } : {}),
    };
  }

  /**
   * Restores every CronJob a policy that no longer exists had moved (`policyExists` answers from the
   * policy cache). `namespace` undefined: all namespaces. Returns the CronJobs restored.
   */
  async restoreOrphans(
    namespace: string | undefined,
    policyExists: (namespace: string, name: string) => boolean,
    now: Date,
  ): Promise<string[]> {
    const path = namespace === undefined ? '/apis/batch/v1/cronjobs' : cronJobsPath(namespace);
    const { items } = await this.client.list<CronJobObject>(path, { labelSelector: `${SHIFTED_LABEL}=true` });
    const restored: string[] = [];
    for (const cronJob of items) {
      const policy = cronJob.metadata.annotations?.[SHIFTED_BY_ANNOTATION];
      if (policy === undefined || policyExists(cronJob.metadata.namespace, policy)) continue;
      const decision = decideCronJobAction({
        cronJob,
        policy,
        mode: 'Off',
        advice: null,
        selected: false,
        minIntervalMs: 0,
        now,
      });
      if (decision.kind !== 'restore') continue;
      const done = await this.carryOut(
        cronJob,
        { ...decision, reason: 'PolicyDeleted', message: `policy ${policy} was deleted` },
        policy,
        now,
      );
      if (done.state === 'Restored') restored.push(`${cronJob.metadata.namespace}/${cronJob.metadata.name}`);
    }
    return restored;
  }
}

/**
 * spec.actions.temporalShift on the policy's CronJobs: apply the advised schedule (Apply), restore
 * the original (Off, Recommend, no longer selected), or leave alone (GitOps), each with its reason.
 */
export async function actOnCronJobs(
  deps: { cronJobs?: CronJobScheduleActions | undefined; events?: EventRecorder | undefined },
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
    advice.set(a.workload, shift ? { cron: shift.schedule!.cron, timeZone: shift.schedule!.timeZone } : null);
  }
  const limit = spec.maxWorkloadsInStatus;
  if (!deps.cronJobs) {
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
    const done = await deps.cronJobs.carryOut(cronJob, decision, policyName, now);
    entries.push(done);
    const event =
      done.state === 'Applied'
        ? (['Normal', 'ScheduleShifted'] as const)
        : done.state === 'Restored'
          ? (['Normal', 'ScheduleRestored'] as const)
          : (['Warning', 'ActionForbidden'] as const);
    await deps.events?.record(policy, event[0], event[1], `CronJob ${name}: ${done.message}`);
  }
  log.debug({ mode, cronJobs: entries.length }, 'schedule actions evaluated');
  return { temporalShift: mode, cronJobs: entries.slice(0, limit) };
}
