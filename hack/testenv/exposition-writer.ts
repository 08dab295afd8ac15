// Writes metric families in the Prometheus text format 0.0.4 or OpenMetrics 1.0: the inverse of
// exposition-parser. Used by the simulated Kepler (simulated-kepler.ts) and by the parser's round-trip tests.
import {
  escapeLabelValue,
  type ExpositionFormat,
  type MetricType,
} from '../../operator/kepler/exposition-parser.js';

interface WritableSample {
  name: string;
  /** Flat pairs [name0, value0, …] in the order to write. */
  labels: readonly string[];
  value: number;
  timestampMs?: number | undefined;
}

export interface WritableFamily {
  name: string;
  type: MetricType;
  help?: string | undefined;
  unit?: string | undefined;
  samples: readonly WritableSample[];
}

function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeHelp(text: string, openMetrics: boolean): string {
  let out = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  if (openMetrics) out = out.replace(/"/g, '\\"');
  return out;
}

export function writeExposition(
  families: Iterable<WritableFamily>,
  format: ExpositionFormat = 'prometheus-0.0.4',
): string {
  const openMetrics = format === 'openmetrics-1.0.0';
  const out: string[] = [];
  for (const family of families) {
    if (family.help !== undefined)
      out.push(`# HELP ${family.name} ${escapeHelp(family.help, openMetrics)}\n`);
    const type = !openMetrics && family.type === 'unknown' ? 'untyped' : family.type;
    if (type !== 'untyped' && type !== 'unknown') out.push(`# TYPE ${family.name} ${type}\n`);
    if (openMetrics && family.unit !== undefined) out.push(`# UNIT ${family.name} ${family.unit}\n`);
    for (const s of family.samples) {
      let line = s.name;
      if (s.labels.length > 0) {
        const pairs: string[] = [];
        for (let i = 0; i < s.labels.length; i += 2)
          pairs.push(`${s.labels[i]}="${escapeLabelValue(s.labels[i + 1]!)}"`);
        line += `{${pairs.join(',')}}`;
      }
      line += ' ' + formatSampleValue(s.value);
      if (s.timestampMs !== undefined) {
        line +=
          ' ' + (openMetrics ? formatSampleValue(s.timestampMs / 1000) : String(Math.trunc(s.timestampMs)));
      }
      out.push(line + '\n');
    }
  }
  if (openMetrics) out.push('# EOF\n');
  return out.join('');
}
