import { gunzipSync, gzip, gzipSync } from 'node:zlib';
import type { Context } from 'hono';

/**
 * Catalogue answers kept as gzip bytes across mirror generations. Between two syncs an assortment page is a pure
 * function of its URL, and on a 2-core host serialising a 100-item page (~60 KB of JSON) on every request capped the
 * read API at ~520 req/s at 256 connections; answering kept bytes measured 1,225 req/s, and kept gzip bytes (~8 KB)
 * 2,586 req/s with p99 243 ms (bench "readfix", docs/benchmarks.md).
 *
 * Only the gzip form is kept: a client without gzip gets it inflated per request (about 0.2 ms for a 60 KB page),
 * so the same bytes of cache hold 8× the pages, where keeping both forms (68 KB a page then) held about 1,900 of a
 * 300k-item base's and cycling every page missed every time. Pages have grown since (~18 KB of gzip for 100 items,
 * 2026-12-05): a 300k-item base's 8,173 are ~150 MB, and the default is 256 MiB (config catalog.responseCacheMB).
 *
 * Least recently used goes first (a hit moves the entry to the young end of the Map), bounded by bytes. When the
 * cache is full, a new answer is kept only if its URL has been asked for more often than the one it would push out
 * (TinyLFU's admission, counts halved as they age): a store pulling every page of a base larger than the cache is a
 * cycle, and a plain LRU then evicts each page just before its turn comes again — every request a miss (the issue's
 * 16 req/s at 100k, and 0.11 of the cached rate at 300k when gzip level 1 made the pages outgrow 128 MiB). With
 * admission the pages that fit stay and serve their share of the cycle; an answer asked for more often still gets in.
 *
 * A new mirror generation drops what it may have changed (issue 19.3). Given a change feed (the mirror's
 * catalog_changes: CatalogService.changesBetween), an assortment answer is kept when none of its items changed and
 * its warehouse's order did not move — a stock sync every two minutes changes a few offers, and dropping every
 * kept page for them cost a 300k base's 8,000 pages computed again each time. Answers that are not one warehouse's
 * items (cities, the group tree, changedSince lists) go at every new generation, as does everything when the feed
 * cannot list the change (a full sync that moved much, a gap in the log) or when there is no feed.
 *
 * A miss over HTTP (answer()) compresses on libuv's thread pool, not on the event loop: gzip level 6 of a 100-item
 * page (~125 KB of JSON) took 3.0 ms of the API thread's CPU against 1.0 ms for JSON.stringify (20k mirror, load
 * 11–13), and a client without gzip gets the JSON as soon as it is built, the kept bytes following. While an
 * answer is being compressed, requests for the same URL wait for it rather than compute it again.
 */
export interface MirrorChanges {
  items: Iterable<string>;
  stores: Iterable<string>;
}
export type ChangeFeed = (fromGeneration: number, toGeneration: number) => MirrorChanges | null;

interface Entry {
  gzip: Buffer;
  /** The warehouse of an assortment answer; null: dropped at every new generation. */
  store: string | null;
  /** Hashes of the items the answer shows (FNV-1a of the id): ~400 bytes for a 100-item page, not 4 KB of ids. */
  items: Uint32Array | null;
}

/** 32-bit FNV-1a: a changed item's hash matching another item's only drops one answer too many. */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const sizeOf = (e: Entry) => e.gzip.length + (e.items?.byteLength ?? 0);

/** An answer computed and being compressed: its JSON, and its gzip bytes when the thread pool has them. */
interface Pending {
  generation: number;
  plain: Buffer;
  gzip: Promise<Buffer>;
}

const gzipAsync = (b: Buffer) => new Promise<Buffer>((resolve, reject) => gzip(b, { level: 6 }, (e, z) => (e ? reject(e) : resolve(z))));

export class ResponseCache {
  private kept = new Map<string, Entry>();
  private pending = new Map<string, Pending>();
  /** Every compression still on the thread pool, also one whose key a newer generation has taken over (idle()). */
  private compressing = new Set<Promise<unknown>>();
  /** Requests per URL (hits and misses), for admission when full; halved when it grows past 4× the kept entries. */
  private asked = new Map<string, number>();
  private bytes = 0;
  private generation = -1;

  constructor(
    private readonly maxBytes = 256 * 1024 * 1024,
    private readonly changes?: ChangeFeed,
  ) {}

  get size(): { entries: number; bytes: number } {
    return { entries: this.kept.size, bytes: this.bytes };
  }

  /** Resolves once every compression started so far has been kept or dropped (tests: no fixed sleeps under load). */
  async idle(): Promise<void> {
    while (this.compressing.size) await Promise.allSettled([...this.compressing]);
  }

  /** Moves to a new generation, dropping what it may have changed. */
  private advance(generation: number) {
    const ch = this.generation >= 0 && this.kept.size && this.changes ? this.changes(this.generation, generation) : null;
    this.generation = generation;
    if (!ch) {
      this.kept.clear();
      this.bytes = 0;
      return;
    }
    const items = new Set<number>();
    for (const id of ch.items) items.add(hashId(id));
    const stores = new Set(ch.stores);
    for (const [k, e] of this.kept) {
      if (e.store === null || e.items === null || stores.has(e.store) || (items.size > 0 && e.items.some((h) => items.has(h)))) {
        this.kept.delete(k);
        this.bytes -= sizeOf(e);
      }
    }
  }

