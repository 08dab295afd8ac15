// Streamable HTTP at /mcp. Stateful: one McpServer + transport per session (Mcp-Session-Id), idle
// sessions closed after a while and their number capped. Stateless (--stateless): a fresh server
// per request, so any replica can answer any request.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import express, { type Request, type Response, type Router } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';

export interface McpEndpointOptions {
  createServer: () => McpServer;
  stateless: boolean;
  logger: Logger;
  maxSessions?: number;
  sessionIdle_ms?: number;
  onSessionCountChange?: (count: number) => void;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeen_ms: number;
}

function jsonRpcError(res: Response, httpStatus: number, code: number, message: string): void {
  res.status(httpStatus).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

export function mcpEndpoint(options: McpEndpointOptions): { router: Router; close: () => Promise<void> } {
  const router = express.Router();
  const sessions = new Map<string, Session>();
  const maxSessions = options.maxSessions ?? 1000;
  const idle_ms = options.sessionIdle_ms ?? 30 * 60_000;
  const changed = () => options.onSessionCountChange?.(sessions.size);

  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - idle_ms;
      for (const session of [...sessions.values()]) {
        if (session.lastSeen_ms < cutoff) void session.transport.close();
      }
    },
    Math.min(idle_ms, 60_000),
  );
  sweep.unref();

  async function handleStateless(req: Request, res: Response): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      jsonRpcError(res, 405, -32000, 'Method not allowed: this server runs stateless (POST only)');
      return;
    }
    const server = options.createServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  async function handleStateful(req: Request, res: Response): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) {
        // 404 tells the client to initialise again (the session ended or lives on another replica).
        jsonRpcError(res, 404, -32001, 'Session not found');
        return;
      }
      session.lastSeen_ms = Date.now();
      await session.transport.handleRequest(req, res, req.body);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
      jsonRpcError(res, 400, -32000, 'Bad Request: no valid Mcp-Session-Id header (send initialize first)');
      return;
    }
    if (sessions.size >= maxSessions) {
      jsonRpcError(
        res,
        503,
        -32000,
        `Too many sessions (${maxSessions}); close idle sessions with DELETE /mcp`,
      );
      return;
    }
    const server = options.createServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen_ms: Date.now() });
        changed();
      },
    });
    transport.onclose = () => {
      if (transport.sessionId && sessions.delete(transport.sessionId)) changed();
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
      await Promise.all([...sessions.values()].map((s) => s.transport.close()));
      sessions.clear();
    },
  };
}
