// Reconcile benchmark: one policy over 10,000 pods / 1,000 workloads (Deployments via ReplicaSets)
// on 500 nodes, 24 hourly buckets per pod. The pods sit in an in-memory cache (as the informer
// would hold them), the owner lookups are in memory, the metrics source replays recorded per-pod
// readings, and the status store is in memory: the figure is the operator's own work (selection,
// grouping, history merge, engine, bounding, serialising), not network time.
// Prints: BENCH reconcile_10k_ms, BENCH reconcile_10k_rss_mb, BENCH status_bytes_10k.
import { pino } from 'pino';
import { pathToFileURL } from 'node:url';
import type { CarbonCompliancePolicy, CarbonCompliancePolicyStatus } from '../operator/api/v1alpha1/types.js';
import { createEngineEvaluator } from '../operator/controller/engine-evaluator.js';
import type {
  MetricsCollection,
  MetricsSource,
  PodEnergyReading,
} from '../operator/controller/metrics-source.js';
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

function fixture(): { pods: PodView[]; owners: StaticOwnerLookup; readings: Map<string, PodEnergyReading> } {
  const pods: PodView[] = [];
  const owners = new Map<string, OwnerReference[]>();
  const readings = new Map<string, PodEnergyReading>();
  const firstHour = Date.parse('2025-04-30T11:00:00Z');
  const hours = Array.from({ length: 24 }, (_, h) =>
    new Date(firstHour + h * 3_600_000).toISOString().replace('.000', ''),
  );
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
      // Recorded per-pod hourly energy: 10–60 W pods.
      const watts = 10 + ((w * 7 + p * 13) % 50);
      readings.set(`${NS}/${name}`, {
        namespace: NS,
        pod: name,
        hourly: hours.map((hourStart, h) => ({ hourStart, energy_kWh: (watts * (0.8 + 0.02 * h)) / 1000 })),
        power_watts: watts,
        cpuP95_cores: 0.1 + (p % 4) * 0.05,
      });
    }
  }
  return { pods, owners: new StaticOwnerLookup(owners), readings };
}

export async function runReconcileBench(): Promise<{ ms: number; rssMb: number; statusBytes: number }> {
  const { pods, owners, readings } = fixture();
  const source: MetricsSource = {
    description: 'recorded readings (bench)',
    collect: () =>
      Promise.resolve<MetricsCollection>({
        pods: readings,
        zonesCounted: ['package', 'dram'],
        energySource: 'measured: kepler 0.11 (recorded)',
        dataQuality: [],
        errors: [],
      }),
  };
  const evaluator: PolicyEvaluator = await createEngineEvaluator(pino({ level: 'silent' }));
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
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const statusBytes = Buffer.byteLength(JSON.stringify(store.policy.status));
  if (outcome.result !== 'evaluated' || store.policy.status?.summary?.workloads !== WORKLOADS) {
    throw new Error(`bench reconcile did not evaluate 1,000 workloads: ${JSON.stringify(outcome)}`);
  }
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
