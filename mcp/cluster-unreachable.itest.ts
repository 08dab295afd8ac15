// The Claude Desktop path when the cluster cannot be read: the spawned bin over stdio with the
// SDK's client, pointed at an API server address where nothing listens (then at a TCP relay to the
// real kube-apiserver started by the test harness), at a missing kubeconfig, and at none at all.
// Every tool that reads policies must answer isError naming the cause, never "0 workloads", and
// recover by itself; `carbon-mcp --check` must say what passes and what to fix.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freeLoopbackPort } from '../hack/testenv/control-plane.js';
import { kubectlPath, testKubeconfigPath } from '../hack/testenv/env.js';
import { toStoredStatus } from '../operator/api/v1alpha1/field-names.js';
import type { CarbonCompliancePolicy } from '../operator/public-api.js';
import { policy } from '../hack/testenv/sample-policies.js';
import { frontEndCommand } from '../hack/testenv/spawned-front-end.js';

const NS = 'mcp-unreachable';
const kubectl = (input: string | undefined, ...args: string[]) =>
  execFileSync(kubectlPath(), ['--kubeconfig', testKubeconfigPath(), ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });

const POLICY_TOOLS: Array<{ name: string; arguments: Record<string, unknown> }> = [
  { name: 'assess_workload_compliance', arguments: { workload_name: 'trainer', namespace: NS } },
  { name: 'compare_optimization_impact', arguments: { workload_name: 'trainer', namespace: NS } },
  { name: 'list_workloads_by_compliance', arguments: {} },
  { name: 'get_regional_comparison', arguments: { workload_name: 'trainer', namespace: NS } },
  {
    name: 'calculate_optimal_schedule',
    arguments: { workload_name: 'trainer', namespace: NS, duration_hours: 2 },
  },
  { name: 'identify_power_hotspots', arguments: {} },
  { name: 'list_top_power_consumers', arguments: {} },
  { name: 'get_power_consumption_summary', arguments: {} },
  {
    name: 'estimate_manifest',
    arguments: {
      manifest:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: app, resources: {requests: {cpu: "1"}}}]\n',
      namespace: NS,
    },
  },
  { name: 'explain_emissions_change', arguments: { namespace: NS } },
];

const text = (r: unknown) =>
  ((r as CallToolResult).content as Array<{ type: string; text?: string }>)
    .map((c) => c.text ?? '')
    .join('\n');

/** A TCP relay from a loopback port to the real API server: "the cluster comes back" (and goes). */
interface Relay {
  /** Cuts every open connection (the server's watch with it) and stops listening. */
  stop(): Promise<void>;
}

function relay(port: number, target: URL): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      sockets.forEach((s) => s.destroy());
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ stop }));
  });
}

async function until(
  call: () => Promise<CallToolResult>,
  done: (r: CallToolResult) => boolean,
  timeout_ms: number,
) {
  const deadline = Date.now() + timeout_ms;
  let result = await call();
  while (!done(result) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    result = await call();
  }
  return result;
}

