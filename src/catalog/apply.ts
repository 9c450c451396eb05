import type { Db } from '../db/open.js';
import { S } from './scratch.js';
import type { MirrorSnapshot } from './types.js';

/**
 * Applying a staged generation to the mirror (issue 19.2). Everything that reads the whole mirror or the whole new
 * generation happens BEFORE the final transaction and writes only the scratch database (no lock on the mirror):
 * the differences of every table, the items whose offer changed, the warehouses whose paging order changed and
 * that order, copied into each warehouse's unused copy of catalog_assortment a few thousand rows per transaction.
 * The final transaction then applies the differences and switches the copies: its cost follows what changed, not
 * the base (measured in docs/benchmarks.md), and readers see the old mirror or the new one, never a mix.
 *
 * Only the sync writes these tables (full and stock sync never overlap), so the mirror cannot change between the
 * comparison and the final transaction.
 */

/** Rows per transaction when filling a warehouse's unused order, or the mirror of a first sync: ~10–30 ms each. */
export const CHUNK = 5000;

/** A unit of work that writes the mirror in its own short transaction; run by an async driver that yields between. */
export type Step = () => void;

interface Table {
  /** The mirror's table. */
  live: string;
  /** The new generation's rows in the scratch database, with the mirror's column names. */
  next: string;
  key: string[];
  values: string[];
}

const TABLES: Record<string, Table> = {
  groups: { live: 'catalog_groups', next: `(SELECT id, parent_id, code, name FROM ${S}.groups)`, key: ['id'], values: ['parent_id', 'code', 'name'] },
  kinds: { live: 'catalog_price_kinds', next: `${S}.kinds`, key: ['id'], values: ['name'] },
  barcodes: { live: 'catalog_barcodes', next: `${S}.new_barcodes`, key: ['item_id', 'barcode'], values: [] },
  prices: { live: 'catalog_prices', next: `(SELECT item_id, kind_id AS price_kind_id, price FROM ${S}.prices)`, key: ['item_id', 'price_kind_id'], values: ['price'] },
  stock: { live: 'catalog_stock', next: `${S}.stock`, key: ['store_id', 'item_id'], values: ['quantity'] },
  pictures: { live: 'catalog_pictures', next: `${S}.new_pictures`, key: ['id'], values: ['item_id', 'extension', 'volume_path'] },
  packagings: { live: 'catalog_packagings', next: `${S}.packagings`, key: ['id'], values: ['ratio'] },
};
export type TableName = keyof typeof TABLES;

/**
 * d_<t>_up: rows of the new generation the mirror does not have as they are (new or changed); d_<t>_del: keys the
 * mirror has and the new generation has not. EXCEPT compares NULLs as equal, as the mirror's readers do.
 */
export function diff(db: Db, names: TableName[]) {
  for (const n of names) {
    const t = TABLES[n];
    const cols = [...t.key, ...t.values].join(', ');
    const key = t.key.join(', ');
    db.exec(`DROP TABLE IF EXISTS ${S}.d_${n}_up; DROP TABLE IF EXISTS ${S}.d_${n}_del;
      CREATE TABLE ${S}.d_${n}_up AS SELECT ${cols} FROM ${t.next} EXCEPT SELECT ${cols} FROM main.${t.live};
      CREATE TABLE ${S}.d_${n}_del AS SELECT ${key} FROM main.${t.live} EXCEPT SELECT ${key} FROM ${t.next};`);
  }
}

export function diffSize(db: Db, names: TableName[]): number {
  let n = 0;
  for (const t of names) n += (db.prepare(`SELECT (SELECT count(*) FROM ${S}.d_${t}_up) + (SELECT count(*) FROM ${S}.d_${t}_del)`).pluck().get() as number);
  return n;
}

/** The statements that apply one table's differences; `range` limits the rows written to a rowid range of d_up. */
function applyTable(db: Db, n: TableName, range?: [number, number]) {
  const t = TABLES[n];
  const cols = [...t.key, ...t.values];
  const where = range ? ` WHERE rowid >= ${range[0]} AND rowid < ${range[1]}` : '';
  if (!range) {
    // Driven by the (few) keys to delete, each a probe of the table's key: not a scan of the mirror.
    const key = t.key.length === 1 ? t.key[0] : `(${t.key.join(', ')})`;
    db.prepare(`DELETE FROM main.${t.live} WHERE ${key} IN (SELECT ${t.key.join(', ')} FROM ${S}.d_${n}_del)`).run();
  }
  if (n === 'pictures') {
    // The bytes fetched for a picture stay with it (catalog_pictures.data): an upsert of the description only.
    db.prepare(`INSERT INTO main.catalog_pictures (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${S}.d_pictures_up${where || ' WHERE 1'}
                ON CONFLICT (id) DO UPDATE SET item_id = excluded.item_id, extension = excluded.extension, volume_path = excluded.volume_path`).run();
  } else {
    db.prepare(`INSERT OR REPLACE INTO main.${t.live} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${S}.d_${n}_up${where}`).run();
  }
}

