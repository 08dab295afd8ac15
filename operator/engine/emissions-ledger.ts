// A policy's emissions per calendar month in Korea (KST, UTC+9 all year: Korea keeps no daylight
// saving time), built from the hourly figures of engine/hourly-emissions.ts as the hours end, and the
// carbon budget read from it. Pure: the clock is a parameter.
import { significant } from './presentation.js';
import type { PolicyHour } from './hourly-emissions.js';
import type {
  BudgetThresholdNotice,
  CarbonBudgetStatus,
  EmissionsLedger,
  MonthEmissions,
  OpenHour,
} from '../domain/types.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

const DAY_MS = 24 * HOUR_MS;
/** Asia/Seoul is UTC+09:00 with no daylight saving time (none since 1988). */
const KST_OFFSET_MS = 9 * HOUR_MS;
/** The month in progress and the twelve before it. */
const MONTHS_KEPT = 13;
/** Percent of the budget at which an Event is sent, once each per month. */
const BUDGET_THRESHOLDS_PERCENT = [80, 100] as const;

/** KST calendar month (YYYY-MM) of an instant. */
export function kstMonth(ms: number): string {
  return new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 7);
}

/** KST calendar date (YYYY-MM-DD) of an instant. */
function kstDate(ms: number): string {
  return new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Start and end (exclusive) of a KST month, ms since epoch. */
export function kstMonthBounds(month: string): { startMs: number; endMs: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return {
    startMs: Date.UTC(y, m - 1, 1) - KST_OFFSET_MS,
    endMs: Date.UTC(y, m, 1) - KST_OFFSET_MS,
  };
}

function emptyMonth(month: string, hourStart: string): MonthEmissions {
  return {
    month,
    hours: 0,
    since: hourStart,
    energy_kWh: 0,
    gridWeighted_kgCO2eq: 0,
    locationEmissions_kgCO2eq: 0,
    emissions_kgCO2eq: 0,
    meanGridIntensity_gCO2eq_kWh: 0,
  };
}

/** Six significant digits: far below the inputs' precision, short in JSON. */
const keep = (v: number) => significant(v, 6);

function addHour(month: MonthEmissions, hour: PolicyHour | OpenHour): void {
  const n = month.hours + 1;
  month.hours = n;
  month.energy_kWh = keep(month.energy_kWh + hour.energy_kWh);
  month.gridWeighted_kgCO2eq = keep(month.gridWeighted_kgCO2eq + hour.gridWeighted_gCO2eq / 1000);
  month.locationEmissions_kgCO2eq = keep(
    month.locationEmissions_kgCO2eq + hour.locationEmissions_gCO2eq / 1000,
  );
  month.emissions_kgCO2eq = keep(month.emissions_kgCO2eq + hour.emissions_gCO2eq / 1000);
  month.meanGridIntensity_gCO2eq_kWh = keep(
    month.meanGridIntensity_gCO2eq_kWh +
      (hour.gridIntensity_gCO2eq_kWh - month.meanGridIntensity_gCO2eq_kWh) / n,
  );
}

/**
 * Counts every hour of `hours` (the policy's window, evaluated now) that has ended and was not counted
 * before, into its KST month. The hour still running is kept aside (`openHour`) and counted with the
 * values it had last when it has ended but has left the window (a 1-hour window). Hours that ended
 * while nothing evaluated and left the window meanwhile are not counted (the energy history lost them
 * too); `since` and `hours` say what a month holds.
 */
export function advanceLedger(
  previous: EmissionsLedger | undefined,
  hours: PolicyHour[],
  nowMs: number,
): EmissionsLedger {
  const currentHourMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const counted = previous ? Date.parse(previous.countedThrough) : Number.NEGATIVE_INFINITY;
  const months = (previous?.months ?? []).map((m) => ({ ...m }));
  const inWindow = new Map(hours.map((h) => [Date.parse(h.hourStart), h]));
  const ended: Array<PolicyHour | OpenHour> = [];
  const open = previous?.openHour;
  if (open) {
    const ms = Date.parse(open.hourStart);
    if (ms >= counted && ms < currentHourMs && !inWindow.has(ms)) ended.push(open);
  }
  for (const [ms, hour] of inWindow) if (ms >= counted && ms < currentHourMs) ended.push(hour);
  ended.sort((a, b) => Date.parse(a.hourStart) - Date.parse(b.hourStart));
  for (const hour of ended) {
    const month = kstMonth(Date.parse(hour.hourStart));
    let last = months[months.length - 1];
    if (last && month < last.month) continue; // an hour of a month already closed (clock went back)
    if (!last || last.month !== month) {
      last = emptyMonth(month, hour.hourStart);
      months.push(last);
    }
    addHour(last, hour);
  }
  const running = inWindow.get(currentHourMs);
  const ledger: EmissionsLedger = {
    timeZone: 'Asia/Seoul',
    countedThrough: isoSeconds(Number.isFinite(counted) ? Math.max(counted, currentHourMs) : currentHourMs),
    months: months.slice(-MONTHS_KEPT),
  };
  if (running) ledger.openHour = { ...running };
  return ledger;
}

/** The month of `nowMs` so far: the hours counted plus the hour still running. */
export function monthToDate(ledger: EmissionsLedger, nowMs: number): MonthEmissions | null {
  const month = kstMonth(nowMs);
  const last = ledger.months[ledger.months.length - 1];
  const sofar = last && last.month === month ? { ...last } : null;
  const open = ledger.openHour;
  if (
    !open ||
    kstMonth(Date.parse(open.hourStart)) !== month ||
    Date.parse(open.hourStart) < Date.parse(ledger.countedThrough)
  )
    return sofar;
  const withOpen = sofar ?? emptyMonth(month, open.hourStart);
  addHour(withOpen, open);
  return withOpen;
}

/**
 * The carbon budget of the month of `nowMs`: month-to-date emissions, the burn rate over the time
 * counted so far, the month-end projection at that rate and the date the budget runs out. `notified`
 * are the thresholds announced before (kept in status); a new month starts with none.
 */
export function carbonBudgetStatus(
  ledger: EmissionsLedger,
  budget_kgCO2eq: number,
  nowMs: number,
  notified: { month: string; thresholds: BudgetThresholdNotice[] } | undefined,
): { status: CarbonBudgetStatus; newlyReached: number[] } {
  const month = kstMonth(nowMs);
  const { startMs, endMs } = kstMonthBounds(month);
  const sofar = monthToDate(ledger, nowMs);
  const mtd = sofar?.emissions_kgCO2eq ?? 0;
  const sinceMs = Math.max(startMs, sofar ? Date.parse(sofar.since) : nowMs);
  // At least an hour: a rate over a few seconds says nothing.
  const elapsedDays = Math.max(HOUR_MS, nowMs - sinceMs) / DAY_MS;
  const burn = mtd / elapsedDays;
  const remainingDays = Math.max(0, endMs - nowMs) / DAY_MS;
  const projected = mtd + burn * remainingDays;
  const usedPercent = budget_kgCO2eq > 0 ? (mtd / budget_kgCO2eq) * 100 : 0;
  const before = notified && notified.month === month ? notified.thresholds : [];
  const newlyReached = BUDGET_THRESHOLDS_PERCENT.filter(
    (t) => usedPercent >= t && !before.some((n) => n.percent === t),
  );
  const thresholds = [...before, ...newlyReached.map((percent) => ({ percent, at: isoSeconds(nowMs) }))].sort(
    (a, b) => a.percent - b.percent,
  );
  const reached100 = thresholds.find((n) => n.percent === 100);
  let exhaustion: string | null = null;
  if (reached100) exhaustion = kstDate(Date.parse(reached100.at));
  else if (burn > 0) {
    const atMs = nowMs + ((budget_kgCO2eq - mtd) / burn) * DAY_MS;
    if (atMs < endMs) exhaustion = kstDate(atMs);
  }
  return {
    status: {
      month,
      timeZone: 'Asia/Seoul',
      budget_kgCO2eq,
      budgetSource: 'configured: spec.budget.kgCO2eqPerMonth',
      monthToDate_kgCO2eq: significant(mtd, 6),
      usedPercent: significant(usedPercent, 4),
      since: isoSeconds(sinceMs),
      burnRate_kgCO2eq_per_day: significant(burn, 4),
      projectedMonthEnd_kgCO2eq: significant(projected, 4),
      projectedExhaustionDate: exhaustion,
      state: usedPercent >= 100 ? 'exceeded' : projected > budget_kgCO2eq ? 'projected_over' : 'within',
      thresholdsNotified: thresholds,
      basis:
        'active IT energy of the selected workloads, hour by hour (Σ E·PUE·I on the verdict basis, spec.accounting), ' +
        `KST calendar month ${month}; burn rate = month-to-date ÷ days counted since ${kstDate(sinceMs)}, projected linearly to the month's end`,
    },
    newlyReached,
  };
}
