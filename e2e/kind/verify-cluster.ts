// e2e assertions against the kind cluster e2e/run.sh set up: the operator (installed by the Helm chart)
// has assessed the sample policies from the simulated Kepler's metrics, one replica holds the Lease, and
// the MCP server behind the chart's NodePort answers with the same numbers, through the MCP SDK client.
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { strict as assert } from 'node:assert';
import { z } from 'zod';
import { fromStoredPolicy } from '../../operator/api/v1alpha1/field-names.js';
import type { CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';

const env = z
  .object({
    E2E_KUBECONFIG: z.string().min(1),
    E2E_RELEASE_NAMESPACE: z.string().min(1),
    E2E_RELEASE: z.string().min(1),
    E2E_MCP_URL: z.string().url(),
    E2E_TIMEOUT_SECONDS: z.coerce.number().positive().default(420),
  })
  .parse(process.env);

const POLICIES = [
  { namespace: 'ai-team', name: 'ml-training', workload: 'ml-training-job' },
  { namespace: 'production', name: 'web-app', workload: 'web-app' },
];

const kc = new KubeConfig();
kc.loadFromFile(env.E2E_KUBECONFIG);
const custom = kc.makeApiClient(CustomObjectsApi);

function log(msg: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ e2e: msg, ...fields }));
}

async function readPolicy(namespace: string, name: string): Promise<CarbonCompliancePolicy> {
  return fromStoredPolicy(
    (await custom.getNamespacedCustomObject({
      group: 'carbon-aware.dev',
      version: 'v1alpha1',
      plural: 'carboncompliancepolicies',
      namespace,
      name,
    })) as CarbonCompliancePolicy,
  );
}

function assessed(policy: CarbonCompliancePolicy): boolean {
  const metrics = policy.status?.conditions?.find((c) => c.type === 'MetricsAvailable');
  const s = policy.status?.summary;
  return metrics?.status === 'True' && !!s && s.status !== 'INSUFFICIENT_DATA' && s.energy_kWh > 0;
}

async function waitForAssessments(): Promise<Map<string, CarbonCompliancePolicy>> {
  const deadline = Date.now() + env.E2E_TIMEOUT_SECONDS * 1000;
  const done = new Map<string, CarbonCompliancePolicy>();
  while (done.size < POLICIES.length) {
    for (const p of POLICIES) {
      if (done.has(p.name)) continue;
      const policy = await readPolicy(p.namespace, p.name).catch(() => undefined);
      if (policy && assessed(policy)) {
        done.set(p.name, policy);
        log('policy assessed', { policy: `${p.namespace}/${p.name}`, summary: policy.status!.summary });
      }
    }
    if (done.size === POLICIES.length) break;
    if (Date.now() > deadline) {
      const states = await Promise.all(
        POLICIES.map((p) => readPolicy(p.namespace, p.name).catch((e) => String(e))),
      );
      throw new Error(
        `policies not assessed within ${env.E2E_TIMEOUT_SECONDS} s: ${JSON.stringify(states, null, 2)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
  return done;
}

async function checkLeader(): Promise<void> {
  const lease = await kc
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: 'carbon-aware-operator', namespace: env.E2E_RELEASE_NAMESPACE });
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({
    namespace: env.E2E_RELEASE_NAMESPACE,
    labelSelector: 'app.kubernetes.io/component=operator',
  });
  const names = pods.items.map((p) => p.metadata!.name!);
  assert.equal(names.length, 2, `expected 2 operator replicas, found ${names.join(', ')}`);
  const holder = lease.spec?.holderIdentity ?? '';
  assert.ok(
    names.some((n) => holder.startsWith(n)),
    `Lease holder "${holder}" is none of the operator pods ${names.join(', ')}`,
  );
  log('leader elected', { holder, replicas: names });
}

async function checkMcp(policies: Map<string, CarbonCompliancePolicy>): Promise<void> {
  const secret = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({
    name: `${env.E2E_RELEASE}-mcp-token`,
    namespace: env.E2E_RELEASE_NAMESPACE,
  });
  const token = Buffer.from(secret.data!.token!, 'base64').toString('utf8');

  // Without the token the server refuses.
  const refused = await fetch(new URL('/mcp', env.E2E_MCP_URL), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(refused.status, 401, `MCP without a bearer token: expected 401, got ${refused.status}`);

  const client = new Client({ name: 'carbon-aware-kepler-e2e', version: '0.1.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', env.E2E_MCP_URL), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  try {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    for (const name of ['assess_workload_compliance', 'list_workloads_by_compliance'])
      assert.ok(tools.includes(name), `MCP tools lack ${name}: ${tools.join(', ')}`);

    const mlPolicy = policies.get('ml-training')!;
    const answer = await client.callTool({
      name: 'assess_workload_compliance',
      arguments: { workload_name: 'ml-training-job', namespace: 'ai-team' },
    });
    assert.ok(!answer.isError, `assess_workload_compliance failed: ${JSON.stringify(answer.content)}`);
    const structured = answer.structuredContent as Record<string, unknown>;
    const inStatus = mlPolicy.status!.workloads!.find((w) => w.workload === 'ml-training-job');
    assert.ok(inStatus, 'ml-training-job is not among the policy status workloads');
    assert.equal(structured.status, inStatus.status, 'MCP and the CR status disagree on compliance');
    log('MCP assess_workload_compliance', { status: structured.status });

    const listed = await client.callTool({ name: 'list_workloads_by_compliance', arguments: {} });
    const counts = (listed.structuredContent as { counts: { total: number } }).counts;
    assert.ok(counts.total >= 2, `list_workloads_by_compliance counted ${counts.total} workloads`);
    log('MCP list_workloads_by_compliance', { counts });
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const policies = await waitForAssessments();
  await checkLeader();
  await checkMcp(policies);
  log('all e2e checks passed');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
