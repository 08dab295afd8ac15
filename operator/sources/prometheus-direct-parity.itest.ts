// One Prometheus truth: a REAL Prometheus and the direct Kepler scrape read the same two fixture
// exporters (SIMULATED Kepler 0.11 output), and every workload gets the same energy through both within
// 1 %: a node with package + dram (+ core, never added on top of package) and a pod with a GPU, and a
// node without package where psys is counted alone (its dram series too is left out, as the direct
// scrape leaves it out).
import { KeplerEndpointSource } from './kepler-endpoint-source.js';
import {
  startSimulatedKepler,
  type SimulatedKepler,
  type FixturePod,
} from '../../hack/testenv/simulated-kepler.js';
import { PrometheusClient, PrometheusSource } from './prometheus-source.js';
import {
  freePort,
  prometheusAvailable,
  startTestPrometheus,
  type TestPrometheus,
} from '../../hack/testenv/prometheus.js';
import type { MetricsCollection } from './metrics-source.js';
import { bucketsOf } from './pod-hours.js';

const describeIfPrometheus = prometheusAvailable('prometheus-direct-parity.itest.ts')
  ? describe
  : describe.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const NODE_A: FixturePod[] = [
  { namespace: 'shop', name: 'web-1', uid: 'u-web-1', node: 'node-a', watts: { package: 10, dram: 2 } },
  { namespace: 'shop', name: 'web-2', uid: 'u-web-2', node: 'node-a', watts: { package: 30, core: 25 } },
  {
    namespace: 'ml',
    name: 'train-0',
    uid: 'u-train-0',
    node: 'node-a',
    watts: { package: 8, dram: 1 },
    gpuWatts: { '0': 60, '1': 45 },
  },
];
const NODE_B: FixturePod[] = [
  { namespace: 'shop', name: 'arm-1', uid: 'u-arm-1', node: 'node-b', watts: { psys: 20, dram: 3 } },
  { namespace: 'ml', name: 'infer-0', uid: 'u-infer-0', node: 'node-b', watts: { psys: 7 } },
];
const REFS = [...NODE_A, ...NODE_B].map((p) => ({ namespace: p.namespace, name: p.name, uid: p.uid }));
/** The same pods with the node each runs on, as the reconciler passes them: zones then come from the nodes' own series. */
const REFS_ON_NODES = [
  ...NODE_A.map((p) => ({ namespace: p.namespace, name: p.name, uid: p.uid, nodeName: 'node-a' })),
  ...NODE_B.map((p) => ({ namespace: p.namespace, name: p.name, uid: p.uid, nodeName: 'node-b' })),
];
/** Counted watts by construction: package + dram (not core) + GPUs on node-a, psys alone on node-b. */
const COUNTED_WATTS: Record<string, number> = {
  'shop/web-1': 12,
  'shop/web-2': 30,
  'ml/train-0': 114,
  'shop/arm-1': 20,
  'ml/infer-0': 7,
};

const kWh = (c: MetricsCollection, key: string, field: 'energy_kWh' | 'idleShare_kWh'): number =>
  (c.pods.has(key) ? bucketsOf(c.pods.get(key)!.hours) : []).reduce((s, h) => s + (h[field] ?? 0), 0);

