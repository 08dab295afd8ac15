// The one simulated Kepler for tests, resilience runs, benchmarks and the demo: serves Kepler 0.11-format
// text (names, labels and HELP as in v0.11.4) over HTTP or HTTPS. Values are SIMULATED and say so: the
// body starts with a comment saying it, kepler_build_info has version "<v>-simulated" and
// revision="simulated", and every HELP text says it.
//
// Which pods it reports, one of:
// - a fixed list (`pods`, changed with setPods): each pod draws constant watts per zone (and per GPU), so
//   its joule counters are exactly watts × seconds since it appeared or since the last simulated Kepler
//   restart, and tests compute expected energy by hand. One endpoint serves every node's series.
// - the cluster (`followCluster`): a watch on pods tells it which pods run where, so a pod that starts (a
//   scale-up, a replacement, a CronJob's run) gets series from then on, and a pod that stops (deleted,
//   evicted, completed) loses its series while the node's counter keeps the energy it used, as Kepler's
//   do. Each pod's power is read from its annotations (simulation.carbon-aware.dev/package-watts and
//   /dram-watts) and follows a slow wave around that base; its joule counters are the wave's exact
//   integral from the moment the pod was seen running, so they only grow. One endpoint per node (the
//   seed's "Kepler HTTPS proxy").
//
// Either way a node's counters hold its idle power since the exporter started plus every pod's energy
// on it, finished pods' included, and the node exports its idle and active parts beside the total.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { SupervisedInformer } from '../../operator/kube/supervised-informer.js';
import { writeExposition, type WritableFamily } from './exposition-writer.js';

/** A pod of the fixed list: constant power per zone, e.g. { package: 12, dram: 1.8 }. */
export interface FixturePod {
  namespace: string;
  name: string;
  uid: string;
  node?: string;
  /** Constant power per zone, e.g. { package: 12, dram: 1.8 }. */
  watts: Record<string, number>;
  /** Constant power per GPU index (kepler_pod_gpu_joules_total / _watts with a `gpu` label), e.g. { '0': 60 }. */
  gpuWatts?: Record<string, number>;
  /** Exported as state="terminated" (Kepler shows a gone pod once with this state). */
  terminated?: boolean;
}

/** Simulated RAPL power of one pod, per Kepler zone (the exporter adds a slow wave on top). */
export interface SimulatedPodPower {
  package_watts: number;
  dram_watts: number;
}

/** A pod running in the cluster, as the simulated Kepler reports it (wave power around `power`). */
export interface SimulatedPod {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  containers: string[];
  /** `Kind/name` of the top owner, as the operator groups it (when the creator knows it). */
  workload?: string;
  power: SimulatedPodPower;
  /** Exporter time (seconds) at which the pod was first seen running; its counters start there. */
  runningSinceSeconds?: number;
}

type SimulatedKeplerMode =
  /** Normal Kepler output. */
  | 'ok'
  /** Accept the connection and close it at once (the client sees a reset). */
  | 'down'
  /** Send nothing until the client gives up (or `slowMs` passes). */
  | 'slow'
  /** 200 with a body that is not an exposition. */
  | 'garbage'
  /** 200 with an endless stream of valid lines (for body limits). */
  | 'huge'
  /** 500 Internal Server Error. */
  | 'error';

interface ServingOptions {
  /** Serve HTTPS with this certificate; `clientCaPem` makes the server demand a client certificate. */
  tls?: { certPem: string; keyPem: string; clientCaPem?: string };
  port?: number;
  host?: string;
  /** Require `Authorization: Bearer <token>`; answer 401 otherwise. A function is read per request. */
  bearerToken?: string | (() => string);
  /** How long 'slow' holds a request before answering. Default 60 s. */
  slowMs?: number;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  clock?: () => number;
  version?: string;
}

export interface FixedPodsOptions extends ServingOptions {
  pods: FixturePod[];
  /** node_name label for pods without `node` and for the node series. */
  nodeName?: string;
  /** Simulated node idle power per zone (node series only; Kepler never gives idle to pods). */
  nodeIdleWatts?: Record<string, number>;
  /** Kepler's metrics level for workloads: 'pod' (default) exports kepler_pod_cpu_*; 'container'
   * (Kepler run with --metrics=node,container) exports only kepler_container_cpu_*, which carry the pod
   * UID (pod_id) and no pod name. */
  workloadLevel?: 'pod' | 'container';
}

