// Fuzzed REST and MCP bodies (fast-check) against a real carbon-mcp process as deployed: rate limit on
// (the defaults), with token auth and with kubernetes auth. Every answer is a 2xx, a 4xx with
// application/problem+json (REST) or a JSON-RPC error (MCP), never a 5xx; resource URIs that try to
// traverse out of their namespace never show another namespace's policy; the process never dies.
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../hack/testenv/control-plane.js';
import { kubectlPath, testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import { processMemory, reportFigures } from '../../hack/testenv/process-memory.js';
import { mcpInitializeBody } from '../../hack/testenv/raw-http.js';
import { installPolicyCrd, policyReaderManifests } from '../../hack/testenv/cluster-fixtures.js';
import { createAssessedPolicy } from '../../hack/testenv/policy-status-fixture.js';
import { SpawnedNodeProcess } from '../../hack/testenv/spawned-node-process.js';

const NAMESPACE = 'resilience-fuzz';
/** A namespace the kubernetes-mode caller may not read: its workload name must never show up. */
const SECRET_NAMESPACE = 'resilience-fuzz-secret';
const SECRET_WORKLOAD = 'secret-ledger';
const AUDIENCE = 'carbon-mcp-fuzz';
const kubectl = (input: string | undefined, ...args: string[]) =>
  execFileSync(kubectlPath(), ['--kubeconfig', testKubeconfigPath(), ...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });

/** Resource URIs that try to leave their namespace or the carbon:// scheme. */
const traversalUri = fc.oneof(
  fc.constantFrom(
    `carbon://policies/${NAMESPACE}/../${SECRET_NAMESPACE}/fuzz`,
    `carbon://policies/${NAMESPACE}/..%2f${SECRET_NAMESPACE}%2ffuzz`,
    `carbon://policies/%2e%2e/${SECRET_NAMESPACE}/fuzz`,
    `carbon://policies/${SECRET_NAMESPACE}/fuzz`,
    `carbon://policies/${SECRET_NAMESPACE}%2ffuzz/x`,
    `carbon://policies/./${SECRET_NAMESPACE}/./fuzz`,
    `carbon://policies//${SECRET_NAMESPACE}//fuzz`,
    `carbon://standards/../../../../etc/passwd`,
    `carbon://grid/..%2f..%2fetc%2fpasswd`,
    'file:///etc/passwd',
    `carbon://policies/${NAMESPACE.toUpperCase()}/../${SECRET_NAMESPACE}/fuzz`,
  ),
  fc
    .tuple(
      fc.constantFrom('..', '%2e%2e', '.%2e', '%2E%2E', '..%2f', '..\\'),
      fc.constantFrom(SECRET_NAMESPACE, `${SECRET_NAMESPACE}/fuzz`, 'etc/passwd'),
    )
    .map(([dots, target]) => `carbon://policies/${NAMESPACE}/${dots}/${target}`),
);
const RUNS = Number(process.env.RESILIENCE_FUZZ_RUNS ?? 150);
const PROTOCOL_VERSION = '2025-06-18';

jest.setTimeout(240_000);

interface Answer {
  status: number;
  body: string;
  contentType: string;
}

/** JSON values that stress validators: huge numbers, deep nesting, prototype keys, odd strings. */
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom(
      '__proto__',
      'constructor',
      '../../etc/passwd',
      'a'.repeat(10_000),
      '\u0000',
      '${jndi:x}',
      '',
    ),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('__proto__', 'constructor', 'workload_name', 'namespace'),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

const toolArguments = fc.oneof(
  hostileJson,
  fc.record(
    {
      workload_name: hostileJson,
      namespace: fc.oneof(hostileJson, fc.constant(NAMESPACE)),
      standard: hostileJson,
      limit: hostileJson,
      cursor: hostileJson,
      region: hostileJson,
      duration_hours: hostileJson,
    },
    { requiredKeys: [] },
  ),
);

beforeAll(async () => {
  installPolicyCrd();
  // Kept from an earlier run against the same control plane: then it is there already.
  const exists = (error: { code?: number }) => {
    if (error.code !== 409) throw error;
  };
  await createAssessedPolicy(testKubeConfig(), NAMESPACE, 'fuzz', ['web-app', 'batch']).catch(exists);
  await createAssessedPolicy(testKubeConfig(), SECRET_NAMESPACE, 'fuzz', [SECRET_WORKLOAD]).catch(exists);
});

describe.each(['token', 'kubernetes'] as const)(
  'carbon-mcp with fuzzed bodies (%s auth, rate limit on)',
  (mode) => {
    let server: SpawnedNodeProcess;
    let base = '';
    let bearer = '';
    const secrets = mkdtempSync(join(tmpdir(), 'carbon-fuzz-'));
    let tools: string[] = [];
    let session: string | undefined;
    const statusCounts = new Map<number, number>();

    async function send(path: string, init: RequestInit): Promise<Answer> {
      const response = await fetch(`${base}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${bearer}` },
        signal: AbortSignal.timeout(10_000),
      });
      const answer = {
        status: response.status,
        body: await response.text(),
        contentType: response.headers.get('content-type') ?? '',
      };
      statusCounts.set(answer.status, (statusCounts.get(answer.status) ?? 0) + 1);
      return answer;
    }

    const mcpHeaders = () => ({
      authorization: `Bearer ${bearer}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL_VERSION,
      ...(session ? { 'mcp-session-id': session } : {}),
    });

    beforeAll(async () => {
      let authArgs: string[];
      if (mode === 'token') {
        bearer = 'fuzz-token-0123456789abcdef';
        writeFileSync(join(secrets, 'token'), bearer);
        authArgs = ['--auth', 'token', '--token-file', join(secrets, 'token')];
      } else {
        // A service account that may read policies in NAMESPACE only, with a token for the server's audience.
        kubectl(
          policyReaderManifests(NAMESPACE, {
            serviceAccount: 'fuzzer',
            role: 'fuzz-reader',
            roleBinding: 'fuzz-reader',
          }),
          'apply',
          '-f',
          '-',
        );
        bearer = kubectl(
          undefined,
          'create',
          'token',
          'fuzzer',
          '-n',
          NAMESPACE,
          '--audience',
          AUDIENCE,
        ).trim();
        authArgs = ['--auth', 'kubernetes', '--audience', AUDIENCE];
      }
      const port = await freeLoopbackPort();
      base = `http://127.0.0.1:${port}`;
      server = new SpawnedNodeProcess(
        'carbon-mcp',
        'dist/mcp/main.js',
        // The rate limit stays at its default (100 requests/s, burst 200, per address): 429s are answers too.
        ['--http', '--port', String(port), '--host', '127.0.0.1', ...authArgs],
        { KUBECONFIG: testKubeconfigPath(), LOG_LEVEL: 'warn' },
      );
      await server.waitForHttp(`${base}/healthz`);
      const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      tools = Object.keys(openapi.paths)
        .filter((p) => p.startsWith('/tools/'))
        .map((p) => p.slice('/tools/'.length));
      const init = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: mcpHeaders(),
        body: mcpInitializeBody('fuzz'),
      });
      expect(init.status).toBe(200);
      session = init.headers.get('mcp-session-id') ?? undefined;
      await init.text();
      await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: mcpHeaders(),
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      }).then((r) => r.text());
    });

    afterAll(async () => {
      const memory = server ? processMemory(server.pid) : undefined;
      reportFigures(`http-fuzz.${mode}`, {
        requests: [...statusCounts.values()].reduce((a, b) => a + b, 0),
        statuses: [...statusCounts.entries()].map(([s, n]) => `${s}:${n}`).join(','),
        peak_rss_MiB: memory?.peakRss_MiB ?? -1,
      });
      await server?.stop();
      rmSync(secrets, { recursive: true, force: true });
    });

    /** A 4xx from a REST route or a guard is RFC 9457 problem details naming its status. */
    function expectProblem(answer: Answer): void {
      expect(answer.contentType).toContain('application/problem+json');
      const problem = JSON.parse(answer.body) as { status: number; title: string; detail: string };
      expect(problem.status).toBe(answer.status);
      expect(problem.title.length).toBeGreaterThan(0);
    }

    it('exposes the tools it will be fuzzed on', () => {
      expect(tools).toEqual(
        expect.arrayContaining(['assess_workload_compliance', 'list_workloads_by_compliance']),
      );
    });

    it('answers fuzzed REST tool bodies with 2xx or 4xx, never 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...tools, 'no_such_tool', '..%2f..%2fetc', 'assess_workload_compliance%00'),
          fc.oneof(
            toolArguments.map((v) => ({ body: JSON.stringify(v), type: 'application/json' })),
            fc.string({ maxLength: 200 }).map((s) => ({ body: s, type: 'application/json' })),
            fc.string({ maxLength: 50 }).map((s) => ({ body: s, type: 'text/plain' })),
            fc.constant({ body: '{"workload_name":', type: 'application/json' }),
            fc.constant({ body: `{"a":${'['.repeat(5000)}`, type: 'application/json' }),
          ),
          async (tool, request) => {
            const answer = await send(`/tools/${tool}`, {
              method: 'POST',
              headers: { 'content-type': request.type },
              body: request.body,
            });
            if (answer.status >= 500)
              throw new Error(
                `${answer.status} for ${tool} ${request.body.slice(0, 200)}: ${answer.body.slice(0, 300)}`,
              );
            expect(answer.status).toBeGreaterThanOrEqual(200);
            if (answer.status >= 400) expectProblem(answer);
          },
        ),
        { numRuns: RUNS },
      );
      expect(server.alive).toBe(true);
    });

    it('answers fuzzed MCP JSON-RPC with results or JSON-RPC errors, never 5xx', async () => {
      const method = fc.oneof(
        fc.constantFrom(
          'tools/call',
          'tools/list',
          'resources/read',
          'resources/list',
          'prompts/get',
          'ping',
        ),
        fc.constantFrom('resources/templates/list', 'completion/complete', 'logging/setLevel', 'initialize'),
        fc.string({ maxLength: 30 }),
      );
      const params = fc.oneof(
        hostileJson,
        fc.record({ name: fc.oneof(fc.constantFrom(...tools), fc.string()), arguments: toolArguments }),
        fc.record({
          uri: fc.oneof(fc.string(), fc.webUrl(), fc.constant('carbon://standards/KR_CARBON_2050')),
        }),
      );
      const message = fc.oneof(
        fc.record({
          jsonrpc: fc.oneof(fc.constant('2.0'), hostileJson),
          id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), hostileJson),
          method,
          params,
        }),
        hostileJson,
        fc.array(fc.record({ jsonrpc: fc.constant('2.0'), id: fc.integer(), method, params }), {
          maxLength: 3,
        }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            message.map((m) => JSON.stringify(m)),
            fc.string({ maxLength: 100 }),
          ),
          async (body) => {
            const answer = await send('/mcp', { method: 'POST', headers: mcpHeaders(), body });
            if (answer.status >= 500)
              throw new Error(`${answer.status} for ${body.slice(0, 200)}: ${answer.body.slice(0, 300)}`);
            if (answer.status === 200 && answer.body.length > 0) {
              // Either SSE events or a JSON body; each carries a JSON-RPC result or error.
              expect(answer.body).toMatch(/"(result|error)"/);
            }
            if (answer.status >= 400) {
              // Our guards (rate limit, auth, body size, JSON syntax) answer problem details; the MCP
              // transport answers a JSON-RPC error.
              if (answer.contentType.includes('application/problem+json')) expectProblem(answer);
              else
                expect(JSON.parse(answer.body)).toMatchObject({
                  jsonrpc: '2.0',
                  error: { code: expect.any(Number) },
                });
            }
          },
        ),
        { numRuns: RUNS },
      );
      expect(server.alive).toBe(true);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });

    it('never serves another namespace or a file through a resource URI that traverses', async () => {
      let read = 0;
      await fc.assert(
        fc.asyncProperty(traversalUri, fc.integer({ min: 1, max: 1_000_000 }), async (uri, id) => {
          const answer = await send('/mcp', {
            method: 'POST',
            headers: mcpHeaders(),
            body: JSON.stringify({ jsonrpc: '2.0', id, method: 'resources/read', params: { uri } }),
          });
          expect(answer.status).toBeLessThan(500);
          expect(answer.body).not.toMatch(/root:.*:0:0:/);
          if (mode === 'kubernetes') expect(answer.body).not.toContain(SECRET_WORKLOAD);
          if (answer.status === 200 && /"result"/.test(answer.body)) read += 1;
        }),
        { numRuns: Math.min(RUNS, 100) },
      );
      // The namespace the caller may read is served through the same route. The fuzz runs with the
      // rate limit on: after a burst the limiter may ask for a second, which is honoured here.
      const readOwn = () =>
        send('/mcp', {
          method: 'POST',
          headers: mcpHeaders(),
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'resources/read',
            params: { uri: `carbon://policies/${NAMESPACE}/fuzz` },
          }),
        });
      let own = await readOwn();
      for (let attempt = 0; own.status === 429 && attempt < 5; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1100));
        own = await readOwn();
      }
      expect(own.body).toContain('web-app');
      process.stderr.write(`RESILIENCE http-fuzz.${mode}.traversal answered_with_result=${read}\n`);
      expect(server.alive).toBe(true);
    });
  },
);
