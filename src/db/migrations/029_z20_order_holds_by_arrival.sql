-- Issue 19 (a booking burst): order_holds_store kept a warehouse's open holds in item order, so each booking's lines
-- went into leaf pages scattered over the whole index, one page per line in a batch of bookings: ~12 µs of the
-- booking's write and a 4 KiB WAL frame per line, copied back again at the checkpoint. Its readers take a
-- warehouse's holds whole (orders/promise.ts: two ranges, summed per item with a sort), so they need the warehouse and
-- the reservation time first, not the item: in arrival order (the order's rowid, which grows) a batch's new holds
-- go at the end of their warehouse's range. order_holds_item stays in item order: the booking's check reads one
-- item's holds. Named 029_z20… to sort after 029_z19 (the orders range 020–029 has no number left).
ALTER TABLE order_holds ADD COLUMN seq INTEGER;
UPDATE order_holds SET seq = (SELECT o.rowid FROM orders o WHERE o.id = order_holds.order_id);
DROP INDEX order_holds_store;
CREATE INDEX order_holds_store ON order_holds (store_id, reserved_at, seq, item_id, quantity) WHERE open = 1;

DROP TRIGGER order_lines_held;
CREATE TRIGGER order_lines_held AFTER INSERT ON order_lines BEGIN
  INSERT OR REPLACE INTO order_holds (order_id, line_no, store_id, item_id, variant_id, quantity, reserved_at, open, seq)
    SELECT new.order_id, new.line_no, o.store_id, new.item_id, new.variant_id, new.quantity, o.reserved_at, o.status NOT IN (5, 6), o.rowid FROM orders o WHERE o.id = new.order_id;
  UPDATE order_holds_version SET n = n + 1 WHERE id = 1;
END;
