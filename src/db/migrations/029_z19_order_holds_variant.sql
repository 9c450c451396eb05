-- Issue 17 (left from its session): holds of our own orders per variant. order_holds carried the item only, so the
-- check of a line with a variantId compared the variant's mirror stock with nothing held against it: two orders of
-- size S, 5 in stock, each for 5, were both accepted while the item's other sizes covered the item-level figure.
-- Named 029_z19… to sort after 029_z17 (order_lines.variant_id); the orders range 020–029 has no number left.
ALTER TABLE order_holds ADD COLUMN variant_id TEXT;
UPDATE order_holds SET variant_id = (SELECT l.variant_id FROM order_lines l WHERE l.order_id = order_holds.order_id AND l.line_no = order_holds.line_no);
-- A variant's holds: the same two ranges as order_holds_item (not reserved in 1C yet; reserved after the stock read).
CREATE INDEX order_holds_variant ON order_holds (store_id, item_id, variant_id, reserved_at, quantity) WHERE open = 1 AND variant_id IS NOT NULL;

DROP TRIGGER order_lines_held;
CREATE TRIGGER order_lines_held AFTER INSERT ON order_lines BEGIN
  INSERT OR REPLACE INTO order_holds (order_id, line_no, store_id, item_id, variant_id, quantity, reserved_at, open)
    SELECT new.order_id, new.line_no, o.store_id, new.item_id, new.variant_id, new.quantity, o.reserved_at, o.status NOT IN (5, 6) FROM orders o WHERE o.id = new.order_id;
  UPDATE order_holds_version SET n = n + 1 WHERE id = 1;
END;
