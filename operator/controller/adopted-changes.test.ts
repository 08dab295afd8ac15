import type { ActionsStatus, CarbonCompliancePolicyStatus } from '../api/v1alpha1/types.js';
import { adoptedChanges } from './adopted-changes.js';

const now = new Date('2026-04-14T15:30:00Z');
const summary = (pue: number, pueAssumed = false) =>
  ({
    pue,
    pueAssumed,
    pueSource: pueAssumed ? 'assumed: average' : 'configured: policy spec.site.pue',
  }) as CarbonCompliancePolicyStatus['summary'];
const actions = (cronJobs: ActionsStatus['cronJobs']): ActionsStatus => ({
  temporalShift: 'Apply',
  cronJobs,
});

describe('the change record behind verified savings', () => {
  it('records a schedule the operator moved from the next whole hour, with the original', () => {
    const changes = adoptedChanges({
      previous: undefined,
      actions: actions([
        {
          name: 'nightly',
          state: 'Applied',
          reason: 'Moved',
          message: 'moved',
          schedule: '0 12 * * *',
          timeZone: 'Asia/Seoul',
          originalSchedule: '0 20 * * *',
          shiftedAt: '2026-04-14T15:30:00Z',
        },
      ]),
      pue: 1.2,
      pueAssumed: false,
      zone: 'KR',
      now,
    });
    expect(changes).toEqual([
      {
        workload: 'CronJob/nightly',
        kind: 'schedule',
        since: '2026-04-14T16:00:00Z',
        source: 'applied by the operator (spec.actions.temporalShift: Apply)',
        before: { schedule: '0 20 * * *' },
        after: { schedule: '0 12 * * *', timeZone: 'Asia/Seoul' },
      },
    ]);
  });

  it('records a schedule someone else changed, and forgets a change the operator restored', () => {
    const previous: CarbonCompliancePolicyStatus = {
      actions: actions([
        { name: 'a', state: 'NotApplied', reason: 'NoRecommendation', message: '', schedule: '0 3 * * *' },
      ]),
      verifiedSavings: [
        {
          workload: 'CronJob/b',
          change: {
            workload: 'CronJob/b',
            kind: 'schedule',
            since: '2026-04-10T00:00:00Z',
            source: 'applied by the operator (spec.actions.temporalShift: Apply)',
            before: { schedule: '0 20 * * *' },
            after: { schedule: '0 12 * * *' },
          },
        } as NonNullable<CarbonCompliancePolicyStatus['verifiedSavings']>[number],
      ],
    };
    const changes = adoptedChanges({
      previous,
      actions: actions([
        { name: 'a', state: 'NotApplied', reason: 'NoRecommendation', message: '', schedule: '0 12 * * *' },
        { name: 'b', state: 'Restored', reason: 'ModeOff', message: '', schedule: '0 20 * * *' },
      ]),
      pue: 1.2,
      pueAssumed: false,
      zone: 'KR',
      now,
    });
    expect(changes).toEqual([
      expect.objectContaining({
        workload: 'CronJob/a',
        before: { schedule: '0 3 * * *' },
        after: { schedule: '0 12 * * *' },
        source: 'observed: spec.schedule changed outside the operator (NoRecommendation)',
      }),
    ]);
  });

  it('records a PUE change, but not an assumed PUE replaced by a configured one (a data correction)', () => {
    const run = (before: CarbonCompliancePolicyStatus['summary'], pueAssumed = false) =>
      adoptedChanges({
        previous: { summary: before },
        actions: actions([]),
        pue: 1.2,
        pueAssumed,
        zone: undefined,
        now,
      });
    expect(run(summary(1.5))).toEqual([
      expect.objectContaining({ workload: '*', kind: 'pue', before: { pue: 1.5 }, after: { pue: 1.2 } }),
    ]);
    expect(run(summary(1.59, true))).toEqual([]);
    expect(run(summary(1.2))).toEqual([]);
  });

  it('records a change of the grid zone (the site moved)', () => {
    const changes = adoptedChanges({
      previous: { summary: { ...summary(1.2)!, zone: 'KR' } },
      actions: actions([]),
      pue: 1.2,
      pueAssumed: false,
      zone: 'JP',
      now,
    });
    expect(changes).toEqual([
      expect.objectContaining({ workload: '*', kind: 'zone', before: { zone: 'KR' }, after: { zone: 'JP' } }),
    ]);
  });
});
