import type { Db } from '../db/open.js';

/** The two copies of the paging order (migration 015), by catalog_stores.assortment. */
const COPIES = ['catalog_assortment', 'catalog_assortment_b'] as const;

/**
 * Rows read per slice of a background build, then the event loop goes on: a 100k-item warehouse took 40–50 ms of CPU
 * to read whole (300k mirror, load 11–15), so a slice holds the API thread ~3–4 ms.
 */
const SLICE = 8_192;

export interface StoreRef {
  no: number;
  id: string;
  copy: 0 | 1;
}

interface Entry {
  key: string;
  storeId: string;
  /** The mirror generation the order was read at, moved forward while the change log says the store's order stayed. */
  generation: number;
  /** The warehouse's items (catalog_items.rowid) ascending, and each one's position in the warehouse's order. */
  items: Int32Array;
  pos: Int32Array;
}

/**
 * Each warehouse's order (catalog_assortment: item → position) held as two typed arrays sorted by item, so that a
 * q= search takes its matches from the FTS index and finds which the warehouse carries, and where, by a merge in
 * memory instead of one B-tree probe per match (and a sort of the carried matches by position in SQLite). CPU of a
 * whole q= page 1 at 300k items (load 11), order in memory against the SQL path: a brand in 13.6k names 14 vs 20 ms,
 * "для" (12.8k at the warehouse) 16 vs 38, "ный" (21.6k) 22 vs 56, a word in every name (102k at the warehouse) 160
 * vs 337; a rare article the same (2 ms). What is left is the FTS itself (the trigram phrase's postings and one
 * rowid out per match: ~130 of the 160 ms) and the page's rows.
 *
 * The arrays are read in the background, in slices that each hold the API thread for a few milliseconds, at the
 * first search at a warehouse and again after a sync moved its order; a search that comes before they are ready
 * takes the SQL path, so nothing ever waits for them. 8 bytes per carried item: 0.8 MB for a
 * warehouse of 100k items; at most `maxBytes` in all (least recently used dropped first).
 */
export class StoreOrders {
  /** Off: every search takes the SQL path (tests compare the two). */
  enabled = true;
  /** Rows per slice of a background build. */
  slice = SLICE;
  /** Up to this many hits, select() sorts them; more, it walks the positions (tests set both ways). */
  sortBelow = 2048;
  private readonly entries = new Map<string, Entry>();
  private readonly building = new Set<string>();
  /** Builds waiting for the one in progress (startBuild). */
  private readonly queue: (() => void)[] = [];
  private running = false;
  private bytes = 0;
  private readonly matches = new Map<string, Int32Array>();
  private matchBytes = 0;
  private matchGeneration = -1;
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly currentGeneration: () => number,
    /** catalog_changes between two generations (CatalogService.changesBetween): null when it cannot say. */
    private readonly changesBetween: (from: number, to: number) => { stores: Set<string> } | null,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {
    this.stmt = {
      // Two JSON lists per slice: a row object per item cost ~2× the CPU through better-sqlite3.
      slice: COPIES.map((t) =>
        db.prepare(
          `SELECT json_group_array(item_no) AS items, json_group_array(pos) AS pos, count(*) AS n
             FROM (SELECT item_no, pos FROM ${t} INDEXED BY ${t}_item WHERE store_no = ? AND item_no > ? ORDER BY item_no LIMIT ?)`,
        ),
      ),
      copyOf: db.prepare(`SELECT assortment FROM catalog_stores WHERE rowid = ?`).pluck(),
    };
  }