export interface FollowClusterOptions extends ServingOptions {
  followCluster: {
    kubeConfig: KubeConfig;
    /** One endpoint per node; pods on other nodes are not reported. */
    nodes: string[];
    /** Seconds the node counters have already run at start, so that they are not all near zero. */
    uptimeSeconds?: number;
    /** Called when a pod's annotations cannot be read (its series are then missing). */
    onError?: (error: Error) => void;
  };
}

export interface SimulatedKepler {
  /** The first endpoint, e.g. http://127.0.0.1:40123/metrics. */
  url: string;
  /** One URL per node when following the cluster; the one URL otherwise. */
  urls: string[];
  port: number;
  setMode(mode: SimulatedKeplerMode): void;
  /** Fixed list only: the pods reported from now on (a pod already reported keeps its counters). */
  setPods(pods: FixturePod[]): void;
  /** Fixed list only: simulates a Kepler restart, every counter starts again from 0 now. */
  restartCounters(): void;
  /** Fixed list only: the exposition the exporter would serve at `atMs` (default: now). */
  render(atMs?: number): string;
  /** Fixed list only: expected joules of a pod (all zones and GPUs) at `atMs`, by construction. */
  expectedPodJoules(uid: string, atMs?: number): number;
  /** Following the cluster: pods with series right now on a node (for messages and tests). */
  runningPods(nodeName: string): SimulatedPod[];
  /** Requests served so far and the last request's headers. */
  readonly stats: { requests: number; lastHeaders: IncomingMessage['headers'] | undefined };
  stop(): Promise<void>;
}

const SIMULATED = 'SIMULATED by the simulated Kepler, not measured.';
const DEFAULT_VERSION = 'v0.11.4';
/** The demo's exporter has always said "0.11.4-simulated"; the operator's status shows it. */
const CLUSTER_VERSION = '0.11.4';
const DEFAULT_IDLE_WATTS: Record<string, number> = { package: 40, dram: 6 };

// ---- power: constant, or a slow wave around a base -------------------------------------------------

const WAVE_PERIOD_S = 600;
const WAVE_DEPTH = 0.25;

type PowerShape = 'constant' | 'wave';

function phaseOf(uid: string): number {
  let hash = 0;
  for (const char of uid) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return ((hash % 1000) / 1000) * 2 * Math.PI;
}

/** Power at `seconds` after the start: base, or base·(1 + d·sin(2πt/T + phase)). */
function wattsAt(shape: PowerShape, base: number, seconds: number, uid: string): number {
  if (shape === 'constant') return base;
  return base * (1 + WAVE_DEPTH * Math.sin(((2 * Math.PI) / WAVE_PERIOD_S) * seconds + phaseOf(uid)));
}

/** Joules from the start until `seconds` later: the closed-form integral of wattsAt. */
function joulesAt(shape: PowerShape, base: number, seconds: number, uid: string): number {
  if (shape === 'constant') return base * seconds;
  const w = (2 * Math.PI) / WAVE_PERIOD_S;
  const phase = phaseOf(uid);
  return base * (seconds + (WAVE_DEPTH / w) * (Math.cos(phase) - Math.cos(w * seconds + phase)));
}

// ---- the exposition ---------------------------------------------------------------------------------

interface ReportedPod {
  namespace: string;
  name: string;
  uid: string;
  node: string;
  watts: Record<string, number>;
  gpuWatts: Record<string, number>;
  terminated: boolean;
  shape: PowerShape;
  /** Seconds the pod's counters have run. */
  seconds: number;
}

interface ReportedNode {
  name: string;
  idleWatts: Record<string, number>;
  /** Seconds the node's counters have run. */
  seconds: number;
  /** Joules per zone of pods no longer reported. */
  finishedJoules: Record<string, number>;
}

const podZoneJoules = (p: ReportedPod, zone: string): number =>
  joulesAt(p.shape, p.watts[zone] ?? 0, p.seconds, p.uid);
const podZoneWatts = (p: ReportedPod, zone: string): number =>
  p.terminated ? 0 : wattsAt(p.shape, p.watts[zone] ?? 0, p.seconds, p.uid);

