// Reading Kepler metrics for the CLI: a file (Prometheus text or OpenMetrics) or an http(s) URL,
// parsed and interpreted by the same code the operator uses. Each snapshot needs the time it was
// taken: from `--metrics <file>@<ISO 8601>`, else the samples' own timestamps, else (URL) the time of
// the fetch; a single file without any falls back to --at, and says so.
import { readFile } from 'node:fs/promises';
import { ExpositionParseError, parseExposition, type Exposition } from '../kepler/exposition-parser.js';
import { interpretKeplerScrape, type KeplerSnapshot } from '../kepler/kepler-metrics.js';
import { KeplerEndpointScraper, MetricsSourceError } from '../sources/kepler-endpoint-scraper.js';

/** Bad input the CLI reports with exit code 2 (the message names the option or file). */
export class CliInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliInputError';
  }
}

export interface MetricsLocation {
  location: string;
  isUrl: boolean;
  /** Scrape time given after '@'. */
  atMs?: number;
}

/** Splits `path[@ISO8601]`; a URL keeps its '@' (user info) unless the suffix parses as a time. */
export function parseMetricsArgument(raw: string): MetricsLocation {
  const isUrl = /^https?:\/\//i.test(raw);
  const at = raw.lastIndexOf('@');
  if (at > 0) {
    const suffix = raw.slice(at + 1);
    if (/^\d{4}-\d{2}-\d{2}T/.test(suffix)) {
      const ms = Date.parse(suffix);
      if (Number.isNaN(ms))
        throw new CliInputError(`--metrics ${raw}: '${suffix}' is not a valid ISO 8601 time`);
      return { location: raw.slice(0, at), isUrl, atMs: ms };
    }
  }
  return { location: raw, isUrl };
}

export interface LoadedSnapshot {
  location: string;
  snapshot: KeplerSnapshot;
  /** How the scrape time was known. */
  timeSource: '--metrics @time' | 'sample timestamps' | 'fetch time' | 'unknown';
}

export interface UrlOptions {
  caFile?: string;
  tokenFile?: string;
  timeoutMs?: number;
}

function latestTimestamp(exposition: Exposition): number | undefined {
  let latest: number | undefined;
  for (const family of exposition.families.values()) {
    if (!family.name.startsWith('kepler_')) continue;
    for (const sample of family.samples) {
      if (sample.timestampMs !== undefined && (latest === undefined || sample.timestampMs > latest)) {
        latest = sample.timestampMs;
      }
    }
  }
  return latest;
}

function interpret(location: string, exposition: Exposition, scrapedAtMs: number): KeplerSnapshot {
  const snapshot = interpretKeplerScrape(exposition, { scrapedAtMs });
  if (snapshot.generation === 'unknown') {
    throw new CliInputError(
      `--metrics ${location}: no Kepler metrics found (neither kepler_build_info / kepler_pod_cpu_* nor kepler_container_*_joules_total)`,
    );
  }
  return snapshot;
}

/** Loads one snapshot; `fallbackMs` stamps a file that carries no time (the caller decides if that is allowed). */
export async function loadSnapshot(
  argument: MetricsLocation,
  fallbackMs: number,
  urlOptions: UrlOptions = {},
): Promise<LoadedSnapshot> {
  if (argument.isUrl) {
    let scraper: KeplerEndpointScraper | undefined;
    try {
      scraper = await KeplerEndpointScraper.create({
        url: argument.location,
        ...(urlOptions.caFile ? { caFile: urlOptions.caFile } : {}),
        ...(urlOptions.tokenFile ? { tokenFile: urlOptions.tokenFile } : {}),
        totalTimeoutMs: urlOptions.timeoutMs ?? 30_000,
      });
      const fetchedAt = Date.now();
      const result = await scraper.scrape(undefined, argument.atMs ?? fetchedAt);
      if (result.snapshot.generation === 'unknown')
        interpret(argument.location, result.exposition, fetchedAt);
      return {
        location: argument.location,
        snapshot: result.snapshot,
        timeSource: argument.atMs !== undefined ? '--metrics @time' : 'fetch time',
      };
    } catch (error) {
      if (error instanceof MetricsSourceError) {
        throw new CliInputError(`--metrics ${argument.location}: ${error.reason}: ${error.message}`);
      }
      throw error;
    } finally {
      await scraper?.close();
    }
  }
  let text: Buffer;
  try {
    text = await readFile(argument.location);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'read error';
    throw new CliInputError(`--metrics ${argument.location}: cannot read the file (${code})`);
  }
  let exposition: Exposition;
  try {
    exposition = parseExposition(text);
  } catch (error) {
    if (error instanceof ExpositionParseError) {
      throw new CliInputError(
        `--metrics ${argument.location}: not a Prometheus/OpenMetrics exposition: ${error.message}`,
      );
    }
    throw error;
  }
  const stamped = latestTimestamp(exposition);
  const scrapedAtMs = argument.atMs ?? stamped ?? fallbackMs;
  return {
    location: argument.location,
    snapshot: interpret(argument.location, exposition, scrapedAtMs),
    timeSource:
      argument.atMs !== undefined
        ? '--metrics @time'
        : stamped !== undefined
          ? 'sample timestamps'
          : 'unknown',
  };
}
