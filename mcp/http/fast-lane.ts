// What the HTTP app's fast lane (http-app.ts) needs besides the guards and handlers it shares with
// the Express routes: which bodies it reads itself, and reading one the way express.json does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from './request-guards.js';

/** What express.json calls an error, for the app's error answers (400 Invalid JSON, …). */
interface BodyError {
  type: string;
  status: number;
  message: string;
}

const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/;
const UTF8_PARAMETER = /^charset="?utf-8"?$/i;

/**
 * True for a JSON body that express.json would read as plain UTF-8 within the limit: a JSON media
 * type (application/json or application/*+json) with no parameter but charset=utf-8, no
 * Content-Encoding, and a Content-Length (not chunked) no larger than the limit. Anything else
 * (compressed, chunked, another charset, too large) goes through Express, which answers it.
 */
export function plainJsonBody(req: IncomingMessage, limit_bytes: number): boolean {
  const headers = req.headers;
  if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return false;
  const length = headers['content-length'];
  if (length === undefined || !/^\d{1,15}$/.test(length) || Number(length) > limit_bytes) return false;
  const [media, ...parameters] = (headers['content-type'] ?? '').split(';');
  if (!JSON_MEDIA_TYPE.test(media!.trim().toLowerCase())) return false;
  return parameters.every((p) => UTF8_PARAMETER.test(p.trim()));
}

/** A request without a body (no Content-Length, not chunked): express.json leaves req.body undefined. */
export function bodiless(req: IncomingMessage): boolean {
  return req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;
}

/** readJsonBody for a bodiless request: no body. */
export function noBody(_req: IncomingMessage, done: (error: undefined, body?: unknown) => void): void {
  done(undefined, undefined);
}

/** The first character that is not JSON whitespace. */
function firstNonWhitespace(text: string): string | undefined {
  for (const char of text) if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') return char;
  return undefined;
}

/**
 * Reads and parses a body that plainJsonBody accepted, as express.json (strict) does: a leading
 * byte-order mark is dropped, an empty body is {}, and a body whose first character is neither `{`
 * nor `[`, or that JSON.parse refuses, is an 'entity.parse.failed' error (the app's 400).
 */
export function readJsonBody(
  req: IncomingMessage,
  done: (error: BodyError | undefined, body?: unknown) => void,
): void {
  const chunks: Buffer[] = [];
  let finished = false;
  const finish = (error: BodyError | undefined, body?: unknown) => {
    if (finished) return;
    finished = true;
    done(error, body);
  };
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('aborted', () => finish({ type: 'request.aborted', status: 400, message: 'request aborted' }));
  req.on('error', () => finish({ type: 'request.aborted', status: 400, message: 'request aborted' }));
  req.on('end', () => {
    let text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.length === 0) return finish(undefined, {});
    const first = firstNonWhitespace(text);
    const parseFailed = { type: 'entity.parse.failed', status: 400, message: 'invalid JSON' };
    if (first !== '{' && first !== '[') return finish(parseFailed);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return finish(parseFailed);
    }
    finish(undefined, body);
  });
}

/** Runs guards in order; `done` once every one has called next (a guard that answers stops there). */
export function runGuards(
  guards: readonly Guard[],
  req: IncomingMessage,
  res: ServerResponse,
  done: () => void,
): void {
  let index = 0;
  const next = (): void => {
    const guard = guards[index];
    index += 1;
    if (guard) guard(req, res, next);
    else done();
  };
  next();
}
