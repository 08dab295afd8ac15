// The demo's workloads, created the way a user creates them: Deployments, a StatefulSet, a DaemonSet,
// Jobs and a CronJob, nothing else. The real kube-controller-manager makes their ReplicaSets, Jobs and
// Pods, kube-scheduler binds the pods to the simulated nodes, and kwok runs them
// (hack/testenv/kwok-stages.yaml). Each pod template carries the simulated power that the demo's
// Kepler exporter reports for its pods (hack/testenv/simulated-kepler.ts), and a CronJob's or Job's
// template may carry how long a run lasts.
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1PodTemplateSpec,
} from '@kubernetes/client-node';
import type { WorkloadPlan } from '../testenv/hand-made-workloads.js';

type DemoWorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

export interface DemoWorkloadPlan extends WorkloadPlan<DemoWorkloadKind> {
  /** Job and CronJob: how long a run lasts (e.g. "60s"); without it a Job's pods keep running. */
  runDuration?: string;
}

/** Pod template annotations read by the simulated exporter and by kwok's stages. */
const SIMULATION_ANNOTATIONS = {
  packageWatts: 'simulation.carbon-aware.dev/package-watts',
  dramWatts: 'simulation.carbon-aware.dev/dram-watts',
  runDuration: 'simulation.carbon-aware.dev/run-duration',
} as const;

