// The monthly ledger counts each ended hour once, into its KST month, across evaluations and restarts
// (the ledger goes through JSON like status does), and the budget announces each threshold once a month.
import type { PolicyHour } from './hourly-emissions.js';
import {
  advanceLedger,
  carbonBudgetStatus,
  kstMonth,
  kstMonthBounds,
  monthToDate,
} from './emissions-ledger.js';
import type { EmissionsLedger } from '../domain/types.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

/** The window's hours ending with the hour of `nowMs`, each hour 1 kWh at 400 g/kWh and PUE 1.5. */
function windowHours(nowMs: number, hours: number, kWh = 1): PolicyHour[] {
  const current = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  return Array.from({ length: hours }, (_, k) => {
    const ms = current - (hours - 1 - k) * HOUR_MS;
    return {
      hourStart: isoSeconds(ms),
      energy_kWh: kWh,
      gridIntensity_gCO2eq_kWh: 400,
      gridWeighted_gCO2eq: kWh * 400,
      locationEmissions_gCO2eq: kWh * 400 * 1.5,
      emissions_gCO2eq: kWh * 400 * 1.5,
    };
  });
}

/** What status holds: the ledger after a JSON round trip. */
const persisted = (ledger: EmissionsLedger): EmissionsLedger => JSON.parse(JSON.stringify(ledger));

describe('KST months', () => {
  test('a month starts at 00:00 KST, 15:00 UTC the day before', () => {
    expect(kstMonth(Date.parse('2026-11-30T14:59:59Z'))).toBe('2026-11');
    expect(kstMonth(Date.parse('2026-11-30T15:00:00Z'))).toBe('2026-12');
    expect(kstMonthBounds('2026-12')).toEqual({
      startMs: Date.parse('2026-11-30T15:00:00Z'),
      endMs: Date.parse('2026-12-31T15:00:00Z'),
    });
  });
});

describe('emissions ledger', () => {
  test('counts each ended hour once over repeated evaluations, and keeps the running hour aside', () => {
    let now = Date.parse('2026-12-10T03:20:00Z');
    let ledger = advanceLedger(undefined, windowHours(now, 24), now);
    // 23 ended hours counted; the 24th is running.
    expect(ledger.months).toHaveLength(1);
    expect(ledger.months[0]!.hours).toBe(23);
    expect(ledger.months[0]!.emissions_kgCO2eq).toBeCloseTo(23 * 0.6, 9);
    expect(ledger.openHour?.hourStart).toBe('2026-12-10T03:00:00Z');
    // The same hour again, then the next: one more hour, not the window again.
    ledger = advanceLedger(persisted(ledger), windowHours(now + 10 * 60_000, 24), now + 10 * 60_000);
    expect(ledger.months[0]!.hours).toBe(23);
    now += HOUR_MS;
    ledger = advanceLedger(persisted(ledger), windowHours(now, 24), now);
    expect(ledger.months[0]!.hours).toBe(24);
    expect(ledger.months[0]!.energy_kWh).toBe(24);
    expect(ledger.months[0]!.meanGridIntensity_gCO2eq_kWh).toBe(400);
    // Month to date adds the running hour.
    expect(monthToDate(ledger, now)!.emissions_kgCO2eq).toBeCloseTo(25 * 0.6, 9);
  });

  test('a 1-hour window: the running hour is counted with its last values once it has ended', () => {
    let now = Date.parse('2026-12-10T03:50:00Z');
    let ledger = advanceLedger(undefined, windowHours(now, 1, 2), now);
    expect(ledger.months).toEqual([]);
    now = Date.parse('2026-12-10T04:05:00Z');
    ledger = advanceLedger(persisted(ledger), windowHours(now, 1, 0.5), now);
    expect(ledger.months[0]!.hours).toBe(1);
    expect(ledger.months[0]!.energy_kWh).toBe(2);
    expect(ledger.openHour?.energy_kWh).toBe(0.5);
  });

  test('hours go to their KST month; a new month starts at 15:00 UTC', () => {
    const now = Date.parse('2026-11-30T17:30:00Z'); // 02:30 KST on 1 December
    const ledger = advanceLedger(undefined, windowHours(now, 6), now);
    expect(ledger.months.map((m) => [m.month, m.hours])).toEqual([
      ['2026-11', 3], // 12:00, 13:00, 14:00 UTC
      ['2026-12', 2], // 15:00, 16:00 UTC; 17:00 is running
    ]);
    expect(ledger.months[1]!.since).toBe('2026-11-30T15:00:00Z');
  });

  test('hours that left the window while nothing evaluated are not counted, and the month says so', () => {
    let now = Date.parse('2026-12-10T03:30:00Z');
    let ledger = advanceLedger(undefined, windowHours(now, 24), now);
    expect(ledger.months[0]!.hours).toBe(23);
    // Down for two days with a 24-hour window: the hour running at the last evaluation (03:00 on the
    // 10th) counts with its last values; 04:00 on the 10th to 02:00 on the 11th are gone (23 hours).
    now += 48 * HOUR_MS;
    ledger = advanceLedger(persisted(ledger), windowHours(now, 24), now);
    expect(ledger.months[0]!.hours).toBe(23 + 1 + 23);
    expect(ledger.countedThrough).toBe('2026-12-12T03:00:00Z');
  });

  test('keeps thirteen months at most', () => {
    let ledger: EmissionsLedger | undefined;
    for (let m = 0; m < 16; m++) {
      const now = Date.UTC(2025, m, 10, 3, 30);
      ledger = advanceLedger(ledger && persisted(ledger), windowHours(now, 2), now);
    }
    expect(ledger!.months).toHaveLength(13);
    expect(ledger!.months[12]!.month).toBe('2026-04');
  });
});

