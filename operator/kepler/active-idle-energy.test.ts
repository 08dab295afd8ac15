// Energy has one meaning for every Kepler generation: the pod's ACTIVE energy; its share of node idle
// energy is reported beside it. And a counter series missing from a scrape (absent or NaN) is a gap,
// not a reset.
import { readFileSync } from 'node:fs';
import {
  allocateNodeIdle,
  CounterIntegrator,
  nodeReadings,
  podReadings,
  type IntervalEnergy,
} from './energy-integrator.js';
import { parseExposition } from './exposition-parser.js';
import { interpretKeplerScrape, type KeplerSnapshot, type PodEnergyReading } from './kepler-metrics.js';

const T0 = Date.UTC(2026, 4, 4, 10, 0, 0);
const UID = '3f2a9c1e-7b4d-4e8a-9f61-2c5d8e7a1b90';

function snapshot(text: string, atMs: number): KeplerSnapshot {
  return interpretKeplerScrape(parseExposition(text), { scrapedAtMs: atMs });
}

/**
 * One physical load, written as each Kepler generation exports it (label sets as in docs/methodology.md
 * § 2.2–2.6): pod shop/web draws `pkg` J and `dram` J of active energy; the node's idle energy so far is
 * `idlePkg`/`idleDram` J; Kepler 0.7 attributes `podIdle` J of it to the pod's container.
 */
function legacyText(a: { pkg: number; dram: number; podIdle: number; idlePkg: number }): string {
  const ctr =
    'container_id="1a2b",container_name="web",container_namespace="shop",pod_name="web-7d9f8b6c5-x2k4p"';
  return `kepler_exporter_build_info{branch="",goversion="go1.21",revision="3eb6297",version="v0.7.12"} 1
kepler_container_package_joules_total{${ctr},mode="dynamic",source="rapl-sysfs"} ${a.pkg}
kepler_container_package_joules_total{${ctr},mode="idle",source="rapl-sysfs"} ${a.podIdle}
kepler_container_dram_joules_total{${ctr},mode="dynamic",source="rapl-sysfs"} ${a.dram}
kepler_container_dram_joules_total{${ctr},mode="idle",source="rapl-sysfs"} 0
kepler_container_joules_total{${ctr},mode="dynamic",source=""} ${a.pkg + a.dram}
kepler_container_joules_total{${ctr},mode="idle",source=""} ${a.podIdle}
kepler_node_package_joules_total{instance="worker-1",mode="dynamic",package="0",source="rapl-sysfs"} ${a.pkg * 1.25}
kepler_node_package_joules_total{instance="worker-1",mode="idle",package="0",source="rapl-sysfs"} ${a.idlePkg}
`;
}

function rewriteText(a: {
  pkg: number;
  dram: number;
  idlePkg: number;
  idleDram: number;
  other?: number;
}): string {
  const pod = (name: string, uid: string, zone: string, v: number) =>
    `kepler_pod_cpu_joules_total{node_name="worker-1",pod_id="${uid}",pod_name="${name}",pod_namespace="shop",state="running",zone="${zone}"} ${v}`;
  const lines = [
    'kepler_build_info{arch="amd64",branch="",goversion="go1.24.9",revision="cdef473",version="v0.11.4"} 1',
    `kepler_node_cpu_active_joules_total{node_name="worker-1",path="/host/sys/class/powercap/intel-rapl:0",zone="package"} ${a.pkg * 1.25}`,
    `kepler_node_cpu_idle_joules_total{node_name="worker-1",path="/host/sys/class/powercap/intel-rapl:0",zone="package"} ${a.idlePkg}`,
    `kepler_node_cpu_idle_joules_total{node_name="worker-1",path="/host/sys/class/powercap/intel-rapl:0:0",zone="dram"} ${a.idleDram}`,
    pod('web-7d9f8b6c5-x2k4p', UID, 'dram', a.dram),
    pod('web-7d9f8b6c5-x2k4p', UID, 'package', a.pkg),
  ];
  if (a.other !== undefined)
    lines.push(pod('cache-0', '8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', 'package', a.other));
  return `${lines.join('\n')}\n`;
}

