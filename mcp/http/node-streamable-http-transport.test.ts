// The Node Streamable HTTP transport on a real loopback HTTP server, driven by the official SDK
// client (StreamableHTTPClientTransport) and by raw requests for the specification's error answers.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { NodeStreamableHttpTransport } from './node-streamable-http-transport.js';

const PROTOCOL = '2025-06-18';
const ACCEPT = 'application/json, text/event-stream';

function toolServer(): McpServer {
  const server = new McpServer({ name: 'transport-test', version: '1' });
  server.registerTool(
    'echo',
    { description: 'echo', inputSchema: { text: z.string() }, outputSchema: { text: z.string() } },
    async ({ text }, extra) => {
      const token = extra._meta?.progressToken;
      if (token !== undefined) {
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: 1, total: 2 },
        });
      }
      return { content: [{ type: 'text', text }], structuredContent: { text } };
    },
  );
  server.registerResource('note', 'test://note', { mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, text: 'note' }],
  }));
  return server;
}

/**
 * A stateful (sessions), stateless (one server and transport per request) or shared (stateless, one
 * server and transport for every client) MCP endpoint.
 */
async function endpoint(mode: 'stateful' | 'stateless' | 'shared') {
  const stateless = mode !== 'stateful';
  const sessions = new Map<string, { transport: NodeStreamableHttpTransport; server: McpServer }>();
  const shared =
    mode === 'shared'
      ? new NodeStreamableHttpTransport({ sessionIdGenerator: undefined, shareAcrossClients: true })
      : undefined;
  const sharedServer = toolServer();
  if (shared) await sharedServer.connect(shared);
  const http: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      void (async () => {
        const body: unknown = raw === '' ? undefined : JSON.parse(raw);
        if (shared) return shared.handleRequest(req, res, body);
        const id = req.headers['mcp-session-id'];
        // Anything but an initialize goes to a session's transport, also with a wrong or missing
        // session id (to the newest session then), so that the transport's own checks answer.
        const initialize = (body as { method?: string } | undefined)?.method === 'initialize';
        const existing =
          (typeof id === 'string' ? sessions.get(id) : undefined) ??
          (initialize ? undefined : [...sessions.values()].at(-1));
        if (existing) return existing.transport.handleRequest(req, res, body);
        const server = toolServer();
        const transport: NodeStreamableHttpTransport = new NodeStreamableHttpTransport({
          sessionIdGenerator: stateless ? undefined : () => `session-${sessions.size + 1}`,
          onsessioninitialized: (sessionId) => sessions.set(sessionId, { transport, server }),
        });
        await server.connect(transport);
        await transport.handleRequest(req, res, body);
      })();
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  return {
    url,
    sessions,
    close: async () => {
      await Promise.all([...sessions.values()].map((s) => s.transport.close()));
      await shared?.close();
      http.closeAllConnections();
      http.close();
    },
  };
}