/**
 * Items whose offer (a price or a warehouse's stock) changed: their changed_at moves, as writeStockAndPrices always
 * did (changedSince must return an item whose price or stock moved). Only items of the new generation count.
 */
export function touchedOffers(db: Db, itemsIn: 'new' | 'mirror', ts: string): number {
  // Only items whose changed_at must move: a new or changed item of a full sync has it already (on a first sync of
  // 1M items, setting it again for every item held the final transaction 2.8 s).
  const exists =
    itemsIn === 'new'
      ? `SELECT 1 FROM ${S}.new_items i WHERE i.id = x.item_id AND i.changed_at < '${ts.replace(/'/g, '')}'`
      : `SELECT 1 FROM main.catalog_items i WHERE i.id = x.item_id`;
  db.exec(`DELETE FROM ${S}.touched;
    INSERT OR IGNORE INTO ${S}.touched (item_id) SELECT item_id FROM (
      SELECT item_id FROM ${S}.d_stock_up UNION SELECT item_id FROM ${S}.d_stock_del
      UNION SELECT item_id FROM ${S}.d_prices_up UNION SELECT item_id FROM ${S}.d_prices_del) x WHERE EXISTS (${exists})`);
  // Issue 17: items whose variants changed (catalog/variants.ts prepareVariants lists them when the sync reads variants).
  if (db.prepare(`SELECT 1 FROM ${S}.sqlite_master WHERE name = 'variant_touched'`).get()) {
    db.exec(`INSERT OR IGNORE INTO ${S}.touched (item_id) SELECT item_id FROM ${S}.variant_touched x WHERE EXISTS (${exists})`);
  }
  return db.prepare(`SELECT count(*) FROM ${S}.touched`).pluck().get() as number;
}

/** Warehouses an item entered or left (by the stock differences): only their order can have changed. */
export function carriedChanged(db: Db): number[] {
  return db
    .prepare(
      `SELECT DISTINCT st.rowid FROM main.catalog_stores st WHERE st.id IN (
         SELECT store_id FROM ${S}.d_stock_del
         UNION SELECT u.store_id FROM ${S}.d_stock_up u WHERE NOT EXISTS (SELECT 1 FROM main.catalog_stock c WHERE c.store_id = u.store_id AND c.item_id = u.item_id))`,
    )
    .pluck()
    .all() as number[];
}

const BUFFERS = ['catalog_assortment', 'catalog_assortment_b'] as const;

/**
 * The paging order of warehouses (name, id; sold-to-order items everywhere), written to ${S}.orders.
 * `source` says where the stores, items and stock of the new generation are.
 */
export function computeOrders(db: Db, source: 'new' | 'stock', storeNos?: number[]) {
  const only = storeNos ? `AND st.no IN (SELECT value FROM json_each(@only))` : '';
  const stores = source === 'new' ? `${S}.stores` : `(SELECT rowid AS no, id FROM main.catalog_stores)`;
  const items = source === 'new' ? `${S}.new_items` : `(SELECT rowid AS no, id, name, sold_to_order FROM main.catalog_items)`;
  db.prepare(`DELETE FROM ${S}.orders`).run();
  db.prepare(`INSERT INTO ${S}.orders (store_no, pos, item_no)
    SELECT store_no, row_number() OVER (PARTITION BY store_no ORDER BY name, id) - 1, item_no FROM (
      SELECT st.no AS store_no, i.no AS item_no, i.name, i.id FROM ${stores} st JOIN ${S}.stock s ON s.store_id = st.id JOIN ${items} i ON i.id = s.item_id
       WHERE i.sold_to_order = 0 ${only}
      UNION ALL
      SELECT st.no, i.no, i.name, i.id FROM ${stores} st JOIN ${items} i WHERE i.sold_to_order = 1 ${only})`).run(storeNos ? { only: JSON.stringify(storeNos) } : {});
}

/**
 * Of `stores` (their new order in ${S}.orders), those whose order differs from the one they serve now (or that are
 * new): they go to ${S}.rebuilt; the others' rows leave ${S}.orders.
 */
