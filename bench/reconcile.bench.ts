// Reconcile benchmark: one policy over 10,000 pods / 1,000 workloads (Deployments via ReplicaSets)
// on 500 nodes, and over 50,000 pods / 5,000 workloads on 2,500 nodes, 24 hourly buckets per pod.
// Each scale runs in a process of its own (the RSS figure is that process's), one after the other.
// The pods sit in an in-memory cache (as the informer would hold them), the owner lookups and the
// status store are in memory. Energy comes through the operator's real Prometheus source (PromQL
// built, POSTed, JSON parsed and validated) from a loopback server, in a process of its own as
// Prometheus is, that replays recorded Prometheus API series for the pods each query names.
// The figures are the operator's work: queries, selection, grouping, history merge, engine, bounding,
// serialising. The replay server's CPU is not in the measured process, but it shares the machine.
// Prints: BENCH reconcile_<scale>_ms, BENCH reconcile_<scale>_rss_mb, BENCH status_bytes_<scale>, with
// <scale> 10k and 50k (RECONCILE_BENCH_SCALES=10k runs one).
import { pino } from 'pino';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CarbonCompliancePolicy, CarbonCompliancePolicyStatus } from '../operator/api/v1alpha1/types.js';
import {
  createWatchedPolicyEvaluator,
  type PolicyEvaluator,
} from '../operator/controller/policy-evaluator.js';
import { PrometheusClient, PrometheusSource } from '../operator/sources/prometheus-source.js';
import { PolicyReconciler } from '../operator/controller/policy-reconciler.js';
import { toPodView, type OwnerReference, type PodView } from '../operator/kube/pod-view.js';
import type { PolicyStore } from '../operator/controller/status-writer.js';
import { StaticOwnerLookup } from '../operator/controller/workload-grouping.js';

const SCALES = {
  '10k': { pods: 10_000, targets: { ms: 2_000, rss_mb: 400, status_bytes: 262_144 } },
  '50k': { pods: 50_000, targets: { ms: 4_000, rss_mb: 512, status_bytes: 262_144 } },
} as const;
type Scale = keyof typeof SCALES;
const PODS_PER_WORKLOAD = 10;
const PODS_PER_NODE = 20;
const NS = 'bench';
const NOW = new Date('2025-05-01T10:30:00Z');

class MemoryStore implements PolicyStore {
  policy: CarbonCompliancePolicy;
  bytesWritten = 0;
  constructor(policy: CarbonCompliancePolicy) {
    this.policy = policy;
  }
  read() {
    return Promise.resolve(structuredClone(this.policy));
  }
  patchStatus(_ns: string, _name: string, _rv: string | undefined, status: CarbonCompliancePolicyStatus) {
    // Serialise as the client would send it.
    const body = JSON.stringify({ status });
    this.bytesWritten = Buffer.byteLength(body);
    this.policy = { ...this.policy, status: JSON.parse(body).status as CarbonCompliancePolicyStatus };
    return Promise.resolve(this.policy);
  }
}

interface RecordedPod {
  name: string;
  node: string;
  watts: number;
}

function fixture(PODS: number): { pods: PodView[]; owners: StaticOwnerLookup; recorded: RecordedPod[] } {
  const pods: PodView[] = [];
  const owners = new Map<string, OwnerReference[]>();
  const recorded: RecordedPod[] = [];
  const WORKLOADS = PODS / PODS_PER_WORKLOAD;
  const NODES = PODS / PODS_PER_NODE;
  for (let w = 0; w < WORKLOADS; w++) {
    const rs = `app-${w}-7d9f5c`;
    owners.set(StaticOwnerLookup.key('ReplicaSet', NS, rs), [
      { kind: 'Deployment', name: `app-${w}`, controller: true },
    ]);
    for (let p = 0; p < PODS / WORKLOADS; p++) {
      const name = `${rs}-${p.toString(36).padStart(5, 'x')}`;
      pods.push(
        toPodView({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace: NS,
            uid: `${w}-${p}`,
            labels: { app: `app-${w}`, tier: w % 2 ? 'api' : 'frontend' },
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: rs, controller: true },
            ],
          },
          spec: {
            nodeName: `node-${(w * 10 + p) % NODES}`,
            containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '512Mi' } } }],
          },
        }),
      );
      // 10–60 W pods.
      recorded.push({ name, node: `node-${(w * 10 + p) % NODES}`, watts: 10 + ((w * 7 + p * 13) % 50) });
    }
  }
  return { pods, owners: new StaticOwnerLookup(owners), recorded };
}

