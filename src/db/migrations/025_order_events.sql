-- Event ids that never repeat (issue 15). order_history.id is a local counter: after a restore from backup it hands
-- out numbers a webhook receiver has already seen, and a receiver that de-duplicates by them drops new events.
-- event_id is time-ordered with 80 random bits (webhooks/ids.ts), so ids issued after a restore are later than any
-- issued before it, and two copies of the database never issue the same one. Rows older than this migration have
-- none (the feed starts after them; their pending webhooks get one when sent).
-- number: the 1C number as it was when the event happened ('' = none yet; NULL = a row from before this
-- migration), so a webhook and the feed say the same thing however late either is read.
ALTER TABLE order_history ADD COLUMN event_id TEXT;
ALTER TABLE order_history ADD COLUMN number TEXT;
CREATE UNIQUE INDEX order_history_event ON order_history (event_id) WHERE event_id IS NOT NULL;