function renderExposition(
  nodes: ReportedNode[],
  pods: ReportedPod[],
  version: string,
  workloadLevel: 'pod' | 'container' = 'pod',
): string {
  const families: WritableFamily[] = [
    {
      name: 'kepler_build_info',
      type: 'gauge',
      help: `A metric with a constant '1' value labeled with version information. ${SIMULATED}`,
      samples: [
        {
          name: 'kepler_build_info',
          labels: [
            'arch',
            'amd64',
            'branch',
            '',
            'goversion',
            'simulated',
            'revision',
            'simulated',
            'version',
            `${version}-simulated`,
          ],
          value: 1,
        },
      ],
    },
  ];
  const zones = [
    ...new Set(
      pods.flatMap((p) => Object.keys(p.watts)).concat(nodes.flatMap((n) => Object.keys(n.idleWatts))),
    ),
  ].sort();
  const live = (node: string) => pods.filter((p) => p.node === node && !p.terminated);
  const activeJoules = (n: ReportedNode, zone: string): number =>
    (n.finishedJoules[zone] ?? 0) + live(n.name).reduce((sum, p) => sum + podZoneJoules(p, zone), 0);
  const activeWatts = (n: ReportedNode, zone: string): number =>
    live(n.name).reduce((sum, p) => sum + podZoneWatts(p, zone), 0);
  const idleJoules = (n: ReportedNode, zone: string): number => (n.idleWatts[zone] ?? 0) * n.seconds;
  const idleWatts = (n: ReportedNode, zone: string): number => n.idleWatts[zone] ?? 0;
  const nodeFamily = (
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    value: (node: ReportedNode, zone: string) => number,
  ): WritableFamily => ({
    name,
    type,
    help: `${help} ${SIMULATED}`,
    samples: nodes.flatMap((node) =>
      zones.map((zone) => ({
        name,
        labels: [
          'node_name',
          node.name,
          'path',
          `/host/sys/class/powercap/intel-rapl:0${zone === 'package' ? '' : ':0'}`,
          'zone',
          zone,
        ],
        value: value(node, zone),
      })),
    ),
  });
  families.push(
    nodeFamily(
      'kepler_node_cpu_active_joules_total',
      'Energy consumption of cpu in active state at node level in joules',
      'counter',
      activeJoules,
    ),
    nodeFamily(
      'kepler_node_cpu_active_watts',
      'Power consumption of cpu in active state at node level in watts',
      'gauge',
      activeWatts,
    ),
    nodeFamily(
      'kepler_node_cpu_idle_joules_total',
      'Energy consumption of cpu in idle state at node level in joules',
      'counter',
      idleJoules,
    ),
    nodeFamily(
      'kepler_node_cpu_idle_watts',
      'Power consumption of cpu in idle state at node level in watts',
      'gauge',
      idleWatts,
    ),
    nodeFamily(
      'kepler_node_cpu_joules_total',
      'Energy consumption of cpu at node level in joules',
      'counter',
      (n, z) => activeJoules(n, z) + idleJoules(n, z),
    ),
    nodeFamily(
      'kepler_node_cpu_watts',
      'Power consumption of cpu at node level in watts',
      'gauge',
      (n, z) => activeWatts(n, z) + idleWatts(n, z),
    ),
    {
      name: 'kepler_node_cpu_usage_ratio',
      type: 'gauge',
      help: `CPU usage ratio of a node (value between 0.0 and 1.0) ${SIMULATED}`,
      samples: nodes.map((n) => ({
        name: 'kepler_node_cpu_usage_ratio',
        labels: ['node_name', n.name],
        value: Math.min(0.95, 0.1 + live(n.name).length * 0.08),
      })),
    },
  );
  const sorted = [...pods].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  const state = (p: ReportedPod) => (p.terminated ? 'terminated' : 'running');
  // Kepler (client_golang) writes label names sorted.
  const podIdentity = (p: ReportedPod) => [
    'node_name',
    p.node,
    'pod_id',
    p.uid,
    'pod_name',
    p.name,
    'pod_namespace',
    p.namespace,
    'state',
    state(p),
  ];
  /** One sample per pod and per key of `keysOf(pod)` (its zones, or its GPUs). */
  const perPod = (
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    keysOf: (p: ReportedPod) => Record<string, number>,
    labels: (p: ReportedPod, key: string) => string[],
    value: (p: ReportedPod, key: string) => number,
  ): WritableFamily => ({
    name,
    type,
    help: `${help} ${SIMULATED}`,
    samples: sorted.flatMap((p) =>
      Object.keys(keysOf(p))
        .sort()
        .map((key) => ({ name, labels: labels(p, key), value: value(p, key) })),
    ),
  });
  const zoneLabels =
    workloadLevel === 'container'
      ? (p: ReportedPod, zone: string) => [
          'container_id',
          `ctr-${p.uid}`,
          'container_name',
          'main',
          'node_name',
          p.node,
          'pod_id',
          p.uid,
          'runtime',
          'containerd',
          'state',
          state(p),
          'zone',
          zone,
        ]
      : (p: ReportedPod, zone: string) => [...podIdentity(p), 'zone', zone];
  const level = workloadLevel === 'container' ? 'container' : 'pod';
  const zonesOf = (p: ReportedPod) => p.watts;
  families.push(
    perPod(
      `kepler_${level}_cpu_joules_total`,
      `Energy consumption of cpu at ${level} level in joules`,
      'counter',
      zonesOf,
      zoneLabels,
      podZoneJoules,
    ),
    perPod(
      `kepler_${level}_cpu_watts`,
      `Power consumption of cpu at ${level} level in watts`,
      'gauge',
      zonesOf,
      zoneLabels,
      podZoneWatts,
    ),
  );
  if (workloadLevel === 'pod' && pods.some((p) => Object.keys(p.gpuWatts).length > 0)) {
    const gpusOf = (p: ReportedPod) => p.gpuWatts;
    const gpuLabels = (p: ReportedPod, gpu: string) => ['gpu', gpu, ...podIdentity(p)];
    families.push(
      perPod(
        'kepler_pod_gpu_joules_total',
        'Energy consumption of gpu at pod level in joules',
        'counter',
        gpusOf,
        gpuLabels,
        (p, g) => joulesAt(p.shape, p.gpuWatts[g]!, p.seconds, p.uid),
      ),
      perPod(
        'kepler_pod_gpu_watts',
        'Power consumption of gpu at pod level in watts',
        'gauge',
        gpusOf,
        gpuLabels,
        (p, g) => (p.terminated ? 0 : wattsAt(p.shape, p.gpuWatts[g]!, p.seconds, p.uid)),
      ),
    );
  }
  const header = `# SIMULATED DATA: carbon-aware-kepler's simulated Kepler in Kepler ${version} format; not measured by Kepler.\n`;
  return header + writeExposition(families);
}

