// A stand-in Kepler exporter for tests, resilience runs and the demo: serves Kepler 0.11-format text
// (names, labels and HELP as in v0.11.4) for a given set of pods, over HTTP or HTTPS. Values are
// SIMULATED and labelled so: kepler_build_info has version "<v>-simulated" and revision="simulated",
// and every HELP text says it. Each pod draws constant watts per zone; its joule counters are exactly
// watts × seconds since the exporter (re)started, so tests can compute expected energy by hand.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeExposition, type WritableFamily } from './exposition-writer.js';

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

type FixtureExporterMode =
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

export interface FixtureExporterOptions {
  pods: FixturePod[];
  /** Serve HTTPS with this certificate; `clientCaPem` makes the server demand a client certificate. */
  tls?: { certPem: string; keyPem: string; clientCaPem?: string };
  port?: number;
  host?: string;
  /** node_name label for pods without `node` and for the node series. */
  nodeName?: string;
  /** Require `Authorization: Bearer <token>`; answer 401 otherwise. A function is read per request. */
  bearerToken?: string | (() => string);
  /** Milliseconds since the epoch; tests pass a fake clock. */
  clock?: () => number;
  /** How long 'slow' holds a request before answering. Default 60 s. */
  slowMs?: number;
  /** Simulated node idle power per zone (node series only; Kepler never gives idle to pods). */
  nodeIdleWatts?: Record<string, number>;
  version?: string;
  /** Kepler's metrics level for workloads: 'pod' (default) exports kepler_pod_cpu_*; 'container'
   * (Kepler run with --metrics=node,container) exports only kepler_container_cpu_*, which carry the pod
   * UID (pod_id) and no pod name. */
  workloadLevel?: 'pod' | 'container';
}

export interface FixtureExporter {
  /** e.g. http://127.0.0.1:40123/metrics */
  url: string;
  port: number;
  setMode(mode: FixtureExporterMode): void;
  setPods(pods: FixturePod[]): void;
  /** Simulates a Kepler restart: every counter starts again from 0 now. */
  restartCounters(): void;
  /** The exposition the exporter would serve at `atMs` (default: now). */
  render(atMs?: number): string;
  /** Expected joules of a pod (all zones and GPUs) at `atMs`, by construction. */
  expectedPodJoules(uid: string, atMs?: number): number;
  /** Requests served so far and the last request's headers. */
  readonly stats: { requests: number; lastHeaders: IncomingMessage['headers'] | undefined };
  stop(): Promise<void>;
}

const SIMULATED = 'SIMULATED by the fixture exporter, not measured.';

