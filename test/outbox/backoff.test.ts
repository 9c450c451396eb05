import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { backoffMs } from '../../src/outbox/index.js';

describe('backoffMs (full jitter)', () => {
  it('stays within [0, min(cap, base·2^(n−1))] for any attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 10 * 60_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, base, cap, r) => {
          const d = backoffMs(attempt, base, cap, () => r);
          const step = Math.min(cap, base * 2 ** (attempt - 1));
          return Number.isInteger(d) && d >= 0 && d <= step && d <= cap;
        },
      ),
    );
  });

  it('doubles its ceiling per attempt until the cap', () => {
    const top = (n: number) => backoffMs(n, 1000, 300_000, () => 0.9999999);
    expect([1, 2, 3, 4, 9, 10, 50, 5000].map(top)).toEqual([1000, 2000, 4000, 8000, 256_000, 300_000, 300_000, 300_000]);
    expect(backoffMs(7, 1000, 300_000, () => 0)).toBe(0);
  });

  it('is actually jittered: real random delays spread over the whole range', () => {
    const ds = Array.from({ length: 2000 }, () => backoffMs(20, 1000, 10_000));
    expect(Math.max(...ds)).toBeLessThanOrEqual(10_000);
    expect(Math.min(...ds)).toBeGreaterThanOrEqual(0);
    // uniform on [0, 10 000]: each tenth of the range gets ~200 of 2000; none empty, none hogging
    const buckets = new Array(10).fill(0);
    for (const d of ds) buckets[Math.min(9, Math.floor(d / 1000))]++;
    for (const b of buckets) expect(b).toBeGreaterThan(100), expect(b).toBeLessThan(320);
    expect(new Set(ds).size).toBeGreaterThan(1500);
  });
});
