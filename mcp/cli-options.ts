// carbon-mcp's flags and environment variables, validated with zod. Flags win over env.
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const usage = `carbon-mcp: MCP server (stdio or Streamable HTTP) and REST API over CarbonCompliancePolicy status.

Usage: carbon-mcp [--http [--port 8000] [--host 127.0.0.1] [--stateless] [--auth none|token|kubernetes]
                  [--token-file FILE] [--audience AUD[,AUD2]] [--allowed-hosts h1,h2] [--allowed-origins o1,o2]
                  [--rate-limit 100] [--rate-burst 200] [--body-limit 65536] [--max-sessions 1000]
                  [--max-sessions-per-identity 100] [--session-idle-timeout 1800]
                  [--headers-timeout 10] [--request-timeout 30] [--max-connections 1000]] [--log-level info]
       carbon-mcp --check      verify the kubeconfig, the API server connection and RBAC, then exit
       carbon-mcp --version | --help

Default is stdio (logs on stderr). KUBECONFIG is honoured; in a Pod the service account is used.
Env: CARBON_MCP_HTTP, CARBON_MCP_PORT, CARBON_MCP_HOST, CARBON_MCP_STATELESS, CARBON_MCP_AUTH,
CARBON_MCP_TOKEN_FILE, CARBON_MCP_AUDIENCE, MCP_ALLOWED_HOSTS, MCP_ALLOWED_ORIGINS, CARBON_MCP_RATE_LIMIT, CARBON_MCP_RATE_BURST,
CARBON_MCP_BODY_LIMIT, CARBON_MCP_MAX_SESSIONS, CARBON_MCP_MAX_SESSIONS_PER_IDENTITY,
CARBON_MCP_SESSION_IDLE_TIMEOUT, CARBON_MCP_HEADERS_TIMEOUT, CARBON_MCP_REQUEST_TIMEOUT,
CARBON_MCP_MAX_CONNECTIONS, LOG_LEVEL,
STANDARDS_FILE, CARBON_MCP_STATUS_FILE (serve policies from a file instead of the cluster: demos, benchmarks).`;

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
);
const flag = z.union([
  z.boolean(),
  z.enum(['1', 'true', '0', 'false', '']).transform((v) => v === '1' || v === 'true'),
]);

const cliOptionsSchema = z.object({
  http: flag.default(false),
  port: z.coerce.number().int().min(0).max(65535).default(8000),
  host: z.string().min(1).default('127.0.0.1'),
  stateless: flag.default(false),
  auth: z.enum(['none', 'token', 'kubernetes']).optional(),
  tokenFile: z.string().min(1).optional(),
  /** kubernetes auth: audiences a caller's token must be issued for (TokenReview spec.audiences). */
  audience: list.pipe(z.array(z.string().min(1).max(253)).min(1)).optional(),
  allowedHosts: list.optional(),
  allowedOrigins: list.default([]),
  rateLimit: z.coerce.number().min(0).default(100),
  rateBurst: z.coerce.number().int().min(1).default(200),
  bodyLimit: z.coerce.number().int().min(1024).max(10_485_760).default(65_536),
  maxSessions: z.coerce.number().int().min(1).max(100_000).default(1000),
  maxSessionsPerIdentity: z.coerce.number().int().min(1).max(100_000).default(100),
  /** Seconds without a request after which a session is closed. */
  sessionIdleTimeout: z.coerce.number().int().min(10).max(86_400).default(1800),
  /** Seconds to receive a request's headers. */
  headersTimeout: z.coerce.number().min(1).max(30).default(10),
  /** Seconds to receive a whole request (headers and body). */
  requestTimeout: z.coerce.number().min(1).max(30).default(30),
  maxConnections: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  standardsFile: z.string().min(1).optional(),
  statusFile: z.string().min(1).optional(),
  help: flag.default(false),
  version: flag.default(false),
  check: flag.default(false),
});
export type CliOptions = z.output<typeof cliOptionsSchema>;

export class CliOptionsError extends Error {}

