// Fairness between namespaces on the real kube-apiserver: 1,000 policies over 100 namespaces, 900
// of them in one namespace that sorts first (so the informer lists and queues its policies first).
// The whole operator runtime (informers, queue, reconciler with the real engine, status writes)
// runs in-process. Each metrics collection takes 400 ms, so with 4 workers a first-come-first-served
// queue needs at least 900 × 0.4 s / 4 = 90 s before it reaches the other namespaces, longer than
// two 30 s intervals whatever the machine; the 99 other namespaces' policies must get their first
// status within two intervals of the operator starting to lead.
import { jest } from '@jest/globals';
import pino from 'pino';
import { testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import { installPolicyCrd } from '../../hack/testenv/cluster-fixtures.js';
import { GROUP, PLURAL, VERSION, type CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import { createWatchedPolicyEvaluator } from './policy-evaluator.js';
import { isKubeApiError, KubeRestClient } from '../kube/kube-rest-client.js';
import type { MetricsCollection, MetricsSource } from '../sources/metrics-source.js';
import { loadOperatorConfig } from './operator-config.js';
import { OperatorRuntime } from './operator-runtime.js';
import { SupervisedInformer } from '../kube/supervised-informer.js';

jest.setTimeout(240_000);

const CROWDED = 'fair-aaa-crowded';
const OTHERS = Array.from({ length: 99 }, (_, i) => `fair-team-${String(i).padStart(2, '0')}`);
const INTERVAL_S = 30;
/** Time one metrics collection takes (a slow Kepler or Prometheus round trip). */
const COLLECT_MS = 400;
const CONCURRENCY = 4;

/**
 * A hand-written stand-in for the metrics source (the Kepler and Prometheus sources have their own
 * tests): it answers after COLLECT_MS with no energy, so each reconcile costs a realistic round trip.
 */
class SlowEmptySource implements MetricsSource {
  description = `stand-in source (no energy, ${COLLECT_MS} ms per collection)`;
  async collect(): Promise<MetricsCollection> {
    await new Promise((resolve) => setTimeout(resolve, COLLECT_MS));
    return {
      pods: new Map(),
      zonesCounted: ['package'],
      energyProvenance: 'measured: test',
      dataQuality: [],
      errors: [],
    };
  }
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

describe('fairness between namespaces (1,000 policies, 900 in one namespace)', () => {
  const client = new KubeRestClient(testKubeConfig());
  const namespaces = [CROWDED, ...OTHERS];
  const policies: Array<{ namespace: string; name: string }> = [
    ...Array.from({ length: 900 }, (_, i) => ({
      namespace: CROWDED,
      name: `p-${String(i).padStart(3, '0')}`,
    })),
    ...OTHERS.map((namespace) => ({ namespace, name: 'carbon' })),
    { namespace: OTHERS[0]!, name: 'carbon-2' },
  ];

  beforeAll(async () => {
    installPolicyCrd();
    await inBatches(namespaces, 20, (name) =>
      client.create('/api/v1/namespaces', { metadata: { name } }).catch((error: unknown) => {
        if (!isKubeApiError(error, 409)) throw error;
      }),
    );
    await inBatches(namespaces, 20, (namespace) =>
      client.create(`/api/v1/namespaces/${namespace}/pods`, {
        metadata: { name: 'app', labels: { app: 'app' } },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      }),
    );
    await inBatches(policies, 20, ({ namespace, name }) =>
      client.create(`/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`, {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'CarbonCompliancePolicy',
        metadata: { name },
        spec: { selector: { matchLabels: { app: 'app' } }, interval: `${INTERVAL_S}s`, site: { zone: 'KR' } },
      }),
    );
  });

  afterAll(async () => {
    // Leave the shared control plane as other suites expect it: no extra policies or pods.
    await inBatches(namespaces, 20, async (namespace) => {
      await client
        .delete(`/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`)
        .catch(() => undefined);
      await client.delete(`/api/v1/namespaces/${namespace}/pods`).catch(() => undefined);
    });
  });

  it('the other 99 namespaces get their policies evaluated within two intervals', async () => {
    const firstStatus = new Map<string, number>();
    const watcher = new SupervisedInformer<CarbonCompliancePolicy>({
      name: 'fairness-watch',
      kubeConfig: testKubeConfig(),
      path: `/apis/${GROUP}/${VERSION}/${PLURAL}`,
    });
    watcher.on((_type, policy) => {
      const key = `${policy.metadata.namespace}/${policy.metadata.name}`;
      if (policy.status?.lastEvaluationTime && !firstStatus.has(key)) firstStatus.set(key, Date.now());
    });
    watcher.start();
    await watcher.waitForSync();

    const logger = pino({ level: 'silent' });
    const config = loadOperatorConfig(
      [
        '--leader-election',
        'false',
        '--concurrency',
        String(CONCURRENCY),
        '--min-interval',
        String(INTERVAL_S),
        '--health-port',
        '0',
        '--health-host',
        '127.0.0.1',
      ],
      { KUBECONFIG: testKubeconfigPath() },
    );
    const runtime = new OperatorRuntime({
      config,
      kubeConfig: testKubeConfig(),
      source: new SlowEmptySource(),
      evaluator: createWatchedPolicyEvaluator(logger).evaluator,
      logger,
    });
    try {
      await runtime.start();
      const leadingSince = Date.now();
      const others = policies.filter((p) => p.namespace !== CROWDED);
      const evaluated = (p: { namespace: string; name: string }) =>
        firstStatus.has(`${p.namespace}/${p.name}`);
      const deadline = leadingSince + 3 * INTERVAL_S * 1000;
      while (!others.every(evaluated) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const after_ms = (p: { namespace: string; name: string }) =>
        (firstStatus.get(`${p.namespace}/${p.name}`) ?? Infinity) - leadingSince;
      const otherTimes = others.map(after_ms);
      const worstOther_ms = Math.max(...otherTimes);
      const medianOther_ms = [...otherTimes].sort((a, b) => a - b)[Math.floor(otherTimes.length / 2)]!;
      // The crowded namespace is served too (one key per round), not starved.
      const crowdedDone = policies.filter((p) => p.namespace === CROWDED && evaluated(p)).length;
      process.stderr.write(
        `FIGURE fairness_other_namespaces_first_status_ms median ${medianOther_ms} worst ${worstOther_ms}; crowded_namespace_evaluated_by_then ${crowdedDone} of 900\n`,
      );
      expect(crowdedDone).toBeGreaterThanOrEqual(2);
      expect(worstOther_ms).toBeLessThanOrEqual(2 * INTERVAL_S * 1000);
    } finally {
      await runtime.stop();
      watcher.stop();
    }
  });
});
