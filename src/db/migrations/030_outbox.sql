-- The outbox: every write that must reach 1C (or Richest.store's webhook) is a row here, inserted in the same
-- transaction as the state it changes. The life of a job is told in src/outbox/index.ts.
--
-- Times are integer epoch milliseconds: compared in every claim, so integers beat ISO text (no parsing, smaller
-- index entries), and tests can pass their own clock.
CREATE TABLE outbox_jobs (
  -- AUTOINCREMENT: ids are never reused even after old done rows are purged, so an id in a log or an admin's
  -- note always means one job, and id order is enqueue order (the per-key ordering relies on it).
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  kind          TEXT    NOT NULL,                 -- 'booking.create', 'payment.card', 'refund.create', ...
  key           TEXT    NOT NULL,                 -- ordering key (an order id): same key = strictly in id order
  payload       TEXT    NOT NULL CHECK (json_valid(payload)),
  dedupe_key    TEXT,                             -- optional: a second enqueue while this one lives is a no-op
  state         TEXT    NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'running', 'done', 'dead', 'dropped')),
  attempts      INTEGER NOT NULL DEFAULT 0,       -- claims so far (a crash mid-delivery counts: poison jobs die)
  -- The next moment the job may be claimed: its schedule (runAt or the retry time) while pending, its lease
  -- expiry while running. One column for both makes "claimable" a single range on one index, and an expired
  -- lease becomes claimable with no reaper pass (the goqite "timeout" idea).
  run_at        INTEGER NOT NULL,
  lease_token   TEXT,                             -- random per claim; complete/fail must present it
  lease_host    TEXT,                             -- who holds the lease: host, pid and boot id of the worker, so
  lease_pid     INTEGER,                          -- a restarted daemon can release its previous run's leases at
  lease_boot    TEXT,                             -- once instead of waiting leaseMs (see worker.recover)
  last_error    TEXT,
  result        TEXT CHECK (result IS NULL OR json_valid(result)),  -- what the handler returned (a 1C number)
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  finished_at   INTEGER                           -- when it became done, dead or dropped
);

-- Claim scan: due jobs in (run_at, id) order; the LIMIT stops at the first claimable row. Partial, so the
-- ever-growing done history is not in it and the index stays as small as the backlog.
CREATE INDEX outbox_jobs_due ON outbox_jobs (run_at, id) WHERE state IN ('pending', 'running');

-- The per-key ordering probe (NOT EXISTS an earlier open job of the same key): one seek on (key, id < ?).
-- Dead jobs are in it because a dead job blocks its successors until an admin retries or drops it. state is a
-- column too so the probe is covering (without it SQLite reads each table row to re-check the state).
CREATE INDEX outbox_jobs_key_open ON outbox_jobs (key, id, state) WHERE state IN ('pending', 'running', 'dead');

-- Running jobs: the concurrency cap counts them on every claim; at most onec.sessions rows.
CREATE INDEX outbox_jobs_running ON outbox_jobs (run_at) WHERE state = 'running';

-- Idempotent enqueue (pg-boss's singletonKey): while a job with this dedupe key is pending, running or done, a
-- second enqueue conflicts and returns the first job's id. A dead or dropped one no longer counts, so the
-- caller can enqueue afresh after giving up on it.
CREATE UNIQUE INDEX outbox_jobs_dedupe ON outbox_jobs (dedupe_key)
  WHERE dedupe_key IS NOT NULL AND state IN ('pending', 'running', 'done');

-- Admin listing (`regate outbox list --state dead`) and stats counts per state, newest first.
CREATE INDEX outbox_jobs_state ON outbox_jobs (state, id);
