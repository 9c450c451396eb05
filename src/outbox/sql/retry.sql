-- Admin retry: a dead job gets a fresh set of attempts; a pending one waiting out its backoff runs now. The
-- last error stays for the record until the next outcome overwrites it. A dead job whose dedupe key was taken by
-- a newer live job violates outbox_jobs_dedupe here: retry() reports that instead of running both.
UPDATE outbox_jobs
SET state = 'pending',
    attempts = CASE WHEN state = 'dead' THEN 0 ELSE attempts END,
    run_at = @now, updated_at = @now, finished_at = NULL
WHERE id = @id AND state IN ('dead', 'pending')
