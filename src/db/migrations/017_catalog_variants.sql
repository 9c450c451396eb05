-- Variants (issue 17): the characteristics (УТ Catalog_ХарактеристикиНоменклатуры) an item is sold in, with their own
-- stock, prices and barcodes. Written by catalog/variants.ts just before the sync's final transaction, which lists
-- the items whose variants changed among the generation's changes (changed_at, response cache, catalogue webhook).
-- A shared characteristic (owned by an item kind) is a variant of every item of that kind: keyed by item and id.
CREATE TABLE IF NOT EXISTS catalog_variants (
  item_id    TEXT NOT NULL,
  id         TEXT NOT NULL,                     -- Catalog_ХарактеристикиНоменклатуры.Ref_Key
  name       TEXT NOT NULL,
  full_name  TEXT NOT NULL DEFAULT '',
  pricing_id TEXT,                              -- 11.5: ХарактеристикаНоменклатурыДляЦенообразования (ЦеныНоменклатуры25.ХарактеристикаЦО)
  PRIMARY KEY (item_id, id)
) WITHOUT ROWID;

-- A variant's available stock per warehouse (the item's catalog_stock row is the sum over its characteristics).
CREATE TABLE IF NOT EXISTS catalog_variant_stock (
  item_id    TEXT NOT NULL,
  variant_id TEXT NOT NULL,
  store_id   TEXT NOT NULL,
  quantity   REAL NOT NULL,
  PRIMARY KEY (item_id, variant_id, store_id)
) WITHOUT ROWID;

-- Prices set for the characteristic itself; a variant without one sells at the item's price of that kind.
CREATE TABLE IF NOT EXISTS catalog_variant_prices (
  item_id       TEXT NOT NULL,
  variant_id    TEXT NOT NULL,
  price_kind_id TEXT NOT NULL,
  price         REAL NOT NULL,
  PRIMARY KEY (item_id, variant_id, price_kind_id)
) WITHOUT ROWID;

-- Barcodes of a characteristic (ШтрихкодыНоменклатуры.Характеристика); they stay in catalog_barcodes too, so q= by
-- barcode finds the item.
CREATE TABLE IF NOT EXISTS catalog_variant_barcodes (
  item_id    TEXT NOT NULL,
  variant_id TEXT NOT NULL,
  barcode    TEXT NOT NULL,
  PRIMARY KEY (item_id, variant_id, barcode)
) WITHOUT ROWID;

-- VAT for the shop: whether a price kind's prices include it (ВидыЦен.ЦенаВключаетНДС, both dumps), and the rate each
-- СтавкаНДС of the items stands for (catalog_items.vat_rate_id). Kept beside the tables the sync's apply step owns.
CREATE TABLE IF NOT EXISTS catalog_price_kind_vat (
  id           TEXT PRIMARY KEY,                -- catalog_price_kinds.id
  includes_vat INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS catalog_vat_rates (
  id   TEXT PRIMARY KEY,                        -- Catalog_СтавкиНДС.Ref_Key (11.5) or the Enum.СтавкиНДС member (11.4)
  rate REAL                                     -- percent; NULL = without VAT
) WITHOUT ROWID;
