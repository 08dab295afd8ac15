// 200 concurrent clients for 30 s against a real carbon-mcp process reading a real API server:
// 100 REST clients (POST /tools/…) and 100 MCP clients, each with its own Streamable HTTP session
// lifecycle (initialize → initialized → tools/call × 8 → DELETE). With a client timeout of 5 s:
// no errors, every connection's first answer (p99 over the 200) within 1 s, bounded memory, and p99 ≤ 250 ms
// per kind. These 200 clients never pause, so every request waits for about 200 others and p99 follows the
// CPU time per request and whatever else the machine runs: the p99 target is asserted when the machine was
// not already busy before the run (1-minute load average below the number of cores; otherwise its TARGET line
// says it was not assessed). The server's CPU time per request (server_cpu_us_per_request, from /proc)
// compares runs on a busy machine: 1,050 µs before answers were reused and tool calls skipped Express, 353–433
// µs after (docs/benchmarks.md § 3).
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { freeLoopbackPort } from '../../hack/testenv/control-plane.js';
import { testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import { processMemory, reportFigures } from '../../hack/testenv/process-memory.js';
import { mcpInitializeBody } from '../../hack/testenv/raw-http.js';
import { installPolicyCrd } from '../../hack/testenv/cluster-fixtures.js';
import { createAssessedPolicy } from '../../hack/testenv/policy-status-fixture.js';
import { SpawnedNodeProcess } from '../../hack/testenv/spawned-node-process.js';

const DURATION_S = Number(process.env.RESILIENCE_LOAD_SECONDS ?? 30);
const NAMESPACE = 'resilience-load';
const WORKLOADS = Array.from({ length: 40 }, (_, i) => `service-${i}`);
const PEAK_RSS_LIMIT_MiB = 400;
const PROTOCOL_VERSION = '2025-06-18';
const CONNECTIONS_PER_KIND = 100;
// The figures the README promises (issue 11 item 9); p99 is asserted on a machine not already busy. autocannon starts a request's clock
// when it writes it, before the server has accepted the connection, so the client timeout and the
// first-answer time both include the wait to be accepted.
const CLIENT_TIMEOUT_S = 5;
const P99_LIMIT_MS = 250;
const FIRST_ANSWER_P99_LIMIT_MS = 1000;
const MINIMAL_NODE_SECONDS = 10;

/** When each connection got its first answer (ms after `startedAt`): includes the wait to be accepted. */
function firstAnswers(instance: autocannon.Instance, startedAt: number): Map<object, number> {
  const at = new Map<object, number>();
  instance.on('response', (client: object) => {
    if (!at.has(client)) at.set(client, Date.now() - startedAt);
  });
  return at;
}

/**
 * The same 200 connections and client timeout against the smallest Node HTTP server
 * (support/minimal-node-http-server.ts, its own process), right after carbon-mcp's run: what Node's
 * accept path and this machine allow with no application work. Printed beside ours, not asserted.
 */
async function minimalNodeUnderSameLoad(seconds: number): Promise<Record<string, number>> {
  const port = await freeLoopbackPort();
  const minimal = new SpawnedNodeProcess(
    'minimal-node-http',
    'hack/testenv/minimal-node-http-server.ts',
    [String(port)],
    { NODE_OPTIONS: '--import tsx' },
  );
  try {
    await minimal.waitForHttp(`http://127.0.0.1:${port}/`);
    const startedAt = Date.now();
    const instance = autocannon({
      url: `http://127.0.0.1:${port}/tools/assess_workload_compliance`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workload_name: 'service-0', namespace: NAMESPACE }),
      connections: 2 * CONNECTIONS_PER_KIND,
      duration: seconds,
      timeout: CLIENT_TIMEOUT_S,
    });
    const first = firstAnswers(instance as unknown as autocannon.Instance, startedAt);
    const result = await instance;
    return {
      node_minimal_rps: Math.round(result.requests.average),
      node_minimal_p99_ms: result.latency.p99,
      node_minimal_first_answer_p99_ms: percentile([...first.values()], 99),
      node_minimal_errors: result.errors + result.timeouts + result.non2xx,
    };
  } finally {
    await minimal.stop();
  }
}

