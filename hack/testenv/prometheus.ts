// A real Prometheus for integration tests: the Debian package binary (hack/install-prometheus.sh),
// started on a free loopback port with a temporary configuration and storage directory, scraping the
// given targets. Always stopped and its directory removed by stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const prometheusBin = process.env.PROMETHEUS_BIN ?? 'prometheus';

/** Whether the binary runs; throws when CI is set and it does not (CI must not skip these tests). */
export function prometheusAvailable(testFile: string): boolean {
  const available = spawnSync(prometheusBin, ['--version'], { stdio: 'ignore' }).status === 0;
  if (!available && process.env.CI) {
    throw new Error(
      `prometheus binary "${prometheusBin}" not found and CI is set: run hack/install-prometheus.sh`,
    );
  }
  if (!available) {
    console.warn(
      `SKIPPED ${testFile}: no "${prometheusBin}" binary (install with hack/install-prometheus.sh)`,
    );
  }
  return available;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestPrometheus {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** The last few kB of Prometheus's log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export async function startTestPrometheus(options: {
  /** host:port of each scrape target (path /metrics). */
  targets: string[];
  /** Prometheus duration, e.g. '1s' or '250ms'; also the scrape timeout. */
  scrapeInterval: string;
}): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'prom-itest-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${options.scrapeInterval}`,
      `  scrape_timeout: ${options.scrapeInterval}`,
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: kepler',
      '    static_configs:',
      `      - targets: [${options.targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const prom: ChildProcess = spawn(
    prometheusBin,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=2h',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  prom.stderr!.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    stop: async () => {
      if (prom.exitCode === null && prom.signalCode === null) {
        const exited = new Promise((r) => prom.once('exit', r));
        prom.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
