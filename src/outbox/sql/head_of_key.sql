-- The open job at the head of a key, if it is earlier than @id: what a pending job is waiting for (the admin
-- sees "waits for #12 (dead)" instead of a due job that never runs). Same covering index as pick's probe.
SELECT id, state FROM outbox_jobs INDEXED BY outbox_jobs_key_open
WHERE key = @key AND id < @id AND state IN ('pending', 'running', 'dead')
ORDER BY id
LIMIT 1
