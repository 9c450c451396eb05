import { afterEach, describe, expect, it } from 'vitest';
import { OutboxWorker, enqueue, getJob, type WorkerEvent } from '../../src/outbox/index.js';
import { openDb } from '../../src/db/open.js';
import { sleep, tempDbPath } from './helpers.js';

// Issue 13.8: a job whose completion commit failed (full disk) stayed `running` until its lease ran out (2 minutes),
// with nothing said about it. The worker now keeps trying to record the outcome, and says so, naming the job.
const workers: OutboxWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop(100)));
});

describe('an outcome that cannot be recorded', () => {
  it('is recorded as soon as the database takes writes again (not after the lease); the error names the job', async () => {
    const db = openDb(tempDbPath());
    const events: WorkerEvent[] = [];
    const w = new OutboxWorker(db, { policy: { maxAttempts: 5, backoffBaseMs: 5, backoffMaxMs: 20, leaseMs: 30_000 }, concurrency: 1, pollMs: 20, onEvent: (e) => events.push(e) });
    workers.push(w);
    let calls = 0;
    w.handle('x', () => {
      calls++;
      // the disk "fills" while the handler finishes: every write fails until it is freed 300 ms later
      db.pragma('query_only = ON');
      setTimeout(() => db.pragma('query_only = OFF'), 300);
      return { ok: true };
    });
    const { id } = enqueue(db, { kind: 'x', key: 'k', payload: {} });
    w.start();
    const t0 = Date.now();
    while (getJob(db, id)?.state !== 'done' && Date.now() - t0 < 5000) await sleep(20);
    expect(getJob(db, id)?.state).toBe('done');
    expect(getJob(db, id)?.result).toEqual({ ok: true });
    expect(calls).toBe(1); // recorded, not delivered again
    const errors = events.filter((e) => e.type === 'error').map((e) => String((e as { error: Error }).error?.message ?? e));
    expect(errors.some((m) => m.includes(`#${id}`) && /not recorded|не записан/i.test(m))).toBe(true);
  });
});
