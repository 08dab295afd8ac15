#!/usr/bin/env node
// carbon-mcp: stdio by default (Claude Desktop), or --http for Streamable HTTP + REST + Swagger UI.
import type { KubeConfig } from '@kubernetes/client-node';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { noAuthentication, type CallerAuthenticator } from './auth/caller-authenticator.js';
import { allowAllNamespaces, type NamespaceAuthoriser } from './auth/namespace-authoriser.js';
import { StaticTokenAuthenticator } from './auth/static-token-authenticator.js';
import { fromStoredPolicy, PACKAGE_VERSION } from '../operator/public-api.js';
import { CliOptionsError, parseCliOptions, usage, type CliOptions } from './cli-options.js';
import { createHttpApp } from './http/http-app.js';
import { listenWithLimits } from './http/http-server.js';
import { isLoopbackAddress, LOOPBACK_HOSTS } from './http/request-guards.js';
import { createMcpServer } from './server/create-mcp-server.js';
import type { FrontEndDeps } from './server/server-context.js';
import { loadReferenceData } from './operator-reference-data.js';
import { InMemoryPolicyReader } from './status/in-memory-policy-reader.js';
import { UnconfiguredPolicyReader } from './status/unconfigured-policy-reader.js';
import type { PolicyStatusReader } from './status/policy-status-reader.js';
import { policyListSchema } from './status/policy-file.js';
import { toolCatalogue } from './tools/catalogue.js';

// JSON (what the benchmark and `kubectl get -o json` write) is read with JSON.parse: the YAML parser
// builds a document tree first, which for 1,000 workloads (1.3 MB) cost about 70 MB of peak RSS.
function readPolicyFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // not JSON after all: YAML below says where it fails
    }
  }
  return parseYaml(text);
}

