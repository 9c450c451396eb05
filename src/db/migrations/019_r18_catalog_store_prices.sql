-- Prices per store (issue 18, Розница): the price a shop sells at where 1C applies prices to it
-- (InformationRegister.ДействующиеЦеныНоменклатуры, ОбъектЦенообразования = the shop; written by the shop's
-- ПрименениеЦенНоменклатуры). Such a store's price of an item is its row here, else the item's retail price kind
-- (catalog_prices). Written by catalog/store-prices.ts inside the sync's final transaction; configurations without
-- per-store prices leave both tables empty.
CREATE TABLE IF NOT EXISTS catalog_store_prices (
  store_id TEXT NOT NULL,                       -- catalog_stores.id (Розница: the shop's СкладПродажи)
  item_id  TEXT NOT NULL,
  price    REAL NOT NULL,                       -- per unit of the item (a price per packaging divided by its Коэффициент)
  PRIMARY KEY (store_id, item_id)
) WITHOUT ROWID;

-- The stores whose prices are applied in 1C, and the object they are applied to (Розница: the Магазин with
-- ИспользоватьПрименениеЦен): what the stock sync reads store prices by between two full syncs.
CREATE TABLE IF NOT EXISTS catalog_store_pricing (
  store_id  TEXT PRIMARY KEY,
  object_id TEXT NOT NULL
) WITHOUT ROWID;