export function changedOrders(db: Db, current: Map<number, number>, stores: number[]) {
  db.prepare(`DELETE FROM ${S}.rebuilt`).run();
  const add = db.prepare(`INSERT INTO ${S}.rebuilt (store_no) VALUES (?)`);
  for (const no of stores) {
    const buf = current.get(no);
    if (buf === undefined) {
      add.run(no);
      continue;
    }
    const live = BUFFERS[buf];
    const n = (q: string) => db.prepare(q).pluck().get(no) as number;
    const same =
      n(`SELECT count(*) FROM ${S}.orders WHERE store_no = ?`) === n(`SELECT count(*) FROM main.${live} WHERE store_no = ?`) &&
      (db.prepare(`SELECT 1 FROM (SELECT pos, item_no FROM ${S}.orders WHERE store_no = @no EXCEPT SELECT pos, item_no FROM main.${live} WHERE store_no = @no) LIMIT 1`).get({ no }) === undefined);
    if (same) db.prepare(`DELETE FROM ${S}.orders WHERE store_no = ?`).run(no);
    else add.run(no);
  }
}

/**
 * Steps that write each rebuilt warehouse's new order into the copy it does not serve from (`target`), a chunk per
 * transaction: first its old rows there go, then the new ones come. Nobody reads that copy until the final
 * transaction switches the warehouse to it.
 */
export function* fillOrders(db: Db, target: Map<number, number>): Generator<Step> {
  const stores = db.prepare(`SELECT store_no FROM ${S}.rebuilt ORDER BY store_no`).pluck().all() as number[];
  for (const no of stores) {
    const buf = BUFFERS[target.get(no) ?? 0];
    const clear = db.prepare(`DELETE FROM main.${buf} WHERE store_no = ? AND pos IN (SELECT pos FROM main.${buf} WHERE store_no = ? ORDER BY pos LIMIT ${CHUNK})`);
    let more = true;
    while (more) yield () => void (more = clear.run(no, no).changes > 0);
    const total = db.prepare(`SELECT count(*) FROM ${S}.orders WHERE store_no = ?`).pluck().get(no) as number;
    const copy = db.prepare(`INSERT INTO main.${buf} (store_no, pos, item_no) SELECT store_no, pos, item_no FROM ${S}.orders WHERE store_no = ? AND pos >= ? AND pos < ?`);
    for (let from = 0; from < total; from += CHUNK) yield () => void copy.run(no, from, from + CHUNK);
  }
}

/** Steps that drop the rows of warehouses that are gone from both copies of the order. */
export function* dropOrders(db: Db, storeNos: number[]): Generator<Step> {
  for (const no of storeNos) {
    for (const buf of BUFFERS) {
      const clear = db.prepare(`DELETE FROM main.${buf} WHERE store_no = ? AND pos IN (SELECT pos FROM main.${buf} WHERE store_no = ? ORDER BY pos LIMIT ${CHUNK})`);
      let more = true;
      while (more) yield () => void (more = clear.run(no, no).changes > 0);
    }
  }
}

/** The copy each warehouse serves from now: catalog_stores.rowid → 0 | 1. */
export function servingCopies(db: Db): Map<number, number> {
  return new Map((db.prepare(`SELECT rowid AS no, assortment AS buf FROM main.catalog_stores`).all() as { no: number; buf: number }[]).map((r) => [r.no, r.buf]));
}

/**
 * A first sync (the mirror has no item yet: nothing is served) writes its bulk in chunks before the final
 * transaction instead of in it: 300k items with their search index, barcodes, prices and stock are ~30 s of
 * writing, which would hold the database's write lock (outbox and bank writes wait at most 250 ms for it).
 */
export function* firstFill(db: Db, tables: TableName[]): Generator<Step> {
  const items = db.prepare(`SELECT count(*) FROM ${S}.new_items WHERE existed = 0`).pluck().get() as number;
  const insert = db.prepare(`${ITEM_INSERT} WHERE no >= ? AND no < ? AND existed = 0`);
  const lo = (db.prepare(`SELECT min(no) FROM ${S}.new_items WHERE existed = 0`).pluck().get() as number | null) ?? 0;
  const hi = (db.prepare(`SELECT max(no) FROM ${S}.new_items WHERE existed = 0`).pluck().get() as number | null) ?? -1;
  if (items) for (let from = lo; from <= hi; from += CHUNK) yield () => void insert.run(from, from + CHUNK);
  yield () => void db.prepare(`UPDATE ${S}.new_items SET existed = 1, write = 0 WHERE existed = 0`).run();
  for (const n of tables) {
    const max = (db.prepare(`SELECT max(rowid) FROM ${S}.d_${n}_up`).pluck().get() as number | null) ?? 0;
    for (let from = 1; from <= max; from += CHUNK) yield () => applyTable(db, n, [from, from + CHUNK]);
    yield () => void db.prepare(`DELETE FROM ${S}.d_${n}_up`).run();
  }
}

