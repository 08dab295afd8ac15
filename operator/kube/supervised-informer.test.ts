// The supervisor against a scripted API server on loopback (node:http, the real client-node Watch
// on the client side): the faults a real kube-apiserver will not produce on demand — 410 Gone,
// 500s, a watch that goes silent — each with the recovery it must trigger.
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SupervisedInformer, type InformerEventType } from './supervised-informer.js';

interface Pod extends KubernetesObject {
  metadata: { name: string; namespace: string; resourceVersion: string };
}

type WatchBehaviour = (res: http.ServerResponse, query: URLSearchParams) => void;

class ScriptedApiServer {
  readonly server: http.Server;
  pods: Pod[] = [];
  resourceVersion = 10;
  lists = 0;
  watches: URLSearchParams[] = [];
  /** One behaviour per watch request, in order; the last one repeats. */
  watchScript: WatchBehaviour[] = [];
  private readonly open = new Set<http.ServerResponse>();

  constructor() {
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/api/v1/pods') {
        res.writeHead(404).end();
        return;
      }
      if (url.searchParams.get('watch') === 'true') {
        const behaviour = this.watchScript[Math.min(this.watches.length, this.watchScript.length - 1)];
        this.watches.push(url.searchParams);
        this.open.add(res);
        res.on('close', () => this.open.delete(res));
        behaviour!(res, url.searchParams);
        return;
      }
      this.lists += 1;
      // Paged as the API server pages (limit + continue; the token here is the next item's index).
      const limit = Number(url.searchParams.get('limit') ?? 0) || this.pods.length;
      const from = Number(url.searchParams.get('continue') ?? 0);
      const next = from + limit < this.pods.length ? String(from + limit) : undefined;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'PodList',
          metadata: { resourceVersion: String(this.resourceVersion), ...(next ? { continue: next } : {}) },
          items: this.pods.slice(from, from + limit),
        }),
      );
    });
  }

  async listen(): Promise<KubeConfig> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: `http://127.0.0.1:${port}`,
          skipTLSVerify: true /* plain http: client-node requires it */,
        },
      ],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return kc;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function pod(name: string, namespace: string, rv: number): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, resourceVersion: String(rv) } };
}

