import { rampProfile } from '../../hack/testenv/engine-inputs.js';
import type { AdoptedChange } from '../domain/types.js';
import { scheduleShiftHours, verifySavings } from './verified-savings.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

/** Recorded readings: 0.5 kWh in each of the local (KST) hours `hours`, on each day from `firstDay`. */
function runs(firstDay: string, days: number, hours: number[]) {
  const out = [];
  for (let d = 0; d < days; d++)
    for (const h of hours)
      out.push({
        hourStart: isoSeconds(Date.parse(`${firstDay}T00:00:00+09:00`) + (d * 24 + h) * HOUR_MS),
        energy_kWh: 0.5,
      });
  return out;
}

const moved = (before: string, after: string, since = '2026-04-02T00:00:00Z'): AdoptedChange => ({
  workload: 'CronJob/nightly',
  kind: 'schedule',
  since,
  source: 'applied by the operator (spec.actions)',
  before: { schedule: before, timeZone: 'Asia/Seoul' },
  after: { schedule: after, timeZone: 'Asia/Seoul' },
});

describe('verified savings against the counterfactual', () => {
  // Before the change the job ran 20–22 KST (days 1–2), after it 12–14 KST (days 3–4).
  const readings = [...runs('2026-04-01', 1, [20, 21]), ...runs('2026-04-03', 2, [12, 13])];
  const now = new Date('2026-04-05T00:00:00Z');

  it('a schedule moved into cleaner hours is verified: same energy at the old hours as counterfactual', () => {
    const v = verifySavings({
      change: moved('0 20 * * *', '0 12 * * *', '2026-04-02T03:00:00Z'),
      hourly: readings,
      profile: rampProfile,
      pue: 1.2,
      now,
    });
    // Ramp 300 + 10·h: measured per day 0.5·1.2·(420 + 430) = 510 g; counterfactual 0.5·1.2·(500 + 510) = 606 g.
    expect(v.measured_kgCO2eq).toBeCloseTo(1.02, 4);
    expect(v.counterfactual_kgCO2eq).toBeCloseTo(1.212, 4);
    expect(v.kgCO2eq).toBeCloseTo(0.192, 4);
    expect(v.percent).toBe(15.8); // 1 − 850/1010
    expect(v.energy_kWh).toBe(2);
    expect(v.hoursWithEnergy).toBe(4);
    expect(v.verdict).toBe('verified');
    expect(v.method).toMatch(/the same energy 8 h later \(at the old schedule's hours\)/);
    // Readings before the change are not counted.
    expect(v.since).toBe('2026-04-02T03:00:00Z');
  });

  it('not_realized when nothing improved: moved into dirtier hours, or to the same hour on other days', () => {
    const worse = verifySavings({
      change: moved('0 12 * * *', '0 20 * * *', '2026-04-02T03:00:00Z'),
      hourly: [...runs('2026-04-03', 2, [20, 21])],
      profile: rampProfile,
      pue: 1.2,
      now,
    });
    expect(worse.verdict).toBe('not_realized');
    expect(worse.kgCO2eq).toBeLessThan(0);
    const same = verifySavings({
      change: moved('0 12 * * *', '0 12 * * 1-5', '2026-04-02T03:00:00Z'),
      hourly: readings,
      profile: rampProfile,
      pue: 1.2,
      now,
    });
    expect(same.percent).toBe(0);
    expect(same.verdict).toBe('not_realized');
  });

  it('too_early until a day has passed and energy was measured in two hours since the change', () => {
    const early = verifySavings({
      change: moved('0 20 * * *', '0 12 * * *', '2026-04-04T00:00:00Z'),
      hourly: readings,
      profile: rampProfile,
      pue: 1.2,
      now,
    });
    expect(early.elapsedHours).toBe(24);
    expect(early.hoursWithEnergy).toBe(2);
    expect(early.verdict).toBe('verified');
    const tooEarly = verifySavings({
      change: moved('0 20 * * *', '0 12 * * *', '2026-04-04T01:00:00Z'),
      hourly: readings,
      profile: rampProfile,
      pue: 1.2,
      now,
    });
    expect(tooEarly.verdict).toBe('too_early');
    expect(tooEarly.minimum).toBe(
      '24 h since the change and measured energy in 2 hours since it; verified from a 1 % cut',
    );
  });

  it('a lower PUE: the same energy at the same hours with the old PUE', () => {
    const v = verifySavings({
      change: {
        workload: '*',
        kind: 'pue',
        since: '2026-04-02T00:00:00Z',
        source: 'observed: spec.site.pue changed',
        before: { pue: 1.5 },
        after: { pue: 1.2 },
      },
      hourly: readings,
      profile: rampProfile,
      pue: 1.2,
      now,
    });
    expect(v.percent).toBe(20); // 1 − 1.2/1.5
    expect(v.verdict).toBe('verified');
  });

  it('a zone change: the same energy at the same hours on the old zone’s grid', () => {
    const change: AdoptedChange = {
      workload: '*',
      kind: 'zone',
      since: '2026-04-02T00:00:00Z',
      source: "observed: the site's grid zone changed (spec.site)",
      before: { zone: 'KR' },
      after: { zone: 'XX' },
    };
    const cleaner = {
      ...rampProfile,
      zone: 'XX',
      hourly_gCO2eq_kWh: { all: Array.from({ length: 24 }, () => 200) },
    };
    const v = verifySavings({
      change,
      hourly: readings,
      profile: cleaner,
      profileBefore: rampProfile,
      pue: 1.2,
      now,
    });
    expect(v.percent).toBeCloseTo((1 - 200 / 425) * 100, 1); // 200 against the ramp's (420 + 430)/2
    expect(v.verdict).toBe('verified');
    // Without the old zone's profile there is no counterfactual: too early, and the method says why.
    const none = verifySavings({ change, hourly: readings, profile: cleaner, pue: 1.2, now });
    expect(none.verdict).toBe('too_early');
    expect(none.method).toMatch(/no grid profile for the old zone KR/);
  });

  it('reads a CronJob without a time zone in UTC (assumed) and says so', () => {
    const change: AdoptedChange = {
      ...moved('0 11 * * *', '0 12 * * *'),
      before: { schedule: '0 11 * * *' }, // 11:00 UTC = 20:00 KST
    };
    expect(scheduleShiftHours(change, new Date('2026-04-02T00:00:00Z'))).toBe(-8);
    const v = verifySavings({ change, hourly: readings, profile: rampProfile, pue: 1.2, now });
    expect(v.method).toMatch(/assumed UTC/);
    expect(v.percent).toBe(15.8);
  });
});
