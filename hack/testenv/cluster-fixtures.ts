// Kubernetes fixtures the real-processes tests share, written as API objects on a control plane that may
// run no controllers: the CarbonCompliancePolicy CRD installed, owner chains (Deployment → ReplicaSet →
// Pod, CronJob → Job → Pod), policies, the operator's two informers started and synced, and a wait for
// an informer cache or a status to catch up.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { fromStoredPolicy } from '../../operator/api/v1alpha1/field-names.js';
import { GROUP, PLURAL, VERSION, type CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import type { KubeRestClient } from '../../operator/kube/kube-rest-client.js';
import { toPodView, type PodView } from '../../operator/kube/pod-view.js';
import { PolicyReconciler, type ReconcilerDeps } from '../../operator/controller/policy-reconciler.js';
import { toPolicyView } from '../../operator/controller/policy-view.js';
import { KubePolicyStore } from '../../operator/controller/status-writer.js';
import { SupervisedInformer } from '../../operator/kube/supervised-informer.js';
import { CachedOwnerLookup } from '../../operator/controller/workload-grouping.js';
import { kubectlPath, testKubeConfig, testKubeconfigPath } from './env.js';
import type { SpawnedNodeProcess } from './spawned-node-process.js';

/** kubectl against the shared test plane; returns what it printed. */
export function kubectl(...args: string[]): string {
  return execFileSync(kubectlPath(), ['--kubeconfig', testKubeconfigPath(), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Applies the CarbonCompliancePolicy CRD (crds/) and waits until the API server serves it. `kubectl wait`
 * fails at once ("status.conditions accessor error") when it reads the CRD before the API server has
 * given it any condition; that read is repeated, for up to the same 60 s.
 */
export function installPolicyCrd(kubectl = kubectlPath(), kubeconfig = testKubeconfigPath()): void {
  execFileSync(kubectl, ['--kubeconfig', kubeconfig, 'apply', '-f', join(process.cwd(), 'crds')], {
    stdio: 'pipe',
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      execFileSync(
        kubectl,
        [
          '--kubeconfig',
          kubeconfig,
          'wait',
          '--for=condition=Established',
          '--timeout=60s',
          `crd/${PLURAL}.${GROUP}`,
        ],
        { stdio: 'pipe' },
      );
      return;
    } catch (error) {
      const noConditionsYet = String((error as { stderr?: unknown }).stderr).includes('accessor error');
      if (!noConditionsYet || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

/** The operator's informers on the test plane: policies through toPolicyView, pods through toPodView. */
export interface OperatorInformers {
  policies: SupervisedInformer<CarbonCompliancePolicy>;
  pods: SupervisedInformer<PodView>;
}

/**
 * Starts the operator's two informers (cluster-wide, or watching one `namespace`) and resolves once both
 * have listed.
 */
export async function startOperatorInformers(
  namespace?: string,
  kubeConfig = testKubeConfig(),
): Promise<OperatorInformers> {
  const scope = namespace === undefined ? '' : `/namespaces/${namespace}`;
  const policies = new SupervisedInformer({
    name: 'policies',
    kubeConfig,
    path: `/apis/${GROUP}/${VERSION}${scope}/${PLURAL}`,
    transform: toPolicyView,
  });
  const pods = new SupervisedInformer({
    name: 'pods',
    kubeConfig,
    path: `/api/v1${scope}/pods`,
    transform: toPodView,
  });
  policies.start();
  pods.start();
  await Promise.all([policies.waitForSync(), pods.waitForSync()]);
  return { policies, pods };
}

/**
 * A PolicyReconciler on the test plane wired as the operator wires it: owners looked up (cached) and
 * status written through `client`; the informers, source, evaluator and the rest come from the test.
 */
export function reconcilerOnTestPlane(
  client: KubeRestClient,
  deps: Omit<ReconcilerDeps, 'owners' | 'store'> & Partial<Pick<ReconcilerDeps, 'store'>>,
): PolicyReconciler {
  return new PolicyReconciler({
    owners: new CachedOwnerLookup(client),
    store: new KubePolicyStore(client),
    ...deps,
  });
}

/**
 * Polls `check` every `intervalMs` until it returns a truthy value, and returns that value; after
 * `timeoutMs` it throws, naming what it waited for.
 */
export async function waitUntil<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** What a controlled object's ownerReference names. */
export interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

const CONTAINERS = [{ name: 'c', image: 'x' }];

/** A Deployment and a ReplicaSet it controls; nothing runs them. */
export async function createDeploymentWithReplicaSet(
  client: KubeRestClient,
  namespace: string,
  names: { deployment: string; replicaSet: string },
  labels: Record<string, string>,
  replicaSetLabels: Record<string, string> = labels,
): Promise<{ deployment: Owner; replicaSet: Owner }> {
  const dep = await client.create<{ metadata: { uid: string } }>(
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    {
      metadata: { name: names.deployment },
      spec: {
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: CONTAINERS } },
      },
    },
  );
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: names.deployment,
    uid: dep.metadata.uid,
  };
  const rs = await client.create<{ metadata: { uid: string } }>(
    `/apis/apps/v1/namespaces/${namespace}/replicasets`,
    {
      metadata: { name: names.replicaSet, ownerReferences: [{ ...deployment, controller: true }] },
      spec: {
        selector: { matchLabels: replicaSetLabels },
        template: { metadata: { labels: replicaSetLabels }, spec: { containers: CONTAINERS } },
      },
    },
  );
  return {
    deployment,
    replicaSet: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: names.replicaSet, uid: rs.metadata.uid },
  };
}

/** A CronJob (03:00 daily) and one Job it controls; nothing runs them. */
export async function createCronJobWithJob(
  client: KubeRestClient,
  namespace: string,
  names: { cronJob: string; job: string },
  templateLabels?: Record<string, string>,
): Promise<{ cronJob: Owner; job: Owner }> {
  const template = {
    ...(templateLabels ? { metadata: { labels: templateLabels } } : {}),
    spec: { restartPolicy: 'Never', containers: CONTAINERS },
  };
  const cron = await client.create<{ metadata: { uid: string } }>(
    `/apis/batch/v1/namespaces/${namespace}/cronjobs`,
    {
      metadata: { name: names.cronJob },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } } },
    },
  );
  const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', name: names.cronJob, uid: cron.metadata.uid };
  const job = await client.create<{ metadata: { uid: string } }>(
    `/apis/batch/v1/namespaces/${namespace}/jobs`,
    {
      metadata: { name: names.job, ownerReferences: [{ ...cronJob, controller: true }] },
      spec: { template },
    },
  );
  return { cronJob, job: { apiVersion: 'batch/v1', kind: 'Job', name: names.job, uid: job.metadata.uid } };
}

/** A pod controlled by `owner` (no kubelet runs it); `containers` default to one container `c`. */
export function createOwnedPod(
  client: KubeRestClient,
  namespace: string,
  name: string,
  labels: Record<string, string>,
  owner: Owner,
  containers: object[] = CONTAINERS,
): Promise<unknown> {
  return client.create(`/api/v1/namespaces/${namespace}/pods`, {
    metadata: { name, labels, ownerReferences: [{ ...owner, controller: true }] },
    spec: { containers },
  });
}

/** A CarbonCompliancePolicy as a user writes it. */
function policyManifest(namespace: string, name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'CarbonCompliancePolicy',
    metadata: { name, namespace },
    spec,
  };
}

