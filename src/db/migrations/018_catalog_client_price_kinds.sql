-- Issue 17: the price kind each client buys at, from the client's own agreement in 1C (Catalog_СоглашенияСКлиентами,
-- not typical, in force: ВидЦен, 11.5 also ИндивидуальныйВидЦены). The sync mirrors these kinds' prices too;
-- booking prices a client's lines by its kind when the item has a price of it.
CREATE TABLE IF NOT EXISTS catalog_client_price_kinds (
  partner_id    TEXT PRIMARY KEY,                -- Catalog_Партнеры.Ref_Key (clients.partner_key)
  price_kind_id TEXT NOT NULL,
  agreement_id  TEXT NOT NULL
) WITHOUT ROWID;
