import { gridIntensityAt } from './grid-intensity-at.js';
import { gridProfileFor } from '../reference-data/grid-profile.js';
import {
  kepcoSeasonOfMonth,
  kepcoTariff,
  ketsAllowancePrice,
  krwPerUsd,
} from '../reference-data/tariff-file.js';
import { assessWorkload } from './assess.js';
import { EngineInputError } from './assess-workload.js';
import { resolveTargets } from './targets.js';
import {
  cronAtHour,
  optimalSchedule,
  runFitsAllowedHours,
  shiftability,
  shiftErrorFor,
  windowIntensity,
} from './temporal-shift.js';
import { energyInput, flatProfile, krCarbon2050, rampProfile } from '../../hack/testenv/engine-inputs.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

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
      earliestStart: new Date(now.getTime() + 2 * HOUR_MS),
      deadline: new Date(now.getTime() + 6 * HOUR_MS),
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
        deadline: new Date(now.getTime() + 4 * HOUR_MS),
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

describe('temporal shift against the modelled profile error, with its KRW effect', () => {
  const profile = gridProfileFor('KR', { year: 2024 });
  const tariff = { ...kepcoTariff(), seasonOfMonth: (m: number) => kepcoSeasonOfMonth(m) };
  const prices = { kets_KRW_per_tCO2eq: ketsAllowancePrice(), krwPerUsd: krwPerUsd() };
  const targets = resolveTargets({ standard: krCarbon2050, year: 2026 });
  // A 2-hour Job that ran on `day` at `localHour` KST (1 kWh an hour), assessed at the end of that day (UTC).
  function assessRun(day: string, localHour: number, language: 'en' | 'ko' = 'en', p = profile) {
    const start = Date.parse(`${day}T00:00:00+09:00`) + localHour * HOUR_MS;
    const hourly: Array<[string, number]> = [0, 1].map((k) => [isoSeconds(start + k * HOUR_MS), 1]);
    const windowStart = Date.parse(`${day}T00:00:00Z`);
    const window = {
      start: new Date(windowStart).toISOString(),
      end: new Date(windowStart + 24 * HOUR_MS).toISOString(),
      hours: 24,
    };
    return assessWorkload(energyInput(hourly, { kind: 'Job', runLength_hours: 2 }), {
      site: { zone: 'KR', pue: { value: 1.17, source: 'configured: policy spec.site.pue' } },
      profile: p,
      standardCode: 'KR_CARBON_2050',
      targets,
      window,
      language,
      now: new Date(window.end),
      tariff,
      prices,
    });
  }

  it('the schedule states the profile error of its season and whether the cut stays within it', () => {
    // Summer, starting now at 19:00 KST (the evening): the best 2 h cut is about 5 %, within the 8 %.
    const summer = optimalSchedule({ durationHours: 2, profile, now: new Date('2026-07-14T10:00:00Z') });
    expect(summer.modelError).toEqual({ season: 'summer', percent: 8, measured: false, withinError: true });
    // Spring evening → midday: about 13 %, beyond it.
    const spring = optimalSchedule({ durationHours: 2, profile, now: new Date('2026-04-14T10:00:00Z') });
    expect(spring.modelError).toMatchObject({ season: 'spring', withinError: false });
    expect(
      optimalSchedule({ durationHours: 2, profile: flatProfile(400), now: new Date() }).modelError,
    ).toBeNull();
  });

  it('states the error it compares with: winter measured, summer assumed', () => {
    expect(shiftErrorFor(profile, 'winter')).toEqual({ percent: 2, measured: true });
    expect(shiftErrorFor(profile, 'summer')).toEqual({ percent: 8, measured: false });
    expect(shiftErrorFor(flatProfile(400), 'summer')).toBeNull(); // annual-flat: never a cut anyway
  });

  it('summer: a cut within the profile error is not advised, and the reason says so in English and Korean', () => {
    const en = assessRun('2026-07-14', 19);
    expect(en.optimizations.map((o) => o.type)).not.toContain('temporal_shift');
    expect(en.recommendation).toMatch(
      /Not advised: the best 2 h window cuts 5\.\d %, within the modelled hourly profile's summer error of 8 % \(assumed: no real day in that season\)/,
    );
    const ko = assessRun('2026-07-14', 19, 'ko');
    expect(ko.recommendation).toMatch(
      /여름 오차 8%\(해당 계절의 실제 일자가 없어 가정한 값\) 이내이므로 권고하지 않습니다/,
    );
    // The same cut from a live profile is advised: live hours carry no model error.
    const points = Array.from({ length: 72 }, (_, k) => {
      const hourStart = isoSeconds(Date.parse('2026-07-14T00:00:00Z') + k * HOUR_MS);
      return { hourStart, intensity_gCO2eq_kWh: gridIntensityAt(profile, hourStart) };
    });
    const live = assessRun('2026-07-14', 19, 'en', { ...profile, points });
    const shift = live.optimizations.find((o) => o.type === 'temporal_shift')!;
    expect(shift.estimated_reduction_percent).toBeGreaterThan(5);
    expect(shift.source).toMatch(/live hourly data: no model error applies/);
  });

  it('spring: a cut above the error is advised and says which error it exceeds', () => {
    const a = assessRun('2026-04-14', 19);
    const shift = a.optimizations.find((o) => o.type === 'temporal_shift')!;
    expect(shift.schedule?.startLocalHour).toBeGreaterThanOrEqual(11);
    expect(shift.schedule?.startLocalHour).toBeLessThanOrEqual(13);
    expect(shift.estimated_reduction_percent).toBeGreaterThan(8);
    expect(shift.source).toMatch(/exceeds the profile's spring error of 8 % \(assumed\)/);
  });

  it('winter: advised above the measured 2 % error, and the advice shows that the energy costs more', () => {
    // Ran 02:00–04:00 KST on a December 2026 Wednesday (reform table: winter off-peak 108.2 KRW/kWh); the
    // cleanest window is midday (mid-peak 120.0).
    const en = assessRun('2026-12-09', 2);
    const shift = en.optimizations.find((o) => o.type === 'temporal_shift')!;
    expect(shift.estimated_reduction_percent).toBeGreaterThan(2);
    expect(shift.schedule?.startLocalHour).toBeGreaterThanOrEqual(10);
    expect(shift.schedule?.startLocalHour).toBeLessThanOrEqual(14);
    const facility_kWh = 2 * 30 * 1.17; // 2 kWh a day, scaled to 30 days, × PUE
    const energy_KRW = Math.round(facility_kWh * (108.2 - 120.0));
    expect(energy_KRW).toBeLessThan(0);
    expect(shift.description).toContain(`At the tariff its energy costs ${-energy_KRW} KRW/month MORE.`);
    expect(shift.cost_basis).toContain(`KRW: energy −${-energy_KRW} at the tariff`);
    expect(shift.cost_basis).toMatch(/\(costs more\)/);
    // The total nets the small carbon value against the higher energy bill; it stays negative.
    expect(shift.savings_per_month.KRW).toBeLessThan(0);
    const ko = assessRun('2026-12-09', 2, 'ko');
    const koShift = ko.optimizations.find((o) => o.type === 'temporal_shift')!;
    expect(koShift.description).toContain(`전력 요금은 월 ${-energy_KRW}원 늘어납니다`);
  });
});

describe('allowed hours and the ready-to-commit patch (spec.actions)', () => {
  const targets = resolveTargets({ standard: krCarbon2050, year: 2026 });
  // A 2-hour CronJob that ran 20:00–22:00 KST on the ramp profile (300 + 10·hour): cleanest at 00:00.
  function assessCron(overrides: Partial<Parameters<typeof energyInput>[1]> = {}, allowedHours?: number[]) {
    const start = Date.parse('2026-04-01T20:00:00+09:00');
    const hourly: Array<[string, number]> = [0, 1].map((k) => [isoSeconds(start + k * HOUR_MS), 1]);
    const window = { start: '2026-04-01T00:00:00Z', end: '2026-04-02T00:00:00Z', hours: 24 };
    return assessWorkload(
      energyInput(hourly, { kind: 'CronJob', runLength_hours: 2, workload: 'nightly', ...overrides }),
      {
        site: { zone: 'KR', pue: { value: 1.17, source: 'configured: policy spec.site.pue' } },
        profile: rampProfile,
        standardCode: 'KR_CARBON_2050',
        targets,
        window,
        language: 'en',
        now: new Date('2026-04-01T15:00:00Z'), // 00:00 KST
        ...(allowedHours ? { allowedHours: { timeZone: 'Asia/Seoul', hours: allowedHours } } : {}),
      },
    );
  }

  it('moves a CronJob into the cleanest window and gives the schedule as strategic-merge YAML', () => {
    const shift = assessCron({ cronSchedule: '30 20 * * 1-5' }).optimizations.find(
      (o) => o.type === 'temporal_shift',
    )!;
    expect(shift.schedule).toMatchObject({ startLocalHour: 0, cron: '0 0 * * 1-5', timeZone: 'Asia/Seoul' });
    // Ran at 20–22 KST: (500 + 510)/2 = 505 g/kWh; 00–02 KST: (300 + 310)/2 = 305; 1 − 305/505 = 39.6 %.
    expect(shift.patch).toBe(
      '# CronJob ai-team/nightly: start at 00:00 Asia/Seoul, the cleanest 2 h window (-39.6 % grid intensity)\n' +
        'spec:\n  schedule: 0 0 * * 1-5\n  timeZone: Asia/Seoul\n',
    );
  });

  it('says when the day fields are not the CronJob’s own (its schedule was not read)', () => {
    const shift = assessCron().optimizations.find((o) => o.type === 'temporal_shift')!;
    expect(shift.patch).toContain('# the current schedule was not read');
    expect(shift.patch).toContain('schedule: 0 0 * * *');
  });

  it('gives no schedule patch for a CronJob that starts more than once a day (it would change how often it runs)', () => {
    const shift = assessCron({ cronSchedule: '0 */6 * * *' }).optimizations.find(
      (o) => o.type === 'temporal_shift',
    )!;
    expect(shift.schedule?.startLocalHour).toBe(0);
    expect(shift.patch).toBeUndefined();
  });

  it('keeps the whole run inside spec.actions.allowedHours (KST)', () => {
    // Allowed 10–13 KST: a 2-hour run may start at 10, 11 or 12; the ramp makes 10 the cleanest.
    const shift = assessCron({ cronSchedule: '0 20 * * *' }, [10, 11, 12, 13]).optimizations.find(
      (o) => o.type === 'temporal_shift',
    )!;
    expect(shift.schedule).toMatchObject({ startLocalHour: 10, cron: '0 10 * * *' });
    expect(
      runFitsAllowedHours(Date.parse('2026-04-01T03:00:00Z'), 2, { timeZone: 'Asia/Seoul', hours: [12, 13] }),
    ).toBe(true);
    expect(
      runFitsAllowedHours(Date.parse('2026-04-01T04:00:00Z'), 2, { timeZone: 'Asia/Seoul', hours: [12, 13] }),
    ).toBe(false);
  });

  it('advises no shift when no run fits the allowed hours, and says why', () => {
    const a = assessCron({ cronSchedule: '0 20 * * *' }, [21]);
    expect(a.optimizations.find((o) => o.type === 'temporal_shift')).toBeUndefined();
    expect(a.recommendation).toContain('No start of the 2 h run lies wholly inside the allowed hours');
  });

  it('a Job (one run, no schedule) gets the advice without a patch', () => {
    const shift = assessCron({ kind: 'Job' }).optimizations.find((o) => o.type === 'temporal_shift')!;
    expect(shift.schedule?.startLocalHour).toBe(0);
    expect(shift.patch).toBeUndefined();
  });
});