const ITEM_COLS = `id, group_id, code, article, name, full_name, description, full_description, country, brand, unit, portion_size, portion_unit,
  min_quantity, multiplicity, sold_to_order, tier1_threshold, tier2_threshold, picture_ids, vat_rate_id, hash, changed_at, search_text`;
const ITEM_INSERT = `INSERT INTO main.catalog_items (rowid, ${ITEM_COLS}) SELECT no, ${ITEM_COLS} FROM ${S}.new_items`;

/** Most changed items a generation lists for the response cache (catalog_changes); more means "everything". */
export const LIST_MAX = 2000;

export interface Swap {
  /** Full sync: the items, stores, groups… of the new generation; stock sync: only stock and prices. */
  kind: 'full' | 'stock';
  tables: TableName[];
  ts: string;
  /** Which copy each rebuilt warehouse switches to. */
  target: Map<number, number>;
  meta: Record<string, string>;
  /** Whether the generation moves (every ETag changes; kept answers are dropped as catalog_changes says). */
  bump: boolean;
  /**
   * What the new generation changed, for catalog_changes: the items (ids) and the warehouses whose order moved, or
   * null when the change cannot be listed (too many items, groups, warehouses or price kinds changed).
   */
  changes: { items: string[]; stores: string[] } | null;
  /** Issue 17: more writes of the same generation (the variants' differences), inside the final transaction. */
  within?: () => void;
}

