import { createHash } from 'node:crypto';
import type { Db } from '../db/open.js';
import type { ItemRecord, MapContext, Profile } from '../onec/profiles/index.js';
import type { Row } from '../onec/values.js';
import { S, type Scratch } from './scratch.js';
import type { MirrorItem, MirrorSnapshot } from './types.js';
import { searchTextOf } from './writer.js';
import { DESCRIPTION_DDL, descriptionFileOf } from './descriptions.js';

/** Issue 17: packagings owned by packaging sets, and the set each item uses (read by variants.ts prepareVariants). */
export const PACKAGING_SET_DDL = `
CREATE TABLE IF NOT EXISTS ${S}.set_units (set_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, ratio REAL NOT NULL, PRIMARY KEY (set_id, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${S}.item_pset (item_id TEXT PRIMARY KEY, set_id TEXT NOT NULL) WITHOUT ROWID;
`;

/**
 * Staging (issue 19.2): each page 1C answers is mapped and written to the scratch database as it arrives (one
 * scratch transaction per page), so a set is never held whole; then the items are assembled from the staged sets a
 * thousand at a time (their unit, packaging, pictures and barcodes looked up by index) into the new generation.
 * The rules are buildSnapshot's, unchanged (test/catalog/stream-equivalence.test.ts compares the result with the
 * previous in-memory sync's on the demo bases): same item content and hash, so changed_at moves exactly as before.
 */

export function itemHash(item: MirrorItem, barcodes: string[]): string {
  return createHash('sha1').update(JSON.stringify([item, barcodes])).digest('base64');
}

export interface StageCounts {
  items: number;
  groups: number;
  units: number;
  barcodes: number;
  files: number;
  prices: number;
  stock: number;
}

/** Writes mapped pages into the scratch database. */
export class Stager {
  private readonly st;
  readonly counts: StageCounts = { items: 0, groups: 0, units: 0, barcodes: 0, files: 0, prices: 0, stock: 0 };

  constructor(
    readonly scratch: Scratch,
    private readonly profile: Profile,
    /** Stock and prices of which items are kept: the staged items (full sync) or the mirror's (stock sync). */
    itemsFrom: 'staged' | 'mirror',
  ) {
    const db = scratch.db;
    const known = itemsFrom === 'staged' ? `EXISTS (SELECT 1 FROM ${S}.items WHERE id = @item)` : `EXISTS (SELECT 1 FROM main.catalog_items WHERE id = @item)`;
    this.st = {
      // OR IGNORE: a row repeated by paging (pages.ts) is the same item.
      item: db.prepare(`INSERT OR IGNORE INTO ${S}.items (id, code, rec) VALUES (?, ?, ?)`),
      group: db.prepare(`INSERT INTO ${S}.groups (id, parent_id, code, name) VALUES (?, ?, ?, ?)`),
      unit: db.prepare(`INSERT INTO ${S}.units (id, item_id, base_unit_id, ratio, name) VALUES (?, ?, ?, ?, ?)`),
      barcode: db.prepare(`INSERT INTO ${S}.barcodes (item_id, barcode) VALUES (?, ?)`),
      file: db.prepare(`INSERT INTO ${S}.files (file_id, item_id, extension, volume_path) VALUES (?, ?, ?, ?)`),
      // Issue 14.7: what a description file is now (descriptions.ts reads one again only when these changed).
      fileMeta: (db.exec(DESCRIPTION_DDL), db.prepare(`INSERT OR REPLACE INTO ${S}.file_meta (file_id, modified, size, volume_path, extension) VALUES (?, ?, ?, ?, ?)`)),
      descriptionFile: db.prepare(`INSERT OR REPLACE INTO ${S}.item_dfile (item_id, file_id) VALUES (?, ?)`),
      // Issue 17: packagings of packaging sets, and the set each item uses (variants.ts offers them as the item's).
      setUnit: (db.exec(PACKAGING_SET_DDL), db.prepare(`INSERT OR REPLACE INTO ${S}.set_units (set_id, id, name, ratio) VALUES (?, ?, ?, ?)`)),
      itemSet: db.prepare(`INSERT OR REPLACE INTO ${S}.item_pset (item_id, set_id) VALUES (?, ?)`),
      // Issue 17: an item's VAT rate from УТ 11.5's СтавкиНДСНоменклатуры (rank: its country 0, no country 1).
      itemVat: (db.exec(`CREATE TABLE IF NOT EXISTS ${S}.item_vat (item_id TEXT PRIMARY KEY, vat_rate_id TEXT NOT NULL, rank INTEGER NOT NULL) WITHOUT ROWID`),
        db.prepare(`INSERT INTO ${S}.item_vat (item_id, vat_rate_id, rank) VALUES (?, ?, ?)
                    ON CONFLICT (item_id) DO UPDATE SET vat_rate_id = excluded.vat_rate_id, rank = excluded.rank WHERE excluded.rank < rank`)),
      price: db.prepare(`INSERT OR IGNORE INTO ${S}.prices (item_id, kind_id, price) SELECT @item, @kind, @price WHERE ${known}`),
      // Several rows for one warehouse and item (a characteristic, a series) add up, as the mirror always summed them.
      stock: db.prepare(`INSERT INTO ${S}.stock (store_id, item_id, quantity) SELECT @store, @item, @quantity WHERE ${known}
                         ON CONFLICT (store_id, item_id) DO UPDATE SET quantity = quantity + excluded.quantity`),
    };
  }

