// Streamable HTTP at /mcp. Stateful: one McpServer + transport per session (Mcp-Session-Id), bound
// to the identity that created it (anyone else gets 404, as if it did not exist), idle sessions
// closed after a while, their number capped per identity and in total with least-recently-used
// eviction (session-table.ts). Stateless (--stateless): no session; one server answers every
// client's self-contained requests, so any replica can answer any request.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import express, { type Request, type Response, type Router } from 'express';
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

function jsonRpcError(res: Response, httpStatus: number, code: number, message: string): void {
  res.status(httpStatus).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

export function mcpEndpoint(options: McpEndpointOptions): { router: Router; close: () => Promise<void> } {
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

  async function handleStateless(req: Request, res: Response): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      jsonRpcError(res, 405, -32000, 'Method not allowed: this server runs stateless (POST only)');
      return;
    }
    const { transport } = await sharedServer();
    await transport.handleRequest(req, res, req.body);
  }

  async function handleStateful(req: Request, res: Response): Promise<void> {
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
      await session.transport.handleRequest(req, res, req.body);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
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
    await transport.handleRequest(req, res, req.body);
  }

  router.all('/mcp', (req, res) => {
    const handle = options.stateless ? handleStateless : handleStateful;
    handle(req, res).catch((error: unknown) => {
      options.logger.error({ err: error }, 'MCP request failed');
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal error');
    });
  });

  return {
    router,
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
