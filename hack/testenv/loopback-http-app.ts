// The front end's HTTP app (createHttpApp) on 127.0.0.1 for tests that need no separate process: no
// rate limit, a 64 KiB body limit, loopback as the only allowed host, three sessions (two per identity)
// idle for at most a minute. `options` overrides any of it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FrontEndDeps } from '../../mcp/server/server-context.js';
import { createHttpApp, type HttpAppOptions } from '../../mcp/http/http-app.js';

export interface LoopbackHttpApp {
  /** e.g. http://127.0.0.1:40123 */
  base: string;
  stop(): Promise<void>;
}

export async function startLoopbackHttpApp(
  deps: FrontEndDeps,
  options: Pick<HttpAppOptions, 'authenticator' | 'stateless'> & Partial<HttpAppOptions>,
): Promise<LoopbackHttpApp> {
  const app = createHttpApp(deps, {
    rateLimit_per_s: 0,
    rateBurst: 1,
    bodyLimit_bytes: 65_536,
    allowedHosts: ['127.0.0.1'],
    allowedOrigins: [],
    sessionLimits: { maxSessions: 3, maxSessionsPerIdentity: 2 },
    sessionIdle_ms: 60_000,
    ...options,
  });
  // The handler the server runs (the fast lane for ordinary tool calls, Express for the rest).
  const server: Server = createServer(app.handler).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      await app.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
