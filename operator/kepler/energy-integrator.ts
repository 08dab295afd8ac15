// Energy between two Kepler scrapes, and its split into UTC clock-hour buckets. Pure: every timestamp
// is passed in, nothing reads a clock.
// - Joule counters are preferred: energy = counter increase. A decrease means the counter restarted
//   from 0 (Kepler or container restart), so the new value is the increase; a node's raw RAPL counter
//   wraps at its max range instead, when that range is known (docs/methodology.md § 2.2).
// - Without counters, watts × elapsed time (trapezoid of the two gauges), over a bounded gap.
// - Implausible increases (Kepler issue #897 showed ~9e14 J counters) are dropped and flagged.
import type { HourlyEnergy } from '../domain/types.js';
import type { CounterSeries, KeplerSnapshot, PodEnergyReading } from './kepler-metrics.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

export const JOULES_PER_KWH = 3.6e6;

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
  /** Active (dynamic) energy of the reading over [fromMs, toMs). */
  joules: number;
  /** Idle share over the same span: the reading's idle counters (0.7), or set by allocateNodeIdle (0.10+);
   * undefined when no idle figure exists for it. */
  idleJoules?: number | undefined;
  method: 'counter' | 'watts';
  /** 'counter-reset', 'counter-wrap', 'new-series', 'implausible-increase', 'gap-nan', 'absent-gap', … */
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

export interface CounterIntegratorOptions extends IntegrationOptions {
  /** A series not seen for longer than this is forgotten: when it returns it counts as new. Default 1 h. */
  forgetAfterMs?: number;
}

interface LastValue {
  joules: number;
  atMs: number;
}

/**
 * Energy from a sequence of scrapes of one Kepler endpoint (or of one set of files). Every counter
 * series keeps its last good value and when it was read, so:
 * - a reading missing from one scrape and back later counts only its increase since it was last seen
 *   (1,100 J → absent → 2,596 J is 1,496 J over the whole span, not 2,596 J);
 * - a NaN (or infinite) value is a gap: it neither counts nor moves the baseline, and the next good value
 *   is diffed against the last good one (a NaN is not a reset);
 * - a series seen for the first time after the first scrape began after the previous scrape and counts
 *   its whole value (unless implausible for that interval, then it is the baseline).
 * The first scrape only sets the baselines. Pure apart from its own state; no clock.
 */
export class CounterIntegrator<R extends EnergyReadingLike> {
  private readonly last = new Map<string, LastValue>();
  private readonly lastWatts = new Map<string, LastValue>();
  private previousScrapeMs: number | undefined;

  constructor(private readonly options: CounterIntegratorOptions = {}) {}

  /** Scrape time of the previous call, or undefined before the first. */
  get lastScrapeMs(): number | undefined {
    return this.previousScrapeMs;
  }