/** Creates a CarbonCompliancePolicy through the client library (as kubectl or a GitOps tool would). */
export async function createPolicy(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    namespace,
    body: policyManifest(namespace, name, spec),
  });
}

/**
 * A ServiceAccount that may get and list CarbonCompliancePolicies in `namespace` (a Role and its
 * RoleBinding), as input for `kubectl apply -f -`.
 */
export function policyReaderManifests(
  namespace: string,
  names: { serviceAccount: string; role: string; roleBinding: string },
): string {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: names.serviceAccount, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: names.role, namespace },
      rules: [{ apiGroups: [GROUP], resources: [PLURAL], verbs: ['get', 'list'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: names.roleBinding, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.role },
      subjects: [{ kind: 'ServiceAccount', name: names.serviceAccount, namespace }],
    },
  ]
    .map((o) => JSON.stringify(o))
    .join('\n');
}

/** A policy as the API server returns it, stored field names mapped back (what kubectl shows). */
export async function readPolicy(
  api: CustomObjectsApi,
  namespace: string,
  name: string,
): Promise<CarbonCompliancePolicy> {
  return fromStoredPolicy(
    (await api.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace,
      name,
    })) as CarbonCompliancePolicy,
  );
}

/**
 * Reads the policy every 500 ms until `test` holds, as long as the operator process lives; returns the
 * policy and how long it took. With `readErrors: 'retry'` a failed read counts as "not yet" (an API
 * server coming back); otherwise it ends the wait.
 */
export async function waitForPolicy(
  operator: SpawnedNodeProcess,
  read: () => Promise<CarbonCompliancePolicy>,
  what: string,
  test: (p: CarbonCompliancePolicy) => boolean,
  timeoutMs = 120_000,
  readErrors: 'throw' | 'retry' = 'throw',
): Promise<{ policy: CarbonCompliancePolicy; ms: number }> {
  const started = Date.now();
  let last: CarbonCompliancePolicy | undefined;
  while (Date.now() - started < timeoutMs) {
    if (!operator.alive)
      throw new Error(`operator exited (code ${operator.child.exitCode}):\n${operator.logs()}`);
    try {
      last = await read();
      if (test(last)) return { policy: last, ms: Date.now() - started };
    } catch (error) {
      if (readErrors === 'throw') throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `${what} not reached in ${timeoutMs} ms; status: ${JSON.stringify(last?.status?.conditions)}\n${operator.logs()}`,
  );
}
