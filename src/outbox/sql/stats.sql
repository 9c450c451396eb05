-- Metrics in one read: depth (pending), running, dead, the age of the oldest pending job, and the highest
-- attempt count among open jobs (a rising value means 1C keeps failing). Each subquery uses a partial or the
-- (state, id) index; none scans the done history.
SELECT
  (SELECT count(*) FROM outbox_jobs WHERE state = 'pending') AS pending,
  (SELECT count(*) FROM outbox_jobs WHERE state = 'running') AS running,
  (SELECT count(*) FROM outbox_jobs WHERE state = 'dead') AS dead,
  (SELECT min(created_at) FROM outbox_jobs WHERE state = 'pending') AS oldestPendingCreatedAt,
  (SELECT max(attempts) FROM outbox_jobs WHERE state IN ('pending', 'running')) AS maxAttempts,
  (SELECT coalesce(sum(attempts), 0) FROM outbox_jobs WHERE state IN ('pending', 'running')) AS openAttempts
