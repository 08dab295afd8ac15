// A Kepler 0.11-format endpoint over HTTPS whose failure mode the test switches at run time:
// ok, down (connection refused), slow (headers, then a body that never finishes), garbage (200 with
// bytes that are not the exposition format), huge (200 with a 50 MB body of plausible process series).
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { issueCertificate, makeCertificateAuthority } from './certificates.js';
import { nodeExposition, type SimulatedPod } from './simulated-kepler.js';

export type KeplerFault = 'ok' | 'down' | 'slow' | 'garbage' | 'huge';

export interface FaultyKepler {
  url: string;
  setMode(mode: KeplerFault): Promise<void>;
  /** Requests received per mode, for the test's figures. */
  requests: Record<KeplerFault, number>;
  stop(): Promise<void>;
}

const HUGE_BYTES = 50 * 1024 * 1024;

function hugeLine(i: number, node: string): string {
  return (
    `kepler_process_cpu_joules_total{comm="worker-${i}",container_id="",exe="/usr/bin/worker",node_name="${node}",` +
    `pid="${100000 + i}",state="running",type="regular",vm_id="",zone="package"} ${i * 1.5}\n`
  );
}

async function startFaultyKepler(options: {
  nodeName: string;
  pods: SimulatedPod[];
  certPem: string;
  keyPem: string;
}): Promise<FaultyKepler> {
  let mode: KeplerFault = 'ok';
  const started = Date.now() - 3600_000;
  const requests: Record<KeplerFault, number> = { ok: 0, down: 0, slow: 0, garbage: 0, huge: 0 };
  const sockets = new Set<Socket>();
  const slowTimers = new Set<NodeJS.Timeout>();
  // Responses that only end when the mode changes (slow) or that are long (huge).
  const inFlight = new Set<ServerResponse>();

  const server: Server = createServer({ cert: options.certPem, key: options.keyPem }, (request, response) => {
    requests[mode] += 1;
    if (mode === 'slow') {
      // Headers at once, then a trickle that never completes: only a client timeout ends it.
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.write('# HELP kepler_pod_cpu_joules_total Energy consumption of cpu at pod level in joules\n');
      const timer = setInterval(() => response.write('#\n'), 1000);
      slowTimers.add(timer);
      inFlight.add(response);
      response.on('close', () => {
        clearInterval(timer);
        slowTimers.delete(timer);
        inFlight.delete(response);
      });
      return;
    }
    if (mode === 'garbage') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(
        Buffer.concat([Buffer.from('kepler_pod_cpu_joules_total{pod_name="x" 12\n{{{\n'), randomBytes(4096)]),
      );
      return;
    }
    if (mode === 'huge') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      let sent = 0;
      let i = 0;
      const pump = () => {
        while (sent < HUGE_BYTES) {
          let chunk = '';
          while (chunk.length < 64 * 1024) chunk += hugeLine(i++, options.nodeName);
          sent += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      response.on('error', () => undefined);
      inFlight.add(response);
      response.on('close', () => inFlight.delete(response));
      pump();
      return;
    }
    const body = nodeExposition(options.nodeName, options.pods, (Date.now() - started) / 1000);
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const timer of slowTimers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  const port = await listen(0);
  return {
    url: `https://127.0.0.1:${port}/metrics`,
    requests,
    async setMode(next) {
      if (next === mode) return;
      if (next === 'down') await close();
      else if (mode === 'down') await listen(port);
      else for (const response of inFlight) response.destroy(); // end slow/huge responses in flight
      mode = next;
    },
    stop: close,
  };
}

/**
 * A faulty Kepler on 127.0.0.1 over HTTPS, its certificate issued by a CA made now in `pkiDir` (the
 * operator trusts `ca.certPath`). Every pod is reported on one node, so a fault hits the whole source.
 */
export async function startFaultyKeplerWithCa(
  pkiDir: string,
  caName: string,
  pods: SimulatedPod[],
): Promise<{ kepler: FaultyKepler; ca: { certPath: string } }> {
  const ca = makeCertificateAuthority(pkiDir, caName);
  const serving = issueCertificate(ca, { commonName: 'kepler', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const kepler = await startFaultyKepler({
    nodeName: 'demo-node-1',
    pods: pods.map((p) => ({ ...p, nodeName: 'demo-node-1' })),
    certPem: serving.certPem,
    keyPem: serving.keyPem,
  });
  return { kepler, ca };
}