const CLOCK_TICKS_PER_S = 100;

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (Linux). */
function processCpu_ms(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at the last ')'; utime and stime are
  // the 14th and 15th fields of the line, in clock ticks (100 per second on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

/** The p-th percentile (nearest rank) of some values. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

jest.setTimeout((DURATION_S + MINIMAL_NODE_SECONDS + 90) * 1000);

describe('carbon-mcp under 200 concurrent clients', () => {
  let server: SpawnedNodeProcess;
  let base = '';

  beforeAll(async () => {
    installPolicyCrd();
    await createAssessedPolicy(testKubeConfig(), NAMESPACE, 'load', WORKLOADS);
    const port = await freeLoopbackPort();
    base = `http://127.0.0.1:${port}`;
    server = new SpawnedNodeProcess(
      'carbon-mcp',
      'dist/mcp/main.js',
      // Rate limiting (per client address; every test client is 127.0.0.1) is off: this measures capacity.
      ['--http', '--port', String(port), '--host', '127.0.0.1', '--rate-limit', '0'],
      // The V8 heap limit the chart sets (values mcp.maxHeapMiB): memory is measured as deployed.
      {
        KUBECONFIG: testKubeconfigPath(),
        LOG_LEVEL: 'warn',
        NODE_OPTIONS: '--max-old-space-size=192 --max-semi-space-size=4',
      },
    );
    await server.waitForHttp(`${base}/healthz`);
    // Wait until the policy is visible through the server's watch.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await fetch(`${base}/tools/assess_workload_compliance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workload_name: 'service-0', namespace: NAMESPACE }),
      });
      if (response.status === 200) break;
      if (Date.now() > deadline)
        throw new Error(`policy never visible: ${response.status} ${await response.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers every request without errors and stays within its memory bound', async () => {
    let wrongAnswers = 0;
    const wrong: string[] = [];
    const countWrong = (what: string, body: string) => {
      wrongAnswers += 1;
      if (wrong.length < 5) wrong.push(`${what}: ${body.slice(0, 300)}`);
    };
    const restBody = (i: number) =>
      JSON.stringify({ workload_name: `service-${i % WORKLOADS.length}`, namespace: NAMESPACE });
    // Whether the machine was already busy (other tests' processes) before these clients start.
    const loadBefore = loadavg()[0]!;
    const quietBefore = loadBefore < availableParallelism();
    const startedAt = Date.now();
    const rest = autocannon({
      url: base,
      connections: CONNECTIONS_PER_KIND,
      duration: DURATION_S,
      timeout: CLIENT_TIMEOUT_S,
      requests: [
        {
          method: 'POST',
          path: '/tools/assess_workload_compliance',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request, context) => {
            const c = context as Record<string, unknown>;
            const n = ((c.n as number | undefined) ?? 0) + 1;
            c.n = n;
            return { ...request, body: restBody(n) };
          },
          onResponse: (status, body) => {
            if (status !== 200 || !body.includes('"status"')) countWrong(`REST ${status}`, body);
          },
        },
        {
          method: 'POST',
          path: '/tools/list_workloads_by_compliance',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ namespace: NAMESPACE }),
          onResponse: (status, body) => {
            if (status !== 200) countWrong(`REST list ${status}`, body);
          },
        },
      ],
    });

    const mcpHeaders = (context: object) => ({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL_VERSION,
      ...(typeof (context as Record<string, unknown>).session === 'string'
        ? { 'mcp-session-id': (context as Record<string, string>).session }
        : {}),
    });
    const toolCall = (id: number) => ({
      method: 'POST' as const,
      path: '/mcp',
      setupRequest: (request: autocannon.Request, context: object) => ({
        ...request,
        headers: mcpHeaders(context),
        body: JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: {
            name: 'assess_workload_compliance',
            arguments: { workload_name: `service-${id % WORKLOADS.length}`, namespace: NAMESPACE },
          },
        }),
      }),
      onResponse: (status: number, body: string) => {
        if (status !== 200 || !body.includes('"result"') || body.includes('"isError":true')) {
          countWrong(`MCP tools/call ${status}`, body);
        }
      },
    });
    const mcp = autocannon({
      url: base,
      connections: CONNECTIONS_PER_KIND,
      duration: DURATION_S,
      timeout: CLIENT_TIMEOUT_S,
      requests: [
        {
          method: 'POST',
          path: '/mcp',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: mcpInitializeBody('load'),
          onResponse: (status, body, context, headers) => {
            if (status !== 200) countWrong(`MCP initialize ${status}`, body);
            const session = headers?.['mcp-session-id'];
            if (typeof session === 'string') (context as Record<string, unknown>).session = session;
          },
        },
        {
          method: 'POST',
          path: '/mcp',
          setupRequest: (request, context) => ({
            ...request,
            headers: mcpHeaders(context),
            body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
          }),
          onResponse: (status, body) => {
            if (status !== 202 && status !== 200) countWrong(`MCP initialized ${status}`, body);
          },
        },
        ...Array.from({ length: 8 }, (_, i) => toolCall(i + 1)),
        {
          method: 'DELETE',
          path: '/mcp',
          // A stateless server has no session to end: ask for the tool list instead.
          setupRequest: (request, context) =>
            typeof (context as Record<string, unknown>).session === 'string'
              ? { ...request, headers: mcpHeaders(context) }
              : {
                  ...request,
                  method: 'POST',
                  headers: mcpHeaders(context),
                  body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list' }),
                },
          onResponse: (status, body) => {
            if (status >= 300) countWrong(`MCP session end ${status}`, body);
          },
        },
      ],
    });

    // Without a callback autocannon returns its Instance made thenable; the types only show the promise.
    const restFirst = firstAnswers(rest as unknown as autocannon.Instance, startedAt);
    const mcpFirst = firstAnswers(mcp as unknown as autocannon.Instance, startedAt);

    const cpuBefore_ms = processCpu_ms(server.pid);
    let maxRss = 0;
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, processMemory(server.pid).rss_MiB);
    }, 500);
    const [restResult, mcpResult] = await Promise.all([rest, mcp]);
    clearInterval(sampler);
    const serverCpu_ms = processCpu_ms(server.pid) - cpuBefore_ms;
    const memory = processMemory(server.pid);
    const loadAverage = loadavg()[0]!.toFixed(2);
    const minimal = await minimalNodeUnderSameLoad(MINIMAL_NODE_SECONDS);

    const firstAnswerP99 = percentile([...restFirst.values(), ...mcpFirst.values()], 99);
    const figures = {
      seconds: DURATION_S,
      clients: 200,
      rest_requests: restResult.requests.total,
      rest_rps: restResult.requests.average,
      rest_p99_ms: restResult.latency.p99,
      mcp_requests: mcpResult.requests.total,
      mcp_rps: mcpResult.requests.average,
      mcp_p99_ms: mcpResult.latency.p99,
      rest_errors: restResult.errors,
      rest_timeouts: restResult.timeouts,
      mcp_errors: mcpResult.errors,
      mcp_timeouts: mcpResult.timeouts,
      errors: restResult.errors + mcpResult.errors,
      timeouts: restResult.timeouts + mcpResult.timeouts,
      non2xx: restResult.non2xx + mcpResult.non2xx,
      wrong_answers: wrongAnswers,
      rest_connections_answered: restFirst.size,
      mcp_connections_answered: mcpFirst.size,
      first_answer_p99_ms: firstAnswerP99,
      rest_first_answer_max_ms: Math.max(0, ...restFirst.values()),
      mcp_first_answer_max_ms: Math.max(0, ...mcpFirst.values()),
      server_cpu_s: serverCpu_ms / 1000,
      server_cpu_us_per_request:
        (serverCpu_ms * 1000) / (restResult.requests.total + mcpResult.requests.total),
      load_average_1m: loadAverage,
      load_average_1m_before: Number(loadBefore.toFixed(2)),
      ...minimal,
      peak_rss_MiB: memory.peakRss_MiB,
      sampled_max_rss_MiB: maxRss,
    };
    reportFigures('mcp-load', figures);

    expect(wrong).toEqual([]);
    expect(wrongAnswers).toBe(0);
    expect(restResult.errors + restResult.timeouts + restResult.non2xx).toBe(0);
    expect(mcpResult.errors + mcpResult.timeouts + mcpResult.non2xx).toBe(0);
    expect(restFirst.size).toBe(CONNECTIONS_PER_KIND);
    expect(mcpFirst.size).toBe(CONNECTIONS_PER_KIND);
    expect(restResult.requests.total).toBeGreaterThan(DURATION_S * 10);
    expect(mcpResult.requests.total).toBeGreaterThan(DURATION_S * 10);
    for (const [kind, p99] of [
      ['rest', restResult.latency.p99],
      ['mcp', mcpResult.latency.p99],
    ] as const) {
      const verdict = !quietBefore
        ? `not assessed: load average ${loadBefore.toFixed(2)} before the run, ${availableParallelism()} cores`
        : p99 <= P99_LIMIT_MS
          ? 'met'
          : 'NOT MET';
      process.stderr.write(`TARGET mcp-load ${kind}_p99_ms ${p99} target <= ${P99_LIMIT_MS}: ${verdict}\n`);
      if (quietBefore) expect(p99).toBeLessThanOrEqual(P99_LIMIT_MS);
    }
    expect(firstAnswerP99).toBeLessThanOrEqual(FIRST_ANSWER_P99_LIMIT_MS);
    expect(memory.peakRss_MiB).toBeLessThan(PEAK_RSS_LIMIT_MiB);
    expect(server.alive).toBe(true);
    // Still healthy after the storm.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
