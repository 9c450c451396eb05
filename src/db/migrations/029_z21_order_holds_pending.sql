-- Issue 19 (a booking burst while 1C is slow): what our orders that 1C has not reserved yet hold, per warehouse and
-- item, kept as the holds change. A booking's check summed those holds from order_holds_item, once before its write and
-- once in it: a range as long as the item's orders waiting for 1C, which is what grows when bookings come faster than
-- 1C takes them (a sale, an outage). The read of 2 items went 21 → 80 µs from 2,000 to 100,000 bookings held
-- (bench/orderable-items.ts), and the two sums were 27 % of the booking thread in the 500-connection burst. Now one key
-- lookup per item, whatever the number of orders. The holds reserved after the stock read stay a range (orders/promise.ts
-- heldSql): they are what 1C reserved in the last minutes, not what waits for it.
-- In thousandths as integers (quantities are Number(15,3)): adding and taking away the same amounts comes back exactly
-- to 0, where a REAL sum would drift.
-- Named 029_z21… to sort after 029_z20 (the orders range 020–029 has no number left).
CREATE TABLE order_holds_pending (
  store_id TEXT NOT NULL,
  item_id  TEXT NOT NULL,
  milli    INTEGER NOT NULL,
  PRIMARY KEY (store_id, item_id)
) WITHOUT ROWID;

INSERT INTO order_holds_pending (store_id, item_id, milli)
  SELECT store_id, item_id, sum(CAST(round(quantity * 1000) AS INTEGER)) FROM order_holds
   WHERE open = 1 AND reserved_at IS NULL GROUP BY store_id, item_id;

CREATE TRIGGER order_holds_pending_added AFTER INSERT ON order_holds WHEN new.open = 1 AND new.reserved_at IS NULL BEGIN
  INSERT INTO order_holds_pending (store_id, item_id, milli) VALUES (new.store_id, new.item_id, CAST(round(new.quantity * 1000) AS INTEGER))
    ON CONFLICT (store_id, item_id) DO UPDATE SET milli = milli + excluded.milli;
END;

CREATE TRIGGER order_holds_pending_removed AFTER DELETE ON order_holds WHEN old.open = 1 AND old.reserved_at IS NULL BEGIN
  UPDATE order_holds_pending SET milli = milli - CAST(round(old.quantity * 1000) AS INTEGER) WHERE store_id = old.store_id AND item_id = old.item_id;
END;

-- Reserved in 1C, expired or cancelled (orders_hold_state), or back to waiting: out of the sum, into it, or both.
CREATE TRIGGER order_holds_pending_changed AFTER UPDATE ON order_holds
  WHEN (old.open = 1 AND old.reserved_at IS NULL) OR (new.open = 1 AND new.reserved_at IS NULL) BEGIN
  UPDATE order_holds_pending SET milli = milli - CAST(round(old.quantity * 1000) AS INTEGER)
   WHERE old.open = 1 AND old.reserved_at IS NULL AND store_id = old.store_id AND item_id = old.item_id;
  INSERT INTO order_holds_pending (store_id, item_id, milli)
    SELECT new.store_id, new.item_id, CAST(round(new.quantity * 1000) AS INTEGER) WHERE new.open = 1 AND new.reserved_at IS NULL
    ON CONFLICT (store_id, item_id) DO UPDATE SET milli = milli + excluded.milli;
END;

-- INSERT OR REPLACE deletes the row it replaces without firing delete triggers (recursive_triggers is off), which
-- would leave that row's quantity in the sum: the line's old hold is deleted first, as a statement of its own.
DROP TRIGGER order_lines_held;
CREATE TRIGGER order_lines_held AFTER INSERT ON order_lines BEGIN
  DELETE FROM order_holds WHERE order_id = new.order_id AND line_no = new.line_no;
  INSERT INTO order_holds (order_id, line_no, store_id, item_id, variant_id, quantity, reserved_at, open, seq)
    SELECT new.order_id, new.line_no, o.store_id, new.item_id, new.variant_id, new.quantity, o.reserved_at, o.status NOT IN (5, 6), o.rowid FROM orders o WHERE o.id = new.order_id;
  UPDATE order_holds_version SET n = n + 1 WHERE id = 1;
END;
