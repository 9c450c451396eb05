import type { Db } from '../db/open.js';
import {
  carriedChanged,
  changedOrders,
  computeOrders,
  diff,
  itemLists,
  listChanges,
  dropOrders,
  fillOrders,
  firstFill,
  servingCopies,
  stageSmall,
  swap,
  touchedOffers,
  type Step,
  type TableName,
} from './apply.js';
import { openScratch, S } from './scratch.js';
import { itemHash, rowOf } from './stage.js';
import type { MirrorSnapshot } from './types.js';

/** What q= compares: JS lower case (SQLite's folds ASCII only) with ё → е, so «ёлка» and «елка» find each other. */
export function foldForSearch(s: string): string {
  return s.toLowerCase().replace(/ё/g, 'е');
}

/** name \x01 article, folded: one FTS5 column; \x01 keeps a match from spanning the two (the LIKE did the same). */
export function searchTextOf(name: string, article: string): string {
  return foldForSearch(name) + '\x01' + foldForSearch(article);
}

/**
 * Rows written before migration 014 have no search_text (SQLite cannot fold Cyrillic in a migration): filled here,
 * once; the FTS triggers index them as they are filled. A no-op (one indexed count) afterwards.
 */
export function fillSearchText(db: Db): number {
  const rows = db.prepare(`SELECT rowid AS no, name, article FROM catalog_items WHERE search_text IS NULL`).all() as { no: number; name: string; article: string }[];
  if (rows.length === 0) return 0;
  const set = db.prepare(`UPDATE catalog_items SET search_text = ? WHERE rowid = ?`);
  db.transaction(() => {
    for (const r of rows) set.run(searchTextOf(r.name, r.article), r.no);
  })();
  return rows.length;
}

const COPIES = ['catalog_assortment', 'catalog_assortment_b'] as const;

/**
 * catalog_assortment: every warehouse's carried items numbered in the API's order (name, id), so that a page at
 * any depth is a primary-key seek (migration 014), in the copy the warehouse serves from (migration 015). Rebuilt
 * here in place, in one transaction, from the mirror as it is; the syncs do not use this (they fill the unused copy
 * in chunks and switch: apply.ts). `storeIds`: only these warehouses.
 */
export function rebuildAssortmentOrder(db: Db, storeIds?: Iterable<string>) {
  const only = storeIds ? JSON.stringify([...storeIds]) : null;
  if (only === '[]') return;
  const stores = only ? `st.id IN (SELECT value FROM json_each(@only))` : '1';
  db.transaction(() => {
    for (const [buf, table] of COPIES.entries()) {
      const mine = `st.assortment = ${buf} AND ${stores}`;
      db.prepare(`DELETE FROM ${table} WHERE store_no IN (SELECT rowid FROM catalog_stores st WHERE ${mine})`).run(only ? { only } : {});
      db.prepare(`INSERT INTO ${table} (store_no, pos, item_no)
        SELECT store_no, row_number() OVER (PARTITION BY store_no ORDER BY name, id) - 1, item_no FROM (
          SELECT st.rowid AS store_no, i.rowid AS item_no, i.name, i.id
            FROM catalog_stock s JOIN catalog_stores st ON st.id = s.store_id JOIN catalog_items i ON i.id = s.item_id
           WHERE i.sold_to_order = 0 AND ${mine}
          UNION ALL
          SELECT st.rowid, i.rowid, i.name, i.id FROM catalog_stores st JOIN catalog_items i WHERE i.sold_to_order = 1 AND ${mine}
        )`).run(only ? { only } : {});
    }
  })();
}

// ---- applying a staged generation --------------------------------------------------------------------------------

const FULL_TABLES: TableName[] = ['groups', 'kinds', 'barcodes', 'prices', 'stock', 'pictures', 'packagings'];

/** How long the steps of an apply took: the final transaction, and the longest step (one transaction each). */
export interface ApplyTiming {
  swapMs: number;
  longestStepMs: number;
  steps: number;
}

const newTiming = (): ApplyTiming => ({ swapMs: 0, longestStepMs: 0, steps: 0 });

/** Runs steps (each its own short transaction), letting the event loop and other writers in every ~10 ms. */
export async function drive<R>(steps: Generator<Step, R>, timing: ApplyTiming = newTiming()): Promise<R> {
  let t = performance.now();
  for (;;) {
    const n = steps.next();
    if (n.done) return n.value;
    const t0 = performance.now();
    n.value();
    const ms = performance.now() - t0;
    timing.steps++;
    if (ms > timing.longestStepMs) timing.longestStepMs = ms;
    if (performance.now() - t > 10) {
      await new Promise((r) => setImmediate(r));
      t = performance.now();
    }
  }
}

function driveNow<R>(steps: Generator<Step, R>): R {
  for (;;) {
    const n = steps.next();
    if (n.done) return n.value;
    n.value();
  }
}