function send(res: http.ServerResponse, type: string, object: unknown): void {
  if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/json' });
  res.write(JSON.stringify({ type, object }) + '\n');
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SupervisedInformer', () => {
  let api: ScriptedApiServer;
  let informer: SupervisedInformer<Pod> | undefined;
  const events: Array<[InformerEventType, string]> = [];

  beforeEach(() => {
    api = new ScriptedApiServer();
    events.length = 0;
  });
  afterEach(async () => {
    informer?.stop();
    informer = undefined;
    await api.close();
  });

  async function startInformer(options: { watchdogMs?: number } = {}): Promise<SupervisedInformer<Pod>> {
    const kc = await api.listen();
    informer = new SupervisedInformer<Pod>({
      name: 'pods',
      kubeConfig: kc,
      path: '/api/v1/pods',
      backoff: { initialMs: 20, maxMs: 200 },
      watchdogMs: options.watchdogMs ?? 60_000,
    });
    informer.on((type, object) =>
      events.push([type, `${object.metadata.namespace}/${object.metadata.name}`]),
    );
    informer.start();
    await informer.waitForSync();
    return informer;
  }

  it('lists, then applies watch events to a cache indexed by namespace', async () => {
    api.pods = [pod('a', 'ns1', 5), pod('b', 'ns2', 6)];
    api.watchScript = [
      (res, query) => {
        expect(query.get('resourceVersion')).toBe('10');
        expect(query.get('allowWatchBookmarks')).toBe('true');
        send(res, 'ADDED', pod('c', 'ns1', 11));
        send(res, 'MODIFIED', pod('a', 'ns1', 12));
        send(res, 'DELETED', pod('b', 'ns2', 13));
        send(res, 'BOOKMARK', { kind: 'Pod', metadata: { resourceVersion: '14' } });
      },
    ];
    const inf = await startInformer();
    await waitFor(() => events.length === 5, 'five events');
    expect(events).toEqual([
      ['add', 'ns1/a'],
      ['add', 'ns2/b'],
      ['add', 'ns1/c'],
      ['update', 'ns1/a'],
      ['delete', 'ns2/b'],
    ]);
    expect(
      inf
        .list('ns1')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['a', 'c']);
    expect(inf.list('ns2')).toEqual([]);
    expect(inf.get('ns1', 'a')?.metadata.resourceVersion).toBe('12');
  });

  it('keeps the transformed objects of a paged list, each page transformed as it arrives', async () => {
    api.pods = Array.from({ length: 1_200 }, (_, i) => pod(`p${i}`, 'ns1', i + 1));
    api.watchScript = [() => undefined];
    const kc = await api.listen();
    // Which page request had been made when each object was transformed.
    const listsAtTransform: number[] = [];
    const slim = new SupervisedInformer<Pod>({
      name: 'pods',
      kubeConfig: kc,
      path: '/api/v1/pods',
      transform: (raw) => {
        listsAtTransform.push(api.lists);
        const p = raw as Pod;
        return {
          metadata: {
            name: p.metadata.name,
            namespace: p.metadata.namespace,
            resourceVersion: p.metadata.resourceVersion,
          },
        };
      },
    });
    informer = slim;
    slim.start();
    await slim.waitForSync();
    expect(api.lists).toBe(3);
    expect(slim.list('ns1')).toHaveLength(1_200);
    expect(slim.get('ns1', 'p1199')).toEqual({
      metadata: { name: 'p1199', namespace: 'ns1', resourceVersion: '1200' },
    });
    // The first page's objects were transformed before the second page was asked for.
    expect(listsAtTransform.slice(0, 500).every((n) => n === 1)).toBe(true);
    expect(listsAtTransform.at(-1)).toBe(3);
  });

  it('relists on 410 Gone and emits deletes for objects that vanished meanwhile', async () => {
    api.pods = [pod('a', 'ns1', 5), pod('b', 'ns1', 6)];
    api.watchScript = [
      (res) => {
        // The server compacted past our resourceVersion; meanwhile b was deleted and d created.
        api.pods = [pod('a', 'ns1', 5), pod('d', 'ns1', 20)];
        api.resourceVersion = 21;
        send(res, 'ERROR', {
          kind: 'Status',
          code: 410,
          reason: 'Expired',
          message: 'too old resource version',
        });
        res.end();
      },
      (res, query) => {
        expect(query.get('resourceVersion')).toBe('21');
        res.writeHead(200);
      },
    ];
    const inf = await startInformer();
    await waitFor(() => api.lists === 2 && api.watches.length === 2, 'relist and second watch');
    expect(inf.stats.relistsOn410).toBe(1);
    expect(
      inf
        .list('ns1')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['a', 'd']);
    expect(events).toEqual([
      ['add', 'ns1/a'],
      ['add', 'ns1/b'],
      ['add', 'ns1/d'],
      ['delete', 'ns1/b'],
    ]);
  });

  it('keeps retrying with growing backoff when the watch fails, then recovers', async () => {
    let failures = 3;
    api.watchScript = [
      (res) => {
        if (failures > 0) {
          failures -= 1;
          res.writeHead(500).end('boom');
          return;
        }
        send(res, 'ADDED', pod('late', 'ns1', 30));
      },
    ];
    const started = Date.now();
    const inf = await startInformer();
    await waitFor(() => inf.get('ns1', 'late') !== undefined, 'the event after three failures');
    expect(api.watches.length).toBe(4);
    expect(inf.stats.restarts).toBe(3);
    // 20 + 40 + 80 ms nominal, at least half of each with jitter.
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    // Every retry resumes from the last known resourceVersion instead of relisting.
    expect(api.lists).toBe(1);
  });

  it('a watchdog restarts a watch that went silent', async () => {
    api.watchScript = [
      (res) => {
        res.writeHead(200); // headers, then nothing: a half-dead connection
      },
      (res) => send(res, 'ADDED', pod('after-silence', 'ns1', 40)),
    ];
    const inf = await startInformer({ watchdogMs: 200 });
    await waitFor(() => inf.get('ns1', 'after-silence') !== undefined, 'the watch after the watchdog');
    expect(inf.stats.watchdogRestarts).toBeGreaterThanOrEqual(1);
  });

  it('retries the initial list when the API server is failing, and stop() ends everything', async () => {
    const kc = await api.listen();
    let listFailures = 2;
    const original = api.server.listeners('request')[0] as http.RequestListener;
    api.server.removeAllListeners('request');
    api.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!req.url?.includes('watch') && listFailures > 0) {
        listFailures -= 1;
        res.writeHead(503).end();
        return;
      }
      original(req, res);
    });
    api.watchScript = [(res) => res.writeHead(200)];
    informer = new SupervisedInformer<Pod>({
      name: 'pods',
      kubeConfig: kc,
      path: '/api/v1/pods',
      backoff: { initialMs: 10, maxMs: 50 },
    });
    const errors: string[] = [];
    informer.onError((e) => errors.push(e.message));
    informer.start();
    await informer.waitForSync();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('503');
    await waitFor(() => api.watches.length === 1, 'watch');
    informer.stop();
    const watchesAtStop = api.watches.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(api.watches.length).toBe(watchesAtStop);
  });
});
