import { gridProfileFor } from '../grid/grid-profile.js';
import { EngineInputError } from './assess-workload.js';
import { cronAtHour, optimalSchedule, shiftability, windowIntensity } from './temporal-shift.js';
import { energyInput, flatProfile, rampProfile } from './test-support/inputs.js';

const HOUR = 3_600_000;

describe('optimalSchedule (rolling window)', () => {
  it('picks the window with the lowest mean, not the window starting at the lowest hour', () => {
    // Local hours 0..23 (KST): one very clean hour at 03:00 followed by dirty ones; a clean plateau 12–15.
    const shape = Array.from({ length: 24 }, () => 500);
    shape[3] = 100;
    for (const h of [12, 13, 14, 15]) shape[h] = 300;
    const profile = { ...flatProfile(500), hourly_gCO2eq_kWh: { all: shape } };
    const s = optimalSchedule({ durationHours: 4, profile, now: new Date('2026-04-01T15:00:00Z') }); // 00:00 KST
    expect(s.best.startLocalHour).toBe(12);
    expect(s.best.windowIntensity_gCO2eq_kWh).toBe(300);
    expect(s.worst.windowIntensity_gCO2eq_kWh).toBe(500);
    // Immediate = 00:00–04:00 KST: (500+500+500+100)/4.
    expect(s.immediate.windowIntensity_gCO2eq_kWh).toBe(400);
    expect(s.savings_percent.vsImmediate).toBeCloseTo(25, 9);
    expect(s.savings_percent.vsWorst).toBeCloseTo(40, 9);
    expect(s.candidates).toBe(25);
  });

  it('wraps midnight: a window starting 22:00 KST averages 22, 23, 00, 01', () => {
    const start = Date.parse('2026-04-01T13:00:00Z'); // 22:00 KST
    expect(windowIntensity(rampProfile, start, 4)).toBeCloseTo((520 + 530 + 300 + 310) / 4, 9);
    // A partial last hour weighs its share.
    expect(windowIntensity(rampProfile, start, 1.5)).toBeCloseTo((520 + 0.5 * 530) / 1.5, 9);
  });

  it('respects the earliest start and the deadline', () => {
    const now = new Date('2026-04-01T00:00:00Z');
    const s = optimalSchedule({
      durationHours: 2,
      profile: rampProfile,
      now,
      earliestStart: new Date(now.getTime() + 2 * HOUR),
      deadline: new Date(now.getTime() + 6 * HOUR),
    });
    // Starts 02:00Z..04:00Z = 11..13 KST; the ramp rises, so the earliest is best.
    expect(s.candidates).toBe(3);
    expect(s.best.start).toBe('2026-04-01T02:00:00Z');
    expect(s.best.startLocalHour).toBe(11);
  });

  it('rejects a deadline that leaves no room, naming the field', () => {
    const now = new Date('2026-04-01T00:00:00Z');
    expect(() =>
      optimalSchedule({
        durationHours: 5,
        profile: rampProfile,
        now,
        deadline: new Date(now.getTime() + 4 * HOUR),
      }),
    ).toThrow(EngineInputError);
    expect(() => optimalSchedule({ durationHours: Number.NaN, profile: rampProfile, now })).toThrow(
      /durationHours/,
    );
  });

  it('follows the real KR modelled profile: in spring the cleanest 4 h are around midday, not 2–6 am', () => {
    const profile = gridProfileFor('KR', { year: 2024 });
    const s = optimalSchedule({ durationHours: 4, profile, now: new Date('2026-04-14T15:00:00Z') });
    expect(s.best.startLocalHour).toBeGreaterThanOrEqual(9);
    expect(s.best.startLocalHour).toBeLessThanOrEqual(13);
    const early = s.best.windowIntensity_gCO2eq_kWh;
    const twoAm = windowIntensity(profile, Date.parse('2026-04-14T17:00:00Z'), 4); // 02:00 KST
    expect(early).toBeLessThan(twoAm);
  });
});

describe('shiftability and cron', () => {
  it('continuous Deployments get no temporal shift; Jobs and short runs do', () => {
    expect(shiftability(energyInput([['2026-04-01T00:00:00Z', 1]], { kind: 'Deployment' }))).toEqual({
      shiftable: false,
      reason: 'continuous',
    });
    expect(shiftability(energyInput([], { kind: 'Job', runLength_hours: 3 }))).toEqual({
      shiftable: true,
      runHours: 3,
    });
    expect(shiftability(energyInput([], { kind: 'CronJob', runLength_hours: 30 }))).toMatchObject({
      shiftable: false,
      reason: 'too-long',
    });
    expect(
      shiftability(
        energyInput(
          [
            ['2026-04-01T00:00:00Z', 1],
            ['2026-04-01T01:00:00Z', 1],
          ],
          { kind: 'Job' },
        ),
      ),
    ).toEqual({ shiftable: true, runHours: 2 });
  });

  it('keeps the days of an existing schedule and moves the hour', () => {
    expect(cronAtHour(11)).toBe('0 11 * * *');
    expect(cronAtHour(12, '30 2 * * 1-5')).toBe('0 12 * * 1-5');
    expect(cronAtHour(12, '@daily')).toBe('0 12 * * *');
  });
});
