// Usage for right-sizing from Prometheus: the kubelet's cAdvisor series. Per pod, CPU is the rate of
// container_cpu_usage_seconds_total and memory container_memory_working_set_bytes (what the kubelet's
// eviction and `kubectl top` use), each summed over the pod's containers (container="" is the pod
// cgroup and "POD" the pause container: both excluded, or the pod would count twice). The p95 over the
// window is quantile_over_time(0.95) of a subquery at a fixed step: Prometheus's quantile definition is
// the one usage-percentile.ts implements, so both usage sources give the same p95 on the same samples.
// Label values reach PromQL only through promqlString()/promqlRegexAnyOf().
import {
  UsageUnavailableError,
  type PodUsage,
  type UsageCollection,
  type UsageSource,
} from './usage-source.js';
import type { PodRef } from './metrics-source.js';
import { MetricsSourceError } from './kepler-endpoint-scraper.js';
import {
  promqlRegexAnyOf,
  promqlString,
  type PrometheusClient,
  type VectorResult,
} from './prometheus-source.js';
import { MIN_USAGE_SAMPLES } from './usage-percentile.js';

const PROM_DURATION = /^\d+(ms|s|m|h)$/;
/** Subquery points per pod at most: a long window widens the step rather than load Prometheus with
 * millions of samples (its --query.max-samples is 50 million by default; 1,000 pods × 10,000 is 10 million). */
const MAX_POINTS_PER_POD = 10_000;

export interface PrometheusUsageOptions {
  client: PrometheusClient;
  /** Subquery step, seconds: one usage sample per step over the window. */
  stepSeconds: number;
  /** rate() range for the CPU counter, a Prometheus duration ('5m': at least two cAdvisor scrapes). */
  rateWindow: string;
}

/** The per-pod usage expressions for one namespace's pods (exported for the test that checks them). */
export function podUsageExpressions(
  namespace: string,
  pods: readonly string[],
  rateWindow: string,
): { cpu_cores: string; memory_bytes: string } {
  if (!PROM_DURATION.test(rateWindow)) throw new Error(`invalid rate window ${rateWindow}`);
  const matchers =
    `namespace=${promqlString(namespace)},pod=~${promqlRegexAnyOf(pods)},` + `container!="",container!="POD"`;
  return {
    cpu_cores: `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{${matchers}}[${rateWindow}]))`,
    memory_bytes: `sum by (namespace, pod) (container_memory_working_set_bytes{${matchers}})`,
  };
}

export class PrometheusUsageSource implements UsageSource {
  readonly description = 'prometheus (cAdvisor series)';

  constructor(private readonly options: PrometheusUsageOptions) {
    if (!PROM_DURATION.test(options.rateWindow))
      throw new Error(`--usage-rate-window: invalid Prometheus duration ${options.rateWindow}`);
    if (!(options.stepSeconds >= 1)) throw new Error('--usage-sample-interval: at least 1 second');
  }

  async collect(req: {
    pods: PodRef[];
    from: Date;
    to: Date;
    signal?: AbortSignal;
  }): Promise<UsageCollection> {
    const { client, stepSeconds, rateWindow } = this.options;
    const byNamespace = new Map<string, Set<string>>();
    for (const p of req.pods) {
      if (!byNamespace.has(p.namespace)) byNamespace.set(p.namespace, new Set());
      byNamespace.get(p.namespace)!.add(p.name);
    }
    const toMs = req.to.getTime();
    const windowS = Math.max(stepSeconds, Math.ceil((toMs - req.from.getTime()) / 1000));
    const step = Math.max(stepSeconds, Math.ceil(windowS / MAX_POINTS_PER_POD));
    const range = `[${windowS}s:${step}s]`;
    const pods = new Map<string, PodUsage>();
    const failures: MetricsSourceError[] = [];
    for (const [namespace, names] of byNamespace) {
      const expr = podUsageExpressions(namespace, [...names].sort(), rateWindow);
      const byPod = (result: VectorResult): Map<string, number> =>
        new Map(
          result
            .filter((s) => s.metric.namespace === namespace && s.metric.pod)
            .map((s) => [s.metric.pod!, s.v]),
        );
      try {
        const [cpuP95, cpuCount, memP95, memCount] = await Promise.all(
          [
            `quantile_over_time(0.95, (${expr.cpu_cores})${range})`,
            `count_over_time((${expr.cpu_cores})${range})`,
            `quantile_over_time(0.95, (${expr.memory_bytes})${range})`,
            `count_over_time((${expr.memory_bytes})${range})`,
          ].map((q) => client.query(q, toMs, req.signal).then(byPod)),
        );
        for (const pod of names) {
          const cpuSamples = cpuCount!.get(pod) ?? 0;
          const memorySamples = memCount!.get(pod) ?? 0;
          if (cpuSamples === 0 && memorySamples === 0) continue;
          const value = (p95: number | undefined, samples: number) =>
            p95 !== undefined && Number.isFinite(p95) && samples >= MIN_USAGE_SAMPLES ? p95 : null;
          pods.set(`${namespace}/${pod}`, {
            cpuP95_cores: value(cpuP95!.get(pod), cpuSamples),
            memoryP95_bytes: value(memP95!.get(pod), memorySamples),
            cpuSamples,
            memorySamples,
          });
        }
      } catch (err) {
        if (!(err instanceof MetricsSourceError)) throw err;
        failures.push(err);
      }
    }
    if (failures.length > 0 && failures.length === byNamespace.size)
      throw new UsageUnavailableError(failures[0]!.reason, failures.map((f) => f.message).join('; '));
    if (pods.size === 0 && byNamespace.size > 0)
      throw new UsageUnavailableError(
        'NoUsageSeries',
        'Prometheus holds no container_cpu_usage_seconds_total or container_memory_working_set_bytes for the ' +
          "selected pods: scrape the kubelets' cAdvisor endpoint (/metrics/cadvisor)",
      );
    return {
      pods,
      provenance:
        `measured: cAdvisor via prometheus (p95 of rate(container_cpu_usage_seconds_total[${rateWindow}]) and ` +
        `container_memory_working_set_bytes, summed over each pod's containers, one sample every ${step} s ` +
        `over the window)`,
    };
  }
}