/** Prometheus API responses for the queries the source sends, recorded once and replayed as bytes. */
function recordedPrometheus(recorded: RecordedPod[]): {
  url: Promise<string>;
  server: Server;
  bytes: number;
} {
  const lastEvalS = Math.floor(NOW.getTime() / 3_600_000) * 3600;
  const metric = (p: RecordedPod) => ({ node_name: p.node, pod_namespace: NS, pod_name: p.name });
  // Each pod's series recorded once as JSON bytes per answer; a query gets the series of the pods its
  // matcher names (the source asks in batches), framed as the Prometheus API frames them.
  const atS = NOW.getTime() / 1000;
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const perPod = new Map(
    recorded.map((p) => [
      p.name,
      {
        // 24 hourly increases per pod, for the hours ending 11:00 … 10:00.
        range: json({
          metric: metric(p),
          values: Array.from({ length: 24 }, (_, h) => [
            lastEvalS - (23 - h) * 3600,
            String(p.watts * (0.8 + 0.02 * h) * 3600),
          ]),
        }),
        partial: json({ metric: metric(p), value: [atS, String(p.watts * 1800)] }),
        // Current watts by zone (package and dram, as every simulated pod reports): the power query
        // gives each pod's watts and the zones counted in one answer.
        power: Buffer.concat([
          json({
            metric: { pod_namespace: NS, pod_name: p.name, zone: 'package' },
            value: [atS, String(p.watts - 1)],
          }),
          Buffer.from(','),
          json({ metric: { pod_namespace: NS, pod_name: p.name, zone: 'dram' }, value: [atS, '1'] }),
        ]),
      },
    ]),
  );
  const frame = (resultType: string, series: Buffer[]) => {
    const parts: Buffer[] = [
      Buffer.from(`{"status":"success","data":{"resultType":"${resultType}","result":[`),
    ];
    series.forEach((b, i) => parts.push(...(i > 0 ? [Buffer.from(','), b] : [b])));
    parts.push(Buffer.from(']}}'));
    return Buffer.concat(parts);
  };
  const generation = frame('vector', [json({ metric: {}, value: [lastEvalS, String(recorded.length)] })]);
  const legacy = frame('vector', []);
  // Each node's idle joules per active joule of its pods (the cluster-wide table every policy shares):
  // 0.25–0.45 by node, the same every hour.
  const nodes = [...new Set(recorded.map((p) => p.node))];
  const ratio = (i: number) => String(0.25 + (i % 5) * 0.05);
  const idlePerActive = {
    range: frame(
      'matrix',
      nodes.map((node, i) =>
        json({
          metric: { node_name: node },
          values: Array.from({ length: 24 }, (_, h) => [lastEvalS - (23 - h) * 3600, ratio(i)]),
        }),
      ),
    ),
    partial: frame(
      'vector',
      nodes.map((node, i) => json({ metric: { node_name: node }, value: [atS, ratio(i)] })),
    ),
  };
  const nodeZones = frame(
    'vector',
    nodes.flatMap((node) =>
      ['package', 'dram'].map((zone) => json({ metric: { node_name: node, zone }, value: [atS, '3600'] })),
    ),
  );
  // Which recorded answer a request gets, from the queries PrometheusSource sends.
  const responseFor = (path: string, query: string): Buffer => {
    if (query.includes('count(kepler_pod_cpu_joules_total)')) return generation;
    if (query.includes('count(kepler_container_joules_total)')) return legacy;
    if (query.includes('kepler_node_cpu_idle_joules_total'))
      return path.startsWith('/api/v1/query_range') ? idlePerActive.range : idlePerActive.partial;
    // Which nodes Kepler measures: every node exports package and dram counters that moved.
    if (query.startsWith('sum by (node_name, zone)')) return nodeZones;
    // A query that names no pods (node-level queries) gets an empty answer, not every pod's series.
    const names = /pod_name=~"([^"]*)"/.exec(query)?.[1]?.split('|');
    if (!names) return frame('vector', []);
    const kind = path.startsWith('/api/v1/query_range')
      ? 'range'
      : query.includes('kepler_pod_cpu_watts')
        ? 'power'
        : 'partial';
    const series = names.flatMap((n) => {
      const recordedPod = perPod.get(n);
      return recordedPod ? [recordedPod[kind]] : [];
    });
    return frame(kind === 'range' ? 'matrix' : 'vector', series);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = new URLSearchParams(Buffer.concat(chunks).toString()).get('query') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end(responseFor(req.url ?? '', query));
    });
  });
  // Prometheus keeps idle connections open; Node's 5 s default would race the client's reuse under load.
  server.keepAliveTimeout = 120_000;
  server.listen(0, '127.0.0.1');
  const url = once(server, 'listening').then(
    () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  );
  let bytes = 0;
  for (const p of perPod.values()) bytes += p.range.length + p.partial.length + p.power.length;
  bytes += idlePerActive.range.length + idlePerActive.partial.length + nodeZones.length;
  return { url, server, bytes };
}

