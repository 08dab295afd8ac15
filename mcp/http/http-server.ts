// The Node HTTP server under the app, with limits on how long a client may take to send its
// request and how many connections it may hold open. Without them Node waits up to its 300 s
// request timeout (checked every 30 s), and a slow client (one header byte per second, a trickled
// body) holds a socket for minutes.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { turnBudgeted } from './turn-budget.js';

export interface HttpServerLimits {
  /** Time allowed to receive the request headers. */
  headersTimeout_ms: number;
  /** Time allowed to receive the whole request (headers and body); includes headersTimeout. */
  requestTimeout_ms: number;
  /** Open connections at once; further connections are closed at once. */
  maxConnections: number;
}

/**
 * Handler work per event-loop turn before the turn yields to accept connections and read sockets
 * (turn-budget.ts). 200 clients connecting at once (e2e/resilience/mcp-load.itest.ts, load average
 * 13-16 on 2 cores): the last first answer came after 7.8-9.6 s with no budget, 2.1 s with 10 ms,
 * 0.85 s with 2 ms, at the same throughput. A turn's fixed cost (one epoll_wait) is microseconds.
 */
const TURN_BUDGET_MS = 2;

/** How often Node checks the two timeouts above (its default is 30 s, which would add up to 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

export async function listenWithLimits(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
  host: string,
  limits: HttpServerLimits,
): Promise<http.Server> {
  if (limits.headersTimeout_ms > limits.requestTimeout_ms) {
    throw new Error('the headers timeout must not exceed the request timeout');
  }
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeout_ms,
      requestTimeout: limits.requestTimeout_ms,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    turnBudgeted(handler, TURN_BUDGET_MS),
  );
  server.maxConnections = limits.maxConnections;
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}
