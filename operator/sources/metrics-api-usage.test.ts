// The metrics.k8s.io sampler's bookkeeping: what it keeps, for how long, and how much. The API server
// is a hand-written fake here (a `get` that returns PodMetrics lists the test writes); the real
// aggregated API path is exercised in controller/right-sizing-usage.itest.ts.
import { KubeApiError } from '../kube/kube-rest-client.js';
import { MetricsApiUsageSampler } from './metrics-api-usage.js';

/** Hand-written fake of the API server's metrics.k8s.io pods list (not a real part). */
class FakeMetricsApi {
  cpu = new Map<string, string>();
  memory = new Map<string, string>();
  timestampMs = Date.parse('2026-01-01T00:00:00Z');
  failWith: Error | undefined;
  paths: string[] = [];
  get<T>(path: string): Promise<T> {
    this.paths.push(path);
    if (this.failWith) return Promise.reject(this.failWith);
    const namespace = /namespaces\/([^/]+)\/pods$/.exec(path)![1]!;
    const items = [...this.cpu.keys()]
      .filter((key) => key.startsWith(`${namespace}/`))
      .map((key) => ({
        metadata: { namespace, name: key.slice(namespace.length + 1) },
        timestamp: new Date(this.timestampMs).toISOString(),
        window: '15s',
        containers: [
          { name: 'app', usage: { cpu: this.cpu.get(key)!, memory: this.memory.get(key)! } },
          { name: 'sidecar', usage: { cpu: '10m', memory: '16Mi' } },
        ],
      }));
    return Promise.resolve({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', items } as T);
  }
}

const pod = (name: string, namespace = 'shop') => ({ namespace, name });

describe('MetricsApiUsageSampler', () => {
  test('samples only retained pods, sums containers, and gives the p95 over the window', async () => {
    const api = new FakeMetricsApi();
    let now = api.timestampMs;
    const sampler = new MetricsApiUsageSampler({ client: api, intervalMs: 60_000, clock: () => now });
    api.cpu.set('shop/web-1', '0');
    api.memory.set('shop/web-1', '0');
    api.cpu.set('shop/other', '1');
    api.memory.set('shop/other', '1Gi');
    sampler.retain('shop/policy', [pod('web-1')], 3_600_000);
    for (let i = 1; i <= 100; i++) {
      // web-1's app container uses i × 10 millicores (plus the sidecar's 10m) and i MiB (+16 Mi).
      api.cpu.set('shop/web-1', `${i * 10}m`);
      api.memory.set('shop/web-1', `${i}Mi`);
      await sampler.poll();
      api.timestampMs += 30_000;
      now += 30_000;
    }
    // 100 samples 30 s apart: all within the 1 h window.
    const c = await sampler.collect({
      pods: [pod('web-1'), pod('other'), pod('absent')],
      from: new Date(now - 3_600_000),
      to: new Date(now),
    });
    expect([...c.pods.keys()]).toEqual(['shop/web-1']);
    const u = c.pods.get('shop/web-1')!;
    expect(u.cpuSamples).toBe(100);
    // p95 of (i × 10 + 10) m, i = 1..100 → 95.05 × 10 + 10 = 960.5 m
    expect(u.cpuP95_cores).toBeCloseTo(0.9605, 5);
    expect(u.memoryP95_bytes).toBeCloseTo((95.05 + 16) * 2 ** 20, -2);
    expect(c.provenance).toMatch(/^measured: metrics\.k8s\.io PodMetrics .* polled every 60 s/);
    expect(api.paths.every((p) => p === '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods')).toBe(true);
    // Only the window counts: the last 10 minutes hold 20 samples.
    const recent = await sampler.collect({
      pods: [pod('web-1')],
      from: new Date(now - 600_000),
      to: new Date(now),
    });
    expect(recent.pods.get('shop/web-1')!.cpuSamples).toBe(20);
  });

  test('memory stays bounded: a full buffer inside the window is thinned and sampled half as often', async () => {
    const api = new FakeMetricsApi();
    let now = api.timestampMs;
    const sampler = new MetricsApiUsageSampler({
      client: api,
      intervalMs: 1_000,
      maxSamplesPerPod: 64,
      clock: () => now,
    });
    api.cpu.set('shop/web-1', '100m');
    api.memory.set('shop/web-1', '64Mi');
    sampler.retain('shop/policy', [pod('web-1')], 7 * 24 * 3_600_000);
    for (let i = 0; i < 1_000; i++) {
      await sampler.poll();
      api.timestampMs += 1_000;
      now += 1_000;
    }
    const stats = sampler.stats();
    expect(stats.pods).toBe(1);
    expect(stats.samples).toBeLessThanOrEqual(64);
    expect(stats.samples).toBeGreaterThanOrEqual(32);
    expect(stats.bytes).toBe(64 * 12);
    const c = await sampler.collect({ pods: [pod('web-1')], from: new Date(0), to: new Date(now) });
    expect(c.pods.get('shop/web-1')!.cpuSamples).toBe(stats.samples);
    expect(c.pods.get('shop/web-1')!.cpuP95_cores).toBeCloseTo(0.11, 6);
  });

  test('samples older than the longest retaining window are dropped; a released pod is forgotten', async () => {
    const api = new FakeMetricsApi();
    let now = api.timestampMs;
    const sampler = new MetricsApiUsageSampler({ client: api, intervalMs: 60_000, clock: () => now });
    api.cpu.set('shop/web-1', '100m');
    api.memory.set('shop/web-1', '64Mi');
    sampler.retain('shop/short', [pod('web-1')], 600_000);
    for (let i = 0; i < 60; i++) {
      await sampler.poll();
      api.timestampMs += 60_000;
      now += 60_000;
    }
    // 10-minute window, one sample a minute: at most 11 kept.
    expect(sampler.stats().samples).toBeLessThanOrEqual(11);
    sampler.retain('shop/short', [], 0);
    expect(sampler.stats().pods).toBe(0);
  });

  test('an API server without metrics.k8s.io (404) is MetricsApiUnavailable, naming what to install', async () => {
    const api = new FakeMetricsApi();
    api.failWith = new KubeApiError(
      404,
      'NotFound',
      'the server could not find the requested resource',
      'GET',
      '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods',
    );
    const warnings: object[] = [];
    const sampler = new MetricsApiUsageSampler({
      client: api,
      intervalMs: 60_000,
      logger: { warn: (obj) => warnings.push(obj) },
    });
    sampler.retain('shop/policy', [pod('web-1')], 3_600_000);
    await sampler.poll();
    await expect(
      sampler.collect({ pods: [pod('web-1')], from: new Date(0), to: new Date() }),
    ).rejects.toMatchObject({
      reason: 'MetricsApiUnavailable',
      message: expect.stringMatching(/install metrics-server/),
    });
    expect(warnings).toEqual([
      expect.objectContaining({ namespace: 'shop', reason: 'MetricsApiUnavailable' }),
    ]);
  });

  test('a denied list (403) is Forbidden, naming the RBAC rule the operator needs', async () => {
    const api = new FakeMetricsApi();
    api.failWith = new KubeApiError(
      403,
      'Forbidden',
      'forbidden: cannot list pods.metrics.k8s.io in namespace "shop"',
      'GET',
      '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods',
    );
    const sampler = new MetricsApiUsageSampler({ client: api, intervalMs: 60_000 });
    sampler.retain('shop/policy', [pod('web-1')], 3_600_000);
    await sampler.poll();
    await expect(
      sampler.collect({ pods: [pod('web-1')], from: new Date(0), to: new Date() }),
    ).rejects.toMatchObject({
      reason: 'Forbidden',
      message: expect.stringMatching(/needs list on pods\.metrics\.k8s\.io/),
    });
  });

  test('a malformed PodMetrics list is a ParseError naming the field', async () => {
    const api = new FakeMetricsApi();
    const sampler = new MetricsApiUsageSampler({
      client: { get: <T>() => Promise.resolve({ items: [{ metadata: { name: 'web-1' } }] } as T) },
      intervalMs: 60_000,
    });
    void api;
    sampler.retain('shop/policy', [pod('web-1')], 3_600_000);
    await sampler.poll();
    await expect(
      sampler.collect({ pods: [pod('web-1')], from: new Date(0), to: new Date() }),
    ).rejects.toMatchObject({
      reason: 'ParseError',
      message: expect.stringMatching(/items\.0\.metadata\.namespace/),
    });
  });
});