async function rawInitialize(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(((await response.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe(
    PROTOCOL,
  );
  return response.headers.get('mcp-session-id')!;
}

describe('NodeStreamableHttpTransport (stateful)', () => {
  let server: Awaited<ReturnType<typeof endpoint>>;
  beforeEach(async () => {
    server = await endpoint('stateful');
  });
  afterEach(async () => {
    await server.close();
  });

  test('the SDK client initialises, calls a tool (JSON answer) and gets progress (SSE answer)', async () => {
    const client = new Client({ name: 'sdk-client', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(server.url));
    await client.connect(transport);
    expect(transport.sessionId).toBe('session-1');

    const plain = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
    expect(plain.structuredContent).toEqual({ text: 'hello' });

    const progress: number[] = [];
    const streamed = await client.callTool({ name: 'echo', arguments: { text: 'again' } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(streamed.structuredContent).toEqual({ text: 'again' });
    expect(progress).toEqual([1]);

    // Bad arguments are the SDK's own answer (an error result naming the field), unchanged.
    const bad = await client.callTool({ name: 'echo', arguments: { text: 5 } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('text');
    await client.close();
  });

  test('server notifications tied to no request go to the GET stream the SDK client opens', async () => {
    const client = new Client({ name: 'sdk-client', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(server.url));
    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(ResourceListChangedNotificationSchema, () => resolve()),
    );
    await client.connect(transport);
    const session = server.sessions.get(transport.sessionId!)!;
    // The client opens its GET stream after initialize; send until it is there to receive.
    const sender = setInterval(() => session.server.sendResourceListChanged(), 20);
    await changed;
    clearInterval(sender);
    await client.close();
  });

  test('a plain answer and a streamed one on the wire', async () => {
    const session = await rawInitialize(server.url);
    const headers = {
      'content-type': 'application/json',
      accept: ACCEPT,
      'mcp-session-id': session,
      'mcp-protocol-version': PROTOCOL,
    };
    const initialized = await fetch(server.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    expect(initialized.status).toBe(202);

    const call = (id: number, meta: object) =>
      fetch(server.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'x' }, _meta: meta },
        }),
      });
    const json = await call(1, {});
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toMatchObject({ id: 1, result: { structuredContent: { text: 'x' } } });

    const sse = await call(2, { progressToken: 'p' });
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    const events = (await sse.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { method?: string; id?: number });
    expect(events.map((e) => e.method ?? `answer ${e.id}`)).toEqual(['notifications/progress', 'answer 2']);

    // A batch of two requests: one JSON array holding both answers.
    const batch = await fetch(server.url, {
      method: 'POST',
      headers,
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 3, method: 'ping' },
        { jsonrpc: '2.0', id: 4, method: 'ping' },
      ]),
    });
    expect(((await batch.json()) as Array<{ id: number }>).map((a) => a.id).sort()).toEqual([3, 4]);
  });

  test("the specification's error answers", async () => {
    const session = await rawInitialize(server.url);
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const send = async (init: { method?: string; headers?: Record<string, string>; body?: string }) => {
      const response = await fetch(server.url, { method: 'POST', body: ping, ...init });
      const text = await response.text();
      return { status: response.status, text, allow: response.headers.get('allow') };
    };
    const good = { 'content-type': 'application/json', accept: ACCEPT, 'mcp-session-id': session };

    expect(await send({ headers: { ...good, accept: 'application/json' } })).toMatchObject({ status: 406 });
    expect(await send({ headers: { ...good, 'content-type': 'text/plain' } })).toMatchObject({ status: 415 });
    expect(
      await send({ headers: { 'content-type': 'application/json', accept: ACCEPT }, body: ping }),
    ).toMatchObject({ status: 400, text: expect.stringContaining('Mcp-Session-Id') as string });
    expect(await send({ headers: { ...good, 'mcp-session-id': 'someone-else' } })).toMatchObject({
      status: 404,
    });
    expect(await send({ headers: { ...good, 'mcp-protocol-version': '1999-01-01' } })).toMatchObject({
      status: 400,
      text: expect.stringContaining('Unsupported protocol version') as string,
    });
    expect(await send({ headers: good, body: JSON.stringify({ jsonrpc: '1.0', id: 1 }) })).toMatchObject({
      status: 400,
      text: expect.stringContaining('-32600') as string,
    });
    expect(await send({ headers: good, body: '[]' })).toMatchObject({ status: 400 });
    // Messages the SDK's Protocol would not take for requests are refused, never left unanswered.
    for (const body of [
      '{"jsonrpc":"2.0","id":1e+308,"method":"ping"}',
      '{"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":"not an object"}}',
    ]) {
      expect(await send({ headers: good, body })).toMatchObject({ status: 400 });
    }
    // MCP ids are strings or integers, never null or objects.
    expect(
      await send({ headers: good, body: JSON.stringify({ jsonrpc: '2.0', id: null, method: 'ping' }) }),
    ).toMatchObject({ status: 400 });
    expect(
      await send({
        headers: good,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 9,
          method: 'initialize',
          params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'x', version: '1' } },
        }),
      }),
    ).toMatchObject({ status: 400, text: expect.stringContaining('already initialized') as string });
    expect(await send({ method: 'PUT', headers: good })).toMatchObject({
      status: 405,
      allow: 'GET, POST, DELETE',
    });
    expect(await send({ headers: good })).toMatchObject({ status: 200 });

    // One standalone GET stream per session.
    const controller = new AbortController();
    const stream = await fetch(server.url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': session },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect(
      await send({ method: 'GET', headers: { ...good, accept: 'text/event-stream' }, body: undefined }),
    ).toMatchObject({ status: 409 });
    expect(
      await send({ method: 'GET', headers: { ...good, accept: 'application/json' }, body: undefined }),
    ).toMatchObject({ status: 406 });
    controller.abort();

    // DELETE ends the session: the transport answers 404 from then on.
    expect(await send({ method: 'DELETE', headers: good, body: undefined })).toMatchObject({ status: 200 });
    expect(await send({ headers: good })).toMatchObject({ status: 404 });
  });
});

describe('NodeStreamableHttpTransport (stateless)', () => {
  test('every request is answered by its own transport, with no session header', async () => {
    const server = await endpoint('stateless');
    try {
      const client = new Client({ name: 'sdk-client', version: '1' });
      const transport = new StreamableHTTPClientTransport(new URL(server.url));
      await client.connect(transport);
      expect(transport.sessionId).toBeUndefined();
      const result = await client.callTool({ name: 'echo', arguments: { text: 'stateless' } });
      expect(result.structuredContent).toEqual({ text: 'stateless' });
      await client.close();
    } finally {
      await server.close();
    }
  });
});

describe('NodeStreamableHttpTransport (stateless, one server for every client)', () => {
  test("clients' colliding request ids each get their own answer and progress", async () => {
    const server = await endpoint('shared');
    try {
      const clients = await Promise.all(
        ['a', 'b', 'c'].map(async (name) => {
          const client = new Client({ name, version: '1' });
          await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
          return { name, client };
        }),
      );
      // Every SDK client numbers its requests from 0: the ids collide on the one server.
      const answers = await Promise.all(
        clients.flatMap(({ name, client }) =>
          Array.from({ length: 5 }, async (_, i) => {
            const progress: number[] = [];
            const result = await client.callTool(
              { name: 'echo', arguments: { text: `${name}-${i}` } },
              undefined,
              i % 2 === 0 ? { onprogress: (p) => progress.push(p.progress) } : {},
            );
            return {
              expected: `${name}-${i}`,
              got: (result.structuredContent as { text: string }).text,
              progress,
            };
          }),
        ),
      );
      for (const answer of answers) expect(answer.got).toBe(answer.expected);
      expect(answers.filter((a) => a.progress.length === 1)).toHaveLength(9);
      await Promise.all(clients.map(({ client }) => client.close()));
    } finally {
      await server.close();
    }
  });

  test('client responses and cancellations name no request of the server: dropped, 202', async () => {
    const server = await endpoint('shared');
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT },
        body: JSON.stringify([
          { jsonrpc: '2.0', id: 1, result: {} },
          { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
        ]),
      });
      expect(response.status).toBe(202);
    } finally {
      await server.close();
    }
  });
});
