-- The job as its lease holder sees it (fail() reads attempts to choose between a retry and the dead letter).
SELECT id, attempts FROM outbox_jobs WHERE id = @id AND lease_token = @token AND state = 'running'
