// Power where Kepler cannot measure, on a real API server: Kepler exporters (the simulated Kepler,
// Kepler 0.11 format) on loopback for one measured node and one whose counters are zero, the real
// direct-scrape source, real Node objects (an AWS m5.large with a providerID, and a node with neither
// label nor providerID) that export no Kepler series at all, and the operator's reconciler with the
// CCF fallback on (--estimate-unmeasured-power). `kubectl get carboncompliance -o yaml` must show the
// estimate: per workload its basis and source, the summary's measured and estimated kWh, the
// EnergyEstimated condition, and the estimated part in energyHistory.
import { fromStoredPolicy } from '../api/v1alpha1/field-names.js';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { testKubeConfig } from '../../hack/testenv/env.js';
import {
  installPolicyCrd,
  kubectl,
  reconcilerOnTestPlane,
  startOperatorInformers,
  waitUntil,
} from '../../hack/testenv/cluster-fixtures.js';
import { startSimulatedKepler, type SimulatedKepler } from '../../hack/testenv/simulated-kepler.js';
import type { CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import { CcfFallbackSource, CachedNodeHardwareLookup } from '../sources/ccf-fallback-source.js';
import { KeplerEndpointSource } from '../sources/kepler-endpoint-source.js';
import { createWatchedPolicyEvaluator } from './policy-evaluator.js';
import { createMetricsSource } from './metrics-source-factory.js';
import { loadOperatorConfig } from './operator-config.js';
import { KubeRestClient } from '../kube/kube-rest-client.js';
import type { PodView } from '../kube/pod-view.js';
import { policyPath } from './status-writer.js';
import type { SupervisedInformer } from '../kube/supervised-informer.js';

const NS = 'power-estimate';
const NODES = { measured: 'ccf-node-a', zero: 'ccf-node-z', cloud: 'ccf-node-b', bare: 'ccf-node-c' };
const logger = pino({ level: 'silent' });
/** What `kubectl get carboncompliance -o yaml` shows. */
const shownByKubectl = (name: string) =>
  fromStoredPolicy(
    parseYaml(kubectl('get', 'carboncompliance', '-n', NS, name, '-o', 'yaml')) as CarbonCompliancePolicy,
  );

describe('CCF estimate for nodes without Kepler readings, on a real API server', () => {
  const client = new KubeRestClient(testKubeConfig());
  const started = Date.UTC(2026, 2, 1, 9, 0);
  let nowMs = Date.UTC(2026, 2, 1, 9, 40);
  const clock = () => nowMs;
  let measured: SimulatedKepler;
  let zero: SimulatedKepler;
  let kepler: KeplerEndpointSource;
  let policies: SupervisedInformer<CarbonCompliancePolicy>;
  let pods: SupervisedInformer<PodView>;
  let engine: ReturnType<typeof createWatchedPolicyEvaluator>;

  async function createPod(
    name: string,
    node: string,
    cpu?: string,
    labels: Record<string, string> = {},
  ): Promise<string> {
    const created = await client.create<{ metadata: { uid: string } }>(`/api/v1/namespaces/${NS}/pods`, {
      metadata: { name, labels: { app: 'shop', ...labels } },
      spec: {
        nodeName: node,
        containers: [{ name: 'c', image: 'x', ...(cpu ? { resources: { requests: { cpu } } } : {}) }],
      },
    });
    // No kubelet here: the status subresource says it runs, since `started`.
    await client.patch(
      `/api/v1/namespaces/${NS}/pods/${name}/status`,
      { status: { phase: 'Running', startTime: new Date(started).toISOString() } },
      'merge',
    );
    return created.metadata.uid;
  }

  beforeAll(async () => {
    installPolicyCrd();
    kubectl('create', 'namespace', NS);
    await client.create('/api/v1/nodes', {
      metadata: { name: NODES.cloud, labels: { 'node.kubernetes.io/instance-type': 'm5.large' } },
      spec: { providerID: 'aws:///ap-northeast-2a/i-0ccf0b' },
    });
    await client.create('/api/v1/nodes', { metadata: { name: NODES.bare } });
    const measuredUid = await createPod('measured-1', NODES.measured, '1', { tier: 'measured' });
    const zeroUid = await createPod('zero-1', NODES.zero, '1');
    await createPod('cloud-1', NODES.cloud, '2');
    await createPod('bare-1', NODES.bare, '500m');
    await createPod('nocpu-1', NODES.cloud);
    measured = await startSimulatedKepler({
      pods: [
        {
          namespace: NS,
          name: 'measured-1',
          uid: measuredUid,
          node: NODES.measured,
          watts: { package: 10, dram: 2 },
        },
      ],
      nodeName: NODES.measured,
      clock,
    });
    // A node whose Kepler counters never move (the zone is there, the energy is not).
    zero = await startSimulatedKepler({
      pods: [{ namespace: NS, name: 'zero-1', uid: zeroUid, node: NODES.zero, watts: { package: 0 } }],
      nodeName: NODES.zero,
      nodeIdleWatts: { package: 0 },
      clock,
    });
    kepler = new KeplerEndpointSource({
      targets: [{ url: measured.url }, { url: zero.url }],
      scrapeIntervalMs: 60_000,
      clock,
    });
    ({ policies, pods } = await startOperatorInformers(NS));
    engine = createWatchedPolicyEvaluator(logger);
  }, 90_000);

  afterAll(async () => {
    await kepler?.stop();
    await measured?.stop();
    await zero?.stop();
    policies?.stop();
    pods?.stop();
    engine?.close();
    for (const node of [NODES.cloud, NODES.bare])
      await client.delete(`/api/v1/nodes/${node}`).catch(() => undefined);
    kubectl('delete', 'namespace', NS, '--wait=false');
  });

  test('pods on nodes without Kepler readings are estimated, labelled, and kept apart from measured energy', async () => {
    await client.create(policyPath(NS), {
      apiVersion: 'carbon-aware.dev/v1alpha1',
      kind: 'CarbonCompliancePolicy',
      metadata: { name: 'shop' },
      spec: { selector: { matchLabels: { app: 'shop' } }, site: { zone: 'KR', pue: 1.2 }, language: 'en' },
    });
    await waitUntil(
      'the informer cache',
      () => policies.get(NS, 'shop') && pods.list(NS).filter((p) => p.status.startTime).length === 5,
    );

    await kepler.scrapeAll(); // 09:40: the first scrape starts the observation
    nowMs = Date.UTC(2026, 2, 1, 10, 20);
    await kepler.scrapeAll();
    const source = new CcfFallbackSource(kepler, new CachedNodeHardwareLookup(client));
    const reconciler = reconcilerOnTestPlane(client, {
      policies,
      pods,
      source,
      evaluator: engine.evaluator,
      logger,
      clock: () => new Date(nowMs),
    });
    const outcome = await reconciler.reconcile(NS, 'shop', logger);
    expect(outcome).toMatchObject({ result: 'evaluated', written: true });

    const shown = shownByKubectl('shop');
    const status = shown.status!;
    const workload = (name: string) => status.workloads!.find((w) => w.workload === name)!;
    const kWh = (watts: number, seconds: number) => (watts * seconds) / 3.6e6;
    const observed = 40 * 60; // 09:40 → 10:20: estimates start where the source's observation starts

    // Measured: 12 W for 40 min on the node Kepler measures.
    const m = workload('measured-1');
    expect(m.energy_basis).toBe('measured');
    expect(m.energy_kWh).toBeCloseTo(kWh(12, observed), 8);
    expect(m.energy_estimated_kWh).toBe(0);
    expect(m.sources.energy).toBe('measured: kepler v0.11.4-simulated (rapl)');

    // m5.large → Skylake 0.65–4.26 W/vCPU; 2 cores × (0.65 + 0.5 × 3.61) = 4.91 W.
    const c = workload('cloud-1');
    expect(c.energy_basis).toBe('estimated');
    expect(c.energy_kWh).toBeCloseTo(kWh(4.91, observed), 8);
    expect(c.energy_estimated_kWh).toBe(c.energy_kWh);
    expect(c.energy_measured_kWh).toBe(0);
    expect(c.sources.energy).toMatch(/^estimated: CCF \(Cloud Carbon Footprint/);
    expect(c.sources.energy_estimate).toMatch(/Methodology\.md/);
    expect(c.sources.data_quality).toContain('ccf-estimated');
    expect(c.idle_share_source).toMatch(/^unavailable: CCF estimate/);

    // No instance type, no providerID → the assumed AWS average 0.74–3.5: 0.5 × (0.74 + 0.5 × 2.76) = 1.06 W.
    expect(workload('bare-1').energy_kWh).toBeCloseTo(kWh(1.06, observed), 8);
    // Counters that never moved are not readings: 1 core on an unknown node = 2.12 W, estimated.
    const z = workload('zero-1');
    expect(z.energy_basis).toBe('estimated');
    expect(z.energy_kWh).toBeCloseTo(kWh(2.12, observed), 8);
    // No CPU request: nothing to estimate from, so no energy (and the condition says why).
    expect(workload('nocpu-1').status).toBe('INSUFFICIENT_DATA');

    const estimated = kWh(4.91 + 1.06 + 2.12, observed);
    expect(status.summary!.energyMeasured_kWh).toBeCloseTo(kWh(12, observed), 8);
    expect(status.summary!.energyEstimated_kWh).toBeCloseTo(estimated, 8);
    // Six significant digits in status.
    expect(status.summary!.energy_kWh).toBeCloseTo(kWh(12, observed) + estimated, 6);
    expect(status.summary!.workloadsByEnergyBasis).toEqual({ measured: 1, estimated: 3, mixed: 0 });
    expect(status.summary!.energyEstimateSource).toMatch(/^estimated: CCF/);

    const condition = status.conditions!.find((x) => x.type === 'EnergyEstimated')!;
    expect(condition).toMatchObject({ status: 'True', reason: 'CCFEstimate' });
    expect(condition.message).toMatch(
      /kWh \(\d+(\.\d+)? %\) is estimated, not measured: 3 pod\(s\) on nodes without Kepler readings, 1 measured/,
    );
    expect(condition.message).toContain(
      `${NODES.cloud}: no Kepler series for this node; instance type m5.large → Skylake: 0.65–4.26 W per vCPU`,
    );
    expect(condition.message).toContain(`${NODES.zero}: Kepler's energy counters for this node are zero`);
    expect(condition.message).toContain(`${NS}/nocpu-1 (no CPU request`);
    expect(condition.message).toContain('label it node.kubernetes.io/instance-type or set spec.providerID');

    // The estimated part is persisted beside kWh, so a restarted operator keeps the split.
    const series = status.energyHistory!.series.find((s) => s.workload === 'Pod/cloud-1')!;
    expect(series.estimatedKWh).toEqual(series.kWh);
    expect(
      status.energyHistory!.series.find((s) => s.workload === 'Pod/measured-1')!.estimatedKWh,
    ).toBeUndefined();
  }, 60_000);

  test('the operator flag wraps the configured source, and only when set', async () => {
    const config = loadOperatorConfig(
      [
        '--source',
        'prometheus',
        '--prometheus-url',
        'http://127.0.0.1:9/',
        '--estimate-unmeasured-power',
        'true',
      ],
      {},
    );
    const source = await createMetricsSource(config, testKubeConfig(), logger);
    expect(source.description).toBe('prometheus, CCF estimate where Kepler has no readings');
    const off = await createMetricsSource(
      loadOperatorConfig(['--source', 'prometheus', '--prometheus-url', 'http://127.0.0.1:9/'], {}),
      testKubeConfig(),
      logger,
    );
    expect(off.description).toBe('prometheus');
  });

  test('with every selected pod measured the condition says so, and nothing is estimated', async () => {
    await client.create(policyPath(NS), {
      apiVersion: 'carbon-aware.dev/v1alpha1',
      kind: 'CarbonCompliancePolicy',
      metadata: { name: 'measured-only' },
      spec: {
        selector: { matchLabels: { tier: 'measured' } },
        site: { zone: 'KR', pue: 1.2 },
        language: 'en',
      },
    });
    await waitUntil('the informer cache', () => policies.get(NS, 'measured-only'));
    const reconciler = reconcilerOnTestPlane(client, {
      policies,
      pods,
      source: new CcfFallbackSource(kepler, new CachedNodeHardwareLookup(client)),
      evaluator: engine.evaluator,
      logger,
      clock: () => new Date(nowMs),
    });
    await reconciler.reconcile(NS, 'measured-only', logger);
    const status = shownByKubectl('measured-only').status!;
    expect(status.conditions!.find((x) => x.type === 'EnergyEstimated')).toMatchObject({
      status: 'False',
      reason: 'AllMeasured',
    });
    expect(status.summary!.energyEstimated_kWh).toBe(0);
    expect(status.summary!.workloadsByEnergyBasis).toEqual({ measured: 1, estimated: 0, mixed: 0 });
  }, 60_000);
});
