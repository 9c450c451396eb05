import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { ResponseCache } from '../../src/api/response-cache.js';

// The response cache is LRU by bytes: a hit makes an entry young again, the least recently used goes first, and a
// new mirror generation empties it.
const page = (n: number) => ({ n, pad: 'x'.repeat(200) + String(n).repeat(50) });

describe('ResponseCache', () => {
  it('keeps gzip bytes that inflate to the JSON answer', () => {
    const cache = new ResponseCache();
    const z = cache.gzipOf(1, 'a', () => page(1));
    expect(JSON.parse(gunzipSync(z).toString())).toEqual(page(1));
  });

  it('evicts the least recently used, and a hit refreshes', () => {
    let computed = 0;
    const compute = (n: number) => () => (computed++, page(n));
    const one = new ResponseCache().gzipOf(1, 'x', compute(0)).length;
    const cache = new ResponseCache(one * 3 + one / 2); // room for 3
    for (const k of [1, 2, 3]) cache.gzipOf(1, `k${k}`, compute(k));
    expect(computed).toBe(4);
    cache.gzipOf(1, 'k1', compute(1)); // hit: k1 is young now, k2 the oldest
    expect(computed).toBe(4);
    cache.gzipOf(1, 'k4', compute(4)); // evicts k2, not k1 (FIFO would have evicted k1)
    expect(computed).toBe(5);
    cache.gzipOf(1, 'k1', compute(1));
    cache.gzipOf(1, 'k3', compute(3));
    expect(computed).toBe(5);
    cache.gzipOf(1, 'k2', compute(2));
    expect(computed).toBe(6);
    expect(cache.size.entries).toBe(3);
    expect(cache.size.bytes).toBeLessThanOrEqual(one * 3 + one / 2);
  });

  it('a new generation starts empty; an answer larger than the cache is served, not kept', () => {
    const cache = new ResponseCache(10);
    let computed = 0;
    cache.gzipOf(1, 'a', () => (computed++, page(1)));
    cache.gzipOf(1, 'a', () => (computed++, page(1)));
    expect(computed).toBe(2);
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
    const big = new ResponseCache();
    big.gzipOf(1, 'a', () => (computed++, page(1)));
    big.gzipOf(2, 'a', () => (computed++, page(1)));
    expect(computed).toBe(4);
    expect(big.size.entries).toBe(1);
  });
});
