// Energy between two Kepler scrapes, and its split into UTC clock-hour buckets. Pure: every timestamp
// is passed in, nothing reads a clock.
// - Joule counters are preferred: energy = counter increase. A decrease means the counter restarted
//   from 0 (Kepler or container restart), so the new value is the increase; a node's raw RAPL counter
//   wraps at its max range instead, when that range is known (research/kepler.md §0.7).
// - Without counters, watts × elapsed time (trapezoid of the two gauges), over a bounded gap.
// - Implausible increases (Kepler issue #897 showed ~9e14 J counters) are dropped and flagged.
import type { HourlyEnergy } from '../engine/types.js';
import type { CounterSeries, KeplerSnapshot, PodEnergyReading } from './kepler-metrics.js';

export const JOULES_PER_KWH = 3.6e6;
const HOUR_MS = 3_600_000;

export interface EnergyReadingLike {
  key: string;
  counters: readonly CounterSeries[];
  wattsByZone: Record<string, number>;
}

export interface SnapshotLike<R extends EnergyReadingLike> {
  scrapedAtMs: number;
  readings: Iterable<R>;
}

export interface IntegrationOptions {
  /** Counter range in joules for series that wrap instead of resetting (node raw RAPL counters). */
  wrapJoules?: (seriesId: string) => number | undefined;
  /** Above this mean power a counter increase is treated as corrupt. Default 10 kW per series. */
  maxPlausibleWatts?: number;
  /** Watts × time only across gaps up to this long (a gauge says nothing about a long outage). Default 5 min. */
  maxWattsGapMs?: number;
}

export interface IntervalEnergy {
  key: string;
  fromMs: number;
  toMs: number;
  joules: number;
  method: 'counter' | 'watts';
  /** 'counter-reset', 'counter-wrap', 'new-series', 'implausible-increase', 'watts-gap-capped', … */
  flags: string[];
}

export interface CounterIncrease {
  joules: number;
  kind: 'increase' | 'reset' | 'wrap';
}

/** Increase of one counter between two readings. */
export function counterIncrease(previous: number, current: number, wrapJoules?: number): CounterIncrease {
  if (current >= previous) return { joules: current - previous, kind: 'increase' };
  if (wrapJoules !== undefined && wrapJoules > previous)
    return { joules: wrapJoules - previous + current, kind: 'wrap' };
  return { joules: current, kind: 'reset' };
}

/**
 * Energy of every reading between two snapshots. Readings absent from `current` (pods gone, terminated
 * series already cleared) contribute nothing; a series new in `current` counts its whole value (it began
 * after the previous scrape) unless that value is implausible for the interval, in which case it is the
 * baseline. With no previous snapshot there is no interval: the result is empty.
 */
export function integrateInterval<R extends EnergyReadingLike>(
  previous: SnapshotLike<R> | undefined,
  current: SnapshotLike<R>,
  options: IntegrationOptions = {},
): IntervalEnergy[] {
  if (!previous) return [];
  const fromMs = previous.scrapedAtMs;
  const toMs = current.scrapedAtMs;
  const elapsedMs = toMs - fromMs;
  if (!(elapsedMs > 0)) return [];
  const maxWatts = options.maxPlausibleWatts ?? 10_000;
  const maxJoules = (maxWatts * elapsedMs) / 1000;
  const maxWattsGapMs = options.maxWattsGapMs ?? 5 * 60_000;

  const prevByKey = new Map<string, R>();
  for (const r of previous.readings) prevByKey.set(r.key, r);

  const out: IntervalEnergy[] = [];
  for (const reading of current.readings) {
    const before = prevByKey.get(reading.key);
    const flags = new Set<string>();
    if (reading.counters.length > 0) {
      const prevCounters = new Map<string, number>();
      for (const c of before?.counters ?? []) prevCounters.set(c.seriesId, c.joules);
      let joules = 0;
      for (const c of reading.counters) {
        const prev = prevCounters.get(c.seriesId);
        let inc: number;
        if (prev === undefined) {
          inc = c.joules;
          flags.add('new-series');
        } else {
          const r = counterIncrease(prev, c.joules, options.wrapJoules?.(c.seriesId));
          inc = r.joules;
          if (r.kind === 'reset') flags.add('counter-reset');
          if (r.kind === 'wrap') flags.add('counter-wrap');
        }
        if (!Number.isFinite(inc) || inc < 0 || inc > maxJoules) {
          flags.add(prev === undefined ? 'new-series-baseline' : 'implausible-increase');
          continue;
        }
        joules += inc;
      }
      out.push({ key: reading.key, fromMs, toMs, joules, method: 'counter', flags: [...flags].sort() });
      continue;
    }
    const watts = sumWatts(reading.wattsByZone);
    if (watts === undefined) continue;
    const prevWatts = before ? sumWatts(before.wattsByZone) : undefined;
    const mean = prevWatts === undefined ? watts : (watts + prevWatts) / 2;
    let spanMs = elapsedMs;
    let spanFrom = fromMs;
    if (spanMs > maxWattsGapMs) {
      spanMs = maxWattsGapMs;
      spanFrom = toMs - maxWattsGapMs;
      flags.add('watts-gap-capped');
    }
    if (!Number.isFinite(mean) || mean < 0 || mean > maxWatts) {
      flags.add('implausible-watts');
      out.push({
        key: reading.key,
        fromMs: spanFrom,
        toMs,
        joules: 0,
        method: 'watts',
        flags: [...flags].sort(),
      });
      continue;
    }
    out.push({
      key: reading.key,
      fromMs: spanFrom,
      toMs,
      joules: (mean * spanMs) / 1000,
      method: 'watts',
      flags: [...flags].sort(),
    });
  }
  return out;
}

