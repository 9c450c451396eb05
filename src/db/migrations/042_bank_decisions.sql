-- Every decision a person takes on a bank payment, appended (the 041 columns keep only the latest): applied to an
-- order, dismissed (closed without an order, or an overpayment's excess settled), undone. The console and
-- `regate bank undo` step back through it; nothing is overwritten, so the audit shows who undid what and when.
CREATE TABLE bank_decisions (
  id              INTEGER PRIMARY KEY,
  bank_payment_id INTEGER NOT NULL REFERENCES bank_payments (id),
  action          TEXT NOT NULL CHECK (action IN ('applied', 'dismissed', 'undone')),
  order_id        TEXT,                           -- applied: the order; undone: the order the payment was taken off
  by              TEXT NOT NULL,                  -- the person (console: full name and login; CLI: --by or the sudo user)
  at              TEXT NOT NULL,
  note            TEXT
);
CREATE INDEX bank_decisions_payment ON bank_decisions (bank_payment_id, id);
CREATE INDEX bank_decisions_at ON bank_decisions (at);

-- Overpayment: the money beyond what the order was due when the payment was applied (by the matcher or a person).
-- The payment stays in the review list until a person says what became of the excess (returned, kept as advance).
ALTER TABLE bank_payments ADD COLUMN excess_kopecks INTEGER;

INSERT INTO bank_decisions (bank_payment_id, action, order_id, by, at, note)
  SELECT id, resolution, CASE WHEN resolution = 'applied' THEN order_id END, resolved_by, resolved_at, resolution_note
    FROM bank_payments WHERE resolution IS NOT NULL AND resolved_by IS NOT NULL AND resolved_at IS NOT NULL ORDER BY resolved_at;
UPDATE bank_payments SET excess_kopecks = amount_kopecks - (
    SELECT CAST(json_extract(p.data, '$.dueKopecks') AS INTEGER) FROM payments p WHERE p.id = bank_payments.payment_id)
  WHERE coverage = 'over' AND payment_id IS NOT NULL;
