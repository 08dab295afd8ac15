// Parse throughput: our exposition parser against parse-prometheus-text-format on the same >= 10 MB body,
// built by replicating every series of the real Kepler 0.7 fixture with varied label values.
// Prints `BENCH parse_mb_per_s <n>` and `RATIO parse_vs_parse_prometheus_text_format <n>` (medians of
// wall-clock times over many timed runs after warm-up: the machine is shared, so single runs are noisy).
// BENCH is the string body (what the peer parses too); the Buffer figure, the path a scrape takes, and
// the load average at the time are printed as comments.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseExposition } from '../operator/kepler/exposition-parser.js';

const require = createRequire(import.meta.url);
// The peer ships no types: it takes the text and returns an array of families.
const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (text: string) => unknown[];

const FIXTURE = new URL(
  '../hack/testenv/data/kepler/kepler-v0.7-DERIVED-model-server-idle.prom',
  import.meta.url,
);

export interface ParseBenchResult {
  bodyBytes: number;
  series: number;
  timed_runs: number;
  ours_ms_median: number;
  ours_ms_min: number;
  /** The same body as a Buffer (how the endpoint scraper calls the parser). */
  ours_buffer_mb_per_s: number;
  load_average_1m: number;
  peer_ms_median: number;
  parse_mb_per_s: number;
  ratio_vs_parse_prometheus_text_format: number;
}

/** Replicates each fixture series `copies` times, varying pod/container/node label values per copy. */
export function buildLargeExposition(minBytes = 10 * 1024 * 1024, sorted = true): string {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n');
  const families: Array<{ name: string; type: string | undefined; samples: string[] }> = [];
  let current: { name: string; type: string | undefined; samples: string[] } | undefined;
  for (const line of lines) {
    if (line.startsWith('# TYPE ')) {
      current = { name: line.split(' ')[2]!, type: line, samples: [] };
      families.push(current);
    } else if (line !== '' && !line.startsWith('#')) {
      const name = line.slice(0, line.search(/[{ ]/));
      if (!current || name !== current.name) {
        current = { name, type: undefined, samples: [] };
        families.push(current);
      }
      current.samples.push(line);
    }
  }
  const fixtureBytes = lines.join('\n').length;
  const copies = Math.ceil(minBytes / fixtureBytes) + 1;
  const out: string[] = [];
  for (const family of families) {
    if (family.type) out.push(family.type);
    const series: string[] = [];
    for (let c = 0; c < copies; c++) {
      for (const s of family.samples) {
        // Distinct series per copy: pod, container id and node names get a replica suffix.
        series.push(
          s
            .replace(/pod_name="([^"]*)"/, `pod_name="$1-r${c}"`)
            .replace(/container_id="([^"]*)"/, `container_id="$1${c.toString(16)}"`)
            .replace(/instance="([^"]*)"/, `instance="$1-${c}"`)
            .replace(/\{cpu_architecture="([^"]*)"/, `{cpu_architecture="$1",replica="${c}"`)
            .replace(/,revision=/, `,replica="${c}",revision=`),
        );
      }
    }
    // client_golang writes a family's series sorted; so does this body.
    if (sorted) series.sort();
    out.push(...series);
  }
  // Through a Buffer so the body is one flat string, as a decoded HTTP body is.
  return Buffer.from(out.join('\n') + '\n').toString('utf8');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function times(fn: () => void, warmup: number, iterations: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

function time(fn: () => void, warmup: number, iterations: number): number {
  return median(times(fn, warmup, iterations));
}

export async function runParseBench(options: { iterations?: number } = {}): Promise<ParseBenchResult> {
  const iterations = options.iterations ?? 31;
  const body = buildLargeExposition();
  const bodyBuffer = Buffer.from(body);
  const bodyBytes = bodyBuffer.byteLength;
  const load = loadavg()[0]!;
  let series = 0;
  const oursTimes = times(
    () => {
      series = parseExposition(body).sampleCount;
    },
    5,
    iterations,
  );
  const oursMs = median(oursTimes);
  const bufferMs = time(() => void parseExposition(bodyBuffer), 3, iterations);
  const peerMs = time(() => void parsePrometheusTextFormat(body), 2, Math.max(3, Math.ceil(iterations / 2)));
  const mbPerS = bodyBytes / 1e6 / (oursMs / 1000);
  // The same series out of order: duplicate detection falls back from ordered keys to a hash set.
  const shuffled = buildLargeExposition(undefined, false);
  const shuffledMs = time(() => void parseExposition(shuffled), 1, Math.max(3, Math.ceil(iterations / 3)));
  const result: ParseBenchResult = {
    bodyBytes,
    series,
    timed_runs: iterations,
    ours_ms_median: oursMs,
    ours_ms_min: Math.min(...oursTimes),
    ours_buffer_mb_per_s: bodyBytes / 1e6 / (bufferMs / 1000),
    load_average_1m: load,
    peer_ms_median: peerMs,
    parse_mb_per_s: mbPerS,
    ratio_vs_parse_prometheus_text_format: peerMs / oursMs,
  };
  console.log(
    `# parse bench: ${(bodyBytes / 1e6).toFixed(1)} MB, ${series} series, load average ${load.toFixed(2)} ` +
      `(${loadavg()[0]!.toFixed(2)} after); median of ${iterations} runs ours ${oursMs.toFixed(1)} ms ` +
      `(fastest ${result.ours_ms_min.toFixed(1)} ms), parse-prometheus-text-format ${peerMs.toFixed(1)} ms`,
  );
  console.log(`# same body as a Buffer (scrape path): ${result.ours_buffer_mb_per_s.toFixed(1)} MB/s`);
  console.log(
    `# unsorted series (hash-set duplicate check): ${(Buffer.byteLength(shuffled) / 1e6 / (shuffledMs / 1000)).toFixed(1)} MB/s`,
  );
  console.log(`BENCH parse_mb_per_s ${mbPerS.toFixed(1)}`);
  console.log(
    `RATIO parse_vs_parse_prometheus_text_format ${result.ratio_vs_parse_prometheus_text_format.toFixed(2)}`,
  );
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runParseBench();
}
