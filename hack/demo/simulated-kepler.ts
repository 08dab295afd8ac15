// The demo's stand-in for Kepler (the seed's "Kepler HTTPS proxy"): one HTTPS endpoint per node,
// serving Kepler 0.11.4-format series for the pods running on that node. It follows the cluster: a
// watch on pods tells it which pods run where, so a pod that starts (a scale-up, a replacement, a
// CronJob's run) gets series from then on, and a pod that stops (deleted, evicted, completed) loses
// its series while the node's counter keeps the energy it used, as Kepler's do. Values are SIMULATED
// and say so: the build_info version ends in "-simulated" and the body starts with a comment saying
// it. Each pod's power is read from its annotations (simulation.carbon-aware.dev/package-watts and
// /dram-watts), follows a slow wave around that base, and its joule counters are the wave's exact
// integral from the moment the pod was seen running, so they only grow.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { SupervisedInformer } from '../../operator/kube/supervised-informer.js';
import type { DemoPod, SimulatedPodPower } from './demo-workloads.js';

export interface SimulatedKepler {
  /** One URL per node, e.g. https://127.0.0.1:40123/metrics. */
  urls: string[];
  /** The first URL, for messages. */
  url: string;
  /** Pods with series right now, per node (for messages and tests). */
  runningPods(nodeName: string): DemoPod[];
  stop(): Promise<void>;
}

const PACKAGE_WATTS_ANNOTATION = 'simulation.carbon-aware.dev/package-watts';
const DRAM_WATTS_ANNOTATION = 'simulation.carbon-aware.dev/dram-watts';
/** Power of a pod without the annotations: a small idle service. SIMULATED, like every figure here. */
const UNANNOTATED_POD_POWER: SimulatedPodPower = { package_watts: 2, dram_watts: 0.5 };

const WAVE_PERIOD_S = 600;
const WAVE_DEPTH = 0.25;
const NODE_IDLE_PACKAGE_WATTS = 40;
const NODE_IDLE_DRAM_WATTS = 6;
const ZONES = ['dram', 'package'] as const;
type Zone = (typeof ZONES)[number];
export type ZoneJoules = Record<Zone, number>;

/** Joules since `t0` of a power P(t) = base·(1 + d·sin(2πt/T + phase)): the closed-form integral. */
function joules(baseWatts: number, seconds: number, phase: number): number {
  const w = (2 * Math.PI) / WAVE_PERIOD_S;
  return baseWatts * (seconds + (WAVE_DEPTH / w) * (Math.cos(phase) - Math.cos(w * seconds + phase)));
}

function watts(baseWatts: number, seconds: number, phase: number): number {
  return baseWatts * (1 + WAVE_DEPTH * Math.sin(((2 * Math.PI) / WAVE_PERIOD_S) * seconds + phase));
}

function phaseOf(uid: string): number {
  let hash = 0;
  for (const char of uid) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return ((hash % 1000) / 1000) * 2 * Math.PI;
}

