/**
 * The catalogue sync and writer as they were before issue 19.2 (commit 40b23cc): the oracle test/catalog/stream-equivalence.test.ts
 * compares the streamed sync's mirror with. Not product code; kept only as the reference behaviour.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../../src/db/open.js';
import type { MirrorItem, MirrorSnapshot } from '../../../src/catalog/types.js';

function itemHash(item: MirrorItem, barcodes: string[]): string {
  return createHash('sha1').update(JSON.stringify([item, barcodes])).digest('base64');
}

/**
 * What a shop sees change besides the item card: its prices and its stock per warehouse, one string per item.
 * `changedSince` must return an item whose price or stock moved (an incremental client polls it for exactly that),
 * and a stock sync that changed nothing must not invalidate every cached page and ETag.
 */
function offerSignatures(db: Db): Map<string, string> {
  const rows = db
    .prepare(
      `SELECT i.id AS id,
         coalesce((SELECT group_concat(k || '=' || v, ';') FROM (SELECT price_kind_id AS k, price AS v FROM catalog_prices p WHERE p.item_id = i.id ORDER BY 1)), '')
         || '|' ||
         coalesce((SELECT group_concat(k || '=' || v, ';') FROM (SELECT store_id AS k, quantity AS v FROM catalog_stock s WHERE s.item_id = i.id ORDER BY 1)), '') AS sig
       FROM catalog_items i`,
    )
    .all() as { id: string; sig: string }[];
  return new Map(rows.map((r) => [r.id, r.sig]));
}

/** Items whose offer changed get changed_at = ts. Also names the warehouses an item entered or left (the stock
 *  part of the signature lists the warehouses carrying it): only their paging order must be rebuilt. */
function touchChangedOffers(db: Db, before: Map<string, string>, ts: string): { changed: number; carriedChanged: Set<string> } {
  const after = offerSignatures(db);
  const touch = db.prepare(`UPDATE catalog_items SET changed_at = ? WHERE id = ? AND changed_at < ?`);
  const stores = (sig: string | undefined) => (sig ? sig.slice(sig.indexOf('|') + 1).split(';').map((kv) => kv.slice(0, kv.lastIndexOf('='))).filter(Boolean) : []);
  let n = 0;
  const carriedChanged = new Set<string>();
  for (const [id, sig] of after) {
    const was = before.get(id);
    if (was !== sig) {
      touch.run(ts, id, ts);
      n++;
      const a = stores(was);
      const b = stores(sig);
      for (const s of a) if (!b.includes(s)) carriedChanged.add(s);
      for (const s of b) if (!a.includes(s)) carriedChanged.add(s);
    }
  }
  return { changed: n, carriedChanged };
}

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

/**
 * catalog_assortment: every warehouse's carried items numbered in the API's order (name, id), so that a page at
 * any depth is a primary-key seek (migration 014). One sort of the carried (warehouse, item) pairs: on a 300k
 * mirror (817k pairs, 7 warehouses) 2.8 s to select and sort, 7.6 s with the inserts into both indexes, on this
 * 2-core host at load 3–4. `storeIds`: only these warehouses (a stock sync where a few items ran out somewhere).
 */
export function rebuildAssortmentOrder(db: Db, storeIds?: Iterable<string>) {
  const only = storeIds ? JSON.stringify([...storeIds]) : null;
  if (only === '[]') return;
  const stores = only ? `st.id IN (SELECT value FROM json_each(@only))` : '1';
  db.prepare(`DELETE FROM catalog_assortment WHERE ${only ? `store_no IN (SELECT rowid FROM catalog_stores st WHERE ${stores})` : '1'}`).run(only ? { only } : {});
  db.prepare(`INSERT INTO catalog_assortment (store_no, pos, item_no)
    SELECT store_no, row_number() OVER (PARTITION BY store_no ORDER BY name, id) - 1, item_no FROM (
      SELECT st.rowid AS store_no, i.rowid AS item_no, i.name, i.id
        FROM catalog_stock s JOIN catalog_stores st ON st.id = s.store_id JOIN catalog_items i ON i.id = s.item_id
       WHERE i.sold_to_order = 0 AND ${stores}
      UNION ALL
      SELECT st.rowid, i.rowid, i.name, i.id FROM catalog_stores st JOIN catalog_items i WHERE i.sold_to_order = 1 AND ${stores}
    )`).run(only ? { only } : {});
}

