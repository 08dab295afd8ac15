// The part of a Pod the operator keeps in its cache. A full Pod object is several KiB (managed
// fields, env, volumes); 10,000 of them would dominate the operator's memory for nothing.
import { parseQuantity } from './resource-quantity.js';

export interface OwnerReference {
  apiVersion?: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
}

export interface PodView {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    ownerReferences?: OwnerReference[];
  };
  spec: {
    nodeName?: string;
    cpuRequest_cores?: number;
    memoryRequest_bytes?: number;
    /** Container names, for a right-sizing resources patch that names them. */
    containerNames?: string[];
  };
  /** finishedTime: the last container's finish, for a Succeeded or Failed pod. */
  status: { phase?: string; startTime?: string; finishedTime?: string };
}

interface RawContainer {
  name?: string;
  resources?: { requests?: Record<string, string> };
}

interface RawPod {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    ownerReferences?: OwnerReference[];
  };
  spec?: { nodeName?: string; containers?: RawContainer[] };
  status?: {
    phase?: string;
    startTime?: string;
    containerStatuses?: Array<{ state?: { terminated?: { finishedAt?: string } } }>;
  };
}

/** When a finished pod's last container stopped; undefined while it runs. */
function finishedTime(status: RawPod['status']): string | undefined {
  if (status?.phase !== 'Succeeded' && status?.phase !== 'Failed') return undefined;
  const times = (status.containerStatuses ?? [])
    .map((c) => c.state?.terminated?.finishedAt)
    .filter((t): t is string => typeof t === 'string' && Number.isFinite(Date.parse(t)));
  return times.length > 0 ? times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : undefined;
}

function sumRequests(containers: RawContainer[] | undefined, resource: string): number | undefined {
  let total: number | undefined;
  for (const container of containers ?? []) {
    const value = parseQuantity(container.resources?.requests?.[resource]);
    if (value !== undefined) total = (total ?? 0) + value;
  }
  return total;
}

export function toPodView(raw: unknown): PodView {
  const pod = raw as RawPod;
  const meta = pod.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: meta.name ?? '',
      namespace: meta.namespace ?? '',
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      labels: meta.labels,
      ownerReferences: meta.ownerReferences?.map((o) => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.name,
        uid: o.uid,
        controller: o.controller,
      })),
    },
    spec: {
      nodeName: pod.spec?.nodeName,
      cpuRequest_cores: sumRequests(pod.spec?.containers, 'cpu'),
      memoryRequest_bytes: sumRequests(pod.spec?.containers, 'memory'),
      containerNames: pod.spec?.containers?.every((c) => c.name)
        ? pod.spec.containers.map((c) => c.name!)
        : undefined,
    },
    status: {
      phase: pod.status?.phase,
      startTime: pod.status?.startTime,
      ...(finishedTime(pod.status) ? { finishedTime: finishedTime(pod.status) } : {}),
    },
  };
}
