// Nodes for a control plane started with `workloadControllers`: Node objects as a kubelet would
// register them (capacity, allocatable, addresses), annotated so that kwok simulates their kubelet
// (hack/testenv/kwok-stages.yaml makes them Ready and runs the pods bound to them).
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { SIMULATED_NODE_ANNOTATION } from './control-plane.js';

export interface SimulatedNode {
  name: string;
  /** Allocatable CPU, e.g. "32". */
  cpu?: string;
  /** Allocatable memory, e.g. "256Gi". */
  memory?: string;
  /** Pod capacity. */
  pods?: number;
  labels?: Record<string, string>;
}

/** The InternalIP of the n-th simulated node (10.1.x.y), what Kepler's node_name would sit beside. */
function simulatedNodeIp(index: number): string {
  return `10.1.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

function simulatedNodeObject(node: SimulatedNode, index: number): V1Node {
  const resources = {
    cpu: node.cpu ?? '32',
    memory: node.memory ?? '256Gi',
    pods: String(node.pods ?? 110),
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      annotations: { [SIMULATED_NODE_ANNOTATION]: 'fake' },
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
        ...node.labels,
      },
    },
    status: {
      capacity: resources,
      allocatable: resources,
      addresses: [
        { type: 'InternalIP', address: simulatedNodeIp(index) },
        { type: 'Hostname', address: node.name },
      ],
    },
  };
}

/** Registers the nodes and waits until kwok has made every one Ready. */
export async function createSimulatedNodes(
  kc: KubeConfig,
  nodes: SimulatedNode[],
  timeoutMs = 60_000,
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const [index, node] of nodes.entries()) {
    await core.createNode({ body: simulatedNodeObject(node, index) });
  }
  const deadline = Date.now() + timeoutMs;
  let notReady = nodes.map((n) => n.name);
  while (notReady.length > 0) {
    const list = await core.listNode({});
    const ready = new Set(
      list.items
        .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        .map((n) => n.metadata!.name!),
    );
    notReady = notReady.filter((name) => !ready.has(name));
    if (notReady.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `simulated nodes not Ready after ${timeoutMs} ms: ${notReady.join(', ')} (is kwok running?)`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
