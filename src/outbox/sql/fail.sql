-- A failed attempt: back to pending at run_at (now + jittered backoff, chosen in backoff.ts) or dead with the
-- last error, as fail() decided. Guarded by the token like complete.sql.
UPDATE outbox_jobs
SET state = @state,
    run_at = @runAt,
    last_error = @error,
    lease_token = NULL, lease_host = NULL, lease_pid = NULL, lease_boot = NULL,
    updated_at = @now,
    finished_at = CASE WHEN @state = 'dead' THEN @now END
WHERE id = @id AND lease_token = @token AND state = 'running'
