// The HTTP front end: MCP at /mcp, the same tools at POST /tools/{name}, OpenAPI + Swagger UI,
// probes and metrics. Guards run in this order: Host/Origin → rate limit → body limit → bearer auth.
//
// The tool calls are the traffic, and Express's router and body parser were about a fifth of the
// server's CPU under the 200-client load test (docs/benchmarks.md § 3). So a POST to exactly /mcp or
// /tools/<name> with an ordinary JSON body (fast-lane.ts says which) skips Express: the same guards
// and handlers run in the same order on Node's request and response, with the same answers. Every
// other request (and every unusual body: compressed, chunked, another charset) goes through Express.
import express, { type ErrorRequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallerAuthenticator } from '../auth/caller-authenticator.js';
import { createMcpServer, SERVER_VERSION } from '../server/create-mcp-server.js';
import type { FrontEndDeps } from '../server/server-context.js';
import { structuredJsonBytes } from '../answer-memo.js';
import { runTool } from '../tool-runner.js';
import { classifyToolFailure, type ToolFailure, type ToolOutcome } from '../tool-failure.js';
import { dashboardRouter } from './dashboard-page.js';
import { docsRouter } from './docs-page.js';
import { HttpMetrics } from './http-metrics.js';
import { bodiless, noBody, plainJsonBody, readJsonBody, runGuards } from './fast-lane.js';
import { mcpEndpoint } from './mcp-endpoint.js';
import { openApiDocument } from './openapi.js';
import { sendProblem, type Problem } from './problem.js';
import { rateLimiter } from './rate-limiter.js';
import type { SessionLimits } from './session-table.js';
import { bearerAuth, hostAndOriginGuard, type Guard, type GuardOptions } from './request-guards.js';
import { securityHeaders } from './security-headers.js';

export interface HttpAppOptions extends GuardOptions {
  authenticator: CallerAuthenticator;
  stateless: boolean;
  /** Requests per second per client; 0 disables the limit. */
  rateLimit_per_s: number;
  rateBurst: number;
  bodyLimit_bytes: number;
  /** Stateful mode: session caps (in total and per identity) and the idle timeout. */
  sessionLimits: SessionLimits;
  sessionIdle_ms: number;
  metrics?: HttpMetrics;
}

/** A failed tool call as RFC 9457 problem details: the status code and title of its class. */
function toolProblem(failure: ToolFailure): Problem {
  switch (failure.outcome) {
    case 'invalid':
      return {
        title: 'Invalid arguments',
        status: 400,
        detail: failure.error.message,
        field: failure.error.field,
      };
    case 'not_covered':
      return {
        title: 'Workload not covered',
        status: 404,
        detail: failure.error.message,
        example_policy: failure.error.examplePolicyYaml,
      };
    case 'unavailable':
      return { title: 'Cluster unavailable', status: 503, detail: failure.error.message };
    case 'no_data':
      return { title: 'Data not available', status: 422, detail: failure.error.message };
    case 'error':
      return { title: 'Internal error', status: 500, detail: 'the tool failed; see the server log' };
  }
}

