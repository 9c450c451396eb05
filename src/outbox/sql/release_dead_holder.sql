-- Release at once the leases of a holder known to be dead (a previous run of this daemon: same host, and
-- either its pid is gone or the pid is ours with another boot id). Claimable immediately; attempts keeps the
-- crashed attempt, so a job that kills the daemon every time still ends dead.
UPDATE outbox_jobs
SET state = 'pending', run_at = @now,
    last_error = coalesce(last_error || ' | ', '') || 'released after restart (previous run died mid-delivery)',
    lease_token = NULL, lease_host = NULL, lease_pid = NULL, lease_boot = NULL,
    updated_at = @now
WHERE state = 'running' AND lease_host = @host AND lease_pid = @pid AND lease_boot <> @boot
