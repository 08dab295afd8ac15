// The spawned carbon-mcp with its default limits, probed over raw sockets: a client that trickles
// its headers or its body is cut off within the request timeout (≤ 30 s for the whole request),
// connections beyond --max-connections are refused, every answer carries the security headers,
// and a 503 from an unreachable token reviewer keeps the internal cause out of the answer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policy } from '../../hack/testenv/sample-policies.js';
import { spawnFrontEnd, type SpawnedFrontEnd } from '../../hack/testenv/spawned-front-end.js';

const NS = 'limits';
const dir = mkdtempSync(join(tmpdir(), 'carbon-mcp-limits-'));
const statusFile = join(dir, 'status.json');
writeFileSync(
  statusFile,
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [policy(NS, 'carbon', [{ workload: 'api', namespace: NS, power_watts: 10 }])],
  }),
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Trickle {
  /** Milliseconds from the first byte sent until the server closed the connection. */
  closedAfter_ms: number;
  response: string;
}

/** Sends `head` at once, then one byte of `drip` per second, until the server closes the socket. */
function trickle(port: number, head: string, drip: string, giveUp_ms: number): Promise<Trickle> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    let sent = 0;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`the server still held the connection after ${giveUp_ms} ms`));
    }, giveUp_ms);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfter_ms: Date.now() - started, response });
    });
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (!socket.writable) return;
        socket.write(drip[sent % drip.length]!);
        sent += 1;
      }, 1000);
    });
  });
}

describe('HTTP limits of the front end (defaults)', () => {
  let server: SpawnedFrontEnd;
  beforeAll(async () => {
    server = await spawnFrontEnd(['--status-file', statusFile, '--rate-limit', '0']);
  });
  afterAll(() => server?.stop());

  test('trickled headers get 408 within the headers timeout, a trickled body within the request timeout', async () => {
    const [headers, body] = await Promise.all([
      trickle(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'x-slow: 1\r\n', 45_000),
      trickle(
        server.port,
        'POST /tools/list_workloads_by_compliance HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          'Content-Type: application/json\r\nContent-Length: 4096\r\n\r\n{"namespace":"',
        'a',
        45_000,
      ),
    ]);
    process.stderr.write(
      `FIGURE trickled_headers_closed_after_ms ${headers.closedAfter_ms} trickled_body_closed_after_ms ${body.closedAfter_ms}\n`,
    );
    expect(headers.response).toMatch(/^HTTP\/1\.1 408/);
    expect(headers.closedAfter_ms).toBeLessThanOrEqual(10_000 + 2_000);
    expect(body.response).toMatch(/^HTTP\/1\.1 408/);
    expect(body.closedAfter_ms).toBeLessThanOrEqual(30_000 + 2_000);
  }, 60_000);

  test('security headers on API answers and a strict Content-Security-Policy on /docs', async () => {
    for (const path of ['/openapi.json', '/tools/nope', '/healthz']) {
      const response = await fetch(`${server.url}${path}`, {
        method: path === '/tools/nope' ? 'POST' : 'GET',
      });
      await response.body?.cancel();
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
    const docs = await fetch(`${server.url}/docs`);
    await docs.text();
    const csp = docs.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
  });
});

describe('HTTP limits of the front end (configured)', () => {
  test('connections beyond --max-connections are closed at once; freed slots are usable again', async () => {
    const server = await spawnFrontEnd(['--status-file', statusFile, '--max-connections', '3']);
    const open = (): Promise<{ socket: net.Socket; refused: boolean }> =>
      new Promise((resolve) => {
        const socket = net.connect(server.port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.once('connect', () => {
          socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
          socket.once('data', () => resolve({ socket, refused: false }));
          socket.once('close', () => resolve({ socket, refused: true }));
        });
      });
    try {
      const held = [await open(), await open(), await open()];
      expect(held.map((h) => h.refused)).toEqual([false, false, false]);
      const fourth = await open();
      expect(fourth.refused).toBe(true);
      held[0]!.socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const again = await open();
      expect(again.refused).toBe(false);
      for (const h of [...held, again]) h.socket.destroy();
    } finally {
      await server.stop();
    }
  });

  test('a 503 from an unreachable token reviewer carries no internal error text', async () => {
    // A kubeconfig whose API server does not exist: every TokenReview fails to connect.
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const kubeconfig = join(dir, 'unreachable.kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${deadPort}` } }],
        users: [{ name: 'u', user: { token: 'server-token' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const server = await spawnFrontEnd(
      ['--status-file', statusFile, '--auth', 'kubernetes', '--audience', 'carbon-mcp'],
      { KUBECONFIG: kubeconfig },
    );
    try {
      const response = await fetch(`${server.url}/tools/list_workloads_by_compliance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer some-caller-token' },
        body: '{}',
      });
      const problem = (await response.json()) as { detail: string };
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(problem.detail).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|\d{4,5}|connect/);
      // The internal text goes to the log instead; the log line may follow the answer.
      for (let waited = 0; !/ECONNREFUSED/.test(server.stderr()) && waited < 5000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(server.stderr()).toMatch(/ECONNREFUSED/);
    } finally {
      await server.stop();
    }
  });
});
