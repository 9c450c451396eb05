import type { Db } from '../db/open.js';
import type { CharacteristicRecord } from '../onec/profiles/index.js';
import { S } from './scratch.js';
import { PACKAGING_SET_DDL } from './stage.js';
import { nextPackagingBarcodes, nextVariantProperties, touchRenamedProperties } from './variant-properties.js';

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

const TABLES: Record<'variants' | 'stock' | 'prices' | 'barcodes' | 'props' | 'packs' | 'vprops' | 'pbarcodes', VTable> = {
  variants: { live: 'catalog_variants', next: `${S}.n_variants`, key: ['item_id', 'id'], values: ['name', 'full_name', 'pricing_id'] },
  stock: { live: 'catalog_variant_stock', next: `${S}.n_vstock`, key: ['item_id', 'variant_id', 'store_id'], values: ['quantity'] },
  prices: { live: 'catalog_variant_prices', next: `${S}.n_vprices`, key: ['item_id', 'variant_id', 'price_kind_id'], values: ['price'] },
  barcodes: { live: 'catalog_variant_barcodes', next: `${S}.n_vbarcodes`, key: ['item_id', 'variant_id', 'barcode'], values: [] },
  // Issue 17: the items' property values (from the staged ItemRecord.properties), changed with the same generation.
  props: { live: 'catalog_item_properties', next: `${S}.n_iprops`, key: ['item_id', 'property_id', 'value_key'], values: [] },
  // Issue 17: packagings the item is sold by (its own Catalog_УпаковкиЕдиницыИзмерения, staged with the units).
  packs: { live: 'catalog_item_packagings', next: `${S}.n_packs`, key: ['item_id', 'id'], values: ['name', 'ratio'] },
  // Issue 17: characteristics' own properties per variant, and packagings' own barcodes (variant-properties.ts).
  vprops: { live: 'catalog_variant_properties', next: `${S}.n_vprops`, key: ['item_id', 'variant_id', 'property_id', 'value_key'], values: [] },
  pbarcodes: { live: 'catalog_packaging_barcodes', next: `${S}.n_pbarcodes`, key: ['item_id', 'packaging_id', 'barcode'], values: [] },
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
  db.exec(`DROP TABLE IF EXISTS ${S}.n_packs; ${PACKAGING_SET_DDL}`);
  db.exec(full
    ? `CREATE TABLE ${S}.n_packs AS SELECT item_id, id, max(name) AS name, max(ratio) AS ratio FROM (
         SELECT u.item_id, u.id, u.name, u.ratio FROM ${S}.units u WHERE u.item_id IS NOT NULL
         UNION ALL SELECT p.item_id, su.id, su.name, su.ratio FROM ${S}.item_pset p JOIN ${S}.set_units su ON su.set_id = p.set_id) x
       WHERE EXISTS (SELECT 1 FROM ${S}.items it WHERE it.id = x.item_id) GROUP BY item_id, id`
    : `CREATE TABLE ${S}.n_packs AS SELECT item_id, id, name, ratio FROM main.catalog_item_packagings`);
  if (full && exportedProperties) db.prepare(`DELETE FROM ${S}.n_iprops WHERE property_id NOT IN (SELECT value FROM json_each(?))`).run(JSON.stringify(exportedProperties));
  if (full) {
    nextVariantProperties(db, exportedProperties);
    nextPackagingBarcodes(db);
  }
  const names: VName[] = full ? ['variants', 'stock', 'prices', 'barcodes', 'props', 'packs', 'vprops', 'pbarcodes'] : ['stock', 'prices'];
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

/**
 * Issue 17: the small sets a full sync replaces whole — properties and their values, VAT facts (whether a price kind's
 * prices include VAT, the rate each VAT id stands for), clients' price kinds and the kinds the assortment lists — are
 * written with the generation, inside its final transaction (applyFacts), not after it: written after, a reader (and
 * the response cache) saw the new items with the old facts until the next sync. What changed in them is compared
 * here first: the items a changed VAT rate or property name shows on go to ${S}.variant_touched (their changed_at
 * moves, the response cache drops them, the catalogue webhook names them); a price kind whose ЦенаВключаетНДС changed,
 * or a changed list of listed kinds, is in every answer: the generation's change list is then "everything" (returned
 * true). Call after prepareVariants (it empties variant_touched) and after the items are assembled (${S}.new_items).
 */
export interface Facts {
  props: { id: string; name: string; title: string }[];
  values: { id: string; propertyId: string | null; name: string; deleted: boolean }[];
  kinds: { id: string; includesVat: boolean }[];
  /** Empty: 1C gave none (11.4 has no catalog; an empty answer keeps the mirror's). */
  rates: { id: string; rate: number | null }[];
  clientKinds: { partnerId: string; priceKindId: string; agreementId: string; includesVat?: boolean | null }[];
  listed: { id: string; name: string }[];
}

export function prepareFacts(db: Db, f: Facts): { everything: boolean } {
  db.exec(`DROP TABLE IF EXISTS ${S}.f_props; DROP TABLE IF EXISTS ${S}.f_values; DROP TABLE IF EXISTS ${S}.f_kind_vat; DROP TABLE IF EXISTS ${S}.f_rates; DROP TABLE IF EXISTS ${S}.f_clients;
    CREATE TABLE ${S}.f_props (id TEXT PRIMARY KEY, name TEXT NOT NULL, title TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE ${S}.f_values (id TEXT PRIMARY KEY, property_id TEXT NOT NULL, name TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE ${S}.f_kind_vat (id TEXT PRIMARY KEY, includes_vat INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE ${S}.f_rates (id TEXT PRIMARY KEY, rate REAL) WITHOUT ROWID;
    CREATE TABLE ${S}.f_clients (partner_id TEXT PRIMARY KEY, price_kind_id TEXT NOT NULL, agreement_id TEXT NOT NULL, includes_vat INTEGER) WITHOUT ROWID;
    ${DDL}`);
  db.transaction(() => {
    const p = db.prepare(`INSERT OR REPLACE INTO ${S}.f_props (id, name, title) VALUES (?, ?, ?)`);
    for (const x of f.props) p.run(x.id, x.name, x.title);
    const v = db.prepare(`INSERT OR REPLACE INTO ${S}.f_values (id, property_id, name) VALUES (?, ?, ?)`);
    for (const x of f.values) if (!x.deleted && x.propertyId) v.run(x.id, x.propertyId, x.name);
    const k = db.prepare(`INSERT OR REPLACE INTO ${S}.f_kind_vat (id, includes_vat) VALUES (?, ?)`);
    for (const x of f.kinds) k.run(x.id, x.includesVat ? 1 : 0);
    // No rates read: the mirror's stand (as writeVatFacts kept them).
    if (f.rates.length) {
      const r = db.prepare(`INSERT OR REPLACE INTO ${S}.f_rates (id, rate) VALUES (?, ?)`);
      for (const x of f.rates) r.run(x.id, x.rate);
    } else db.exec(`INSERT INTO ${S}.f_rates (id, rate) SELECT id, rate FROM main.catalog_vat_rates`);
    const c = db.prepare(`INSERT OR REPLACE INTO ${S}.f_clients (partner_id, price_kind_id, agreement_id, includes_vat) VALUES (?, ?, ?, ?)`);
    for (const x of f.clientKinds) c.run(x.partnerId, x.priceKindId, x.agreementId, x.includesVat == null ? null : x.includesVat ? 1 : 0);
  })();
  // Items whose shown VAT rate changed (a rate of their VAT id differs, appeared or went).
  db.exec(`INSERT OR IGNORE INTO ${S}.variant_touched (item_id)
    SELECT n.id FROM ${S}.new_items n WHERE n.vat_rate_id IN (
      SELECT id FROM (SELECT id, rate FROM ${S}.f_rates EXCEPT SELECT id, rate FROM main.catalog_vat_rates)
      UNION SELECT id FROM (SELECT id, rate FROM main.catalog_vat_rates EXCEPT SELECT id, rate FROM ${S}.f_rates))`);
  // Items that show a property or value whose name changed (or that went or came), on the item or a variant.
  touchRenamedProperties(db, `${S}.n_iprops`);
  touchRenamedProperties(db, `${S}.n_vprops`);
  const differs = (a: string, b: string) => db.prepare(`SELECT 1 FROM (SELECT * FROM ${a} EXCEPT SELECT * FROM ${b}) LIMIT 1`).get() !== undefined;
  const listed = (db.prepare(`SELECT value FROM main.meta WHERE key = 'mirror.listedPriceKinds'`).pluck().get() as string | undefined) ?? '[]';
  const everything = differs(`${S}.f_kind_vat`, 'main.catalog_price_kind_vat') || differs('main.catalog_price_kind_vat', `${S}.f_kind_vat`) || listed !== JSON.stringify(f.listed);
  listedNow.set(db, JSON.stringify(f.listed));
  return { everything };
}

const listedNow = new WeakMap<Db, string>();

/** The facts prepareFacts staged, written to the mirror: called inside the sync's final transaction. */
export function applyFacts(db: Db) {
  db.exec(`DELETE FROM main.catalog_properties; INSERT INTO main.catalog_properties (id, name, title) SELECT id, name, title FROM ${S}.f_props;
    DELETE FROM main.catalog_property_values; INSERT INTO main.catalog_property_values (id, property_id, name) SELECT id, property_id, name FROM ${S}.f_values;
    DELETE FROM main.catalog_price_kind_vat; INSERT INTO main.catalog_price_kind_vat (id, includes_vat) SELECT id, includes_vat FROM ${S}.f_kind_vat;
    DELETE FROM main.catalog_vat_rates; INSERT INTO main.catalog_vat_rates (id, rate) SELECT id, rate FROM ${S}.f_rates;
    DELETE FROM main.catalog_client_price_kinds; INSERT INTO main.catalog_client_price_kinds (partner_id, price_kind_id, agreement_id${clientVatColumn(db) ? ', includes_vat' : ''}) SELECT partner_id, price_kind_id, agreement_id${clientVatColumn(db) ? ', includes_vat' : ''} FROM ${S}.f_clients;`);
  db.prepare(`INSERT INTO main.meta (key, value, updated_at) VALUES ('mirror.listedPriceKinds', ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
              ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`).run(listedNow.get(db) ?? '[]');
}

/** Whether catalog_client_price_kinds has includes_vat (migration 019_c17). */
function clientVatColumn(db: Db): boolean {
  return (db.prepare(`SELECT 1 FROM pragma_table_info('catalog_client_price_kinds') WHERE name = 'includes_vat'`).get() as unknown) !== undefined;
}
