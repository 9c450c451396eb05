-- Issue 17: additional properties shops filter by. The properties (ChartOfCharacteristicTypes
-- ДополнительныеРеквизитыИСведения) and their values (Catalog_ЗначенияСвойствОбъектов) that items use, replaced whole
-- at a full sync; each item's values (its ДополнительныеРеквизиты), compared and written with the variants in the
-- sync's final transaction. value_key: the value's Ref_Key for a reference, else the literal as text ('true', '350').
CREATE TABLE IF NOT EXISTS catalog_properties (
  id    TEXT PRIMARY KEY,
  name  TEXT NOT NULL,                          -- Имя
  title TEXT NOT NULL                           -- Заголовок
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS catalog_property_values (
  id          TEXT PRIMARY KEY,
  property_id TEXT NOT NULL,
  name        TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS catalog_item_properties (
  item_id     TEXT NOT NULL,
  property_id TEXT NOT NULL,
  value_key   TEXT NOT NULL,
  PRIMARY KEY (item_id, property_id, value_key)
) WITHOUT ROWID;
-- assortment?property=: the items with a value, by index.
CREATE INDEX IF NOT EXISTS catalog_item_properties_value ON catalog_item_properties (property_id, value_key);
