-- The live job holding a dedupe key (same predicate as the partial unique index, so it is used).
SELECT id FROM outbox_jobs
WHERE dedupe_key = @dedupeKey AND dedupe_key IS NOT NULL AND state IN ('pending', 'running', 'done')