  private aborted = false;

  /** After a failed read: the pages other reads still bring are refused (their reads end there). */
  abort() {
    this.aborted = true;
  }

  private tx(fn: () => void) {
    if (this.aborted) throw new Error('sync abandoned: another read failed');
    this.scratch.db.transaction(fn)();
  }

  /** A page of Catalog_Номенклатура: items (goods, not deleted) and groups (folders, not deleted). */
  nomenclature(rows: Row[], ctx: MapContext) {
    const m = this.profile.map;
    this.tx(() => {
      for (const row of rows) {
        if (row.IsFolder === true) {
          const g = m.toGroup(row);
          if (!g.deleted) {
            this.st.group.run(g.id, g.parentId, g.code, g.name);
            this.counts.groups++;
          }
          continue;
        }
        const it = m.toItem(row, ctx);
        if (it.deleted || !it.isGoods) continue;
        this.counts.items += this.st.item.run(it.id, it.code ?? '', JSON.stringify(it)).changes;
      }
    });
  }

  /** Units and packagings (not deleted). */
  units(rows: Row[]) {
    const m = this.profile.map;
    this.tx(() => {
      for (const row of rows) {
        const u = m.toUnit(row);
        if (u.deleted) continue;
        this.st.unit.run(u.id, u.itemId, u.baseUnitId, u.ratio, u.name);
        if (u.setId) this.st.setUnit.run(u.setId, u.id, u.name, u.ratio);
        this.counts.units++;
      }
    });
  }

  /**
   * Issue 17: items' VAT rates from the register (УТ 11.5.20 СтавкиНДСНоменклатуры, the last record per item and
   * country): the organisation's country first, then a record for no country (ManagerModule.bsl:136-165); records of
   * other countries are not this shop's.
   */
  itemVatRates(list: { itemId: string; countryId: string | null; vatRateId: string | null }[], countryId: string | null) {
    this.tx(() => {
      for (const r of list) {
        if (!r.vatRateId) continue;
        const rank = countryId && r.countryId === countryId ? 0 : r.countryId === null ? 1 : -1;
        if (rank >= 0) this.st.itemVat.run(r.itemId, r.vatRateId, rank);
      }
    });
  }

  /** Issue 17: the packaging set each item uses (a read of its own: profile.reads.itemPackagingSet). */
  packagingSets(list: { itemId: string; setId: string | null }[]) {
    this.tx(() => {
      for (const x of list) if (x.setId) this.st.itemSet.run(x.itemId, x.setId);
    });
  }

  /** Issue 14.7: the items' site description files (a read of their own: profile.reads.itemDescriptionFile). */
  descriptionFiles(list: { itemId: string; fileId: string | null }[]) {
    this.tx(() => {
      for (const d of list) if (d.fileId) this.st.descriptionFile.run(d.itemId, d.fileId);
    });
  }

  barcodes(rows: Row[]) {
    const m = this.profile.map;
    this.tx(() => {
      for (const row of rows) {
        const b = m.toBarcode(row);
        this.st.barcode.run(b.itemId, b.barcode);
        this.counts.barcodes++;
      }
    });
  }

  /**
   * Attached files that can be pictures: not deleted, owned by an item, and either in the base or in a file volume
   * whose path is known (`volumePathOf`; a file in an unknown volume could only answer 503).
   */
  files(rows: Row[], volumePathOf: (p: { volumeId: string | null; pathInVolume: string }) => string | null) {
    const m = this.profile.map;
    this.tx(() => {
      for (const row of rows) {
        const p = m.toPicture(row);
        if (p.deleted || !p.itemId) continue;
        const volumePath = p.storedInBase ? null : volumePathOf(p);
        if (!p.storedInBase && !volumePath) continue;
        this.st.file.run(p.fileId, p.itemId, p.extension || 'png', volumePath);
        this.st.fileMeta.run(p.fileId, p.modified ? p.modified.toISOString() : '', p.size, volumePath, p.extension);
        this.counts.files++;
      }
    });
  }

