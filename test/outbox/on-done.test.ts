import { afterEach, describe, expect, it } from 'vitest';
import { OutboxWorker, enqueue, getJob, waitFor } from '../../src/outbox/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { tempDbPath } from './helpers.js';

// HandlerContext.onDone (src/outbox/worker.ts): a handler's local write recording what it did goes into the
// transaction that records the job done — kept only with the completion, never without it, and a write that throws
// fails the attempt instead.
const fast = { maxAttempts: 5, backoffBaseMs: 2, backoffMaxMs: 20, leaseMs: 5_000 };
const workers: OutboxWorker[] = [];
const worker = (db: Db, o: Partial<ConstructorParameters<typeof OutboxWorker>[1]> = {}) => {
  const w = new OutboxWorker(db, { policy: fast, concurrency: 2, pollMs: 20, ...o });
  workers.push(w);
  return w;
};
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop(100)));
});
function setup(): { db: Db; other: Db } {
  const path = tempDbPath();
  const db = openDb(path);
  db.exec('CREATE TABLE confirmed (id TEXT PRIMARY KEY, number TEXT)');
  return { db, other: openDb(path) };
}

describe('onDone: the handler’s write in the completion’s transaction', () => {
  for (const claimWithOutcome of [true, false]) {
    it(`is committed with the completion and not before it (claimWithOutcome ${claimWithOutcome})`, async () => {
      const { db, other } = setup();
      const seenBeforeReturn: unknown[] = [];
      worker(db, { claimWithOutcome })
        .handle('booking.create', async (job, ctx) => {
          const { id } = job.payload as { id: string };
          ctx.onDone(() => db.prepare('INSERT OR IGNORE INTO confirmed (id, number) VALUES (?, ?)').run(id, `N-${id}`));
          seenBeforeReturn.push(other.prepare('SELECT count(*) FROM confirmed').pluck().get());
          return { number: `N-${id}` };
        })
        .start();
      const jobs = ['a', 'b', 'c'].map((id) => enqueue(db, { kind: 'booking.create', key: id, payload: { id } }).id);
      for (const j of jobs) expect((await waitFor(db, j, 5000)).status).toBe('done');
      expect(other.prepare('SELECT id, number FROM confirmed ORDER BY id').all()).toEqual([
        { id: 'a', number: 'N-a' },
        { id: 'b', number: 'N-b' },
        { id: 'c', number: 'N-c' },
      ]);
      expect(seenBeforeReturn.every((n) => (n as number) < 3)).toBe(true);
      db.close();
      other.close();
    });
  }

  it('a write that throws fails the attempt (retried, its error recorded) and keeps nothing of it', async () => {
    const { db } = setup();
    let attempts = 0;
    const retries: string[] = [];
    worker(db, { onEvent: (e) => void (e.type === 'retry' && retries.push(e.error)) })
      .handle('booking.create', async (job, ctx) => {
        attempts++;
        const n = attempts;
        ctx.onDone(() => {
          db.prepare('INSERT INTO confirmed (id, number) VALUES (?, ?)').run(`try-${n}`, 'x');
          if (n === 1) throw new Error('local write refused');
        });
        return { ok: n };
      })
      .start();
    const id = enqueue(db, { kind: 'booking.create', key: 'k', payload: {} }).id;
    expect((await waitFor(db, id, 5000)).status).toBe('done');
    const job = getJob(db, id)!;
    expect(job.attempts).toBe(2);
    expect(retries).toEqual(['local write refused']);
    expect(job.result).toEqual({ ok: 2 });
    // The first attempt's write went with its failed completion; the second's is kept.
    expect(db.prepare('SELECT id FROM confirmed').pluck().all()).toEqual(['try-2']);
    db.close();
  });

  it('a lease lost before the completion keeps nothing of the write (the new holder’s run decides)', async () => {
    const { db } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const w = worker(db).handle('booking.create', async (_job, ctx) => {
      ctx.onDone(() => db.prepare("INSERT INTO confirmed (id, number) VALUES ('stale', 'x')").run());
      await gate;
      return { ok: true };
    });
    w.start();
    const id = enqueue(db, { kind: 'booking.create', key: 'k', payload: {} }).id;
    for (let i = 0; i < 200 && getJob(db, id)!.state !== 'running'; i++) await new Promise((r) => setTimeout(r, 10));
    // Another worker took the job over: the token changes.
    db.prepare("UPDATE outbox_jobs SET lease_token = 'someone-else' WHERE id = ?").run(id);
    release();
    for (let i = 0; i < 100 && w.running > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(db.prepare('SELECT count(*) FROM confirmed').pluck().get()).toBe(0);
    expect(getJob(db, id)!.state).toBe('running');
    db.close();
  });
});
