// The fast lane (an ordinary JSON POST to /mcp or /tools/<name> answered without Express) gives the
// same answers as Express: each request below is sent twice to the same app, once with a
// Content-Length (the fast lane takes it) and once chunked (plainJsonBody refuses it, so Express's
// routes and body parser answer), and the two answers must agree in status, headers and body.
import pino from 'pino';
import { request } from 'node:http';
import { samplePolicies } from '../../hack/testenv/sample-policies.js';
import { startLoopbackHttpApp, type LoopbackHttpApp } from '../../hack/testenv/loopback-http-app.js';
import { testReferenceData } from '../../hack/testenv/test-reference-data.js';
import { mcpInitializeBody } from '../../hack/testenv/raw-http.js';
import { allowAllNamespaces } from '../auth/namespace-authoriser.js';
import { StaticTokenAuthenticator } from '../auth/static-token-authenticator.js';
import { InMemoryPolicyReader } from '../status/in-memory-policy-reader.js';
import { toolCatalogue } from '../tools/catalogue.js';
import { plainJsonBody } from './fast-lane.js';
import type { IncomingMessage } from 'node:http';

const TOKEN = 'a-test-token-of-enough-length';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Headers that differ between any two answers (time, connection) or per session. */
const VARYING = ['date', 'connection', 'keep-alive', 'transfer-encoding', 'mcp-session-id'];

function send(
  base: string,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
  chunked: boolean,
  method = 'POST',
): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        // A DELETE sent without a length has no body (the fast lane's); chunked, Express's.
        headers: chunked
          ? { ...headers, 'transfer-encoding': 'chunked' }
          : method === 'DELETE'
            ? headers
            : { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const kept = Object.fromEntries(
            Object.entries(res.headers).filter(([name]) => !VARYING.includes(name)),
          );
          resolve({ status: res.statusCode ?? 0, headers: kept, body: Buffer.concat(chunks).toString() });
        });
      },
    );
    req.on('error', reject);
    if (body.length > 0) req.write(body);
    req.end();
  });
}

