import type { Db } from '../db/open.js';
import { getJob } from './admin.js';
import { busOf } from './events.js';
import type { Job, Json } from './types.js';

export type WaitOutcome =
  | { status: 'done'; result: Json | undefined; job: Job }
  /** Dead letter, or dropped by an admin (job.state tells which); error = the last error. */
  | { status: 'dead'; error: string | null; job: Job }
  /** Still pending or running when the time ran out (or no such job: job undefined). */
  | { status: 'pending'; job: Job | undefined };

/**
 * Waits at most `timeoutMs` for a job to finish: booking answers 201 with the 1C number when the job is done
 * within the confirmation window, 202 otherwise. Woken at once by this process's worker (events.ts) and checks the
 * row every `pollMs` as well, for a worker in another process.
 */
export function waitFor(db: Db, id: number, timeoutMs: number, pollMs = 200): Promise<WaitOutcome> {
  const check = (): WaitOutcome | undefined => {
    const job = getJob(db, id);
    if (!job) return undefined;
    if (job.state === 'done') return { status: 'done', result: job.result, job };
    if (job.state === 'dead' || job.state === 'dropped') return { status: 'dead', error: job.lastError, job };
    return undefined;
  };
  const first = check();
  if (first || timeoutMs <= 0) return Promise.resolve(first ?? { status: 'pending', job: getJob(db, id) });
  const bus = busOf(db);
  return new Promise((resolve) => {
    const finish = (o: WaitOutcome) => {
      clearTimeout(timer);
      clearInterval(poll);
      bus.off('settled', onSettled);
      resolve(o);
    };
    const tryNow = () => {
      if (db.inTransaction) return; // a caller mid-transaction on this connection: look again on the next tick
      const o = check();
      if (o) finish(o);
    };
    const onSettled = (settled: number) => {
      if (settled === id) tryNow();
    };
    bus.on('settled', onSettled);
    const poll = setInterval(tryNow, pollMs);
    const timer = setTimeout(() => finish(check() ?? { status: 'pending', job: getJob(db, id) }), timeoutMs);
  });
}
