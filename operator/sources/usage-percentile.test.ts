import { MIN_USAGE_SAMPLES, p95, quantile } from './usage-percentile.js';

describe('usage p95', () => {
  test('linear interpolation between closest ranks, rank φ·(n−1) (Prometheus quantile_over_time)', () => {
    // 1..100: rank 0.95 × 99 = 94.05 → 95 + 0.05 × (96 − 95) = 95.05
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.95)).toBeCloseTo(95.05, 10);
    expect(p95(values)).toBeCloseTo(95.05, 10);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(100);
    expect(quantile(values, 0.5)).toBeCloseTo(50.5, 10);
  });

  test('order of the samples does not matter and the input is not changed', () => {
    const values = [5, 1, 4, 2, 3, 9, 8, 7, 6, 10, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11];
    const copy = [...values];
    // n = 20: rank 0.95 × 19 = 18.05 → 19 + 0.05 × (20 − 19) = 19.05
    expect(p95(values)).toBeCloseTo(19.05, 10);
    expect(values).toEqual(copy);
  });

  test('a spike above the 95th percentile does not move it far; one below the fence does not either', () => {
    const flat = Array.from({ length: 40 }, () => 0.25);
    expect(p95(flat)).toBeCloseTo(0.25, 12);
    // one 8-core spike among 40 samples lies above rank 37.05: the p95 stays at the plateau.
    expect(p95([...flat.slice(1), 8])).toBeCloseTo(0.25, 12);
    // three spikes (7.5 %) reach the p95 rank: it rises, part-way by interpolation.
    const three = [...flat.slice(3), 8, 8, 8];
    expect(p95(three)).toBeGreaterThan(0.25);
    expect(p95(three)).toBeLessThanOrEqual(8);
  });

  test('fewer than the minimum samples give no p95; non-finite samples do not count', () => {
    const few = Array.from({ length: MIN_USAGE_SAMPLES - 1 }, (_, i) => i);
    expect(p95(few)).toBeNull();
    expect(p95([...few, Number.NaN])).toBeNull();
    expect(p95([...few, 100])).toBeCloseTo(quantile([...few, 100], 0.95)!, 12);
    expect(quantile([], 0.95)).toBeNull();
  });

  test('φ outside 0..1 is an error naming it', () => {
    expect(() => quantile([1], 1.5)).toThrow(/φ must be within 0..1/);
  });

  test('typed arrays (the sampler keeps Float32Array) work the same', () => {
    const values = Float32Array.from({ length: 100 }, (_, i) => i + 1);
    expect(p95(values)).toBeCloseTo(95.05, 5);
  });
});
