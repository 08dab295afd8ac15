// The cost of namespace authorisation against the real kube-apiserver's RBAC: a caller allowed
// everywhere costs one SubjectAccessReview, not one per policy namespace; a caller allowed in a few
// namespaces costs one per namespace asked about, never more than the concurrency bound at once,
// and answers are cached per whole identity (username, uid, groups, extra).
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { execFileSync } from 'node:child_process';
import { kubectlPath, testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import type { CarbonCompliancePolicy } from '../../operator/public-api.js';
import { policy } from '../../hack/testenv/sample-policies.js';
import { KubeNamespaceAuthoriser } from './kube-namespace-authoriser.js';
import { KubeTokenAuthenticator, type KubernetesIdentity } from './kube-token-authenticator.js';

const AUDIENCE = 'carbon-mcp-authoriser-test';
const HOME = 'sar-cost';
const READABLE = ['sar-cost-0', 'sar-cost-1'];
const NAMESPACES = Array.from({ length: 30 }, (_, i) => `sar-cost-${i}`);
const kubectl = (input: string | undefined, ...args: string[]) =>
  execFileSync(kubectlPath(), ['--kubeconfig', testKubeconfigPath(), ...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });
const reader = {
  apiGroups: ['carbon-aware.dev'],
  resources: ['carboncompliancepolicies'],
  verbs: ['get', 'list'],
};

describe('KubeNamespaceAuthoriser: bounded SubjectAccessReview cost', () => {
  const policies: CarbonCompliancePolicy[] = NAMESPACES.map((ns) =>
    policy(ns, 'carbon', [{ workload: 'api', namespace: ns, power_watts: 5 }]),
  );
  let everywhere: AuthInfo;
  let someNamespaces: AuthInfo;

  beforeAll(async () => {
    const objects: object[] = [
      ...[HOME, ...READABLE].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      ...['cluster-reader', 'two-namespace-reader'].map((name) => ({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace: HOME },
      })),
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'sar-cost-ccp-reader' },
        rules: [reader],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'sar-cost-cluster-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sar-cost-ccp-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'cluster-reader', namespace: HOME }],
      },
      ...READABLE.map((namespace) => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'two-namespace-reader', namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sar-cost-ccp-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'two-namespace-reader', namespace: HOME }],
      })),
    ];
    kubectl(objects.map((o) => JSON.stringify(o)).join('\n'), 'apply', '-f', '-');
    const authenticator = new KubeTokenAuthenticator(testKubeConfig(), [AUDIENCE]);
    const login = async (account: string) =>
      (await authenticator.authenticate(
        kubectl(undefined, 'create', 'token', account, '-n', HOME, '--audience', AUDIENCE).trim(),
      ))!;
    everywhere = await login('cluster-reader');
    someNamespaces = await login('two-namespace-reader');
  });

  const namespacesOf = (visible: readonly CarbonCompliancePolicy[]) =>
    [...new Set(visible.map((p) => p.metadata.namespace))].sort();

  test('a caller allowed cluster-wide costs one review for 30 namespaces', async () => {
    const authoriser = new KubeNamespaceAuthoriser(testKubeConfig());
    const visible = await authoriser.visiblePolicies(everywhere, policies);
    expect(visible).toHaveLength(30);
    expect(authoriser.stats.reviews).toBe(1);
  });

  test('a caller allowed in two namespaces: one review per namespace, bounded concurrency, then cached', async () => {
    const authoriser = new KubeNamespaceAuthoriser(testKubeConfig(), { maxConcurrentReviews: 4 });
    const visible = await authoriser.visiblePolicies(someNamespaces, policies);
    expect(namespacesOf(visible)).toEqual(READABLE);
    expect(authoriser.stats.reviews).toBe(1 + 30);
    expect(authoriser.stats.peakConcurrentReviews).toBeLessThanOrEqual(4);
    expect(authoriser.stats.peakConcurrentReviews).toBeGreaterThan(1);
    await authoriser.visiblePolicies(someNamespaces, policies);
    expect(authoriser.stats.reviews).toBe(31);
  });

  test('a question about one namespace reviews that namespace only', async () => {
    const authoriser = new KubeNamespaceAuthoriser(testKubeConfig());
    const oneNamespace = policies.filter((p) => p.metadata.namespace === 'sar-cost-1');
    expect(namespacesOf(await authoriser.visiblePolicies(someNamespaces, oneNamespace))).toEqual([
      'sar-cost-1',
    ]);
    expect(authoriser.stats.reviews).toBe(2);
  });

  test('answers are cached per whole identity: groups and extra are part of the key', async () => {
    const authoriser = new KubeNamespaceAuthoriser(testKubeConfig());
    const base = everywhere.extra!.kubernetes as KubernetesIdentity;
    const as = (identity: KubernetesIdentity): AuthInfo => ({
      token: '',
      clientId: identity.username,
      scopes: [],
      extra: { kubernetes: identity },
    });
    // The same user name without the service-account groups: RBAC still binds the user itself.
    await authoriser.visiblePolicies(as({ ...base, groups: [] }), policies);
    await authoriser.visiblePolicies(as({ ...base, extra: { 'example.com/scope': ['read'] } }), policies);
    await authoriser.visiblePolicies(as(base), policies);
    expect(authoriser.stats.reviews).toBe(3);
    await authoriser.visiblePolicies(as({ ...base, groups: [...base.groups].reverse() }), policies);
    expect(authoriser.stats.reviews).toBe(3); // group order does not matter
  });
});
