// `make bench`: runs every benchmark one after the other, each in a process of its own so that one
// benchmark's heap (the parse bench holds 11 MB bodies) does not show in the next one's RSS figure,
// and prints their BENCH/RATIO lines. Each file also runs alone: `npx tsx bench/<name>.bench.ts`.
import { spawnSync } from 'node:child_process';
import { chartV8Flags } from './support/chart-v8-flags.js';

const benches = [
  'parse.bench.ts',
  'reconcile.bench.ts',
  'http.bench.ts',
  'python-peer.bench.ts',
  'cluster-scale.bench.ts',
  'kepler-source.bench.ts',
  'usage-sampler.bench.ts',
];

// Benchmarks of what the operator deploys run with the chart's V8 flags (values operator.maxHeapMiB,
// operator.maxSemiSpaceMiB): memory as deployed. The HTTP and cluster benches start their servers with
// the chart's flags themselves.
const V8_FLAGS: Record<string, string[]> = {
  'kepler-source.bench.ts': chartV8Flags('operator'),
};

let failed = 0;
for (const file of benches) {
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [...(V8_FLAGS[file] ?? []), '--import', 'tsx', `bench/${file}`],
    {
      stdio: 'inherit',
    },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status === 0) {
    console.log(`# ${file} finished in ${seconds} s`);
  } else {
    failed += 1;
    console.error(`# ${file} failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
  }
}
process.exit(failed > 0 ? 1 : 0);
