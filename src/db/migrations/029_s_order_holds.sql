-- Named 029_s… to sort after 029_refunds_many (it needs orders.reserved_at of 026; the orders range 020–029 has no
-- later number left).
-- What our orders hold, line by line, kept by triggers (issue 14.1). Available to promise subtracts the holds of
-- orders the mirror does not reflect yet; read through orders + order_lines that cost one pass over every such order
-- of the warehouse for every booking — 0.8 ms at 100 of them, 7 ms at 1,000, 24 ms at 5,000 (a booking burst
-- between two stock syncs). Here a booking reads an index range per item it asks for, whatever else is held.
CREATE TABLE order_holds (
  order_id    TEXT NOT NULL,
  line_no     INTEGER NOT NULL,
  store_id    TEXT NOT NULL,
  item_id     TEXT NOT NULL,
  quantity    REAL NOT NULL,
  reserved_at TEXT,                               -- orders.reserved_at
  open        INTEGER NOT NULL,                   -- the order still takes goods (not 5 expired, 6 cancelled)
  PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;
CREATE INDEX order_holds_item ON order_holds (store_id, item_id, reserved_at, quantity) WHERE open = 1;
CREATE INDEX order_holds_store ON order_holds (store_id, reserved_at, item_id, quantity) WHERE open = 1;

-- Moves with every change of a hold: the assortment keeps a warehouse's holds until it does.
CREATE TABLE order_holds_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO order_holds_version (id, n) VALUES (1, 0);

INSERT INTO order_holds (order_id, line_no, store_id, item_id, quantity, reserved_at, open)
  SELECT l.order_id, l.line_no, o.store_id, l.item_id, l.quantity, o.reserved_at, o.status NOT IN (5, 6)
    FROM order_lines l JOIN orders o ON o.id = l.order_id;

CREATE TRIGGER order_lines_held AFTER INSERT ON order_lines BEGIN
  INSERT OR REPLACE INTO order_holds (order_id, line_no, store_id, item_id, quantity, reserved_at, open)
    SELECT new.order_id, new.line_no, o.store_id, new.item_id, new.quantity, o.reserved_at, o.status NOT IN (5, 6) FROM orders o WHERE o.id = new.order_id;
  UPDATE order_holds_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER order_lines_released AFTER DELETE ON order_lines BEGIN
  DELETE FROM order_holds WHERE order_id = old.order_id AND line_no = old.line_no;
  UPDATE order_holds_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER orders_hold_state AFTER UPDATE OF status, reserved_at ON orders
  WHEN (old.status IN (5, 6)) IS NOT (new.status IN (5, 6)) OR old.reserved_at IS NOT new.reserved_at BEGIN
  UPDATE order_holds SET reserved_at = new.reserved_at, open = new.status NOT IN (5, 6) WHERE order_id = new.id;
  UPDATE order_holds_version SET n = n + 1 WHERE id = 1;
END;

-- 026's index over orders served the reads this table replaces.
DROP INDEX IF EXISTS orders_holding;
