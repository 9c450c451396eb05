import type { Db } from '../db/open.js';
import type { CharacteristicRecord } from '../onec/profiles/index.js';
import { S } from './scratch.js';

/**
 * Variants (issue 17): the characteristics an item is sold in (УТ Catalog_ХарактеристикиНоменклатуры), each with its
 * own stock per warehouse, its own prices where УТ sets them (11.4: ЦеныНоменклатуры.Характеристика; 11.5:
 * ЦеныНоменклатуры25.ХарактеристикаЦО = the characteristic's ХарактеристикаНоменклатурыДляЦенообразования) and its own
 * barcodes (ШтрихкодыНоменклатуры.Характеристика). Which characteristics an item has: those whose Owner is the item
 * (ИндивидуальныеДляНоменклатуры) or the item kind it shares them with (ItemRecord.characteristicsOwnerId).
 *
 * The sync stages what it reads here, in the scratch database, next to the rows stage.ts keeps; before the final
 * transaction the new generation's variant rows are compared with the mirror's (EXCEPT, as apply.ts does), the items
 * whose variants changed go to ${S}.variant_touched (apply.ts touchedOffers lists them with the items whose offer
 * changed: their changed_at moves, the response cache drops them, the catalogue webhook names them), and the
 * differences are written inside the final transaction (applyVariants), so readers see variants and items of one
 * generation.
 */

const DDL = `
CREATE TABLE IF NOT EXISTS ${S}.v_chars (owner_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, full_name TEXT NOT NULL, pricing_id TEXT, PRIMARY KEY (owner_id, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${S}.v_stock (item_id TEXT NOT NULL, char_id TEXT NOT NULL, store_id TEXT NOT NULL, quantity REAL NOT NULL, PRIMARY KEY (item_id, char_id, store_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${S}.v_prices (item_id TEXT NOT NULL, char_id TEXT NOT NULL, kind_id TEXT NOT NULL, price REAL NOT NULL, rank INTEGER NOT NULL, PRIMARY KEY (item_id, char_id, kind_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${S}.v_barcodes (item_id TEXT NOT NULL, char_id TEXT NOT NULL, barcode TEXT NOT NULL, PRIMARY KEY (item_id, char_id, barcode)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${S}.v_iprops (item_id TEXT NOT NULL, property_id TEXT NOT NULL, value_key TEXT NOT NULL, PRIMARY KEY (item_id, property_id, value_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${S}.variant_touched (item_id TEXT PRIMARY KEY) WITHOUT ROWID;
`;

interface VTable {
  live: string;
  next: string;
  key: string[];
  values: string[];
}

const TABLES: Record<'variants' | 'stock' | 'prices' | 'barcodes' | 'props', VTable> = {
  variants: { live: 'catalog_variants', next: `${S}.n_variants`, key: ['item_id', 'id'], values: ['name', 'full_name', 'pricing_id'] },
  stock: { live: 'catalog_variant_stock', next: `${S}.n_vstock`, key: ['item_id', 'variant_id', 'store_id'], values: ['quantity'] },
  prices: { live: 'catalog_variant_prices', next: `${S}.n_vprices`, key: ['item_id', 'variant_id', 'price_kind_id'], values: ['price'] },
  barcodes: { live: 'catalog_variant_barcodes', next: `${S}.n_vbarcodes`, key: ['item_id', 'variant_id', 'barcode'], values: [] },
  // Issue 17: the items' property values (from the staged ItemRecord.properties), changed with the same generation.
  props: { live: 'catalog_item_properties', next: `${S}.n_iprops`, key: ['item_id', 'property_id', 'value_key'], values: [] },
};
type VName = keyof typeof TABLES;

export interface VariantStock {
  itemId: string;
  characteristicId: string;
  storeId: string;
  quantity: number;
}

export interface VariantPrice {
  itemId: string;
  /** The characteristic as the price register names it (11.5: the characteristic for pricing). */
  characteristicId: string;
  priceKindId: string;
  price: number;
  /** Lower wins: a price per unit of the item before one per packaging. */
  rank: number;
}

/** Writes what the sync reads of variants into the scratch database. */
export class VariantStager {
  private readonly st;

  constructor(private readonly db: Db) {
    db.exec(DDL);
    this.st = {
      char: db.prepare(`INSERT OR IGNORE INTO ${S}.v_chars (owner_id, id, name, full_name, pricing_id) VALUES (?, ?, ?, ?, ?)`),
      stock: db.prepare(`INSERT INTO ${S}.v_stock (item_id, char_id, store_id, quantity) VALUES (?, ?, ?, ?)
                         ON CONFLICT (item_id, char_id, store_id) DO UPDATE SET quantity = quantity + excluded.quantity`),
      price: db.prepare(`INSERT INTO ${S}.v_prices (item_id, char_id, kind_id, price, rank) VALUES (@item, @char, @kind, @price, @rank)
                         ON CONFLICT (item_id, char_id, kind_id) DO UPDATE SET price = excluded.price, rank = excluded.rank WHERE excluded.rank < rank`),
      barcode: db.prepare(`INSERT OR IGNORE INTO ${S}.v_barcodes (item_id, char_id, barcode) VALUES (?, ?, ?)`),
      prop: db.prepare(`INSERT OR IGNORE INTO ${S}.v_iprops (item_id, property_id, value_key) VALUES (?, ?, ?)`),
    };
  }