/** The final transaction, timed (the one step that holds the mirror's write lock while it applies a generation). */
function timedSwap(db: Db, s: Parameters<typeof swap>[1], timing?: ApplyTiming) {
  const t0 = performance.now();
  swap(db, s);
  if (timing) timing.swapMs = performance.now() - t0;
}

/**
 * After the new generation is staged (new_items, new_barcodes, prices, stock, new_pictures, packagings, stores,
 * kinds, groups in the scratch database): the differences, the changed orders filled into their unused copies,
 * then the final transaction, then the rows of removed warehouses dropped.
 */
export function* finishFull(db: Db, o: { ts: string; meta: Record<string, string>; timing?: ApplyTiming; within?: () => void; everything?: boolean }): Generator<Step, void> {
  const first = db.prepare(`SELECT count(*) FROM (SELECT 1 FROM main.catalog_items LIMIT 1)`).pluck().get() === 0;
  yield () => diff(db, FULL_TABLES);
  yield () => {
    db.prepare(`INSERT INTO ${S}.item_del (no) SELECT rowid FROM main.catalog_items WHERE id NOT IN (SELECT id FROM ${S}.new_items)`).run();
    touchedOffers(db, 'new', o.ts);
  };
  yield () => computeOrders(db, 'new');
  const current = servingCopies(db);
  const stores = db.prepare(`SELECT no FROM ${S}.stores`).pluck().all() as number[];
  const removed = [...current.keys()].filter((no) => !stores.includes(no));
  yield () => changedOrders(db, current, stores);
  const target = targets(db, current);
  yield* fillOrders(db, target);
  if (first) yield* firstFill(db, FULL_TABLES);
  let changes: ReturnType<typeof listChanges> = null;
  // everything: something every answer shows changed outside these tables (issue 17: a price kind's ЦенаВключаетНДС).
  yield () => void (changes = first || o.everything ? null : listChanges(db, 'full'));
  yield () => itemLists(db);
  yield () =>
    timedSwap(db, {
      changes,
      kind: 'full',
      tables: FULL_TABLES,
      ts: o.ts,
      target,
      meta: { ...o.meta, 'mirror.syncedAt': o.ts, 'mirror.stockSyncedAt': o.ts },
      bump: true,
      within: o.within,
    }, o.timing);
  yield* dropOrders(db, removed);
}

/** After the new stock (and prices) are staged: the same for a stock sync. Returns the items whose offer changed. */
export function* finishStock(db: Db, o: { ts: string; prices: boolean; timing?: ApplyTiming; readAt?: string; within?: () => void }): Generator<Step, { changed: number }> {
  const tables: TableName[] = o.prices ? ['stock', 'prices'] : ['stock'];
  yield () => {
    diff(db, tables);
    if (!o.prices) db.exec(`CREATE TABLE ${S}.d_prices_up (item_id, price_kind_id, price); CREATE TABLE ${S}.d_prices_del (item_id, price_kind_id);`);
  };
  let changed = 0;
  let carried: number[] = [];
  yield () => {
    changed = touchedOffers(db, 'mirror', o.ts);
    // Quantities and prices do not move an item in the paging order; entering or leaving a warehouse does, and
    // only that warehouse's order is rebuilt.
    carried = carriedChanged(db);
  };
  const current = servingCopies(db);
  yield () => {
    computeOrders(db, 'stock', carried);
    changedOrders(db, current, carried);
  };
  const target = targets(db, current);
  yield* fillOrders(db, target);
  let changes: ReturnType<typeof listChanges> = null;
  yield () => void (changes = listChanges(db, 'stock'));
  yield () => timedSwap(db, { kind: 'stock', tables, ts: o.ts, target, meta: { 'mirror.stockSyncedAt': o.ts, ...(o.readAt ? { 'mirror.stockReadAt': o.readAt } : {}) }, bump: changed > 0, changes, within: o.within }, o.timing);
  return { changed };
}

/** Each rebuilt warehouse goes to the copy it does not serve from (a new one to the first). */
function targets(db: Db, current: Map<number, number>): Map<number, number> {
  const rebuilt = db.prepare(`SELECT store_no FROM ${S}.rebuilt`).pluck().all() as number[];
  return new Map(rebuilt.map((no) => [no, current.has(no) ? 1 - current.get(no)! : 0]));
}

/**
 * Replaces the mirror with a snapshot held in memory (tests, tools; the sync streams instead): staged like a sync,
 * applied with the same final transaction, so readers see either the old mirror or the new one. Items keep their
 * row and `changed_at` unless their content changed, which is what `assortment?changedSince=` relies on.
 */
