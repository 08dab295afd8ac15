// A keyed work queue in the manner of client-go's: a key is queued at most once, never processed
// by two workers at the same time (an add during processing re-queues it once afterwards), failed
// keys come back after a per-key exponential backoff, and delayed adds carry spec.interval.
//
// Fair between namespaces: keys ("namespace/name") wait in one FIFO per namespace and workers take
// from the namespaces in turn, so a namespace with 900 policies delays another namespace's policy by
// at most one key per waiting namespace, not by its whole backlog.
import { backoffDelayMs, type BackoffOptions } from './backoff.js';

export interface WorkResult {
  /** Process the key again after this long (periodic re-evaluation). */
  requeueAfterMs?: number;
}

export type WorkHandler = (key: string) => Promise<WorkResult | void>;

export interface WorkQueueOptions {
  concurrency: number;
  backoff?: BackoffOptions;
  /** Called when a handler throws; the key is retried after a backoff. */
  onError?: (key: string, error: Error, retryInMs: number) => void;
}

export class WorkQueue {
  /** Waiting keys per namespace, each in arrival order. */
  private readonly waiting = new Map<string, string[]>();
  /** Namespaces with waiting keys, in the order they are served next. */
  private readonly turns: string[] = [];
  private waitingCount = 0;
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while being processed: queued again when their run ends. */
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private handler: WorkHandler | undefined;
  private shuttingDown = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: WorkQueueOptions) {}

  start(handler: WorkHandler): void {
    this.handler = handler;
    this.pump();
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    this.cancelDelayed(key);
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.enqueue(key);
    this.pump();
  }

  /** Adds the key after delayMs; an earlier pending add wins over a later one. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Drops a key's pending work and failure history (the object was deleted). */
  forget(key: string): void {
    this.cancelDelayed(key);
    this.failures.delete(key);
    this.dirty.delete(key);
    if (this.queued.delete(key)) this.dequeueKey(key);
  }

  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get length(): number {
    return this.waitingCount;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  pendingDelayed(): string[] {
    return [...this.delayed.keys()];
  }

  /** Stops taking work, cancels delayed adds, and waits for running handlers to finish. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.waiting.clear();
    this.turns.length = 0;
    this.waitingCount = 0;
    this.queued.clear();
    this.dirty.clear();
    await this.idle();
  }

  /** Resolves when nothing is queued or running (delayed adds do not count). */
  idle(): Promise<void> {
    if (this.processing.size === 0 && this.waitingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private cancelDelayed(key: string): void {
    const existing = this.delayed.get(key);
    if (!existing) return;
    clearTimeout(existing.timer);
    this.delayed.delete(key);
  }

  private enqueue(key: string): void {
    const namespace = namespaceOf(key);
    let keys = this.waiting.get(namespace);
    if (!keys) {
      keys = [];
      this.waiting.set(namespace, keys);
      this.turns.push(namespace);
    }
    keys.push(key);
    this.waitingCount += 1;
  }

  /** The next key, from the namespace whose turn it is; that namespace goes to the back. */
  private dequeueNext(): string {
    const namespace = this.turns.shift()!;
    const keys = this.waiting.get(namespace)!;
    const key = keys.shift()!;
    this.waitingCount -= 1;
    if (keys.length > 0) this.turns.push(namespace);
    else this.waiting.delete(namespace);
    return key;
  }

  private dequeueKey(key: string): void {
    const namespace = namespaceOf(key);
    const keys = this.waiting.get(namespace);
    const at = keys?.indexOf(key) ?? -1;
    if (!keys || at < 0) return;
    keys.splice(at, 1);
    this.waitingCount -= 1;
    if (keys.length === 0) {
      this.waiting.delete(namespace);
      this.turns.splice(this.turns.indexOf(namespace), 1);
    }
  }

  private pump(): void {
    while (this.handler && this.processing.size < this.options.concurrency && this.waitingCount > 0) {
      const key = this.dequeueNext();
      this.queued.delete(key);
      this.processing.add(key);
      void this.run(key, this.handler);
    }
    if (this.processing.size === 0 && this.waitingCount === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async run(key: string, handler: WorkHandler): Promise<void> {
    let requeueAfterMs: number | undefined;
    try {
      const result = await handler(key);
      this.failures.delete(key);
      requeueAfterMs = result?.requeueAfterMs;
    } catch (error) {
      const attempt = this.failures.get(key) ?? 0;
      this.failures.set(key, attempt + 1);
      requeueAfterMs = backoffDelayMs(
        attempt,
        this.options.backoff ?? { initialMs: 1000, maxMs: 5 * 60_000 },
      );
      this.options.onError?.(key, error instanceof Error ? error : new Error(String(error)), requeueAfterMs);
    } finally {
      this.processing.delete(key);
    }
    if (this.dirty.delete(key)) this.add(key);
    else if (requeueAfterMs !== undefined) this.addAfter(key, requeueAfterMs);
    this.pump();
  }
}

/** "namespace/name" → "namespace"; a key without a slash is its own namespace. */
function namespaceOf(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}
