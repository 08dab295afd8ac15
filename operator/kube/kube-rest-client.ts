// A thin JSON client for the Kubernetes REST API on top of a client-node KubeConfig. The operator
// needs raw objects (no class conversion), exact status codes (409, 410, 403) and control over patch
// content types, which the generated clients hide.
import type { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import { forbiddenMessage, requestAttributes } from './rbac-denial.js';

export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';
const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Per-request options: `signal` aborts the request (e.g. at a leader's renew deadline). */
export interface RequestOptions {
  signal?: AbortSignal;
}

export interface KubeList<T> {
  items: T[];
  metadata: { resourceVersion?: string; continue?: string };
}

/** The TLS material a connection is made with: a connection is reused only for the same material. */
const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return a === b;
}

/** How long a kept-alive connection may sit unused before it is closed (the API server may close it first). */
const IDLE_CONNECTION_MS = 30_000;

export class KubeRestClient {
  /** One keep-alive agent for the kubeconfig's current TLS material (client-node makes a new one per request). */
  private pool?: { material: unknown[]; agent: http.Agent };

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly timeoutMs = 30_000,
  ) {}

  /**
   * client-node's applyToHTTPSOptions sets a new Agent on every call, so every request paid a TCP connect, a
   * TLS handshake and a SecureContext built from the CA and client key (17 % of the operator's CPU in the
   * cluster bench, and the API server's side of each handshake). Requests share one keep-alive agent while
   * the TLS material stays the same; a rotated certificate or token file gets a new one. A proxy agent
   * (cluster.proxyUrl) is used as client-node made it.
   */
  private agentFor(options: https.RequestOptions, secure: boolean): http.Agent | undefined {
    if (this.kubeConfig.getCurrentCluster()?.proxyUrl)
      return options.agent instanceof http.Agent ? options.agent : undefined;
    const material = TLS_FIELDS.map((field) => options[field]);
    if (this.pool && material.every((value, i) => sameValue(value, this.pool!.material[i])))
      return this.pool.agent;
    // The previous agent's idle connections close on their own after IDLE_CONNECTION_MS; in-flight ones finish.
    const settings = { keepAlive: true, timeout: IDLE_CONNECTION_MS };
    const agent = secure
      ? new https.Agent({ ...settings, ...Object.fromEntries(TLS_FIELDS.map((f) => [f, options[f]])) })
      : new http.Agent(settings);
    this.pool = { material, agent };
    return agent;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, 'application/json', options);
  }

  /**
   * Lists every page (limit + continue) so that 10,000 pods never arrive as one response. `map` turns
   * each item into what the caller keeps as its page arrives, so the full objects of one page at a time
   * are in memory, not of the whole list (50,000 full pods took more than a 384 MiB heap).
   */
  async list<T, U = T>(
    path: string,
    query: Record<string, string | undefined> = {},
    options: { pageSize?: number; map?: (item: T) => U } = {},
  ): Promise<KubeList<U>> {
    const { pageSize = 500, map } = options;
    const items: U[] = [];
    let continueToken: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.request<KubeList<T>>(
        'GET',
        withQuery(path, { ...query, limit: String(pageSize), continue: continueToken }),
      );
      for (const item of page.items ?? []) items.push(map ? map(item) : (item as unknown as U));
      resourceVersion = page.metadata?.resourceVersion;
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    return { items, metadata: { resourceVersion } };
  }

  create<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, body, 'application/json', options);
  }

  replace<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, body, 'application/json', options);
  }

  patch<T>(
    path: string,
    body: unknown,
    type: PatchType = 'merge',
    query: Record<string, string> = {},
  ): Promise<T> {
    return this.request<T>('PATCH', withQuery(path, query), body, patchContentTypes[type]);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    { signal }: RequestOptions = {},
  ): Promise<T> {
    signal?.throwIfAborted();
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    const options: https.RequestOptions = {
      method,
      headers: { Accept: 'application/json' },
      timeout: this.timeoutMs,
    };
    await this.kubeConfig.applyToHTTPSOptions(options);
    options.agent = this.agentFor(options, url.protocol === 'https:');
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    if (payload !== undefined) {
      options.headers = {
        ...options.headers,
        'Content-Type': contentType,
        'Content-Length': Buffer.byteLength(payload),
      };
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = transport.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            try {
              resolve((text ? JSON.parse(text) : {}) as T);
            } catch (error) {
              reject(new Error(`${method} ${path}: response is not JSON: ${(error as Error).message}`));
            }
            return;
          }
          let reason = String(status);
          let message = text.slice(0, 500);
          try {
            const parsed = JSON.parse(text) as { reason?: string; message?: string };
            reason = parsed.reason ?? reason;
            message = parsed.message ?? message;
          } catch {
            // not a Status object: keep the raw text
          }
          // A 403 is a missing RBAC rule: say which one, not just that something was denied.
          const summary =
            status === 403
              ? forbiddenMessage(requestAttributes(method, path), message)
              : `${method} ${path}: ${status} ${reason}: ${message}`;
          reject(new KubeApiError(status, reason, summary, method, path));
        });
      });
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path}: no response in ${this.timeoutMs} ms`)),
      );
      if (signal) {
        const abort = () => req.destroy(new Error(`${method} ${path}: ${abortReason(signal)}`));
        signal.addEventListener('abort', abort, { once: true });
        req.once('close', () => signal.removeEventListener('abort', abort));
        if (signal.aborted) abort();
      }
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}

function abortReason(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'aborted';
}

function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

/** The API server denied the request (RBAC): the message names the verb, resource and namespace. */
export function isForbidden(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError && error.statusCode === 403;
}

export function isKubeApiError(error: unknown, statusCode?: number): error is KubeApiError {
  return error instanceof KubeApiError && (statusCode === undefined || error.statusCode === statusCode);
}
