-- The backpressure check of every API write (orders/service.ts guardDepth): only the pending count, over the covering
-- index outbox_jobs_state. The full stats read (stats.sql, six subqueries) per booking was 3% of the booking burst's
-- profile (2026-12-03).
SELECT count(*) FROM outbox_jobs WHERE state = 'pending'
