-- Admin listing of one state, newest first: walks outbox_jobs_state (state, id) backwards and stops at LIMIT
-- (a negative limit means all, as SQLite reads it).
SELECT * FROM outbox_jobs
WHERE state = @state
ORDER BY id DESC
LIMIT @limit
