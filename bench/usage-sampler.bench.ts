// metrics.k8s.io usage sampler benchmark: what polling PodMetrics costs the operator when no Prometheus
// is configured. 10,000 pods in 100 namespaces, one policy selecting all of them with a 7-day window
// (the worst case of the retention hint), polled every 60 s until every pod's buffer has filled and been
// thinned once (600 polls, 10 h of samples). The API server is replaced by pre-built PodMetrics lists
// handed to the sampler (the figure is the sampler's own work: validation, summing containers, buffers).
// Prints: BENCH usage_sampler_10k_pods_heap_mb (V8 heap + typed-array buffers held after a GC, above the baseline),
// BENCH usage_sampler_poll_10k_pods_ms (median poll of all 100 namespaces), and
// BENCH usage_sampler_p95_10k_pods_ms (one collect over all 10,000 pods: the p95s a reconcile needs).
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MetricsApiUsageSampler } from '../operator/sources/metrics-api-usage.js';

const NAMESPACES = 100;
const PODS_PER_NAMESPACE = 100;
const POLLS = 600;
const INTERVAL_MS = 60_000;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const START_MS = Date.UTC(2026, 2, 1, 0, 0, 0);
let nowMs = START_MS;

/** PodMetrics lists in the documented shape, one per namespace; usage varies per poll. */
function podMetricsList(namespace: number, poll: number) {
  const items = [];
  for (let i = 0; i < PODS_PER_NAMESPACE; i++) {
    items.push({
      metadata: { name: `pod-${i}`, namespace: `ns-${namespace}` },
      timestamp: new Date(nowMs).toISOString(),
      window: '15s',
      containers: [
        {
          name: 'app',
          usage: { cpu: `${100 + ((poll * 7 + i) % 50)}m`, memory: `${200 + ((poll + i) % 30)}Mi` },
        },
        { name: 'sidecar', usage: { cpu: '5m', memory: '16Mi' } },
      ],
    });
  }
  return { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', items };
}

async function main(): Promise<void> {
  let poll = 0;
  const client = {
    get: <T>(path: string): Promise<T> => {
      const namespace = Number(/namespaces\/ns-(\d+)\/pods$/.exec(path)![1]);
      return Promise.resolve(podMetricsList(namespace, poll) as T);
    },
  };
  gc();
  // Typed-array buffers are counted in `external`, not in the V8 heap.
  const held = () => process.memoryUsage().heapUsed + process.memoryUsage().external;
  const baseline = held();
  const sampler = new MetricsApiUsageSampler({ client, intervalMs: INTERVAL_MS, clock: () => nowMs });
  const pods = [];
  for (let n = 0; n < NAMESPACES; n++)
    for (let i = 0; i < PODS_PER_NAMESPACE; i++) pods.push({ namespace: `ns-${n}`, name: `pod-${i}` });
  sampler.retain('bench/all-pods', pods, 7 * 24 * 3_600_000);
  const times: number[] = [];
  for (poll = 0; poll < POLLS; poll++) {
    const started = performance.now();
    await sampler.poll();
    if (poll % 50 === 0) times.push(performance.now() - started);
    nowMs += INTERVAL_MS;
  }
  gc();
  await new Promise((resolve) => setTimeout(resolve, 500));
  gc();
  const heldMiB = (held() - baseline) / 2 ** 20;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const c = await sampler.collect({ pods, from: new Date(START_MS), to: new Date(nowMs) });
  const collectMs = performance.now() - started;
  const collectCpu = process.cpuUsage(cpuBefore);
  const stats = sampler.stats();
  times.sort((a, b) => a - b);
  console.log(
    `# usage sampler: ${pods.length} pods, ${POLLS} polls every ${INTERVAL_MS / 1000} s, ${stats.samples} samples held ` +
      `(${(stats.samples / pods.length).toFixed(0)} per pod after thinning), buffers ${Math.round(stats.bytes / 2 ** 20)} MiB, ` +
      `${c.pods.size} pods with a p95`,
  );
  console.log(`BENCH usage_sampler_10k_pods_heap_mb ${heldMiB.toFixed(1)} (target ≤ 64)`);
  console.log(
    `BENCH usage_sampler_poll_10k_pods_ms ${Math.round(times[Math.floor(times.length / 2)]!)} (target ≤ 1000)`,
  );
  console.log(
    `BENCH usage_sampler_p95_10k_pods_ms ${Math.round(collectMs)} (target ≤ 500; CPU time ${Math.round((collectCpu.user + collectCpu.system) / 1000)} ms, load average ${loadavg()[0]!.toFixed(2)})`,
  );
}

await main();
