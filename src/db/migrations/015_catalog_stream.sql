-- Syncs that stream (issue 19.2). The sync stages what 1C answers in a scratch database and applies only the
-- differences to the mirror in one short transaction at the end; what cannot be a small difference gets a second
-- copy that is switched to.

-- A warehouse's paging order (catalog_assortment, 014) changes wholesale when an item enters, leaves or is renamed:
-- rebuilding it inside the sync's final transaction held the write lock for 7.6 s on a 300k mirror (the API's
-- bookings wait at most 250 ms for it). So each warehouse has two copies: the sync fills the one not in use, a few
-- thousand rows per transaction, and the final transaction only switches catalog_stores.assortment.
CREATE TABLE IF NOT EXISTS catalog_assortment_b (
  store_no INTEGER NOT NULL,
  pos      INTEGER NOT NULL,
  item_no  INTEGER NOT NULL,
  PRIMARY KEY (store_no, pos)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS catalog_assortment_b_item ON catalog_assortment_b (store_no, item_no);
-- Which copy serves the warehouse: 0 = catalog_assortment, 1 = catalog_assortment_b.
ALTER TABLE catalog_stores ADD COLUMN assortment INTEGER NOT NULL DEFAULT 0;

-- Units per packaging, for the stock job's packaging prices: was one JSON value in meta (411 KB at 20k items,
-- parsed whole by every stock sync; ~20 MB at 1M).
CREATE TABLE IF NOT EXISTS catalog_packagings (
  id    TEXT PRIMARY KEY,
  ratio REAL NOT NULL
) WITHOUT ROWID;
INSERT OR REPLACE INTO catalog_packagings (id, ratio)
  SELECT key, value FROM json_each((SELECT value FROM meta WHERE key = 'mirror.packagingRatios'));
DELETE FROM meta WHERE key = 'mirror.packagingRatios';
