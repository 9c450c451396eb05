-- Live leases (not yet expired), across every process sharing the file: the claim refuses to go above the 1C
-- session limit (onec.sessions) even if two daemons were started on one database by mistake. An expired lease
-- does not count: its holder is presumed dead and the job is claimable again. Index: outbox_jobs_running.
SELECT count(*) FROM outbox_jobs INDEXED BY outbox_jobs_running WHERE state = 'running' AND run_at > @now
