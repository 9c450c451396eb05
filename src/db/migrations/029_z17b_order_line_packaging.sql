-- Issue 17 (booking by packaging): a line the shop sold by a packaging of the item (a box of 12: catalog_item_packagings,
-- ЗаказКлиента.Товары.Упаковка_Key in 1C). quantity stays in the item's units (what stock, holds and refunds count);
-- packs is what the shop asked for (КоличествоУпаковок) and packaging_ratio the units in one packaging at booking time
-- (Количество = КоличествоУпаковок × ratio), kept so a later change of the packaging in 1C does not re-read the line.
-- NULL for lines sold by the unit.
ALTER TABLE order_lines ADD COLUMN packaging_id TEXT;
ALTER TABLE order_lines ADD COLUMN packaging_ratio REAL;
ALTER TABLE order_lines ADD COLUMN packs REAL;
