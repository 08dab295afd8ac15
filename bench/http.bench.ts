// HTTP front-end benchmark: autocannon on loopback against a spawned carbon-mcp whose policy cache
// is filled from a status file (the in-memory source: no apiserver, so only the front end is timed).
// Prints `BENCH rest_rps`, `BENCH rest_p99_ms`, `BENCH mcp_http_p99_ms` and
// `BENCH mcp_rss_mb_1k_workloads` (peak resident memory, MiB, of the server answering for 1,000
// workloads through both runs: VmHWM from /proc). The server is the built bin (dist/mcp/main.js,
// which `make bench` builds) with the V8 limits the Helm chart sets, so that the figure is the
// deployed product's, not the TypeScript loader's.
// Targets on 2 cores: >= 2000 rps, p99 <= 20 ms, peak RSS <= 128 MiB.
// Beside ours, in the same run and under the same MCP load, the smallest server the official SDK
// makes (bench/support/sdk-minimal-mcp-server.ts: the SDK's own Streamable HTTP transport and one
// tool returning our answer verbatim): `BENCH sdk_minimal_mcp_http_rps`,
// `BENCH sdk_minimal_mcp_http_p99_ms` and `RATIO mcp_http_rps_vs_sdk_minimal`, so that the share of
// the MCP path that the SDK itself costs is measured, not guessed. The load average is printed with
// the figures: other processes on the machine move every latency figure.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { policy, temporalShift } from '../hack/testenv/sample-policies.js';
import { frontEndCommand, spawnFrontEnd } from '../hack/testenv/spawned-front-end.js';
import { processMemory } from '../hack/testenv/process-memory.js';
import { mcpInitializeBody } from '../hack/testenv/raw-http.js';
import type autocannon from 'autocannon';
import { cannon } from './support/autocannon-run.js';
import { chartV8Flags } from './support/chart-v8-flags.js';

const NAMESPACES = 50;
const WORKLOADS_PER_NAMESPACE = 20;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 10;

function clusterStatus() {
  return Array.from({ length: NAMESPACES }, (_, n) =>
    policy(
      `team-${n}`,
      'carbon',
      Array.from({ length: WORKLOADS_PER_NAMESPACE }, (_, w) => ({
        workload: `app-${w}`,
        namespace: `team-${n}`,
        power_watts: 5 + ((n * 31 + w * 17) % 90),
        grid: 300 + ((n + w) % 5) * 40,
        optimizations: [temporalShift(10 + (w % 10))],
      })),
      { language: n % 2 === 0 ? 'ko' : 'en' },
    ),
  );
}

const MCP_CALL = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: {
    name: 'assess_workload_compliance',
    arguments: { workload_name: 'app-7', namespace: 'team-12' },
  },
});

/** The JSON-RPC message in an answer that is either application/json or one SSE event. */
function jsonRpcAnswer(contentType: string | null, text: string): { result?: unknown } {
  if (contentType?.startsWith('text/event-stream')) {
    const data = text.split('\n').find((line) => line.startsWith('data: ') && line.includes('"result"'));
    if (!data) throw new Error(`no result in the SSE answer: ${text.slice(0, 300)}`);
    return JSON.parse(data.slice('data: '.length)) as { result?: unknown };
  }
  return JSON.parse(text) as { result?: unknown };
}

