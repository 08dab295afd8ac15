// Hourly IT energy per workload, merged from what status already holds and what the metrics
// source reports now, and trimmed to a size that fits the status object. A restarted operator
// reads it back, so history survives restarts even when the source (direct Kepler scraping) only
// knows what it saw since it started.
import type { EnergyHistory } from '../api/v1alpha1/types.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

function hourStart(time: Date | number): number {
  const ms = typeof time === 'number' ? time : time.getTime();
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/**
 * Hours of the window that the energy source has actually observed up to `nowMs`: from the earliest
 * of the source's own start and the start remembered in status (a restarted operator keeps it),
 * never before the window. Undefined when neither knows (a source with history of its own).
 */
export function observedHours(
  window: HistoryWindow,
  nowMs: number,
  sinceMs: Array<number | undefined>,
): { hours: number; sinceMs: number } | undefined {
  const known = sinceMs.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (known.length === 0) return undefined;
  const since = Math.max(window.startMs, Math.min(...known));
  const hours = Math.max(0, (nowMs - since) / HOUR_MS);
  return { hours, sinceMs: Math.min(...known) };
}

/** Workload key → one value per hour of the window (null = no measurement). */
export type HourlySeries = Map<string, Array<number | null>>;

export interface HistoryWindow {
  /** First hour of the window, ms since epoch (UTC hour start). */
  startMs: number;
  hours: number;
}

/** The window ending with the current (partial) hour. */
export function windowEndingAt(now: Date, hours: number): HistoryWindow {
  return { startMs: hourStart(now) - (hours - 1) * HOUR_MS, hours };
}

/** Re-indexes stored series onto the current window; hours that fell out of it are dropped. */
export function seriesFromStatus(
  history: EnergyHistory | undefined,
  window: HistoryWindow,
  field: 'kWh' | 'idleKWh' | 'estimatedKWh' = 'kWh',
): HourlySeries {
  const out: HourlySeries = new Map();
  if (!history) return out;
  const storedStart = Date.parse(history.startHour);
  if (!Number.isFinite(storedStart)) return out;
  const offset = Math.round((storedStart - window.startMs) / HOUR_MS);
  for (const entry of history.series ?? []) {
    const workload = entry.workload;
    const kWh = entry[field];
    if (!kWh) continue;
    const values: Array<number | null> = new Array(window.hours).fill(null);
    let any = false;
    kWh.forEach((value, i) => {
      const index = i + offset;
      if (index < 0 || index >= window.hours || value === null || !Number.isFinite(value)) return;
      values[index] = value;
      any = true;
    });
    if (any) out.set(workload, values);
  }
  return out;
}

/** Fresh readings per workload key: one value per hour of the window, NaN where there is none. */
export type FreshSeries = Map<string, Float64Array>;

/**
 * Merges fresh hourly readings into the stored series. Per hour the larger value wins: the current
 * hour grows between evaluations, and after a restart the source's value for the restart hour
 * covers only part of it — taking the maximum never counts energy twice.
 */
export function mergeReadings(stored: HourlySeries, fresh: FreshSeries, window: HistoryWindow): HourlySeries {
  const merged: HourlySeries = new Map([...stored].map(([k, v]) => [k, [...v]]));
  for (const [workload, hours] of fresh) {
    let values = merged.get(workload);
    if (!values) {
      values = new Array<number | null>(window.hours).fill(null);
      merged.set(workload, values);
    }
    for (let index = 0; index < window.hours; index++) {
      const energy_kWh = hours[index]!;
      if (Number.isNaN(energy_kWh)) continue;
      const previous = values[index];
      values[index] =
        previous === null || previous === undefined ? energy_kWh : Math.max(previous, energy_kWh);
    }
  }
  return merged;
}

/** Six significant digits: far below Kepler's own precision, and short in JSON. */
function roundKWh(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(6));
}

/**
 * The persisted form, bounded to `maxCells` values: the workloads with the most energy keep their
 * series, the others are counted in seriesOmitted (their history restarts from the source's data).
 */
export function seriesToStatus(
  series: HourlySeries,
  window: HistoryWindow,
  maxCells: number,
  extra: { idle?: HourlySeries; estimated?: HourlySeries; observedSinceMs?: number } = {},
): EnergyHistory {
  const ranked = [...series]
    .map(([workload, values]) => ({
      workload,
      values,
      total: values.reduce<number>((s, v) => s + (v ?? 0), 0),
    }))
    .sort((a, b) => b.total - a.total || a.workload.localeCompare(b.workload));
  // A workload with an idle-share (or estimated-part) series takes two (or three) rows of cells.
  const perWorkload =
    1 + (extra.idle && extra.idle.size > 0 ? 1 : 0) + (extra.estimated && extra.estimated.size > 0 ? 1 : 0);
  const keep = Math.max(0, Math.floor(maxCells / Math.max(1, window.hours * perWorkload)));
  const kept = ranked.slice(0, keep).sort((a, b) => a.workload.localeCompare(b.workload));
  const round = (values: Array<number | null>) => values.map((v) => (v === null ? null : roundKWh(v)));
  const history: EnergyHistory = {
    startHour: isoSeconds(window.startMs),
    hours: window.hours,
    series: kept.map(({ workload, values }) => {
      const idle = extra.idle?.get(workload);
      const estimated = extra.estimated?.get(workload);
      return {
        workload,
        kWh: round(values),
        ...(idle ? { idleKWh: round(idle) } : {}),
        ...(estimated ? { estimatedKWh: round(estimated) } : {}),
      };
    }),
  };
  if (extra.observedSinceMs !== undefined) history.observedSince = isoSeconds(extra.observedSinceMs);
  if (ranked.length > kept.length) history.seriesOmitted = ranked.length - kept.length;
  return history;
}
