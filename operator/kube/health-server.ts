// /healthz (the process and its watches are alive), /readyz (caches synced: a standby replica is
// ready too, it just does not write), /metrics (prom-client). Plain node:http: three routes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  /** Failing checks by name → message; empty = healthy. */
  liveness(): Record<string, string>;
  readiness(): Record<string, string>;
}

export class HealthServer {
  private server: http.Server | undefined;

  constructor(
    private readonly checks: HealthChecks,
    private readonly registry: Registry,
  ) {}

  async listen(port: number, host: string): Promise<number> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const failing = path === '/healthz' ? this.checks.liveness() : this.checks.readiness();
      const ok = Object.keys(failing).length === 0;
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(
        ok
          ? 'ok\n'
          : Object.entries(failing)
              .map(([k, v]) => `[-]${k}: ${v}`)
              .join('\n') + '\n',
      );
      return;
    }
    if (path === '/metrics') {
      try {
        const body = await this.registry.metrics();
        res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(body);
      } catch (error) {
        res.writeHead(500).end(String(error));
      }
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  }
}
