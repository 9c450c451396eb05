-- Take the lease on a job pick.sql chose (same transaction, so nobody can take it in between: SQLite has one
-- writer). A fresh random token per claim: a worker whose lease expired and whose job was re-claimed holds a
-- token that no longer matches, so its late complete/fail changes nothing. attempts counts claims, so a job
-- that crashes its process every time still reaches maxAttempts and dies instead of looping forever.
UPDATE outbox_jobs
SET state = 'running',
    attempts = attempts + 1,
    run_at = @now + @leaseMs,
    lease_token = @token,
    lease_host = @host,
    lease_pid = @pid,
    lease_boot = @boot,
    updated_at = @now
WHERE id = @id
RETURNING *
