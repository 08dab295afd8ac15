// The operator under the exact RBAC the Helm chart renders, against the real kube-apiserver: a
// ServiceAccount bound to the chart's ClusterRole and Roles, a bearer token from the TokenRequest
// API, and the operator runtime (informers, work queue, reconciler, leader election, events) using
// only that token. With every rule it works; without any one verb it fails, and the log or the
// policy's Ready condition names the verb, resource and namespace that were denied.
//
// The runtime runs in-process with the test formula evaluator and a scripted metrics source (the
// sources have their own integration tests), restricted to one namespace (--watch-namespace) so
// that it never touches other tests' policies on the shared API server; the ClusterRole is bound
// cluster-wide exactly as the chart binds it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { parseAllDocuments } from 'yaml';
import { helmPath, testControlPlaneInfo, testKubeConfig } from '../../hack/testenv/env.js';
import type { CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import { KubeApiError, KubeRestClient } from '../kube/kube-rest-client.js';
import type { MetricsCollection, MetricsSource, CollectedPodEnergy } from '../sources/metrics-source.js';
import { operatorConfigSchema } from './operator-config.js';
import { OperatorRuntime } from './operator-runtime.js';
import { policyPath } from './status-writer.js';
import { fromStoredPolicy } from '../api/v1alpha1/field-names.js';
import {
  createCronJobWithJob,
  createDeploymentWithReplicaSet,
  createOwnedPod,
  installPolicyCrd,
} from '../../hack/testenv/cluster-fixtures.js';
import { FormulaEvaluator } from '../../hack/testenv/formula-evaluator.js';
import { podHoursOf } from '../sources/pod-hours.js';

const RELEASE = 'rbac';
const OPERATOR_NS = 'carbon-rbac';
const WORK_NS = 'rbac-apps';
const LEASE = 'carbon-aware-operator';
const POLICY = 'rbac-policy';

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}
interface RoleManifest {
  kind: 'ClusterRole' | 'Role';
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules: PolicyRule[];
}

const admin = new KubeRestClient(testKubeConfig());

/** The chart's operator ClusterRole and Roles, as `helm template` renders them with default values. */
function renderOperatorRoles(): RoleManifest[] {
  const helmHome = mkdtempSync(join(tmpdir(), 'carbon-rbac-helm-'));
  const out = execFileSync(
    helmPath(),
    [
      'template',
      RELEASE,
      'charts/carbon-aware-kepler',
      '--namespace',
      OPERATOR_NS,
      '--kube-version',
      '1.34.0',
      '--show-only',
      'templates/operator-rbac.yaml',
      // The standards catalogue is synced into the chart by a script; RBAC does not depend on it.
      '--set-string',
      'standards.override=not-used-by-rbac',
      // helm template cannot keep a generated MCP token: the chart requires an existing Secret.
      '--set-string',
      'mcp.auth.existingSecret=carbon-mcp-token',
    ],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        HELM_CACHE_HOME: join(helmHome, 'cache'),
        HELM_CONFIG_HOME: join(helmHome, 'config'),
        HELM_DATA_HOME: join(helmHome, 'data'),
      },
    },
  );
  return parseAllDocuments(out)
    .map((d) => d.toJS() as RoleManifest | null)
    .filter(
      (m): m is RoleManifest =>
        !!m &&
        (m.kind === 'ClusterRole' || m.kind === 'Role') &&
        m.metadata.labels?.['app.kubernetes.io/component'] === 'operator',
    );
}

/** The least-privilege set operator/README.md documents (its yaml block). */
function documentedRoles(): RoleManifest[] {
  const readme = readFileSync('operator/README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Least-privilege RBAC'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('operator/README.md: no yaml block under "Least-privilege RBAC"');
  return parseAllDocuments(block[1]!).map((d) => d.toJS() as RoleManifest);
}

/** kind + name suffix after "operator" → one sorted line per (group, resource, names, verb). */
function normalize(roles: RoleManifest[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const role of roles) {
    const suffix = role.metadata.name.slice(role.metadata.name.indexOf('operator') + 'operator'.length);
    const lines = role.rules.flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.flatMap((res) =>
          r.verbs.map(
            (v) => `${g || 'core'}/${res}${r.resourceNames ? `[${r.resourceNames.join(',')}]` : ''} ${v}`,
          ),
        ),
      ),
    );
    out[`${role.kind}${suffix}`] = lines.sort();
  }
  return out;
}

