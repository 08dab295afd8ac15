// Host and Origin allowlists (DNS-rebinding protection) and bearer-token authentication.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CallerAuthenticator } from '../auth/caller-authenticator.js';
import { sendProblem } from './problem.js';

export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export function isLoopbackAddress(host: string): boolean {
  return ['localhost', '127.0.0.1', '::1', '[::1]'].includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** 'example.com:8000' → 'example.com'; '[::1]:8000' → '[::1]'. */
function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1).toLowerCase();
  return hostHeader.split(':')[0]!.toLowerCase();
}

export interface GuardOptions {
  /** Host names (no port) the Host header may carry; ['*'] accepts any. */
  allowedHosts: string[];
  /** Extra origins (scheme://host[:port]) allowed besides the server's own. */
  allowedOrigins: string[];
}

/**
 * A step before a route's handler: answers the request itself (a refusal) or calls `next`. Written
 * on Node's request and response, so that Express and the HTTP app's fast lane run the same steps.
 */
export type Guard = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export function hostAndOriginGuard(options: GuardOptions): Guard {
  const anyHost = options.allowedHosts.includes('*');
  const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const origins = new Set(options.allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, '')));
  return (req, res, next) => {
    const host = req.headers.host;
    if (!host || (!anyHost && !hosts.has(hostnameOf(host)))) {
      sendProblem(res, {
        title: 'Forbidden host',
        status: 403,
        detail: `Host header "${host ?? ''}" is not allowed`,
      });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let sameOrigin = false;
      try {
        sameOrigin = new URL(origin).host.toLowerCase() === host.toLowerCase();
      } catch {
        sameOrigin = false;
      }
      if (!sameOrigin && !origins.has(origin.toLowerCase())) {
        sendProblem(res, {
          title: 'Forbidden origin',
          status: 403,
          detail: `Origin "${origin}" is not allowed`,
        });
        return;
      }
    }
    next();
  };
}

declare module 'http' {
  interface IncomingMessage {
    /** Set by bearerAuth; the MCP transport passes it to handlers as extra.authInfo. */
    auth?: AuthInfo;
  }
}

function bearerToken(req: IncomingMessage): string | undefined | null {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(header);
  return match ? match[1]! : null;
}

export function bearerAuth(authenticator: CallerAuthenticator, logger: Logger): Guard {
  return (req, res, next) => {
    if (authenticator.mode === 'none') {
      next();
      return;
    }
    const token = bearerToken(req);
    const refuse = (detail: string) => {
      res.setHeader('WWW-Authenticate', 'Bearer realm="carbon-mcp"');
      sendProblem(res, { title: 'Unauthorized', status: 401, detail });
    };
    if (token === undefined) return refuse('an Authorization: Bearer <token> header is required');
    if (token === null) return refuse('the Authorization header is not a Bearer token');
    authenticator.authenticate(token).then(
      (caller) => {
        if (!caller) return refuse('the bearer token is not valid');
        req.auth = caller;
        next();
      },
      (error: unknown) => {
        // The cause (an API server address, a TLS or RBAC message) is for the operator's log, not
        // for an unauthenticated caller.
        logger.error({ err: error }, 'could not verify a bearer token');
        res.setHeader('Retry-After', '5');
        sendProblem(res, {
          title: 'Authentication unavailable',
          status: 503,
          detail: 'the token could not be verified right now; retry later (the server log has the cause)',
        });
      },
    );
  };
}
