// The demo's workloads as real API objects: Deployments with their ReplicaSets and Pods, a Job, a
// CronJob with its Job and Pods, all linked by ownerReferences as the controllers would link them.
// No kubelet or controller-manager runs in the demo, so Pods are bound to a node name and marked
// Running through the status subresource; nothing reconciles them away.
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1OwnerReference,
  type V1Pod,
} from '@kubernetes/client-node';

/** Simulated RAPL power of one pod, per Kepler zone (the exporter adds a slow wave on top). */
export interface SimulatedPodPower {
  package_watts: number;
  dram_watts: number;
}

export interface DemoPod {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  containers: string[];
  /** `Kind/name` of the top owner, as the operator groups it. */
  workload: string;
  power: SimulatedPodPower;
}

interface WorkloadPlan {
  namespace: string;
  kind: 'Deployment' | 'Job' | 'CronJob';
  name: string;
  replicas: number;
  labels: Record<string, string>;
  container: { name: string; image: string; cpu: string; memory: string };
  power: SimulatedPodPower;
  /** CronJob only. */
  schedule?: string;
}

/** What the demo runs. Power figures are invented for the simulation and labelled so by the exporter. */
export const DEMO_WORKLOADS: WorkloadPlan[] = [
  {
    namespace: 'ai-team',
    kind: 'Job',
    name: 'ml-training-job',
    replicas: 2,
    labels: { app: 'ml-training-job', team: 'ai' },
    container: {
      name: 'trainer',
      image: 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime',
      cpu: '8',
      memory: '32Gi',
    },
    power: { package_watts: 95, dram_watts: 12 },
  },
  {
    namespace: 'analytics',
    kind: 'CronJob',
    name: 'nightly-report',
    replicas: 1,
    labels: { app: 'nightly-report', team: 'data' },
    container: { name: 'etl', image: 'apache/spark:3.5.1', cpu: '4', memory: '8Gi' },
    power: { package_watts: 30, dram_watts: 4 },
    schedule: '0 14 * * *',
  },
  {
    namespace: 'production',
    kind: 'Deployment',
    name: 'web-app',
    replicas: 3,
    labels: { app: 'web-app', tier: 'frontend' },
    container: { name: 'web', image: 'nginx:1.27', cpu: '2', memory: '2Gi' },
    power: { package_watts: 8, dram_watts: 1.5 },
  },
  {
    namespace: 'production',
    kind: 'Deployment',
    name: 'api-gateway',
    replicas: 2,
    labels: { app: 'web-app', tier: 'api', component: 'gateway' },
    container: { name: 'gateway', image: 'envoyproxy/envoy:v1.31.0', cpu: '1', memory: '1Gi' },
    power: { package_watts: 5, dram_watts: 1 },
  },
  {
    // The demo's compliant case (policy in hack/demo/policies: measured PUE 1.1 and the team's own target).
    namespace: 'research',
    kind: 'Job',
    name: 'climate-sim',
    replicas: 2,
    labels: { app: 'climate-sim', team: 'research' },
    container: { name: 'solver', image: 'ghcr.io/e3sm-project/e3sm:3.0', cpu: '4', memory: '16Gi' },
    power: { package_watts: 45, dram_watts: 6 },
  },
  {
    namespace: 'analytics',
    kind: 'Deployment',
    name: 'jupyter-hub',
    replicas: 1,
    labels: { app: 'jupyter-hub', team: 'data' },
    container: { name: 'hub', image: 'jupyterhub/jupyterhub:5.2', cpu: '1', memory: '4Gi' },
    power: { package_watts: 6, dram_watts: 2 },
  },
];

export const DEMO_NAMESPACES = [...new Set(DEMO_WORKLOADS.map((w) => w.namespace))];
export const DEMO_NODES = ['demo-node-1', 'demo-node-2'];

