// The front end against a real kube-apiserver: policies with status written through the /status
// subresource, read by the spawned carbon-mcp over stdio and Streamable HTTP (SDK client, MCP
// Inspector CLI, the official conformance suite), REST, and both auth modes.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kubectlPath, testKubeconfigPath } from '../hack/testenv/env.js';
import { installPolicyCrd, kubectl, policyReaderManifests } from '../hack/testenv/cluster-fixtures.js';
import { toStoredStatus } from '../operator/api/v1alpha1/field-names.js';
import type { CarbonCompliancePolicy } from '../operator/public-api.js';
import { policy, temporalShift, withBudgetAndLedger } from '../hack/testenv/sample-policies.js';
import { rawRequest } from '../hack/testenv/raw-http.js';
import {
  frontEndCommand,
  runFrontEndToExit,
  spawnFrontEnd,
  type SpawnedFrontEnd,
} from '../hack/testenv/spawned-front-end.js';

const run = promisify(execFile);
// build/index.js is the MCP Inspector's CLI proper (build/cli.js launches the web inspector).
const INSPECTOR_CLI = 'node_modules/@modelcontextprotocol/inspector-cli/build/index.js';
/** The Inspector CLI against the server's Streamable HTTP endpoint; its JSON answer. */
async function inspectorOverHttp(url: string, args: string[]): Promise<unknown> {
  const { stdout } = await run(
    process.execPath,
    [INSPECTOR_CLI, `${url}/mcp`, '--transport', 'http', ...args],
    {
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout) as unknown;
}
const NS_A = 'mcp-fe-a';
const NS_B = 'mcp-fe-b';
const kubectlIn = (input: string, ...args: string[]) =>
  execFileSync(kubectlPath(), ['--kubeconfig', testKubeconfigPath(), ...args], { encoding: 'utf8', input });

function applyWithStatus(p: CarbonCompliancePolicy): void {
  const { status, ...object } = p;
  kubectlIn(
    JSON.stringify({
      ...object,
      spec: {
        standard: p.spec.standard,
        language: p.spec.language,
        ...(p.spec.budget ? { budget: p.spec.budget } : {}),
      },
    }),
    'apply',
    '-f',
    '-',
  );
  kubectl(
    'patch',
    'carboncompliancepolicy',
    p.metadata.name,
    '-n',
    p.metadata.namespace,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status: toStoredStatus(status!) }),
  );
}

const policyA = () =>
  withBudgetAndLedger(
    policy(NS_A, 'carbon', [
      {
        workload: 'ml-training-job',
        namespace: NS_A,
        power_watts: 57.5,
        kind: 'Job',
        optimizations: [temporalShift(12.5)],
      },
      { workload: 'inference', namespace: NS_A, power_watts: 20, grid: 300, pue: 1.2 },
    ]),
    300,
  );
const policyB = () =>
  policy(NS_B, 'carbon-en', [{ workload: 'api', namespace: NS_B, power_watts: 12 }], { language: 'en' });

const kubeEnv = () => ({ KUBECONFIG: testKubeconfigPath(), LOG_LEVEL: 'info' });
const structured = (r: unknown) => (r as { structuredContent: Record<string, unknown> }).structuredContent;

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeout_ms = 20_000): Promise<T> {
  const deadline = Date.now() + timeout_ms;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    last = await probe();
  }
  return last;
}