const ZONE_JOULES_ZERO = (): ZoneJoules => ({ dram: 0, package: 0 });
export type ZoneJoules = { dram: number; package: number };

function reportedPod(pod: SimulatedPod, seconds: number): ReportedPod {
  return {
    namespace: pod.namespace,
    name: pod.name,
    uid: pod.uid,
    node: pod.nodeName,
    watts: { package: pod.power.package_watts, dram: pod.power.dram_watts },
    gpuWatts: {},
    terminated: false,
    shape: 'wave',
    seconds: Math.max(0, seconds - (pod.runningSinceSeconds ?? 0)),
  };
}

/**
 * The exposition text of one node at `seconds` since the exporter started. `pods` are the pods running
 * there now; `finishedJoules` is what pods that ran there before used (it stays in the node counter).
 */
export function nodeExposition(
  nodeName: string,
  pods: SimulatedPod[],
  seconds: number,
  finishedJoules: ZoneJoules = ZONE_JOULES_ZERO(),
): string {
  return renderExposition(
    [{ name: nodeName, idleWatts: DEFAULT_IDLE_WATTS, seconds, finishedJoules }],
    pods.map((p) => reportedPod(p, seconds)),
    CLUSTER_VERSION,
  );
}

// ---- following the cluster ---------------------------------------------------------------------------

const PACKAGE_WATTS_ANNOTATION = 'simulation.carbon-aware.dev/package-watts';
const DRAM_WATTS_ANNOTATION = 'simulation.carbon-aware.dev/dram-watts';
/** Power of a pod without the annotations: a small idle service. SIMULATED, like every figure here. */
const UNANNOTATED_POD_POWER: SimulatedPodPower = { package_watts: 2, dram_watts: 0.5 };

/** What the exporter needs of a pod from the watch. */
export interface WatchedPod {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  spec?: { nodeName?: string; containers?: Array<{ name: string }> };
  status?: { phase?: string };
}

/** The pod's simulated power from its annotations; a malformed value is an error naming the annotation. */
export function simulatedPower(pod: WatchedPod): SimulatedPodPower {
  const read = (annotation: string, fallback: number): number => {
    const raw = pod.metadata?.annotations?.[annotation];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < 0)
      throw new Error(
        `${pod.metadata?.namespace}/${pod.metadata?.name}: annotation ${annotation} must be a non-negative number of watts, got "${raw}"`,
      );
    return value;
  };
  return {
    package_watts: read(PACKAGE_WATTS_ANNOTATION, UNANNOTATED_POD_POWER.package_watts),
    dram_watts: read(DRAM_WATTS_ANNOTATION, UNANNOTATED_POD_POWER.dram_watts),
  };
}