describe('the fast lane answers as Express does', () => {
  let app: LoopbackHttpApp;
  beforeAll(async () => {
    app = await startLoopbackHttpApp(
      {
        policyStatus: new InMemoryPolicyReader(samplePolicies()),
        authoriser: allowAllNamespaces,
        tools: toolCatalogue,
        reference: testReferenceData,
        logger: pino({ level: 'silent' }),
      },
      { authenticator: new StaticTokenAuthenticator(TOKEN), stateless: false },
    );
  });
  afterAll(async () => {
    await app.stop();
  });

  const json = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
  const mcp = {
    ...json,
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
  };
  const assess = JSON.stringify({ workload_name: 'ml-training-job', namespace: 'ai-team' });
  const cases: Array<[string, string, string | Buffer, Record<string, string>]> = [
    ['a REST tool call', '/tools/assess_workload_compliance', assess, json],
    ['the list tool', '/tools/list_workloads_by_compliance', '{"namespace":"web"}', json],
    [
      'charset=utf-8',
      '/tools/assess_workload_compliance',
      assess,
      { ...json, 'content-type': 'application/json; charset=utf-8' },
    ],
    [
      'a byte-order mark',
      '/tools/assess_workload_compliance',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(assess)]),
      json,
    ],
    ['whitespace first', '/tools/assess_workload_compliance', `\r\n ${assess}`, json],
    [
      'an uncovered workload',
      '/tools/assess_workload_compliance',
      '{"workload_name":"x","namespace":"ai-team"}',
      json,
    ],
    ['bad arguments', '/tools/assess_workload_compliance', '{"workload_name":1}', json],
    ['an empty body', '/tools/assess_workload_compliance', '', json],
    ['invalid JSON', '/tools/assess_workload_compliance', '{"workload_name":', json],
    ['JSON that is not an object or array', '/tools/assess_workload_compliance', '"text"', json],
    ['an unknown tool', '/tools/no_such_tool', '{}', json],
    ['no token', '/tools/assess_workload_compliance', assess, { 'content-type': 'application/json' }],
    [
      'a wrong token',
      '/tools/assess_workload_compliance',
      assess,
      { ...json, authorization: `Bearer ${'x'.repeat(20)}` },
    ],
    ['a foreign Host', '/tools/assess_workload_compliance', assess, { ...json, host: 'evil.example' }],
    ['a foreign Origin', '/mcp', mcpInitializeBody('fast-lane'), { ...mcp, origin: 'http://evil.example' }],
    ['MCP initialize', '/mcp', mcpInitializeBody('fast-lane'), mcp],
    ['MCP without a session', '/mcp', '{"jsonrpc":"2.0","id":1,"method":"tools/list"}', mcp],
    [
      'MCP with an unknown session',
      '/mcp',
      '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      { ...mcp, 'mcp-session-id': 'nope' },
    ],
    ['MCP not accepting SSE', '/mcp', mcpInitializeBody('fast-lane'), { ...mcp, accept: 'application/json' }],
    ['MCP invalid JSON', '/mcp', '{', mcp],
  ];

  test.each(cases)('%s', async (_name, path, body, headers) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const fast = await send(app.base, path, bytes, headers, false);
    const viaExpress = await send(app.base, path, bytes, headers, true);
    // Content-Length is absent from neither: both lanes answer with a length, not chunked.
    expect(fast.headers['content-length']).toBeDefined();
    expect({ ...fast, headers: { ...fast.headers } }).toEqual(viaExpress);
  });

  test('a tool call in a session gets the same answer in both lanes', async () => {
    const init = async (chunked: boolean) =>
      new Promise<string>((resolve, reject) => {
        const body = Buffer.from(mcpInitializeBody('fast-lane'));
        const req = request(
          new URL('/mcp', app.base),
          {
            method: 'POST',
            headers: chunked
              ? { ...mcp, 'transfer-encoding': 'chunked' }
              : { ...mcp, 'content-length': String(body.length) },
          },
          (res: IncomingMessage) => {
            res.resume();
            res.on('end', () => resolve(String(res.headers['mcp-session-id'])));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'assess_workload_compliance', arguments: JSON.parse(assess) as object },
    });
    const fastSession = await init(false);
    const expressSession = await init(true);
    // The same request in each lane's own session: plain (fast lane) and chunked (Express).
    const inBothSessions = async (body: Buffer, method?: string) => {
      const inSession = (session: string, chunked: boolean) =>
        send(app.base, '/mcp', body, { ...mcp, 'mcp-session-id': session }, chunked, method);
      return [await inSession(fastSession, false), await inSession(expressSession, true)] as const;
    };
    const [fast, viaExpress] = await inBothSessions(Buffer.from(call));
    expect(fast.status).toBe(200);
    expect(fast.body).toContain('"structuredContent"');
    expect(fast).toEqual(viaExpress);

    // Ending the session, and ending it again (404), answer alike too.
    for (let round = 0; round < 2; round += 1) {
      const [ended, endedViaExpress] = await inBothSessions(Buffer.alloc(0), 'DELETE');
      expect(ended.status).toBe(round === 0 ? 200 : 404);
      expect(ended).toEqual(endedViaExpress);
    }
  });
});

test('plainJsonBody takes only what express.json reads as plain UTF-8 JSON within the limit', () => {
  const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  const ok = { 'content-type': 'application/json', 'content-length': '10' };
  expect(plainJsonBody(req(ok), 10)).toBe(true);
  expect(plainJsonBody(req({ ...ok, 'content-type': 'application/vnd.api+json; charset=UTF-8' }), 10)).toBe(
    true,
  );
  expect(plainJsonBody(req({ ...ok, 'content-length': '11' }), 10)).toBe(false);
  expect(plainJsonBody(req({ 'content-type': 'application/json' }), 10)).toBe(false);
  expect(plainJsonBody(req({ ...ok, 'transfer-encoding': 'chunked' }), 10)).toBe(false);
  expect(plainJsonBody(req({ ...ok, 'content-encoding': 'gzip' }), 10)).toBe(false);
  expect(plainJsonBody(req({ ...ok, 'content-type': 'application/json; charset=latin1' }), 10)).toBe(false);
  expect(plainJsonBody(req({ ...ok, 'content-type': 'text/plain' }), 10)).toBe(false);
  expect(plainJsonBody(req({ ...ok, 'content-type': 'application/json; foo=bar' }), 10)).toBe(false);
});
