// The smallest MCP server the official SDK makes, for bench/http.bench.ts to run beside ours under
// the same load: node:http, the SDK's own StreamableHTTPServerTransport (stateful, one session per
// client), and one tool, assess_workload_compliance, whose handler returns a fixed answer (the one our
// server gave for the benchmark's workload, read from the file in argv[2]). No guards, no auth, no
// metrics, no lookup: what is left is the SDK's HTTP and JSON-RPC path alone.
// Prints `listening on http://127.0.0.1:<port>` on stderr (as carbon-mcp does) once it listens.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

const answer = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as CallToolResult;
const transports = new Map<string, StreamableHTTPServerTransport>();

function sessionServer(): McpServer {
  const server = new McpServer({ name: 'sdk-minimal', version: '1.0.0' });
  server.registerTool(
    'assess_workload_compliance',
    {
      description: 'fixed answer',
      inputSchema: { workload_name: z.string(), namespace: z.string() },
    },
    () => answer,
  );
  return server;
}

const http = createServer((req, res) => {
  const id = req.headers['mcp-session-id'];
  const existing = typeof id === 'string' ? transports.get(id) : undefined;
  if (existing) {
    void existing.handleRequest(req, res);
    return;
  }
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (sessionId) => {
      transports.set(sessionId, transport);
    },
  });
  transport.onclose = () => {
    if (transport.sessionId) transports.delete(transport.sessionId);
  };
  void sessionServer()
    .connect(transport)
    .then(() => transport.handleRequest(req, res));
});
http.listen(0, '127.0.0.1', () => {
  process.stderr.write(`listening on http://127.0.0.1:${(http.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  http.close();
  process.exit(0);
});
