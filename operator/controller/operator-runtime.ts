// Wires the operator: informers (policies, pods) → work queue → reconciler, gated by leader
// election (only the leader reconciles and writes status; standbys keep warm caches), plus the
// health/metrics server. start() and stop() are the whole lifecycle.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import { GROUP, PLURAL, VERSION } from '../api/v1alpha1/types.js';
import { CronJobScheduleActions } from './cronjob-schedule-actions.js';
import { KubeEventRecorder } from '../kube/event-recorder.js';
import { HealthServer } from '../kube/health-server.js';
import { isForbidden, KubeRestClient } from '../kube/kube-rest-client.js';
import { LeaderElector } from '../kube/leader-election.js';
import type { MetricsSource } from '../sources/metrics-source.js';
import { OperatorMetrics } from './operator-metrics.js';
import type { OperatorConfig } from './operator-config.js';
import type { PolicyEvaluator } from './policy-evaluator.js';
import { PolicyReconciler } from './policy-reconciler.js';
import { toPolicyView } from './policy-view.js';
import { toPodView, type PodView } from '../kube/pod-view.js';
import { KubePolicyStore } from './status-writer.js';
import { SupervisedInformer } from '../kube/supervised-informer.js';
import type { UsageSource } from '../sources/usage-source.js';
import { WorkQueue } from '../kube/work-queue.js';
import { CachedOwnerLookup } from './workload-grouping.js';

export interface OperatorRuntimeDeps {
  config: OperatorConfig;
  kubeConfig: KubeConfig;
  source: MetricsSource;
  /** p95 CPU/memory usage for right-sizing (absent: --usage-source=none). */
  usage?: UsageSource;
  evaluator: PolicyEvaluator;
  logger: Logger;
  /** Called when leadership is lost: the process should exit so a clean replica takes over. */
  onLostLeadership?: () => void;
}

export class OperatorRuntime {
  readonly metrics = new OperatorMetrics();
  readonly policies: SupervisedInformer<CarbonCompliancePolicy>;
  readonly pods: SupervisedInformer<PodView>;
  readonly queue: WorkQueue;
  readonly reconciler: PolicyReconciler;
  private readonly elector: LeaderElector | undefined;
  private readonly health: HealthServer;
  private leading = false;
  private stopped = false;
  private readonly cronJobs: CronJobScheduleActions | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  healthPort = 0;

  constructor(private readonly deps: OperatorRuntimeDeps) {
    const { config, kubeConfig, logger } = deps;
    const client = new KubeRestClient(kubeConfig);
    const ns = config.watchNamespace;
    this.policies = new SupervisedInformer<CarbonCompliancePolicy>({
      name: 'policies',
      kubeConfig,
      path: ns
        ? `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}`
        : `/apis/${GROUP}/${VERSION}/${PLURAL}`,
      transform: toPolicyView,
      logger,
    });
    this.pods = new SupervisedInformer<PodView>({
      name: 'pods',
      kubeConfig,
      path: ns ? `/api/v1/namespaces/${ns}/pods` : '/api/v1/pods',
      transform: toPodView,
      logger,
    });
    this.queue = new WorkQueue({
      concurrency: config.concurrency,
      backoff: { initialMs: 1000, maxMs: 5 * 60_000 },
      onError: (key, error, retryInMs) =>
        logger.warn({ key, err: error.message, retryInMs }, 'reconcile will be retried'),
    });
    this.cronJobs = config.actions ? new CronJobScheduleActions(client, logger) : undefined;
    this.reconciler = new PolicyReconciler({
      policies: this.policies,
      pods: this.pods,
      owners: new CachedOwnerLookup(client),
      source: deps.source,
      ...(deps.usage ? { usage: deps.usage } : {}),
      evaluator: deps.evaluator,
      store: new KubePolicyStore(client),
      events: new KubeEventRecorder(client, 'carbon-aware-operator', config.identity, logger),
      metrics: this.metrics,
      logger,
      ...(this.cronJobs ? { cronJobs: this.cronJobs } : {}),
      options: { minIntervalMs: config.minInterval * 1000 },
    });
    this.policies.on((type, policy, old) => {
      const key = `${policy.metadata.namespace}/${policy.metadata.name}`;
      if (type === 'delete') {
        this.queue.forget(key);
        this.metrics.forgetPolicy(policy.metadata.namespace, policy.metadata.name);
        return;
      }
      // Our own status writes come back as updates: only spec changes (generation) need work now.
      if (type === 'update' && old && old.metadata.generation === policy.metadata.generation) return;
      if (this.leading) this.queue.add(key);
    });
    this.pods.on((type, pod, old) => {
      // New or removed pods change a policy's workloads; label changes may change its selection.
      if (type === 'update' && JSON.stringify(old?.metadata.labels) === JSON.stringify(pod.metadata.labels))
        return;
      if (!this.leading) return;
      for (const policy of this.policies.list(pod.metadata.namespace)) {
        this.queue.addAfter(`${policy.metadata.namespace}/${policy.metadata.name}`, 2_000);
      }
    });
    if (config.leaderElection) {
      this.elector = new LeaderElector(client, {
        namespace: config.leaseNamespace ?? 'default',
        name: config.leaseName,
        identity: config.identity,
        leaseDurationSeconds: config.leaseDuration,
        renewDeadlineSeconds: config.renewDeadline,
        retryPeriodSeconds: config.retryPeriod,
        onStartedLeading: () => this.startLeading(),
        onStoppedLeading: () => this.stopLeading(),
        logger,
      });
    }
    this.health = new HealthServer(
      {
        liveness: () => ({}),
        readiness: () => ({
          ...(this.policies.hasSynced()
            ? {}
            : { policies: this.policies.lastError?.message ?? 'policy cache not synced' }),
          ...(this.pods.hasSynced() ? {} : { pods: this.pods.lastError?.message ?? 'pod cache not synced' }),
        }),
      },
      this.metrics.registry,
    );
  }