/** A short lowercase suffix like the ones controllers generate. */
function suffix(length: number, seed: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let hash = 2166136261;
  for (const char of seed) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    out += alphabet[hash % alphabet.length];
    hash = Math.imul(hash ^ (i + 1), 16777619) >>> 0;
  }
  return out;
}

function ownerOf(apiVersion: string, kind: string, name: string, uid: string): V1OwnerReference {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

async function createPod(
  core: CoreV1Api,
  plan: WorkloadPlan,
  name: string,
  labels: Record<string, string>,
  owner: V1OwnerReference,
  nodeName: string,
  restartPolicy: 'Always' | 'Never',
): Promise<DemoPod> {
  const { container } = plan;
  const created = await core.createNamespacedPod({
    namespace: plan.namespace,
    body: {
      metadata: { name, namespace: plan.namespace, labels, ownerReferences: [owner] },
      spec: {
        nodeName,
        restartPolicy,
        containers: [
          {
            name: container.name,
            image: container.image,
            resources: { requests: { cpu: container.cpu, memory: container.memory } },
          },
        ],
      },
    },
  });
  const startedAt = new Date();
  const running: V1Pod = {
    ...created,
    status: {
      phase: 'Running',
      hostIP: '10.0.0.' + (DEMO_NODES.indexOf(nodeName) + 11),
      podIP: `10.244.${DEMO_NODES.indexOf(nodeName)}.${(suffix(1, name).charCodeAt(0) % 200) + 10}`,
      startTime: startedAt,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: startedAt },
        { type: 'Initialized', status: 'True', lastTransitionTime: startedAt },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: startedAt },
        { type: 'Ready', status: 'True', lastTransitionTime: startedAt },
      ],
      containerStatuses: [
        {
          name: container.name,
          image: container.image,
          imageID: '',
          ready: true,
          started: true,
          restartCount: 0,
          containerID: `containerd://${suffix(64, created.metadata!.uid!).padEnd(64, '0')}`,
          state: { running: { startedAt } },
        },
      ],
    },
  };
  await core.replaceNamespacedPodStatus({ name, namespace: plan.namespace, body: running });
  return {
    namespace: plan.namespace,
    name,
    uid: created.metadata!.uid!,
    nodeName,
    containers: [container.name],
    workload: `${plan.kind}/${plan.name}`,
    power: plan.power,
  };
}

function podTemplate(plan: WorkloadPlan, labels: Record<string, string>, restartPolicy: 'Always' | 'Never') {
  return {
    metadata: { labels },
    spec: {
      restartPolicy,
      containers: [
        {
          name: plan.container.name,
          image: plan.container.image,
          resources: { requests: { cpu: plan.container.cpu, memory: plan.container.memory } },
        },
      ],
    },
  };
}

async function createDeployment(
  kc: KubeConfig,
  plan: WorkloadPlan,
  nodeIndex: { next: number },
): Promise<DemoPod[]> {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const hash = suffix(10, `${plan.namespace}/${plan.name}`);
  const labels = { ...plan.labels, 'pod-template-hash': hash };
  const deployment = await apps.createNamespacedDeployment({
    namespace: plan.namespace,
    body: {
      metadata: { name: plan.name, labels: plan.labels },
      spec: {
        replicas: plan.replicas,
        selector: { matchLabels: plan.labels },
        template: podTemplate(plan, plan.labels, 'Always'),
      },
    },
  });
  const replicaSetName = `${plan.name}-${hash}`;
  const replicaSet = await apps.createNamespacedReplicaSet({
    namespace: plan.namespace,
    body: {
      metadata: {
        name: replicaSetName,
        labels,
        ownerReferences: [ownerOf('apps/v1', 'Deployment', plan.name, deployment.metadata!.uid!)],
      },
      spec: {
        replicas: plan.replicas,
        selector: { matchLabels: labels },
        template: podTemplate(plan, labels, 'Always'),
      },
    },
  });
  const owner = ownerOf('apps/v1', 'ReplicaSet', replicaSetName, replicaSet.metadata!.uid!);
  const pods: DemoPod[] = [];
  for (let i = 0; i < plan.replicas; i++) {
    const name = `${replicaSetName}-${suffix(5, `${replicaSetName}-${i}`)}`;
    const node = DEMO_NODES[nodeIndex.next++ % DEMO_NODES.length]!;
    pods.push(await createPod(core, plan, name, labels, owner, node, 'Always'));
  }
  return pods;
}

