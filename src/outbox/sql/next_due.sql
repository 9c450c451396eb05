-- When the worker should look again at the latest (a retry or a lease falling due), so it sleeps no longer than
-- needed and no shorter than that. MIN over the first column of outbox_jobs_due: one index seek.
SELECT min(run_at) FROM outbox_jobs INDEXED BY outbox_jobs_due WHERE state IN ('pending', 'running')