/** What the demo runs. Power figures are invented for the simulation and labelled so by the exporter. */
const DEMO_WORKLOADS: DemoWorkloadPlan[] = [
  {
    // A long training run: its pods keep running for the demo's life.
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
    // Fires every two minutes (Asia/Seoul) so that the demo shows runs come and go; each lasts a minute.
    namespace: 'analytics',
    kind: 'CronJob',
    name: 'usage-report',
    replicas: 1,
    labels: { app: 'usage-report', team: 'data' },
    container: { name: 'etl', image: 'apache/spark:3.5.1', cpu: '4', memory: '8Gi' },
    power: { package_watts: 30, dram_watts: 4 },
    schedule: '*/2 * * * *',
    runDuration: '60s',
  },
  {
    namespace: 'analytics',
    kind: 'StatefulSet',
    name: 'metrics-db',
    replicas: 2,
    labels: { app: 'metrics-db', team: 'data' },
    container: { name: 'postgres', image: 'postgres:17', cpu: '2', memory: '8Gi' },
    power: { package_watts: 12, dram_watts: 3 },
  },
  {
    namespace: 'analytics',
    kind: 'DaemonSet',
    name: 'log-shipper',
    replicas: 0,
    labels: { app: 'log-shipper', team: 'data' },
    container: { name: 'fluent-bit', image: 'fluent/fluent-bit:3.2', cpu: '200m', memory: '256Mi' },
    power: { package_watts: 1.5, dram_watts: 0.3 },
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

export const DEMO_NODES = ['demo-node-1', 'demo-node-2', 'demo-node-3'];

/** The pod template a user would write, with the simulation's annotations. */
export function podTemplate(plan: DemoWorkloadPlan, restartPolicy: 'Always' | 'Never'): V1PodTemplateSpec {
  return {
    metadata: {
      labels: plan.labels,
      annotations: {
        [SIMULATION_ANNOTATIONS.packageWatts]: String(plan.power.package_watts),
        [SIMULATION_ANNOTATIONS.dramWatts]: String(plan.power.dram_watts),
        ...(plan.runDuration ? { [SIMULATION_ANNOTATIONS.runDuration]: plan.runDuration } : {}),
      },
    },
    spec: {
      restartPolicy,
      terminationGracePeriodSeconds: 5,
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

function jobSpec(plan: DemoWorkloadPlan) {
  return {
    parallelism: plan.replicas,
    completions: plan.replicas,
    backoffLimit: 2,
    template: podTemplate(plan, 'Never'),
  };
}

async function ensureNamespace(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.createNamespace({ body: { metadata: { name, labels: { 'carbon-aware.dev/demo': 'true' } } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

/** Creates one workload object, as `kubectl apply` of its manifest would. */
export async function createWorkload(kc: KubeConfig, plan: DemoWorkloadPlan): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const metadata = { name: plan.name, namespace: plan.namespace, labels: plan.labels };
  const selector = { matchLabels: plan.labels };
  const namespace = plan.namespace;
  switch (plan.kind) {
    case 'Deployment':
      await apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata,
          spec: { replicas: plan.replicas, selector, template: podTemplate(plan, 'Always') },
        },
      });
      return;
    case 'StatefulSet':
      // A StatefulSet's pods get their DNS names from a headless Service.
      await core.createNamespacedService({
        namespace,
        body: {
          metadata,
          spec: { clusterIP: 'None', selector: plan.labels, ports: [{ name: 'main', port: 5432 }] },
        },
      });
      await apps.createNamespacedStatefulSet({
        namespace,
        body: {
          metadata,
          spec: {
            serviceName: plan.name,
            replicas: plan.replicas,
            selector,
            template: podTemplate(plan, 'Always'),
          },
        },
      });
      return;
    case 'DaemonSet':
      await apps.createNamespacedDaemonSet({
        namespace,
        body: { metadata, spec: { selector, template: podTemplate(plan, 'Always') } },
      });
      return;
    case 'Job':
      await batch.createNamespacedJob({ namespace, body: { metadata, spec: jobSpec(plan) } });
      return;
    case 'CronJob':
      await batch.createNamespacedCronJob({
        namespace,
        body: {
          metadata,
          spec: {
            schedule: plan.schedule ?? '0 * * * *',
            timeZone: 'Asia/Seoul',
            concurrencyPolicy: 'Forbid',
            successfulJobsHistoryLimit: 3,
            jobTemplate: { metadata: { labels: plan.labels }, spec: jobSpec(plan) },
          },
        },
      });
      return;
  }
}

/** Creates the namespaces and workload objects; the controllers create the rest. */
export async function applyDemoWorkloads(kc: KubeConfig, plans = DEMO_WORKLOADS): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const namespace of new Set(plans.map((p) => p.namespace))) await ensureNamespace(core, namespace);
  for (const plan of plans) await createWorkload(kc, plan);
}

/** Whether the workload's controller reports all its pods ready (a CronJob counts once it exists). */
async function workloadReady(kc: KubeConfig, plan: DemoWorkloadPlan): Promise<boolean> {
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const { name, namespace } = plan;
  switch (plan.kind) {
    case 'Deployment': {
      const d = await apps.readNamespacedDeployment({ name, namespace });
      return (d.status?.readyReplicas ?? 0) === plan.replicas && d.status?.updatedReplicas === plan.replicas;
    }
    case 'StatefulSet': {
      const s = await apps.readNamespacedStatefulSet({ name, namespace });
      return (s.status?.readyReplicas ?? 0) === plan.replicas;
    }
    case 'DaemonSet': {
      const d = await apps.readNamespacedDaemonSet({ name, namespace });
      const desired = d.status?.desiredNumberScheduled ?? 0;
      return desired > 0 && d.status?.numberReady === desired;
    }
    case 'Job': {
      const j = await batch.readNamespacedJob({ name, namespace });
      return (j.status?.ready ?? 0) + (j.status?.succeeded ?? 0) >= plan.replicas;
    }
    case 'CronJob':
      await batch.readNamespacedCronJob({ name, namespace });
      return true;
  }
}

/** Waits until every workload's controller reports its pods ready, as `kubectl rollout status` would. */
export async function waitForDemoWorkloads(
  kc: KubeConfig,
  plans = DEMO_WORKLOADS,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = plans;
  while (pending.length > 0) {
    const ready = await Promise.all(pending.map((plan) => workloadReady(kc, plan)));
    pending = pending.filter((_, i) => !ready[i]);
    if (pending.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `workloads not ready after ${timeoutMs / 1000} s: ${pending.map((p) => `${p.namespace}/${p.kind}/${p.name}`).join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
