// `make bench`: runs every benchmark in one process, one after the other, and prints their
// BENCH/RATIO lines. Each benchmark module exports a run function and also runs standalone.
const benches: Array<{ module: string; run: string }> = [
  { module: './parse.bench.js', run: 'runParseBench' },
  { module: './reconcile.bench.js', run: 'runReconcileBench' },
  { module: './http.bench.js', run: 'runHttpBench' },
];

let failed = 0;
for (const bench of benches) {
  const started = Date.now();
  try {
    const mod = (await import(bench.module)) as Record<string, () => Promise<unknown>>;
    const run = mod[bench.run];
    if (typeof run !== 'function') throw new Error(`${bench.module} does not export ${bench.run}()`);
    await run();
    console.log(`# ${bench.module} finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    failed += 1;
    console.error(`# ${bench.module} failed: ${(error as Error).stack ?? String(error)}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
