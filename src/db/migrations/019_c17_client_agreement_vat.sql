-- Issue 17: a client's own agreement is sent on its orders (ЗаказКлиента.Соглашение), and the order's ЦенаВключаетНДС is
-- then the agreement's (WRITE-RULES §1.2): mirrored with the agreement. NULL = not read (the typical terms apply).
ALTER TABLE catalog_client_price_kinds ADD COLUMN includes_vat INTEGER;
