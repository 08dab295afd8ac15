// Reconcile benchmark: one policy over 10,000 pods / 1,000 workloads (Deployments via ReplicaSets)
// on 500 nodes, 24 hourly buckets per pod. The pods sit in an in-memory cache (as the informer
// would hold them), the owner lookups are in memory and the status store is in memory. Energy comes
// through the operator's real Prometheus source (PromQL built, POSTed, JSON parsed and validated)
// from a loopback server that replays recorded Prometheus API responses for those 10,000 pods.
// The figure is the operator's own work: queries, selection, grouping, history merge, engine,
// bounding, serialising.
// Prints: BENCH reconcile_10k_ms, BENCH reconcile_10k_rss_mb, BENCH status_bytes_10k.
import { pino } from 'pino';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { CarbonCompliancePolicy, CarbonCompliancePolicyStatus } from '../operator/api/v1alpha1/types.js';
import { createEngineEvaluator } from '../operator/controller/engine-evaluator.js';
import { PrometheusClient, PrometheusSource } from '../operator/sources/prometheus-source.js';
import type { PolicyEvaluator } from '../operator/controller/policy-evaluator.js';
import { PolicyReconciler } from '../operator/controller/policy-reconciler.js';
import { toPodView, type OwnerReference, type PodView } from '../operator/controller/pod-view.js';
import type { PolicyStore } from '../operator/controller/status-writer.js';
import { StaticOwnerLookup } from '../operator/controller/workload-grouping.js';

const PODS = 10_000;
const WORKLOADS = 1_000;
const NODES = 500;
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
  watts: number;
}

function fixture(): { pods: PodView[]; owners: StaticOwnerLookup; recorded: RecordedPod[] } {
  const pods: PodView[] = [];
  const owners = new Map<string, OwnerReference[]>();
  const recorded: RecordedPod[] = [];
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
      recorded.push({ name, watts: 10 + ((w * 7 + p * 13) % 50) });
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
  const metric = (pod: string) => ({ pod_namespace: NS, pod_name: pod });
  const body = (resultType: string, result: unknown) =>
    Buffer.from(JSON.stringify({ status: 'success', data: { resultType, result } }));
  const responses = {
    generation: body('vector', [{ metric: {}, value: [lastEvalS, String(recorded.length)] }]),
    legacy: body('vector', []),
    // 24 hourly increases per pod, for the hours ending 11:00 … 10:00.
    range: body(
      'matrix',
      recorded.map((p) => ({
        metric: metric(p.name),
        values: Array.from({ length: 24 }, (_, h) => [
          lastEvalS - (23 - h) * 3600,
          String(p.watts * (0.8 + 0.02 * h) * 3600),
        ]),
      })),
    ),
    partial: body(
      'vector',
      recorded.map((p) => ({
        metric: metric(p.name),
        value: [NOW.getTime() / 1000, String(p.watts * 1800)],
      })),
    ),
    power: body(
      'vector',
      recorded.map((p) => ({ metric: metric(p.name), value: [NOW.getTime() / 1000, String(p.watts)] })),
    ),
  };
  // Which recorded answer a request gets, from the queries PrometheusSource sends.
  const responseFor = (path: string, query: string): Buffer => {
    if (path.startsWith('/api/v1/query_range')) return responses.range;
    if (query.includes('count(kepler_pod_cpu_joules_total)')) return responses.generation;
    if (query.includes('count(kepler_container_joules_total)')) return responses.legacy;
    if (query.includes('kepler_pod_cpu_watts')) return responses.power;
    return responses.partial;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = new URLSearchParams(Buffer.concat(chunks).toString()).get('query') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end(responseFor(req.url ?? '', query));
    });
  });
  server.listen(0, '127.0.0.1');
  const url = once(server, 'listening').then(
    () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  );
  return { url, server, bytes: Object.values(responses).reduce((n, b) => n + b.length, 0) };
}

export async function runReconcileBench(): Promise<{ ms: number; rssMb: number; statusBytes: number }> {
  const { pods, owners, recorded } = fixture();
  const prometheus = recordedPrometheus(recorded);
  const client = await PrometheusClient.create({ url: await prometheus.url });
  const source = new PrometheusSource({ client });
  const { evaluator }: { evaluator: PolicyEvaluator } = createEngineEvaluator(pino({ level: 'silent' }));
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
  const outcome = await reconciler.reconcile(NS, 'all', pino({ level: 'silent' }));
  const ms = performance.now() - started;
  await client.close();
  prometheus.server.close();
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const statusBytes = Buffer.byteLength(JSON.stringify(store.policy.status));
  if (outcome.result !== 'evaluated' || store.policy.status?.summary?.workloads !== WORKLOADS) {
    throw new Error(`bench reconcile did not evaluate 1,000 workloads: ${JSON.stringify(outcome)}`);
  }
  console.log(
    `# reconcile bench: ${PODS} pods, ${WORKLOADS} workloads, ${NODES} nodes; ` +
      `${(prometheus.bytes / 1e6).toFixed(1)} MB of recorded Prometheus responses through the Prometheus source`,
  );
  console.log(`BENCH reconcile_10k_ms ${Math.round(ms)}`);
  console.log(`BENCH reconcile_10k_rss_mb ${Math.round(rssMb)}`);
  console.log(`BENCH status_bytes_10k ${statusBytes}`);
  return { ms, rssMb, statusBytes };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runReconcileBench().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
