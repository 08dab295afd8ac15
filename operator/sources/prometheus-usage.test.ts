import { podUsageExpressions, PrometheusUsageSource } from './prometheus-usage.js';
import type { PrometheusClient } from './prometheus-source.js';

describe('Prometheus usage expressions', () => {
  test("the pod's containers only (not the pod cgroup or the pause container), summed by pod", () => {
    expect(podUsageExpressions('shop', ['web-1', 'web-2'], '5m')).toEqual({
      cpu_cores:
        'sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{namespace="shop",pod=~"web-1|web-2",container!="",container!="POD"}[5m]))',
      memory_bytes:
        'sum by (namespace, pod) (container_memory_working_set_bytes{namespace="shop",pod=~"web-1|web-2",container!="",container!="POD"})',
    });
  });

  test('label values are escaped: a hostile namespace or pod name stays inside its matcher', () => {
    const { cpu_cores } = podUsageExpressions('a"} or vector(1) #', ['x.*|y'], '5m');
    expect(cpu_cores).toContain('namespace="a\\"} or vector(1) #"');
    expect(cpu_cores).toContain('pod=~"x\\\\.\\\\*\\\\|y"');
  });

  test('a rate window that is not a Prometheus duration is refused', () => {
    expect(() => podUsageExpressions('shop', ['web-1'], '5 minutes')).toThrow(/invalid rate window/);
    expect(
      () => new PrometheusUsageSource({ client: {} as PrometheusClient, stepSeconds: 60, rateWindow: '1x' }),
    ).toThrow(/--usage-rate-window/);
  });
});

describe('PrometheusUsageSource queries', () => {
  /** Hand-written fake of the Prometheus client: records the PromQL, answers with one series. */
  const recordingClient = (queries: string[]) =>
    ({
      query: (promql: string) => {
        queries.push(promql);
        const v = promql.startsWith('count_over_time') ? 30 : 0.5;
        return Promise.resolve([{ metric: { namespace: 'shop', pod: 'web-1' }, t: 0, v }]);
      },
    }) as unknown as PrometheusClient;

  test('one sample per step over the window; a long window widens the step to at most 10,000 points', async () => {
    const queries: string[] = [];
    const source = new PrometheusUsageSource({
      client: recordingClient(queries),
      stepSeconds: 60,
      rateWindow: '5m',
    });
    const to = new Date('2026-05-01T00:00:00Z');
    const pods = [{ namespace: 'shop', name: 'web-1' }];
    const day = await source.collect({ pods, from: new Date(to.getTime() - 86_400_000), to });
    expect(queries[0]).toMatch(/^quantile_over_time\(0\.95, \(.*\)\[86400s:60s\]\)$/);
    expect(day.pods.get('shop/web-1')).toEqual({
      cpuP95_cores: 0.5,
      memoryP95_bytes: 0.5,
      cpuSamples: 30,
      memorySamples: 30,
    });
    expect(day.provenance).toMatch(/one sample every 60 s/);
    queries.length = 0;
    const month = await source.collect({ pods, from: new Date(to.getTime() - 31 * 86_400_000), to });
    // 2,678,400 s / 10,000 points → 268 s.
    expect(queries.every((q) => q.includes('[2678400s:268s]'))).toBe(true);
    expect(month.provenance).toMatch(/one sample every 268 s/);
  });
});
