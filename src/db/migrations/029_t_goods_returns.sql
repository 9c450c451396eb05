-- Goods that come back with a refund (issue 14.4). A refund by lines of goods 1C had already shipped is also a
-- return of those goods: УТ records it as ВозвратТоваровОтКлиента on the basis of the sale (РеализацияТоваровУслуг,
-- WRITE-RULES §"ВозвратТоваровОтКлиента references the sale, not the order"). Which sales shipped the order is kept
-- here as the reconciliation job reads them, so the accountant is told which sale each return is against.
CREATE TABLE order_shipments (
  order_id TEXT NOT NULL REFERENCES orders (id),
  onec_ref TEXT NOT NULL,
  number   TEXT NOT NULL,
  lines    TEXT NOT NULL, -- [{itemId, quantity}] of this order on that sale
  PRIMARY KEY (order_id, onec_ref)
) WITHOUT ROWID;

-- goods: [{itemId, quantity}] of the refund's lines that had been shipped (the rest never left the warehouse).
-- goods_state: 'to_prepare' — the return document is for a person to make in 1C (ReGate does not write it: see
-- docs/ru/api.md «Возврат товаров»), 'done' — the accountant said it is made (regate orders returns done).
ALTER TABLE refunds ADD COLUMN goods TEXT;
ALTER TABLE refunds ADD COLUMN goods_state TEXT;
ALTER TABLE refunds ADD COLUMN goods_done_at TEXT;
CREATE INDEX refunds_goods_open ON refunds (created_at) WHERE goods_state = 'to_prepare';
