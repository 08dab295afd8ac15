// What one reconcile collects for a policy's selected pods over its window: hourly energy from the
// metrics source (a timeout is a MetricsUnavailableError), and p95 CPU/memory usage from the usage
// source (never an exception: a failure says why right-sizing is not assessed).
import type { Logger } from 'pino';
import type { PodView } from '../kube/pod-view.js';
import {
  MetricsUnavailableError,
  type MetricsCollection,
  type MetricsSource,
  type PodRef,
} from '../sources/metrics-source.js';
import { UsageUnavailableError, type UsageCollection, type UsageSource } from '../sources/usage-source.js';
import { HOUR_MS } from '../domain/time.js';
import type { HistoryWindow } from './energy-history.js';
import { conditionReason } from './status-builder.js';

export type UsageResult =
  { collection: UsageCollection; description: string } | { unavailable: { reason: string; message: string } };

export interface CollectionRequest {
  /** `namespace/name` of the policy: sources that keep history in memory keep what it selects. */
  policyKey: string;
  pods: PodView[];
  window: HistoryWindow;
  now: Date;
  timeoutMs: number;
}

/** The selected pods' hourly energy over the window; rejects when the source gives nothing usable. */
export async function collectEnergy(
  source: MetricsSource,
  { policyKey, pods, window, now, timeoutMs }: CollectionRequest,
): Promise<MetricsCollection> {
  const refs: PodRef[] = pods.map((p) => ({
    namespace: p.metadata.namespace,
    name: p.metadata.name,
    uid: p.metadata.uid,
    nodeName: p.spec.nodeName,
    ...(p.spec.cpuRequest_cores !== undefined ? { cpuRequest_cores: p.spec.cpuRequest_cores } : {}),
    ...(p.status.startTime ? { startTime: p.status.startTime } : {}),
    ...(p.status.finishedTime ? { finishedTime: p.status.finishedTime } : {}),
  }));
  // Sources that keep history in memory keep only what policies select, for their window.
  source.retain?.(policyKey, refs, window.hours * HOUR_MS);
  const signal = AbortSignal.timeout(timeoutMs);
  const timeout = new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () =>
      reject(new MetricsUnavailableError('timeout', `no answer within ${timeoutMs} ms`)),
    ),
  );
  return Promise.race([
    source.collect({
      pods: refs,
      from: new Date(window.startMs),
      to: now,
      signal,
    }),
    timeout,
  ]);
}

/** p95 usage of the selected pods over the window, or why there is none (never an exception). */
export async function collectUsage(
  source: UsageSource | undefined,
  { policyKey, pods, window, now, timeoutMs }: CollectionRequest,
  log: Logger,
): Promise<UsageResult> {
  if (!source)
    return {
      unavailable: {
        reason: 'NoUsageSource',
        message:
          'no usage source is configured (--usage-source=none): set it to prometheus or metrics-api to assess right-sizing',
      },
    };
  const refs: PodRef[] = pods.map((p) => ({ namespace: p.metadata.namespace, name: p.metadata.name }));
  source.retain?.(policyKey, refs, window.hours * HOUR_MS);
  try {
    const collection = await source.collect({
      pods: refs,
      from: new Date(window.startMs),
      to: now,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { collection, description: source.description };
  } catch (error) {
    const reason =
      error instanceof UsageUnavailableError ? conditionReason(error.reason) : 'UsageSourceError';
    log.warn({ reason, err: (error as Error).message }, 'usage unavailable: right-sizing not assessed');
    return { unavailable: { reason, message: `${source.description}: ${(error as Error).message}` } };
  }
}
