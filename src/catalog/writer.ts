import { createHash } from 'node:crypto';
import type { Db } from '../db/open.js';
import type { MirrorItem, MirrorSnapshot } from './types.js';

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

/** Items whose offer changed get changed_at = ts; returns how many. */
function touchChangedOffers(db: Db, before: Map<string, string>, ts: string): number {
  const after = offerSignatures(db);
  const touch = db.prepare(`UPDATE catalog_items SET changed_at = ? WHERE id = ? AND changed_at < ?`);
  let n = 0;
  for (const [id, sig] of after) {
    if (before.get(id) !== sig) {
      touch.run(ts, id, ts);
      n++;
    }
  }
  return n;
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
    for (const table of ['catalog_stores', 'catalog_groups', 'catalog_items', 'catalog_barcodes', 'catalog_price_kinds', 'catalog_prices', 'catalog_stock']) {
      db.exec(`DELETE FROM ${table}`);
    }
    const insStore = db.prepare(`INSERT INTO catalog_stores (id, name, city, address, retail_price_kind_id) VALUES (?, ?, ?, ?, ?)`);
    for (const s of snap.stores) insStore.run(s.id, s.name, s.city, s.address, s.retailPriceKindId);
    const insGroup = db.prepare(`INSERT INTO catalog_groups (id, parent_id, code, name) VALUES (?, ?, ?, ?)`);
    for (const g of snap.groups) insGroup.run(g.id, g.parentId, g.code, g.name);
    const insItem = db.prepare(`INSERT INTO catalog_items (id, group_id, code, article, name, full_name, description, full_description,
        country, brand, unit, portion_size, portion_unit, min_quantity, multiplicity, sold_to_order, tier1_threshold, tier2_threshold,
        picture_ids, vat_rate_id, hash, changed_at)
      VALUES (@id, @groupId, @code, @article, @name, @fullName, @description, @fullDescription, @country, @brand, @unit, @portionSize,
        @portionUnit, @minQuantity, @multiplicity, @soldToOrder, @tier1Threshold, @tier2Threshold, @pictureIds, @vatRateId, @hash, @changedAt)`);
    for (const item of snap.items) {
      const hash = itemHash(item, barcodesByItem.get(item.id) ?? []);
      const prev = previous.get(item.id);
      const same = prev?.hash === hash;
      if (!same) changed++;
      insItem.run({
        ...item,
        soldToOrder: item.soldToOrder ? 1 : 0,
        pictureIds: JSON.stringify(item.pictureIds),
        vatRateId: item.vatRateId ?? null,
        hash,
        changedAt: same ? prev!.changed_at : ts,
      });
    }
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
    changed = touchChangedOffers(db, before, ts);
    setMeta(db, 'mirror.stockSyncedAt', ts);
    if (changed > 0) bumpGeneration(db);
  })();
  return { changed };
}
