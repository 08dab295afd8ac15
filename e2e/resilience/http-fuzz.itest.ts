// Fuzzed REST and MCP bodies (fast-check) against a real carbon-mcp process: every answer is a 4xx or a
// well-formed result / JSON-RPC error, never a 5xx, and the process never dies.
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { freeLoopbackPort } from '../../hack/testenv/control-plane.js';
import { kubectlPath, testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import { processMemory, reportFigures } from './support/process-memory.js';
import { createAssessedPolicy, installCrd } from './support/policy-status-fixture.js';
import { SpawnedNodeProcess } from './support/spawned-node-process.js';

const NAMESPACE = 'resilience-fuzz';
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

describe('carbon-mcp with fuzzed bodies', () => {
  let server: SpawnedNodeProcess;
  let base = '';
  let tools: string[] = [];
  let session: string | undefined;
  const statusCounts = new Map<number, number>();

  async function send(path: string, init: RequestInit): Promise<Answer> {
    const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
    const answer = {
      status: response.status,
      body: await response.text(),
      contentType: response.headers.get('content-type') ?? '',
    };
    statusCounts.set(answer.status, (statusCounts.get(answer.status) ?? 0) + 1);
    return answer;
  }

  const mcpHeaders = () => ({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': PROTOCOL_VERSION,
    ...(session ? { 'mcp-session-id': session } : {}),
  });

  beforeAll(async () => {
    installCrd(kubectlPath(), testKubeconfigPath());
    await createAssessedPolicy(testKubeConfig(), NAMESPACE, 'fuzz', ['web-app', 'batch']);
    const port = await freeLoopbackPort();
    base = `http://127.0.0.1:${port}`;
    server = new SpawnedNodeProcess(
      'carbon-mcp',
      'dist/mcp/main.js',
      // Rate limiting (per client address; every test client is 127.0.0.1) is off: this measures capacity.
      ['--http', '--port', String(port), '--host', '127.0.0.1', '--rate-limit', '0'],
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
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: 'fuzz', version: '1' },
        },
      }),
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
    reportFigures('http-fuzz', {
      requests: [...statusCounts.values()].reduce((a, b) => a + b, 0),
      statuses: [...statusCounts.entries()].map(([s, n]) => `${s}:${n}`).join(','),
      peak_rss_MiB: memory?.peakRss_MiB ?? -1,
    });
    await server?.stop();
  });

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
          if (answer.status >= 400 && answer.status !== 404 && answer.status !== 415) {
            // Validation failures name what was wrong.
            expect(answer.body.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(server.alive).toBe(true);
  });

  it('answers fuzzed MCP JSON-RPC with results or JSON-RPC errors, never 5xx', async () => {
    const method = fc.oneof(
      fc.constantFrom('tools/call', 'tools/list', 'resources/read', 'resources/list', 'prompts/get', 'ping'),
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
        },
      ),
      { numRuns: RUNS },
    );
    expect(server.alive).toBe(true);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
