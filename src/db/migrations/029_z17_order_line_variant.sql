-- Issue 17 (variantId in booking): the characteristic a line sells (catalog_variants.id, sent to 1C as
-- ЗаказКлиента.Товары.Характеристика_Key); NULL for items sold as such. Named after 029_* so it runs after 020's
-- order_lines on a new database.
ALTER TABLE order_lines ADD COLUMN variant_id TEXT;