function labels(pairs: Record<string, string>): string {
  // Kepler (client_golang) sorts label names.
  return Object.keys(pairs)
    .sort()
    .map((k) => `${k}="${pairs[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',');
}

function number(value: number): string {
  return Number(value.toPrecision(12)).toString();
}

function zoneWatts(pod: DemoPod, zone: Zone): number {
  return zone === 'package' ? pod.power.package_watts : pod.power.dram_watts;
}

/** Seconds the pod has been running at exporter time `seconds`. */
function runSeconds(pod: DemoPod, seconds: number): number {
  return Math.max(0, seconds - (pod.runningSinceSeconds ?? 0));
}

/** Joules per zone that a pod used from the moment it was seen running until exporter time `seconds`. */
function podJoules(pod: DemoPod, seconds: number): ZoneJoules {
  const t = runSeconds(pod, seconds);
  const phase = phaseOf(pod.uid);
  return {
    dram: joules(pod.power.dram_watts, t, phase),
    package: joules(pod.power.package_watts, t, phase),
  };
}

/**
 * The exposition text of one node at `seconds` since the exporter started. `pods` are the pods running
 * there now; `finishedJoules` is what pods that ran there before used (it stays in the node counter).
 */
export function nodeExposition(
  nodeName: string,
  pods: DemoPod[],
  seconds: number,
  finishedJoules: ZoneJoules = { dram: 0, package: 0 },
): string {
  const zones = ZONES;
  const path = '/host/sys/class/powercap/intel-rapl:0';
  const lines: string[] = [
    '# SIMULATED DATA: carbon-aware-kepler demo exporter in Kepler 0.11.4 format; not measured by Kepler.',
    "# HELP kepler_build_info A metric with a constant '1' value labeled with version information",
    '# TYPE kepler_build_info gauge',
    `kepler_build_info{${labels({ arch: 'amd64', branch: 'demo', goversion: 'simulated', revision: 'simulated', version: '0.11.4-simulated' })}} 1`,
  ];
  const idle = (zone: Zone) => (zone === 'package' ? NODE_IDLE_PACKAGE_WATTS : NODE_IDLE_DRAM_WATTS);

  lines.push('# HELP kepler_node_cpu_joules_total Energy consumption of cpu at node level in joules');
  lines.push('# TYPE kepler_node_cpu_joules_total counter');
  for (const zone of zones) {
    const total =
      idle(zone) * seconds +
      finishedJoules[zone] +
      pods.reduce((sum, pod) => sum + podJoules(pod, seconds)[zone], 0);
    lines.push(
      `kepler_node_cpu_joules_total{${labels({ node_name: nodeName, path, zone })}} ${number(total)}`,
    );
  }
  lines.push('# HELP kepler_node_cpu_watts Power consumption of cpu at node level in watts');
  lines.push('# TYPE kepler_node_cpu_watts gauge');
  for (const zone of zones) {
    const total =
      idle(zone) +
      pods.reduce(
        (sum, pod) => sum + watts(zoneWatts(pod, zone), runSeconds(pod, seconds), phaseOf(pod.uid)),
        0,
      );
    lines.push(`kepler_node_cpu_watts{${labels({ node_name: nodeName, path, zone })}} ${number(total)}`);
  }
  lines.push('# HELP kepler_node_cpu_usage_ratio CPU usage ratio of a node (value between 0.0 and 1.0)');
  lines.push('# TYPE kepler_node_cpu_usage_ratio gauge');
  lines.push(
    `kepler_node_cpu_usage_ratio{${labels({ node_name: nodeName })}} ${number(Math.min(0.95, 0.1 + pods.length * 0.08))}`,
  );

  const podLabels = (pod: DemoPod, zone: string) =>
    labels({
      node_name: nodeName,
      pod_id: pod.uid,
      pod_name: pod.name,
      pod_namespace: pod.namespace,
      state: 'running',
      zone,
    });
  lines.push('# HELP kepler_pod_cpu_joules_total Energy consumption of cpu at pod level in joules');
  lines.push('# TYPE kepler_pod_cpu_joules_total counter');
  for (const pod of pods) {
    for (const zone of zones) {
      const value = podJoules(pod, seconds)[zone];
      lines.push(`kepler_pod_cpu_joules_total{${podLabels(pod, zone)}} ${number(value)}`);
    }
  }
  lines.push('# HELP kepler_pod_cpu_watts Power consumption of cpu at pod level in watts');
  lines.push('# TYPE kepler_pod_cpu_watts gauge');
  for (const pod of pods) {
    for (const zone of zones) {
      const value = watts(zoneWatts(pod, zone), runSeconds(pod, seconds), phaseOf(pod.uid));
      lines.push(`kepler_pod_cpu_watts{${podLabels(pod, zone)}} ${number(value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

async function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

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
  private readonly running = new Map<string, DemoPod>();
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
      const used = podJoules(known, seconds);
      const before = this.finished.get(known.nodeName) ?? { dram: 0, package: 0 };
      this.finished.set(known.nodeName, {
        dram: before.dram + used.dram,
        package: before.package + used.package,
      });
    }
  }

  podsOn(nodeName: string): DemoPod[] {
    return [...this.running.values()].filter((p) => p.nodeName === nodeName);
  }

  exposition(nodeName: string, seconds: number): string {
    return nodeExposition(
      nodeName,
      this.podsOn(nodeName),
      seconds,
      this.finished.get(nodeName) ?? { dram: 0, package: 0 },
    );
  }
}

/**
 * Starts one HTTPS endpoint per node and a pod watch feeding them. Resolves once the watch has
 * listed the pods, so the first scrape already sees what runs.
 */
export async function startSimulatedKepler(options: {
  kubeConfig: KubeConfig;
  nodes: string[];
  certPem: string;
  keyPem: string;
  /** Seconds the node counters have already run at start, so that they are not all near zero. */
  uptimeSeconds?: number;
  /** Called when a pod's annotations cannot be read (its series are then missing). */
  onError?: (error: Error) => void;
}): Promise<SimulatedKepler> {
  const started = Date.now() - (options.uptimeSeconds ?? 3600) * 1000;
  const now = () => (Date.now() - started) / 1000;
  const nodes = [...new Set(options.nodes)].sort();
  const ledger = new RunningPodLedger(new Set(nodes));
  const informer = new SupervisedInformer<WatchedPod>({
    name: 'simulated-kepler-pods',
    kubeConfig: options.kubeConfig,
    path: '/api/v1/pods',
  });
  informer.on((type, pod) => {
    try {
      ledger.observe(pod, now(), type === 'delete');
    } catch (error) {
      (options.onError ?? (() => undefined))(error as Error);
    }
  });
  informer.start();
  await informer.waitForSync();

  const servers: Server[] = [];
  const urls: string[] = [];
  for (const node of nodes) {
    const server = createServer({ cert: options.certPem, key: options.keyPem }, (request, response) => {
      if (request.method !== 'GET' || !request.url?.startsWith('/metrics')) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
        return;
      }
      const body = ledger.exposition(node, now());
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
    });
    const port = await listen(server);
    servers.push(server);
    urls.push(`https://127.0.0.1:${port}/metrics`);
  }
  return {
    urls,
    url: urls[0] ?? '',
    runningPods: (nodeName) => ledger.podsOn(nodeName),
    stop: async () => {
      informer.stop();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
