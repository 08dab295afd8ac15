// Token bucket per client address: `rate_per_s` sustained, `burst` at once. 429 with Retry-After.
// The table of buckets is bounded: beyond `maxClients` addresses the least recently seen one is
// dropped (a client that keeps sending stays tracked, so address churn cannot reset its limit).
import { sendProblem } from './problem.js';
import type { Guard } from './request-guards.js';

interface Bucket {
  tokens: number;
  updated_ms: number;
}

const MAX_TRACKED_CLIENTS = 10_000;

export class TokenBuckets {
  /** Insertion order = least recently seen first. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly rate_per_s: number,
    readonly burst: number,
    readonly maxClients = MAX_TRACKED_CLIENTS,
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token for `key`; returns 0 when allowed, else the seconds to wait. */
  take(key: string, now_ms: number): number {
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
    } else {
      if (this.buckets.size >= this.maxClients) {
        const leastRecent = this.buckets.keys().next().value;
        if (leastRecent !== undefined) this.buckets.delete(leastRecent);
      }
      bucket = { tokens: this.burst, updated_ms: now_ms };
    }
    this.buckets.set(key, bucket);
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now_ms - bucket.updated_ms) / 1000) * this.rate_per_s,
    );
    bucket.updated_ms = now_ms;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate_per_s));
  }
}

export function rateLimiter(rate_per_s: number, burst: number): Guard {
  const buckets = new TokenBuckets(rate_per_s, burst);
  return (req, res, next) => {
    const retryAfter_s = buckets.take(req.socket.remoteAddress ?? 'unknown', Date.now());
    if (retryAfter_s === 0) {
      next();
      return;
    }
    res.setHeader('Retry-After', String(retryAfter_s));
    sendProblem(res, {
      title: 'Too many requests',
      status: 429,
      detail: `rate limit of ${rate_per_s} requests/s (burst ${burst}) per client exceeded; retry after ${retryAfter_s} s`,
    });
  };
}
