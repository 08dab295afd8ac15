import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseExposition } from './exposition-parser.js';
import {
  counterIncrease,
  distributeToHours,
  hoursWithin,
  CounterIntegrator,
  JOULES_PER_KWH,
  mergeHourly,
  podReadings,
  type EnergyReadingLike,
  type IntegrationOptions,
  type SnapshotLike,
} from './energy-integrator.js';
import { interpretKeplerScrape } from './kepler-metrics.js';
import { rangeJsonToExposition } from '../../hack/testenv/range-json-exposition.js';
import { HOUR_MS } from '../domain/time.js';

/** Energy between two scrapes: a CounterIntegrator given the two in turn. */
function integrateInterval<R extends EnergyReadingLike>(
  previous: SnapshotLike<R> | undefined,
  current: SnapshotLike<R>,
  options: IntegrationOptions = {},
) {
  if (!previous) return [];
  const integrator = new CounterIntegrator<R>({ ...options, forgetAfterMs: Infinity });
  integrator.next(previous);
  return integrator.next(current);
}
const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);

function reading(
  key: string,
  counters: Record<string, number>,
  watts: Record<string, number> = {},
): EnergyReadingLike {
  return {
    key,
    counters: Object.entries(counters).map(([seriesId, joules]) => ({
      seriesId,
      zone: seriesId.split('|')[1] ?? 'package',
      joules,
    })),
    wattsByZone: watts,
  };
}
const snap = (atMs: number, ...readings: EnergyReadingLike[]) => ({ scrapedAtMs: atMs, readings });

describe('counterIncrease', () => {
  test('plain increase, reset to zero, wrap at a known range', () => {
    expect(counterIncrease(100, 130)).toEqual({ joules: 30, kind: 'increase' });
    // A decrease is a restart from 0: all of the new value was spent since.
    expect(counterIncrease(100, 12)).toEqual({ joules: 12, kind: 'reset' });
    // RAPL energy_uj wraps at max_energy_range_uj (here 262143.328850 J): 262100 → 50 is 93.32885 J.
    const w = counterIncrease(262100, 50, 262143.32885);
    expect(w.kind).toBe('wrap');
    expect(w.joules).toBeCloseTo(93.32885, 6);
  });
});

describe('integrateInterval', () => {
  test('no previous snapshot: baseline only, no energy', () => {
    expect(integrateInterval(undefined, snap(T0, reading('a', { 'a|package': 500 })))).toEqual([]);
  });

  test('counter increases summed over series, reset and new series flagged', () => {
    const prev = snap(T0, reading('a', { 'a|package': 1000, 'a|dram': 100 }));
    const cur = snap(T0 + 60_000, reading('a', { 'a|package': 1600, 'a|dram': 40, 'a|gpu': 30 }));
    const [r] = integrateInterval(prev, cur);
    // package +600, dram reset → 40, gpu new → 30.
    expect(r).toEqual({
      key: 'a',
      fromMs: T0,
      toMs: T0 + 60_000,
      joules: 670,
      method: 'counter',
      flags: ['counter-reset', 'new-series'],
    });
  });

  test('a restarted container is a new series of the pod, not a reset of the pod total', () => {
    const prev = snap(T0, reading('p', { 'ctr:old|package': 5000, 'ctr:side|package': 200 }));
    const cur = snap(T0 + 30_000, reading('p', { 'ctr:new|package': 15, 'ctr:side|package': 230 }));
    expect(integrateInterval(prev, cur)[0]!.joules).toBe(45);
  });

  test('terminated pods: the terminated copy continues the running series; gone pods add nothing', () => {
    const prev = snap(
      T0,
      reading('ns/job/u1', { 'pod:ns/job/u1|zone=package': 4000 }),
      reading('ns/gone/u2', { x: 9 }),
    );
    const cur = snap(T0 + 5_000, reading('ns/job/u1', { 'pod:ns/job/u1|zone=package': 4320 }));
    expect(integrateInterval(prev, cur)).toEqual([
      { key: 'ns/job/u1', fromMs: T0, toMs: T0 + 5_000, joules: 320, method: 'counter', flags: [] },
    ]);
  });

  test('implausible increases are dropped and flagged', () => {
    const prev = snap(T0, reading('a', { s: 10 }));
    const cur = snap(T0 + 1_000, reading('a', { s: 9.22e14 }));
    expect(integrateInterval(prev, cur)[0]).toMatchObject({ joules: 0, flags: ['implausible-increase'] });
    // A new series whose value could not have been spent in the interval is a baseline.
    const cur2 = snap(T0 + 1_000, reading('a', { s: 20, t: 5e6 }));
    expect(integrateInterval(prev, cur2)[0]).toMatchObject({
      joules: 10,
      flags: ['new-series', 'new-series-baseline'],
    });
  });

  test('wraps only where the range is known', () => {
    const prev = snap(T0, reading('node', { raw: 262100 }));
    const cur = snap(T0 + 10_000, reading('node', { raw: 50 }));
    const r = integrateInterval(prev, cur, {
      wrapJoules: (id) => (id === 'raw' ? 262143.32885 : undefined),
    })[0]!;
    expect(r.flags).toEqual(['counter-wrap']);
    expect(r.joules).toBeCloseTo(93.32885, 6);
  });

  test('without counters: trapezoid of watts × elapsed, gaps capped', () => {
    const prev = snap(T0, reading('w', {}, { package: 10, dram: 2 }));
    const cur = snap(T0 + 60_000, reading('w', {}, { package: 14, dram: 2 }));
    // mean (12 + 16) / 2 = 14 W over 60 s = 840 J.
    expect(integrateInterval(prev, cur)[0]).toMatchObject({ joules: 840, method: 'watts', flags: [] });
    const late = snap(T0 + 3 * HOUR_MS, reading('w', {}, { package: 14, dram: 2 }));
    // 3 h gap: only the last 5 minutes are integrated: 14 W × 300 s = 4200 J.
    expect(integrateInterval(prev, late)[0]).toMatchObject({
      fromMs: T0 + 3 * HOUR_MS - 300_000,
      joules: 4200,
      flags: ['watts-gap-capped'],
    });
  });

  test('Kepler 0.11 fixture: a pod that grows by 360 J in 30 s', () => {
    const text = readFileSync(
      new URL('../../hack/testenv/data/kepler/kepler-v0.11-SYNTHETIC-from-code.prom', import.meta.url),
      'utf8',
    );
    const later = text
      .replace(
        'pod_namespace="shop",state="running",zone="package"} 10800.25',
        'pod_namespace="shop",state="running",zone="package"} 11160.25',
      )
      .replace(
        'pod_namespace="shop",state="running",zone="dram"} 1620.5',
        'pod_namespace="shop",state="running",zone="dram"} 1674.5',
      );
    const a = interpretKeplerScrape(parseExposition(text), { scrapedAtMs: T0 });
    const b = interpretKeplerScrape(parseExposition(later), { scrapedAtMs: T0 + 30_000 });
    const byKey = new Map(integrateInterval(podReadings(a), podReadings(b)).map((r) => [r.key, r.joules]));
    expect(byKey.get('shop/web-7d9f8b6c5-x2k4p/3f2a9c1e-7b4d-4e8a-9f61-2c5d8e7a1b90')).toBeCloseTo(414, 9); // 360 + 54
    expect(byKey.get('kepler/kepler-q8x2m/8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f')).toBe(0);
  });

  test('real Kepler 0.7 data: coredns between the first and last samples (87 s)', () => {
    const json = readFileSync(
      new URL('../../hack/testenv/data/kepler/kepler-v0.7-model-server-idle.promapi.json', import.meta.url),
      'utf8',
    );
    const at = (t: number) =>
      interpretKeplerScrape(parseExposition(rangeJsonToExposition(json, t)), { scrapedAtMs: t * 1000 });
    const rows = integrateInterval(podReadings(at(1702462599)), podReadings(at(1702462686)));
    const coredns = rows.find((r) => r.key === 'kube-system/coredns-565d847f94-lgfg6')!;
    // Active: dynamic 39.246 J − 32.733 J; idle share beside it: 1293.969 J − 1043.514 J (hand sums
    // over package+dram+other+gpu of the fixture). No reset in this pod's series.
    expect(coredns.joules).toBeCloseTo(6.513, 6);
    expect(coredns.idleJoules).toBeCloseTo(250.455, 6);
    expect(coredns.flags).toEqual([]);
    expect(coredns.toMs - coredns.fromMs).toBe(87_000);
  });
});