async function createJobWithPods(
  kc: KubeConfig,
  plan: WorkloadPlan,
  jobName: string,
  jobOwner: V1OwnerReference | undefined,
  nodeIndex: { next: number },
): Promise<DemoPod[]> {
  const batch = kc.makeApiClient(BatchV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const job = await batch.createNamespacedJob({
    namespace: plan.namespace,
    body: {
      metadata: { name: jobName, labels: plan.labels, ownerReferences: jobOwner ? [jobOwner] : undefined },
      spec: {
        parallelism: plan.replicas,
        completions: plan.replicas,
        backoffLimit: 2,
        template: podTemplate(plan, plan.labels, 'Never'),
      },
    },
  });
  // The API server defaults the Job's selector and template labels (controller-uid, job-name); pods carry them.
  const labels = { ...(job.spec?.template.metadata?.labels ?? {}), ...plan.labels };
  const owner = ownerOf('batch/v1', 'Job', jobName, job.metadata!.uid!);
  const pods: DemoPod[] = [];
  for (let i = 0; i < plan.replicas; i++) {
    const name = `${jobName}-${suffix(5, `${jobName}-${i}`)}`;
    const node = DEMO_NODES[nodeIndex.next++ % DEMO_NODES.length]!;
    const pod = await createPod(core, plan, name, labels, owner, node, 'Never');
    pods.push(jobOwner ? { ...pod, workload: `CronJob/${plan.name}` } : pod);
  }
  return pods;
}

async function createCronJob(
  kc: KubeConfig,
  plan: WorkloadPlan,
  nodeIndex: { next: number },
): Promise<DemoPod[]> {
  const batch = kc.makeApiClient(BatchV1Api);
  const cronJob = await batch.createNamespacedCronJob({
    namespace: plan.namespace,
    body: {
      metadata: { name: plan.name, labels: plan.labels },
      spec: {
        schedule: plan.schedule ?? '0 * * * *',
        timeZone: 'Asia/Seoul',
        jobTemplate: {
          spec: { parallelism: plan.replicas, template: podTemplate(plan, plan.labels, 'Never') },
        },
      },
    },
  });
  // The CronJob controller names a run's Job after its scheduled time in minutes since the epoch.
  const scheduledMinutes = Math.floor(Date.now() / 60_000 / 60) * 60;
  const owner = ownerOf('batch/v1', 'CronJob', plan.name, cronJob.metadata!.uid!);
  return createJobWithPods(kc, plan, `${plan.name}-${scheduledMinutes}`, owner, nodeIndex);
}

async function ensureNamespace(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.createNamespace({ body: { metadata: { name, labels: { 'carbon-aware.dev/demo': 'true' } } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

/** Creates every demo namespace and workload; returns the pods for the simulated exporter. */
export async function createDemoWorkloads(kc: KubeConfig, plans = DEMO_WORKLOADS): Promise<DemoPod[]> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const namespace of new Set(plans.map((p) => p.namespace))) await ensureNamespace(core, namespace);
  const nodeIndex = { next: 0 };
  const pods: DemoPod[] = [];
  for (const plan of plans) {
    if (plan.kind === 'Deployment') pods.push(...(await createDeployment(kc, plan, nodeIndex)));
    else if (plan.kind === 'Job')
      pods.push(...(await createJobWithPods(kc, plan, plan.name, undefined, nodeIndex)));
    else pods.push(...(await createCronJob(kc, plan, nodeIndex)));
  }
  return pods;
}
