// Pods → workloads by their top owner: Pod → ReplicaSet → Deployment, Pod → Job → CronJob,
// StatefulSet, DaemonSet; a pod without a controller is its own workload. The intermediate owners
// (ReplicaSets, Jobs) are read with GET and cached: their ownerReferences do not change, and a
// cluster-wide ReplicaSet watch would cost more memory than the handful of GETs.
import type { WorkloadKind } from '../domain/types.js';
import { KubeApiError, type KubeRestClient } from '../kube/kube-rest-client.js';
import { matchesSelector, type LabelSelector } from '../kube/label-selector.js';
import type { OwnerReference, PodView } from '../kube/pod-view.js';

export interface Workload {
  /** `Kind/name`, unique within the namespace. */
  key: string;
  kind: WorkloadKind;
  name: string;
  namespace: string;
  pods: PodView[];
}

/** Reads the ownerReferences of a ReplicaSet or Job; undefined when it no longer exists. */
export interface OwnerLookup {
  ownersOf(
    kind: 'ReplicaSet' | 'Job',
    namespace: string,
    name: string,
  ): Promise<OwnerReference[] | undefined>;
}

const intermediatePaths = {
  ReplicaSet: (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/replicasets/${name}`,
  Job: (ns: string, name: string) => `/apis/batch/v1/namespaces/${ns}/jobs/${name}`,
};

export class CachedOwnerLookup implements OwnerLookup {
  private readonly cache = new Map<string, { owners: OwnerReference[] | undefined; at: number }>();
  /** One GET per owner even when a thousand pods ask at once. */
  private readonly pending = new Map<string, Promise<OwnerReference[] | undefined>>();
  gets = 0;

  constructor(
    private readonly client: KubeRestClient,
    private readonly ttlMs = 10 * 60_000,
    private readonly maxEntries = 20_000,
  ) {}

  async ownersOf(
    kind: 'ReplicaSet' | 'Job',
    namespace: string,
    name: string,
  ): Promise<OwnerReference[] | undefined> {
    const key = `${kind}/${namespace}/${name}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.owners;
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const request = this.fetch(kind, namespace, name, key).finally(() => this.pending.delete(key));
    this.pending.set(key, request);
    return request;
  }

  private async fetch(
    kind: 'ReplicaSet' | 'Job',
    namespace: string,
    name: string,
    key: string,
  ): Promise<OwnerReference[] | undefined> {
    this.gets += 1;
    let owners: OwnerReference[] | undefined;
    try {
      const object = await this.client.get<{ metadata?: { ownerReferences?: OwnerReference[] } }>(
        intermediatePaths[kind](encodeURIComponent(namespace), encodeURIComponent(name)),
      );
      owners = object.metadata?.ownerReferences ?? [];
    } catch (error) {
      // Gone (e.g. an old ReplicaSet garbage-collected): the pod's direct owner stands in.
      if (!(error instanceof KubeApiError && error.statusCode === 404)) throw error;
      owners = undefined;
    }
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { owners, at: Date.now() });
    return owners;
  }
}

/** An OwnerLookup over objects already in memory (tests, the benchmark, an informer cache). */
export class StaticOwnerLookup implements OwnerLookup {
  constructor(private readonly owners: Map<string, OwnerReference[]>) {}

  static key(kind: string, namespace: string, name: string): string {
    return `${kind}/${namespace}/${name}`;
  }

  ownersOf(
    kind: 'ReplicaSet' | 'Job',
    namespace: string,
    name: string,
  ): Promise<OwnerReference[] | undefined> {
    return Promise.resolve(this.owners.get(StaticOwnerLookup.key(kind, namespace, name)));
  }
}

function controllerOf(owners: OwnerReference[] | undefined): OwnerReference | undefined {
  return owners?.find((o) => o.controller) ?? owners?.[0];
}

const directKinds: Record<string, WorkloadKind> = {
  StatefulSet: 'StatefulSet',
  DaemonSet: 'DaemonSet',
  Deployment: 'Deployment',
  CronJob: 'CronJob',
};

export async function topOwner(
  pod: PodView,
  lookup: OwnerLookup,
): Promise<{ kind: WorkloadKind; name: string }> {
  const owner = controllerOf(pod.metadata.ownerReferences);
  if (!owner) return { kind: 'Pod', name: pod.metadata.name };
  const direct = directKinds[owner.kind];
  if (direct) return { kind: direct, name: owner.name };
  if (owner.kind === 'ReplicaSet' || owner.kind === 'Job') {
    const parent = controllerOf(await lookup.ownersOf(owner.kind, pod.metadata.namespace, owner.name));
    if (owner.kind === 'ReplicaSet' && parent?.kind === 'Deployment')
      return { kind: 'Deployment', name: parent.name };
    if (owner.kind === 'Job' && parent?.kind === 'CronJob') return { kind: 'CronJob', name: parent.name };
    return { kind: owner.kind, name: owner.name };
  }
  // Owned by something we do not model (a Node for static pods, a custom controller): the pod itself.
  return { kind: 'Pod', name: pod.metadata.name };
}

export function selectPods(pods: PodView[], namespace: string, selector: LabelSelector): PodView[] {
  return pods.filter(
    (p) => p.metadata.namespace === namespace && matchesSelector(selector, p.metadata.labels),
  );
}

export async function groupByWorkload(pods: PodView[], lookup: OwnerLookup): Promise<Workload[]> {
  const workloads = new Map<string, Workload>();
  const owners = await Promise.all(pods.map((pod) => topOwner(pod, lookup)));
  pods.forEach((pod, i) => {
    const { kind, name } = owners[i]!;
    const key = `${pod.metadata.namespace}/${kind}/${name}`;
    let workload = workloads.get(key);
    if (!workload) {
      workload = { key: `${kind}/${name}`, kind, name, namespace: pod.metadata.namespace, pods: [] };
      workloads.set(key, workload);
    }
    workload.pods.push(pod);
  });
  return [...workloads.values()].sort((a, b) => a.key.localeCompare(b.key));
}