function onlyPod(intervals: IntervalEnergy[], prefix: string): IntervalEnergy {
  const found = intervals.filter((i) => i.key.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('one meaning of energy across Kepler generations', () => {
  test('the same physical load reads the same active energy from a 0.7 and a 0.10+ exposition', () => {
    // 60 s at 12 W package + 1.8 W dram of active power; node idle 90 W (package).
    const before = { pkg: 10_000, dram: 1_500, podIdle: 40_000, idlePkg: 80_000, idleDram: 12_000 };
    const after = { pkg: 10_720, dram: 1_608, podIdle: 42_700, idlePkg: 85_400, idleDram: 12_000 };
    const legacy = new CounterIntegrator();
    legacy.next(podReadings(snapshot(legacyText(before), T0)));
    const legacyPod = onlyPod(legacy.next(podReadings(snapshot(legacyText(after), T0 + 60_000))), 'shop/web');

    const rewrite = new CounterIntegrator();
    rewrite.next(podReadings(snapshot(rewriteText(before), T0)));
    const rewritePod = onlyPod(
      rewrite.next(podReadings(snapshot(rewriteText(after), T0 + 60_000))),
      'shop/web',
    );

    // Active: 720 J + 108 J = 828 J from both (today 0.7 read 828 + 2,700 J: 4.3× the 0.10 figure).
    expect(legacyPod.joules).toBeCloseTo(828, 9);
    expect(rewritePod.joules).toBeCloseTo(828, 9);
    // 0.7: the idle share is Kepler's own mode="idle" counter increase, beside the active energy.
    expect(legacyPod.idleJoules).toBeCloseTo(2_700, 9);
    // 0.10+: pods carry no idle of their own until the node's idle is allocated.
    expect(rewritePod.idleJoules).toBeUndefined();
  });

  test('0.10+: node idle is allocated by active-energy share and the shares sum to the node idle', () => {
    const fixture = readFileSync(
      new URL('../../hack/testenv/data/kepler/kepler-v0.11-SYNTHETIC-from-code.prom', import.meta.url),
      'utf8',
    );
    // A second scrape 30 s later: every counter of the real-shaped fixture grows by a different amount.
    const grow = (text: string) =>
      text.replace(
        /^(kepler_(?:pod|node)_cpu_(?:active_|idle_)?joules_total\{[^}]*zone="(package|dram)"[^}]*\}) ([0-9.e+]+)$/gm,
        (_m, head: string, zone: string, value: string) => {
          if (head.includes('state="terminated"')) return `${head} ${value}`;
          const idle = head.includes('_idle_');
          const pod = head.startsWith('kepler_pod');
          const inc = idle
            ? zone === 'package'
              ? 2_700
              : 405
            : pod
              ? head.includes('web-')
                ? 360
                : 45
              : 1_000;
          return `${head} ${Number(value) + inc}`;
        },
      );
    const first = snapshot(fixture, T0);
    const second = snapshot(grow(fixture), T0 + 30_000);
    expect(second.idleShare.method).toBe('node-idle-allocation');
    const pods = new CounterIntegrator<PodEnergyReading>();
    const nodes = new CounterIntegrator();
    pods.next(podReadings(first));
    nodes.next(nodeReadings(first));
    const podIntervals = pods.next(podReadings(second));
    const nodeIntervals = nodes.next(nodeReadings(second));
    const nodeOf = (key: string) => second.pods.get(key)?.node;
    const allocated = allocateNodeIdle(podIntervals, nodeOf, nodeIntervals);
    const nodeIdle = nodeIntervals.reduce((s, n) => s + (n.idleJoules ?? 0), 0);
    expect(nodeIdle).toBeCloseTo(2_700 + 405, 6);
    const sum = allocated.reduce((s, p) => s + (p.idleJoules ?? 0), 0);
    expect(Math.abs(sum - nodeIdle) / nodeIdle).toBeLessThan(0.005);
    // web drew 720 J of the 810 J active (web 360+360, kepler 45+45; the terminated batch pod no longer grows).
    const web = allocated.find((p) => p.key.startsWith('shop/web'))!;
    expect(web.joules).toBeCloseTo(720, 6);
    expect(web.idleJoules).toBeCloseTo((3_105 * 720) / 810, 6);
  });

  test('0.10+ without node idle counters: the idle share is unavailable, not guessed', () => {
    const text = rewriteText({ pkg: 1, dram: 1, idlePkg: 1, idleDram: 1 }).replace(
      /^kepler_node_cpu_idle.*\n/gm,
      '',
    );
    const s = snapshot(text, T0);
    expect(s.idleShare.method).toBe('unavailable');
    const allocated = allocateNodeIdle(
      [{ key: 'shop/web', fromMs: 0, toMs: 1, joules: 5, method: 'counter', flags: [] }],
      () => 'worker-1',
      [{ key: 'worker-1', fromMs: 0, toMs: 1, joules: 5, method: 'counter', flags: [] }],
    );
    expect(allocated[0]!.idleJoules).toBeUndefined();
  });

  test('0.7 with all idle counters at 0 (EXPOSE_ESTIMATED_IDLE_POWER_METRICS off): unavailable', () => {
    const s = snapshot(legacyText({ pkg: 5, dram: 1, podIdle: 0, idlePkg: 9 }), T0);
    expect(s.idleShare.method).toBe('unavailable');
    expect([...s.pods.values()][0]!.counters.some((c) => c.part === 'idle')).toBe(false);
  });
});

