// The standards catalogue file (the chart's ConfigMap, --standards-file / STANDARDS_FILE), reloaded
// when it changes, so an edit takes effect without restarting the operator or the MCP server. A bad
// edit keeps the last good catalogue and reports the YAML line or the zod field path.
//
// Kubernetes updates a ConfigMap volume by writing a new timestamped directory and renaming the
// `..data` symlink over the old one: the file we were given is a symlink through `..data`, and its
// inode never changes in place. So the directory is watched (not the file), every event re-reads the
// file through its path, and a content comparison decides whether anything changed. A slow poll backs
// the watch up on file systems where inotify events are lost.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { loadStandardsCatalogue } from '../reference-data/standards-catalogue-file.js';
import type { StandardsCatalogue } from '../reference-data/standards-catalogue.js';
import { isoSeconds } from '../domain/time.js';

export interface CatalogueReloadError {
  reason: 'InvalidCatalogue';
  /** Names the file and the YAML line or the zod field path. */
  message: string;
  since: string;
}

export interface ReloadingCatalogueOptions {
  path: string;
  logger: Logger;
  /** Called after a good edit was loaded (catalogue replaced) or a bad one rejected (error set). */
  onChange?: (result: { catalogue: StandardsCatalogue; error: CatalogueReloadError | null }) => void;
  /** Backstop poll; 0 disables it. */
  poll_ms?: number;
  /** Events come in bursts during a symlink swap: wait this long after the last one. */
  debounce_ms?: number;
  clock?: () => Date;
}

export class ReloadingCatalogue {
  private catalogueValue: StandardsCatalogue;
  private errorValue: CatalogueReloadError | null = null;
  private lastText: string;
  private watcher: FSWatcher | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private readonly clock: () => Date;

  /** Loads the file once; a bad file at start-up throws (the process must not start on it). */
  constructor(private readonly options: ReloadingCatalogueOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.lastText = readFileSync(options.path, 'utf8');
    this.catalogueValue = loadStandardsCatalogue({ path: options.path });
  }

  get catalogue(): StandardsCatalogue {
    return this.catalogueValue;
  }

  /** The last rejected edit, while the file still holds it; null when the file in force is the file on disk. */
  get error(): CatalogueReloadError | null {
    return this.errorValue;
  }

  /** Re-reads the file; returns true when the catalogue or the error changed. */
  reload(): boolean {
    const { path, logger } = this.options;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      // Mid-swap the path can vanish for an instant: the next event or poll reads it again.
      logger.debug({ file: path, err: (error as Error).message }, 'standards file not readable yet');
      return false;
    }
    if (text === this.lastText) return false;
    this.lastText = text;
    try {
      this.catalogueValue = loadStandardsCatalogue({ path });
      this.errorValue = null;
      logger.info(
        { file: path, standards: this.catalogueValue.standards.length },
        'standards catalogue reloaded',
      );
    } catch (error) {
      this.errorValue = {
        reason: 'InvalidCatalogue',
        message: `${(error as Error).message} (the last good catalogue stays in use)`,
        since: isoSeconds(this.clock()),
      };
      logger.warn({ file: path, err: (error as Error).message }, 'standards catalogue edit rejected');
    }
    this.options.onChange?.({ catalogue: this.catalogueValue, error: this.errorValue });
    return true;
  }

  start(): void {
    const schedule = () => {
      if (this.debounceTimer) clearTimeout(this.debounceTimer);
      this.debounceTimer = setTimeout(() => this.reload(), this.options.debounce_ms ?? 100);
      this.debounceTimer.unref();
    };
    this.watcher = watch(dirname(this.options.path), { persistent: false }, schedule);
    this.watcher.on('error', (error) =>
      this.options.logger.warn({ err: error.message }, 'standards file watch failed: polling only'),
    );
    const poll = this.options.poll_ms ?? 60_000;
    if (poll > 0) {
      this.pollTimer = setInterval(() => this.reload(), poll);
      this.pollTimer.unref();
    }
  }

  stop(): void {
    this.watcher?.close();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
  }
}
