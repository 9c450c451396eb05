-- Items that left a warehouse (issue 14.7). 1C answers no balance row for an item whose stock went to zero, so the
-- sync deletes its catalog_stock row and the item is no longer carried there: assortment?store=…&changedSince=…
-- filtered it out, and the shop kept showing the stock it had, its customers hitting 422. The mirror remembers the
-- departure here, for changedSince to return the item with stock 0 (src/orders/departed.ts).
--
-- Kept by triggers, so every writer of catalog_stock (full and stock sync, row by row) records it without knowing:
-- a row deleted is a departure at that moment, a row (re)inserted is a return. INSERT OR REPLACE of an existing
-- row does not fire the DELETE trigger (recursive_triggers is off), so a changed quantity is no departure. Bounded
-- by warehouses × items (one row per pair).
CREATE TABLE stock_departures (
  store_id TEXT NOT NULL,
  item_id  TEXT NOT NULL,
  left_at  TEXT NOT NULL,                       -- ISO 8601 UTC with milliseconds, as catalog_items.changed_at
  PRIMARY KEY (store_id, item_id)
) WITHOUT ROWID;
CREATE INDEX stock_departures_left ON stock_departures (store_id, left_at);

CREATE TRIGGER catalog_stock_departed AFTER DELETE ON catalog_stock BEGIN
  INSERT OR REPLACE INTO stock_departures (store_id, item_id, left_at) VALUES (old.store_id, old.item_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
CREATE TRIGGER catalog_stock_returned AFTER INSERT ON catalog_stock BEGIN
  DELETE FROM stock_departures WHERE store_id = new.store_id AND item_id = new.item_id;
END;