describeIfPrometheus('Prometheus source and direct scrape: the same energy per workload', () => {
  // The exporters' clock: real time until the comparison freezes it.
  let frozenAtMs: number | undefined;
  const clock = (): number => frozenAtMs ?? Date.now();
  let a: SimulatedKepler;
  let b: SimulatedKepler;
  let prom: TestPrometheus;
  let client: PrometheusClient;
  let direct: KeplerEndpointSource;

  beforeAll(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    // Prometheus first, so that it scrapes the exporters from their first moment.
    prom = await startTestPrometheus({
      targets: [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`],
      scrapeInterval: '250ms',
    });
    client = await PrometheusClient.create({ url: prom.url, timeoutMs: 10_000 });
    for (let deadline = Date.now() + 60_000; ;) {
      try {
        if ((await client.query('vector(1)')).length === 1) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`Prometheus did not start in 60 s:\n${prom.log()}`);
      await sleep(200);
    }
    // The exporters answer 500 until Prometheus's scrape loops run (they start seconds after its API
    // answers): no sample exists before that, so Prometheus and the direct scrape see the counters from
    // the same moment. (A counter born long before Prometheus's first sample of it loses all but half a
    // scrape interval of its start to increase()'s extrapolation; that is not what this test compares.)
    a = await startSimulatedKepler({ pods: [], port: portA, nodeName: 'node-a', clock });
    b = await startSimulatedKepler({
      clock,
      pods: [],
      port: portB,
      nodeName: 'node-b',
      // A node without RAPL package: Kepler shows psys (and here dram) only.
      nodeIdleWatts: { psys: 15 },
    });
    a.setMode('error');
    b.setMode('error');
    for (let deadline = Date.now() + 60_000; ;) {
      const up = await client.query('count(up{job="kepler"})');
      if (up.length === 1 && up[0]!.v === 2) break;
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape the exporters:\n${prom.log()}`);
      await sleep(100);
    }
    // Every counter (pods and nodes) starts at 0 now; the direct baseline follows at once.
    for (const [exporter, pods] of [
      [a, NODE_A],
      [b, NODE_B],
    ] as const) {
      exporter.restartCounters();
      exporter.setPods(pods);
      exporter.setMode('ok');
    }
    direct = new KeplerEndpointSource({
      targets: [{ url: a.url }, { url: b.url }],
      scrapeIntervalMs: 60_000,
    });
    await direct.scrapeAll();
    // 40 s of samples (160 scrapes at 250 ms): one scrape interval is 0.6 % of the span.
    await sleep(40_000);
  }, 150_000);

  afterAll(async () => {
    await direct?.stop();
    await client?.close();
    await prom?.stop();
    await a?.stop();
    await b?.stop();
  });

  test('energy, idle share and power per workload agree within 1 %', async () => {
    // Stop the counters, then take the direct source's last scrape: both sources then end on the
    // same counter values, whatever the scrape and the machine's load add to the timing.
    frozenAtMs = Date.now();
    await direct.scrapeAll();
    const atMs = Date.now();
    // Let Prometheus store samples on both sides of atMs, then ask both sources for the same span.
    await sleep(1_500);
    const span = { pods: REFS, from: new Date(atMs - 3_600_000), to: new Date(atMs) };
    const d = await direct.collect(span);
    const p = await new PrometheusSource({ client }).collect(span);
    expect(d.errors).toEqual([]);
    expect(p.errors).toEqual([]);

    const figures = Object.keys(COUNTED_WATTS).map((key) => ({
      key,
      dJ: kWh(d, key, 'energy_kWh') * 3.6e6,
      pJ: kWh(p, key, 'energy_kWh') * 3.6e6,
      dIdle: kWh(d, key, 'idleShare_kWh') * 3.6e6,
      pIdle: kWh(p, key, 'idleShare_kWh') * 3.6e6,
      dW: d.pods.get(key)?.power_watts,
      pW: p.pods.get(key)?.power_watts,
    }));
    const pct = (x: number, ref: number): string => `${(((x - ref) / ref) * 100).toFixed(3)} %`;
    console.log(
      figures
        .map(
          (f) =>
            `${f.key}: energy direct ${f.dJ.toFixed(1)} J, prometheus ${f.pJ.toFixed(1)} J (${pct(f.pJ, f.dJ)}); ` +
            `idle share direct ${f.dIdle.toFixed(1)} J, prometheus ${f.pIdle.toFixed(1)} J (${pct(f.pIdle, f.dIdle)}); ` +
            `power direct ${f.dW} W, prometheus ${f.pW} W`,
        )
        .join('\n'),
    );
    for (const f of figures) {
      // The direct figure is what the exporter's counted zones give by construction (≈ 40 s × watts).
      expect(f.dJ / COUNTED_WATTS[f.key]!).toBeGreaterThan(38);
      expect(Math.abs(f.pJ - f.dJ) / f.dJ).toBeLessThan(0.01);
      expect(f.dIdle).toBeGreaterThan(0);
      expect(Math.abs(f.pIdle - f.dIdle) / f.dIdle).toBeLessThan(0.01);
      expect(f.dW).toBeCloseTo(COUNTED_WATTS[f.key]!, 9);
      expect(Math.abs(f.pW! - f.dW!) / f.dW!).toBeLessThan(0.01);
    }
    // Zones read from the nodes' own series (pods with their node, the reconciler's case) or from the
    // pods' series (no node given): the same figures.
    const onNodes = await new PrometheusSource({ client }).collect({ ...span, pods: REFS_ON_NODES });
    expect(onNodes.errors).toEqual([]);
    for (const f of figures) {
      expect(kWh(onNodes, f.key, 'energy_kWh') * 3.6e6).toBeCloseTo(f.pJ, 6);
      expect(kWh(onNodes, f.key, 'idleShare_kWh') * 3.6e6).toBeCloseTo(f.pIdle, 6);
      expect(onNodes.pods.get(f.key)?.power_watts).toBeCloseTo(f.pW!, 9);
    }
    expect(onNodes.zonesCounted).toEqual(p.zonesCounted);
    expect([...p.zonesCounted].sort()).toEqual([...d.zonesCounted].sort());
    expect([...p.zonesCounted].sort()).toEqual(['dram', 'gpu', 'package', 'psys']);
  }, 60_000);
});
