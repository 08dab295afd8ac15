// List+watch with supervision. client-node's informer stops for good on any watch error other
// than 410, and restarting it naively floods the API server; this one restarts on every error
// with exponential backoff and jitter, relists on 410 Gone, and a watchdog restarts a watch that
// has been silent (no event, no bookmark) for too long — a half-open TCP connection looks like that.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { backoffDelayMs, type BackoffOptions } from './backoff.js';
import { KubeApiError, KubeRestClient, isKubeApiError } from './kube-rest-client.js';
import { forbiddenMessage, requestAttributes } from './rbac-denial.js';

/** What the cache needs of an object. */
export interface CachedObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export type InformerEventType = 'add' | 'update' | 'delete';
export type InformerListener<T> = (type: InformerEventType, object: T, old?: T) => void;

export interface SupervisedInformerOptions<T extends CachedObject> {
  /** For logs: 'pods', 'policies'. */
  name: string;
  kubeConfig: KubeConfig;
  /** Collection path, e.g. /api/v1/pods or /apis/carbon-aware.dev/v1alpha1/carboncompliancepolicies. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Trim objects before caching (e.g. drop managedFields) so 10,000 pods stay small. */
  transform?: (object: CachedObject) => T;
  backoff?: BackoffOptions;
  /** Restart the watch when nothing (not even a bookmark) arrived for this long. */
  watchdogMs?: number;
  /** Server-side watch timeout: the server ends the watch and we resume from the last resourceVersion. */
  watchTimeoutSeconds?: number;
  logger?: Logger;
}

interface WatchStatus {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
}

