-- Issue 17: a characteristic's own properties (УТ Catalog_ХарактеристикиНоменклатуры.ДополнительныеРеквизиты:
-- Свойство, Значение in both dumps), kept per variant of an item (a shared characteristic is a variant of every item of
-- its kind, as catalog_variants keys it). value_key as in catalog_item_properties: a reference's key or the literal as
-- text. Compared and written with the variants in the full sync's final transaction (catalog/variants.ts).
CREATE TABLE IF NOT EXISTS catalog_variant_properties (
  item_id     TEXT NOT NULL,
  variant_id  TEXT NOT NULL,
  property_id TEXT NOT NULL,
  value_key   TEXT NOT NULL,
  PRIMARY KEY (item_id, variant_id, property_id, value_key)
) WITHOUT ROWID;
-- assortment?property=: the items one of whose variants has the value, by index.
CREATE INDEX IF NOT EXISTS catalog_variant_properties_value ON catalog_variant_properties (property_id, value_key);

-- Issue 17: a packaging's own barcodes (ШтрихкодыНоменклатуры.Упаковка filled, both dumps: a box's EAN/GTIN), listed
-- under that packaging in the assortment rather than the item's; they stay in catalog_barcodes too, so q= by the
-- exact barcode finds the item.
CREATE TABLE IF NOT EXISTS catalog_packaging_barcodes (
  item_id      TEXT NOT NULL,
  packaging_id TEXT NOT NULL,
  barcode      TEXT NOT NULL,
  PRIMARY KEY (item_id, packaging_id, barcode)
) WITHOUT ROWID;