function statusFromFile(path: string): InMemoryPolicyReader {
  const parsed = policyListSchema.safeParse(readPolicyFile(path));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliOptionsError(`--status-file ${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  // A file holds what `kubectl get -o yaml` prints: status under its stored names.
  return new InMemoryPolicyReader(parsed.data.map((policy) => fromStoredPolicy(policy)));
}

// Modules that load @kubernetes/client-node (about 60 MB of resident memory for its generated API
// models) are imported only when the cluster is used, not for --status-file (demos, benchmark).

// Without a usable kubeconfig the server still starts and every tool says what to fix (a process
// that exits shows Claude Desktop users only "Connection closed"); --auth kubernetes cannot run.
async function policyStatusReader(
  options: CliOptions,
  logger: Logger,
): Promise<{ source: PolicyStatusReader; kubeConfig?: KubeConfig }> {
  const needsCluster = !options.statusFile || (options.http && options.auth === 'kubernetes');
  const found = needsCluster
    ? (await import('./status/kubeconfig-loader.js')).resolveKubeConfig()
    : undefined;
  if (found && !found.ok && options.http && options.auth === 'kubernetes') {
    throw new CliOptionsError(`--auth kubernetes needs cluster access: ${found.problem}`);
  }
  if (options.statusFile) {
    return {
      source: statusFromFile(options.statusFile),
      ...(found?.ok ? { kubeConfig: found.kubeConfig } : {}),
    };
  }
  if (!found!.ok) {
    logger.error(
      { problem: found!.problem },
      'no usable kubeconfig; every tool will answer with this problem',
    );
    return { source: new UnconfiguredPolicyReader(found!.problem) };
  }
  logger.info(
    { kubeconfig: found!.origin, context: found!.context, server: found!.server },
    'kubeconfig loaded',
  );
  const { KubePolicyReader } = await import('./status/kube-policy-reader.js');
  return {
    source: new KubePolicyReader(found!.kubeConfig, logger, { origin: found!.origin }),
    kubeConfig: found!.kubeConfig,
  };
}

export async function startFrontEnd(options: CliOptions, logger: Logger) {
  const { source, kubeConfig } = await policyStatusReader(options, logger);
  let authenticator: CallerAuthenticator = noAuthentication;
  let authoriser: NamespaceAuthoriser = allowAllNamespaces;
  if (options.http && options.auth === 'token')
    authenticator = StaticTokenAuthenticator.fromFile(options.tokenFile!);
  if (options.http && options.auth === 'kubernetes') {
    const { KubeTokenAuthenticator } = await import('./auth/kube-token-authenticator.js');
    const { KubeNamespaceAuthoriser } = await import('./auth/kube-namespace-authoriser.js');
    authenticator = new KubeTokenAuthenticator(kubeConfig!, options.audience!);
    authoriser = new KubeNamespaceAuthoriser(kubeConfig!);
  }
  if (options.http && !isLoopbackAddress(options.host) && authenticator.mode === 'none') {
    throw new CliOptionsError(
      `refusing to listen on ${options.host} without authentication: a non-loopback address needs ` +
        '--auth token --token-file FILE or --auth kubernetes (or bind --host 127.0.0.1)',
    );
  }
  const deps: FrontEndDeps = {
    policyStatus: source,
    authoriser,
    tools: toolCatalogue,
    reference: await loadReferenceData(options.standardsFile, logger),
    logger,
  };
  await source.start();

  if (!options.http) {
    const server = createMcpServer(deps);
    await server.connect(new StdioServerTransport());
    logger.info({ source: source.description }, 'carbon-mcp serving MCP over stdio');
    return { close: async () => Promise.all([server.close(), source.stop()]).then(() => undefined) };
  }

  // Behind a non-loopback bind the bearer token already stops rebinding attacks; Host is then open
  // unless --allowed-hosts narrows it (in-cluster clients use Service names and pod IPs).
  const allowedHosts = options.allowedHosts ?? (isLoopbackAddress(options.host) ? LOOPBACK_HOSTS : ['*']);
  const { handler, close } = createHttpApp(deps, {
    authenticator,
    stateless: options.stateless,
    rateLimit_per_s: options.rateLimit,
    rateBurst: options.rateBurst,
    bodyLimit_bytes: options.bodyLimit,
    sessionLimits: {
      maxSessions: options.maxSessions,
      maxSessionsPerIdentity: options.maxSessionsPerIdentity,
    },
    sessionIdle_ms: options.sessionIdleTimeout * 1000,
    allowedHosts,
    allowedOrigins: options.allowedOrigins,
  });
  const server = await listenWithLimits(handler, options.port, options.host, {
    headersTimeout_ms: options.headersTimeout * 1000,
    requestTimeout_ms: options.requestTimeout * 1000,
    maxConnections: options.maxConnections,
  });
  const port = (server.address() as AddressInfo).port;
  logger.info(
    {
      host: options.host,
      port,
      stateless: options.stateless,
      auth: authenticator.mode,
      allowedHosts,
      source: source.description,
    },
    `carbon-mcp listening on http://${options.host}:${port} (MCP at /mcp, Swagger UI at /docs)`,
  );
  return {
    port,
    close: async () => {
      await close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await source.stop();
    },
  };
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`carbon-mcp: ${(error as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (options.version) {
    process.stdout.write(`carbon-mcp ${PACKAGE_VERSION}\n`);
    return;
  }
  if (options.check) {
    const { checkClusterAccess, formatCheck } = await import('./cluster-check.js');
    const lines = await checkClusterAccess();
    process.stdout.write(formatCheck(lines));
    process.exit(lines.every((l) => l.ok) ? 0 : 1);
  }
  // Logs go to stderr (fd 2) always: over stdio, stdout carries the protocol.
  const logger = pino({ level: options.logLevel, base: { component: 'carbon-mcp' } }, pino.destination(2));
  let running: { close: () => Promise<void> };
  try {
    running = await startFrontEnd(options, logger);
  } catch (error) {
    if (error instanceof CliOptionsError) {
      process.stderr.write(`carbon-mcp: ${error.message}\n`);
      process.exit(2);
    }
    logger.fatal({ err: error }, 'carbon-mcp failed to start');
    process.exit(1);
  }
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (!options.http) process.stdin.once('end', () => stop('stdin closed'));
}

await main();
