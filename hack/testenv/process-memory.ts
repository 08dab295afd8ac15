// Memory of a process we started, from /proc/<pid>/status (Linux): VmRSS now, VmHWM = peak RSS.
import { readFileSync } from 'node:fs';

export interface ProcessMemory {
  rss_MiB: number;
  peakRss_MiB: number;
}

function field(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${name} line`);
  return Number(match[1]) / 1024;
}

export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss_MiB: field(status, 'VmRSS'), peakRss_MiB: field(status, 'VmHWM') };
}

/** One line that CI logs show: `RESILIENCE <test> key=value …`. */
export function reportFigures(test: string, figures: Record<string, number | string>): void {
  const pairs = Object.entries(figures).map(
    ([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(2)) : v}`,
  );
  process.stdout.write(`RESILIENCE ${test} ${pairs.join(' ')}\n`);
}