export async function runReconcileBench(
  scale: Scale,
): Promise<{ ms: number; rssMb: number; statusBytes: number }> {
  const PODS = SCALES[scale].pods;
  const WORKLOADS = PODS / PODS_PER_WORKLOAD;
  const NODES = PODS / PODS_PER_NODE;
  const { pods, owners } = fixture(PODS);
  const prometheus = await replayProcess(scale);
  const client = await PrometheusClient.create({ url: prometheus.url });
  const source = new PrometheusSource({ client });
  const { evaluator }: { evaluator: PolicyEvaluator } = createWatchedPolicyEvaluator(
    pino({ level: 'silent' }),
  );
  const policy: CarbonCompliancePolicy = {
    apiVersion: 'carbon-aware.dev/v1alpha1',
    kind: 'CarbonCompliancePolicy',
    metadata: { name: 'all', namespace: NS, generation: 1, resourceVersion: '1' },
    spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } } as never,
  };
  const store = new MemoryStore(policy);
  const reconciler = new PolicyReconciler({
    policies: { get: () => store.policy },
    pods: { list: () => pods },
    owners,
    source,
    evaluator,
    store,
    logger: pino({ level: 'silent' }),
    clock: () => NOW,
  });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const outcome = await reconciler.reconcile(NS, 'all', pino({ level: 'silent' }));
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await client.close();
  prometheus.stop();
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const statusBytes = Buffer.byteLength(JSON.stringify(store.policy.status));
  if (outcome.result !== 'evaluated' || store.policy.status?.summary?.workloads !== WORKLOADS) {
    throw new Error(`bench reconcile did not evaluate ${WORKLOADS} workloads: ${JSON.stringify(outcome)}`);
  }
  console.log(
    `# reconcile bench: ${PODS} pods, ${WORKLOADS} workloads, ${NODES} nodes; ` +
      `${(prometheus.bytes / 1e6).toFixed(1)} MB of recorded Prometheus answers served through the Prometheus source in the reconcile`,
  );
  const { targets } = SCALES[scale];
  console.log(
    `# load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (1, 5, 15 min)`,
  );
  console.log(
    `# CPU time of the measured process during the reconcile: ${Math.round((cpu.user + cpu.system) / 1000)} ms ` +
      '(user + system, its GC threads included; wall time waits for the cores when other work runs)',
  );
  console.log(`BENCH reconcile_${scale}_ms ${Math.round(ms)}`);
  console.log(`# target reconcile_${scale}_ms <= ${targets.ms}`);
  console.log(`BENCH reconcile_${scale}_rss_mb ${Math.round(rssMb)}`);
  console.log(`# target reconcile_${scale}_rss_mb <= ${targets.rss_mb}`);
  console.log(`BENCH status_bytes_${scale} ${statusBytes}`);
  console.log(`# target status_bytes_${scale} <= ${targets.status_bytes}`);
  return { ms, rssMb, statusBytes };
}

const isScale = (s: string): s is Scale => Object.hasOwn(SCALES, s);

/**
 * The replay server in a process of its own, as Prometheus is: its recorded answers (about 80 MB at
 * 50,000 pods), its request parsing and its framing stay out of the measured process's memory and time.
 * Resolves with its URL and the bytes it holds; stop() ends it.
 */
async function replayProcess(scale: Scale): Promise<{ url: string; bytes: number; stop(): void }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), 'replay', scale],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // However the measured process ends (a failed reconcile exits at once), the replay server ends with it.
  process.once('exit', () => child.kill());
  let out = '';
  child.stdout.setEncoding('utf8');
  const ready = await new Promise<{ url: string; bytes: number }>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const line = /^REPLAY (\S+) (\d+)$/m.exec(out);
      if (line) resolve({ url: line[1]!, bytes: Number(line[2]) });
    });
    child.once('exit', (code) => reject(new Error(`replay server exited (${code}) before it listened`)));
  });
  return { ...ready, stop: () => child.kill() };
}

async function serveReplay(scale: Scale): Promise<void> {
  const { recorded } = fixture(SCALES[scale].pods);
  const prometheus = recordedPrometheus(recorded);
  process.stdout.write(`REPLAY ${await prometheus.url} ${prometheus.bytes}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [mode, arg] = process.argv.slice(2);
  const fail = (error: unknown) => {
    console.error(error);
    process.exit(1);
  };
  if (mode === 'replay') {
    if (!arg || !isScale(arg)) throw new Error(`unknown scale ${arg}`);
    serveReplay(arg).catch(fail);
  } else if (mode !== undefined) {
    if (!isScale(mode)) throw new Error(`unknown scale ${mode}: one of ${Object.keys(SCALES).join(', ')}`);
    runReconcileBench(mode).then(() => process.exit(0), fail);
  } else {
    // One process per scale: the 10k run's heap must not show in the 50k run's RSS.
    const scales = (process.env.RECONCILE_BENCH_SCALES ?? '10k,50k').split(',').map((s) => s.trim());
    let failed = false;
    for (const scale of scales) {
      const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), scale], {
        stdio: 'inherit',
      });
      if (run.status !== 0) failed = true;
    }
    process.exit(failed ? 1 : 0);
  }
}
