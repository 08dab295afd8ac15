// Usage for right-sizing from the metrics.k8s.io API (metrics-server's PodMetrics), where no Prometheus
// is configured. The API keeps only the latest sample, so the operator polls it every interval and
// keeps the samples itself, in bounded memory: only pods some policy selects, only for the longest
// window that selects them, and at most `maxSamplesPerPod` samples per pod. When a pod's buffer is
// full of samples still inside its window, every second sample is dropped and the pod is sampled
// half as often from then on (the spacing doubles; the sample count in status says how many remain).
// Each sample is 12 bytes (time in seconds, CPU cores and memory bytes as 32-bit values).
import { z } from 'zod';
import type { PodRef } from './metrics-source.js';
import { isKubeApiError, type KubeRestClient } from '../kube/kube-rest-client.js';
import { parseQuantity } from '../kube/resource-quantity.js';
import {
  UsageUnavailableError,
  type PodUsage,
  type UsageCollection,
  type UsageSource,
} from './usage-source.js';
import { p95 } from './usage-percentile.js';
import { isoSeconds } from '../domain/time.js';

/** PodMetrics as metrics.k8s.io/v1beta1 serves it (k8s.io/metrics pkg/apis/metrics/v1beta1). */
const podMetricsList = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1) }),
      timestamp: z.string().datetime({ offset: true }),
      window: z.string().optional(),
      containers: z.array(
        z.object({
          name: z.string(),
          usage: z.object({ cpu: z.string(), memory: z.string() }),
        }),
      ),
    }),
  ),
});

/** One pod's samples: a fixed-size buffer, oldest first. */
class PodSamples {
  readonly timeS: Uint32Array;
  readonly cpu: Float32Array;
  readonly memory: Float32Array;
  length = 0;
  /** Take one poll in `stride` (doubles at each thinning). */
  stride = 1;
  private skipped = 0;

  constructor(capacity: number) {
    // One allocation per pod, three views on it.
    const buffer = new ArrayBuffer(capacity * 12);
    this.timeS = new Uint32Array(buffer, 0, capacity);
    this.cpu = new Float32Array(buffer, capacity * 4, capacity);
    this.memory = new Float32Array(buffer, capacity * 8, capacity);
  }

  add(timeS: number, cpu: number, memory: number, oldestKeptS: number): void {
    if (this.length > 0 && timeS <= this.timeS[this.length - 1]!) return; // the same sample polled twice
    if (++this.skipped < this.stride) return;
    this.skipped = 0;
    this.dropBefore(oldestKeptS);
    if (this.length === this.timeS.length) this.thin();
    this.timeS[this.length] = timeS;
    this.cpu[this.length] = cpu;
    this.memory[this.length] = memory;
    this.length += 1;
  }

  dropBefore(oldestKeptS: number): void {
    let first = 0;
    while (first < this.length && this.timeS[first]! < oldestKeptS) first += 1;
    if (first === 0) return;
    this.timeS.copyWithin(0, first, this.length);
    this.cpu.copyWithin(0, first, this.length);
    this.memory.copyWithin(0, first, this.length);
    this.length -= first;
  }

  /** Keeps every second sample (the newest included) and samples half as often from now on. */
  private thin(): void {
    let kept = 0;
    for (let i = this.length % 2 === 0 ? 1 : 0; i < this.length; i += 2) {
      this.timeS[kept] = this.timeS[i]!;
      this.cpu[kept] = this.cpu[i]!;
      this.memory[kept] = this.memory[i]!;
      kept += 1;
    }
    this.length = kept;
    this.stride *= 2;
  }

  between(fromS: number, toS: number): { cpu: Float32Array; memory: Float32Array } {
    let start = 0;
    while (start < this.length && this.timeS[start]! < fromS) start += 1;
    let end = start;
    while (end < this.length && this.timeS[end]! <= toS) end += 1;
    return { cpu: this.cpu.subarray(start, end), memory: this.memory.subarray(start, end) };
  }
}

export interface MetricsApiUsageOptions {
  client: Pick<KubeRestClient, 'get'>;
  /** Milliseconds between polls. */
  intervalMs: number;
  /** Samples kept per pod (memory: 12 bytes each). */
  maxSamplesPerPod?: number;
  /** Restrict polling to one namespace (--watch-namespace). */
  watchNamespace?: string;
  logger?: { warn(obj: object, msg: string): void };
  clock?: () => number;
}

const API = '/apis/metrics.k8s.io/v1beta1';

export class MetricsApiUsageSampler implements UsageSource {
  readonly description = 'metrics.k8s.io (PodMetrics samples)';
  private readonly series = new Map<string, PodSamples>();
  private readonly retained = new Map<string, { pods: Set<string>; windowMs: number }>();
  private readonly startedMs: number;
  private lastError: { reason: string; message: string } | undefined;
  private polls = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly clock: () => number;
  private readonly capacity: number;

