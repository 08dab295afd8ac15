// With --kubeconfig the CLI asks the cluster what the pod names cannot say: the name of a pod Kepler
// knows only by UID (container-level series), and each pod's top owner, resolved exactly as the
// operator resolves it (controller/workload-grouping.ts: Pod → ReplicaSet → Deployment, Pod → Job →
// CronJob, StatefulSet, DaemonSet). Read-only: it lists pods and GETs ReplicaSets and Jobs.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, KubeRestClient } from '../kube/kube-rest-client.js';
import { toPodView, type PodView } from '../kube/pod-view.js';
import { CachedOwnerLookup, topOwner } from '../controller/workload-grouping.js';
import { CliInputError } from './metrics-snapshots.js';
import type { ClusterPods } from './workload-inputs.js';

export async function clusterPods(kubeconfigPath: string, namespace?: string): Promise<ClusterPods> {
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(kubeconfigPath);
  } catch (error) {
    throw new CliInputError(`--kubeconfig ${kubeconfigPath}: ${(error as Error).message}`);
  }
  const client = new KubeRestClient(kubeConfig);
  const path = namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods` : '/api/v1/pods';
  let pods: PodView[];
  try {
    pods = (await client.list(path, {}, { map: toPodView })).items;
  } catch (error) {
    const detail =
      error instanceof KubeApiError ? `${error.statusCode} ${error.message}` : (error as Error).message;
    throw new CliInputError(`--kubeconfig: cannot list pods (${path}): ${detail}`);
  }
  const lookup = new CachedOwnerLookup(client);
  const owners = await Promise.all(pods.map((pod) => topOwner(pod, lookup)));
  const result: ClusterPods = { byUid: new Map(), ownerOf: new Map() };
  pods.forEach((pod, i) => {
    const { namespace: ns, name, uid } = pod.metadata;
    if (uid) result.byUid.set(uid, { namespace: ns, name });
    result.ownerOf.set(`${ns}/${name}`, { kind: owners[i]!.kind, workload: owners[i]!.name });
  });
  return result;
}
