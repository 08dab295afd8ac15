// The CRD and the reconciler against the real kube-apiserver: the API server applies the schema
// and CEL rules, owner chains are real objects (ReplicaSet→Deployment, Job→CronJob; no kubelet),
// the informers list+watch them, status goes through /status with our merge patch, and kubectl
// prints the columns. Energy comes from a scripted in-process source: the Kepler source modules
// have their own integration tests.
import pino from 'pino';
import { testKubeConfig } from '../../hack/testenv/env.js';
import type { CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import { KubeApiError, KubeRestClient } from '../kube/kube-rest-client.js';
import { MetricsUnavailableError } from '../sources/metrics-source.js';
import { ReconcileRetryError } from './policy-reconciler.js';
import type { PodView } from '../kube/pod-view.js';
import { KubePolicyStore, policyPath } from './status-writer.js';
import type { SupervisedInformer } from '../kube/supervised-informer.js';
import { ScriptedMetricsSource } from '../../hack/testenv/scripted-metrics-source.js';
import {
  createCronJobWithJob,
  createDeploymentWithReplicaSet,
  createOwnedPod,
  installPolicyCrd,
  kubectl,
  reconcilerOnTestPlane,
  startOperatorInformers,
  waitUntil,
} from '../../hack/testenv/cluster-fixtures.js';
import { FormulaEvaluator } from '../../hack/testenv/formula-evaluator.js';
import { fromStoredPolicy } from '../api/v1alpha1/field-names.js';
import { podHoursOf } from '../sources/pod-hours.js';

const NS = 'ai-team';

const hour = (iso: string) => iso;

describe('CarbonCompliancePolicy against a real API server', () => {
  const client = new KubeRestClient(testKubeConfig());
  let policies: SupervisedInformer<CarbonCompliancePolicy>;
  let pods: SupervisedInformer<PodView>;
  const source = new ScriptedMetricsSource();
  let now = new Date('2025-05-01T10:30:00Z');
  const makeReconciler = () =>
    reconcilerOnTestPlane(client, {
      policies,
      pods,
      source,
      evaluator: new FormulaEvaluator(),
      logger: pino({ level: 'silent' }),
      clock: () => now,
    });

  beforeAll(async () => {
    installPolicyCrd();
    kubectl('create', 'namespace', NS);
    // Owner chains as API objects.
    const { replicaSet } = await createDeploymentWithReplicaSet(
      client,
      NS,
      { deployment: 'trainer', replicaSet: 'trainer-abc' },
      { app: 'ml-training-job' },
      { app: 'ml-training-job', rs: 'abc' },
    );
    const { job } = await createCronJobWithJob(client, NS, { cronJob: 'nightly', job: 'nightly-29000000' });
    const containers = [{ name: 'c', image: 'x', resources: { requests: { cpu: '1', memory: '1Gi' } } }];
    const trainerLabels = { app: 'ml-training-job', rs: 'abc' };
    await createOwnedPod(client, NS, 'trainer-abc-1', trainerLabels, replicaSet, containers);
    await createOwnedPod(client, NS, 'trainer-abc-2', trainerLabels, replicaSet, containers);
    await createOwnedPod(client, NS, 'nightly-29000000-x', { app: 'ml-training-job' }, job, containers);
    ({ policies, pods } = await startOperatorInformers());
  }, 120_000);

  afterAll(() => {
    policies?.stop();
    pods?.stop();
  });

  async function rejection(spec: unknown): Promise<string> {
    try {
      await client.create(policyPath(NS), {
        apiVersion: 'carbon-aware.dev/v1alpha1',
        kind: 'CarbonCompliancePolicy',
        metadata: { generateName: 'bad-' },
        spec,
      });
    } catch (error) {
      expect(error).toBeInstanceOf(KubeApiError);
      expect((error as KubeApiError).statusCode).toBe(422);
      return (error as KubeApiError).message;
    }
    throw new Error('the API server accepted an invalid policy');
  }

  it('rejects invalid policies by schema and by CEL rule, naming the field', async () => {
    expect(await rejection({ language: 'fr' })).toContain('spec.language');
    expect(await rejection({ maxWorkloadsInStatus: 501 })).toContain('spec.maxWorkloadsInStatus');
    expect(await rejection({ window: 'one day' })).toContain('spec.window');
    expect(await rejection({ site: { cloudRegion: 'AWS Seoul' } })).toContain('spec.site.cloudRegion');
    expect(await rejection({ site: { zone: 'KR', cloudRegion: 'aws/ap-northeast-2' } })).toContain(
      'set either zone or cloudRegion, not both',
    );
    expect(await rejection({ selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } })).toContain(
      'values must be non-empty',
    );
    expect(await rejection({ recommendations: { candidateRegions: ['aws/x', 'aws/x'] } })).toContain(
      'Duplicate value',
    );
    expect(await rejection({ actions: { temporalShift: 'Always' } })).toContain('spec.actions.temporalShift');
    expect(await rejection({ actions: { allowedHours: [23, 24] } })).toContain(
      'spec.actions.allowedHours[1]',
    );
    expect(await rejection({ actions: { minInterval: 'daily' } })).toContain('spec.actions.minInterval');
  });

  it('applies defaults from the schema', async () => {
    kubectl('apply', '-f', 'examples/ai-team-ml-training.yaml');
    const created = fromStoredPolicy(await client.get<CarbonCompliancePolicy>(policyPath(NS, 'ml-training')));
    expect(created.spec).toMatchObject({ maxWorkloadsInStatus: 100, standard: 'KR_CARBON_2050' });
    expect(created.spec.actions).toEqual({
      temporalShift: 'Recommend',
      allowedHours: [9, 10, 11, 12, 13, 14, 15, 16],
      minInterval: '24h',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  it('groups real owner chains, writes the expected status, and kubectl shows the columns', async () => {
    await waitUntil(
      'the informer cache',
      () => policies.get(NS, 'ml-training') && pods.list(NS).length === 3,
    );
    source.readings.set(`${NS}/trainer-abc-1`, {
      namespace: NS,
      pod: 'trainer-abc-1',
      hours: podHoursOf([{ hourStart: hour('2025-05-01T09:00:00Z'), energy_kWh: 0.5 }]),
    });
    source.readings.set(`${NS}/trainer-abc-2`, {
      namespace: NS,
      pod: 'trainer-abc-2',
      hours: podHoursOf([{ hourStart: hour('2025-05-01T10:00:00Z'), energy_kWh: 0.25 }]),
    });
    source.readings.set(`${NS}/nightly-29000000-x`, {
      namespace: NS,
      pod: 'nightly-29000000-x',
      hours: podHoursOf([{ hourStart: hour('2025-05-01T10:00:00Z'), energy_kWh: 0.25 }]),
    });
    const result = await makeReconciler().handle(`${NS}/ml-training`);
    expect(result).toEqual({ requeueAfterMs: 300_000 });
    const policy = fromStoredPolicy(await client.get<CarbonCompliancePolicy>(policyPath(NS, 'ml-training')));
    const status = policy.status!;
    expect(status.observedGeneration).toBe(policy.metadata.generation);
    expect(status.summary).toMatchObject({ status: 'NON_COMPLIANT', workloads: 2, nonCompliant: 2 });
    expect(status.summary!.energy_kWh).toBeCloseTo(1.0, 9);
    expect(status.summary!.effectiveIntensity_gCO2eq_kWh).toBeCloseTo(510.12, 6);
    expect(status.workloads!.map((w) => `${w.kind}/${w.workload}/${w.pods}`).sort()).toEqual([
      'CronJob/nightly/1',
      'Deployment/trainer/2',
    ]);
    expect(status.energyHistory!.series.map((s) => s.workload)).toEqual([
      'CronJob/nightly',
      'Deployment/trainer',
    ]);
    expect(status.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Ready=True',
      'MetricsAvailable=True',
      'Compliant=False',
      'PUEKnown=True',
      'UsageAvailable=False', // no usage source here: right-sizing not assessed, and said so
    ]);

    const table = kubectl('get', 'carboncompliance', '-A');
    const [header, row] = table.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'STATUS',
      'WORKLOADS',
      'NON-COMPLIANT',
      'INTENSITY-G/KWH',
      'TARGET-G/KWH',
      'AGE',
    ]);
    expect(row).toMatch(/^ai-team\s+ml-training\s+True\s+NON_COMPLIANT\s+2\s+2\s+510\.1\d*\s+424\s+\S+$/);
    process.stderr.write(`\n${table}`);
    // -o wide adds the secondary (priority 1) columns.
    const [wideHeader, wideRow] = kubectl('get', 'carboncompliance', '-A', '-o', 'wide').trim().split('\n');
    expect(wideHeader!.split(/\s{2,}/)).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'STATUS',
      'WORKLOADS',
      'NON-COMPLIANT',
      'INTENSITY-G/KWH',
      'TARGET-G/KWH',
      'PUE',
      'KG-CO2E/30D',
      'STANDARD',
      'EVALUATED',
      'AGE',
    ]);
    expect(wideRow).toMatch(/\s424\s+1\.17\s+0\s+KR_CARBON_2050\s+\S+\s+\S+$/);
    expect(kubectl('get', 'ccp', '-n', NS, '-o', 'name').trim()).toBe(
      'carboncompliancepolicy.carbon-aware.dev/ml-training',
    );
    // -o yaml/json shows lowerCamelCase names with unit suffixes (the API conventions), every figure kept.
    const raw = JSON.parse(kubectl('get', 'ccp', '-n', NS, 'ml-training', '-o', 'json')) as {
      status: { summary: Record<string, unknown>; workloads: Array<Record<string, unknown>> };
    };
    const names: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === 'object' && value !== null)
        for (const [key, field] of Object.entries(value)) {
          names.push(key);
          if (key !== 'resourcesPatch') collect(field);
        }
    };
    collect(raw.status);
    expect(names.filter((name) => name.includes('_'))).toEqual([]);
    expect(raw.status.summary.effectiveIntensityGCO2eqPerKWh).toBeCloseTo(510.12, 1);
    expect(raw.status.workloads[0]).toHaveProperty('currentCarbonIntensityGCO2eqPerKWh');
    expect(fromStoredPolicy(raw).status).toEqual(
      fromStoredPolicy(await client.get<CarbonCompliancePolicy>(policyPath(NS, 'ml-training'))).status,
    );
  });

  it('a restarted reconciler keeps the hourly buckets from status', async () => {
    source.readings.clear();
    source.readings.set(`${NS}/trainer-abc-1`, {
      namespace: NS,
      pod: 'trainer-abc-1',
      hours: podHoursOf([{ hourStart: '2025-05-01T11:00:00Z', energy_kWh: 0.2 }]),
    });
    now = new Date('2025-05-01T11:05:00Z');
    await waitUntil('the informer cache', () => policies.get(NS, 'ml-training')?.status?.energyHistory);
    await makeReconciler().handle(`${NS}/ml-training`);
    const status = fromStoredPolicy(
      await client.get<CarbonCompliancePolicy>(policyPath(NS, 'ml-training')),
    ).status!;
    const trainer = status.energyHistory!.series.find((s) => s.workload === 'Deployment/trainer')!;
    expect(trainer.kWh.slice(-3)).toEqual([0.5, 0.25, 0.2]);
    expect(status.summary!.energy_kWh).toBeCloseTo(1.2, 9);
  });

  it('a failing metrics source: MetricsAvailable=False, the old assessment kept and marked stale', async () => {
    await waitUntil(
      'the informer cache',
      () => policies.get(NS, 'ml-training')?.status?.summary?.energy_kWh === 1.2 || undefined,
    );
    const before = fromStoredPolicy(
      await client.get<CarbonCompliancePolicy>(policyPath(NS, 'ml-training')),
    ).status!;
    source.failWith = new MetricsUnavailableError(
      'connection-refused',
      'connect ECONNREFUSED 127.0.0.1:9102',
    );
    now = new Date('2025-05-01T11:10:00Z');
    await expect(makeReconciler().handle(`${NS}/ml-training`)).rejects.toBeInstanceOf(ReconcileRetryError);
    const after = fromStoredPolicy(
      await client.get<CarbonCompliancePolicy>(policyPath(NS, 'ml-training')),
    ).status!;
    expect(after.summary).toEqual(before.summary);
    expect(after.workloads).toEqual(before.workloads);
    expect(after.stale).toEqual({ since: '2025-05-01T11:10:00Z', reason: 'ConnectionRefused' });
    expect(after.conditions!.find((c) => c.type === 'MetricsAvailable')).toMatchObject({
      status: 'False',
      reason: 'ConnectionRefused',
    });
    source.failWith = undefined;
  });

  it('status is replaced exactly: a nested field that disappears is removed, then reconciles write nothing', async () => {
    // Counts the status writes that reach the API server.
    class CountingStore extends KubePolicyStore {
      writes = 0;
      override patchStatus(...args: Parameters<KubePolicyStore['patchStatus']>) {
        this.writes += 1;
        return super.patchStatus(...args);
      }
    }
    const store = new CountingStore(client);
    const reconciler = (options: { maxHistoryCells?: number } = {}) =>
      reconcilerOnTestPlane(client, {
        policies,
        pods,
        source,
        evaluator: new FormulaEvaluator(),
        store,
        logger: pino({ level: 'silent' }),
        clock: () => now,
        options,
      });
    const read = async () =>
      fromStoredPolicy(await client.get<CarbonCompliancePolicy>(policyPath(NS, 'ml-training')));
    const cachedVersion = async () => {
      const stored = (await read()).metadata.resourceVersion;
      await waitUntil(
        'the informer cache',
        () => policies.get(NS, 'ml-training')?.metadata.resourceVersion === stored,
      );
      return stored;
    };
    for (const pod of ['trainer-abc-1', 'trainer-abc-2', 'nightly-29000000-x'])
      source.readings.set(`${NS}/${pod}`, {
        namespace: NS,
        pod,
        hours: podHoursOf([{ hourStart: '2025-05-01T11:00:00Z', energy_kWh: 0.1 }]),
      });
    now = new Date('2025-05-01T11:20:00Z');
    await cachedVersion();
    // Room for one workload's 24-hour series out of two: the other is counted in seriesOmitted.
    await reconciler({ maxHistoryCells: 30 }).handle(`${NS}/ml-training`);
    expect((await read()).status!.energyHistory!.seriesOmitted).toBe(1);

    now = new Date('2025-05-01T11:21:00Z');
    await cachedVersion();
    await reconciler().handle(`${NS}/ml-training`);
    const settled = await read();
    expect(settled.status!.energyHistory!.series).toHaveLength(2);
    expect(settled.status!.energyHistory).not.toHaveProperty('seriesOmitted');
    expect(settled.status).not.toHaveProperty('stale');

    const writesBefore = store.writes;
    const versionBefore = await cachedVersion();
    for (const minute of [22, 27, 32, 37]) {
      now = new Date(`2025-05-01T11:${minute}:00Z`);
      await reconciler().handle(`${NS}/ml-training`);
    }
    expect(store.writes - writesBefore).toBe(0);
    expect((await read()).metadata.resourceVersion).toBe(versionBefore);
  });
});
