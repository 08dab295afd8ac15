// One list+watch of every CarbonCompliancePolicy in the cluster, kept in memory. Every tool call is
// answered from this cache (the ancestor fetched per call and per workload: an N+1 pattern).
// client-node's informer stops on any error other than 410, so it is restarted here with
// exponential backoff and jitter. While the last attempt failed, unavailableReason() says why
// (address, cause, what to check), so tools answer with that instead of "0 workloads"; the next
// successful list or watch clears it by itself.
import {
  CustomObjectsApi,
  type KubeConfig,
  makeInformer,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  fromStoredPolicy,
  GROUP,
  PLURAL,
  VERSION,
  type CarbonCompliancePolicy,
} from '../../operator/public-api.js';
import { describeClusterAccessError } from './cluster-access-error.js';
import type { PolicyStatusReader } from './policy-status-reader.js';

const MAX_BACKOFF_MS = 30_000;
/**
 * After a good list, a watch failure younger than this still answers from the cache: a restarted
 * watch usually resumes within a second, and answers should not flap on one dropped connection.
 */
const OUTAGE_GRACE_MS = 10_000;

export interface KubePolicyReaderOptions {
  /** Where the kubeconfig came from, quoted in error answers (e.g. 'KUBECONFIG=/path'). */
  origin?: string;
  /** First retry delay; doubles per failure up to 30 s. */
  initialBackoff_ms?: number;
}

export class KubePolicyReader implements PolicyStatusReader {
  readonly description = `kubernetes watch of ${PLURAL}.${GROUP}/${VERSION}`;
  // client-node types creationTimestamp as Date; the JSON it returns (and our type) has a string.
  private informer: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>) | undefined;
  /** True once a list has succeeded: the cache then holds real data (possibly stale, see lastError). */
  private listed = false;
  private lastError: { reason: string; at: Date } | undefined;
  private errorCount = 0;
  private stopped = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private firstAttempt: Promise<void> | undefined;
  private readonly startedAt = Date.now();
  private readonly server: string;
  /** The informer keeps an object until it changes, so each is renamed once (see field-names.ts). */
  private readonly renamed = new WeakMap<CarbonCompliancePolicy, CarbonCompliancePolicy>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly logger: Logger,
    private readonly options: KubePolicyReaderOptions = {},
  ) {
    this.server = kubeConfig.getCurrentCluster()?.server ?? '(no server in kubeconfig)';
  }

  list(): readonly CarbonCompliancePolicy[] {
    const stored = (this.informer?.list() ?? []) as unknown as readonly CarbonCompliancePolicy[];
    return stored.map((policy) => {
      let renamed = this.renamed.get(policy);
      if (!renamed) {
        renamed = fromStoredPolicy(policy);
        this.renamed.set(policy, renamed);
      }
      return renamed;
    });
  }

  isReady(): boolean {
    return this.listed && !this.inOutage();
  }

  private inOutage(): boolean {
    if (!this.lastError) return false;
    return !this.listed || Date.now() - this.lastError.at.getTime() >= OUTAGE_GRACE_MS;
  }

  unavailableReason(): string | undefined {
    const where = this.options.origin
      ? ` (kubeconfig ${this.options.origin}, context "${this.kubeConfig.getCurrentContext()}")`
      : '';
    if (this.lastError && this.inOutage()) {
      const stale = this.listed ? ' Answers would come from a stale cache, so none are given.' : '';
      return (
        `Cannot read CarbonCompliancePolicy objects from the Kubernetes API server ${this.server}${where} ` +
        `since ${this.lastError.at.toISOString()}: ${this.lastError.reason}${stale} ` +
        'The server retries by itself (at most every 30 s) and answers again once it succeeds; ' +
        'run `carbon-mcp --check` to test the kubeconfig, connectivity and permissions.'
      );
    }
    if (!this.listed && !this.lastError) {
      const waited_s = Math.round((Date.now() - this.startedAt) / 1000);
      return (
        `No answer yet from the Kubernetes API server ${this.server}${where} after ${waited_s} s ` +
        '(the first list of CarbonCompliancePolicy objects is still pending). If this persists, check the ' +
        'network path to the cluster (VPN, firewall) and run `carbon-mcp --check`.'
      );
    }
    return undefined;
  }

  async settled(timeout_ms: number): Promise<void> {
    if (this.listed || this.lastError || !this.firstAttempt) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.firstAttempt,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeout_ms);
      }),
    ]);
    clearTimeout(timer);
  }

  async start(): Promise<void> {
    const api = this.kubeConfig.makeApiClient(CustomObjectsApi);
    const path = `/apis/${GROUP}/${VERSION}/${PLURAL}`;
    const informer = makeInformer<KubernetesObject>(this.kubeConfig, path, async () => {
      const list = await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL });
      this.listed = true;
      return list as { items: KubernetesObject[]; metadata?: { resourceVersion?: string } };
    });
    informer.on('error', (error: unknown) => this.failed(error));
    this.informer = informer;
    // Not awaited: a black-holed address would hold the MCP handshake for minutes. Tool calls wait
    // briefly for this first attempt (settled) and otherwise say what they are waiting for.
    this.firstAttempt = this.startOnce();
  }

  // The informer reports list and watch failures on 'error' and then stops; start() resolves once
  // the list and the watch request are done. No error during the call means both succeeded.
  private async startOnce(): Promise<void> {
    const errorsBefore = this.errorCount;
    try {
      await this.informer?.start();
    } catch (error) {
      this.failed(error);
      return;
    }
    if (this.errorCount === errorsBefore && !this.stopped) {
      if (this.lastError) this.logger.info({ server: this.server }, 'policy watch recovered');
      this.lastError = undefined;
      this.failures = 0;
    }
  }

  private failed(error: unknown): void {
    this.errorCount += 1;
    if (this.stopped) return;
    const reason = describeClusterAccessError(error, this.server);
    this.lastError = { reason, at: this.lastError?.at ?? new Date() };
    this.failures += 1;
    const initial = this.options.initialBackoff_ms ?? 500;
    const base = Math.min(MAX_BACKOFF_MS, initial * 2 ** Math.min(this.failures, 6));
    const delay_ms = Math.round(base / 2 + Math.random() * (base / 2));
    this.logger.warn(
      {
        err: error instanceof Error ? error.message : String(error),
        reason,
        retryInMs: delay_ms,
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
