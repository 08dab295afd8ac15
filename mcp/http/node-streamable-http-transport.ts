// The MCP Streamable HTTP transport (protocol 2025-06-18, "Transports") written on Node's own
// IncomingMessage/ServerResponse. The SDK's StreamableHTTPServerTransport converts every Node request
// into a web Request and every answer into a web Response with a ReadableStream (through
// @hono/node-server): under load that conversion, not the tools, took most of the MCP path's CPU
// (profile in docs/benchmarks.md § HTTP). This transport implements the same SDK `Transport`
// interface, so the SDK's McpServer/Protocol still does all JSON-RPC dispatch, schema checks and
// lifecycle; only the HTTP framing is ours.
//
// A POST that carries requests is answered with `application/json` when the answers are the only
// messages to send, and switches to `text/event-stream` as soon as the server sends anything else
// tied to those requests (a progress or log notification, a server-to-client request) before them.
// The specification lets the server choose either; every conforming client accepts both.
// GET opens the session's one standalone SSE stream (409 for a second one); DELETE ends the session.
// Resumability (Last-Event-ID) is not offered: no event ids are issued, so clients never ask for it.
// A message whose id is neither a string nor an integer is refused (400, -32600), as MCP requires
// (the SDK's transport took such a message for a notification and answered 202).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

export interface NodeStreamableHttpOptions {
  /** Stateful: makes the session id at initialize. Undefined: stateless. */
  sessionIdGenerator: (() => string) | undefined;
  /**
   * Stateless only: one transport (and one McpServer) answers every client's requests at once.
   * Request ids are the clients' own and collide across clients, so each request is given a
   * process-unique id on its way in and its own id back on its way out; client responses and
   * cancellations (which name a client's id, and in stateless mode no request of the server) are
   * dropped. Without this a stateless transport answers one request.
   */
  shareAcrossClients?: boolean;
  onsessioninitialized?: (sessionId: string) => void;
  /** Comment lines on the standalone SSE stream so that idle proxies keep it open. */
  keepAlive_ms?: number;
}

/** How many JSON-RPC messages one POST may carry. */
const MAX_BATCH = 100;
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

type RequestWithAuth = IncomingMessage & { auth?: AuthInfo };

/** One POST waiting for the answers to its requests. */
interface PendingPost {
  res: ServerResponse;
  /** Ids of the requests in the POST still without an answer. */
  waiting: Set<RequestId>;
  /** shareAcrossClients: the id the server saw → the client's own id. */
  clientIds?: Map<RequestId, RequestId>;
  answers: JSONRPCMessage[];
  /** True once the answer went over SSE (headers sent as text/event-stream). */
  streaming: boolean;
  finished: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || Number.isSafeInteger(value);
}

/** A client's answer to a request of the server. */
const isClientAnswer = (m: unknown): boolean => isJSONRPCResultResponse(m) || isJSONRPCErrorResponse(m);

/** An incoming message and what it is: a client's answer, a request to answer, or a notification. */
type Incoming =
  | { kind: 'answer' | 'notification'; message: JSONRPCMessage }
  | { kind: 'request'; message: JSONRPCMessage & { id: RequestId; method: string } };

/**
 * A JSON-RPC 2.0 message as the SDK's Protocol will read it (its own guards, in its order: answers
 * first, so that what this transport counts as a request is exactly what the Protocol answers: a
 * request it did not recognise would leave the POST waiting for ever), classified once (each guard
 * is a schema parse). An id that is not a string or a safe integer is refused outright: MCP ids are
 * never null, and the SDK would take such a message for a notification. Undefined: not a message.
 */
function classify(value: unknown): Incoming | undefined {
  if (isObject(value) && 'id' in value && !isRequestId(value.id)) return undefined;
  if (isClientAnswer(value)) return { kind: 'answer', message: value as JSONRPCMessage };
  if (isJSONRPCRequest(value)) return { kind: 'request', message: value };
  if (isJSONRPCNotification(value)) return { kind: 'notification', message: value };
  return undefined;
}
/** Outgoing (built by the Protocol): an answer to a client's request. */
const isAnswer = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } =>
  !('method' in m) && ('result' in m || 'error' in m);

