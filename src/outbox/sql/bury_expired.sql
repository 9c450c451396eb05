-- A job whose lease expired after its last allowed attempt (its holder died maxAttempts times, likely a poison
-- job that kills the process): dead rather than claimed again.
UPDATE outbox_jobs
SET state = 'dead',
    last_error = coalesce(last_error || ' | ', '') || 'lease expired on attempt ' || attempts || ' (worker died?)',
    lease_token = NULL, lease_host = NULL, lease_pid = NULL, lease_boot = NULL,
    updated_at = @now, finished_at = @now
WHERE id = @id AND state = 'running' AND run_at <= @now