describe('carbon-mcp against a real API server', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'carbon-mcp-itest-'));
    installPolicyCrd();
    for (const ns of [NS_A, NS_B])
      kubectlIn(
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
        'apply',
        '-f',
        '-',
      );
    applyWithStatus(policyA());
    applyWithStatus(policyB());
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('stdio: the SDK client calls assess_workload_compliance on the spawned bin, logs stay off stdout', async () => {
    const transport = new StdioClientTransport({
      command: frontEndCommand.command,
      args: frontEndCommand.args,
      env: { ...(process.env as Record<string, string>), ...kubeEnv(), LOG_LEVEL: 'info' },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'itest', version: '1' });
    await client.connect(transport);
    try {
      const result = await waitFor(
        () =>
          client.callTool({
            name: 'assess_workload_compliance',
            arguments: { workload_name: 'ml-training-job', namespace: NS_A },
          }),
        (r) => !r.isError,
      );
      expect(structured(result)).toMatchObject({
        status: 'NON_COMPLIANT',
        kind: 'Job',
        policy: { namespace: NS_A, name: 'carbon' },
      });
      expect(structured(result).current_carbon_intensity_gCO2eq_kWh).toBeCloseTo(510.12, 2);
      const missing = await client.callTool({
        name: 'assess_workload_compliance',
        arguments: { workload_name: 'ghost', namespace: NS_A },
      });
      expect(missing.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  describe('over HTTP without auth (loopback)', () => {
    let server: SpawnedFrontEnd;
    beforeAll(async () => {
      server = await spawnFrontEnd([], kubeEnv());
      await waitFor(
        () => rawRequest(server.port, { path: '/readyz' }),
        (r) => r.status === 200,
      );
    });
    afterAll(() => server?.stop());

    test('the SDK Streamable HTTP client lists and calls tools; the watch picks up a status change', async () => {
      const client = new Client({ name: 'itest', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
      try {
        const { tools } = await client.listTools();
        expect(tools.length).toBeGreaterThanOrEqual(6);
        const list = await client.callTool({
          name: 'list_workloads_by_compliance',
          arguments: { namespace: NS_A },
        });
        expect((structured(list).workloads as unknown[]).length).toBe(2);
        await expect(
          client.callTool({ name: 'list_workloads_by_compliance', arguments: { status: 'MAYBE' } }),
        ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('status') });

        const changed = policyA();
        changed.status!.workloads![0]!.status = 'COMPLIANT';
        kubectl(
          'patch',
          'carboncompliancepolicy',
          'carbon',
          '-n',
          NS_A,
          '--subresource=status',
          '--type=merge',
          '-p',
          JSON.stringify({ status: toStoredStatus(changed.status!) }),
        );
        const after = await waitFor(
          () =>
            client.callTool({
              name: 'assess_workload_compliance',
              arguments: { workload_name: 'ml-training-job', namespace: NS_A },
            }),
          (r) => structured(r)?.status === 'COMPLIANT',
        );
        expect(structured(after).status).toBe('COMPLIANT');
        applyWithStatus(policyA());
      } finally {
        await client.close();
      }
    });

    test('REST answers with the same structure; bad input is 400 naming the field; unknown tool 404', async () => {
      const ok = await fetch(`${server.url}/tools/assess_workload_compliance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workload_name: 'api', namespace: NS_B }),
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({
        workload: 'api',
        status: 'NON_COMPLIANT',
        policy: { name: 'carbon-en' },
      });
      const bad = await fetch(`${server.url}/tools/assess_workload_compliance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workload_name: 'api' }),
      });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(await bad.json()).toMatchObject({ field: 'namespace' });
      const unknown = await fetch(`${server.url}/tools/delete_everything`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(unknown.status).toBe(404);
      const big = await fetch(`${server.url}/tools/assess_workload_compliance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workload_name: 'x'.repeat(100_000), namespace: NS_A }),
      });
      expect(big.status).toBe(413);
    });

    test('forged Host or Origin is refused with 403', async () => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      expect(
        (
          await rawRequest(server.port, {
            method: 'POST',
            path: '/mcp',
            body,
            headers: { ...headers, host: 'evil.example.com' },
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await rawRequest(server.port, {
            method: 'POST',
            path: '/mcp',
            body,
            headers: { ...headers, origin: 'http://evil.example.com' },
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await rawRequest(server.port, {
            method: 'POST',
            path: '/tools/get_power_consumption_summary',
            body: '{}',
            headers: { ...headers, host: 'evil.example.com:80' },
          })
        ).status,
      ).toBe(403);
    });

    test('the MCP Inspector CLI calls a tool over HTTP and over stdio', async () => {
      const toolArgs = [
        '--method',
        'tools/call',
        '--tool-name',
        'assess_workload_compliance',
        '--tool-arg',
        'workload_name=inference',
        `namespace=${NS_A}`,
      ];
      expect(await inspectorOverHttp(server.url, toolArgs)).toMatchObject({
        structuredContent: { workload: 'inference', status: 'COMPLIANT' },
      });
      // The stdio child gets only a default environment, so KUBECONFIG is passed through env(1).
      // The target goes first and must not contain options (commander would take them), hence the tsx bin.
      const target = ['env', `KUBECONFIG=${testKubeconfigPath()}`, 'node_modules/.bin/tsx', 'mcp/main.ts'];
      const stdio = await run(
        process.execPath,
        [INSPECTOR_CLI, ...target, '--transport', 'stdio', ...toolArgs],
        {
          timeout: 90_000,
        },
      );
      expect(JSON.parse(stdio.stdout)).toMatchObject({
        structuredContent: { workload: 'inference', status: 'COMPLIANT' },
      });
    });

    test('estimate_manifest answers over REST and through the MCP Inspector CLI', async () => {
      const manifest =
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  template:\n    spec:\n' +
        '      containers: [{name: app, image: app, resources: {requests: {cpu: "1"}}}]\n';
      const rest = await fetch(`${server.url}/tools/estimate_manifest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ manifest, namespace: NS_A }),
      });
      expect(rest.status).toBe(200);
      const body = (await rest.json()) as Record<string, any>;
      expect(body).toMatchObject({
        workload: { kind: 'Deployment', name: 'api', pods: 2 },
        hours_per_month: 720,
      });
      expect(['measured', 'estimated']).toContain(body.power_basis);
      // A duplicate key is a 400 naming the field.
      const bad = await fetch(`${server.url}/tools/estimate_manifest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ manifest: `${manifest}kind: Job\n`, namespace: NS_A }),
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { field?: string }).field).toBe('manifest');

      const http = await inspectorOverHttp(server.url, [
        '--method',
        'tools/call',
        '--tool-name',
        'estimate_manifest',
        '--tool-arg',
        `manifest=${manifest}`,
        `namespace=${NS_A}`,
      ]);
      expect(http).toMatchObject({
        structuredContent: { workload: { kind: 'Deployment', name: 'api' }, energy_kWh: body.energy_kWh },
      });
    });

    test('explain_emissions_change and the budget through the real API server: Inspector CLI, REST, tools/list schema', async () => {
      const listed = await inspectorOverHttp(server.url, ['--method', 'tools/list']);
      const tool = (
        listed as {
          tools: Array<{
            name: string;
            inputSchema: { required?: string[] };
            outputSchema?: { properties?: object };
          }>;
        }
      ).tools.find((t) => t.name === 'explain_emissions_change');
      expect(tool?.inputSchema.required).toEqual(['namespace']);
      expect(Object.keys(tool?.outputSchema?.properties ?? {})).toEqual(
        expect.arrayContaining([
          'from',
          'to',
          'change_kgCO2eq',
          'effects_kgCO2eq',
          'policy',
          'available_months',
        ]),
      );
      const called = await inspectorOverHttp(server.url, [
        '--method',
        'tools/call',
        '--tool-name',
        'explain_emissions_change',
        '--tool-arg',
        `namespace=${NS_A}`,
        'policy_name=carbon',
        'from_month=2026-10',
        'to_month=2026-11',
      ]);
      // The ledger went through the CRD's schema (status subresource) and came back whole.
      const answer = called as {
        structuredContent: { change_kgCO2eq: number; effects_kgCO2eq: Record<string, number> };
      };
      expect(answer.structuredContent.change_kgCO2eq).toBeCloseTo(-28.8, 6);
      const effects = Object.values(answer.structuredContent.effects_kgCO2eq);
      expect(effects.reduce((a, b) => a + b, 0)).toBeCloseTo(-28.8, 3);
      const rest = await fetch(`${server.url}/tools/assess_workload_compliance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workload_name: 'inference', namespace: NS_A }),
      });
      expect(await rest.json()).toMatchObject({
        policy: { budget: { month: '2026-12', budget_kgCO2eq: 300, monthToDate_kgCO2eq: 144 } },
      });
    });

    test('the official conformance suite passes the scenarios a product server can pass', async () => {
      const required = [
        'server-initialize',
        'ping',
        'tools-list',
        'resources-list',
        'prompts-list',
        'logging-set-level',
        'dns-rebinding-protection',
        'completion-complete',
        'server-sse-multiple-streams',
      ];
      for (const scenario of required) {
        const result = await run(
          'node_modules/.bin/conformance',
          ['server', '--url', `${server.url}/mcp`, '--scenario', scenario],
          {
            timeout: 60_000,
            cwd: process.cwd(),
          },
        ).catch((error: { stdout?: string; code?: number }) => ({
          stdout: error.stdout ?? '',
          code: error.code,
        }));
        expect({ scenario, passed: /0 failed/.test(result.stdout) }).toEqual({ scenario, passed: true });
      }
    });
  });

  describe('token auth mode', () => {
    let server: SpawnedFrontEnd;
    const token = 'test-token-0123456789abcdef';
    beforeAll(async () => {
      const tokenFile = join(tmp, 'token');
      writeFileSync(tokenFile, `${token}\n`);
      server = await spawnFrontEnd(['--auth', 'token', '--token-file', tokenFile], kubeEnv());
    });
    afterAll(() => server?.stop());

    test('missing or wrong token is 401; the right one answers, over REST and MCP', async () => {
      const call = (headers: Record<string, string>) =>
        fetch(`${server.url}/tools/get_power_consumption_summary`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: '{}',
        });
      const none = await call({});
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      expect((await call({ authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
      const ok = await waitFor(
        () => call({ authorization: `Bearer ${token}` }),
        (r) => r.status === 200,
      );
      expect(ok.status).toBe(200);

      const anonymous = new Client({ name: 'itest', version: '1' });
      await expect(
        anonymous.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`))),
      ).rejects.toThrow();
      const client = new Client({ name: 'itest', version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      const err = await client
        .callTool({
          name: 'assess_workload_compliance',
          arguments: { workload_name: 'UPPER', namespace: NS_A },
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(McpError);
      expect(err).toMatchObject({ code: -32602, message: expect.stringContaining('workload_name') });
      await client.close();
    });
  });

  test('refuses to listen on a non-loopback address without auth', async () => {
    const result = await runFrontEndToExit(['--http', '--host', '0.0.0.0', '--port', '0'], kubeEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refusing to listen on 0.0.0.0 without authentication');
  });

  describe('kubernetes auth mode', () => {
    let server: SpawnedFrontEnd;
    const AUDIENCE = 'carbon-mcp-itest';
    let viewerToken: string;
    /** The same service account's token for the API server's own audience. */
    let generalToken: string;
    beforeAll(async () => {
      kubectlIn(
        policyReaderManifests(NS_A, {
          serviceAccount: 'viewer',
          role: 'ccp-reader',
          roleBinding: 'viewer-reads-ccp',
        }),
        'apply',
        '-f',
        '-',
      );
      viewerToken = kubectl('create', 'token', 'viewer', '-n', NS_A, '--audience', AUDIENCE).trim();
      generalToken = kubectl('create', 'token', 'viewer', '-n', NS_A).trim();
      server = await spawnFrontEnd(['--auth', 'kubernetes', '--audience', AUDIENCE], kubeEnv());
    });
    afterAll(() => server?.stop());

    test('a service-account token sees only namespaces where it may get policies', async () => {
      const call = (tool: string, body: unknown, tokenValue = viewerToken) =>
        fetch(`${server.url}/tools/${tool}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenValue}` },
          body: JSON.stringify(body),
        });
      const list = await waitFor(
        () => call('list_workloads_by_compliance', {}),
        (r) => r.status === 200,
      );
      const body = (await list.json()) as { workloads: Array<{ namespace: string }> };
      expect(new Set(body.workloads.map((w) => w.namespace))).toEqual(new Set([NS_A]));
      expect(
        (await call('assess_workload_compliance', { workload_name: 'api', namespace: NS_B })).status,
      ).toBe(404);
      expect((await call('list_workloads_by_compliance', {}, 'not-a-kubernetes-token')).status).toBe(401);
    });

    test('--stateless: one server answers every caller, each with only its own namespaces, concurrently', async () => {
      kubectlIn(
        [
          { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'all-viewer', namespace: NS_A } },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRole',
            metadata: { name: 'mcp-fe-ccp-reader' },
            rules: [
              {
                apiGroups: ['carbon-aware.dev'],
                resources: ['carboncompliancepolicies'],
                verbs: ['get', 'list'],
              },
            ],
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: { name: 'mcp-fe-all-viewer' },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'ClusterRole',
              name: 'mcp-fe-ccp-reader',
            },
            subjects: [{ kind: 'ServiceAccount', name: 'all-viewer', namespace: NS_A }],
          },
        ]
          .map((o) => JSON.stringify(o))
          .join('\n'),
        'apply',
        '-f',
        '-',
      );
      const allToken = kubectl('create', 'token', 'all-viewer', '-n', NS_A, '--audience', AUDIENCE).trim();
      const stateless = await spawnFrontEnd(
        ['--auth', 'kubernetes', '--audience', AUDIENCE, '--stateless'],
        kubeEnv(),
      );
      try {
        const connect = async (bearer: string) => {
          const client = new Client({ name: 'itest', version: '1' });
          const transport = new StreamableHTTPClientTransport(new URL(`${stateless.url}/mcp`), {
            requestInit: { headers: { authorization: `Bearer ${bearer}` } },
          });
          await client.connect(transport);
          expect(transport.sessionId).toBeUndefined();
          return client;
        };
        const [viewer, all] = await Promise.all([connect(viewerToken), connect(allToken)]);
        const namespaces = async (client: Client) => {
          const result = await client.callTool({ name: 'list_workloads_by_compliance', arguments: {} });
          // Other test files share the API server: only this file's namespaces are compared.
          const ours = new Set([NS_A, NS_B]);
          return [
            ...new Set(
              (structured(result).workloads as Array<{ namespace: string }>)
                .map((w) => w.namespace)
                .filter((namespace) => ours.has(namespace)),
            ),
          ].sort();
        };
        await waitFor(
          () => namespaces(all),
          (seen) => seen.length === 2,
        );
        // Both callers at once, several times each: the ids of their requests collide (each SDK
        // client counts from 0) and the one server must keep both the answers and the auth apart.
        const seen = await Promise.all(
          Array.from({ length: 6 }, (_, i) => namespaces(i % 2 === 0 ? viewer : all)),
        );
        seen.forEach((namespacesSeen, i) =>
          expect(namespacesSeen).toEqual(i % 2 === 0 ? [NS_A] : [NS_A, NS_B].sort()),
        );
        await Promise.all([viewer.close(), all.close()]);
      } finally {
        await stateless.stop();
      }
    });

    test("a valid token issued for another audience (the API server's) is refused: no token passthrough", async () => {
      const response = await fetch(`${server.url}/tools/list_workloads_by_compliance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${generalToken}` },
        body: '{}',
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
    });

    test('kubernetes auth without an audience does not start', async () => {
      const result = await runFrontEndToExit(['--http', '--port', '0', '--auth', 'kubernetes'], kubeEnv());
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--auth kubernetes needs --audience');
    });
  });
});