export function writeSnapshot(db: Db, snap: MirrorSnapshot, now = new Date()): { items: number; changed: number } {
  const ts = now.toISOString();
  const scratch = openScratch(db);
  try {
    stageSmall(db, snap);
    const changed = stageSnapshotItems(db, snap, ts);
    db.transaction(() => {
      const group = db.prepare(`INSERT INTO ${S}.groups (id, parent_id, code, name) VALUES (?, ?, ?, ?)`);
      for (const g of snap.groups) group.run(g.id, g.parentId, g.code, g.name);
      const barcode = db.prepare(`INSERT OR IGNORE INTO ${S}.new_barcodes (item_id, barcode) VALUES (?, ?)`);
      for (const b of snap.barcodes) barcode.run(b.itemId, b.barcode);
      stagePrices(db, snap.prices);
      stageStock(db, snap.stock);
      const pic = db.prepare(`INSERT OR REPLACE INTO ${S}.new_pictures (id, item_id, extension, volume_path) VALUES (?, ?, ?, ?)`);
      for (const p of snap.pictures) pic.run(p.id, p.itemId, p.extension, p.volumePath ?? null);
      const pack = db.prepare(`INSERT OR REPLACE INTO ${S}.packagings (id, ratio) VALUES (?, ?)`);
      for (const [id, ratio] of Object.entries(snap.packagingRatios ?? {})) pack.run(id, ratio);
    })();
    driveNow(finishFull(db, { ts, meta: { 'mirror.organisation': JSON.stringify(snap.organisation), 'mirror.configuration': JSON.stringify(snap.configuration) } }));
    return { items: snap.items.length, changed };
  } finally {
    scratch.close();
  }
}

function stageSnapshotItems(db: Db, snap: MirrorSnapshot, ts: string): number {
  const barcodesByItem = new Map<string, string[]>();
  for (const b of snap.barcodes) barcodesByItem.set(b.itemId, [...(barcodesByItem.get(b.itemId) ?? []), b.barcode]);
  const live = new Map(
    (db.prepare(`SELECT rowid AS no, id, hash, changed_at, search_text FROM main.catalog_items`).all() as { no: number; id: string; hash: string; changed_at: string; search_text: string | null }[]).map((r) => [r.id, r]),
  );
  let next = ((db.prepare(`SELECT max(rowid) FROM main.catalog_items`).pluck().get() as number | null) ?? 0) + 1;
  const insert = db.prepare(`INSERT INTO ${S}.new_items (no, id, group_id, code, article, name, full_name, description, full_description, country, brand,
      unit, portion_size, portion_unit, min_quantity, multiplicity, sold_to_order, tier1_threshold, tier2_threshold, picture_ids, vat_rate_id, hash,
      changed_at, search_text, existed, write)
    VALUES (@no, @id, @groupId, @code, @article, @name, @fullName, @description, @fullDescription, @country, @brand, @unit, @portionSize,
      @portionUnit, @minQuantity, @multiplicity, @soldToOrder, @tier1Threshold, @tier2Threshold, @pictureIds, @vatRateId, @hash, @changedAt,
      @searchText, @existed, @write)`);
  let changed = 0;
  db.transaction(() => {
    for (const item of snap.items) {
      const hash = itemHash(item, barcodesByItem.get(item.id) ?? []);
      const prev = live.get(item.id);
      const searchText = searchTextOf(item.name, item.article);
      if (prev?.hash !== hash) changed++;
      try {
        insert.run(rowOf(item, {
          no: prev ? prev.no : next++,
          hash,
          changedAt: prev?.hash === hash ? prev.changed_at : ts,
          searchText,
          existed: prev ? 1 : 0,
          write: !prev || prev.hash !== hash || prev.search_text !== searchText ? 1 : 0,
        }));
      } catch (e) {
        // The plain INSERT this replaced refused a snapshot with an item twice; an upsert would quietly keep the last.
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new Error(`UNIQUE constraint failed: catalog_items.id (${item.id})`);
        throw e;
      }
    }
  })();
  return changed;
}

function stagePrices(db: Db, prices: MirrorSnapshot['prices']) {
  const ins = db.prepare(`INSERT OR REPLACE INTO ${S}.prices (item_id, kind_id, price) VALUES (?, ?, ?)`);
  for (const p of prices) ins.run(p.itemId, p.priceKindId, p.price);
}

function stageStock(db: Db, stock: MirrorSnapshot['stock']) {
  const ins = db.prepare(`INSERT INTO ${S}.stock (store_id, item_id, quantity) VALUES (?, ?, ?)
                          ON CONFLICT (store_id, item_id) DO UPDATE SET quantity = quantity + excluded.quantity`);
  for (const s of stock) ins.run(s.storeId, s.itemId, s.quantity);
}

/**
 * The frequent job's write, from stock and prices held in memory (tests, tools; the stock sync streams): written
 * only where a quantity or price differs, in the same final transaction. When nothing a shop sees changed, only the
 * stock time moves: the mirror generation (and so every kept page and ETag) stays.
 */
export function writeStockAndPrices(db: Db, stock: MirrorSnapshot['stock'], prices: MirrorSnapshot['prices'] | null, now = new Date()): { changed: number } {
  const scratch = openScratch(db);
  try {
    db.transaction(() => {
      stageStock(db, stock);
      if (prices) stagePrices(db, prices);
    })();
    return driveNow(finishStock(db, { ts: now.toISOString(), prices: prices !== null }));
  } finally {
    scratch.close();
  }
}