  /**
   * The warehouse's order at `generation`, or undefined when it is not in memory yet (a build is then started in the
   * background unless `build` is false).
   */
  get(store: StoreRef, generation: number, build = true): Entry | undefined {
    if (!this.enabled) return undefined;
    const key = `${store.no}:${store.copy}`;
    const e = this.entries.get(key);
    if (e && this.current(e, generation)) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, e);
      return e;
    }
    if (e) this.drop(key);
    if (build) this.startBuild(store, generation);
    return undefined;
  }

  /**
   * Reads every warehouse's order in the background (one at a time, a slice per turn of the event loop), when they
   * all fit in `maxBytes`: `stores` with the number of items each carries. A warehouse whose order a sync left as it
   * was keeps its entry (current() moves it forward) and is not read again. Returns how many builds it started.
   */
  warm(stores: (StoreRef & { carried: number })[], generation: number): number {
    if (!this.enabled) return 0;
    if (stores.reduce((s, x) => s + x.carried * 8, 0) > this.maxBytes) return 0;
    let started = 0;
    for (const store of stores) {
      const key = `${store.no}:${store.copy}`;
      if (this.building.has(key) || this.get(store, generation, false)) continue;
      this.startBuild(store, generation);
      started++;
    }
    return started;
  }

  /** A build is running or waiting. */
  get warming(): boolean {
    return this.running || this.queue.length > 0;
  }

  /** Builds it now, in one go (tests; a caller that will wait). */
  buildNow(store: StoreRef, generation: number): Entry | undefined {
    const key = `${store.no}:${store.copy}`;
    const e = this.readAll(store, generation);
    if (e) this.put(key, e);
    return e ?? undefined;
  }

  /**
   * The search's answer at a warehouse: how many of `matches` (item rowids, ascending, no repeats) it carries and
   * the page [offset, offset + limit) of them in the warehouse's order — what the SQL path's
   * `… JOIN catalog_assortment … ORDER BY pos` gives, by a merge of two sorted lists.
   */
  select(e: Entry, matches: Int32Array, offset: number, limit: number): { total: number; page: number[] } {
    const { items, pos } = e;
    const found = new Float64Array(Math.min(matches.length, items.length));
    let n = 0;
    let j = 0;
    // Few matches against many items: jump by binary search; many: walk both lists.
    const jump = matches.length * 16 < items.length;
    for (let i = 0; i < matches.length && j < items.length; i++) {
      const m = matches[i];
      if (jump) {
        let lo = j;
        let hi = items.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (items[mid] < m) lo = mid + 1;
          else hi = mid;
        }
        j = lo;
      } else while (j < items.length && items[j] < m) j++;
      // Position and item in one number (position first) so one numeric sort orders them: positions < 2^21,
      // rowids < 2^31.
      if (j < items.length && items[j] === m) found[n++] = pos[j] * 2147483648 + m;
    }
    const page: number[] = [];
    if (n <= this.sortBelow) {
      const hits = found.subarray(0, n).sort();
      for (let k = offset; k < Math.min(n, offset + limit); k++) page.push(hits[k] % 2147483648);
      return { total: n, page };
    }
    // Many hits: each put at its position and the positions walked up to the page, instead of sorting them all
    // (102k hits: the sort was ~10 ms of the 15 this function took, 300k mirror, load 10).
    const slots = new Int32Array(items.length);
    for (let k = 0; k < n; k++) slots[Math.floor(found[k] / 2147483648)] = found[k] % 2147483648;
    for (let p = 0, rank = 0; p < slots.length && rank < offset + limit; p++) {
      if (slots[p] === 0) continue;
      if (rank >= offset) page.push(slots[p]);
      rank++;
    }
    return { total: n, page };
  }

  /**
   * A q='s matches in the whole base (catalog_items.rowid ascending), kept for the generation: the same word asked at
   * another warehouse (a store's shoppers search every shop of a city) takes them again instead of reading the FTS
   * postings again — for a word in every name of a 300k base that read was ~130 of the ~160 ms a search cost (CPU,
   * load 11). At most `maxBytes / 4` in all; a new generation empties it (a sync may have renamed items).
   */
  matchesOf(q: string, generation: number, compute: () => Int32Array | undefined): Int32Array | undefined {
    if (this.matchGeneration !== generation) {
      this.matches.clear();
      this.matchBytes = 0;
      this.matchGeneration = generation;
    }
    const hit = this.matches.get(q);
    if (hit) {
      this.matches.delete(q);
      this.matches.set(q, hit);
      return hit;
    }
    const m = compute();
    if (!m || m.byteLength > this.maxBytes / 4) return m;
    while (this.matchBytes + m.byteLength > this.maxBytes / 4 && this.matches.size) {
      const [k, v] = this.matches.entries().next().value as [string, Int32Array];
      this.matches.delete(k);
      this.matchBytes -= v.byteLength;
    }
    this.matches.set(q, m);
    this.matchBytes += m.byteLength;
    return m;
  }

  private current(e: Entry, generation: number): boolean {
    if (e.generation === generation) return true;
    const changes = this.changesBetween(e.generation, generation);
    if (!changes || changes.stores.has(e.storeId)) return false;
    e.generation = generation;
    return true;
  }

  private put(key: string, e: Entry) {
    this.drop(key);
    const size = e.items.byteLength + e.pos.byteLength;
    // select() packs a position and a rowid into one double: positions below 2^22 (4M items in a warehouse).
    if (size > this.maxBytes || e.items.length >= 4_194_304) return;
    while (this.bytes + size > this.maxBytes && this.entries.size) this.drop(this.entries.keys().next().value as string);
    this.entries.set(key, e);
    this.bytes += size;
  }

  private drop(key: string) {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.items.byteLength + e.pos.byteLength;
  }

  /** One slice: up to SLICE items past `after`. */
  private readSlice(store: StoreRef, after: number): { items: number[]; pos: number[] } {
    const r = this.stmt.slice[store.copy].get(store.no, after, this.slice) as { items: string; pos: string; n: number };
    return { items: JSON.parse(r.items) as number[], pos: JSON.parse(r.pos) as number[] };
  }

  private readAll(store: StoreRef, generation: number): Entry | null {
    const items: number[] = [];
    const pos: number[] = [];
    const read = this.db.transaction(() => {
      // One read transaction: the copy and its rows as of the same commit.
      if (this.stmt.copyOf.get(store.no) !== store.copy || this.currentGeneration() !== generation) return false;
      for (let after = -1; ; ) {
        const s = this.readSlice(store, after);
        items.push(...s.items);
        pos.push(...s.pos);
        if (s.items.length < this.slice) return true;
        after = s.items[s.items.length - 1];
      }
    });
    if (!read()) return null;
    return { key: `${store.no}:${store.copy}`, storeId: store.id, generation, items: Int32Array.from(items), pos: Int32Array.from(pos) };
  }

  /**
   * Reads the order a slice per turn of the event loop. A sync that commits in between (another generation, or the
   * warehouse switched to its other copy) abandons the build: the next request for the warehouse starts it again.
   */
  private startBuild(store: StoreRef, generation: number) {
    const key = `${store.no}:${store.copy}`;
    if (this.building.has(key)) return;
    this.building.add(key);
    const items: Int32Array[] = [];
    const pos: Int32Array[] = [];
    let after = -1;
    const done = () => {
      this.building.delete(key);
      this.running = false;
      this.queue.shift()?.();
    };
    const step = () => {
      try {
        if (this.currentGeneration() !== generation || this.stmt.copyOf.get(store.no) !== store.copy) return done();
        const s = this.readSlice(store, after);
        items.push(Int32Array.from(s.items));
        pos.push(Int32Array.from(s.pos));
        if (s.items.length === this.slice) {
          after = s.items[s.items.length - 1];
          return void setImmediate(step);
        }
        this.put(key, { key, storeId: store.id, generation, items: concat(items), pos: concat(pos) });
        done();
      } catch {
        // A closed database (shutdown) or a table being migrated: the SQL path serves meanwhile.
        done();
      }
    };
    // One warehouse at a time, in the order they were first searched: a slice runs per turn of the event loop (when
    // requests come one after another, one per request), so seven read side by side were all ready only after
    // ~90 requests (300k mirror), the first one searched no sooner than the last.
    const begin = () => {
      this.running = true;
      setImmediate(step);
    };
    if (this.running) this.queue.push(begin);
    else begin();
  }
}

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
