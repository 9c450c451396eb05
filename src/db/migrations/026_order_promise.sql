-- Available to promise (issue 14.1). The mirror's stock is УТ's free stock (stock less what customer orders
-- reserve) as of the last stock read; an order of ours reserves in 1C only once its ЗаказКлиента is posted, and is
-- in the mirror only after the next stock read. reserved_at = when 1C confirmed the order posted (its reserve is in
-- 1C from then); an open order with no reserved_at, or one later than the stock read, is not in the mirror yet and
-- is subtracted from the mirror's figure by src/orders/promise.ts.
ALTER TABLE orders ADD COLUMN reserved_at TEXT;

-- Orders confirmed before this migration: their confirmation time (history), else when they were taken.
UPDATE orders SET reserved_at = coalesce(
  (SELECT min(h.at) FROM order_history h WHERE h.order_id = orders.id AND h.event = 'booking.confirmed'),
  created_at)
 WHERE onec_number IS NOT NULL;

-- Holds of a warehouse: the orders that still take goods (not expired 5, not cancelled 6) by reserve time, so the
-- few not yet in the mirror (reserved_at NULL or after the stock read) are a range of this index, not a scan of
-- every order ever taken. The queries repeat `status NOT IN (5, 6)` for SQLite to use this partial index.
CREATE INDEX orders_holding ON orders (store_id, reserved_at) WHERE status NOT IN (5, 6);