function setMeta(db: Db, key: string, value: string) {
  db.prepare(`INSERT INTO meta (key, value, updated_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
              ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`).run(key, value);
}

function bumpGeneration(db: Db) {
  db.prepare(`INSERT INTO meta (key, value) VALUES ('mirror.generation', '1')
              ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`).run();
}

/**
 * Replaces the mirror with a snapshot in ONE transaction: readers see either the old mirror or the new one, and a
 * sync that failed before this point changed nothing. Items keep their `changed_at` unless their content changed,
 * which is what `assortment?changedSince=` relies on.
 */
export function writeSnapshot(db: Db, snap: MirrorSnapshot, now = new Date()): { items: number; changed: number } {
  const ts = now.toISOString();
  const barcodesByItem = new Map<string, string[]>();
  for (const b of snap.barcodes) barcodesByItem.set(b.itemId, [...(barcodesByItem.get(b.itemId) ?? []), b.barcode]);
  let changed = 0;

  db.transaction(() => {
    const offersBefore = offerSignatures(db);
    const previous = new Map(
      (db.prepare(`SELECT id, hash, changed_at FROM catalog_items`).all() as { id: string; hash: string; changed_at: string }[]).map((r) => [r.id, r]),
    );
    // Items are upserted, not deleted and re-inserted: an unchanged item keeps its row (and rowid), so the FTS
    // index (kept by triggers, migration 014) is touched only for items whose card changed.
    for (const table of ['catalog_stores', 'catalog_groups', 'catalog_barcodes', 'catalog_price_kinds', 'catalog_prices', 'catalog_stock']) {
      db.exec(`DELETE FROM ${table}`);
    }
    const insStore = db.prepare(`INSERT INTO catalog_stores (id, name, city, address, retail_price_kind_id) VALUES (?, ?, ?, ?, ?)`);
    for (const s of snap.stores) insStore.run(s.id, s.name, s.city, s.address, s.retailPriceKindId);
    const insGroup = db.prepare(`INSERT INTO catalog_groups (id, parent_id, code, name) VALUES (?, ?, ?, ?)`);
    for (const g of snap.groups) insGroup.run(g.id, g.parentId, g.code, g.name);
    const upsertItem = db.prepare(`INSERT INTO catalog_items (id, group_id, code, article, name, full_name, description, full_description,
        country, brand, unit, portion_size, portion_unit, min_quantity, multiplicity, sold_to_order, tier1_threshold, tier2_threshold,
        picture_ids, vat_rate_id, hash, changed_at, search_text)
      VALUES (@id, @groupId, @code, @article, @name, @fullName, @description, @fullDescription, @country, @brand, @unit, @portionSize,
        @portionUnit, @minQuantity, @multiplicity, @soldToOrder, @tier1Threshold, @tier2Threshold, @pictureIds, @vatRateId, @hash, @changedAt,
        @searchText)
      ON CONFLICT (id) DO UPDATE SET group_id = excluded.group_id, code = excluded.code, article = excluded.article, name = excluded.name,
        full_name = excluded.full_name, description = excluded.description, full_description = excluded.full_description,
        country = excluded.country, brand = excluded.brand, unit = excluded.unit, portion_size = excluded.portion_size,
        portion_unit = excluded.portion_unit, min_quantity = excluded.min_quantity, multiplicity = excluded.multiplicity,
        sold_to_order = excluded.sold_to_order, tier1_threshold = excluded.tier1_threshold, tier2_threshold = excluded.tier2_threshold,
        picture_ids = excluded.picture_ids, vat_rate_id = excluded.vat_rate_id, hash = excluded.hash, changed_at = excluded.changed_at,
        search_text = excluded.search_text
      WHERE catalog_items.hash IS NOT excluded.hash OR catalog_items.search_text IS NOT excluded.search_text`);
    const seen = new Set<string>();
    for (const item of snap.items) {
      // The plain INSERT this replaced refused a snapshot with an item twice; an upsert would quietly keep the last.
      if (seen.has(item.id)) throw new Error(`UNIQUE constraint failed: catalog_items.id (${item.id})`);
      seen.add(item.id);
      const hash = itemHash(item, barcodesByItem.get(item.id) ?? []);
      const prev = previous.get(item.id);
      const same = prev?.hash === hash;
      if (!same) changed++;
      upsertItem.run({
        ...item,
        soldToOrder: item.soldToOrder ? 1 : 0,
        pictureIds: JSON.stringify(item.pictureIds),
        vatRateId: item.vatRateId ?? null,
        hash,
        changedAt: same ? prev!.changed_at : ts,
        searchText: searchTextOf(item.name, item.article),
      });
    }
    const delItem = db.prepare(`DELETE FROM catalog_items WHERE id = ?`);
    for (const id of previous.keys()) if (!seen.has(id)) delItem.run(id);
    const insBarcode = db.prepare(`INSERT OR IGNORE INTO catalog_barcodes (item_id, barcode) VALUES (?, ?)`);
    for (const b of snap.barcodes) insBarcode.run(b.itemId, b.barcode);
    const insKind = db.prepare(`INSERT INTO catalog_price_kinds (id, name) VALUES (?, ?)`);
    for (const k of snap.priceKinds) insKind.run(k.id, k.name);
    const insPrice = db.prepare(`INSERT OR REPLACE INTO catalog_prices (item_id, price_kind_id, price) VALUES (?, ?, ?)`);
    for (const p of snap.prices) insPrice.run(p.itemId, p.priceKindId, p.price);
    writeStockRows(db, snap.stock);
    const insPic = db.prepare(`INSERT INTO catalog_pictures (id, item_id, extension, volume_path) VALUES (?, ?, ?, ?)
                               ON CONFLICT (id) DO UPDATE SET item_id = excluded.item_id, extension = excluded.extension, volume_path = excluded.volume_path`);
    for (const p of snap.pictures) insPic.run(p.id, p.itemId, p.extension, p.volumePath ?? null);
    touchChangedOffers(db, offersBefore, ts);
    rebuildAssortmentOrder(db);
    // Pictures no item shows any more go: one left without bytes (its file deleted) made fetchMissingPictures read
    // the whole ДвоичныеДанныеФайлов register on every sync, looking for bytes that will never come.
    db.prepare(`DELETE FROM catalog_pictures WHERE id NOT IN (SELECT value FROM json_each(?))`).run(JSON.stringify(snap.pictures.map((p) => p.id)));
    setMeta(db, 'mirror.organisation', JSON.stringify(snap.organisation));
    setMeta(db, 'mirror.configuration', JSON.stringify(snap.configuration));
    setMeta(db, 'mirror.packagingRatios', JSON.stringify(snap.packagingRatios ?? {}));
    setMeta(db, 'mirror.syncedAt', ts);
    setMeta(db, 'mirror.stockSyncedAt', ts);
    bumpGeneration(db);
  })();
  return { items: snap.items.length, changed };
}

