// Streamable HTTP at /mcp. Stateful: one McpServer + transport per session (Mcp-Session-Id), bound
// to the identity that created it (anyone else gets 404, as if it did not exist), idle sessions
// closed after a while, their number capped per identity and in total with least-recently-used
// eviction (session-table.ts). Stateless (--stateless): no session; one server answers every
// client's self-contained requests, so any replica can answer any request.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import express, { type Router } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { NodeStreamableHttpTransport } from './node-streamable-http-transport.js';
import { callerIdentity, SessionTable, type SessionLimits, type TrackedSession } from './session-table.js';

export interface McpEndpointOptions {
  createServer: () => McpServer;
  stateless: boolean;
  logger: Logger;
  sessionLimits: SessionLimits;
  sessionIdle_ms: number;
  onSessionCountChange?: (count: number) => void;
}

interface Session extends TrackedSession {
  transport: NodeStreamableHttpTransport;
  server: McpServer;
}

/** Written on Node's response with the headers Express's res.json wrote. */
function jsonRpcError(res: ServerResponse, httpStatus: number, code: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.statusCode = httpStatus;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export interface McpEndpoint {
  /** /mcp as an Express route (req.body from express.json). */
  router: Router;
  /** One request to /mcp, its body already parsed (the HTTP app's fast lane). */
  handle: (req: IncomingMessage, res: ServerResponse, body: unknown) => void;
  close: () => Promise<void>;
}

export function mcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const router = express.Router();
  const sessions = new SessionTable<Session>(options.sessionLimits);
  const idleMs = options.sessionIdle_ms;
  const changed = () => options.onSessionCountChange?.(sessions.size);

  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const session of [...sessions.values()]) {
        if (session.lastSeen_ms < cutoff && session.activeRequests === 0) void session.transport.close();
      }
    },
    Math.min(idleMs, 60_000),
  );
  sweep.unref();

  // Stateless: one McpServer and one transport for every client, built at the first request. Each
  // request carries everything (its auth, its arguments) and the transport keeps clients' request
  // ids apart, so there is nothing per client to build: building an McpServer per request cost
  // more than answering it.
  let shared: Promise<{ server: McpServer; transport: NodeStreamableHttpTransport }> | undefined;
  const sharedServer = () =>
    (shared ??= (async () => {
      const server = options.createServer();
      const transport = new NodeStreamableHttpTransport({
        sessionIdGenerator: undefined,
        shareAcrossClients: true,
      });
      await server.connect(transport);
      return { server, transport };
    })());

  async function handleStateless(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      jsonRpcError(res, 405, -32000, 'Method not allowed: this server runs stateless (POST only)');
      return;
    }
    const { transport } = await sharedServer();
    await transport.handleRequest(req, res, body);
  }

  async function handleStateful(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    const identity = callerIdentity(req.auth);
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      // 404 tells the client to initialise again (the session ended, was evicted, or lives on
      // another replica). Another identity's session gets the same answer: it is not theirs to
      // use or DELETE, and they learn nothing about it.
      if (!session || session.identity !== identity) {
        jsonRpcError(res, 404, -32001, 'Session not found');
        return;
      }
      sessions.touch(session, Date.now());
      session.activeRequests += 1;
      res.once('close', () => {
        session.activeRequests -= 1;
        session.lastSeen_ms = Date.now();
      });
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      jsonRpcError(res, 400, -32000, 'Bad Request: no valid Mcp-Session-Id header (send initialize first)');
      return;
    }
    const server = options.createServer();
    const transport: NodeStreamableHttpTransport = new NodeStreamableHttpTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        const evicted = sessions.admit({
          id,
          identity,
          transport,
          server,
          lastSeen_ms: Date.now(),
          activeRequests: 0,
        });
        for (const old of evicted) {
          options.logger.info(
            { session: old.id, idleMs: Date.now() - old.lastSeen_ms, reason: 'session limit' },
            'closed the least recently used MCP session to admit a new one',
          );
          void old.transport.close();
        }
        changed();
      },
    });
    transport.onclose = () => {
      if (transport.sessionId && sessions.get(transport.sessionId)?.transport === transport) {
        sessions.remove(transport.sessionId);
      }
      changed();
      void server.close();
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  const handle = (req: IncomingMessage, res: ServerResponse, body: unknown): void => {
    (options.stateless ? handleStateless : handleStateful)(req, res, body).catch((error: unknown) => {
      options.logger.error({ err: error }, 'MCP request failed');
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal error');
    });
  };
  router.all('/mcp', (req, res) => handle(req, res, req.body));

  return {
    router,
    handle,
    close: async () => {
      clearInterval(sweep);
      await Promise.all(sessions.values().map((s) => s.transport.close()));
      if (shared) {
        const { server, transport } = await shared;
        await transport.close();
        await server.close();
      }
    },
  };
}
