// Workloads written by hand for the shared control plane of the integration suites, where no
// controller-manager, scheduler or kubelet runs: Deployments with their ReplicaSets and Pods, Jobs, a
// CronJob with its Job and Pods, linked by ownerReferences as the controllers would link them, Pods
// bound to a node name and marked Running through the status subresource. Nothing reconciles them
// away there. The demo and the churn tests (e2e/cluster) use the real controllers instead
// (hack/demo/demo-workloads.ts on a control plane started with `workloadControllers`).
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1OwnerReference,
  type V1Pod,
} from '@kubernetes/client-node';
import type { SimulatedPod, SimulatedPodPower } from './simulated-kepler.js';

/** A workload as a user writes it, with the simulated power of each of its pods. */
export interface WorkloadPlan<Kind extends string> {
  namespace: string;
  kind: Kind;
  name: string;
  /** Deployment and StatefulSet replicas, Job parallelism (= completions); ignored for a DaemonSet. */
  replicas: number;
  labels: Record<string, string>;
  container: { name: string; image: string; cpu: string; memory: string };
  power: SimulatedPodPower;
  /** CronJob only: its schedule in Asia/Seoul time. */
  schedule?: string;
}

export type HandMadeWorkloadPlan = WorkloadPlan<'Deployment' | 'Job' | 'CronJob'>;

const HAND_MADE_NODES = ['demo-node-1', 'demo-node-2'];

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
  plan: HandMadeWorkloadPlan,
  name: string,
  labels: Record<string, string>,
  owner: V1OwnerReference,
  nodeName: string,
  restartPolicy: 'Always' | 'Never',
): Promise<SimulatedPod> {
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
      hostIP: '10.0.0.' + (HAND_MADE_NODES.indexOf(nodeName) + 11),
      podIP: `10.244.${HAND_MADE_NODES.indexOf(nodeName)}.${(suffix(1, name).charCodeAt(0) % 200) + 10}`,
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

function podTemplate(
  plan: HandMadeWorkloadPlan,
  labels: Record<string, string>,
  restartPolicy: 'Always' | 'Never',
) {
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
  plan: HandMadeWorkloadPlan,
  nodeIndex: { next: number },
): Promise<SimulatedPod[]> {
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
  const pods: SimulatedPod[] = [];
  for (let i = 0; i < plan.replicas; i++) {
    const name = `${replicaSetName}-${suffix(5, `${replicaSetName}-${i}`)}`;
    const node = HAND_MADE_NODES[nodeIndex.next++ % HAND_MADE_NODES.length]!;
    pods.push(await createPod(core, plan, name, labels, owner, node, 'Always'));
  }
  return pods;
}

async function createJobWithPods(
  kc: KubeConfig,
  plan: HandMadeWorkloadPlan,
  jobName: string,
  jobOwner: V1OwnerReference | undefined,
  nodeIndex: { next: number },
): Promise<SimulatedPod[]> {
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
  const pods: SimulatedPod[] = [];
  for (let i = 0; i < plan.replicas; i++) {
    const name = `${jobName}-${suffix(5, `${jobName}-${i}`)}`;
    const node = HAND_MADE_NODES[nodeIndex.next++ % HAND_MADE_NODES.length]!;
    const pod = await createPod(core, plan, name, labels, owner, node, 'Never');
    pods.push(jobOwner ? { ...pod, workload: `CronJob/${plan.name}` } : pod);
  }
  return pods;
}

async function createCronJob(
  kc: KubeConfig,
  plan: HandMadeWorkloadPlan,
  nodeIndex: { next: number },
): Promise<SimulatedPod[]> {
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

/** Creates the namespaces and workloads by hand; returns the pods for a simulated exporter. */
export async function createHandMadeWorkloads(
  kc: KubeConfig,
  plans: HandMadeWorkloadPlan[],
): Promise<SimulatedPod[]> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const namespace of new Set(plans.map((p) => p.namespace))) await ensureNamespace(core, namespace);
  const nodeIndex = { next: 0 };
  const pods: SimulatedPod[] = [];
  for (const plan of plans) {
    if (plan.kind === 'Deployment') pods.push(...(await createDeployment(kc, plan, nodeIndex)));
    else if (plan.kind === 'Job')
      pods.push(...(await createJobWithPods(kc, plan, plan.name, undefined, nodeIndex)));
    else pods.push(...(await createCronJob(kc, plan, nodeIndex)));
  }
  return pods;
}

/** A Deployment named after its `app` label: pods of one container (nginx, 1 CPU, 1 GiB) drawing `power`. */
export function deploymentPlan(
  namespace: string,
  app: string,
  power: SimulatedPodPower,
  replicas = 2,
): WorkloadPlan<'Deployment'> {
  return {
    namespace,
    kind: 'Deployment',
    name: app,
    replicas,
    labels: { app },
    container: { name: app, image: 'nginx:1.27', cpu: '1', memory: '1Gi' },
    power,
  };
}