  /** The kept entry for key, made the youngest; undefined on a miss. */
  private hit(key: string): Entry | undefined {
    const hit = this.kept.get(key);
    if (hit) {
      this.kept.delete(key);
      this.kept.set(key, hit);
    }
    return hit;
  }

  /** What an answer is: compute() serialised, and what it depends on. The one place an answer is computed. */
  protected render(key: string, compute: () => unknown): { plain: Buffer; depends: Pick<Entry, 'store' | 'items'> } {
    const value = compute();
    return { plain: Buffer.from(JSON.stringify(value)), depends: dependsOn(key, value) };
  }

  /** Counts a request for key. */
  private ask(key: string) {
    this.asked.set(key, (this.asked.get(key) ?? 0) + 1);
    if (this.asked.size > Math.max(4096, 4 * this.kept.size)) {
      for (const [k, n] of this.asked) {
        if (n > 1) this.asked.set(k, n >> 1);
        else this.asked.delete(k);
      }
    }
  }

  private keep(key: string, entry: Entry) {
    if (sizeOf(entry) > this.maxBytes) return; // larger than the whole cache: answered, not kept
    if (this.bytes + sizeOf(entry) > this.maxBytes && !this.kept.has(key)) {
      const victim = this.kept.keys().next().value as string | undefined;
      if (victim !== undefined && (this.asked.get(key) ?? 0) <= (this.asked.get(victim) ?? 0)) return; // not admitted
    }
    const old = this.kept.get(key);
    if (old) {
      this.kept.delete(key);
      this.bytes -= sizeOf(old);
    }
    this.kept.set(key, entry);
    this.bytes += sizeOf(entry);
    for (const [k, v] of this.kept) {
      if (this.bytes <= this.maxBytes) break;
      this.kept.delete(k);
      this.bytes -= sizeOf(v);
    }
  }

  /** The kept gzip bytes for key (refreshing it), or what compute() gives, compressed here and kept. */
  gzipOf(generation: number, key: string, compute: () => unknown): Buffer {
    if (generation !== this.generation) this.advance(generation);
    this.ask(key);
    const hit = this.hit(key);
    if (hit) return hit.gzip;
    const { plain, depends } = this.render(key, compute);
    // Level 6, not 1: level 1 gzips a page in half the time (0.72 against 1.51 ms, best of 30), but a 300k base's
    // pages came to 13.4 KB against 10.9 KB (mirror of 2026-12-03), 8,173 pages no longer fitted the default 128 MiB,
    // and cycling every page (scale bench) fell from 0.76 to 0.11 of the cached rate: each request a miss.
    const gzip = gzipSync(plain, { level: 6 });
    this.keep(key, { gzip, ...depends });
    return gzip;
  }

  /**
   * The answer for key: kept gzip bytes (inflated for a client without gzip), or computed now. A miss is compressed
   * on the thread pool and kept when that is done, if the generation is still the current one; a client without
   * gzip is answered from the JSON at once.
   */
  answer(c: Context, generation: number, key: string, compute: () => unknown): Response | Promise<Response> {
    if (generation !== this.generation) this.advance(generation);
    const wantsGzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    c.header('Content-Type', 'application/json; charset=UTF-8');
    c.header('Vary', 'Accept-Encoding');
    const send = (bytes: Buffer, gzipped: boolean) => {
      if (gzipped) c.header('Content-Encoding', 'gzip');
      return c.body(new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength), 200);
    };
    this.ask(key);
    const hit = this.hit(key);
    if (hit) return wantsGzip ? send(hit.gzip, true) : send(gunzipSync(hit.gzip), false);
    let p = this.pending.get(key);
    if (!p || p.generation !== generation) {
      const { plain, depends } = this.render(key, compute);
      const started: Pending = { generation, plain, gzip: gzipAsync(plain) };
      p = started;
      this.pending.set(key, started);
      const settled = started.gzip.then(
        (gzip) => {
          if (this.pending.get(key) === started) this.pending.delete(key);
          if (this.generation === generation) this.keep(key, { gzip, ...depends });
        },
        () => {
          if (this.pending.get(key) === started) this.pending.delete(key);
        },
      );
      this.compressing.add(settled);
      void settled.finally(() => this.compressing.delete(settled));
    }
    if (!wantsGzip) return send(p.plain, false);
    return p.gzip.then((z) => send(z, true));
  }
}

/** What an answer depends on: one warehouse's listed items (an assortment page), or everything. */
function dependsOn(key: string, value: unknown): { store: string | null; items: Uint32Array | null } {
  const v = value as { store?: { id?: unknown }; items?: { id?: unknown }[] } | null;
  // changedSince lists follow changed_at, which a stock sync moves for every item whose offer changed.
  if (!v || typeof v !== 'object' || key.includes('changedSince=') || typeof v.store?.id !== 'string' || !Array.isArray(v.items)) return { store: null, items: null };
  const items = new Uint32Array(v.items.length);
  for (let i = 0; i < v.items.length; i++) items[i] = hashId(String(v.items[i]?.id ?? ''));
  return { store: v.store.id, items };
}