  async start(): Promise<void> {
    const { config, logger } = this.deps;
    this.healthPort = await this.health.listen(config.healthPort, config.healthHost);
    logger.info({ port: this.healthPort }, 'health and metrics server listening');
    this.policies.start();
    this.pods.start();
    // Pods the operator may not list: go on, so that the reconciler can say so in every policy's
    // Ready condition (it never reads an unsynced cache as "no pods").
    await Promise.all([this.policies.waitForSync(), syncedOrDenied(this.pods)]);
    if (this.stopped) return;
    logger.info({ policies: this.policies.list().length, pods: this.pods.list().length }, 'caches synced');
    const gauges = setInterval(() => {
      this.metrics.queueDepth.set(this.queue.length);
      this.metrics.informerRestartsObserved('policies', this.policies.stats.restarts);
      this.metrics.informerRestartsObserved('pods', this.pods.stats.restarts);
    }, 5_000);
    gauges.unref();
    if (this.elector) this.elector.start();
    else this.startLeading();
  }

  private startLeading(): void {
    if (this.stopped) return;
    this.leading = true;
    this.metrics.isLeader.set(1);
    this.queue.start((key) => this.reconciler.handle(key));
    for (const policy of this.policies.list())
      this.queue.add(`${policy.metadata.namespace}/${policy.metadata.name}`);
    // Schedules moved for a policy deleted while no leader ran (or while it was down): put them back,
    // now and every 10 minutes (a deletion seen live is handled at once by the reconciler).
    if (this.cronJobs) {
      void this.sweepOrphans();
      this.sweepTimer = setInterval(() => void this.sweepOrphans(), 10 * 60_000);
      this.sweepTimer.unref();
    }
  }

  private async sweepOrphans(): Promise<void> {
    if (!this.cronJobs || !this.leading) return;
    try {
      const restored = await this.cronJobs.restoreOrphans(
        this.deps.config.watchNamespace,
        (namespace, name) => this.policies.get(namespace, name) !== undefined,
        new Date(),
      );
      if (restored.length > 0)
        this.deps.logger.info({ cronJobs: restored }, 'schedules of deleted policies restored');
    } catch (error) {
      this.deps.logger.warn(
        { err: (error as Error).message },
        'could not sweep CronJobs of deleted policies',
      );
    }
  }

  private stopLeading(): void {
    const wasLeading = this.leading;
    this.leading = false;
    clearInterval(this.sweepTimer);
    this.metrics.isLeader.set(0);
    if (wasLeading && !this.stopped) this.deps.onLostLeadership?.();
  }

  /** Re-evaluates every policy soon (new live grid data, a reloaded standards catalogue). */
  requeueAll(): void {
    if (!this.leading) return;
    for (const policy of this.policies.list())
      this.queue.addAfter(`${policy.metadata.namespace}/${policy.metadata.name}`, 1_000);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Graceful: finish running reconciles, stop watches, release the Lease, close the server. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.sweepTimer);
    await this.queue.shutdown();
    this.policies.stop();
    this.pods.stop();
    await this.elector?.stop();
    await this.health.close();
  }
}

function syncedOrDenied(informer: SupervisedInformer<PodView>): Promise<void> {
  return new Promise((resolve) => {
    void informer.waitForSync().then(resolve);
    informer.onError((error) => {
      if (isForbidden(error)) resolve();
    });
  });
}
