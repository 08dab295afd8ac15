// Time helpers every layer shares: the length of an hour and the one way an instant is written to
// status, tool output and logs (ISO 8601 UTC to the second). Pure.

export const HOUR_MS = 3_600_000;

/** An instant as ISO 8601 UTC to the second, `2026-07-14T09:00:00Z`: milliseconds are dropped. */
export function isoSeconds(at: number | Date): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