function sumWatts(byZone: Record<string, number>): number | undefined {
  let sum: number | undefined;
  for (const v of Object.values(byZone)) sum = (sum ?? 0) + v;
  return sum;
}

// A reconcile names the same few dozen hours for every pod (240,000 calls for 10,000 pods over 24 h):
// format each hour once. Bounded, so a long-running operator does not keep every hour it ever saw.
const hourStartCache = new Map<number, string>();

export function hourStartIso(ms: number): string {
  const hour = Math.floor(ms / HOUR_MS) * HOUR_MS;
  let iso = hourStartCache.get(hour);
  if (iso === undefined) {
    if (hourStartCache.size >= 1024) hourStartCache.clear();
    iso = new Date(hour).toISOString().replace('.000Z', 'Z');
    hourStartCache.set(hour, iso);
  }
  return iso;
}

/**
 * Splits energy spent evenly over [fromMs, toMs) into UTC clock hours, in kWh. The split is proportional
 * to the time inside each hour (the mean power is all two scrapes can tell).
 */
export function distributeToHours(fromMs: number, toMs: number, joules: number): HourlyEnergy[] {
  if (!(toMs > fromMs) || joules === 0) return [];
  const out: HourlyEnergy[] = [];
  const total = toMs - fromMs;
  let t = fromMs;
  while (t < toMs) {
    const hourEnd = (Math.floor(t / HOUR_MS) + 1) * HOUR_MS;
    const end = Math.min(hourEnd, toMs);
    out.push({ hourStart: hourStartIso(t), energy_kWh: (joules * ((end - t) / total)) / JOULES_PER_KWH });
    t = end;
  }
  return out;
}

/** Adds hourly series together (same hour start → summed), sorted by hour. */
export function mergeHourly(...series: ReadonlyArray<readonly HourlyEnergy[]>): HourlyEnergy[] {
  const byHour = new Map<string, number>();
  for (const list of series)
    for (const h of list) byHour.set(h.hourStart, (byHour.get(h.hourStart) ?? 0) + h.energy_kWh);
  return [...byHour.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([hourStart, energy_kWh]) => ({ hourStart, energy_kWh }));
}

/** Keeps only hours that start inside [fromMs, toMs) — for a policy window. */
export function hoursWithin(series: readonly HourlyEnergy[], fromMs: number, toMs: number): HourlyEnergy[] {
  const first = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  return series.filter((h) => {
    const t = Date.parse(h.hourStart);
    return t >= first && t < toMs;
  });
}

/** A snapshot's pods as integrator input. */
export function podReadings(snapshot: KeplerSnapshot): SnapshotLike<PodEnergyReading> {
  return { scrapedAtMs: snapshot.scrapedAtMs, readings: [...snapshot.pods.values()] };
}

/** A snapshot's nodes as integrator input (key = node name). */
export function nodeReadings(snapshot: KeplerSnapshot): SnapshotLike<EnergyReadingLike> {
  return {
    scrapedAtMs: snapshot.scrapedAtMs,
    readings: snapshot.nodes.map((n) => ({ key: n.name, counters: n.counters, wattsByZone: n.wattsByZone })),
  };
}