  next(current: SnapshotLike<R>): IntervalEnergy[] {
    const toMs = current.scrapedAtMs;
    const previousMs = this.previousScrapeMs;
    if (previousMs !== undefined && !(toMs > previousMs)) return [];
    const maxWatts = this.options.maxPlausibleWatts ?? 10_000;
    const maxWattsGapMs = this.options.maxWattsGapMs ?? 5 * 60_000;
    const out: IntervalEnergy[] = [];
    for (const reading of current.readings) {
      if (reading.counters.length > 0) {
        if (previousMs !== undefined) out.push(...this.counterIntervals(reading, previousMs, toMs, maxWatts));
        else this.remember(reading, toMs);
        continue;
      }
      const watts = sumWatts(reading.wattsByZone);
      if (watts === undefined) continue;
      const before = this.lastWatts.get(reading.key);
      if (Number.isFinite(watts)) this.lastWatts.set(reading.key, { joules: watts, atMs: toMs });
      if (previousMs === undefined) continue;
      const flags = new Set<string>();
      const prevWatts = before && before.atMs === previousMs ? before.joules : undefined;
      const mean = prevWatts === undefined ? watts : (watts + prevWatts) / 2;
      let spanFrom = previousMs;
      if (toMs - previousMs > maxWattsGapMs) {
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
        joules: (mean * (toMs - spanFrom)) / 1000,
        method: 'watts',
        flags: [...flags].sort(),
      });
    }
    this.previousScrapeMs = toMs;
    this.forget(toMs);
    return out;
  }

  private remember(reading: R, atMs: number): void {
    for (const c of reading.counters) {
      if (Number.isFinite(c.joules)) this.last.set(c.seriesId, { joules: c.joules, atMs });
    }
  }

  /** One interval per distinct start: normally one, more when some series were absent or NaN before. */
  private counterIntervals(reading: R, previousMs: number, toMs: number, maxWatts: number): IntervalEnergy[] {
    const byStart = new Map<number, { active: number; idle: number | undefined; flags: Set<string> }>();
    const slot = (fromMs: number) => {
      let entry = byStart.get(fromMs);
      if (!entry) {
        entry = { active: 0, idle: undefined, flags: new Set() };
        byStart.set(fromMs, entry);
      }
      return entry;
    };
    for (const c of reading.counters) {
      const before = this.last.get(c.seriesId);
      const fromMs = before?.atMs ?? previousMs;
      const entry = slot(fromMs);
      if (c.part === 'idle' && entry.idle === undefined) entry.idle = 0;
      if (!Number.isFinite(c.joules)) {
        entry.flags.add('gap-nan');
        continue;
      }
      if (before && before.atMs < previousMs) entry.flags.add('absent-gap');
      let inc: number;
      if (before === undefined) {
        inc = c.joules;
        entry.flags.add('new-series');
      } else {
        const r = counterIncrease(before.joules, c.joules, this.options.wrapJoules?.(c.seriesId));
        inc = r.joules;
        if (r.kind === 'reset') entry.flags.add('counter-reset');
        if (r.kind === 'wrap') entry.flags.add('counter-wrap');
      }
      // Updated in place: a new object per series per scrape (10,000 a round at 10,000 pods) lived until
      // the next round, so each one reached the old generation before it died.
      if (before) {
        before.joules = c.joules;
        before.atMs = toMs;
      } else this.last.set(c.seriesId, { joules: c.joules, atMs: toMs });
      const maxJoules = (maxWatts * (toMs - fromMs)) / 1000;
      if (!Number.isFinite(inc) || inc < 0 || inc > maxJoules) {
        entry.flags.add(before === undefined ? 'new-series-baseline' : 'implausible-increase');
        continue;
      }
      if (c.part === 'idle') entry.idle = (entry.idle ?? 0) + inc;
      else if (c.part !== 'total') entry.active += inc;
    }
    return [...byStart.entries()]
      .sort(([a], [b]) => a - b)
      .map(([fromMs, e]) => ({
        key: reading.key,
        fromMs,
        toMs,
        joules: e.active,
        ...(e.idle !== undefined ? { idleJoules: e.idle } : {}),
        method: 'counter' as const,
        flags: [...e.flags].sort(),
      }));
  }

  private forget(nowMs: number): void {
    const ttl = this.options.forgetAfterMs ?? HOUR_MS;
    if (!Number.isFinite(ttl)) return;
    for (const [id, v] of this.last) if (nowMs - v.atMs > ttl) this.last.delete(id);
    for (const [id, v] of this.lastWatts) if (nowMs - v.atMs > ttl) this.lastWatts.delete(id);
  }
}

/**
 * Kepler 0.10+ attributes no idle energy to pods: it is allocated here. Each pod interval gets the
 * idle increase of its node over the same scrape, times the pod's share of the active energy of all
 * the node's pods in that scrape; the shares of a node's pods sum to the node's idle increase.
 * Pods on a node without idle counters (or with no node) keep idleJoules undefined.
 */
export function allocateNodeIdle(
  podIntervals: readonly IntervalEnergy[],
  nodeOf: (podKey: string) => string | undefined,
  nodeIntervals: readonly IntervalEnergy[],
): IntervalEnergy[] {
  const nodeIdle = new Map<string, number>();
  for (const n of nodeIntervals) {
    if (n.idleJoules !== undefined) nodeIdle.set(n.key, (nodeIdle.get(n.key) ?? 0) + n.idleJoules);
  }
  const activeOnNode = new Map<string, number>();
  for (const p of podIntervals) {
    const node = nodeOf(p.key);
    if (node !== undefined) activeOnNode.set(node, (activeOnNode.get(node) ?? 0) + p.joules);
  }
  return podIntervals.map((p) => {
    const node = nodeOf(p.key);
    const idle = node === undefined ? undefined : nodeIdle.get(node);
    if (idle === undefined) {
      const { idleJoules: _dropped, ...rest } = p;
      return rest;
    }
    const active = activeOnNode.get(node!) ?? 0;
    return { ...p, idleJoules: active > 0 ? (idle * p.joules) / active : 0 };
  });
}

