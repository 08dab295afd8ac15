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
