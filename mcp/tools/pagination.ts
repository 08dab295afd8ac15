// Opaque cursors for paged lists. A cursor is bound to the query that made it, so a cursor from
// one filter cannot silently page another.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ToolInputError } from './tool-errors.js';

const MAX_PAGE_SIZE = 200;
const DEFAULT_PAGE_SIZE = 50;

export const limitField = z
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_SIZE)
  .optional()
  .describe(`page size (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE})`);
export const cursorField = z.string().max(512).optional().describe('next_cursor from the previous page');

const cursorPayload = z.object({ o: z.number().int().min(0), q: z.string() });

function queryKey(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}

export interface Page<T> {
  items: T[];
  total: number;
  next_cursor: string | null;
}

export function paginate<T>(all: readonly T[], query: unknown, limit?: number, cursor?: string): Page<T> {
  const size = limit ?? DEFAULT_PAGE_SIZE;
  const key = queryKey(query);
  let offset = 0;
  if (cursor) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw new ToolInputError('cursor', 'not a cursor returned by this tool');
    }
    const parsed = cursorPayload.safeParse(decoded);
    if (!parsed.success) throw new ToolInputError('cursor', 'not a cursor returned by this tool');
    if (parsed.data.q !== key) throw new ToolInputError('cursor', 'the cursor belongs to a different query');
    offset = parsed.data.o;
  }
  const items = all.slice(offset, offset + size);
  const next = offset + size < all.length ? offset + size : null;
  return {
    items,
    total: all.length,
    next_cursor:
      next === null ? null : Buffer.from(JSON.stringify({ o: next, q: key })).toString('base64url'),
  };
}
