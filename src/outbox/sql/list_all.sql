-- Admin listing of every state, newest first: walks the rowid backwards and stops at LIMIT.
SELECT * FROM outbox_jobs
ORDER BY id DESC
LIMIT @limit
