// Hand-made workloads on the shared test control plane (no controllers): owner chains as controllers build them.
import { AppsV1Api, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { SimulatedPod } from './simulated-kepler.js';
import { testKubeConfig } from './env.js';
import { createHandMadeWorkloads, type HandMadeWorkloadPlan } from './hand-made-workloads.js';

const power = { package_watts: 10, dram_watts: 1 };
const container = { name: 'main', image: 'nginx:1.27', cpu: '1', memory: '1Gi' };
const PLANS: HandMadeWorkloadPlan[] = [
  {
    namespace: 'hand-made-jobs',
    kind: 'Job',
    name: 'ml-training-job',
    replicas: 2,
    labels: { app: 'ml' },
    container,
    power,
  },
  {
    namespace: 'hand-made-jobs',
    kind: 'Job',
    name: 'climate-sim',
    replicas: 1,
    labels: { app: 'climate' },
    container,
    power,
  },
  {
    namespace: 'hand-made-cron',
    kind: 'CronJob',
    name: 'nightly-report',
    replicas: 1,
    labels: { app: 'report' },
    container,
    power,
    schedule: '0 14 * * *',
  },
  {
    namespace: 'hand-made-web',
    kind: 'Deployment',
    name: 'web-app',
    replicas: 3,
    labels: { app: 'web-app' },
    container,
    power,
  },
  {
    namespace: 'hand-made-web',
    kind: 'Deployment',
    name: 'api-gateway',
    replicas: 2,
    labels: { app: 'api' },
    container,
    power,
  },
  {
    namespace: 'hand-made-web',
    kind: 'Deployment',
    name: 'jupyter-hub',
    replicas: 1,
    labels: { app: 'hub' },
    container,
    power,
  },
];
const NAMESPACES = [...new Set(PLANS.map((p) => p.namespace))];

describe('createHandMadeWorkloads', () => {
  const kc = testKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  let pods: SimulatedPod[] = [];

  beforeAll(async () => {
    pods = await createHandMadeWorkloads(kc, PLANS);
  });

  afterAll(async () => {
    for (const name of NAMESPACES) await core.deleteNamespace({ name }).catch(() => undefined);
  });

  it('creates running pods for every workload, with their uids', async () => {
    expect(new Set(pods.map((p) => p.workload))).toEqual(
      new Set([
        'Job/ml-training-job',
        'Job/climate-sim',
        'CronJob/nightly-report',
        'Deployment/web-app',
        'Deployment/api-gateway',
        'Deployment/jupyter-hub',
      ]),
    );
    for (const pod of pods) {
      const live = await core.readNamespacedPod({ name: pod.name, namespace: pod.namespace });
      expect(live.metadata?.uid).toBe(pod.uid);
      expect(live.status?.phase).toBe('Running');
      expect(live.spec?.nodeName).toBe(pod.nodeName);
    }
  });

  it('links Deployment pods through a ReplicaSet to the Deployment', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const webPod = pods.find((p) => p.workload === 'Deployment/web-app')!;
    const live = await core.readNamespacedPod({ name: webPod.name, namespace: 'hand-made-web' });
    const rsRef = live.metadata!.ownerReferences![0]!;
    expect(rsRef.kind).toBe('ReplicaSet');
    const rs = await apps.readNamespacedReplicaSet({ name: rsRef.name, namespace: 'hand-made-web' });
    expect(rs.metadata!.ownerReferences![0]).toMatchObject({ kind: 'Deployment', name: 'web-app' });
    expect(pods.filter((p) => p.workload === 'Deployment/web-app')).toHaveLength(3);
  });

  it('links CronJob pods through a Job to the CronJob', async () => {
    const batch = kc.makeApiClient(BatchV1Api);
    const cronPod = pods.find((p) => p.workload === 'CronJob/nightly-report')!;
    const live = await core.readNamespacedPod({ name: cronPod.name, namespace: 'hand-made-cron' });
    const jobRef = live.metadata!.ownerReferences![0]!;
    expect(jobRef.kind).toBe('Job');
    const job = await batch.readNamespacedJob({ name: jobRef.name, namespace: 'hand-made-cron' });
    expect(job.metadata!.ownerReferences![0]).toMatchObject({ kind: 'CronJob', name: 'nightly-report' });
    // The pod matches its Job's defaulted selector.
    const selector = job.spec!.selector!.matchLabels!;
    for (const [key, value] of Object.entries(selector)) expect(live.metadata!.labels![key]).toBe(value);
  });
});
