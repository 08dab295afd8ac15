import {
  ACTIONS_ANNOTATION,
  decideCronJobAction,
  FIELD_MANAGER,
  ORIGINAL_SCHEDULE_ANNOTATION,
  ORIGINAL_TIME_ZONE_ANNOTATION,
  SHIFTED_AT_ANNOTATION,
  SHIFTED_BY_ANNOTATION,
  SHIFTED_LABEL,
  type CronJobObject,
} from './cronjob-schedule-actions.js';

const now = new Date('2026-04-02T00:00:00Z');
const advice = { cron: '0 12 * * *', timeZone: 'Asia/Seoul' };
// managedFields as the API server writes them (fieldsV1 trimmed to the schedule).
const owns = (manager: string, operation: string) => ({
  manager,
  operation,
  time: '2026-04-01T00:00:00Z',
  fieldsV1: { 'f:spec': { 'f:schedule': {} } },
});

function cronJob(
  schedule: string,
  extra: Partial<CronJobObject['metadata']> = {},
  timeZone?: string,
): CronJobObject {
  return {
    metadata: { name: 'nightly', namespace: 'ai-team', ...extra },
    spec: { schedule, ...(timeZone ? { timeZone } : {}) },
  };
}

/** A CronJob the operator moved for policy `p` at `at`. */
function shifted(schedule: string, managers = [owns(FIELD_MANAGER, 'Apply')], at = '2026-04-01T12:00:00Z') {
  return cronJob(
    schedule,
    {
      labels: { [SHIFTED_LABEL]: 'true' },
      annotations: {
        [ORIGINAL_SCHEDULE_ANNOTATION]: '0 3 * * *',
        [ORIGINAL_TIME_ZONE_ANNOTATION]: '',
        [SHIFTED_BY_ANNOTATION]: 'p',
        [SHIFTED_AT_ANNOTATION]: at,
      },
      managedFields: managers,
    },
    'Asia/Seoul',
  );
}

const decide = (c: CronJobObject, mode: 'Off' | 'Recommend' | 'Apply', a = advice as typeof advice | null) =>
  decideCronJobAction({
    cronJob: c,
    policy: 'p',
    mode,
    advice: a,
    selected: true,
    minIntervalMs: 24 * 3_600_000,
    now,
  });

describe('what the operator does with a CronJob schedule', () => {
  it('Apply moves a daily schedule and records the original schedule and time zone', () => {
    expect(
      decide(cronJob('0 3 * * *', { managedFields: [owns('kubectl-create', 'Update')] }), 'Apply'),
    ).toEqual({
      kind: 'apply',
      schedule: '0 12 * * *',
      timeZone: 'Asia/Seoul',
      original: '0 3 * * *',
      originalTimeZone: '',
    });
  });

  it('Off and Recommend restore the original (and drop a time zone the CronJob did not have)', () => {
    for (const mode of ['Off', 'Recommend'] as const)
      expect(decide(shifted('0 12 * * *'), mode)).toMatchObject({
        kind: 'restore',
        schedule: '0 3 * * *',
        timeZone: undefined,
        reason: `Mode${mode}`,
      });
  });

  it('a schedule another field manager changed after the operator is left alone, naming the manager', () => {
    const d = decide(shifted('0 5 * * *', [owns('kubectl-client-side-apply', 'Update')]), 'Off');
    expect(d).toMatchObject({
      kind: 'none',
      status: { state: 'LeftAlone', reason: 'ChangedByOtherManager' },
    });
    if (d.kind === 'none') expect(d.status.message).toContain('kubectl-client-side-apply (Update');
  });

  it('carbon-aware.dev/actions=disabled is left alone in every mode', () => {
    const c = cronJob('0 3 * * *', { annotations: { [ACTIONS_ANNOTATION]: 'disabled' } });
    for (const mode of ['Off', 'Recommend', 'Apply'] as const)
      expect(decide(c, mode)).toMatchObject({
        status: { state: 'LeftAlone', reason: 'ActionsDisabledAnnotation' },
      });
  });

  it('another policy’s change is left alone', () => {
    const c = shifted('0 12 * * *');
    c.metadata.annotations![SHIFTED_BY_ANNOTATION] = 'other';
    expect(decide(c, 'Apply')).toMatchObject({
      status: { state: 'LeftAlone', reason: 'ShiftedByOtherPolicy' },
    });
  });

  it('waits for spec.actions.minInterval before moving its own change again; restoring never waits', () => {
    const c = shifted('0 11 * * *');
    expect(decide(c, 'Apply')).toMatchObject({ status: { state: 'Waiting', reason: 'MinInterval' } });
    const later = decideCronJobAction({
      cronJob: c,
      policy: 'p',
      mode: 'Apply',
      advice,
      selected: true,
      minIntervalMs: 3_600_000,
      now,
    });
    // A second move keeps the first original.
    expect(later).toMatchObject({ kind: 'apply', schedule: '0 12 * * *', original: '0 3 * * *' });
    expect(decide(c, 'Off')).toMatchObject({ kind: 'restore' });
  });

  it('never turns a schedule that starts several times a day into one start', () => {
    expect(decide(cronJob('*/15 * * * *'), 'Apply', null)).toMatchObject({
      status: { state: 'NotApplied', reason: 'ScheduleNotDaily' },
    });
  });

  it('keeps its change when no further shift is advised, and says it is in place', () => {
    expect(decide(shifted('0 12 * * *'), 'Apply', null)).toMatchObject({
      status: { state: 'Applied', reason: 'InAdvisedWindow', originalSchedule: '0 3 * * *' },
    });
  });

  it('restores a CronJob the policy no longer selects', () => {
    expect(
      decideCronJobAction({
        cronJob: shifted('0 12 * * *'),
        policy: 'p',
        mode: 'Apply',
        advice: null,
        selected: false,
        minIntervalMs: 0,
        now,
      }),
    ).toMatchObject({ kind: 'restore', reason: 'NoLongerSelected' });
  });
});
