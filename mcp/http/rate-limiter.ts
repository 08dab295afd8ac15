// Token bucket per client address: `rate_per_s` sustained, `burst` at once. 429 with Retry-After.
import type { RequestHandler } from 'express';
import { sendProblem } from './problem.js';

interface Bucket {
  tokens: number;
  updated_ms: number;
}

const MAX_TRACKED_CLIENTS = 10_000;

export function rateLimiter(rate_per_s: number, burst: number): RequestHandler {
  const buckets = new Map<string, Bucket>();
  return (req, res, next) => {
    const key = req.socket.remoteAddress ?? 'unknown';
    const now = Date.now();
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= MAX_TRACKED_CLIENTS) buckets.clear(); // bounded memory under address churn
      bucket = { tokens: burst, updated_ms: now };
      buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updated_ms) / 1000) * rate_per_s);
    bucket.updated_ms = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      next();
      return;
    }
    const retryAfter_s = Math.max(1, Math.ceil((1 - bucket.tokens) / rate_per_s));
    res.setHeader('Retry-After', String(retryAfter_s));
    sendProblem(res, {
      title: 'Too many requests',
      status: 429,
      detail: `rate limit of ${rate_per_s} requests/s (burst ${burst}) per client exceeded; retry after ${retryAfter_s} s`,
    });
  };
}
