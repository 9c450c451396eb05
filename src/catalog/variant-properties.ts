import type { Db } from '../db/open.js';
import { S } from './scratch.js';

/**
 * Issue 17: what a variant and a packaging carry of their own beyond stock and prices —
 * - a characteristic's properties (УТ Catalog_ХарактеристикиНоменклатуры.ДополнительныеРеквизиты, both dumps: the Цвет
 *   of a colour), shown as variants[].properties, counted in GET /api/v1/properties and matched by
 *   assortment?property= (the item matches when one of its variants has the value);
 * - a packaging's barcodes (ШтрихкодыНоменклатуры with Упаковка filled, both dumps: a box's EAN or GTIN-14), listed
 *   under packagings[] rather than among the item's own barcodes.
 *
 * Staged as read into the scratch database; prepareVariants (variants.ts) builds the generation's rows from them
 * (nextVariantProperties, nextPackagingBarcodes) and compares and applies them with the other variant tables, so a
 * change moves the item's changedAt and they reach readers with the items of the same generation.
 */

const DDL = `
CREATE TABLE IF NOT EXISTS ${S}.v_cprops (char_id TEXT NOT NULL, property_id TEXT NOT NULL, value_key TEXT NOT NULL, PRIMARY KEY (char_id, property_id, value_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${S}.v_pbarcodes (item_id TEXT NOT NULL, packaging_id TEXT NOT NULL, barcode TEXT NOT NULL, PRIMARY KEY (item_id, packaging_id, barcode)) WITHOUT ROWID;
`;

/** Stages characteristics' properties and packagings' barcodes for one full sync. */
export class VariantExtrasStager {
  private readonly st;

  constructor(private readonly db: Db) {
    db.exec(DDL);
    this.st = {
      prop: db.prepare(`INSERT OR IGNORE INTO ${S}.v_cprops (char_id, property_id, value_key) VALUES (?, ?, ?)`),
      barcode: db.prepare(`INSERT OR IGNORE INTO ${S}.v_pbarcodes (item_id, packaging_id, barcode) VALUES (?, ?, ?)`),
    };
  }

  /** A literal is kept as text ('true', '350'), a reference by its key — as the items' own (VariantStager.itemProperties). */
  characteristicProperties(list: { characteristicId: string; properties: { propertyId: string; value: string | number | boolean }[] }[]) {
    this.db.transaction(() => {
      for (const c of list) for (const p of c.properties) this.st.prop.run(c.characteristicId, p.propertyId, String(p.value));
    })();
  }

  /**
   * Barcodes registered for a packaging of the item. One registered for a characteristic as well stays the variant's
   * (VariantStager.barcodes lists it there): variants[] are what the shop sells such an item as.
   */
  barcodes(list: { itemId: string; characteristicId?: string | null; packagingId?: string | null; barcode: string }[]) {
    const own = list.filter((b) => b.packagingId && !b.characteristicId && b.barcode);
    if (!own.length) return;
    this.db.transaction(() => {
      for (const b of own) this.st.barcode.run(b.itemId, b.packagingId, b.barcode);
    })();
  }
}

/**
 * A full sync's variant properties (${S}.n_vprops): each variant of ${S}.n_variants with its characteristic's staged
 * properties, the exported ones only. A stock sync leaves them as they are (prepareVariants compares none then).
 */
export function nextVariantProperties(db: Db, exportedProperties?: string[]) {
  db.exec(`DROP TABLE IF EXISTS ${S}.n_vprops; ${DDL}
    CREATE TABLE ${S}.n_vprops AS SELECT v.item_id, v.id AS variant_id, p.property_id, p.value_key FROM ${S}.n_variants v JOIN ${S}.v_cprops p ON p.char_id = v.id`);
  if (exportedProperties) db.prepare(`DELETE FROM ${S}.n_vprops WHERE property_id NOT IN (SELECT value FROM json_each(?))`).run(JSON.stringify(exportedProperties));
}

/**
 * A full sync's packaging barcodes (${S}.n_pbarcodes): the staged ones whose packaging is one the item is sold by
 * (${S}.n_packs: its own or its packaging set's); a barcode naming another packaging stays the item's.
 */
export function nextPackagingBarcodes(db: Db) {
  db.exec(`DROP TABLE IF EXISTS ${S}.n_pbarcodes; ${DDL}
    CREATE TABLE ${S}.n_pbarcodes AS SELECT b.item_id, b.packaging_id, b.barcode FROM ${S}.v_pbarcodes b
     WHERE EXISTS (SELECT 1 FROM ${S}.n_packs p WHERE p.item_id = b.item_id AND p.id = b.packaging_id)`);
}

/**
 * Items showing a property or value whose name changed (or that went or came) are touched too (see prepareFacts):
 * `table` is the new generation's item properties (${S}.n_iprops) or variant properties (${S}.n_vprops).
 */
export function touchRenamedProperties(db: Db, table: string) {
  db.exec(`INSERT OR IGNORE INTO ${S}.variant_touched (item_id)
    SELECT vp.item_id FROM ${table} vp WHERE vp.property_id IN (
      SELECT id FROM (SELECT id, title FROM ${S}.f_props EXCEPT SELECT id, title FROM main.catalog_properties)
      UNION SELECT id FROM (SELECT id, title FROM main.catalog_properties EXCEPT SELECT id, title FROM ${S}.f_props))
    OR vp.value_key IN (
      SELECT id FROM (SELECT id, property_id, name FROM ${S}.f_values EXCEPT SELECT id, property_id, name FROM main.catalog_property_values)
      UNION SELECT id FROM (SELECT id, property_id, name FROM main.catalog_property_values EXCEPT SELECT id, property_id, name FROM ${S}.f_values))`);
}