/**
 * Which pods run on which node, from watch events, and what the pods that stopped used. Kepler's
 * view of a node: a pod has series while it runs; when it stops, its series go and its energy stays
 * in the node's counter.
 */
export class RunningPodLedger {
  private readonly running = new Map<string, SimulatedPod>();
  private readonly finished = new Map<string, ZoneJoules>();

  constructor(private readonly nodes: ReadonlySet<string>) {}

  /** Applies the pod's current state (or its deletion) at exporter time `seconds`. */
  observe(pod: WatchedPod, seconds: number, deleted = false): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const nodeName = pod.spec?.nodeName ?? '';
    const runs = !deleted && pod.status?.phase === 'Running' && this.nodes.has(nodeName);
    const known = this.running.get(uid);
    if (runs && !known) {
      this.running.set(uid, {
        namespace: pod.metadata!.namespace ?? '',
        name: pod.metadata!.name ?? '',
        uid,
        nodeName,
        containers: (pod.spec?.containers ?? []).map((c) => c.name),
        power: simulatedPower(pod),
        runningSinceSeconds: seconds,
      });
    } else if (!runs && known) {
      this.running.delete(uid);
      const used = reportedPod(known, seconds);
      const before = this.finished.get(known.nodeName) ?? ZONE_JOULES_ZERO();
      this.finished.set(known.nodeName, {
        dram: before.dram + podZoneJoules(used, 'dram'),
        package: before.package + podZoneJoules(used, 'package'),
      });
    }
  }

  podsOn(nodeName: string): SimulatedPod[] {
    return [...this.running.values()].filter((p) => p.nodeName === nodeName);
  }

  exposition(nodeName: string, seconds: number): string {
    return nodeExposition(
      nodeName,
      this.podsOn(nodeName),
      seconds,
      this.finished.get(nodeName) ?? ZONE_JOULES_ZERO(),
    );
  }
}

// ---- serving -----------------------------------------------------------------------------------------

