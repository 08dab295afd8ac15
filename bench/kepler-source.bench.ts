// Direct Kepler source benchmark: 10,000 pods on 100 nodes (one Kepler endpoint per node, Kepler
// 0.10+ shape: per-pod active counters, node idle counters allocated by active share), 7 days of
// history built from hourly rounds, then scrape rounds every 30 s. The snapshots are built in memory
// (what the scraper hands over after parsing); the figure is the source's own work per round:
// counter integration, idle allocation, hour buckets and pruning (ingestRound()).
// Policies: one selects all 10,000 pods with a 7-day window (the worst case of the retention hint).
// `make bench` runs it with the chart's operator V8 flag (--max-semi-space-size=4, bench/run-all.ts).
// Prints: BENCH kepler_source_10k_pods_rss_mb (after the history is built, after a GC),
// BENCH kepler_source_absorb_10k_ms (median of 10 rounds), and the longest event-loop stall in a round.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type {
  KeplerSnapshot,
  NodeEnergyReading,
  PodEnergyReading,
} from '../operator/kepler/kepler-metrics.js';
import { KeplerEndpointSource } from '../operator/sources/kepler-endpoint-source.js';
import { HOUR_MS } from '../operator/domain/time.js';

const NODES = 100;
const PODS_PER_NODE = 100;
// BENCH_KEPLER_HISTORY_HOURS shortens the history (to compare with a slower implementation).
const HISTORY_HOURS = Number(process.env.BENCH_KEPLER_HISTORY_HOURS ?? 7 * 24);
const MEASURED_ROUNDS = 10;
// BENCH_KEPLER_SELECTED: how many of the pods a policy selects (default all: the worst case).
const SELECTED = Number(process.env.BENCH_KEPLER_SELECTED ?? NODES * PODS_PER_NODE);
// A full GC before reading RSS, also when run without --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const START_MS = Date.UTC(2026, 2, 1, 0, 0, 0);
const POD_WATTS = 3;
const NODE_IDLE_WATTS = 40;

function snapshot(node: number, atMs: number): KeplerSnapshot {
  const seconds = (atMs - START_MS) / 1000;
  const name = `node-${node}`;
  const pods = new Map<string, PodEnergyReading>();
  for (let i = 0; i < PODS_PER_NODE; i++) {
    const p = node * PODS_PER_NODE + i;
    const uid = `00000000-0000-4000-8000-${String(p).padStart(12, '0')}`;
    const key = `bench/pod-${p}/${uid}`;
    const joules = POD_WATTS * seconds;
    pods.set(key, {
      key,
      namespace: 'bench',
      name: `pod-${p}`,
      uid,
      node: name,
      joulesByZone: { package: joules },
      wattsByZone: { package: POD_WATTS },
      countedZones: ['package'],
      joulesByMode: undefined,
      counters: [{ seriesId: `pod:${uid}|zone=package`, zone: 'package', joules }],
      level: 'pod',
      terminated: false,
      dataQuality: [],
    });
  }
  const idle = NODE_IDLE_WATTS * seconds;
  const nodeReading: NodeEnergyReading = {
    name,
    joulesByZone: { package: idle },
    wattsByZone: { package: NODE_IDLE_WATTS },
    activeJoulesByZone: {},
    idleJoulesByZone: { package: idle },
    cpuUsageRatio: undefined,
    activeWattsByZone: {},
    idleWattsByZone: { package: NODE_IDLE_WATTS },
    platformWatts: undefined,
    platformJoules: undefined,
    countedZones: ['package'],
    counters: [{ seriesId: `node:${name}|zone=package|idle`, zone: 'package', joules: idle, part: 'idle' }],
    dataQuality: [],
  };
  return {
    generation: 'rewrite',
    version: 'v0.11.4-simulated',
    scrapedAtMs: atMs,
    nodes: [nodeReading],
    pods,
    countedZones: ['package'],
    dataQuality: [],
    energySource: 'measured: kepler v0.11.4-simulated (rapl)',
    idleShare: { method: 'node-idle-allocation', text: 'node idle split by active share (simulated)' },
  };
}

function round(atMs: number): Array<{ url: string; snapshot: KeplerSnapshot }> {
  const out = [];
  for (let n = 0; n < NODES; n++)
    out.push({ url: `http://node-${n}:28282/metrics`, snapshot: snapshot(n, atMs) });
  return out;
}

async function main(): Promise<void> {
  gc();
  const baselineMiB = process.memoryUsage().rss / 2 ** 20;
  let nowMs = START_MS;
  const source = new KeplerEndpointSource({ targets: [], scrapeIntervalMs: 30_000, clock: () => nowMs });
  const pods = [];
  for (let p = 0; p < SELECTED; p++) pods.push({ namespace: 'bench', name: `pod-${p}` });
  source.retain('bench/all-pods', pods, HISTORY_HOURS * HOUR_MS);

  for (let h = 0; h <= HISTORY_HOURS; h++) {
    nowMs = START_MS + h * HOUR_MS;
    await source.ingestRound(round(nowMs));
  }
  gc();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  gc();
  const mem = process.memoryUsage();
  const rssMiB = mem.rss / 2 ** 20;
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
  console.log(
    `# heap used ${mib(mem.heapUsed)} MiB, heap total ${mib(mem.heapTotal)} MiB, ` +
      `typed arrays and buffers ${mib(mem.arrayBuffers)} MiB (outside the heap)`,
  );

  const times: number[] = [];
  let maxStallMs = 0;
  for (let i = 1; i <= MEASURED_ROUNDS; i++) {
    nowMs = START_MS + HISTORY_HOURS * HOUR_MS + i * 30_000;
    const snapshots = round(nowMs); // built outside the timing: parsing is the scraper's (parse bench)
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    await source.ingestRound(snapshots);
    times.push(performance.now() - started);
    delay.disable();
    maxStallMs = Math.max(maxStallMs, delay.max / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `# kepler source: ${NODES * PODS_PER_NODE} pods, ${HISTORY_HOURS} h history, ${SELECTED} selected, load average ${load}`,
  );
  console.log(
    `# process RSS before the source held anything (node, tsx loader, the modules the source imports): ${Math.round(baselineMiB)} MiB`,
  );
  console.log(`BENCH kepler_source_10k_pods_rss_mb ${Math.round(rssMiB)} (target ≤ 256)`);
  console.log(
    `BENCH kepler_source_10k_pods_added_rss_mb ${Math.round(rssMiB - baselineMiB)} (the source's history and baselines)`,
  );
  console.log(`BENCH kepler_source_absorb_10k_ms ${Math.round(median)} (target ≤ 200)`);
  console.log(
    `BENCH kepler_source_round_max_stall_ms ${Math.round(maxStallMs)} (event loop; lease renewals wait this long at most)`,
  );
}

await main();