async function ensure(path: string, body: unknown): Promise<void> {
  try {
    await admin.create(path, body);
  } catch (error) {
    if (!(error instanceof KubeApiError && error.statusCode === 409)) throw error;
  }
}

async function remove(path: string): Promise<void> {
  try {
    await admin.delete(path);
  } catch (error) {
    if (!(error instanceof KubeApiError && error.statusCode === 404)) throw error;
  }
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 15_000) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

class ScriptedSource implements MetricsSource {
  description = 'scripted test source';
  collect(request: { pods: Array<{ namespace: string; name: string }> }): Promise<MetricsCollection> {
    const hourStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    const pods = new Map<string, CollectedPodEnergy>();
    for (const pod of request.pods)
      pods.set(`${pod.namespace}/${pod.name}`, {
        namespace: pod.namespace,
        pod: pod.name,
        hours: podHoursOf([{ hourStart: hourStart.replace('.000Z', 'Z'), energy_kWh: 0.25 }]),
      });
    return Promise.resolve({
      pods,
      zonesCounted: ['package'],
      energyProvenance: 'measured: test',
      dataQuality: [],
      errors: [],
    });
  }
}

/** A ServiceAccount bound to copies of `roles`, and a kubeconfig holding only its bearer token. */
async function serviceAccountKubeConfig(account: string, roles: RoleManifest[]): Promise<KubeConfig> {
  await ensure(`/api/v1/namespaces/${OPERATOR_NS}/serviceaccounts`, { metadata: { name: account } });
  const subject = { kind: 'ServiceAccount', name: account, namespace: OPERATOR_NS };
  for (const role of roles) {
    const name = `${role.metadata.name}-${account}`;
    if (role.kind === 'ClusterRole') {
      await ensure('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
        metadata: { name },
        rules: role.rules,
      });
      await ensure('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [subject],
      });
    } else {
      const ns = role.metadata.namespace!;
      await ensure(`/api/v1/namespaces`, { metadata: { name: ns } });
      await ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
        metadata: { name },
        rules: role.rules,
      });
      await ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [subject],
      });
    }
  }
  // The authorizer learns new bindings from its own watch: wait until every role is in effect.
  for (const role of roles) {
    const rule = role.rules[0];
    if (!rule) continue;
    await waitFor(`RBAC for ${account} to take effect`, async () => {
      const review = await admin.create<{ status: { allowed: boolean } }>(
        '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        {
          spec: {
            user: `system:serviceaccount:${OPERATOR_NS}:${account}`,
            groups: [
              'system:serviceaccounts',
              `system:serviceaccounts:${OPERATOR_NS}`,
              'system:authenticated',
            ],
            resourceAttributes: {
              namespace: role.kind === 'Role' ? role.metadata.namespace : WORK_NS,
              group: rule.apiGroups[0],
              resource: rule.resources[0]!.split('/')[0],
              subresource: rule.resources[0]!.split('/')[1],
              name: rule.resourceNames?.[0],
              verb: rule.verbs[0],
            },
          },
        },
      );
      return review.status.allowed || undefined;
    });
  }
  const token = await admin.create<{ status: { token: string } }>(
    `/api/v1/namespaces/${OPERATOR_NS}/serviceaccounts/${account}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  );
  const info = testControlPlaneInfo();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: info.server, caFile: info.caCertPath, skipTLSVerify: false }],
    users: [{ name: account, token: token.status.token }],
    contexts: [{ name: account, cluster: 'test', user: account, namespace: OPERATOR_NS }],
    currentContext: account,
  });
  return kc;
}

interface RunningOperator {
  runtime: OperatorRuntime;
  logs: string[];
  lostLeadership: boolean;
  identity: string;
}

async function startOperator(kubeConfig: KubeConfig, identity: string): Promise<RunningOperator> {
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  const config = operatorConfigSchema.parse({
    source: 'kepler',
    leaderElection: 'true',
    leaseName: LEASE,
    leaseNamespace: OPERATOR_NS,
    leaseDuration: 3,
    renewDeadline: 2,
    retryPeriod: 0.5,
    identity,
    healthPort: 0,
    healthHost: '127.0.0.1',
    watchNamespace: WORK_NS,
    minInterval: 1,
  });
  const running: RunningOperator = {
    logs,
    identity,
    lostLeadership: false,
    runtime: undefined as unknown as OperatorRuntime,
  };
  running.runtime = new OperatorRuntime({
    config,
    kubeConfig,
    source: new ScriptedSource(),
    evaluator: new FormulaEvaluator(),
    logger,
    onLostLeadership: () => {
      running.lostLeadership = true;
    },
  });
  // start() resolves once the caches are synced; a denied policy list keeps it waiting (and says why).
  void running.runtime
    .start()
    .catch((error: unknown) => logs.push(JSON.stringify({ msg: `start failed: ${String(error)}` })));
  return running;
}

async function readyz(running: RunningOperator): Promise<{ status: number; body: string } | undefined> {
  if (!running.runtime.healthPort) return undefined;
  const res = await fetch(`http://127.0.0.1:${running.runtime.healthPort}/readyz`);
  return { status: res.status, body: await res.text() };
}

