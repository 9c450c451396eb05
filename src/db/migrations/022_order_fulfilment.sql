-- Fulfilment from 1C (issue 14.3): what was shipped of each line, read from УТ's shipment documents
-- (РеализацияТоваровУслуг naming the order, WRITE-RULES §8) by the reconciliation job, and the order's state:
-- none (nothing shipped), partial, shipped (every line in full), closed (closed in 1C after a partial shipment).
ALTER TABLE orders ADD COLUMN fulfilment TEXT NOT NULL DEFAULT 'none';
ALTER TABLE order_lines ADD COLUMN shipped REAL NOT NULL DEFAULT 0;
-- The orders the job still looks at: in 1C, taken (not 0/5/6), not fully shipped or closed. The query repeats this
-- WHERE for SQLite to use the partial index.
CREATE INDEX orders_unshipped ON orders (created_at) WHERE onec_ref IS NOT NULL AND fulfilment IN ('none', 'partial') AND status IN (1, 2, 3, 4, 7);
