// The demo's workloads against the real test control plane: owner chains as controllers build them.
import { AppsV1Api, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { testKubeConfig } from '../testenv/env.js';
import { createDemoWorkloads, DEMO_NAMESPACES, type DemoPod } from './demo-workloads.js';

describe('createDemoWorkloads', () => {
  const kc = testKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  let pods: DemoPod[] = [];

  beforeAll(async () => {
    pods = await createDemoWorkloads(kc);
  });

  afterAll(async () => {
    for (const name of DEMO_NAMESPACES) await core.deleteNamespace({ name }).catch(() => undefined);
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
    const live = await core.readNamespacedPod({ name: webPod.name, namespace: 'production' });
    const rsRef = live.metadata!.ownerReferences![0]!;
    expect(rsRef.kind).toBe('ReplicaSet');
    const rs = await apps.readNamespacedReplicaSet({ name: rsRef.name, namespace: 'production' });
    expect(rs.metadata!.ownerReferences![0]).toMatchObject({ kind: 'Deployment', name: 'web-app' });
    expect(pods.filter((p) => p.workload === 'Deployment/web-app')).toHaveLength(3);
  });

  it('links CronJob pods through a Job to the CronJob', async () => {
    const batch = kc.makeApiClient(BatchV1Api);
    const cronPod = pods.find((p) => p.workload === 'CronJob/nightly-report')!;
    const live = await core.readNamespacedPod({ name: cronPod.name, namespace: 'analytics' });
    const jobRef = live.metadata!.ownerReferences![0]!;
    expect(jobRef.kind).toBe('Job');
    const job = await batch.readNamespacedJob({ name: jobRef.name, namespace: 'analytics' });
    expect(job.metadata!.ownerReferences![0]).toMatchObject({ kind: 'CronJob', name: 'nightly-report' });
    // The pod matches its Job's defaulted selector.
    const selector = job.spec!.selector!.matchLabels!;
    for (const [key, value] of Object.entries(selector)) expect(live.metadata!.labels![key]).toBe(value);
  });
});