  characteristics(list: CharacteristicRecord[]) {
    this.db.transaction(() => {
      for (const c of list) if (!c.deleted && c.ownerId) this.st.char.run(c.ownerId, c.id, c.name, c.fullName, c.pricingId);
    })();
  }

  stock(list: VariantStock[]) {
    if (!list.length) return;
    this.db.transaction(() => {
      for (const s of list) this.st.stock.run(s.itemId, s.characteristicId, s.storeId, s.quantity);
    })();
  }

  prices(list: VariantPrice[]) {
    if (!list.length) return;
    this.db.transaction(() => {
      for (const p of list) this.st.price.run({ item: p.itemId, char: p.characteristicId, kind: p.priceKindId, price: p.price, rank: p.rank });
    })();
  }

  /** Issue 17: items' property values; a literal is kept as text ('true', '350'), a reference by its key. */
  itemProperties(list: { itemId: string; properties: { propertyId: string; value: string | number | boolean }[] }[]) {
    this.db.transaction(() => {
      for (const it of list) for (const p of it.properties) this.st.prop.run(it.itemId, p.propertyId, String(p.value));
    })();
  }

  barcodes(list: { itemId: string; characteristicId?: string | null; barcode: string }[]) {
    const own = list.filter((b) => b.characteristicId);
    if (!own.length) return;
    this.db.transaction(() => {
      for (const b of own) this.st.barcode.run(b.itemId, b.characteristicId, b.barcode);
    })();
  }
}

/**
 * The new generation's variant rows (${S}.n_*) and their differences from the mirror (${S}.dv_*); the items they
 * touch go to ${S}.variant_touched. `full`: the variants themselves come from the staged items and characteristics
 * (full sync); otherwise they are the mirror's and only their stock and prices are new (stock sync).
 * Returns the items whose variants changed.
 */
export function prepareVariants(db: Db, full: boolean, exportedProperties?: string[]): number {
  db.exec(`DROP TABLE IF EXISTS ${S}.n_variants; DROP TABLE IF EXISTS ${S}.n_vstock; DROP TABLE IF EXISTS ${S}.n_vprices; DROP TABLE IF EXISTS ${S}.n_vbarcodes; DROP TABLE IF EXISTS ${S}.n_iprops;`);
  // A literal is kept as text ('true', '350'); a reference by its key.
  db.exec(full
    ? `CREATE TABLE ${S}.n_iprops AS SELECT p.item_id, p.property_id, p.value_key FROM ${S}.v_iprops p WHERE EXISTS (SELECT 1 FROM ${S}.items it WHERE it.id = p.item_id)`
    : `CREATE TABLE ${S}.n_iprops AS SELECT item_id, property_id, value_key FROM main.catalog_item_properties`);
  if (full) {
    // ${S}.items holds the staged goods (ItemRecord as JSON): those sold in characteristics name their owner.
    db.exec(`CREATE TABLE ${S}.n_variants AS
      SELECT it.item_id, c.id, c.name, c.full_name, c.pricing_id
        FROM (SELECT id AS item_id, json_extract(rec, '$.characteristicsOwnerId') AS owner_id FROM ${S}.items
               WHERE json_extract(rec, '$.characteristicsOwnerId') IS NOT NULL) it
        JOIN ${S}.v_chars c ON c.owner_id = it.owner_id`);
  } else {
    db.exec(`CREATE TABLE ${S}.n_variants AS SELECT item_id, id, name, full_name, pricing_id FROM main.catalog_variants`);
  }
  db.exec(`CREATE INDEX ${S}.n_variants_key ON n_variants (item_id, id);
    CREATE TABLE ${S}.n_vstock AS
      SELECT s.item_id, s.char_id AS variant_id, s.store_id, s.quantity FROM ${S}.v_stock s
       WHERE EXISTS (SELECT 1 FROM ${S}.n_variants v WHERE v.item_id = s.item_id AND v.id = s.char_id);
    CREATE TABLE ${S}.n_vprices AS
      SELECT v.item_id, v.id AS variant_id, p.kind_id AS price_kind_id, p.price FROM ${S}.n_variants v
        JOIN ${S}.v_prices p ON p.item_id = v.item_id AND p.char_id = coalesce(v.pricing_id, v.id);`);
  if (full) {
    db.exec(`CREATE TABLE ${S}.n_vbarcodes AS
      SELECT b.item_id, b.char_id AS variant_id, b.barcode FROM ${S}.v_barcodes b
       WHERE EXISTS (SELECT 1 FROM ${S}.n_variants v WHERE v.item_id = b.item_id AND v.id = b.char_id)`);
  } else {
    db.exec(`CREATE TABLE ${S}.n_vbarcodes AS SELECT item_id, variant_id, barcode FROM main.catalog_variant_barcodes`);
  }
  if (full && exportedProperties) db.prepare(`DELETE FROM ${S}.n_iprops WHERE property_id NOT IN (SELECT value FROM json_each(?))`).run(JSON.stringify(exportedProperties));
  const names: VName[] = full ? ['variants', 'stock', 'prices', 'barcodes', 'props'] : ['stock', 'prices'];
  for (const n of Object.keys(TABLES) as VName[]) {
    const t = TABLES[n];
    const cols = [...t.key, ...t.values].join(', ');
    db.exec(`DROP TABLE IF EXISTS ${S}.dv_${n}_up; DROP TABLE IF EXISTS ${S}.dv_${n}_del;`);
    if (names.includes(n)) {
      db.exec(`CREATE TABLE ${S}.dv_${n}_up AS SELECT ${cols} FROM ${t.next} EXCEPT SELECT ${cols} FROM main.${t.live};
               CREATE TABLE ${S}.dv_${n}_del AS SELECT ${t.key.join(', ')} FROM main.${t.live} EXCEPT SELECT ${t.key.join(', ')} FROM ${t.next};`);
    } else {
      db.exec(`CREATE TABLE ${S}.dv_${n}_up AS SELECT ${cols} FROM main.${t.live} WHERE 0; CREATE TABLE ${S}.dv_${n}_del AS SELECT ${t.key.join(', ')} FROM main.${t.live} WHERE 0;`);
    }
  }
  db.exec(`DELETE FROM ${S}.variant_touched;
    INSERT OR IGNORE INTO ${S}.variant_touched (item_id)
      ${(Object.keys(TABLES) as VName[]).map((n) => `SELECT item_id FROM ${S}.dv_${n}_up UNION SELECT item_id FROM ${S}.dv_${n}_del`).join(' UNION ')}`);
  return db.prepare(`SELECT count(*) FROM ${S}.variant_touched`).pluck().get() as number;
}

