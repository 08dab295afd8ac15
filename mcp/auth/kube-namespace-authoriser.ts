// With Kubernetes tokens, a caller sees only namespaces where it may `get` carboncompliancepolicies.
// One SubjectAccessReview per (identity, namespace), cached briefly.
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { GROUP, PLURAL, type CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import { ExpiringCache } from './expiring-cache.js';
import type { KubernetesIdentity } from './kube-token-authenticator.js';
import type { NamespaceAuthoriser } from './namespace-authoriser.js';

export class KubeNamespaceAuthoriser implements NamespaceAuthoriser {
  private readonly api: AuthorizationV1Api;
  private readonly cache: ExpiringCache<boolean>;

  constructor(kubeConfig: KubeConfig, cacheTtl_ms = 30_000) {
    this.api = kubeConfig.makeApiClient(AuthorizationV1Api);
    this.cache = new ExpiringCache(cacheTtl_ms, 50_000);
  }

  async visiblePolicies(
    caller: AuthInfo | undefined,
    policies: readonly CarbonCompliancePolicy[],
  ): Promise<readonly CarbonCompliancePolicy[]> {
    const identity = caller?.extra?.kubernetes as KubernetesIdentity | undefined;
    // No Kubernetes identity (e.g. stdio, where the server's own kubeconfig already limits what it reads).
    if (!identity) return caller ? [] : policies;
    const namespaces = [...new Set(policies.map((p) => p.metadata.namespace))];
    const allowed = new Set<string>();
    await Promise.all(
      namespaces.map(async (namespace) => {
        if (await this.mayGet(identity, namespace)) allowed.add(namespace);
      }),
    );
    return policies.filter((p) => allowed.has(p.metadata.namespace));
  }

  private mayGet(identity: KubernetesIdentity, namespace: string): Promise<boolean> {
    const key = `${identity.username}\u0000${identity.groups.join(',')}\u0000${namespace}`;
    return this.cache.getOrLoad(key, async () => {
      const review = await this.api.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: identity.username,
            groups: identity.groups,
            ...(identity.uid ? { uid: identity.uid } : {}),
            ...(identity.extra ? { extra: identity.extra } : {}),
            resourceAttributes: { group: GROUP, resource: PLURAL, verb: 'get', namespace },
          },
        },
      });
      return review.status?.allowed === true;
    });
  }
}