/** One session, a warm-up, then the measured run of tools/call on it. */
async function measureMcp(url: string): Promise<{ result: autocannon.Result; answer: unknown }> {
  const session = await mcpSession(url);
  const first = await fetch(url, { method: 'POST', headers: session, body: MCP_CALL });
  const answer = jsonRpcAnswer(first.headers.get('content-type'), await first.text()).result;
  if (!first.ok || answer === undefined) throw new Error(`MCP tools/call failed: HTTP ${first.status}`);
  const request = {
    url,
    method: 'POST' as const,
    body: MCP_CALL,
    headers: session,
    connections: CONNECTIONS,
  };
  await cannon({ ...request, duration: 2 }); // warm-up, not measured
  const result = await cannon({ ...request, duration: DURATION_S });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`MCP bench ${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { result, answer };
}

async function mcpSession(url: string): Promise<Record<string, string>> {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(url, {
    method: 'POST',
    headers,
    body: mcpInitializeBody('bench'),
  });
  await init.text();
  const sessionId = init.headers.get('mcp-session-id');
  if (!init.ok || !sessionId) throw new Error(`MCP initialize failed: HTTP ${init.status}`);
  const session = { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
  const initialized = await fetch(url, {
    method: 'POST',
    headers: session,
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.text();
  return session;
}

export async function runHttpBench(): Promise<{
  rest_rps: number;
  rest_p99_ms: number;
  mcp_http_p99_ms: number;
  mcp_rss_mb_1k_workloads: number;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-mcp-bench-'));
  const statusFile = join(dir, 'status.json');
  writeFileSync(statusFile, JSON.stringify(clusterStatus()));
  const built = 'dist/mcp/main.js';
  // Memory is measured as deployed: the V8 limits the chart sets (values mcp.maxHeapMiB, maxSemiSpaceMiB).
  const v8 = chartV8Flags('mcp');
  const command = existsSync(built) ? { command: process.execPath, args: [...v8, built] } : frontEndCommand;

  const server = await spawnFrontEnd(
    ['--status-file', statusFile, '--rate-limit', '0'],
    { LOG_LEVEL: 'info' },
    60_000,
    command,
  );
  const startLoad = loadavg()[0]!;
  try {
    const restBody = JSON.stringify({ workload_name: 'app-7', namespace: 'team-12' });
    // Warm-up: JIT and caches, not measured.
    await cannon({
      url: `${server.url}/tools/assess_workload_compliance`,
      method: 'POST',
      body: restBody,
      headers: { 'content-type': 'application/json' },
      connections: CONNECTIONS,
      duration: 2,
    });
    const rest = await cannon({
      url: `${server.url}/tools/assess_workload_compliance`,
      method: 'POST',
      body: restBody,
      headers: { 'content-type': 'application/json' },
      connections: CONNECTIONS,
      duration: DURATION_S,
    });
    if (rest.non2xx > 0 || rest.errors > 0)
      throw new Error(`REST bench: ${rest.non2xx} non-2xx, ${rest.errors} errors`);

    const { result: mcp, answer } = await measureMcp(`${server.url}/mcp`);
    const ourLoad = loadavg()[0]!;

    // The SDK alone, same load, same answer, same V8 flags.
    const answerFile = join(dir, 'answer.json');
    writeFileSync(answerFile, JSON.stringify(answer));
    const minimal = await spawnFrontEnd([], {}, 60_000, {
      command: process.execPath,
      args: [...v8, '--import', 'tsx', 'bench/support/sdk-minimal-mcp-server.ts', answerFile],
    });
    let sdk: autocannon.Result;
    try {
      sdk = (await measureMcp(`${minimal.url}/mcp`)).result;
    } finally {
      await minimal.stop();
    }

    const figures = {
      rest_rps: Math.round(rest.requests.average),
      rest_p99_ms: rest.latency.p99,
      mcp_http_p99_ms: mcp.latency.p99,
      mcp_rss_mb_1k_workloads: Math.round(processMemory(server.child.pid!).peakRss_MiB),
    };
    console.log(
      `# http bench: ${NAMESPACES * WORKLOADS_PER_NAMESPACE} workloads in ${NAMESPACES} policies, ${CONNECTIONS} connections, ${DURATION_S} s per run, MCP rps ${Math.round(mcp.requests.average)}`,
    );
    console.log(`BENCH rest_rps ${figures.rest_rps}`);
    console.log(`BENCH rest_p99_ms ${figures.rest_p99_ms}`);
    console.log(`BENCH mcp_http_p99_ms ${figures.mcp_http_p99_ms}`);
    console.log(
      `# load average (1 min) ${startLoad.toFixed(2)} at the start, ${ourLoad.toFixed(2)} after our MCP run, ${loadavg()[0]!.toFixed(2)} after the SDK-only run`,
    );
    console.log(`BENCH sdk_minimal_mcp_http_rps ${Math.round(sdk.requests.average)}`);
    console.log(`BENCH sdk_minimal_mcp_http_p99_ms ${sdk.latency.p99}`);
    console.log(
      `RATIO mcp_http_rps_vs_sdk_minimal ${(mcp.requests.average / sdk.requests.average).toFixed(2)}`,
    );
    console.log(`# mcp server: node ${command.args.join(' ')} (the chart's V8 limits)`);
    console.log(`BENCH mcp_rss_mb_1k_workloads ${figures.mcp_rss_mb_1k_workloads}`);
    return figures;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runHttpBench();
}
