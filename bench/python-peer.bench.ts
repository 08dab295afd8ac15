// The original Python server's approach beside ours, in the same run: the same REST call
// (POST /tools/assess_workload_compliance for one workload) with the same load (autocannon on
// loopback). The peer (bench/python-peer/original_approach_server.py, FastAPI + uvicorn) scrapes
// and parses Kepler's /metrics on every call, as the original did; it reads the real Kepler 0.7
// fixture from a local HTTP endpoint. Ours answers from the policy status the operator wrote.
// Prints `BENCH python_original_rest_rps`, `BENCH python_original_rest_p99_ms`,
// `BENCH rest_rps_same_run` and `RATIO rest_rps_vs_python_original`.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { policy } from '../hack/testenv/sample-policies.js';
import { spawnFrontEnd } from '../hack/testenv/spawned-front-end.js';
import { freeLoopbackPort } from '../hack/testenv/control-plane.js';
import { cannon } from './support/autocannon-run.js';

const FIXTURE = 'hack/testenv/data/kepler/kepler-v0.7-DERIVED-model-server-idle.prom';
const WORKLOAD = { workload_name: 'example-abs-train-pipeline-presteps-pod', namespace: 'default' };
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 10;

async function waitForHttp(url: string, timeout_ms = 60_000): Promise<void> {
  const deadline = Date.now() + timeout_ms;
  for (;;) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(WORKLOAD),
      });
      if (response.status === 200) return;
      throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${url} did not answer: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function measure(url: string): Promise<{ rps: number; p99_ms: number }> {
  const request = {
    url,
    method: 'POST' as const,
    body: JSON.stringify(WORKLOAD),
    headers: { 'content-type': 'application/json' },
    connections: CONNECTIONS,
  };
  await cannon({ ...request, duration: 2 }); // warm-up, not measured
  const result = await cannon({ ...request, duration: DURATION_S });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: Math.round(result.requests.average), p99_ms: result.latency.p99 };
}

export async function runPythonPeerBench(): Promise<void> {
  const python = spawnSync('bash', ['hack/python-peer-venv.sh'], { encoding: 'utf8' });
  if (python.status !== 0) throw new Error(`Python peer unavailable:\n${python.stderr}`);
  const pythonPath = python.stdout.trim();

  // Kepler's /metrics, served the way an exporter would (same body every scrape).
  const exposition = readFileSync(FIXTURE);
  const kepler = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(exposition);
  });
  kepler.listen(0, '127.0.0.1');
  await once(kepler, 'listening');
  const keplerUrl = `http://127.0.0.1:${(kepler.address() as AddressInfo).port}/metrics`;

  const peerPort = await freeLoopbackPort();
  const peer = spawn(
    pythonPath,
    [
      ...['-m', 'uvicorn', 'original_approach_server:app', '--app-dir', 'bench/python-peer'],
      ...['--host', '127.0.0.1', '--port', String(peerPort), '--log-level', 'warning', '--no-access-log'],
    ],
    { env: { ...process.env, KEPLER_URL: keplerUrl }, stdio: ['ignore', 'inherit', 'inherit'] },
  );

  const dir = mkdtempSync(join(tmpdir(), 'carbon-mcp-peer-bench-'));
  const statusFile = join(dir, 'status.json');
  writeFileSync(
    statusFile,
    JSON.stringify([
      policy(WORKLOAD.namespace, 'carbon', [
        { workload: WORKLOAD.workload_name, namespace: WORKLOAD.namespace, power_watts: 12 },
      ]),
    ]),
  );
  let ours: Awaited<ReturnType<typeof spawnFrontEnd>> | undefined;
  try {
    // info: the port it bound is read from its "listening on" log line.
    ours = await spawnFrontEnd(['--status-file', statusFile, '--rate-limit', '0'], { LOG_LEVEL: 'info' });
    const peerUrl = `http://127.0.0.1:${peerPort}/tools/assess_workload_compliance`;
    const oursUrl = `${ours.url}/tools/assess_workload_compliance`;
    await waitForHttp(peerUrl);
    await waitForHttp(oursUrl);
    const peerResult = await measure(peerUrl);
    const oursResult = await measure(oursUrl);
    console.log(
      `# python peer: ${(exposition.length / 1e6).toFixed(2)} MB Kepler 0.7 exposition scraped and parsed per call; ` +
        `${CONNECTIONS} connections, ${DURATION_S} s per run; ours p99 ${oursResult.p99_ms} ms`,
    );
    console.log(`BENCH python_original_rest_rps ${peerResult.rps}`);
    console.log(`BENCH python_original_rest_p99_ms ${peerResult.p99_ms}`);
    console.log(`BENCH rest_rps_same_run ${oursResult.rps}`);
    console.log(
      `RATIO rest_rps_vs_python_original ${(oursResult.rps / Math.max(peerResult.rps, 1)).toFixed(1)}`,
    );
  } finally {
    peer.kill('SIGTERM');
    await ours?.stop();
    kepler.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runPythonPeerBench();
}