interface Endpoint {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** One HTTP(S) endpoint serving `body()` at /metrics, with the switchable failure modes. */
async function serve(
  options: ServingOptions,
  body: () => string,
  state: { mode: SimulatedKeplerMode; stats: SimulatedKepler['stats'] },
): Promise<Endpoint> {
  const pending = new Set<ServerResponse>();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    state.stats.requests++;
    state.stats.lastHeaders = req.headers;
    if (state.mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (options.bearerToken !== undefined) {
      const token = typeof options.bearerToken === 'function' ? options.bearerToken() : options.bearerToken;
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized\n');
        return;
      }
    }
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    switch (state.mode) {
      case 'slow': {
        pending.add(res);
        const timer = setTimeout(() => {
          pending.delete(res);
          if (!res.writableEnded)
            res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body());
        }, options.slowMs ?? 60_000);
        res.on('close', () => {
          clearTimeout(timer);
          pending.delete(res);
        });
        return;
      }
      case 'garbage':
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
          .end('<html>this is not {an exposition\n');
        return;
      case 'error':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
        return;
      case 'huge': {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        let i = 0;
        const line = (n: number): string =>
          `kepler_fixture_padding_total{i="${n}",note="${SIMULATED}"} ${n}\n`;
        const pump = (): void => {
          while (!res.destroyed) {
            const chunk = Array.from({ length: 512 }, () => line(i++)).join('');
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
        };
        res.on('error', () => undefined);
        pump();
        return;
      }
      default:
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body());
    }
  };

  const server: Server = options.tls
    ? createHttpsServer(
        {
          cert: options.tls.certPem,
          key: options.tls.keyPem,
          ...(options.tls.clientCaPem
            ? { ca: options.tls.clientCaPem, requestCert: true, rejectUnauthorized: true }
            : {}),
        },
        handler,
      )
    : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}/metrics`,
    port: address.port,
    stop: async () => {
      for (const res of pending) res.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const onlyFixed = (what: string): never => {
  throw new Error(`simulated Kepler: ${what} needs a fixed pod list; this one follows the cluster`);
};

/**
 * Starts the simulated Kepler. With `pods`, one endpoint for the fixed list; with `followCluster`, a
 * pod watch and one endpoint per node, resolving once the watch has listed the pods, so the first
 * scrape already sees what runs.
 */
export async function startSimulatedKepler(
  options: FixedPodsOptions | FollowClusterOptions,
): Promise<SimulatedKepler> {
  const clock = options.clock ?? Date.now;
  const state = {
    mode: 'ok' as SimulatedKeplerMode,
    stats: { requests: 0, lastHeaders: undefined } as SimulatedKepler['stats'],
  };
  const setMode = (m: SimulatedKeplerMode): void => {
    state.mode = m;
  };

  if ('followCluster' in options) {
    const follow = options.followCluster;
    const started = clock() - (follow.uptimeSeconds ?? 3600) * 1000;
    const now = () => (clock() - started) / 1000;
    const nodes = [...new Set(follow.nodes)].sort();
    const ledger = new RunningPodLedger(new Set(nodes));
    const informer = new SupervisedInformer<WatchedPod>({
      name: 'simulated-kepler-pods',
      kubeConfig: follow.kubeConfig,
      path: '/api/v1/pods',
    });
    informer.on((type, pod) => {
      try {
        ledger.observe(pod, now(), type === 'delete');
      } catch (error) {
        (follow.onError ?? (() => undefined))(error as Error);
      }
    });
    informer.start();
    await informer.waitForSync();
    const endpoints: Endpoint[] = [];
    for (const node of nodes)
      endpoints.push(await serve(options, () => ledger.exposition(node, now()), state));
    return {
      url: endpoints[0]?.url ?? '',
      urls: endpoints.map((e) => e.url),
      port: endpoints[0]?.port ?? 0,
      setMode,
      setPods: () => onlyFixed('setPods'),
      restartCounters: () => onlyFixed('restartCounters'),
      render: () => onlyFixed('render'),
      expectedPodJoules: () => onlyFixed('expectedPodJoules'),
      runningPods: (nodeName) => ledger.podsOn(nodeName),
      stats: state.stats,
      stop: async () => {
        informer.stop();
        await Promise.all(endpoints.map((e) => e.stop()));
      },
    };
  }

  const nodeName = options.nodeName ?? 'fixture-node';
  const idleWatts = options.nodeIdleWatts ?? DEFAULT_IDLE_WATTS;
  const version = options.version ?? DEFAULT_VERSION;
  let startedAtMs = clock();
  // Each pod's counters run from when it appeared (or from the last simulated Kepler restart).
  let pods = options.pods.map((p) => ({ ...p, sinceMs: startedAtMs }));
  const seconds = (atMs: number, sinceMs: number): number => Math.max(0, (atMs - sinceMs) / 1000);
  const render = (atMs = clock()): string => {
    const reported: ReportedPod[] = pods.map((p) => ({
      namespace: p.namespace,
      name: p.name,
      uid: p.uid,
      node: p.node ?? nodeName,
      watts: p.watts,
      gpuWatts: p.gpuWatts ?? {},
      terminated: p.terminated ?? false,
      shape: 'constant',
      seconds: seconds(atMs, p.sinceMs),
    }));
    const nodes = [...new Set(reported.map((p) => p.node).concat(nodeName))].sort().map((name) => ({
      name,
      idleWatts,
      seconds: seconds(atMs, startedAtMs),
      finishedJoules: {},
    }));
    return renderExposition(nodes, reported, version, options.workloadLevel);
  };
  const endpoint = await serve(options, () => render(), state);
  return {
    url: endpoint.url,
    urls: [endpoint.url],
    port: endpoint.port,
    setMode,
    setPods: (next) => {
      const now = clock();
      const since = new Map(pods.map((p) => [p.uid, p.sinceMs]));
      pods = next.map((p) => ({ ...p, sinceMs: since.get(p.uid) ?? now }));
    },
    restartCounters: () => {
      startedAtMs = clock();
      for (const p of pods) p.sinceMs = startedAtMs;
    },
    render,
    expectedPodJoules: (uid, atMs = clock()) => {
      const p = pods.find((x) => x.uid === uid);
      if (!p) return 0;
      const watts = Object.values(p.watts).concat(Object.values(p.gpuWatts ?? {}));
      return watts.reduce((sum, w) => sum + w, 0) * seconds(atMs, p.sinceMs);
    },
    runningPods: (node) =>
      pods
        .filter((p) => (p.node ?? nodeName) === node && !p.terminated)
        .map((p) => ({
          namespace: p.namespace,
          name: p.name,
          uid: p.uid,
          nodeName: node,
          containers: [],
          power: { package_watts: p.watts.package ?? 0, dram_watts: p.watts.dram ?? 0 },
        })),
    stats: state.stats,
    stop: endpoint.stop,
  };
}