describe('gaps across N scrapes', () => {
  const pod = (joules: number) =>
    `kepler_build_info{version="v0.11.4"} 1\n` +
    `kepler_pod_cpu_joules_total{node_name="n",pod_id="u",pod_name="job-abcde",pod_namespace="ns",state="running",zone="package"} ${joules}\n`;
  const other = `kepler_build_info{version="v0.11.4"} 1\nkepler_pod_cpu_joules_total{node_name="n",pod_id="v",pod_name="x",pod_namespace="ns",state="running",zone="package"} 1\n`;

  test('a pod missing from one scrape and back later counts its increase once (1,100 → absent → 2,596 J = 1,496 J)', () => {
    const integrator = new CounterIntegrator();
    integrator.next(podReadings(snapshot(pod(1_100), T0)));
    const missing = integrator.next(podReadings(snapshot(other, T0 + 30_000)));
    expect(missing.filter((i) => i.key.startsWith('ns/job'))).toEqual([]);
    const back = onlyPod(integrator.next(podReadings(snapshot(pod(2_596), T0 + 60_000))), 'ns/job');
    expect(back.joules).toBeCloseTo(1_496, 9);
    // The increase spans the whole time since the pod was last seen, and says so.
    expect(back.fromMs).toBe(T0);
    expect(back.flags).toContain('absent-gap');
  });

  test('NaN is a gap, not a reset', () => {
    const integrator = new CounterIntegrator();
    integrator.next(podReadings(snapshot(pod(1_100), T0)));
    const gap = onlyPod(integrator.next(podReadings(snapshot(pod(NaN), T0 + 30_000))), 'ns/job');
    expect(gap.joules).toBe(0);
    expect(gap.flags).toContain('gap-nan');
    const back = onlyPod(integrator.next(podReadings(snapshot(pod(2_596), T0 + 60_000))), 'ns/job');
    expect(back.joules).toBeCloseTo(1_496, 9);
    expect(back.flags).not.toContain('counter-reset');
  });

  test('a real reset after a gap still counts the new value', () => {
    const integrator = new CounterIntegrator();
    integrator.next(podReadings(snapshot(pod(1_100), T0)));
    integrator.next(podReadings(snapshot(other, T0 + 30_000)));
    const back = onlyPod(integrator.next(podReadings(snapshot(pod(300), T0 + 60_000))), 'ns/job');
    expect(back.joules).toBe(300);
    expect(back.flags).toContain('counter-reset');
  });
});