describe('carbon budget', () => {
  // 1 December 00:00 KST + 10 days: 10 days of 24 kWh/day × 0.6 kg/kWh = 14.4 kg/day.
  const start = Date.parse('2026-11-30T15:00:00Z');
  const now = start + 10 * 24 * HOUR_MS;
  const ledger = advanceLedger(undefined, windowHours(now, 10 * 24 + 1), now);
  // The running hour is in the window from its start: 10 days + 1 hour counted so far.
  const mtd = (10 * 24 + 1) * 0.6;

  test('month-to-date, burn rate, month-end projection and exhaustion date', () => {
    const { status, newlyReached } = carbonBudgetStatus(ledger, 500, now, undefined);
    expect(status.month).toBe('2026-12');
    expect(status.monthToDate_kgCO2eq).toBeCloseTo(mtd, 6);
    expect(status.since).toBe('2026-11-30T15:00:00Z');
    // Over 10 days: 14.46 kg/day; 21 days left → 144.6 + 303.66 = 448.3 kg, under 500.
    expect(status.burnRate_kgCO2eq_per_day).toBeCloseTo(mtd / 10, 2);
    expect(status.projectedMonthEnd_kgCO2eq).toBeCloseTo(mtd + (mtd / 10) * 21, 0);
    expect(status.state).toBe('within');
    expect(status.projectedExhaustionDate).toBeNull();
    expect(status.usedPercent).toBeCloseTo((mtd / 500) * 100, 2);
    expect(newlyReached).toEqual([]);
    // A budget of 300 kg runs out after (300 − 144.6) / 14.46 ≈ 10.75 more days: 21 December KST.
    const tight = carbonBudgetStatus(ledger, 300, now, undefined).status;
    expect(tight.state).toBe('projected_over');
    expect(tight.projectedExhaustionDate).toBe('2026-12-21');
  });

  test('each threshold is announced once per month, and a new month starts afresh', () => {
    const first = carbonBudgetStatus(ledger, 170, now, undefined); // 85 %
    expect(first.newlyReached).toEqual([80]);
    const kept = { month: first.status.month, thresholds: first.status.thresholdsNotified };
    expect(carbonBudgetStatus(ledger, 170, now, kept).newlyReached).toEqual([]);
    const over = carbonBudgetStatus(ledger, 140, now, kept); // 103 %
    expect(over.newlyReached).toEqual([100]);
    expect(over.status.state).toBe('exceeded');
    expect(over.status.thresholdsNotified.map((t) => t.percent)).toEqual([80, 100]);
    expect(over.status.projectedExhaustionDate).toBe('2026-12-11');
    const both = carbonBudgetStatus(ledger, 100, now, undefined);
    expect(both.newlyReached).toEqual([80, 100]);
    // January: December's notices do not count.
    const january = Date.parse('2026-12-31T15:30:00Z');
    const next = advanceLedger(persisted(ledger), windowHours(january, 2), january);
    const jan = carbonBudgetStatus(next, 0.5, january, {
      month: '2026-12',
      thresholds: over.status.thresholdsNotified,
    });
    expect(jan.status.month).toBe('2027-01');
    expect(jan.status.monthToDate_kgCO2eq).toBeCloseTo(0.6, 9);
    expect(jan.newlyReached).toEqual([80, 100]);
  });
});
