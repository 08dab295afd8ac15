// The Prometheus source against a REAL Prometheus (Debian package binary, started here on a loopback
// port with a temporary config and storage) scraping the simulated Kepler every second.
import { startSimulatedKepler, type SimulatedKepler } from '../../hack/testenv/simulated-kepler.js';
import { podEnergyQuery, PrometheusClient, PrometheusSource, promqlString } from './prometheus-source.js';
import {
  freePort,
  prometheusAvailable,
  startTestPrometheus,
  type TestPrometheus,
} from '../../hack/testenv/prometheus.js';
import { bucketsOf } from './pod-hours.js';

const describeIfPrometheus = prometheusAvailable('prometheus-source.itest.ts') ? describe : describe.skip;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeIfPrometheus('PrometheusSource with a real Prometheus', () => {
  let exporter: SimulatedKepler;
  /** A node whose Kepler counters never move (no RAPL readings): the CCF fallback's case. */
  let zeroNode: SimulatedKepler;
  let prom: TestPrometheus;
  let client: PrometheusClient;

  beforeAll(async () => {
    exporter = await startSimulatedKepler({
      pods: [
        { namespace: 'shop', name: 'web-1', uid: 'uid-web-1', watts: { package: 10, dram: 2 } },
        { namespace: 'shop', name: 'web-2', uid: 'uid-web-2', watts: { package: 30, core: 25 } },
        { namespace: 'other', name: 'web-1', uid: 'uid-other', watts: { package: 99 } },
      ],
    });
    zeroNode = await startSimulatedKepler({
      pods: [{ namespace: 'zero', name: 'idle-1', uid: 'uid-idle-1', watts: { package: 0 } }],
      nodeName: 'zero-node',
      nodeIdleWatts: { package: 0 },
    });
    prom = await startTestPrometheus({
      targets: [`127.0.0.1:${exporter.port}`, `127.0.0.1:${zeroNode.port}`],
      scrapeInterval: '1s',
    });
    client = await PrometheusClient.create({ url: prom.url, timeoutMs: 5_000 });
    // Wait until Prometheus has several samples of the pod counters.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const r = await client.query(
          'count_over_time(kepler_pod_cpu_joules_total{pod_name="web-1",zone="package"}[1m])',
        );
        if (r.length > 0 && r[0]!.v >= 6) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline)
        throw new Error(`Prometheus did not collect samples in 60 s:\n${prom.log()}`);
      await sleep(500);
    }
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await prom?.stop();
    await exporter?.stop();
    await zeroNode?.stop();
  });

  test('tells which nodes Kepler measures: counters that move, counters that never do, no series', async () => {
    const now = Date.now();
    const c = await new PrometheusSource({ client }).collect({
      pods: [{ namespace: 'shop', name: 'web-1' }],
      from: new Date(now - 3_600_000),
      to: new Date(now),
    });
    expect(c.nodeReadings?.get('fixture-node')).toEqual({
      measured: true,
      reason: 'Kepler zones core, dram, package',
    });
    expect(c.nodeReadings?.get('zero-node')).toEqual({
      measured: false,
      reason: "Kepler's energy counters for this node did not move in the last hour",
    });
    expect(c.nodeReadings?.has('node-without-kepler')).toBe(false);
  });

  test('stored samples are what the exporter emitted', async () => {
    const [value] = await client.query(
      'kepler_pod_cpu_joules_total{pod_namespace="shop",pod_name="web-1",zone="package"}',
    );
    const [ts] = await client.query(
      'timestamp(kepler_pod_cpu_joules_total{pod_namespace="shop",pod_name="web-1",zone="package"})',
    );
    const sampleMs = ts!.v * 1000;
    // 10 W since the exporter started; Prometheus stamps the scrape start, the exporter answers ms later.
    expect(Math.abs(value!.v - exporter.expectedPodJoules('uid-web-1', sampleMs) * (10 / 12))).toBeLessThan(
      1,
    );
  });

  test('hostile label values survive promqlString through the real PromQL parser', async () => {
    for (const hostile of [
      'a"b',
      'back\\slash',
      'two\nlines',
      '"}) or vector(1) #',
      'tab\t\r\u0001',
      '한국어',
    ]) {
      const r = await client.query(`label_replace(vector(1), "v", ${promqlString(hostile)}, "", "")`);
      expect(r.map((s) => s.metric.v)).toEqual([hostile]);
    }
    // A namespace that tries to break out of the matcher selects nothing instead of everything.
    const injected = await client.query(
      podEnergyQuery('rewrite', { namespace: 'shop"} or kepler_pod_cpu_joules_total{a="' }, '1m'),
    );
    expect(injected).toEqual([]);
  });

  test('pods asked in batches add up to the same collection as one query per namespace', async () => {
    // Evaluated 3 s back (1 s scrapes), so no scrape lands inside the evaluated span between the two
    // collections.
    await sleep(4_000);
    const toMs = Date.now() - 3_000;
    const req = {
      pods: [
        { namespace: 'shop', name: 'web-1' },
        { namespace: 'shop', name: 'web-2' },
        { namespace: 'shop', name: 'absent' },
      ],
      from: new Date(toMs - 3_600_000),
      to: new Date(toMs),
    };
    const whole = await new PrometheusSource({ client }).collect(req);
    const batched = await new PrometheusSource({ client, podsPerQuery: 1 }).collect(req);
    expect(whole.pods.size).toBe(2);
    expect(batched).toEqual(whole);
  });

  test('per-pod energy per hour matches the exporter (package + dram only, namespaces apart)', async () => {
    const source = new PrometheusSource({ client });
    const nowMs = Date.now();
    const c = await source.collect({
      pods: [
        { namespace: 'shop', name: 'web-1' },
        { namespace: 'shop', name: 'web-2' },
        { namespace: 'shop', name: 'absent' },
      ],
      from: new Date(nowMs - 3_600_000),
      to: new Date(nowMs),
    });
    const kWh = (ns: string, pod: string) =>
      bucketsOf(c.pods.get(`${ns}/${pod}`)!.hours).reduce((s, h) => s + h.energy_kWh, 0);
    // What Prometheus holds for web-1 over the same span: first and last stored samples.
    const span = await client.query(
      'max_over_time(timestamp(kepler_pod_cpu_joules_total{pod_namespace="shop",pod_name="web-1",zone="package"})[1h:1s]) - min_over_time(timestamp(kepler_pod_cpu_joules_total{pod_namespace="shop",pod_name="web-1",zone="package"})[1h:1s])',
      nowMs,
    );
    const spanS = span[0]!.v;
    const joules1 = kWh('shop', 'web-1') * 3.6e6;
    // increase() extrapolates by up to about one scrape interval beyond the stored span.
    // The counter started at 0 when the exporter did, so Prometheus may extrapolate back to that zero,
    // but never beyond the counter's last value plus half a scrape interval.
    const last = await client.query(
      'sum(kepler_pod_cpu_joules_total{pod_namespace="shop",pod_name="web-1",zone=~"package|dram"})',
      nowMs,
    );
    expect(joules1).toBeGreaterThan(12 * (spanS - 1.5));
    expect(joules1).toBeLessThanOrEqual(last[0]!.v + 12 * 1.5);
    // web-2: 30 W package counted, the 25 W core zone is not added on top.
    const ratio = kWh('shop', 'web-2') / kWh('shop', 'web-1');
    expect(ratio).toBeGreaterThan(2.3);
    expect(ratio).toBeLessThan(2.7);
    expect(c.pods.has('shop/absent')).toBe(false);
    expect(c.pods.get('shop/web-2')!.power_watts).toBeCloseTo(30, 0);
    // Idle share beside the active energy: the node's 40 + 6 W idle split over its three pods by
    // active power (12, 30 and 99 W counted): web-1 gets 12/141 of 46 W, i.e. 0.326 × its active energy.
    const idle1 = bucketsOf(c.pods.get('shop/web-1')!.hours).reduce((s, h) => s + (h.idleShare_kWh ?? 0), 0);
    expect(idle1 / kWh('shop', 'web-1')).toBeGreaterThan(0.3);
    expect(idle1 / kWh('shop', 'web-1')).toBeLessThan(0.35);
    expect(c.pods.get('shop/web-1')!.idleShareUnavailable).toBeUndefined();
    expect(c.idleShareProvenance).toMatch(/^allocated: node idle energy/);
    expect(c.energyProvenance).toMatch(/via prometheus/);
    expect(c.errors).toEqual([]);
  });

  test("policies share one cluster-wide idle answer; each policy's own queries read only its pods and nodes", async () => {
    const recording = await PrometheusClient.create({ url: prom.url, timeoutMs: 5_000 });
    const asked: string[] = [];
    const query = recording.query.bind(recording);
    const queryRange = recording.queryRange.bind(recording);
    recording.query = (q, ...rest) => (asked.push(q), query(q, ...rest));
    recording.queryRange = (q, ...rest) => (asked.push(q), queryRange(q, ...rest));
    try {
      const source = new PrometheusSource({ client: recording });
      const toMs = Date.now() - 3_000;
      const policy = (namespace: string, name: string) =>
        source.collect({
          pods: [{ namespace, name, nodeName: 'fixture-node' }],
          from: new Date(toMs - 3 * 3_600_000),
          to: new Date(toMs),
        });
      const [shop, other] = await Promise.all([policy('shop', 'web-1'), policy('other', 'web-1')]);
      const clusterQueries = () => asked.filter((q) => q.includes('kepler_node_cpu_idle_joules_total'));
      // The whole hours (those ended over 5 minutes ago and, just after an hour begins, the last one
      // apart) and the hour in progress, asked once for both collections.
      const first = clusterQueries().length;
      expect(first).toBeGreaterThanOrEqual(2);
      expect(first).toBeLessThanOrEqual(3);
      // Later in the same pass, within SHARED_ANSWER_REUSE_MS of the others.
      const later = await source.collect({
        pods: [{ namespace: 'shop', name: 'web-2', nodeName: 'fixture-node' }],
        from: new Date(toMs - 3 * 3_600_000),
        to: new Date(toMs + 2_000),
      });
      for (const c of [shop, other, later]) {
        expect(c.errors).toEqual([]);
        const pod = [...c.pods.values()][0]!;
        expect(bucketsOf(pod.hours).some((h) => (h.idleShare_kWh ?? 0) > 0)).toBe(true);
      }
      const cluster = clusterQueries();
      // Nothing more for the third.
      expect(cluster).toHaveLength(first);
      // Which nodes Kepler measures: one answer (two queries) for all three too.
      expect(asked.filter((q) => q.startsWith('sum by (node_name, zone)'))).toHaveLength(1);
      const own = asked.filter(
        (q) =>
          !cluster.includes(q) &&
          !q.includes('build_info') &&
          !q.startsWith('sum by (node_name, zone)') &&
          !q.startsWith('count by (node_name)'),
      );
      expect(own.length).toBeGreaterThanOrEqual(3 * 3);
      for (const q of own)
        for (const sel of q.match(/kepler_\w+\{[^}]*\}/g) ?? [])
          expect(sel).toMatch(/pod_namespace="(shop|other)"|node_name=~"fixture-node"/);
    } finally {
      await recording.close();
    }
  });

  test('query_range at short steps returns one increase per step', async () => {
    await sleep(12_000); // let the windows below fill with 1 s samples
    const end = Date.now() - 1_000;
    const matrix = await client.queryRange(
      podEnergyQuery('rewrite', { namespace: 'shop', pods: ['web-1'] }, '10s'),
      end - 5_000,
      end,
      5,
    );
    expect(matrix).toHaveLength(1);
    expect(matrix[0]!.v).toHaveLength(2);
    for (const v of matrix[0]!.v) {
      // 12 W × 10 s = 120 J; scrapes on a loaded 2-core machine drift, so ±25 %.
      expect(v).toBeGreaterThan(90);
      expect(v).toBeLessThan(150);
    }
  }, 30_000);

  test('an unreachable Prometheus is a MetricsUnavailableError with reason Unreachable', async () => {
    const dead = await PrometheusClient.create({ url: `http://127.0.0.1:${await freePort()}` });
    try {
      const source = new PrometheusSource({ client: dead });
      await expect(source.collect({ pods: [], from: new Date(0), to: new Date() })).rejects.toMatchObject({
        name: 'MetricsUnavailableError',
        reason: 'Unreachable',
      });
    } finally {
      await dead.close();
    }
  });
});