async function readPolicy(): Promise<CarbonCompliancePolicy> {
  return fromStoredPolicy(await admin.get<CarbonCompliancePolicy>(policyPath(WORK_NS, POLICY)));
}

async function freshPolicyAndLease(): Promise<void> {
  await remove(policyPath(WORK_NS, POLICY));
  await waitFor('the old policy to go', async () => {
    try {
      await readPolicy();
      return undefined;
    } catch {
      return true;
    }
  });
  await remove(`/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NS}/leases/${LEASE}`);
  await admin.create(policyPath(WORK_NS), {
    apiVersion: 'carbon-aware.dev/v1alpha1',
    kind: 'CarbonCompliancePolicy',
    metadata: { name: POLICY },
    spec: {
      selector: { matchLabels: { tier: 'rbac-test' } },
      interval: '2s',
      site: { zone: 'KR', pue: 1.17 },
    },
  });
}

/** The first log line whose message or error contains `text` (logs are JSON: compare decoded text). */
const forbiddenLog = (running: RunningOperator, text: string) =>
  running.logs.find((line) => {
    const entry = JSON.parse(line) as { msg?: string; err?: string };
    return `${entry.msg ?? ''} ${entry.err ?? ''}`.includes(text);
  });

async function policyEvents(): Promise<Array<{ reason: string; reportingInstance?: string; type: string }>> {
  const list = await admin.get<{
    items: Array<{
      reason: string;
      reportingInstance?: string;
      type: string;
      involvedObject: { name: string };
    }>;
  }>(`/api/v1/namespaces/${WORK_NS}/events`);
  return list.items.filter((e) => e.involvedObject.name === POLICY);
}