export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      http: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      stateless: { type: 'boolean' },
      auth: { type: 'string' },
      'token-file': { type: 'string' },
      audience: { type: 'string' },
      'allowed-hosts': { type: 'string' },
      'allowed-origins': { type: 'string' },
      'rate-limit': { type: 'string' },
      'rate-burst': { type: 'string' },
      'body-limit': { type: 'string' },
      'max-sessions': { type: 'string' },
      'max-sessions-per-identity': { type: 'string' },
      'session-idle-timeout': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'request-timeout': { type: 'string' },
      'max-connections': { type: 'string' },
      'log-level': { type: 'string' },
      'standards-file': { type: 'string' },
      'status-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      check: { type: 'boolean' },
    },
  });
  const pick = (flagValue: unknown, envName: string) =>
    flagValue ?? (env[envName] === '' ? undefined : env[envName]);
  const raw = {
    http: pick(values.http, 'CARBON_MCP_HTTP'),
    port: pick(values.port, 'CARBON_MCP_PORT'),
    host: pick(values.host, 'CARBON_MCP_HOST'),
    stateless: pick(values.stateless, 'CARBON_MCP_STATELESS'),
    auth: pick(values.auth, 'CARBON_MCP_AUTH'),
    tokenFile: pick(values['token-file'], 'CARBON_MCP_TOKEN_FILE'),
    audience: pick(values.audience, 'CARBON_MCP_AUDIENCE'),
    allowedHosts: pick(values['allowed-hosts'], 'MCP_ALLOWED_HOSTS'),
    allowedOrigins: pick(values['allowed-origins'], 'MCP_ALLOWED_ORIGINS'),
    rateLimit: pick(values['rate-limit'], 'CARBON_MCP_RATE_LIMIT'),
    rateBurst: pick(values['rate-burst'], 'CARBON_MCP_RATE_BURST'),
    bodyLimit: pick(values['body-limit'], 'CARBON_MCP_BODY_LIMIT'),
    maxSessions: pick(values['max-sessions'], 'CARBON_MCP_MAX_SESSIONS'),
    maxSessionsPerIdentity: pick(values['max-sessions-per-identity'], 'CARBON_MCP_MAX_SESSIONS_PER_IDENTITY'),
    sessionIdleTimeout: pick(values['session-idle-timeout'], 'CARBON_MCP_SESSION_IDLE_TIMEOUT'),
    headersTimeout: pick(values['headers-timeout'], 'CARBON_MCP_HEADERS_TIMEOUT'),
    requestTimeout: pick(values['request-timeout'], 'CARBON_MCP_REQUEST_TIMEOUT'),
    maxConnections: pick(values['max-connections'], 'CARBON_MCP_MAX_CONNECTIONS'),
    logLevel: pick(values['log-level'], 'LOG_LEVEL'),
    standardsFile: pick(values['standards-file'], 'STANDARDS_FILE'),
    statusFile: pick(values['status-file'], 'CARBON_MCP_STATUS_FILE'),
    help: values.help,
    version: values.version,
    check: values.check,
  };
  const parsed = cliOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const flagName = field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new CliOptionsError(`--${flagName}: ${issue.message}`);
  }
  const options = parsed.data;
  if (options.auth === undefined) options.auth = options.tokenFile ? 'token' : 'none';
  if (options.maxSessionsPerIdentity > options.maxSessions) {
    throw new CliOptionsError(
      `--max-sessions-per-identity (${options.maxSessionsPerIdentity}) must not exceed --max-sessions (${options.maxSessions})`,
    );
  }
  if (options.headersTimeout > options.requestTimeout) {
    throw new CliOptionsError(
      `--headers-timeout (${options.headersTimeout} s) must not exceed --request-timeout (${options.requestTimeout} s)`,
    );
  }
  if (options.http && options.auth === 'kubernetes' && !options.audience) {
    throw new CliOptionsError(
      '--auth kubernetes needs --audience AUD: callers must send a token issued for this server ' +
        '(kubectl create token SA --audience AUD), never their general-purpose API-server credential',
    );
  }
  if (options.auth === 'token' && !options.tokenFile) {
    throw new CliOptionsError('--auth token needs --token-file FILE (the file holds the bearer token)');
  }
  return options;
}
