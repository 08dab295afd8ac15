// The demo's stand-in for Kepler (the seed's "Kepler HTTPS proxy"): one HTTPS endpoint per demo node,
// serving Kepler 0.11.4-format series for that node's pods. Values are SIMULATED and say so: the
// build_info version ends in "-simulated" and the body starts with a comment saying it. Power follows
// a slow wave around each pod's base, and the joule counters are its exact integral, so they only grow.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DemoPod } from './demo-workloads.js';

export interface SimulatedKepler {
  /** One URL per node, e.g. https://127.0.0.1:40123/metrics. */
  urls: string[];
  /** The first URL, for messages. */
  url: string;
  stop(): Promise<void>;
}

const WAVE_PERIOD_S = 600;
const WAVE_DEPTH = 0.25;
const NODE_IDLE_PACKAGE_WATTS = 40;
const NODE_IDLE_DRAM_WATTS = 6;

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

/** The exposition text of one node at `seconds` since the exporter started. */
export function nodeExposition(nodeName: string, pods: DemoPod[], seconds: number): string {
  const zones = ['dram', 'package'] as const;
  const zoneWatts = (pod: DemoPod, zone: (typeof zones)[number]) =>
    zone === 'package' ? pod.power.package_watts : pod.power.dram_watts;
  const path = '/host/sys/class/powercap/intel-rapl:0';
  const lines: string[] = [
    '# SIMULATED DATA: carbon-aware-kepler demo exporter in Kepler 0.11.4 format; not measured by Kepler.',
    "# HELP kepler_build_info A metric with a constant '1' value labeled with version information",
    '# TYPE kepler_build_info gauge',
    `kepler_build_info{${labels({ arch: 'amd64', branch: 'demo', goversion: 'simulated', revision: 'simulated', version: '0.11.4-simulated' })}} 1`,
  ];
  const nodeActive = (zone: (typeof zones)[number], f: (base: number, pod: DemoPod) => number) =>
    pods.reduce((sum, pod) => sum + f(zoneWatts(pod, zone), pod), 0);
  const idle = (zone: (typeof zones)[number]) =>
    zone === 'package' ? NODE_IDLE_PACKAGE_WATTS : NODE_IDLE_DRAM_WATTS;

  lines.push('# HELP kepler_node_cpu_joules_total Energy consumption of cpu at node level in joules');
  lines.push('# TYPE kepler_node_cpu_joules_total counter');
  for (const zone of zones) {
    const total =
      idle(zone) * seconds + nodeActive(zone, (base, pod) => joules(base, seconds, phaseOf(pod.uid)));
    lines.push(
      `kepler_node_cpu_joules_total{${labels({ node_name: nodeName, path, zone })}} ${number(total)}`,
    );
  }
  lines.push('# HELP kepler_node_cpu_watts Power consumption of cpu at node level in watts');
  lines.push('# TYPE kepler_node_cpu_watts gauge');
  for (const zone of zones) {
    const total = idle(zone) + nodeActive(zone, (base, pod) => watts(base, seconds, phaseOf(pod.uid)));
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
      const value = joules(zoneWatts(pod, zone), seconds, phaseOf(pod.uid));
      lines.push(`kepler_pod_cpu_joules_total{${podLabels(pod, zone)}} ${number(value)}`);
    }
  }
  lines.push('# HELP kepler_pod_cpu_watts Power consumption of cpu at pod level in watts');
  lines.push('# TYPE kepler_pod_cpu_watts gauge');
  for (const pod of pods) {
    for (const zone of zones) {
      const value = watts(zoneWatts(pod, zone), seconds, phaseOf(pod.uid));
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

export async function startSimulatedKepler(options: {
  pods: DemoPod[];
  certPem: string;
  keyPem: string;
  /** Seconds of history already "elapsed" at start, so counters are not all near zero. */
  uptimeSeconds?: number;
}): Promise<SimulatedKepler> {
  const started = Date.now() - (options.uptimeSeconds ?? 3600) * 1000;
  const nodes = [...new Set(options.pods.map((p) => p.nodeName))].sort();
  const servers: Server[] = [];
  const urls: string[] = [];
  for (const node of nodes) {
    const nodePods = options.pods.filter((p) => p.nodeName === node);
    const server = createServer({ cert: options.certPem, key: options.keyPem }, (request, response) => {
      if (request.method !== 'GET' || !request.url?.startsWith('/metrics')) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
        return;
      }
      const body = nodeExposition(node, nodePods, (Date.now() - started) / 1000);
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
    });
    const port = await listen(server);
    servers.push(server);
    urls.push(`https://127.0.0.1:${port}/metrics`);
  }
  return {
    urls,
    url: urls[0] ?? '',
    stop: async () => {
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
