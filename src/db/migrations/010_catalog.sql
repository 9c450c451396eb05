-- The catalogue mirror: what the read API serves, filled from 1C by catalog/sync. A sync builds everything in
-- memory first and replaces these rows in ONE transaction, so a failed sync leaves the previous mirror serving.

CREATE TABLE catalog_stores (
  id                   TEXT PRIMARY KEY,          -- Catalog_Склады.Ref_Key
  name                 TEXT NOT NULL,
  city                 TEXT NOT NULL,
  address              TEXT NOT NULL,
  retail_price_kind_id TEXT                       -- Склады.РозничныйВидЦены_Key, overrides the configured retail kind
);
CREATE INDEX catalog_stores_city ON catalog_stores (city);

CREATE TABLE catalog_groups (
  id        TEXT PRIMARY KEY,                     -- Catalog_Номенклатура folder Ref_Key
  parent_id TEXT,
  code      TEXT,
  name      TEXT NOT NULL
);

CREATE TABLE catalog_items (
  id               TEXT PRIMARY KEY,              -- Catalog_Номенклатура.Ref_Key
  group_id         TEXT,
  code             TEXT,
  article          TEXT NOT NULL DEFAULT '',
  name             TEXT NOT NULL,
  full_name        TEXT NOT NULL DEFAULT '',
  description      TEXT NOT NULL DEFAULT '',      -- short description
  full_description TEXT NOT NULL DEFAULT '',
  country          TEXT,
  brand            TEXT,
  unit             TEXT NOT NULL DEFAULT 'шт',
  portion_size     REAL,
  portion_unit     TEXT,
  min_quantity     REAL NOT NULL,
  multiplicity     REAL NOT NULL,
  sold_to_order    INTEGER NOT NULL DEFAULT 0,
  tier1_threshold  REAL NOT NULL,
  tier2_threshold  REAL NOT NULL,
  picture_ids      TEXT NOT NULL DEFAULT '[]',    -- JSON array of catalog_pictures.id
  hash             TEXT NOT NULL,                 -- content hash: changed_at moves only when the content changed
  changed_at       TEXT NOT NULL
);
CREATE INDEX catalog_items_group ON catalog_items (group_id);
CREATE INDEX catalog_items_changed ON catalog_items (changed_at);

CREATE TABLE catalog_barcodes (
  item_id TEXT NOT NULL,
  barcode TEXT NOT NULL,
  PRIMARY KEY (item_id, barcode)
) WITHOUT ROWID;

CREATE TABLE catalog_price_kinds (
  id   TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE catalog_prices (
  item_id       TEXT NOT NULL,
  price_kind_id TEXT NOT NULL,
  price         REAL NOT NULL,
  PRIMARY KEY (item_id, price_kind_id)
) WITHOUT ROWID;

-- Stock per warehouse; an item is carried by a warehouse when it has a row here or is sold to order.
CREATE TABLE catalog_stock (
  store_id TEXT NOT NULL,
  item_id  TEXT NOT NULL,
  quantity REAL NOT NULL,
  PRIMARY KEY (store_id, item_id)
) WITHOUT ROWID;
CREATE INDEX catalog_stock_item ON catalog_stock (item_id);

-- Pictures fetched from 1C once and cached; `data` NULL until fetched.
CREATE TABLE catalog_pictures (
  id         TEXT PRIMARY KEY,                    -- Ref_Key of the attached file
  item_id    TEXT NOT NULL,
  extension  TEXT NOT NULL DEFAULT 'png',
  data       BLOB,
  fetched_at TEXT
);
