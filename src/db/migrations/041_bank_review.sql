-- A person's decision on a payment of the review list (regate bank resolve): applied to an order by hand, or
-- dismissed with a reason (not a store payment, a refund made in 1C, ...). The row stays, with who and when.
ALTER TABLE bank_payments ADD COLUMN resolution TEXT CHECK (resolution IN ('applied', 'dismissed'));
ALTER TABLE bank_payments ADD COLUMN resolution_note TEXT;
ALTER TABLE bank_payments ADD COLUMN resolved_by TEXT;
ALTER TABLE bank_payments ADD COLUMN resolved_at TEXT;
