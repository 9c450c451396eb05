-- Metrics in one read, none of it scanning the done history (measured at 100 000 pending: see admin.ts):
--   pending/running/dead: count over a covering index (outbox_jobs_state; ~2 ms at 100 000 pending, microseconds
--     at the usual depth of a few);
--   the oldest pending job: the lowest pending id (ids grow with enqueue time), one seek, where min(created_at)
--     walked every pending row (18 ms at 100 000);
--   retrying / the highest attempt among them: outbox_jobs_retrying only.
SELECT
  (SELECT count(*) FROM outbox_jobs WHERE state = 'pending') AS pending,
  (SELECT count(*) FROM outbox_jobs WHERE state = 'running') AS running,
  (SELECT count(*) FROM outbox_jobs WHERE state = 'dead') AS dead,
  (SELECT created_at FROM outbox_jobs WHERE state = 'pending' ORDER BY id LIMIT 1) AS oldestPendingCreatedAt,
  (SELECT count(*) FROM outbox_jobs INDEXED BY outbox_jobs_retrying WHERE state = 'pending' AND attempts > 0) AS retrying,
  (SELECT max(attempts) FROM outbox_jobs INDEXED BY outbox_jobs_retrying WHERE state = 'pending' AND attempts > 0) AS maxAttempts
