// HTTP front-end benchmark: autocannon on loopback against a spawned carbon-mcp whose policy cache
// is filled from a status file (the in-memory source: no apiserver, so only the front end is timed).
// Prints `BENCH rest_rps`, `BENCH rest_p99_ms`, `BENCH mcp_http_p99_ms` and
// `BENCH mcp_rss_mb_1k_workloads` (peak resident memory, MiB, of the server answering for 1,000
// workloads through both runs: VmHWM from /proc). The server is the built bin (dist/mcp/main.js,
// which `make bench` builds) with the V8 limits the Helm chart sets, so that the figure is the
// deployed product's, not the TypeScript loader's.
// Targets on 2 cores: >= 2000 rps, p99 <= 20 ms, peak RSS <= 128 MiB.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { policy, temporalShift } from '../mcp/__fixtures__/policies.js';
import { frontEndCommand, spawnFrontEnd } from '../mcp/__fixtures__/spawned-front-end.js';
import { processMemory } from '../e2e/resilience/support/process-memory.js';
import { cannon } from './support/autocannon-run.js';

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

/** The V8 flags the chart puts into the MCP server's NODE_OPTIONS. */
function chartV8Flags(): string[] {
  const values = parseYaml(readFileSync('charts/carbon-aware-kepler/values.yaml', 'utf8')) as {
    mcp: { maxHeapMiB: number; maxSemiSpaceMiB: number };
  };
  return [
    ...(values.mcp.maxHeapMiB > 0 ? [`--max-old-space-size=${values.mcp.maxHeapMiB}`] : []),
    ...(values.mcp.maxSemiSpaceMiB > 0 ? [`--max-semi-space-size=${values.mcp.maxSemiSpaceMiB}`] : []),
  ];
}

async function mcpSession(url: string): Promise<Record<string, string>> {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    }),
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
  const v8 = chartV8Flags();
  const command = existsSync(built) ? { command: process.execPath, args: [...v8, built] } : frontEndCommand;

  const server = await spawnFrontEnd(
    ['--status-file', statusFile, '--rate-limit', '0'],
    { LOG_LEVEL: 'info' },
    60_000,
    command,
  );
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

    const mcpUrl = `${server.url}/mcp`;
    const session = await mcpSession(mcpUrl);
    const mcpBody = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'assess_workload_compliance',
        arguments: { workload_name: 'app-7', namespace: 'team-12' },
      },
    });
    const mcp = await cannon({
      url: mcpUrl,
      method: 'POST',
      body: mcpBody,
      headers: session,
      connections: CONNECTIONS,
      duration: DURATION_S,
    });
    if (mcp.non2xx > 0 || mcp.errors > 0)
      throw new Error(`MCP bench: ${mcp.non2xx} non-2xx, ${mcp.errors} errors`);

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