/** The same split for one snapshot's gauges: a pod's share of its node's idle watts. */
export function allocateNodeIdleWatts(
  pods: ReadonlyArray<{ key: string; node: string | undefined; activeWatts: number }>,
  nodeIdleWatts: ReadonlyMap<string, number>,
): Map<string, number | undefined> {
  const activeOnNode = new Map<string, number>();
  for (const p of pods) {
    if (p.node !== undefined) activeOnNode.set(p.node, (activeOnNode.get(p.node) ?? 0) + p.activeWatts);
  }
  const out = new Map<string, number | undefined>();
  for (const p of pods) {
    const idle = p.node === undefined ? undefined : nodeIdleWatts.get(p.node);
    const active = p.node === undefined ? 0 : (activeOnNode.get(p.node) ?? 0);
    out.set(p.key, idle === undefined ? undefined : active > 0 ? (idle * p.activeWatts) / active : 0);
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
    iso = isoSeconds(hour);
    hourStartCache.set(hour, iso);
  }
  return iso;
}

/**
 * Splits energy spent evenly over [fromMs, toMs) into UTC clock hours, in kWh. The split is proportional
 * to the time inside each hour (the mean power is all two scrapes can tell). An idle share, when given,
 * is split the same way into idleShare_kWh.
 */
export function distributeToHours(
  fromMs: number,
  toMs: number,
  joules: number,
  idleJoules?: number,
): HourlyEnergy[] {
  const out: HourlyEnergy[] = [];
  forEachHourShare(fromMs, toMs, joules, idleJoules, (hourMs, energy_kWh, idleShare_kWh) => {
    const bucket: HourlyEnergy = { hourStart: hourStartIso(hourMs), energy_kWh };
    if (idleShare_kWh !== undefined) bucket.idleShare_kWh = idleShare_kWh;
    out.push(bucket);
  });
  return out;
}

/**
 * The split of distributeToHours without building bucket objects: calls `emit` once per UTC hour with
 * the hour's start (ms) and its kWh (and idle kWh when an idle share is given). Same arithmetic.
 */
export function forEachHourShare(
  fromMs: number,
  toMs: number,
  joules: number,
  idleJoules: number | undefined,
  emit: (hourStartMs: number, energy_kWh: number, idleShare_kWh: number | undefined) => void,
): void {
  if (!(toMs > fromMs) || (joules === 0 && !idleJoules)) return;
  const total = toMs - fromMs;
  let t = fromMs;
  while (t < toMs) {
    const hourStart = Math.floor(t / HOUR_MS) * HOUR_MS;
    const end = Math.min(hourStart + HOUR_MS, toMs);
    const share = (end - t) / total;
    emit(
      hourStart,
      (joules * share) / JOULES_PER_KWH,
      idleJoules !== undefined ? (idleJoules * share) / JOULES_PER_KWH : undefined,
    );
    t = end;
  }
}

/** Adds hourly series together (same hour start → summed; idle shares summed where present), sorted by hour. */
export function mergeHourly(...series: ReadonlyArray<readonly HourlyEnergy[]>): HourlyEnergy[] {
  const byHour = new Map<string, HourlyEnergy>();
  for (const list of series) {
    for (const h of list) {
      const sum = byHour.get(h.hourStart);
      if (!sum) {
        byHour.set(h.hourStart, { ...h });
        continue;
      }
      sum.energy_kWh += h.energy_kWh;
      if (h.idleShare_kWh !== undefined) sum.idleShare_kWh = (sum.idleShare_kWh ?? 0) + h.idleShare_kWh;
    }
  }
  return [...byHour.values()].sort((a, b) =>
    a.hourStart < b.hourStart ? -1 : a.hourStart > b.hourStart ? 1 : 0,
  );
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
  return { scrapedAtMs: snapshot.scrapedAtMs, readings: snapshot.pods.values() };
}

/** A snapshot's nodes as integrator input (key = node name). */
export function nodeReadings(snapshot: KeplerSnapshot): SnapshotLike<EnergyReadingLike> {
  return {
    scrapedAtMs: snapshot.scrapedAtMs,
    readings: snapshot.nodes.map((n) => ({ key: n.name, counters: n.counters, wattsByZone: n.wattsByZone })),
  };
}