describe('hourly buckets', () => {
  test('an interval across an hour boundary splits by time', () => {
    const from = Date.UTC(2026, 2, 1, 9, 45);
    const to = Date.UTC(2026, 2, 1, 10, 15);
    const hours = distributeToHours(from, to, 3.6e6); // 1 kWh over 30 min
    expect(hours).toEqual([
      { hourStart: '2026-03-01T09:00:00Z', energy_kWh: 0.5 },
      { hourStart: '2026-03-01T10:00:00Z', energy_kWh: 0.5 },
    ]);
    const long = distributeToHours(
      Date.UTC(2026, 2, 1, 23, 30),
      Date.UTC(2026, 2, 2, 2, 0),
      2.5 * JOULES_PER_KWH,
    );
    expect(long.map((h) => [h.hourStart, +h.energy_kWh.toFixed(12)])).toEqual([
      ['2026-03-01T23:00:00Z', 0.5],
      ['2026-03-02T00:00:00Z', 1],
      ['2026-03-02T01:00:00Z', 1],
    ]);
  });

  test('merge sums equal hours and sorts; window filter keeps hours that start inside', () => {
    const a = [{ hourStart: '2026-03-01T10:00:00Z', energy_kWh: 1 }];
    const b = [
      { hourStart: '2026-03-01T09:00:00Z', energy_kWh: 2 },
      { hourStart: '2026-03-01T10:00:00Z', energy_kWh: 0.5 },
    ];
    expect(mergeHourly(a, b)).toEqual([
      { hourStart: '2026-03-01T09:00:00Z', energy_kWh: 2 },
      { hourStart: '2026-03-01T10:00:00Z', energy_kWh: 1.5 },
    ]);
    expect(
      hoursWithin(mergeHourly(a, b), Date.UTC(2026, 2, 1, 10, 30), Date.UTC(2026, 2, 1, 12)),
    ).toHaveLength(1);
  });

  test('property: buckets conserve energy and stay inside the interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * HOUR_MS }),
        fc.integer({ min: 1, max: 30 * HOUR_MS }),
        fc.double({ min: 0.001, max: 1e9, noNaN: true }),
        (offset, span, joules) => {
          const from = T0 + offset;
          const hours = distributeToHours(from, from + span, joules);
          const sum = hours.reduce((s, h) => s + h.energy_kWh, 0);
          expect(sum * JOULES_PER_KWH).toBeCloseTo(
            joules,
            Math.max(0, 6 - Math.ceil(Math.log10(joules + 1))),
          );
          for (const h of hours) {
            const t = Date.parse(h.hourStart);
            expect(t + HOUR_MS).toBeGreaterThan(from);
            expect(t).toBeLessThan(from + span);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
