// Auth mode `kubernetes`: the bearer token is a Kubernetes token (service account or user) issued
// for this server's audience. A TokenReview with spec.audiences says who it is, and the API server
// refuses a token issued for anyone else (such as the caller's general-purpose API-server
// credential, which the MCP authorization spec forbids passing through). Results are cached briefly
// so a busy client does not flood the apiserver.
import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createHash } from 'node:crypto';
import type { CallerAuthenticator } from './caller-authenticator.js';
import { ExpiringCache } from './expiring-cache.js';

export interface KubernetesIdentity {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export class KubeTokenAuthenticator implements CallerAuthenticator {
  readonly mode = 'kubernetes' as const;
  private readonly api: AuthenticationV1Api;
  private readonly cache: ExpiringCache<KubernetesIdentity | null>;

  constructor(
    kubeConfig: KubeConfig,
    private readonly audiences: readonly string[],
    cacheTtl_ms = 30_000,
  ) {
    if (audiences.length === 0) throw new Error('kubernetes auth needs at least one audience');
    this.api = kubeConfig.makeApiClient(AuthenticationV1Api);
    this.cache = new ExpiringCache(cacheTtl_ms, 10_000);
  }

  async authenticate(token: string | undefined): Promise<AuthInfo | undefined> {
    if (!token) return undefined;
    const key = createHash('sha256').update(token).digest('base64url');
    const identity = await this.cache.getOrLoad(key, () => this.review(token));
    if (!identity) return undefined;
    return { token, clientId: identity.username, scopes: [], extra: { kubernetes: identity } };
  }

  private async review(token: string): Promise<KubernetesIdentity | null> {
    const review = await this.api.createTokenReview({
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, audiences: [...this.audiences] },
      },
    });
    const status = review.status;
    if (!status?.authenticated || !status.user?.username) return null;
    // The API server answers with the requested audiences the token is valid for; none = refused.
    if (!status.audiences?.some((a) => this.audiences.includes(a))) return null;
    return {
      username: status.user.username,
      ...(status.user.uid ? { uid: status.user.uid } : {}),
      groups: status.user.groups ?? [],
      ...(status.user.extra ? { extra: status.user.extra } : {}),
    };
  }
}
