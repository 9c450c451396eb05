-- The item's VAT rate (Номенклатура.СтавкаНДС_Key), mirrored so that delivering an order to 1C does not read it
-- from 1C first: one OData call in five per order (bench: 4.85 calls per order at 50 ms each).
ALTER TABLE catalog_items ADD COLUMN vat_rate_id TEXT;
