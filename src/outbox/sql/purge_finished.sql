-- Retention: delete up to @batch done (or dropped) jobs finished before @before, oldest first. Walks
-- outbox_jobs_state (state, id) in id order, which is roughly finish order, so a batch touches little beyond what
-- it deletes; batched so that one call never holds the write lock for long next to the worker. Dead jobs are never
-- purged: they wait for an admin. A purged done job no longer dedupes its dedupe key (see 030_outbox.sql).
DELETE FROM outbox_jobs
WHERE id IN (
  SELECT id FROM outbox_jobs
  WHERE state = @state AND finished_at < @before
  ORDER BY id
  LIMIT @batch
)
