// The operator's boundary to CPU and memory usage, for right-sizing: p95 per pod over the policy's
// window. Implementations: Prometheus's cAdvisor series (sources/prometheus-usage.ts) and periodic
// samples of the metrics.k8s.io API (sources/metrics-api-usage.ts). Which one is used is the
// OPERATOR's configuration (--usage-source), never a policy's.
import type { PodRef } from './metrics-source.js';

/** One pod's usage over the requested range. A p95 is null when there were too few samples. */
export interface PodUsage {
  cpuP95_cores: number | null;
  memoryP95_bytes: number | null;
  cpuSamples: number;
  memorySamples: number;
}

export interface UsageCollection {
  /** Key `namespace/pod`; pods without any sample are absent. */
  pods: Map<string, PodUsage>;
  /** What the figures are (their provenance), for status: 'measured: …' with the series or API and the
   * sample spacing. */
  provenance: string;
}

export interface UsageSource {
  /** For conditions and logs: 'prometheus (cAdvisor series)', 'metrics.k8s.io (PodMetrics samples)'. */
  readonly description: string;
  collect(request: { pods: PodRef[]; from: Date; to: Date; signal?: AbortSignal }): Promise<UsageCollection>;
  /** Sources that sample into memory keep only the pods policies select, for their windows (an empty
   * list releases the policy). */
  retain?(policy: string, pods: readonly PodRef[], windowMs: number): void;
}

/** No usage at all: `reason` (CamelCase) goes into the UsageAvailable condition; right-sizing is not assessed. */
export class UsageUnavailableError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'UsageUnavailableError';
  }
}
