/**
 * The durable outbox: every write that must reach 1C (or Richest.store's webhook) is a job row in the same SQLite
 * file as the state it changes.
 *
 * Life of a job:
 *   enqueue() inside the caller's transaction → pending
 *   claim (worker; one transaction): head of its key, due, under the session limit → running, lease token +
 *     lease until now + leaseMs, attempts + 1
 *   handler resolves → complete(token) → done (with the handler's JSON result)
 *   handler throws   → fail(token) → pending again after a full-jitter backoff, or dead after maxAttempts /
 *     at once for a permanent error
 *   holder dies      → the lease expires (run_at passes) and the job is claimable again; a restarted daemon
 *     releases its previous run's leases at once (recover)
 *   admin            → retry (dead → pending, fresh attempts) or drop (→ dropped, kept; successors released)
 * Jobs of one key run one at a time in enqueue order; a dead job holds its key's successors until retried or
 * dropped. Delivery is at-least-once: handlers must check 1C before creating (ReGate_ВнешнийИдентификатор).
 */
export type { Json, JobState, NewJob, Job, ClaimedJob, OutboxPolicy, LeaseHolder } from './types.js';
export {
  enqueue,
  claim,
  claimBatch,
  complete,
  fail,
  extendLease,
  recover,
  nextDue,
  PermanentError,
  isPermanent,
  type EnqueueResult,
  type ClaimOptions,
  type FailOptions,
  type FailOutcome,
} from './queue.js';
export { backoffMs } from './backoff.js';
export {
  getJob,
  listJobs,
  blockerOf,
  retryJob,
  retryAllDead,
  dropJob,
  purgeFinished,
  stats,
  type OutboxStats,
  type AdminResult,
} from './admin.js';
export { noteEnqueued, pendingDepth } from './depth.js';
export { waitFor, type WaitOutcome } from './wait.js';
export {
  OutboxWorker,
  newHolder,
  type Handler,
  type HandlerContext,
  type WorkerEvent,
  type WorkerOptions,
} from './worker.js';
