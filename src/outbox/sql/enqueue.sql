-- Insert a job; with a dedupe key already live (pending/running/done) the partial unique index
-- outbox_jobs_dedupe turns this into a no-op that returns no row, and enqueue() then looks the live job up.
-- ON CONFLICT DO NOTHING rather than INSERT OR IGNORE: OR IGNORE would also swallow CHECK failures (a bad
-- payload), which must raise.
INSERT INTO outbox_jobs (kind, key, payload, dedupe_key, state, run_at, created_at, updated_at)
VALUES (@kind, @key, @payload, @dedupeKey, 'pending', @runAt, @now, @now)
ON CONFLICT DO NOTHING
RETURNING id
