-- Changes of an unpaid order by the shop (bookingupd, issue 14.2). revision counts the order's versions, 1 when
-- booked: a change names the revision it was made against and is refused when the order has moved on, so two
-- edits cannot cross (the second is made against what the first left, or not at all). update_hash is the last
-- applied change's request, so its repeat (a lost answer) is answered as done instead of as a stale revision.
ALTER TABLE orders ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE orders ADD COLUMN update_hash TEXT;
