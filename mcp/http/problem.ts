// RFC 9457 problem details, the error body of every HTTP route.
import type { ServerResponse } from 'node:http';

export interface Problem {
  title: string;
  status: number;
  detail: string;
  /** The argument that was wrong, when one was. */
  field?: string;
  [extension: string]: unknown;
}

/**
 * Written on Node's response (the HTTP app's fast lane has no Express response), with the headers
 * Express's res.type(…).send(…) wrote: the media type with charset=utf-8, and the length.
 */
export function sendProblem(res: ServerResponse, problem: Problem): void {
  const body = JSON.stringify({ type: 'about:blank', ...problem });
  res.statusCode = problem.status;
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