/** The final transaction: the differences, the switched orders and the meta, at once. */
export function swap(db: Db, s: Swap) {
  db.transaction(() => {
    if (s.kind === 'full') {
      // Items first: their deletes, updates and inserts keep the search index right (triggers of migration 014).
      db.prepare(`DELETE FROM main.catalog_items WHERE rowid IN (SELECT no FROM ${S}.item_del)`).run();
      // Driven by the short lists made before (itemLists): scanning the new generation's items here held the
      // final transaction 1.1 s on a 1M base where nothing had changed.
      db.prepare(`UPDATE main.catalog_items SET (${ITEM_COLS}) = (SELECT ${ITEM_COLS} FROM ${S}.new_items n WHERE n.no = catalog_items.rowid)
                  WHERE rowid IN (SELECT no FROM ${S}.item_write)`).run();
      db.prepare(`${ITEM_INSERT} WHERE no IN (SELECT no FROM ${S}.item_insert)`).run();
      // Stores keep their rowid (catalog_assortment's store_no): updated in place, new ones at the number given.
      db.prepare(`DELETE FROM main.catalog_stores WHERE id NOT IN (SELECT id FROM ${S}.stores)`).run();
      db.prepare(`UPDATE main.catalog_stores SET (name, city, address, retail_price_kind_id) =
                    (SELECT name, city, address, retail_price_kind_id FROM ${S}.stores n WHERE n.no = catalog_stores.rowid)
                  WHERE rowid IN (SELECT no FROM ${S}.stores WHERE existed = 1)`).run();
      const newStore = db.prepare(`INSERT INTO main.catalog_stores (rowid, id, name, city, address, retail_price_kind_id, assortment)
                                   SELECT no, id, name, city, address, retail_price_kind_id, @buf FROM ${S}.stores WHERE existed = 0 AND no = @no`);
      for (const no of db.prepare(`SELECT no FROM ${S}.stores WHERE existed = 0`).pluck().all() as number[]) newStore.run({ no, buf: s.target.get(no) ?? 0 });
    }
    for (const n of s.tables) applyTable(db, n);
    s.within?.();
    db.prepare(`UPDATE main.catalog_items SET changed_at = @ts WHERE id IN (SELECT item_id FROM ${S}.touched) AND changed_at < @ts`).run({ ts: s.ts });
    const flip = db.prepare(`UPDATE main.catalog_stores SET assortment = ? WHERE rowid = ?`);
    for (const [no, buf] of s.target) flip.run(buf, no);
    const meta = db.prepare(`INSERT INTO main.meta (key, value, updated_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
                             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
    for (const [k, v] of Object.entries(s.meta)) meta.run(k, v);
    if (s.bump) {
      db.prepare(`INSERT INTO main.meta (key, value) VALUES ('mirror.generation', '1')
                  ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`).run();
      const generation = Number(db.prepare(`SELECT value FROM main.meta WHERE key = 'mirror.generation'`).pluck().get());
      db.prepare(`INSERT OR REPLACE INTO main.catalog_changes (generation, items, stores) VALUES (?, ?, ?)`).run(
        generation,
        s.changes ? JSON.stringify(s.changes.items) : null,
        s.changes ? JSON.stringify(s.changes.stores) : null,
      );
      db.prepare(`DELETE FROM main.catalog_changes WHERE generation <= ?`).run(generation - 200);
    }
  })();
}

/**
 * The changes of a generation as the response cache needs them: the items whose answer can differ (written, new,
 * deleted, or with a changed offer) and the warehouses whose order was rebuilt; null when they are too many to list
 * or when something every answer may show changed (a group, a warehouse's description, a price kind).
 */
export function listChanges(db: Db, kind: 'full' | 'stock'): { items: string[]; stores: string[] } | null {
  if (kind === 'full') {
    const small = db.prepare(`SELECT (SELECT count(*) FROM ${S}.d_groups_up) + (SELECT count(*) FROM ${S}.d_groups_del)
        + (SELECT count(*) FROM ${S}.d_kinds_up) + (SELECT count(*) FROM ${S}.d_kinds_del)
        + (SELECT count(*) FROM (SELECT no, id, name, city, address, retail_price_kind_id FROM ${S}.stores
             EXCEPT SELECT rowid, id, name, city, address, retail_price_kind_id FROM main.catalog_stores))
        + (SELECT count(*) FROM main.catalog_stores WHERE id NOT IN (SELECT id FROM ${S}.stores))`).pluck().get() as number;
    if (small > 0) return null;
  }
  const items = db
    .prepare(
      kind === 'full'
        ? `SELECT id FROM ${S}.new_items WHERE write = 1 OR existed = 0
           UNION SELECT id FROM main.catalog_items WHERE rowid IN (SELECT no FROM ${S}.item_del)
           UNION SELECT item_id FROM ${S}.touched LIMIT ${LIST_MAX + 1}`
        : `SELECT item_id FROM ${S}.touched LIMIT ${LIST_MAX + 1}`,
    )
    .pluck()
    .all() as string[];
  if (items.length > LIST_MAX) return null;
  const stores = db.prepare(`SELECT id FROM main.catalog_stores WHERE rowid IN (SELECT store_no FROM ${S}.rebuilt)`).pluck().all() as string[];
  return { items, stores };
}

/** The items the final transaction writes: changed ones (item_write) and new ones (item_insert), by rowid. */
export function itemLists(db: Db) {
  db.exec(`DROP TABLE IF EXISTS ${S}.item_write; DROP TABLE IF EXISTS ${S}.item_insert;
    CREATE TABLE ${S}.item_write (no INTEGER PRIMARY KEY); CREATE TABLE ${S}.item_insert (no INTEGER PRIMARY KEY);
    INSERT INTO ${S}.item_write SELECT no FROM ${S}.new_items WHERE existed = 1 AND write = 1;
    INSERT INTO ${S}.item_insert SELECT no FROM ${S}.new_items WHERE existed = 0;`);
}

/** The new generation's small sets, straight from a snapshot (writeSnapshot) or from what the sync read. */
export function stageSmall(db: Db, snap: Pick<MirrorSnapshot, 'stores' | 'priceKinds'>) {
  const live = new Map((db.prepare(`SELECT id, rowid AS no FROM main.catalog_stores`).all() as { id: string; no: number }[]).map((r) => [r.id, r.no]));
  // A new warehouse gets a number no copy of the order has used (rows of a removed one may still be there).
  let next =
    Math.max(
      (db.prepare(`SELECT max(rowid) FROM main.catalog_stores`).pluck().get() as number | null) ?? 0,
      ...BUFFERS.map((b) => (db.prepare(`SELECT max(store_no) FROM main.${b}`).pluck().get() as number | null) ?? 0),
    ) + 1;
  const store = db.prepare(`INSERT INTO ${S}.stores (no, id, name, city, address, retail_price_kind_id, existed) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const kind = db.prepare(`INSERT OR REPLACE INTO ${S}.kinds (id, name) VALUES (?, ?)`);
  db.transaction(() => {
    for (const s of snap.stores) {
      const no = live.get(s.id);
      store.run(no ?? next++, s.id, s.name, s.city, s.address, s.retailPriceKindId, no === undefined ? 0 : 1);
    }
    for (const k of snap.priceKinds) kind.run(k.id, k.name);
  })();
}