export async function startFixtureExporter(options: FixtureExporterOptions): Promise<FixtureExporter> {
  const clock = options.clock ?? Date.now;
  const nodeName = options.nodeName ?? 'fixture-node';
  const version = options.version ?? 'v0.11.4';
  const idle = options.nodeIdleWatts ?? { package: 40, dram: 6 };
  let startedAtMs = clock();
  // Each pod's counters run from when it appeared (or from the last simulated Kepler restart).
  let pods = options.pods.map((p) => ({ ...p, sinceMs: startedAtMs }));
  let mode: FixtureExporterMode = 'ok';
  const stats: FixtureExporter['stats'] = { requests: 0, lastHeaders: undefined };
  const pending = new Set<ServerResponse>();

  const seconds = (atMs: number, sinceMs = startedAtMs): number => Math.max(0, (atMs - sinceMs) / 1000);

  const render = (atMs = clock()): string => {
    const s = seconds(atMs);
    const families: WritableFamily[] = [];
    families.push({
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
    });
    const zones = [...new Set(pods.flatMap((p) => Object.keys(p.watts)).concat(Object.keys(idle)))].sort();
    const nodes = [...new Set(pods.map((p) => p.node ?? nodeName).concat(nodeName))].sort();
    const nodeActive = (node: string, zone: string): number =>
      pods
        .filter((p) => (p.node ?? nodeName) === node && !p.terminated)
        .reduce((sum, p) => sum + (p.watts[zone] ?? 0), 0);
    const nodeFamily = (
      name: string,
      help: string,
      type: 'counter' | 'gauge',
      value: (node: string, zone: string) => number,
    ): WritableFamily => ({
      name,
      type,
      help: `${help} ${SIMULATED}`,
      samples: nodes.flatMap((node) =>
        zones.map((zone) => ({
          name,
          labels: [
            'node_name',
            node,
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
        (n, z) => nodeActive(n, z) * s,
      ),
      nodeFamily(
        'kepler_node_cpu_active_watts',
        'Power consumption of cpu in active state at node level in watts',
        'gauge',
        (n, z) => nodeActive(n, z),
      ),
      nodeFamily(
        'kepler_node_cpu_idle_joules_total',
        'Energy consumption of cpu in idle state at node level in joules',
        'counter',
        (_n, z) => (idle[z] ?? 0) * s,
      ),
      nodeFamily(
        'kepler_node_cpu_idle_watts',
        'Power consumption of cpu in idle state at node level in watts',
        'gauge',
        (_n, z) => idle[z] ?? 0,
      ),
      nodeFamily(
        'kepler_node_cpu_joules_total',
        'Energy consumption of cpu at node level in joules',
        'counter',
        (n, z) => (nodeActive(n, z) + (idle[z] ?? 0)) * s,
      ),
      nodeFamily(
        'kepler_node_cpu_watts',
        'Power consumption of cpu at node level in watts',
        'gauge',
        (n, z) => nodeActive(n, z) + (idle[z] ?? 0),
      ),
    );
    const sorted = [...pods].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
    const podFamily = (
      name: string,
      help: string,
      type: 'counter' | 'gauge',
      value: (p: FixturePod & { sinceMs: number }, zone: string) => number,
    ): WritableFamily => ({
      name,
      type,
      help: `${help} ${SIMULATED}`,
      samples: sorted.flatMap((p) =>
        Object.keys(p.watts)
          .sort()
          .map((zone) => ({
            name,
            labels: [
              'node_name',
              p.node ?? nodeName,
              'pod_id',
              p.uid,
              'pod_name',
              p.name,
              'pod_namespace',
              p.namespace,
              'state',
              p.terminated ? 'terminated' : 'running',
              'zone',
              zone,
            ],
            value: value(p, zone),
          })),
      ),
    });
    if (options.workloadLevel === 'container') {
      const containerFamily = (
        name: string,
        help: string,
        type: 'counter' | 'gauge',
        value: (p: FixturePod & { sinceMs: number }, zone: string) => number,
      ): WritableFamily => ({
        name,
        type,
        help: `${help} ${SIMULATED}`,
        samples: sorted.flatMap((p) =>
          Object.keys(p.watts)
            .sort()
            .map((zone) => ({
              name,
              labels: [
                'container_id',
                `ctr-${p.uid}`,
                'container_name',
                'main',
                'node_name',
                p.node ?? nodeName,
                'pod_id',
                p.uid,
                'runtime',
                'containerd',
                'state',
                p.terminated ? 'terminated' : 'running',
                'zone',
                zone,
              ],
              value: value(p, zone),
            })),
        ),
      });
      families.push(
        containerFamily(
          'kepler_container_cpu_joules_total',
          'Energy consumption of cpu at container level in joules',
          'counter',
          (p, z) => p.watts[z]! * seconds(atMs, p.sinceMs),
        ),
        containerFamily(
          'kepler_container_cpu_watts',
          'Power consumption of cpu at container level in watts',
          'gauge',
          (p, z) => (p.terminated ? 0 : p.watts[z]!),
        ),
      );
      return writeExposition(families);
    }
    families.push(
      podFamily(
        'kepler_pod_cpu_joules_total',
        'Energy consumption of cpu at pod level in joules',
        'counter',
        (p, z) => p.watts[z]! * seconds(atMs, p.sinceMs),
      ),
      podFamily('kepler_pod_cpu_watts', 'Power consumption of cpu at pod level in watts', 'gauge', (p, z) =>
        p.terminated ? 0 : p.watts[z]!,
      ),
    );
    const gpuFamily = (
      name: string,
      help: string,
      type: 'counter' | 'gauge',
      value: (p: FixturePod & { sinceMs: number }, gpu: string) => number,
    ): WritableFamily => ({
      name,
      type,
      help: `${help} ${SIMULATED}`,
      samples: sorted.flatMap((p) =>
        Object.keys(p.gpuWatts ?? {})
          .sort()
          .map((gpu) => ({
            name,
            labels: [
              'gpu',
              gpu,
              'node_name',
              p.node ?? nodeName,
              'pod_id',
              p.uid,
              'pod_name',
              p.name,
              'pod_namespace',
              p.namespace,
              'state',
              p.terminated ? 'terminated' : 'running',
            ],
            value: value(p, gpu),
          })),
      ),
    });
    if (pods.some((p) => Object.keys(p.gpuWatts ?? {}).length > 0)) {
      families.push(
        gpuFamily(
          'kepler_pod_gpu_joules_total',
          'Energy consumption of gpu at pod level in joules',
          'counter',
          (p, g) => p.gpuWatts![g]! * seconds(atMs, p.sinceMs),
        ),
        gpuFamily(
          'kepler_pod_gpu_watts',
          'Power consumption of gpu at pod level in watts',
          'gauge',
          (p, g) => (p.terminated ? 0 : p.gpuWatts![g]!),
        ),
      );
    }
    return writeExposition(families);
  };

  const expectedPodJoules = (uid: string, atMs = clock()): number => {
    const p = pods.find((x) => x.uid === uid);
    if (!p) return 0;
    const watts = Object.values(p.watts).concat(Object.values(p.gpuWatts ?? {}));
    return watts.reduce((sum, w) => sum + w, 0) * seconds(atMs, p.sinceMs);
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    stats.requests++;
    stats.lastHeaders = req.headers;
    if (mode === 'down') {
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
    if (req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    switch (mode) {
      case 'slow': {
        pending.add(res);
        const timer = setTimeout(() => {
          pending.delete(res);
          if (!res.writableEnded)
            res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(render());
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
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(render());
    }
  };

  let server: Server;
  if (options.tls) {
    server = createHttpsServer(
      {
        cert: options.tls.certPem,
        key: options.tls.keyPem,
        ...(options.tls.clientCaPem
          ? { ca: options.tls.clientCaPem, requestCert: true, rejectUnauthorized: true }
          : {}),
      },
      handler,
    );
  } else {
    server = createHttpServer(handler);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}/metrics`,
    port: address.port,
    setMode: (m) => {
      mode = m;
    },
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
    expectedPodJoules,
    stats,
    stop: async () => {
      for (const res of pending) res.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
