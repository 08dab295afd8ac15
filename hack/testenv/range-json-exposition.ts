// Test support: the exposition a legacy Kepler served at one instant, rebuilt from the real Prometheus
// query_range JSON fixture (the same transformation data/kepler/SOURCES.md describes for the DERIVED file).
import { writeExposition, type WritableFamily } from './exposition-writer.js';

/** Labels Prometheus adds at scrape time; the exporter itself never wrote them. */
const TARGET_LABELS = new Set([
  '__name__',
  'container',
  'endpoint',
  'job',
  'namespace',
  'pod',
  'service',
  'instance',
]);

/**
 * Rebuilds the exposition the legacy exporter served at `unixSeconds` from the real query_range JSON
 * (the same transformation SOURCES.md describes for the DERIVED fixture).
 */
export function rangeJsonToExposition(json: string, unixSeconds: number): string {
  const data = JSON.parse(json) as Record<
    string,
    Array<{ metric: Record<string, string>; values: Array<[number, string]> }>
  >;
  const families: WritableFamily[] = [];
  for (const [name, series] of Object.entries(data)) {
    const samples = [];
    for (const s of series) {
      const point = s.values.find(([t]) => t === unixSeconds);
      if (!point) continue;
      const labels: string[] = [];
      for (const [k, v] of Object.entries(s.metric).sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (k === 'exported_instance') labels.push('instance', v);
        else if (!TARGET_LABELS.has(k)) labels.push(k, v);
      }
      samples.push({ name, labels, value: Number(point[1]) });
    }
    families.push({ name, type: name.endsWith('_total') ? 'counter' : 'gauge', samples });
  }
  return writeExposition(families);
}