/** The differences prepareVariants found, written to the mirror: called inside the sync's final transaction. */
export function applyVariants(db: Db) {
  for (const n of Object.keys(TABLES) as VName[]) {
    const t = TABLES[n];
    const cols = [...t.key, ...t.values].join(', ');
    db.prepare(`DELETE FROM main.${t.live} WHERE (${t.key.join(', ')}) IN (SELECT ${t.key.join(', ')} FROM ${S}.dv_${n}_del)`).run();
    db.prepare(`INSERT OR REPLACE INTO main.${t.live} (${cols}) SELECT ${cols} FROM ${S}.dv_${n}_up`).run();
  }
}

/** Properties and values the items use (small sets, replaced whole at a full sync; `only`: the exported ones). */
export function writeProperties(db: Db, props: { id: string; name: string; title: string }[], values: { id: string; propertyId: string | null; name: string; deleted: boolean }[]) {
  db.transaction(() => {
    db.prepare(`DELETE FROM catalog_properties`).run();
    db.prepare(`DELETE FROM catalog_property_values`).run();
    const p = db.prepare(`INSERT OR REPLACE INTO catalog_properties (id, name, title) VALUES (?, ?, ?)`);
    for (const x of props) p.run(x.id, x.name, x.title);
    const v = db.prepare(`INSERT OR REPLACE INTO catalog_property_values (id, property_id, name) VALUES (?, ?, ?)`);
    for (const x of values) if (!x.deleted && x.propertyId) v.run(x.id, x.propertyId, x.name);
  })();
}

/** VAT facts for the shop (small sets, replaced whole at a full sync). */
export function writeVatFacts(db: Db, kinds: { id: string; includesVat: boolean }[], rates: { id: string; rate: number | null }[]) {
  db.transaction(() => {
    db.prepare(`DELETE FROM catalog_price_kind_vat`).run();
    const k = db.prepare(`INSERT OR REPLACE INTO catalog_price_kind_vat (id, includes_vat) VALUES (?, ?)`);
    for (const x of kinds) k.run(x.id, x.includesVat ? 1 : 0);
    if (rates.length) {
      db.prepare(`DELETE FROM catalog_vat_rates`).run();
      const r = db.prepare(`INSERT OR REPLACE INTO catalog_vat_rates (id, rate) VALUES (?, ?)`);
      for (const x of rates) r.run(x.id, x.rate);
    }
  })();
}