  /**
   * One answer of the price slice: the best row per item and price kind (pricesOf), per unit of the item. Every
   * row of one item and kind is in the same answer (answers split by kind and by item code), so choosing per answer
   * is choosing over all.
   */
  prices(prices: MirrorSnapshot['prices']) {
    this.tx(() => {
      for (const p of prices) this.counts.prices += this.st.price.run({ item: p.itemId, kind: p.priceKindId, price: p.price }).changes;
    });
  }

  stock(stock: MirrorSnapshot['stock']) {
    this.tx(() => {
      for (const s of stock) this.counts.stock += this.st.stock.run({ store: s.storeId, item: s.itemId, quantity: s.quantity }).changes ? 1 : 0;
    });
  }
}

interface Named {
  countries: Map<string, string>;
  brands: Map<string, string>;
  makers: Map<string, string>;
}

/**
 * The new items, assembled from the staged sets a thousand at a time, each with the rowid it will have in the
 * mirror (its own if the mirror has it, else a new one past the largest) and whether its row must be written.
 * Returns how many items changed (hash), as writeSnapshot always counted them.
 */
export function assembleItems(scratch: Scratch, names: Named, ts: string, o: { descriptionFileInto?: 'short' | 'full' | null } = {}): { items: number; changed: number } {
  const db = scratch.db;
  const descriptionFile = descriptionFileOf(db);
  db.exec(`CREATE TABLE IF NOT EXISTS ${S}.item_vat (item_id TEXT PRIMARY KEY, vat_rate_id TEXT NOT NULL, rank INTEGER NOT NULL) WITHOUT ROWID`);
  const registerVat = db.prepare(`SELECT vat_rate_id FROM ${S}.item_vat WHERE item_id = ?`).pluck();
  const batch = db.prepare(`SELECT id, rec FROM ${S}.items WHERE id > ? ORDER BY id LIMIT 1000`);
  const packagingsOf = db.prepare(`SELECT item_id, base_unit_id, ratio FROM ${S}.units WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id, seq`);
  const unitName = db.prepare(`SELECT name FROM ${S}.units WHERE id = ? ORDER BY seq DESC LIMIT 1`).pluck();
  const filesOf = db.prepare(`SELECT item_id, file_id FROM ${S}.files WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id, seq`);
  const fileKnown = db.prepare(`SELECT 1 FROM ${S}.files WHERE file_id = ? LIMIT 1`).pluck();
  const barcodesOf = db.prepare(`SELECT item_id, barcode FROM ${S}.barcodes WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id, seq`);
  const live = db.prepare(`SELECT rowid AS no, id, hash, changed_at, search_text FROM main.catalog_items WHERE id IN (SELECT value FROM json_each(?))`);
  let next = ((db.prepare(`SELECT max(rowid) FROM main.catalog_items`).pluck().get() as number | null) ?? 0) + 1;
  const insert = db.prepare(`INSERT INTO ${S}.new_items (no, id, group_id, code, article, name, full_name, description, full_description, country, brand,
      unit, portion_size, portion_unit, min_quantity, multiplicity, sold_to_order, tier1_threshold, tier2_threshold, picture_ids, vat_rate_id, hash,
      changed_at, search_text, existed, write)
    VALUES (@no, @id, @groupId, @code, @article, @name, @fullName, @description, @fullDescription, @country, @brand, @unit, @portionSize,
      @portionUnit, @minQuantity, @multiplicity, @soldToOrder, @tier1Threshold, @tier2Threshold, @pictureIds, @vatRateId, @hash, @changedAt,
      @searchText, @existed, @write)`);
  const used = db.prepare(`INSERT OR IGNORE INTO ${S}.pic_used (file_id) VALUES (?)`);
  const unitNames = new Map<string, string | undefined>(); // a handful of units of measure, asked for by every item
  const nameOfUnit = (id: string | null | undefined) => {
    if (!id) return undefined;
    if (!unitNames.has(id)) {
      if (unitNames.size > 10_000) unitNames.clear();
      unitNames.set(id, unitName.get(id) as string | undefined);
    }
    return unitNames.get(id);
  };
  const group = <T extends { item_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const l = m.get(r.item_id);
      if (l) l.push(r);
      else m.set(r.item_id, [r]);
    }
    return m;
  };
  let after = '';
  let items = 0;
  let changed = 0;
  for (;;) {
    const rows = batch.all(after) as { id: string; rec: string }[];
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    const ids = JSON.stringify(rows.map((r) => r.id));
    const packagings = group(packagingsOf.all(ids) as { item_id: string; base_unit_id: string | null; ratio: number }[]);
    const files = group(filesOf.all(ids) as { item_id: string; file_id: string }[]);
    const barcodes = group(barcodesOf.all(ids) as { item_id: string; barcode: string }[]);
    const before = new Map((live.all(ids) as { no: number; id: string; hash: string; changed_at: string; search_text: string | null }[]).map((r) => [r.id, r]));
    db.transaction(() => {
      for (const r of rows) {
        const it = JSON.parse(r.rec) as ItemRecord;
        const unit = nameOfUnit(it.unitId);
        const packaging = packagings.get(it.id)?.[0];
        const portionUnit = packaging?.base_unit_id ? nameOfUnit(packaging.base_unit_id) ?? unit : unit;
        // The site description file is an attached file of the item too, but no picture (issue 14.7).
        const described = descriptionFile(it.id);
        const own = (files.get(it.id) ?? []).map((f) => f.file_id).filter((x) => x !== described?.fileId);
        const into = o.descriptionFileInto ?? null;
        const pictureIds = (it.pictureFileId ? [it.pictureFileId, ...own.filter((x) => x !== it.pictureFileId)] : own).filter(
          (id) => own.includes(id) || fileKnown.get(id) !== undefined,
        );
        const item: MirrorItem = {
          id: it.id,
          groupId: it.groupId,
          code: it.code,
          article: it.article,
          name: it.name,
          // A profile that keeps the full name apart (УТ, issue 14.7) serves its descriptions as they are; the others'
          // shortDescription is their full name, as before.
          fullName: it.fullName ?? it.shortDescription,
          description: into === 'short' ? described?.text ?? '' : it.shortDescription,
          fullDescription: into === 'full' ? described?.text ?? '' : it.fullDescription,
          country: it.countryId ? names.countries.get(it.countryId) ?? null : null,
          brand: (it.brandId ? names.brands.get(it.brandId) : undefined) ?? (it.manufacturerId ? names.makers.get(it.manufacturerId) ?? null : null),
          unit: unit ?? 'шт',
          portionSize: packaging ? packaging.ratio : null,
          portionUnit: packaging ? portionUnit ?? null : null,
          minQuantity: it.minQuantity,
          multiplicity: it.multiplicity,
          soldToOrder: it.soldToOrder,
          tier1Threshold: it.tier1Threshold,
          tier2Threshold: it.tier2Threshold,
          pictureIds,
          // Issue 17: the register's rate where the base keeps one there (УТ 11.5.20), else the item's attribute.
          vatRateId: (registerVat.get(it.id) as string | undefined) ?? it.vatRateId,
        };
        for (const p of pictureIds) used.run(p);
        const hash = itemHash(item, (barcodes.get(it.id) ?? []).map((b) => b.barcode));
        const prev = before.get(it.id);
        const searchText = searchTextOf(item.name, item.article);
        if (prev?.hash !== hash) changed++;
        insert.run(rowOf(item, {
          no: prev ? prev.no : next++,
          hash,
          changedAt: prev?.hash === hash ? prev.changed_at : ts,
          searchText,
          existed: prev ? 1 : 0,
          write: !prev || prev.hash !== hash || prev.search_text !== searchText ? 1 : 0,
        }));
        items++;
      }
    })();
  }
  return { items, changed };
}

