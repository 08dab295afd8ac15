// One list+watch of every CarbonCompliancePolicy in the cluster, kept in memory. Every tool call is
// answered from this cache (the ancestor fetched per call and per workload: an N+1 pattern).
// client-node's informer stops on any error other than 410, so it is restarted here with
// exponential backoff and jitter.
import {
  CustomObjectsApi,
  type KubeConfig,
  makeInformer,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GROUP, PLURAL, VERSION, type CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import type { PolicyStatusSource } from './policy-status-source.js';

const MAX_BACKOFF_MS = 30_000;

export class KubePolicySource implements PolicyStatusSource {
  readonly description = `kubernetes watch of ${PLURAL}.${GROUP}/${VERSION}`;
  // client-node types creationTimestamp as Date; the JSON it returns (and our type) has a string.
  private informer: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>) | undefined;
  private ready = false;
  private stopped = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly logger: Logger,
  ) {}

  list(): readonly CarbonCompliancePolicy[] {
    return (this.informer?.list() ?? []) as unknown as readonly CarbonCompliancePolicy[];
  }

  isReady(): boolean {
    return this.ready;
  }

  async start(): Promise<void> {
    const api = this.kubeConfig.makeApiClient(CustomObjectsApi);
    const path = `/apis/${GROUP}/${VERSION}/${PLURAL}`;
    const informer = makeInformer<KubernetesObject>(this.kubeConfig, path, async () => {
      const list = await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL });
      return list as { items: KubernetesObject[]; metadata?: { resourceVersion?: string } };
    });
    informer.on('connect', () => {
      this.ready = true;
      this.failures = 0;
    });
    informer.on('error', (error: unknown) => this.scheduleRestart(error));
    this.informer = informer;
    await this.startOnce();
  }

  private async startOnce(): Promise<void> {
    try {
      await this.informer?.start();
      this.ready = true;
      this.failures = 0;
    } catch (error) {
      this.scheduleRestart(error);
    }
  }

  private scheduleRestart(error: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures, 6));
    const delay_ms = Math.round(base / 2 + Math.random() * (base / 2));
    this.logger.warn(
      {
        err: error instanceof Error ? error.message : String(error),
        retryIn_ms: delay_ms,
        failures: this.failures,
      },
      'policy watch failed; restarting',
    );
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.startOnce(), delay_ms);
    this.restartTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer?.stop();
  }
}
