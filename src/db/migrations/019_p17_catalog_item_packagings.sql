-- Issue 17: packagings a shop can sell an item by (a box of 12): the item's own Catalog_УпаковкиЕдиницыИзмерения
-- (Owner = the item; both dumps: owners Номенклатура | НаборыУпаковок → Owner + Owner_Type), with how many of the
-- item's units one holds (Числитель / Знаменатель). Compared and written with the variants in the full sync's final
-- transaction (catalog/variants.ts), so a changed packaging moves the item's changedAt.
CREATE TABLE IF NOT EXISTS catalog_item_packagings (
  item_id TEXT NOT NULL,
  id      TEXT NOT NULL,                        -- Catalog_УпаковкиЕдиницыИзмерения.Ref_Key (ЗаказКлиента.Товары.Упаковка_Key)
  name    TEXT NOT NULL,
  ratio   REAL NOT NULL,                        -- units of the item per packaging
  PRIMARY KEY (item_id, id)
) WITHOUT ROWID;