describe('the operator under the chart’s least-privilege RBAC', () => {
  let roles: RoleManifest[];
  const operators: RunningOperator[] = [];

  beforeAll(async () => {
    installPolicyCrd();
    await ensure('/api/v1/namespaces', { metadata: { name: OPERATOR_NS } });
    await ensure('/api/v1/namespaces', { metadata: { name: WORK_NS } });
    roles = renderOperatorRoles();
    // Owner chains as API objects (no kubelet): Pod → ReplicaSet → Deployment, Pod → Job → CronJob.
    const labels = { tier: 'rbac-test' };
    const { replicaSet } = await createDeploymentWithReplicaSet(
      admin,
      WORK_NS,
      { deployment: 'web', replicaSet: 'web-1' },
      labels,
      { tier: 'rbac-test', rs: '1' },
    );
    const { job } = await createCronJobWithJob(
      admin,
      WORK_NS,
      { cronJob: 'nightly', job: 'nightly-1' },
      labels,
    );
    await createOwnedPod(admin, WORK_NS, 'web-1-a', labels, replicaSet);
    await createOwnedPod(admin, WORK_NS, 'nightly-1-a', labels, job);
  }, 120_000);

  afterEach(async () => {
    for (const running of operators.splice(0)) await running.runtime.stop();
  });

  it('the chart grants exactly the least-privilege set operator/README.md documents', () => {
    expect(normalize(roles)).toEqual(normalize(documentedRoles()));
    process.stderr.write(`chart operator RBAC: ${JSON.stringify(normalize(roles))}\n`);
  });

  it('with the chart’s rules the operator leads, writes status and records events', async () => {
    await freshPolicyAndLease();
    const kc = await serviceAccountKubeConfig('op-all', roles);
    const started = Date.now();
    const running = await startOperator(kc, 'rbac-all');
    operators.push(running);
    const policy = await waitFor('status from the operator', async () => {
      const p = await readPolicy();
      return p.status?.summary ? p : undefined;
    });
    process.stderr.write(`FIGURE rbac_operator_first_status_ms ${Date.now() - started}\n`);
    expect(policy.status!.summary).toMatchObject({ status: 'NON_COMPLIANT', workloads: 2 });
    expect(policy.status!.workloads!.map((w) => `${w.kind}/${w.workload}`).sort()).toEqual([
      'CronJob/nightly',
      'Deployment/web',
    ]);
    expect(policy.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    const lease = await admin.get<{ spec: { holderIdentity: string } }>(
      `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NS}/leases/${LEASE}`,
    );
    expect(lease.spec.holderIdentity).toBe('rbac-all');
    const events = await waitFor('a ComplianceChanged event', async () => {
      const list = await policyEvents();
      return list.some((e) => e.reason === 'ComplianceChanged' && e.reportingInstance === 'rbac-all')
        ? list
        : undefined;
    });
    expect(events.find((e) => e.reason === 'ComplianceChanged')!.type).toBe('Warning');
    expect(await readyz(running)).toEqual({ status: 200, body: expect.any(String) });
    expect(running.logs.filter((l) => l.includes('forbidden'))).toEqual([]);
  });

  // One case per verb the chart grants: remove it alone and the operator must fail visibly, with
  // the denied verb, resource and namespace in the log or in the policy's Ready condition.
  interface Case {
    group: string;
    resource: string;
    verb: string;
    /** The message the denial must produce. */
    expect: string;
    /** How the failure shows: only in the log, or also in the policy's Ready condition. */
    via: 'log' | 'condition';
    /** Runs alongside the operator to make the verb necessary (e.g. a conflict forces a re-read). */
    provoke?: () => () => void;
    /** Further checks of the failure. */
    check?: (running: RunningOperator) => Promise<void>;
  }
  const noStatus = async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await readPolicy()).status?.summary).toBeUndefined();
  };
  const inWork = `in namespace "${WORK_NS}"`;
  const inOperator = `in namespace "${OPERATOR_NS}"`;
  const cases: Case[] = [
    {
      group: 'carbon-aware.dev',
      resource: 'carboncompliancepolicies',
      verb: 'list',
      expect: `forbidden: cannot list carboncompliancepolicies.carbon-aware.dev ${inWork}`,
      via: 'log',
      check: async (running) => {
        const ready = await waitFor('readyz to say why', () => readyz(running));
        expect(ready.status).toBe(503);
        expect(ready.body).toContain('forbidden: cannot list carboncompliancepolicies.carbon-aware.dev');
        await noStatus();
      },
    },
    {
      group: 'carbon-aware.dev',
      resource: 'carboncompliancepolicies',
      verb: 'watch',
      expect: `forbidden: cannot watch carboncompliancepolicies.carbon-aware.dev ${inWork}`,
      via: 'log',
    },
    {
      group: 'carbon-aware.dev',
      resource: 'carboncompliancepolicies',
      verb: 'get',
      expect: `forbidden: cannot get carboncompliancepolicies.carbon-aware.dev ${inWork}`,
      via: 'log',
      // The reconciler GETs a policy only to re-read it after a 409: keep the cached copy stale.
      provoke: () => {
        let on = true;
        let n = 0;
        const churn = async () => {
          while (on) {
            await admin
              .patch(policyPath(WORK_NS, POLICY), { metadata: { labels: { churn: String(n++) } } })
              .catch(() => undefined);
          }
        };
        void churn();
        void churn();
        return () => {
          on = false;
        };
      },
    },
    {
      group: 'carbon-aware.dev',
      resource: 'carboncompliancepolicies/status',
      verb: 'patch',
      expect: `forbidden: cannot patch carboncompliancepolicies.carbon-aware.dev/status ${inWork}`,
      via: 'log',
      check: async (running) => {
        expect(forbiddenLog(running, 'reconcile failed')).toContain('"reason":"Forbidden"');
        await noStatus();
      },
    },
    {
      group: '',
      resource: 'pods',
      verb: 'list',
      expect: `forbidden: cannot list pods ${inWork}`,
      via: 'condition',
      check: async (running) => {
        const ready = await waitFor('readyz to say why', () => readyz(running));
        expect(ready.body).toContain('forbidden: cannot list pods');
      },
    },
    {
      group: '',
      resource: 'pods',
      verb: 'watch',
      expect: `forbidden: cannot watch pods ${inWork}`,
      via: 'log',
    },
    {
      group: 'apps',
      resource: 'replicasets',
      verb: 'get',
      expect: `forbidden: cannot get replicasets.apps ${inWork}`,
      via: 'condition',
    },
    {
      group: 'batch',
      resource: 'jobs',
      verb: 'get',
      expect: `forbidden: cannot get jobs.batch ${inWork}`,
      via: 'condition',
    },
    {
      group: '',
      resource: 'events',
      verb: 'create',
      expect: `forbidden: cannot create events ${inWork}`,
      via: 'log',
      check: async (running) => {
        // Events are best effort: the status is still written.
        expect(forbiddenLog(running, 'could not record event')).toBeDefined();
        await waitFor(
          'status despite the missing events rule',
          async () => (await readPolicy()).status?.summary,
        );
      },
    },
    {
      group: 'coordination.k8s.io',
      resource: 'leases',
      verb: 'create',
      expect: `forbidden: cannot create leases.coordination.k8s.io ${inOperator}`,
      via: 'log',
      check: async (running) => {
        expect(running.runtime.isLeader()).toBe(false);
        await noStatus();
      },
    },
    {
      group: 'coordination.k8s.io',
      resource: 'leases',
      verb: 'get',
      expect: `forbidden: cannot get leases.coordination.k8s.io ${inOperator}`,
      via: 'log',
      check: async (running) => {
        expect(running.runtime.isLeader()).toBe(false);
        await noStatus();
      },
    },
    {
      group: 'coordination.k8s.io',
      resource: 'leases',
      verb: 'update',
      expect: `forbidden: cannot update leases.coordination.k8s.io ${inOperator}`,
      via: 'log',
      check: async (running) => {
        // It created the Lease, then cannot renew it: it steps down within the renew deadline.
        await waitFor('the leader to step down', () => running.lostLeadership || undefined);
      },
    },
  ];

  it('every verb the chart grants is one the operator uses (the cases cover them all)', () => {
    // Kepler discovery is not used with fixed endpoints; the usage poller's denial shows as
    // UsageAvailable=False/Forbidden (sources/metrics-api-usage.test.ts), not as a failing operator.
    const granted = normalize(
      roles.filter(
        (r) => !r.metadata.name.endsWith('kepler-discovery') && !r.metadata.name.endsWith('usage-metrics'),
      ),
    );
    const covered = cases.map((c) => `${c.group || 'core'}/${c.resource} ${c.verb}`).sort();
    const grantedLines = Object.values(granted)
      .flat()
      .map((line) => line.replace(/\[[^\]]*\]/, ''))
      .sort();
    expect(covered).toEqual(grantedLines);
  });

  it.each(cases.map((c) => [`${c.verb} ${c.group || 'core'}/${c.resource}`, c] as const))(
    'without %s the operator fails and says which rule is missing',
    async (_label, c) => {
      await freshPolicyAndLease();
      const account = `op-no-${c.verb}-${c.resource.replace(/[^a-z]/g, '')}`.slice(0, 60);
      const reduced = roles.map((role) => ({
        ...role,
        rules: role.rules.flatMap((rule) => {
          if (!(rule.apiGroups.includes(c.group) && rule.resources.includes(c.resource))) return [rule];
          const verbs = rule.verbs.filter((v) => v !== c.verb);
          return verbs.length > 0 ? [{ ...rule, verbs }] : [];
        }),
      }));
      const kc = await serviceAccountKubeConfig(account, reduced);
      const stopProvoking = c.provoke?.();
      const running = await startOperator(kc, account);
      operators.push(running);
      try {
        const line = await waitFor(`a log line naming "${c.expect}"`, () => forbiddenLog(running, c.expect));
        expect(line).toContain("check the operator's RBAC");
        if (c.via === 'condition') {
          const ready = await waitFor('Ready=False/Forbidden on the policy', async () => {
            const cond = (await readPolicy()).status?.conditions?.find((x) => x.type === 'Ready');
            return cond?.reason === 'Forbidden' ? cond : undefined;
          });
          expect(ready.status).toBe('False');
          expect(ready.message).toContain(c.expect);
        }
        await c.check?.(running);
      } finally {
        stopProvoking?.();
      }
    },
    60_000,
  );
});
