// Rounding for what users read. Calculations keep full precision; only outputs are rounded.

export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Significant digits, for quantities that span orders of magnitude (kWh of one pod vs a fleet). */
export function significant(value: number, digits = 4): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(digits));
}

// The same few sources (grid dataset, PUE, tariff, prices) are shortened for every workload: once each
// (per length limit).
const briefSources = new Map<number, Map<string, string>>();

/** The naming part of a long source (before its ' — ' detail), for text repeated per workload; the
 * full text stays in the data files and in the policy-level sources. */
export function briefSource(source: string, maxChars = 240): string {
  let known = briefSources.get(maxChars);
  if (!known) briefSources.set(maxChars, (known = new Map()));
  let brief = known.get(source);
  if (brief === undefined) {
    const head = source.split(' — ')[0]!.trim();
    brief = head.length <= maxChars ? head : `${head.slice(0, maxChars - 1)}…`;
    if (known.size >= 1_000) known.clear();
    known.set(source, brief);
  }
  return brief;
}