  constructor(private readonly options: MetricsApiUsageOptions) {
    this.clock = options.clock ?? Date.now;
    this.capacity = options.maxSamplesPerPod ?? 512;
    this.startedMs = this.clock();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  retain(policy: string, pods: readonly PodRef[], windowMs: number): void {
    if (pods.length === 0) this.retained.delete(policy);
    else this.retained.set(policy, { pods: new Set(pods.map((p) => `${p.namespace}/${p.name}`)), windowMs });
    const wanted = this.wanted();
    for (const key of this.series.keys()) if (!wanted.has(key)) this.series.delete(key);
  }

  /** Pods some policy selects, with the longest window that selects each. */
  private wanted(): Map<string, number> {
    const out = new Map<string, number>();
    for (const { pods, windowMs } of this.retained.values())
      for (const key of pods) out.set(key, Math.max(out.get(key) ?? 0, windowMs));
    return out;
  }

  /** One poll of every namespace with a retained pod (exported for tests through poll()). */
  poll(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const wanted = this.wanted();
    const namespaces = new Set([...wanted.keys()].map((k) => k.slice(0, k.indexOf('/'))));
    if (this.options.watchNamespace)
      for (const ns of namespaces) if (ns !== this.options.watchNamespace) namespaces.delete(ns);
    for (const namespace of namespaces) {
      let list: z.infer<typeof podMetricsList>;
      try {
        const body = await this.options.client.get<unknown>(
          `${API}/namespaces/${encodeURIComponent(namespace)}/pods`,
        );
        const parsed = podMetricsList.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new UsageUnavailableError(
            'ParseError',
            `unexpected PodMetrics list at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
          );
        }
        list = parsed.data;
      } catch (error) {
        this.lastError = describeError(error);
        this.options.logger?.warn(
          { namespace, reason: this.lastError.reason, err: this.lastError.message },
          'metrics.k8s.io poll failed',
        );
        continue;
      }
      this.lastError = undefined;
      this.polls += 1;
      const nowMs = this.clock();
      for (const item of list.items) {
        const key = `${item.metadata.namespace}/${item.metadata.name}`;
        const windowMs = wanted.get(key);
        if (windowMs === undefined) continue;
        let cpu = 0;
        let memory = 0;
        let valid = item.containers.length > 0;
        for (const c of item.containers) {
          const cores = parseQuantity(c.usage.cpu);
          const bytes = parseQuantity(c.usage.memory);
          if (cores === undefined || bytes === undefined) valid = false;
          else {
            cpu += cores;
            memory += bytes;
          }
        }
        if (!valid) continue;
        let samples = this.series.get(key);
        if (!samples) {
          samples = new PodSamples(this.capacity);
          this.series.set(key, samples);
        }
        samples.add(
          Math.floor(Date.parse(item.timestamp) / 1000),
          cpu,
          memory,
          Math.floor((nowMs - windowMs) / 1000),
        );
      }
    }
  }

  collect(req: { pods: PodRef[]; from: Date; to: Date }): Promise<UsageCollection> {
    const fromS = Math.floor(req.from.getTime() / 1000);
    const toS = Math.ceil(req.to.getTime() / 1000);
    const pods = new Map<string, PodUsage>();
    for (const ref of req.pods) {
      const key = `${ref.namespace}/${ref.name}`;
      const samples = this.series.get(key);
      if (!samples) continue;
      const { cpu, memory } = samples.between(fromS, toS);
      if (cpu.length === 0) continue;
      pods.set(key, {
        cpuP95_cores: p95(cpu),
        memoryP95_bytes: p95(memory),
        cpuSamples: cpu.length,
        memorySamples: memory.length,
      });
    }
    if (pods.size === 0 && this.lastError)
      return Promise.reject(new UsageUnavailableError(this.lastError.reason, this.lastError.message));
    const intervalS = this.options.intervalMs / 1000;
    return Promise.resolve({
      pods,
      provenance:
        `measured: metrics.k8s.io PodMetrics (container usage summed per pod) polled every ${intervalS} s by the ` +
        `operator since ${isoSeconds(this.startedMs)}, at most ` +
        `${this.capacity} samples per pod (older ones thinned); p95 over the samples in the window`,
    });
  }

  /** Samples held, for the memory benchmark and tests. */
  stats(): { pods: number; samples: number; bytes: number; polls: number } {
    let samples = 0;
    for (const s of this.series.values()) samples += s.length;
    return {
      pods: this.series.size,
      samples,
      bytes: this.series.size * this.capacity * 12,
      polls: this.polls,
    };
  }
}

function describeError(error: unknown): { reason: string; message: string } {
  if (error instanceof UsageUnavailableError) return { reason: error.reason, message: error.message };
  if (isKubeApiError(error, 404) || isKubeApiError(error, 503))
    return {
      reason: 'MetricsApiUnavailable',
      message:
        `${API} is not served (HTTP ${(error as { statusCode: number }).statusCode}): install metrics-server, ` +
        'or give the operator a Prometheus that scrapes cAdvisor (--prometheus-url)',
    };
  if (isKubeApiError(error, 403))
    return {
      reason: 'Forbidden',
      message: `${(error as Error).message}: the operator needs list on pods.metrics.k8s.io`,
    };
  return { reason: 'Unreachable', message: (error as Error).message };
}
