-- Issue 14.7: the text of items' site description files (УТ Номенклатура.ФайлОписанияДляСайта → an attached file of
-- Catalog_НоменклатураПрисоединенныеФайлы), read by the full sync before it assembles the items, as picture bytes are
-- read: only a file that is new or whose ДатаМодификацииУниверсальная / Размер changed is asked for again. Read by the
-- sync only (the text goes into catalog_items.description / full_description with the item's generation).
CREATE TABLE IF NOT EXISTS catalog_description_files (
  id         TEXT PRIMARY KEY,                  -- Catalog_НоменклатураПрисоединенныеФайлы.Ref_Key
  modified   TEXT NOT NULL,                     -- ДатаМодификацииУниверсальная as read, and Размер: the cache key
  size       INTEGER NOT NULL,
  text       TEXT NOT NULL,
  fetched_at TEXT NOT NULL
) WITHOUT ROWID;
