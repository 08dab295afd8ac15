// The e2e cluster's stand-in for Kepler: kind nodes are containers without RAPL, so real Kepler cannot
// measure them. This DaemonSet program serves, on each node, Kepler 0.11.4-format series for the pods
// scheduled there, with the demo's simulated power model (hack/testenv/simulated-kepler.ts): SIMULATED
// values, labelled so in the body. A pod's base package power comes from its annotation
// `e2e.carbon-aware.dev/package-watts` (pods without it are not exported).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { request } from 'node:https';
import { z } from 'zod';
import { nodeExposition, type SimulatedPod } from '../../hack/testenv/simulated-kepler.js';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const POWER_ANNOTATION = 'e2e.carbon-aware.dev/package-watts';

const environment = z
  .object({
    NODE_NAME: z.string().min(1),
    KUBERNETES_SERVICE_HOST: z.string().min(1),
    KUBERNETES_SERVICE_PORT: z.coerce.number().int().positive(),
    EXPORTER_PORT: z.coerce.number().int().positive().default(28282),
    REFRESH_SECONDS: z.coerce.number().positive().default(10),
  })
  .parse(process.env);

const podList = z.object({
  items: z.array(
    z.object({
      metadata: z.object({
        name: z.string(),
        namespace: z.string(),
        uid: z.string(),
        annotations: z.record(z.string(), z.string()).optional(),
      }),
      spec: z.object({ containers: z.array(z.object({ name: z.string() })) }),
      status: z.object({ phase: z.string().optional() }).optional(),
    }),
  ),
});

function getJson(path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: environment.KUBERNETES_SERVICE_HOST,
        port: environment.KUBERNETES_SERVICE_PORT,
        path,
        ca: readFileSync(`${SERVICE_ACCOUNT}/ca.crt`),
        headers: { authorization: `Bearer ${readFileSync(`${SERVICE_ACCOUNT}/token`, 'utf8').trim()}` },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200)
            reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
          else resolve(JSON.parse(body));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

let pods: SimulatedPod[] = [];

async function refreshPods(): Promise<void> {
  const selector = encodeURIComponent(`spec.nodeName=${environment.NODE_NAME}`);
  const list = podList.parse(await getJson(`/api/v1/pods?fieldSelector=${selector}`));
  pods = list.items
    .filter((p) => p.status?.phase === 'Running' && p.metadata.annotations?.[POWER_ANNOTATION])
    .map((p) => {
      const parsed = z.coerce.number().positive().safeParse(p.metadata.annotations![POWER_ANNOTATION]);
      if (!parsed.success) {
        throw new Error(
          `${p.metadata.namespace}/${p.metadata.name}: annotation ${POWER_ANNOTATION} must be a positive number of watts`,
        );
      }
      const packageWatts = parsed.data;
      return {
        namespace: p.metadata.namespace,
        name: p.metadata.name,
        uid: p.metadata.uid,
        nodeName: environment.NODE_NAME,
        containers: p.spec.containers.map((c) => c.name),
        workload: `Pod/${p.metadata.name}`,
        power: { package_watts: packageWatts, dram_watts: packageWatts / 8 },
      };
    });
}

// Counters start as if the exporter had run for an hour, like the demo's, so first scrapes are not near zero.
const started = Date.now() - 3600 * 1000;

async function main(): Promise<void> {
  await refreshPods();
  setInterval(() => {
    refreshPods().catch((e: unknown) =>
      console.error(JSON.stringify({ msg: 'pod refresh failed', error: String(e) })),
    );
  }, environment.REFRESH_SECONDS * 1000).unref();

  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/metrics')) {
      const body = nodeExposition(environment.NODE_NAME, pods, (Date.now() - started) / 1000);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
    } else if (req.url === '/healthz') {
      res.writeHead(200).end('ok\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
    }
  });
  server.listen(environment.EXPORTER_PORT, '0.0.0.0', () =>
    console.log(
      JSON.stringify({
        msg: 'simulated Kepler exporter listening',
        port: environment.EXPORTER_PORT,
        node: environment.NODE_NAME,
      }),
    ),
  );
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  console.error(JSON.stringify({ msg: 'exporter failed', error: String(e) }));
  process.exit(1);
});
