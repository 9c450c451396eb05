-- The next claimable job: due (pending and scheduled, or running with an expired lease — run_at is the lease
-- expiry then), of a kind this worker handles, and the HEAD of its key.
--
-- Why NOT EXISTS on earlier jobs of the same key: jobs of one key (an order) must be delivered strictly in
-- enqueue order — a card payment never before its booking, a refund never before the payment. A job is the head
-- of its key when no earlier job of that key is still open: pending (even if scheduled later, e.g. waiting out a
-- retry backoff), running, or dead (a dead booking keeps its payment waiting, visibly, until an admin retries or
-- drops it). Done and dropped jobs release their successors. Since only the head is ever claimable and a running
-- head blocks the rest, at most one job per key runs at a time however many handlers run in parallel.
--
-- How it is indexed (EXPLAIN QUERY PLAN checked in test/outbox/plan.test.ts). INDEXED BY because without
-- ANALYZE statistics the planner prefers outbox_jobs_state (state=?) and then sorts every due row in a temp
-- b-tree to find the first: fine at 10 jobs, a full backlog sort per claim at 100 000.
--   outer: SEARCH j USING INDEX outbox_jobs_due (run_at<?) — already in ORDER BY order, no sort; LIMIT 1 stops
--          at the first row that passes, so the cost is the number of blocked due rows in front of it.
--   probe: SEARCH e USING COVERING INDEX outbox_jobs_key_open (key=? AND id<?) — one seek per candidate.
-- Order by run_at first: whatever has been due longest goes first (retries do not starve new work, nor the
-- reverse); id breaks ties in enqueue order.
SELECT j.id, j.state, j.attempts
FROM outbox_jobs AS j INDEXED BY outbox_jobs_due
WHERE j.state IN ('pending', 'running')
  AND j.run_at <= @now
  AND (@kinds IS NULL OR j.kind IN (SELECT value FROM json_each(@kinds)))
  AND NOT EXISTS (
    SELECT 1 FROM outbox_jobs AS e INDEXED BY outbox_jobs_key_open
    WHERE e.key = j.key AND e.id < j.id AND e.state IN ('pending', 'running', 'dead')
  )
ORDER BY j.run_at, j.id
LIMIT 1