async function stdioClient(env: Record<string, string>, log: string[]): Promise<Client> {
  const base = { ...(process.env as Record<string, string>) };
  delete base.KUBECONFIG;
  const transport = new StdioClientTransport({
    command: frontEndCommand.command,
    args: frontEndCommand.args,
    env: { ...base, LOG_LEVEL: 'info', ...env },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const client = new Client({ name: 'itest-unreachable', version: '1' });
  await client.connect(transport);
  return client;
}

describe('carbon-mcp when the cluster cannot be read', () => {
  let tmp: string;
  let apiServer: URL;
  let relayPort: number;
  let relayKubeconfig: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'carbon-mcp-unreachable-'));
    kubectl(undefined, 'apply', '-f', 'crds/carbon-aware.dev_carboncompliancepolicies.yaml');
    kubectl(
      undefined,
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/carboncompliancepolicies.carbon-aware.dev',
    );
    kubectl(
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }),
      'apply',
      '-f',
      '-',
    );
    const p: CarbonCompliancePolicy = policy(NS, 'carbon', [
      { workload: 'trainer', namespace: NS, power_watts: 40 },
    ]);
    const { status, ...object } = p;
    kubectl(JSON.stringify({ ...object, spec: { standard: p.spec.standard } }), 'apply', '-f', '-');
    kubectl(
      undefined,
      'patch',
      'carboncompliancepolicy',
      'carbon',
      '-n',
      NS,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: toStoredStatus(status!) }),
    );
    const config = parse(readFileSync(testKubeconfigPath(), 'utf8')) as {
      clusters: Array<{ cluster: { server: string } }>;
    };
    apiServer = new URL(config.clusters[0]!.cluster.server);
    relayPort = await freeLoopbackPort();
    config.clusters[0]!.cluster.server = `https://127.0.0.1:${relayPort}`;
    relayKubeconfig = join(tmp, 'relay-kubeconfig');
    writeFileSync(relayKubeconfig, stringify(config), { mode: 0o600 });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('API server unreachable: every policy tool is isError naming the address and cause; it recovers by itself', async () => {
    const log: string[] = [];
    const client = await stdioClient({ KUBECONFIG: relayKubeconfig }, log);
    let server: Relay | undefined;
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(POLICY_TOOLS.map((t) => t.name).sort());
      for (const call of POLICY_TOOLS) {
        const result = await client.callTool(call);
        expect({ tool: call.name, isError: result.isError }).toEqual({ tool: call.name, isError: true });
        expect(text(result)).toContain(`https://127.0.0.1:${relayPort}`);
        expect(text(result)).toContain('connection refused');
        expect(text(result)).toContain(`KUBECONFIG=${relayKubeconfig}`);
        expect(text(result)).not.toMatch(/No CarbonCompliancePolicy covers|apply a policy/);
      }
      // A what-if that needs no policy still answers.
      const whatIf = await client.callTool({
        name: 'calculate_optimal_schedule',
        arguments: { zone: 'KR', duration_hours: 2 },
      });
      expect(whatIf.isError).toBeFalsy();

      server = await relay(relayPort, apiServer);
      const deadline = Date.now() + 60_000;
      let answer = await client.callTool(POLICY_TOOLS[0]!);
      while (answer.isError && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        answer = await client.callTool(POLICY_TOOLS[0]!);
      }
      expect(answer.isError).toBeFalsy();
      expect((answer.structuredContent as { workload: string }).workload).toBe('trainer');
      const list = await client.callTool({
        name: 'list_workloads_by_compliance',
        arguments: { namespace: NS },
      });
      expect((list.structuredContent as { workloads: unknown[] }).workloads).toHaveLength(1);
      // The informer's start() settles after its list answered the tools: the line follows shortly.
      const logDeadline = Date.now() + 10_000;
      while (!log.join('').includes('policy watch recovered') && Date.now() < logDeadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(log.join('')).toContain('policy watch recovered');
    } finally {
      await client.close();
      await server?.stop();
    }
  });

  test('the API server goes away after a good start: isError naming the cause after the grace, then recovery', async () => {
    let up = await relay(relayPort, apiServer);
    const client = await stdioClient({ KUBECONFIG: relayKubeconfig }, []);
    const assess = () => client.callTool(POLICY_TOOLS[0]!) as Promise<CallToolResult>;
    try {
      expect((await until(assess, (r) => !r.isError, 30_000)).isError).toBeFalsy();
      await up.stop();
      const down = await until(assess, (r) => r.isError === true, 60_000);
      expect(down.isError).toBe(true);
      expect(text(down)).toContain(`https://127.0.0.1:${relayPort}`);
      expect(text(down)).toContain('stale cache');
      up = await relay(relayPort, apiServer);
      const back = await until(assess, (r) => !r.isError, 90_000);
      expect(back.isError).toBeFalsy();
      expect((back.structuredContent as { workload: string }).workload).toBe('trainer');
    } finally {
      await client.close();
      await up.stop();
    }
  });

  test('KUBECONFIG naming a missing file: the server stays up and every tool names the variable and the file', async () => {
    const missing = join(tmp, 'no-such-kubeconfig');
    const client = await stdioClient({ KUBECONFIG: missing }, []);
    try {
      for (const call of POLICY_TOOLS) {
        const result = await client.callTool(call);
        expect(result.isError).toBe(true);
        expect(text(result)).toContain(`KUBECONFIG names ${missing}, which does not exist`);
      }
    } finally {
      await client.close();
    }
  });

  test('no kubeconfig at all: the answer names KUBECONFIG and ~/.kube/config instead of an HTTP/TLS riddle', async () => {
    const home = join(tmp, 'empty-home');
    mkdirSync(home, { recursive: true });
    const client = await stdioClient({ HOME: home, KUBERNETES_SERVICE_HOST: '' }, []);
    try {
      const result = await client.callTool(POLICY_TOOLS[2]!);
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('KUBECONFIG is not set');
      expect(text(result)).toContain(join(home, '.kube', 'config'));
      expect(text(result)).not.toContain('skipTLSVerify');
    } finally {
      await client.close();
    }
  });

  test('--check passes against the real API server and prints the server version and RBAC', async () => {
    const { code, stdout } = await runCheck({ KUBECONFIG: testKubeconfigPath() });
    expect(stdout).toMatch(/^ok {4}kubeconfig: KUBECONFIG=/m);
    expect(stdout).toMatch(/^ok {4}API server: https:\/\/127\.0\.0\.1:\d+ answers: Kubernetes v1\./m);
    expect(stdout).toContain(
      'ok    RBAC: list carboncompliancepolicies.carbon-aware.dev in all namespaces: allowed',
    );
    expect(stdout).toContain(
      'ok    RBAC: watch carboncompliancepolicies.carbon-aware.dev in all namespaces: allowed',
    );
    expect(stdout).toMatch(/^ok {4}CRD: .* is served; \d+ policies visible/m);
    expect(code).toBe(0);
  });

  test('--check fails with the cause: nothing listening, and a service account without RBAC', async () => {
    const unreachable = await runCheck({ KUBECONFIG: relayKubeconfig });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain(
      `FAIL  API server: nothing listens at https://127.0.0.1:${relayPort}`,
    );

    kubectl(undefined, 'create', 'serviceaccount', 'no-rights', '-n', NS);
    const token = kubectl(undefined, 'create', 'token', 'no-rights', '-n', NS).trim();
    const config = parse(readFileSync(testKubeconfigPath(), 'utf8')) as Record<string, unknown>;
    config.users = [{ name: 'admin', user: { token } }];
    const limited = join(tmp, 'no-rights-kubeconfig');
    writeFileSync(limited, stringify(config), { mode: 0o600 });
    const denied = await runCheck({ KUBECONFIG: limited });
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain(
      'FAIL  RBAC: list carboncompliancepolicies.carbon-aware.dev in all namespaces: denied',
    );
    expect(denied.stdout).toContain('Bind a ClusterRole');
  });
});

function runCheck(env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      frontEndCommand.command,
      [...frontEndCommand.args, '--check'],
      { env: { ...process.env, ...env }, encoding: 'utf8' },
      (error, stdout) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}