export class SupervisedInformer<T extends CachedObject> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private readonly listeners: Array<InformerListener<T>> = [];
  private readonly errorListeners: Array<(error: Error) => void> = [];
  private readonly rest: KubeRestClient;
  private readonly watcher: Watch;
  private resourceVersion: string | undefined;
  private watchAbort: AbortController | undefined;
  private watchGeneration = 0;
  private watching = false;
  private failures = 0;
  private lastActivityAt = 0;
  private running = false;
  private synced = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private syncWaiters: Array<() => void> = [];
  /** The error of the last failed list or watch, cleared by the next success (readiness, reconciler). */
  lastError: Error | undefined;
  /** Counters for /metrics and tests. */
  readonly stats = { lists: 0, watches: 0, restarts: 0, relistsOn410: 0, watchdogRestarts: 0 };

  constructor(private readonly options: SupervisedInformerOptions<T>) {
    this.rest = new KubeRestClient(options.kubeConfig);
    this.watcher = new Watch(options.kubeConfig);
  }

  on(listener: InformerListener<T>): void {
    this.listeners.push(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  get(namespace: string, name: string): T | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.byNamespace.get(namespace)?.values() ?? [])];
    return [...this.byNamespace.values()].flatMap((objects) => [...objects.values()]);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves after the first successful list. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const watchdogMs = this.options.watchdogMs ?? 5 * 60_000;
    this.watchdogTimer = setInterval(
      () => {
        if (!this.watching || Date.now() - this.lastActivityAt < watchdogMs) return;
        this.stats.watchdogRestarts += 1;
        this.options.logger?.warn(
          { informer: this.options.name, silentMs: Date.now() - this.lastActivityAt },
          'watch silent: restarting',
        );
        this.restartWatch(new Error(`no watch event for ${watchdogMs} ms`), false);
      },
      Math.max(50, Math.min(watchdogMs / 4, 10_000)),
    );
    this.watchdogTimer.unref();
    void this.relist();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdogTimer);
    this.abortWatch();
  }

  private abortWatch(): void {
    this.watchGeneration += 1;
    this.watching = false;
    const abort = this.watchAbort;
    this.watchAbort = undefined;
    abort?.abort();
  }

  private scheduleRetry(action: () => Promise<void> | void, error: Error): void {
    if (!this.running) return;
    const delay = backoffDelayMs(this.failures, this.options.backoff ?? { initialMs: 500, maxMs: 30_000 });
    this.failures += 1;
    this.stats.restarts += 1;
    this.lastError = error;
    this.options.logger?.warn(
      { informer: this.options.name, err: error.message, retryInMs: delay, failures: this.failures },
      'watch failed: retrying with backoff',
    );
    for (const listener of this.errorListeners) listener(error);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void action(), delay);
  }

  private async relist(): Promise<void> {
    if (!this.running) return;
    this.abortWatch();
    try {
      // Each page is turned into cached objects as it arrives (the raw objects of one page at a time).
      const transform = this.options.transform;
      const list = await this.rest.list<CachedObject, T>(
        this.options.path,
        { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector },
        { map: (raw) => (transform ? transform(raw) : (raw as T)) },
      );
      if (!this.running) return;
      this.stats.lists += 1;
      this.lastError = undefined;
      this.replaceCache(list.items);
      this.resourceVersion = list.metadata.resourceVersion;
      if (!this.synced) {
        this.synced = true;
        for (const resolve of this.syncWaiters.splice(0)) resolve();
      }
      this.startWatch();
    } catch (error) {
      this.scheduleRetry(() => this.relist(), error as Error);
    }
  }

  private replaceCache(items: T[]): void {
    const seen = new Set<string>();
    for (const object of items) {
      seen.add(keyOf(object));
      this.upsert(object);
    }
    for (const object of this.list()) {
      if (!seen.has(keyOf(object))) this.remove(object);
    }
  }

  private upsert(object: T): void {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    let objects = this.byNamespace.get(namespace);
    if (!objects) {
      objects = new Map();
      this.byNamespace.set(namespace, objects);
    }
    const old = objects.get(name);
    if (old && old.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    objects.set(name, object);
    this.emit(old ? 'update' : 'add', object, old);
  }

  private remove(object: T): void {
    const namespace = object.metadata?.namespace ?? '';
    const objects = this.byNamespace.get(namespace);
    const old = objects?.get(object.metadata?.name ?? '');
    if (!objects || !old) return;
    objects.delete(object.metadata?.name ?? '');
    if (objects.size === 0) this.byNamespace.delete(namespace);
    this.emit('delete', old);
  }

  private emit(type: InformerEventType, object: T, old?: T): void {
    for (const listener of this.listeners) {
      try {
        listener(type, object, old);
      } catch (error) {
        this.options.logger?.error(
          { informer: this.options.name, err: (error as Error).message },
          'listener threw',
        );
      }
    }
  }

  private startWatch(): void {
    if (!this.running) return;
    const generation = ++this.watchGeneration;
    this.watching = true;
    const startedAt = Date.now();
    this.stats.watches += 1;
    this.lastActivityAt = Date.now();
    const query: Record<string, string | number | boolean> = {
      allowWatchBookmarks: true,
      timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
    };
    if (this.resourceVersion) query.resourceVersion = this.resourceVersion;
    if (this.options.labelSelector) query.labelSelector = this.options.labelSelector;
    if (this.options.fieldSelector) query.fieldSelector = this.options.fieldSelector;
    let gone = false;
    const onEvent = (type: string, object: unknown): void => {
      if (generation !== this.watchGeneration) return;
      this.lastActivityAt = Date.now();
      if (type === 'ERROR') {
        const status = object as WatchStatus;
        if (status.code === 410) gone = true;
        else
          this.restartWatch(
            new Error(`watch error ${status.code ?? ''} ${status.reason ?? ''}: ${status.message ?? ''}`),
            false,
          );
        return;
      }
      const typed = object as CachedObject;
      if (typed.metadata?.resourceVersion) this.resourceVersion = typed.metadata.resourceVersion;
      // A good event proves the watch works again.
      this.failures = 0;
      this.lastError = undefined;
      if (type === 'BOOKMARK') return;
      const cached = this.options.transform ? this.options.transform(typed) : (typed as T);
      if (type === 'DELETED') this.remove(cached);
      else this.upsert(cached);
    };
    const onDone = (error: unknown): void => {
      if (generation !== this.watchGeneration || !this.running) return;
      this.watchAbort = undefined;
      this.watching = false;
      if (
        gone ||
        isKubeApiError(error, 410) ||
        (error as { statusCode?: number } | null)?.statusCode === 410
      ) {
        this.stats.relistsOn410 += 1;
        this.options.logger?.info(
          { informer: this.options.name },
          'resourceVersion too old (410 Gone): relisting',
        );
        this.resourceVersion = undefined;
        void this.relist();
        return;
      }
      if (error) {
        // client-node's Watch reports a refused watch as a bare 'Forbidden': name the missing rule.
        const denied = (error as { statusCode?: number } | null)?.statusCode === 403;
        this.scheduleRetry(
          () => this.startWatch(),
          denied
            ? new KubeApiError(
                403,
                'Forbidden',
                forbiddenMessage(requestAttributes('GET', `${this.options.path}?watch=true`)),
                'GET',
                this.options.path,
              )
            : error instanceof Error
              ? error
              : new Error(String(error)),
        );
        return;
      }
      // Normal end (server-side timeout): resume from the last resourceVersion at once, unless the
      // server keeps closing at once — then back off rather than spin.
      if (Date.now() - startedAt < 1000) {
        this.scheduleRetry(
          () => this.startWatch(),
          new Error('watch closed by the server right after it opened'),
        );
        return;
      }
      this.failures = 0;
      this.startWatch();
    };
    this.watcher
      .watch(this.options.path, query, onEvent, onDone)
      .then((abort) => {
        if (generation === this.watchGeneration) this.watchAbort = abort;
        else abort.abort();
      })
      .catch((error: unknown) => onDone(error));
  }

  private restartWatch(error: Error, immediately: boolean): void {
    this.abortWatch();
    if (immediately) this.startWatch();
    else this.scheduleRetry(() => this.startWatch(), error);
  }
}

function keyOf(object: CachedObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
