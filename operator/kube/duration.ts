// Durations such as '30s', '5m', '24h', '7d', '1h30m' (a policy's interval and window, already checked by
// the CRD's pattern).
const unitMs: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(text: string): number {
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(/([0-9]+)(s|m|h|d)/g)) {
    total += Number(match[1]) * unitMs[match[2]!]!;
    consumed += match[0].length;
  }
  if (consumed !== text.length || consumed === 0) throw new Error(`not a duration: '${text}'`);
  return total;
}
