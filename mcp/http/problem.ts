// RFC 9457 problem details, the error body of every HTTP route.
import type { Response } from 'express';

export interface Problem {
  title: string;
  status: number;
  detail: string;
  /** The argument that was wrong, when one was. */
  field?: string;
  [extension: string]: unknown;
}

export function sendProblem(res: Response, problem: Problem): void {
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', ...problem }));
}