export function createHttpApp(
  deps: FrontEndDeps,
  options: HttpAppOptions,
): {
  /** What the HTTP server runs: the fast lane for ordinary tool calls, Express for the rest. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  close: () => Promise<void>;
} {
  const metrics = options.metrics ?? new HttpMetrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);

  /** Times the request into the duration histogram under its route's name. */
  const timeRequest = (req: IncomingMessage, res: ServerResponse, route: string): void => {
    const end = metrics.requestDuration.startTimer();
    res.on('finish', () => {
      end({ route, method: req.method ?? '', code: String(res.statusCode) });
    });
  };
  app.use((req, res, next) => {
    const route = req.path.startsWith('/tools/')
      ? '/tools/{name}'
      : req.path.startsWith('/docs')
        ? '/docs'
        : req.path;
    const known = ['/mcp', '/tools/{name}', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics'];
    timeRequest(req, res, known.includes(route) ? route : 'other');
    next();
  });

  // Probes and metrics answer before the Host check: kubelet and Prometheus use pod IPs as Host.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const ready = deps.policyStatus.isReady();
    res
      .status(ready ? 200 : 503)
      .json({ ready, source: deps.policyStatus.description, policies: deps.policyStatus.list().length });
  });
  app.get('/metrics', async (_req, res) => {
    metrics.cachedPolicies.set(deps.policyStatus.list().length);
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // The guards before the body is read, in order (Express and the fast lane run the same list).
  const guards: Guard[] = [hostAndOriginGuard(options)];
  if (options.rateLimit_per_s > 0) guards.push(rateLimiter(options.rateLimit_per_s, options.rateBurst));
  for (const guard of guards) app.use(guard);

  const json = express.json({
    limit: options.bodyLimit_bytes,
    type: ['application/json', 'application/*+json'],
  });
  const auth = bearerAuth(options.authenticator, deps.logger);

  const endpoint = mcpEndpoint({
    createServer: () =>
      createMcpServer({
        ...deps,
        observeToolCall: (tool, outcome) => metrics.toolCalls.inc({ tool, transport: 'mcp', outcome }),
      }),
    stateless: options.stateless,
    logger: deps.logger,
    sessionLimits: options.sessionLimits,
    sessionIdle_ms: options.sessionIdle_ms,
    onSessionCountChange: (n) => metrics.sessions.set(n),
  });
  app.use('/mcp', json, auth);
  app.use(endpoint.router);

  const byName = new Map(deps.tools.map((t) => [t.name, t]));
  app.post('/tools/:name', json, auth, (req, res) => answerTool(String(req.params.name), req, res, req.body));
  async function answerTool(
    name: string,
    req: IncomingMessage,
    res: ServerResponse,
    args: unknown,
  ): Promise<void> {
    const tool = byName.get(name);
    if (!tool) {
      sendProblem(res, {
        title: 'Unknown tool',
        status: 404,
        detail: `no tool "${name}"; tools: ${[...byName.keys()].join(', ')}`,
      });
      return;
    }
    const outcome = (o: ToolOutcome) => metrics.toolCalls.inc({ tool: name, transport: 'rest', outcome: o });
    try {
      const answer = await runTool(tool, args ?? {}, deps, req.auth ? { caller: req.auth } : {});
      outcome('ok');
      // Written directly: Express's res.json adds freshness and ETag work a tool answer never uses.
      // Encoded once per answer: a reused answer (answer-memo.ts) is sent as the same bytes.
      const body = structuredJsonBytes(answer);
      res
        .writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Language': answer.language,
          'Content-Length': body.length,
        })
        .end(body);
    } catch (error) {
      const failure = classifyToolFailure(error);
      outcome(failure.outcome);
      if (failure.outcome === 'error') {
        deps.logger.error({ err: error, tool: name }, 'REST tool call failed');
      }
      sendProblem(res, toolProblem(failure));
    }
  }

  // Documentation and the dashboard after the tool routes: Express tries layers in order, and the
  // tool calls are the traffic.
  const openapi = JSON.stringify(
    openApiDocument(deps.tools, { version: SERVER_VERSION, bearer: options.authenticator.mode !== 'none' }),
  );
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi);
  });
  app.use(docsRouter());
  app.use(dashboardRouter(deps, options.authenticator));

  app.use((_req, res) => {
    sendProblem(res, { title: 'Not found', status: 404, detail: 'see /openapi.json, /docs or /mcp' });
  });
  const sendError = (error: { status?: number; type?: string; message?: string }, res: ServerResponse) => {
    if (error.type === 'entity.too.large') {
      sendProblem(res, {
        title: 'Request body too large',
        status: 413,
        detail: `the limit is ${options.bodyLimit_bytes} bytes`,
      });
    } else if (error.type === 'entity.parse.failed') {
      sendProblem(res, {
        title: 'Invalid JSON',
        status: 400,
        detail: 'the request body is not valid JSON',
        field: '(body)',
      });
    } else {
      deps.logger.error({ err: error }, 'HTTP request failed');
      const status =
        error.status !== undefined && error.status >= 400 && error.status < 600 ? error.status : 500;
      // Client errors say what was wrong; server errors keep internal text in the log.
      sendProblem(res, {
        title: 'Error',
        status,
        detail: status < 500 ? (error.message ?? 'error') : 'the request failed; see the server log',
      });
    }
  };
  const errors: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, _next) =>
    sendError(error, res);
  app.use(errors);

  /** An ordinary tool call without Express: same guards, same order, same handlers, same errors. */
  const fastLane = (req: IncomingMessage, res: ServerResponse, toolName: string | undefined): void => {
    // What Express's error handler does with an error a step throws (a defect: none is expected).
    const failed = (error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(error as { status?: number; type?: string; message?: string }, res);
    };
    const step = (run: () => void) => {
      try {
        run();
      } catch (error) {
        failed(error);
      }
    };
    step(() => {
      securityHeaders(req, res, () => {});
      timeRequest(req, res, toolName === undefined ? '/mcp' : '/tools/{name}');
      runGuards(guards, req, res, () =>
        (bodiless(req) ? noBody : readJsonBody)(req, (error, body) =>
          step(() => {
            if (error) return sendError(error, res);
            auth(req, res, () =>
              step(() => {
                if (toolName === undefined) endpoint.handle(req, res, body);
                else answerTool(toolName, req, res, body).catch(failed);
              }),
            );
          }),
        ),
      );
    });
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    // A session's end: no body to read (express.json leaves the body undefined).
    if (req.method === 'DELETE' && url === '/mcp' && bodiless(req)) return fastLane(req, res, undefined);
    if (req.method === 'POST' && plainJsonBody(req, options.bodyLimit_bytes)) {
      if (url === '/mcp') return fastLane(req, res, undefined);
      if (url.startsWith('/tools/') && /^[A-Za-z0-9_-]+$/.test(url.slice('/tools/'.length))) {
        return fastLane(req, res, url.slice('/tools/'.length));
      }
    }
    app(req, res);
  };
  return { handler, close: endpoint.close };
}