function sseEvent(message: JSONRPCMessage): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

export class NodeStreamableHttpTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private initialized = false;
  private closed = false;
  private handledOne = false;
  private lastSharedId = 0;
  /** Request id → the POST that carries it. */
  private readonly posts = new Map<RequestId, PendingPost>();
  private standalone: { res: ServerResponse; keepAlive?: NodeJS.Timeout } | undefined;

  constructor(private readonly options: NodeStreamableHttpOptions) {}

  async start(): Promise<void> {}

  /** Answers one HTTP request to the MCP endpoint; `body` is the parsed JSON (express.json). */
  async handleRequest(req: RequestWithAuth, res: ServerResponse, body: unknown): Promise<void> {
    const stateless = this.options.sessionIdGenerator === undefined;
    if (stateless && !this.options.shareAcrossClients && this.handledOne) {
      throw new Error('a stateless transport answers one request only');
    }
    this.handledOne = true;
    if (this.closed) return this.error(res, 404, -32001, 'Session not found');
    switch (req.method) {
      case 'POST':
        return this.post(req, res, body);
      case 'GET':
        return this.get(req, res);
      case 'DELETE':
        return this.delete(req, res);
      default:
        res.setHeader('allow', 'GET, POST, DELETE');
        return this.error(res, 405, -32000, 'Method not allowed.');
    }
  }

  private error(res: ServerResponse, status: number, code: number, message: string): void {
    const text = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Session header and protocol version header, as the specification requires after initialize. */
  private checkSession(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.options.sessionIdGenerator !== undefined) {
      if (!this.initialized) {
        this.error(res, 400, -32000, 'Bad Request: Server not initialized');
        return false;
      }
      const id = req.headers['mcp-session-id'];
      if (typeof id !== 'string' || id === '') {
        this.error(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
        return false;
      }
      if (id !== this.sessionId) {
        this.error(res, 404, -32001, 'Session not found');
        return false;
      }
    }
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      this.error(
        res,
        400,
        -32000,
        `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      );
      return false;
    }
    return true;
  }

  private post(req: RequestWithAuth, res: ServerResponse, body: unknown): void {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return this.error(
        res,
        406,
        -32000,
        'Not Acceptable: Client must accept both application/json and text/event-stream',
      );
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
      return this.error(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }
    if (Array.isArray(body) && (body.length === 0 || body.length > MAX_BATCH)) {
      return this.error(res, 400, -32600, `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`);
    }
    const classified = (Array.isArray(body) ? body : [body]).map(classify);
    if (!classified.every((c) => c !== undefined)) {
      return this.error(
        res,
        400,
        -32600,
        'Invalid Request: not a JSON-RPC 2.0 message (ids are strings or integers, params an object)',
      );
    }
    let valid = classified as Incoming[];
    const initialize = valid.some((c) => c.kind === 'request' && c.message.method === 'initialize');
    if (initialize) {
      if (this.initialized && this.sessionId !== undefined) {
        return this.error(res, 400, -32600, 'Invalid Request: Server already initialized');
      }
      if (valid.length > 1) {
        return this.error(res, 400, -32600, 'Invalid Request: Only one initialization request is allowed');
      }
      this.sessionId = this.options.sessionIdGenerator?.();
      this.initialized = true;
      if (this.sessionId !== undefined) this.options.onsessioninitialized?.(this.sessionId);
    } else if (!this.checkSession(req, res)) {
      return;
    }

    const extra: MessageExtraInfo = {
      requestInfo: { headers: req.headers as Record<string, string> },
      ...(req.auth ? { authInfo: req.auth } : {}),
    };
    let clientIds: Map<RequestId, RequestId> | undefined;
    if (this.options.shareAcrossClients) {
      clientIds = new Map();
      const ids = clientIds;
      valid = valid
        .filter(
          (c) =>
            c.kind !== 'answer' && !('method' in c.message && c.message.method === 'notifications/cancelled'),
        )
        .map((c) => {
          if (c.kind !== 'request') return c;
          const shared = ++this.lastSharedId;
          ids.set(shared, c.message.id);
          return { kind: 'request', message: { ...c.message, id: shared } };
        });
    }
    const requests = valid.flatMap((c) => (c.kind === 'request' ? [c.message] : []));
    if (requests.length === 0) {
      res.writeHead(202).end();
      for (const c of valid) this.onmessage?.(c.message, extra);
      return;
    }
    const pending: PendingPost = {
      res,
      waiting: new Set(requests.map((r) => r.id)),
      answers: [],
      streaming: false,
      finished: false,
      ...(clientIds ? { clientIds } : {}),
    };
    for (const request of requests) this.posts.set(request.id, pending);
    res.once('close', () => {
      if (pending.finished) return;
      // The client went away before the answers: forget the POST (late answers are dropped).
      pending.finished = true;
      for (const id of pending.waiting) this.posts.delete(id);
    });
    for (const c of valid) this.onmessage?.(c.message, extra);
  }

  private get(req: IncomingMessage, res: ServerResponse): void {
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      return this.error(res, 406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    }
    if (!this.checkSession(req, res)) return;
    if (this.standalone) {
      return this.error(res, 409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    }
    res.writeHead(200, {
      ...SSE_HEADERS,
      ...(this.sessionId !== undefined ? { 'mcp-session-id': this.sessionId } : {}),
    });
    res.flushHeaders();
    const stream: { res: ServerResponse; keepAlive?: NodeJS.Timeout } = { res };
    const every = this.options.keepAlive_ms ?? 15_000;
    if (every > 0) {
      stream.keepAlive = setInterval(() => res.write(': keepalive\n\n'), every);
      stream.keepAlive.unref();
    }
    this.standalone = stream;
    res.once('close', () => {
      clearInterval(stream.keepAlive);
      if (this.standalone === stream) this.standalone = undefined;
    });
  }

  private delete(req: IncomingMessage, res: ServerResponse): void {
    if (!this.checkSession(req, res)) return;
    res.writeHead(200).end();
    void this.close();
  }

  async send(sent: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    let message = sent;
    const answer = isAnswer(sent);
    const requestId = answer ? sent.id : options?.relatedRequestId;
    if (requestId === undefined) {
      // Server-initiated, tied to no request: the standalone GET stream, if the client opened one.
      if (this.standalone) this.standalone.res.write(sseEvent(message));
      return;
    }
    const pending = this.posts.get(requestId);
    if (!pending || pending.finished) return;
    if (!answer) {
      this.stream(pending);
      pending.res.write(sseEvent(message));
      return;
    }
    this.posts.delete(requestId);
    pending.waiting.delete(requestId);
    const clientId = pending.clientIds?.get(requestId);
    if (clientId !== undefined) message = { ...message, id: clientId } as JSONRPCMessage;
    if (pending.streaming) pending.res.write(sseEvent(message));
    else pending.answers.push(message);
    if (pending.waiting.size > 0) return;
    pending.finished = true;
    if (pending.streaming) {
      pending.res.end();
      return;
    }
    const text = JSON.stringify(pending.answers.length === 1 ? pending.answers[0] : pending.answers);
    pending.res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...(this.sessionId !== undefined ? { 'mcp-session-id': this.sessionId } : {}),
    });
    pending.res.end(text);
  }

  /** Switches a POST's answer to SSE (first message that is not an answer), flushing held answers. */
  private stream(pending: PendingPost): void {
    if (pending.streaming) return;
    pending.streaming = true;
    pending.res.writeHead(200, {
      ...SSE_HEADERS,
      ...(this.sessionId !== undefined ? { 'mcp-session-id': this.sessionId } : {}),
    });
    for (const held of pending.answers) pending.res.write(sseEvent(held));
    pending.answers = [];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pending of new Set(this.posts.values())) {
      pending.finished = true;
      if (pending.streaming) pending.res.end();
      else if (!pending.res.headersSent) this.error(pending.res, 404, -32001, 'Session not found');
    }
    this.posts.clear();
    if (this.standalone) {
      clearInterval(this.standalone.keepAlive);
      this.standalone.res.end();
      this.standalone = undefined;
    }
    this.onclose?.();
  }
}
