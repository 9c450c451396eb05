import { gunzipSync, gzipSync } from 'node:zlib';
import type { Context } from 'hono';

/**
 * Catalogue answers kept as gzip bytes, per mirror generation. Between two syncs an assortment page is a pure
 * function of its URL, and on a 2-core host serialising a 100-item page (~60 KB of JSON) on every request capped the
 * read API at ~520 req/s at 256 connections; answering kept bytes measured 1,225 req/s, and kept gzip bytes (~8 KB)
 * 2,586 req/s with p99 243 ms (bench "readfix", docs/benchmarks.md).
 *
 * Only the gzip form is kept: a client without gzip gets it inflated per request (about 0.2 ms for a 60 KB page),
 * so the same bytes of cache hold 8× the pages — all of a 300k-item base's (≈ 7,600 pages × 8 KB) in the default
 * 128 MiB, where keeping both forms (68 KB a page) held about 1,900 and cycling every page missed every time.
 *
 * Least recently used goes first (a hit moves the entry to the young end of the Map), bounded by bytes; emptied
 * whenever the mirror generation changes.
 */
export class ResponseCache {
  private kept = new Map<string, Buffer>();
  private bytes = 0;
  private generation = -1;

  constructor(private readonly maxBytes = 128 * 1024 * 1024) {}

  get size(): { entries: number; bytes: number } {
    return { entries: this.kept.size, bytes: this.bytes };
  }

  /** The kept gzip bytes for key (refreshing it), or what compute() gives, kept. */
  gzipOf(generation: number, key: string, compute: () => unknown): Buffer {
    if (generation !== this.generation) {
      this.kept.clear();
      this.bytes = 0;
      this.generation = generation;
    }
    let gzip = this.kept.get(key);
    if (gzip) {
      this.kept.delete(key);
      this.kept.set(key, gzip);
      return gzip;
    }
    gzip = gzipSync(Buffer.from(JSON.stringify(compute())), { level: 6 });
    if (gzip.length > this.maxBytes) return gzip; // larger than the whole cache: answered, not kept
    this.kept.set(key, gzip);
    this.bytes += gzip.length;
    for (const [k, v] of this.kept) {
      if (this.bytes <= this.maxBytes) break;
      this.kept.delete(k);
      this.bytes -= v.length;
    }
    return gzip;
  }

  answer(c: Context, generation: number, key: string, compute: () => unknown): Response {
    const kept = this.gzipOf(generation, key, compute);
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    c.header('Content-Type', 'application/json; charset=UTF-8');
    c.header('Vary', 'Accept-Encoding');
    if (gzip) c.header('Content-Encoding', 'gzip');
    return c.body(new Uint8Array(gzip ? kept : gunzipSync(kept)), 200);
  }
}
