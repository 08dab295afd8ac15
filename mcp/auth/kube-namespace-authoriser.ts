// With Kubernetes tokens, a caller sees only namespaces where it may `get` carboncompliancepolicies.
// The cost is bounded: one cluster-wide SubjectAccessReview first (a caller allowed everywhere
// costs one review, not one per namespace); otherwise one review per namespace the question needs
// (a tool given a namespace asks about that one only), at most `maxConcurrentReviews` at a time,
// each answer cached for `cacheTtl_ms` in a cache of at most `maxCacheEntries` entries keyed by the
// caller's whole identity (username, uid, groups and extra: two callers that differ in any of them
// never share an answer).
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createHash } from 'node:crypto';
import { GROUP, PLURAL, type CarbonCompliancePolicy } from '../../operator/public-api.js';
import { ExpiringCache } from './expiring-cache.js';
import type { KubernetesIdentity } from './kube-token-authenticator.js';
import type { NamespaceAuthoriser } from './namespace-authoriser.js';

export interface AccessReviewLimits {
  cacheTtl_ms: number;
  /** Cached answers, each one (identity, namespace) pair; the oldest goes first when full. */
  maxCacheEntries: number;
  /** SubjectAccessReviews on the wire at once, over all callers. */
  maxConcurrentReviews: number;
}

const defaultAccessReviewLimits: AccessReviewLimits = {
  cacheTtl_ms: 30_000,
  maxCacheEntries: 20_000,
  maxConcurrentReviews: 8,
};

/** The namespace of the cluster-wide review (an empty namespace means all namespaces). */
const ALL_NAMESPACES = '';

/** A fixed-size key for the whole identity; groups and extra values are sorted first. */
function identityKey(identity: KubernetesIdentity): string {
  const extra = Object.entries(identity.extra ?? {})
    .map(([k, values]) => [k, [...values].sort()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([identity.username, identity.uid ?? '', [...identity.groups].sort(), extra]))
    .digest('base64url');
}

export class KubeNamespaceAuthoriser implements NamespaceAuthoriser {
  private readonly api: AuthorizationV1Api;
  private readonly cache: ExpiringCache<boolean>;
  private readonly limits: AccessReviewLimits;
  private running = 0;
  private readonly queued: Array<() => void> = [];
  /** SubjectAccessReviews sent, and the most at once (tests, logs). */
  readonly stats = { reviews: 0, peakConcurrentReviews: 0 };

  constructor(kubeConfig: KubeConfig, limits: Partial<AccessReviewLimits> = {}) {
    this.limits = { ...defaultAccessReviewLimits, ...limits };
    this.api = kubeConfig.makeApiClient(AuthorizationV1Api);
    this.cache = new ExpiringCache(this.limits.cacheTtl_ms, this.limits.maxCacheEntries);
  }

  async visiblePolicies(
    caller: AuthInfo | undefined,
    policies: readonly CarbonCompliancePolicy[],
  ): Promise<readonly CarbonCompliancePolicy[]> {
    const identity = caller?.extra?.kubernetes as KubernetesIdentity | undefined;
    // No Kubernetes identity (e.g. stdio, where the server's own kubeconfig already limits what it reads).
    if (!identity) return caller ? [] : policies;
    if (policies.length === 0) return policies;
    const key = identityKey(identity);
    if (await this.mayGet(identity, key, ALL_NAMESPACES)) return policies;
    const namespaces = [...new Set(policies.map((p) => p.metadata.namespace))];
    const allowed = new Set<string>();
    await Promise.all(
      namespaces.map(async (namespace) => {
        if (await this.mayGet(identity, key, namespace)) allowed.add(namespace);
      }),
    );
    return policies.filter((p) => allowed.has(p.metadata.namespace));
  }

  private mayGet(identity: KubernetesIdentity, key: string, namespace: string): Promise<boolean> {
    return this.cache.getOrLoad(`${key}\u0000${namespace}`, () =>
      this.bounded(() => this.review(identity, namespace)),
    );
  }

  private async bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.maxConcurrentReviews) {
      await new Promise<void>((resolve) => this.queued.push(resolve));
    } else {
      this.running += 1;
    }
    this.stats.peakConcurrentReviews = Math.max(this.stats.peakConcurrentReviews, this.running);
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, or give it back.
      const next = this.queued.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  private async review(identity: KubernetesIdentity, namespace: string): Promise<boolean> {
    this.stats.reviews += 1;
    const review = await this.api.createSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: identity.username,
          groups: identity.groups,
          ...(identity.uid ? { uid: identity.uid } : {}),
          ...(identity.extra ? { extra: identity.extra } : {}),
          resourceAttributes: {
            group: GROUP,
            resource: PLURAL,
            verb: 'get',
            ...(namespace === ALL_NAMESPACES ? {} : { namespace }),
          },
        },
      },
    });
    return review.status?.allowed === true;
  }
}
