-- Only the current lease holder may finish a job. A lease that expired but was not re-claimed yet still
-- matches: the work was done, recording it beats redoing it.
UPDATE outbox_jobs
SET state = 'done',
    result = @result,
    last_error = NULL,
    lease_token = NULL, lease_host = NULL, lease_pid = NULL, lease_boot = NULL,
    updated_at = @now, finished_at = @now
WHERE id = @id AND lease_token = @token AND state = 'running'
