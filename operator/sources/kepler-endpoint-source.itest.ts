// The direct-scrape source end to end: simulated Keplers on loopback, a fake clock, real EndpointSlices.
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { testKubeConfig } from '../../hack/testenv/env.js';
import { MetricsUnavailableError } from './metrics-source.js';
import { startSimulatedKepler, type SimulatedKepler } from '../../hack/testenv/simulated-kepler.js';
import { endpointSliceDiscovery, KeplerEndpointSource } from './kepler-endpoint-source.js';
import { bucketsOf } from './pod-hours.js';

const H = 3_600_000;

describe('KeplerEndpointSource', () => {
  let nowMs = Date.UTC(2026, 2, 1, 9, 40, 0);
  const clock = () => nowMs;
  /** The direct-scrape source over these exporters, scraping every minute on the test's clock. */
  const scrapeEveryMinute = (...urls: string[]) =>
    new KeplerEndpointSource({ targets: urls.map((url) => ({ url })), scrapeIntervalMs: 60_000, clock });
  let a: SimulatedKepler;
  let b: SimulatedKepler;

  beforeAll(async () => {
    a = await startSimulatedKepler({
      pods: [
        { namespace: 'shop', name: 'web-1', uid: 'u1', node: 'node-a', watts: { package: 10, dram: 2 } },
      ],
      nodeName: 'node-a',
      clock,
    });
    b = await startSimulatedKepler({
      pods: [{ namespace: 'shop', name: 'web-2', uid: 'u2', node: 'node-b', watts: { package: 36 } }],
      nodeName: 'node-b',
      clock,
    });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  test('integrates counters between rounds into UTC hour buckets, per pod', async () => {
    const source = scrapeEveryMinute(a.url, b.url);
    try {
      await source.scrapeAll(); // 09:40 baseline
      nowMs += 40 * 60_000; // 10:20: 20 min in hour 09, 20 min in hour 10
      await source.scrapeAll();
      const c = await source.collect({
        pods: [
          { namespace: 'shop', name: 'web-1', uid: 'u1' },
          { namespace: 'shop', name: 'web-2', uid: 'u2' },
          { namespace: 'shop', name: 'absent' },
        ],
        from: new Date(nowMs - 24 * H),
        to: new Date(nowMs),
      });
      // web-1: 12 W × 2400 s = 28800 J = 0.008 kWh, half in each hour.
      expect(
        bucketsOf(c.pods.get('shop/web-1')!.hours).map((h) => [h.hourStart, +h.energy_kWh.toFixed(12)]),
      ).toEqual([
        ['2026-03-01T09:00:00Z', 0.004],
        ['2026-03-01T10:00:00Z', 0.004],
      ]);
      // web-2: 36 W × 2400 s = 86400 J = 0.024 kWh.
      expect(bucketsOf(c.pods.get('shop/web-2')!.hours).reduce((s, h) => s + h.energy_kWh, 0)).toBeCloseTo(
        0.024,
        12,
      );
      expect(c.pods.get('shop/web-2')!.power_watts).toBe(36);
      // Active energy above; beside it the idle share: web-1 is node-a's only pod, so it gets all of
      // the node's 40 + 6 W idle (the exporter's node idle): 46 W × 2400 s = 110400 J ≈ 0.0306667 kWh.
      const web1 = c.pods.get('shop/web-1')!;
      expect(bucketsOf(web1.hours).reduce((s, h) => s + (h.idleShare_kWh ?? 0), 0)).toBeCloseTo(
        110_400 / 3.6e6,
        12,
      );
      expect(web1.idleShare_watts).toBeCloseTo(46, 9);
      expect(web1.idleShareUnavailable).toBeUndefined();
      expect(c.idleShareProvenance).toMatch(/^allocated: node idle energy/);
      expect(c.observedSinceMs).toBe(Date.UTC(2026, 2, 1, 9, 40, 0));
      expect(c.pods.has('shop/absent')).toBe(false);
      expect(c.zonesCounted.sort()).toEqual(['dram', 'package']);
      expect(c.energyProvenance).toBe('measured: kepler v0.11.4-simulated (rapl)');
      expect(c.errors).toEqual([]);

      // A Kepler restart resets the counters: the energy after it still counts, nothing goes negative.
      a.restartCounters();
      nowMs += 10 * 60_000;
      await source.scrapeAll();
      const after = await source.collect({
        pods: [{ namespace: 'shop', name: 'web-1' }],
        from: new Date(nowMs - H),
        to: new Date(nowMs),
      });
      // 10:20 → 10:30: the counter restarted at 10:20 and shows 12 W × 600 s = 7200 J = 0.002 kWh.
      expect(
        bucketsOf(after.pods.get('shop/web-1')!.hours).find((h) => h.hourStart === '2026-03-01T10:00:00Z'),
      ).toEqual({
        hourStart: '2026-03-01T10:00:00Z',
        energy_kWh: 0.004 + 0.002,
        // The node's 46 W idle over the 30 min of hour 10 (the restart resets its counters too).
        idleShare_kWh: (46 * 1800) / 3.6e6,
      });

      // One endpoint down: partial data plus a typed error for that target.
      b.setMode('down');
      nowMs += 60_000;
      await source.scrapeAll();
      const partial = await source.collect({
        pods: [{ namespace: 'shop', name: 'web-1' }],
        from: new Date(nowMs - H),
        to: new Date(nowMs),
      });
      expect(partial.errors).toEqual([expect.objectContaining({ target: b.url, reason: 'Unreachable' })]);
      b.setMode('ok');
    } finally {
      await source.stop();
    }
  });

  test('retention hint: selected pods keep their policy window, the others only recent hours', async () => {
    const start = Date.UTC(2026, 2, 2, 0, 0, 0);
    nowMs = start;
    const exporter = await startSimulatedKepler({
      pods: [
        { namespace: 'shop', name: 'kept', uid: 'u-kept', node: 'node-r', watts: { package: 10 } },
        { namespace: 'shop', name: 'other', uid: 'u-other', node: 'node-r', watts: { package: 30 } },
      ],
      nodeName: 'node-r',
      clock,
    });
    const source = scrapeEveryMinute(exporter.url);
    try {
      // The reconciler's hint: one policy selects 'kept' with a 2-hour window.
      source.retain('shop/policy', [{ namespace: 'shop', name: 'kept', uid: 'u-kept' }], 2 * H);
      for (let hour = 0; hour <= 6; hour++) {
        nowMs = start + hour * H;
        await source.scrapeAll();
      }
      const all = { from: new Date(start), to: new Date(nowMs) };
      const c = await source.collect({
        pods: [
          { namespace: 'shop', name: 'kept' },
          { namespace: 'shop', name: 'other' },
        ],
        ...all,
      });
      // 'kept': its window (2 h) plus the hour the cutoff falls in; each full hour 10 W × 3600 s.
      expect(bucketsOf(c.pods.get('shop/kept')!.hours)).toEqual([
        { hourStart: '2026-03-02T03:00:00Z', energy_kWh: 0.01, idleShare_kWh: expect.any(Number) },
        { hourStart: '2026-03-02T04:00:00Z', energy_kWh: 0.01, idleShare_kWh: expect.any(Number) },
        { hourStart: '2026-03-02T05:00:00Z', energy_kWh: 0.01, idleShare_kWh: expect.any(Number) },
      ]);
      // 'other' (no policy selects it): only the grace hours (2 h), 30 W × 3600 s each.
      expect(bucketsOf(c.pods.get('shop/other')!.hours).map((h) => [h.hourStart, h.energy_kWh])).toEqual([
        ['2026-03-02T04:00:00Z', 0.03],
        ['2026-03-02T05:00:00Z', 0.03],
      ]);
      // Its counter baseline is kept: once selected, its next interval counts only the increase.
      source.retain('shop/policy-2', [{ namespace: 'shop', name: 'other' }], 24 * H);
      nowMs += 30 * 60_000;
      await source.scrapeAll();
      const later = await source.collect({
        pods: [{ namespace: 'shop', name: 'other' }],
        ...all,
        to: new Date(nowMs),
      });
      expect(bucketsOf(later.pods.get('shop/other')!.hours).at(-1)).toEqual({
        hourStart: '2026-03-02T06:00:00Z',
        energy_kWh: (30 * 1800) / 3.6e6,
        idleShare_kWh: expect.any(Number),
      });
      // Releasing the hint (policy deleted): 'kept' falls back to the grace hours at the next round.
      source.retain('shop/policy', [], 0);
      nowMs += 30 * 60_000;
      await source.scrapeAll();
      const released = await source.collect({
        pods: [{ namespace: 'shop', name: 'kept' }],
        ...all,
        to: new Date(nowMs),
      });
      expect(bucketsOf(released.pods.get('shop/kept')!.hours).map((h) => h.hourStart)).toEqual([
        '2026-03-02T05:00:00Z',
        '2026-03-02T06:00:00Z',
      ]);
    } finally {
      await source.stop();
      await exporter.stop();
    }
  });

  test('two days of scrapes in a 24-hour window: every kept hour whole, the oldest dropped, room given back', async () => {
    const start = Date.UTC(2026, 2, 5, 0, 0, 0);
    nowMs = start;
    const exporter = await startSimulatedKepler({
      pods: [{ namespace: 'shop', name: 'steady', uid: 'u-steady', node: 'node-s', watts: { package: 10 } }],
      nodeName: 'node-s',
      clock,
    });
    const source = scrapeEveryMinute(exporter.url);
    try {
      source.retain('shop/policy', [{ namespace: 'shop', name: 'steady' }], 24 * H);
      // Every 15 minutes for 50 hours: the pod's hours grow, then the oldest go every hour.
      for (let quarter = 0; quarter <= 50 * 4; quarter++) {
        nowMs = start + quarter * 15 * 60_000;
        await source.scrapeAll();
      }
      const all = { from: new Date(start), to: new Date(nowMs) };
      const pods = [{ namespace: 'shop', name: 'steady' }];
      const kept = bucketsOf((await source.collect({ pods, ...all })).pods.get('shop/steady')!.hours);
      // The window (24 h) plus the hour the cutoff falls in: hours 01:00 on day 2 … 01:00 on day 3.
      expect(kept.map((h) => h.hourStart)).toEqual(
        Array.from({ length: 25 }, (_, i) =>
          new Date(start + (25 + i) * H).toISOString().replace('.000Z', 'Z'),
        ),
      );
      for (const h of kept) expect(h.energy_kWh).toBeCloseTo((10 * 3600) / 3.6e6, 12);
      // Released: the grace hours (2 h) and the hour the cutoff falls in remain, with the same figures.
      source.retain('shop/policy', [], 0);
      nowMs += 15 * 60_000;
      await source.scrapeAll();
      const released = (await source.collect({ pods, ...all, to: new Date(nowMs) })).pods.get('shop/steady')!;
      expect(bucketsOf(released.hours).map((h) => h.hourStart)).toEqual([
        '2026-03-07T00:00:00Z',
        '2026-03-07T01:00:00Z',
        '2026-03-07T02:00:00Z',
      ]);
      expect(bucketsOf(released.hours)[1]!.energy_kWh).toBeCloseTo(0.01, 12);
      expect(bucketsOf(released.hours)[2]!.energy_kWh).toBeCloseTo((10 * 900) / 3.6e6, 12);
    } finally {
      await source.stop();
      await exporter.stop();
    }
  });

  test('a pod whose other exporter reports hours before its first kept hour: those hours go in front', async () => {
    const start = Date.UTC(2026, 2, 8, 0, 0, 0);
    nowMs = start;
    const pod = { namespace: 'shop', name: 'moving', uid: 'u-moving' };
    const one = await startSimulatedKepler({
      pods: [{ ...pod, node: 'node-1', watts: { package: 10 } }],
      nodeName: 'node-1',
      clock,
    });
    const two = await startSimulatedKepler({
      pods: [{ ...pod, node: 'node-2', watts: { package: 20 } }],
      nodeName: 'node-2',
      clock,
    });
    const source = scrapeEveryMinute(one.url, two.url);
    try {
      one.setMode('down');
      await source.scrapeAll(); // 00:00: only node-2 answers (its baseline)
      one.setMode('ok');
      two.setMode('down');
      nowMs = start + 2 * H;
      await source.scrapeAll(); // 02:00: only node-1 answers (its baseline)
      two.setMode('ok');
      nowMs = start + 2.5 * H;
      // 02:30: node-1 adds 02:00–02:30 first, then node-2 its counter's increase since 00:00.
      await source.scrapeAll();
      const c = await source.collect({ pods: [pod], from: new Date(start), to: new Date(nowMs) });
      expect(
        bucketsOf(c.pods.get('shop/moving')!.hours).map((h) => [h.hourStart, +h.energy_kWh.toFixed(12)]),
      ).toEqual([
        ['2026-03-08T00:00:00Z', 0.02],
        ['2026-03-08T01:00:00Z', 0.02],
        ['2026-03-08T02:00:00Z', 0.015],
      ]);
    } finally {
      await source.stop();
      await one.stop();
      await two.stop();
    }
  });

  test('container-level series only (pod UID, no name): mapped to the pods through their UID', async () => {
    const start = nowMs;
    const containers = await startSimulatedKepler({
      pods: [{ namespace: 'shop', name: 'api-0', uid: 'uid-api-0', watts: { package: 18 } }],
      nodeName: 'node-c',
      workloadLevel: 'container',
      clock,
    });
    const source = scrapeEveryMinute(containers.url);
    try {
      expect(containers.render()).not.toMatch(/kepler_pod_cpu/);
      await source.scrapeAll();
      nowMs += 10 * 60_000;
      await source.scrapeAll();
      const request = { from: new Date(nowMs - H), to: new Date(nowMs) };
      // The pod cache knows the UID: the energy is found.
      const named = await source.collect({
        pods: [{ namespace: 'shop', name: 'api-0', uid: 'uid-api-0' }],
        ...request,
      });
      const kWh = bucketsOf(named.pods.get('shop/api-0')!.hours).reduce((s, h) => s + h.energy_kWh, 0);
      expect(kWh * 3.6e6).toBeCloseTo(18 * 600, 6);
      expect(named.pods.get('shop/api-0')!.power_watts).toBe(18);
      // Without the UID nothing ties the series to the pod: no guess.
      const unnamed = await source.collect({ pods: [{ namespace: 'shop', name: 'api-0' }], ...request });
      expect(unnamed.pods.has('shop/api-0')).toBe(false);
    } finally {
      await source.stop();
      await containers.stop();
      nowMs = start + 10 * 60_000;
    }
  });

  test('all endpoints failing before any data: MetricsUnavailableError with the reason', async () => {
    a.setMode('garbage');
    const source = scrapeEveryMinute(a.url);
    try {
      await source.scrapeAll();
      await expect(source.collect({ pods: [], from: new Date(0), to: new Date(nowMs) })).rejects.toEqual(
        expect.objectContaining({ name: 'MetricsUnavailableError', reason: 'ParseError' }),
      );
      await expect(
        source.collect({ pods: [], from: new Date(0), to: new Date(nowMs) }),
      ).rejects.toBeInstanceOf(MetricsUnavailableError);
    } finally {
      a.setMode('ok');
      await source.stop();
    }
  });

  test('discovers ready endpoints from the Kepler Service EndpointSlices of a real API server', async () => {
    const kc = testKubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const namespace = `kepler-disc-${Date.now().toString(36)}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    try {
      // The API server refuses loopback addresses in EndpointSlices; documentation addresses
      // (RFC 5737 / 3849) are only listed here, never contacted.
      await discovery.createNamespacedEndpointSlice({
        namespace,
        body: {
          metadata: { name: 'kepler-abc', labels: { 'kubernetes.io/service-name': 'kepler' } },
          addressType: 'IPv4',
          ports: [{ name: 'http', port: 28282, protocol: 'TCP' }],
          endpoints: [
            { addresses: ['192.0.2.10'], nodeName: 'node-a', conditions: { ready: true } },
            { addresses: ['192.0.2.11'], nodeName: 'node-x', conditions: { ready: false } },
          ],
        },
      });
      await discovery.createNamespacedEndpointSlice({
        namespace,
        body: {
          metadata: { name: 'kepler-v6', labels: { 'kubernetes.io/service-name': 'kepler' } },
          addressType: 'IPv6',
          ports: [{ name: 'http', port: 28282, protocol: 'TCP' }],
          endpoints: [{ addresses: ['2001:db8::7'], nodeName: 'node-b' }],
        },
      });
      await discovery.createNamespacedEndpointSlice({
        namespace,
        body: {
          metadata: { name: 'other-svc', labels: { 'kubernetes.io/service-name': 'not-kepler' } },
          addressType: 'IPv4',
          ports: [{ name: 'http', port: 1, protocol: 'TCP' }],
          endpoints: [{ addresses: ['192.0.2.99'] }],
        },
      });
      const targets = await endpointSliceDiscovery(kc, {
        namespace,
        service: 'kepler',
        portName: 'http',
        scheme: 'https',
      })();
      expect(targets.sort((x, y) => (x.url < y.url ? -1 : 1))).toEqual([
        { url: 'https://192.0.2.10:28282/metrics', nodeName: 'node-a' },
        { url: 'https://[2001:db8::7]:28282/metrics', nodeName: 'node-b' },
      ]);
    } finally {
      await core.deleteNamespace({ name: namespace });
    }
  });
});
