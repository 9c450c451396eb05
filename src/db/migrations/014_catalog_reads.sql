-- Reads at scale (issue 19.3). Measured on a 300k-item mirror before this: a cold deep page 704 ms (OFFSET walked
-- the name index and probed stock for every skipped row), a cold q= search 979 ms and an exact barcode 2,637 ms
-- (both scanned every item through a JS lower()), changedSince with nothing changed 759 ms (the planner preferred
-- the name index for ORDER BY and scanned).

-- An exact barcode (q= is also "the exact barcode") is found through this index, not by probing every item.
CREATE INDEX IF NOT EXISTS catalog_barcodes_barcode ON catalog_barcodes (barcode);

-- What q= searches: name and article, case-folded by JS toLowerCase (SQLite folds ASCII only) with ё → е, joined
-- by \x01 as the LIKE did. Written by catalog/writer.ts; NULL on rows written before this migration until the
-- writer or CatalogService fills them (SQLite cannot fold Cyrillic here).
ALTER TABLE catalog_items ADD COLUMN search_text TEXT;

-- Substring search over search_text: the trigram tokenizer answers a quoted phrase as "contains this substring"
-- (3 characters or more), which keeps q='s contract (a part of a word or article finds the item) while reading
-- posting lists instead of every row. External content: the text is stored once, in catalog_items; the triggers
-- keep the index in step (the writer upserts items, so only changed items touch the index).
CREATE VIRTUAL TABLE IF NOT EXISTS catalog_items_fts USING fts5 (
  search_text,
  content = 'catalog_items',
  content_rowid = 'rowid',
  tokenize = 'trigram case_sensitive 1'
);
CREATE TRIGGER IF NOT EXISTS catalog_items_fts_insert AFTER INSERT ON catalog_items WHEN new.search_text IS NOT NULL BEGIN
  INSERT INTO catalog_items_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER IF NOT EXISTS catalog_items_fts_delete AFTER DELETE ON catalog_items WHEN old.search_text IS NOT NULL BEGIN
  INSERT INTO catalog_items_fts (catalog_items_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
-- One trigger, delete before insert: as two triggers SQLite ran the insert first and the index went inconsistent
-- ("database disk image is malformed" from FTS5's integrity-check after a rename).
CREATE TRIGGER IF NOT EXISTS catalog_items_fts_update AFTER UPDATE OF search_text ON catalog_items BEGIN
  INSERT INTO catalog_items_fts (catalog_items_fts, rowid, search_text) SELECT 'delete', old.rowid, old.search_text WHERE old.search_text IS NOT NULL;
  INSERT INTO catalog_items_fts (rowid, search_text) SELECT new.rowid, new.search_text WHERE new.search_text IS NOT NULL;
END;

-- Each warehouse's assortment in the API's order (name, id), numbered from 0: page N of pageSize P is the rows
-- pos >= (N-1)*P, a seek in this primary key whatever the depth, and the total is max(pos)+1. Rebuilt by the
-- writer in the same transaction as the mirror rows it orders (full sync always; stock sync only when an item
-- entered or left a warehouse). Integer keys (catalog_stores.rowid, catalog_items.rowid) keep it small: about
-- 12 bytes a row, 10 MB at 300k items carried by 2.5 of 7 warehouses each.
CREATE TABLE IF NOT EXISTS catalog_assortment (
  store_no INTEGER NOT NULL,                    -- catalog_stores.rowid
  pos      INTEGER NOT NULL,
  item_no  INTEGER NOT NULL,                    -- catalog_items.rowid
  PRIMARY KEY (store_no, pos)
) WITHOUT ROWID;
-- Whether and where an item is in a warehouse's order: a filtered query (q=, group, changedSince) takes its
-- candidates from its own index, keeps those the warehouse carries and sorts them by pos through this index alone
-- (covering: a WITHOUT ROWID index holds the primary key), never reading the wide catalog_items rows. Reading
-- those rows for 14,750 FTS matches took 100–130 ms on a 300k mirror; the probes here take a few.
CREATE INDEX IF NOT EXISTS catalog_assortment_item ON catalog_assortment (store_no, item_no);

INSERT INTO catalog_assortment (store_no, pos, item_no)
SELECT store_no, row_number() OVER (PARTITION BY store_no ORDER BY name, id) - 1, item_no FROM (
  SELECT st.rowid AS store_no, i.rowid AS item_no, i.name, i.id
    FROM catalog_stock s JOIN catalog_stores st ON st.id = s.store_id JOIN catalog_items i ON i.id = s.item_id
   WHERE i.sold_to_order = 0
  UNION ALL
  SELECT st.rowid, i.rowid, i.name, i.id FROM catalog_stores st JOIN catalog_items i WHERE i.sold_to_order = 1
);
