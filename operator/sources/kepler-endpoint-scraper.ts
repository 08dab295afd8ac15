// Scrapes one Kepler /metrics endpoint over HTTP or HTTPS with its own undici Agent: custom CA bundle,
// client certificate, bearer token (file re-read on every scrape, so rotated tokens work), connect and
// body timeouts, a body size cap enforced while streaming. TLS verification is only ever turned off by
// the explicitly named `insecureSkipVerify` option, and that logs a warning.
// Every failure is a MetricsSourceError whose `reason` can go straight into a status condition.
import { readFile } from 'node:fs/promises';
import { Agent, request, errors as undiciErrors } from 'undici';
import { ExpositionParseError, parseExposition, type Exposition } from '../kepler/exposition-parser.js';
import { interpretKeplerScrape, type KeplerSnapshot } from '../kepler/kepler-metrics.js';

export type MetricsSourceErrorReason =
  'Unreachable' | 'Timeout' | 'HttpStatus' | 'BodyTooLarge' | 'ParseError' | 'TlsError' | 'ConfigError';

export class MetricsSourceError extends Error {
  constructor(
    readonly reason: MetricsSourceErrorReason,
    /** The endpoint (URL without credentials). */
    readonly target: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${message}`, options);
    this.name = 'MetricsSourceError';
  }
}

export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

export interface KeplerEndpointOptions {
  url: string;
  /** PEM CA bundle (text) or a file holding it, to verify the endpoint's certificate. */
  caPem?: string;
  caFile?: string;
  /** Client certificate and key (PEM text or files) for mutual TLS. */
  certPem?: string;
  keyPem?: string;
  certFile?: string;
  keyFile?: string;
  /** Bearer token file (a projected ServiceAccount token rotates): read on every scrape. */
  tokenFile?: string;
  bearerToken?: string;
  connectTimeoutMs?: number;
  /** Time allowed for the response headers. */
  headersTimeoutMs?: number;
  /** Maximum idle time between body chunks. */
  bodyTimeoutMs?: number;
  /** Deadline for the whole scrape. */
  totalTimeoutMs?: number;
  maxBodyBytes?: number;
  /** Turns certificate verification off. Never a default; logs a warning when the scraper is created. */
  insecureSkipVerify?: boolean;
  /** Node name for readings when the scrape carries none (node_name=""). */
  nodeName?: string;
  logger?: WarnLogger;
}

export interface ScrapeResult {
  exposition: Exposition;
  snapshot: KeplerSnapshot;
  bytes: number;
  durationMs: number;
}

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
  'EPROTO',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ABORT_ERR',
]);

function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/** Maps a network/TLS failure to a reason; walks `cause` chains (undici wraps socket errors). */
export function classifyNetworkError(error: unknown): MetricsSourceErrorReason {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const err = e as { code?: string; name?: string; message?: string; cause?: unknown };
    const code = err.code ?? '';
    if (TIMEOUT_CODES.has(code) || err.name === 'TimeoutError') return 'Timeout';
    if (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'TlsError';
    if (
      /certificate|tls|ssl|handshake/i.test(err.message ?? '') &&
      !/socket hang up/i.test(err.message ?? '')
    ) {
      return 'TlsError';
    }
    e = err.cause;
  }
  return 'Unreachable';
}

export class KeplerEndpointScraper {
  readonly target: string;
  private readonly agent: Agent;
  private readonly options: KeplerEndpointOptions;

  private constructor(options: KeplerEndpointOptions, agent: Agent) {
    this.options = options;
    this.agent = agent;
    this.target = redact(options.url);
  }

  static async create(options: KeplerEndpointOptions): Promise<KeplerEndpointScraper> {
    const target = redact(options.url);
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new MetricsSourceError('ConfigError', target, 'not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new MetricsSourceError('ConfigError', target, `unsupported scheme ${url.protocol}`);
    }
    const read = async (
      pem: string | undefined,
      file: string | undefined,
      what: string,
    ): Promise<string | undefined> => {
      if (pem !== undefined) return pem;
      if (file === undefined) return undefined;
      try {
        return await readFile(file, 'utf8');
      } catch (err) {
        throw new MetricsSourceError(
          'ConfigError',
          target,
          `cannot read ${what} file: ${(err as Error).message}`,
        );
      }
    };
    const ca = await read(options.caPem, options.caFile, 'CA');
    const cert = await read(options.certPem, options.certFile, 'client certificate');
    const key = await read(options.keyPem, options.keyFile, 'client key');
    if ((cert === undefined) !== (key === undefined)) {
      throw new MetricsSourceError(
        'ConfigError',
        target,
        'a client certificate needs its key and the reverse',
      );
    }
    if (options.insecureSkipVerify) {
      options.logger?.warn(
        { target, insecureSkipVerify: true },
        'TLS certificate verification is OFF for this Kepler endpoint (insecureSkipVerify): anyone on the path can forge its metrics',
      );
    }
    const agent = new Agent({
      connect: {
        timeout: options.connectTimeoutMs ?? 5_000,
        ...(ca !== undefined ? { ca } : {}),
        ...(cert !== undefined ? { cert, key } : {}),
        rejectUnauthorized: options.insecureSkipVerify !== true,
      },
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      bodyTimeout: options.bodyTimeoutMs ?? 10_000,
      connections: 2,
    });
    return new KeplerEndpointScraper(options, agent);
  }

  private async token(): Promise<string | undefined> {
    if (this.options.tokenFile !== undefined) {
      try {
        return (await readFile(this.options.tokenFile, 'utf8')).trim();
      } catch (err) {
        throw new MetricsSourceError(
          'ConfigError',
          this.target,
          `cannot read token file: ${(err as Error).message}`,
        );
      }
    }
    return this.options.bearerToken;
  }

  /** One scrape: fetch, size-check, parse, interpret. `nowMs` stamps the snapshot (defaults to the clock). */
  async scrape(signal?: AbortSignal, nowMs?: number): Promise<ScrapeResult> {
    const started = performance.now();
    const maxBytes = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const headers: Record<string, string> = { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' };
    const token = await this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    const deadline = AbortSignal.timeout(this.options.totalTimeoutMs ?? 30_000);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;

    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(this.options.url, {
        method: 'GET',
        headers,
        dispatcher: this.agent,
        signal: combined,
      });
    } catch (err) {
      throw this.networkError(err, combined, deadline);
    }
    const { statusCode, body } = response;
    if (statusCode !== 200) {
      body.resume();
      body.on('error', () => undefined);
      throw new MetricsSourceError('HttpStatus', this.target, `HTTP ${statusCode}`, statusCode);
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      body.destroy();
      throw new MetricsSourceError(
        'BodyTooLarge',
        this.target,
        `body of ${declared} bytes exceeds the ${maxBytes}-byte limit`,
      );
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of body) {
        const buf = chunk as Buffer;
        bytes += buf.length;
        if (bytes > maxBytes) {
          body.destroy();
          throw new MetricsSourceError(
            'BodyTooLarge',
            this.target,
            `body exceeds the ${maxBytes}-byte limit (stopped reading)`,
          );
        }
        chunks.push(buf);
      }
    } catch (err) {
      if (err instanceof MetricsSourceError) throw err;
      throw this.networkError(err, combined, deadline);
    }
    const contentType = String(response.headers['content-type'] ?? '');
    let exposition: Exposition;
    try {
      exposition = parseExposition(Buffer.concat(chunks, bytes), {
        maxBytes,
        format: contentType.includes('application/openmetrics-text')
          ? 'openmetrics-1.0.0'
          : 'prometheus-0.0.4',
      });
    } catch (err) {
      if (err instanceof ExpositionParseError) {
        throw new MetricsSourceError(
          'ParseError',
          this.target,
          `invalid exposition: ${err.message}`,
          undefined,
          { cause: err },
        );
      }
      throw err;
    }
    const snapshot = interpretKeplerScrape(exposition, {
      scrapedAtMs: nowMs ?? Date.now(),
      ...(this.options.nodeName !== undefined ? { nodeName: this.options.nodeName } : {}),
    });
    return { exposition, snapshot, bytes, durationMs: performance.now() - started };
  }

  private networkError(err: unknown, combined: AbortSignal, deadline: AbortSignal): MetricsSourceError {
    if (deadline.aborted)
      return new MetricsSourceError('Timeout', this.target, 'scrape deadline exceeded', undefined, {
        cause: err,
      });
    if (combined.aborted)
      return new MetricsSourceError('Timeout', this.target, 'scrape aborted', undefined, { cause: err });
    if (err instanceof undiciErrors.RequestAbortedError) {
      return new MetricsSourceError('Timeout', this.target, 'scrape aborted', undefined, { cause: err });
    }
    const reason = classifyNetworkError(err);
    const detail = (err as Error)?.message ?? String(err);
    const code = (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
    return new MetricsSourceError(reason, this.target, `${detail}${code ? ` (${code})` : ''}`, undefined, {
      cause: err,
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
