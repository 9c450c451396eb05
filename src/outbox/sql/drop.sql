-- Admin drop: the job will never run. The row stays for audit (state 'dropped', who/why in last_error), and
-- since dropped is not an open state its successors of the same key become claimable.
UPDATE outbox_jobs
SET state = 'dropped',
    last_error = coalesce(last_error || ' | ', '') || @reason,
    updated_at = @now, finished_at = @now
WHERE id = @id AND state IN ('dead', 'pending')