/** Named parameters of a new_items row. */
export function rowOf(item: MirrorItem, x: { no: number; hash: string; changedAt: string; searchText: string; existed: number; write: number }) {
  return {
    ...item,
    soldToOrder: item.soldToOrder ? 1 : 0,
    pictureIds: JSON.stringify(item.pictureIds),
    vatRateId: item.vatRateId ?? null,
    ...x,
  };
}

/**
 * The rest of the new generation from the staged sets: barcodes and pictures of the items kept, the pictures any
 * item shows, the packaging ratios. Stock and prices were kept for staged items only as they arrived.
 */
export function assembleRest(db: Db) {
  db.transaction(() => {
    db.exec(`INSERT OR IGNORE INTO ${S}.new_barcodes (item_id, barcode)
               SELECT b.item_id, b.barcode FROM ${S}.barcodes b WHERE EXISTS (SELECT 1 FROM ${S}.new_items i WHERE i.id = b.item_id) ORDER BY b.seq`);
    // One row per file id (the first staged), for the files some item shows.
    db.exec(`INSERT OR IGNORE INTO ${S}.new_pictures (id, item_id, extension, volume_path)
               SELECT f.file_id, f.item_id, f.extension, f.volume_path FROM ${S}.files f JOIN ${S}.pic_used u ON u.file_id = f.file_id ORDER BY f.seq`);
    // Every packaging, not only the items' own: a packaging of a set still says how many units its price covers.
    db.exec(`INSERT OR REPLACE INTO ${S}.packagings (id, ratio) SELECT id, ratio FROM ${S}.units ORDER BY seq`);
  })();
}
