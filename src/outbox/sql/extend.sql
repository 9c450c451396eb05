-- Heartbeat: the worker pushes the lease of a handler still running forward (every leaseMs/3), so a slow but
-- alive delivery is not re-claimed by someone else. Fails (0 rows) once the lease was lost.
UPDATE outbox_jobs
SET run_at = @now + @leaseMs, updated_at = @now
WHERE id = @id AND lease_token = @token AND state = 'running'