function writeStockRows(db: Db, stock: MirrorSnapshot['stock']) {
  const ins = db.prepare(`INSERT INTO catalog_stock (store_id, item_id, quantity) VALUES (?, ?, ?)
                          ON CONFLICT (store_id, item_id) DO UPDATE SET quantity = quantity + excluded.quantity`);
  for (const s of stock) ins.run(s.storeId, s.itemId, s.quantity);
}

/**
 * The frequent job: stock and prices only, again in one transaction. When nothing a shop sees changed, only the
 * stock time moves: the mirror generation (and so every kept page and ETag) stays.
 */
export function writeStockAndPrices(db: Db, stock: MirrorSnapshot['stock'], prices: MirrorSnapshot['prices'] | null, now = new Date()): { changed: number } {
  const ts = now.toISOString();
  let changed = 0;
  db.transaction(() => {
    const before = offerSignatures(db);
    db.exec(`DELETE FROM catalog_stock`);
    writeStockRows(db, stock);
    if (prices) {
      db.exec(`DELETE FROM catalog_prices`);
      const insPrice = db.prepare(`INSERT OR REPLACE INTO catalog_prices (item_id, price_kind_id, price) VALUES (?, ?, ?)`);
      for (const p of prices) insPrice.run(p.itemId, p.priceKindId, p.price);
    }
    const touched = touchChangedOffers(db, before, ts);
    changed = touched.changed;
    // Quantities and prices do not move an item in the paging order; entering or leaving a warehouse does, and
    // only that warehouse's order is rebuilt.
    rebuildAssortmentOrder(db, touched.carriedChanged);
    setMeta(db, 'mirror.stockSyncedAt', ts);
    if (changed > 0) bumpGeneration(db);
  })();
  return { changed };
}
