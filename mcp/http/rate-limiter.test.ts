// The per-client token buckets: the rate itself, and a bounded table that drops the least recently
// seen client (it used to clear itself when full, handing every limited client a fresh bucket).
import { TokenBuckets } from './rate-limiter.js';

describe('TokenBuckets', () => {
  test('allows the burst, then one request per 1/rate seconds, with the wait in seconds', () => {
    const buckets = new TokenBuckets(2, 3);
    expect([0, 0, 0].map(() => buckets.take('a', 0))).toEqual([0, 0, 0]);
    expect(buckets.take('a', 0)).toBe(1);
    expect(buckets.take('a', 500)).toBe(0); // half a second refills one token at 2/s
    expect(buckets.take('a', 500)).toBe(1);
  });

  test('a full table evicts the least recently seen client, never the one that keeps sending', () => {
    const buckets = new TokenBuckets(1, 1, 3);
    expect(buckets.take('limited', 0)).toBe(0);
    expect(buckets.take('limited', 0)).toBe(1);
    expect(buckets.take('b', 0)).toBe(0);
    expect(buckets.take('c', 0)).toBe(0);
    expect(buckets.take('limited', 0)).toBe(1); // seen again: now the most recent
    expect(buckets.take('d', 0)).toBe(0); // the table is full: 'b' goes
    expect(buckets.size).toBe(3);
    expect(buckets.take('limited', 0)).toBe(1); // still limited (a cleared table would let it through)
    expect(buckets.take('b', 0)).toBe(0); // 'b' starts over with a fresh bucket
    expect(buckets.size).toBe(3);
  });
});
