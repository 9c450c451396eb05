import { describe, it, expect } from 'vitest';
import {
  enqueue,
  claim,
  claimBatch,
  complete,
  fail,
  getJob,
  listJobs,
  retryJob,
  retryAllDead,
  dropJob,
  purgeFinished,
  stats,
  recover,
  extendLease,
  PermanentError,
} from '../../src/outbox/index.js';
import { memDb, policy, holderA, holderB } from './helpers.js';

const opts = (now: number, holder = holderA) => ({ policy, holder, now });

describe('enqueue', () => {
  it('commits with the caller transaction and vanishes with its rollback', () => {
    const db = memDb();
    db.exec('CREATE TABLE t_orders (id TEXT PRIMARY KEY)');
    const place = db.transaction((id: string, boom: boolean) => {
      db.prepare('INSERT INTO t_orders VALUES (?)').run(id);
      enqueue(db, { kind: 'booking.create', key: id, payload: { id } });
      if (boom) throw new Error('validation failed after enqueue');
    });
    place('o1', false);
    expect(() => place('o2', true)).toThrow('validation failed');
    expect(db.prepare('SELECT id FROM t_orders').pluck().all()).toEqual(['o1']);
    expect(listJobs(db).map((j) => j.key)).toEqual(['o1']);
  });

  it('a live dedupe key returns the first job; a dead one lets a new job in', () => {
    const db = memDb();
    const a = enqueue(db, { kind: 'payment.card', key: 'o1', payload: { n: 1 }, dedupeKey: 'pay-1' });
    const b = enqueue(db, { kind: 'payment.card', key: 'o1', payload: { n: 2 }, dedupeKey: 'pay-1' });
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    expect(getJob(db, a.id)!.payload).toEqual({ n: 1 });
    // done still dedupes: a payment delivered once must not be delivered again
    const j = claim(db, opts(Date.now()))!;
    complete(db, j.id, j.leaseToken, { doc: 'X' });
    expect(enqueue(db, { kind: 'payment.card', key: 'o1', payload: {}, dedupeKey: 'pay-1' })).toEqual({ id: a.id, created: false });
    // dead does not
    enqueue(db, { kind: 'refund.create', key: 'o2', payload: {}, dedupeKey: 'ref-1' });
    const r = claim(db, opts(Date.now()))!;
    fail(db, r.id, r.leaseToken, new PermanentError('400'), { policy });
    const again = enqueue(db, { kind: 'refund.create', key: 'o2', payload: {}, dedupeKey: 'ref-1' });
    expect(again.created).toBe(true);
    expect(again.id).not.toBe(r.id);
    // and the admin cannot resurrect the dead one next to its replacement
    const res = retryJob(db, r.id);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.reason).toContain(`#${again.id}`);
  });

  it('rejects a job without a key', () => {
    const db = memDb();
    expect(() => enqueue(db, { kind: 'webhook', key: '', payload: null })).toThrow(/key/);
  });
});

describe('claim', () => {
  it('delivers one key strictly in enqueue order, one at a time; other keys in parallel', () => {
    const db = memDb();
    const now = 1_000_000;
    const b1 = enqueue(db, { kind: 'booking.create', key: 'o1', payload: {} }, now).id;
    const p1 = enqueue(db, { kind: 'payment.card', key: 'o1', payload: {} }, now).id;
    const b2 = enqueue(db, { kind: 'booking.create', key: 'o2', payload: {} }, now).id;
    const got = claimBatch(db, 10, opts(now)).map((j) => j.id);
    expect(got).toEqual([b1, b2]); // p1 waits for b1
    expect(claim(db, opts(now))).toBeNull();
    const j1 = getJob(db, b1)!;
    complete(db, b1, j1.leaseToken!);
    expect(claim(db, opts(now))!.id).toBe(p1);
  });

  it('a successor waits while its predecessor waits out a backoff, and behind a dead one until drop', () => {
    const db = memDb();
    const now = 1_000_000;
    const b = enqueue(db, { kind: 'booking.create', key: 'o1', payload: {} }, now).id;
    const p = enqueue(db, { kind: 'payment.card', key: 'o1', payload: {} }, now).id;
    const j = claim(db, opts(now))!;
    const f = fail(db, j.id, j.leaseToken, new Error('1C 503'), { policy, now, random: () => 0.5 });
    expect(f.outcome).toBe('retry');
    expect(claim(db, opts(now + 1))).toBeNull(); // b not due yet, p blocked behind it
    const again = claim(db, opts(now + 60_000))!;
    expect(again.id).toBe(b);
    fail(db, again.id, again.leaseToken, new PermanentError('1C 400: no such item'), { policy, now: now + 60_000 });
    expect(getJob(db, b)!.state).toBe('dead');
    expect(claim(db, opts(now + 120_000))).toBeNull(); // dead b still holds p
    expect(dropJob(db, b).ok).toBe(true);
    expect(getJob(db, b)!.state).toBe('dropped');
    expect(claim(db, opts(now + 120_000))!.id).toBe(p);
  });

  it('respects runAt and the kinds filter', () => {
    const db = memDb();
    const now = 1_000_000;
    enqueue(db, { kind: 'webhook', key: 'w', payload: {}, runAt: now + 500 }, now);
    const b = enqueue(db, { kind: 'bank.payment', key: 'k', payload: {} }, now).id;
    expect(claim(db, { ...opts(now), kinds: ['webhook'] })).toBeNull();
    expect(claim(db, { ...opts(now), kinds: ['webhook', 'bank.payment'] })!.id).toBe(b);
    expect(claim(db, { ...opts(now + 499), kinds: ['webhook'] })).toBeNull();
    expect(claim(db, { ...opts(now + 500), kinds: ['webhook'] })!.kind).toBe('webhook');
  });

  it('never holds more live leases than the limit, across holders', () => {
    const db = memDb();
    const now = 1_000_000;
    for (let i = 0; i < 10; i++) enqueue(db, { kind: 'k', key: `o${i}`, payload: i }, now);
    expect(claimBatch(db, 10, { ...opts(now), limit: 3 })).toHaveLength(3);
    expect(claimBatch(db, 10, { ...opts(now, holderB), limit: 4 })).toHaveLength(1);
    // expired leases no longer count (their holder is presumed dead) and their jobs are claimable again
    expect(claimBatch(db, 10, { ...opts(now + policy.leaseMs), limit: 4 })).toHaveLength(4);
  });
});

describe('leases', () => {
  it('an expired lease is re-claimed with a new token; the old holder can neither complete nor fail', () => {
    const db = memDb();
    const now = 1_000_000;
    const id = enqueue(db, { kind: 'k', key: 'o1', payload: {} }, now).id;
    const first = claim(db, opts(now))!;
    expect(claim(db, opts(now + policy.leaseMs - 1, holderB))).toBeNull();
    const second = claim(db, opts(now + policy.leaseMs, holderB))!;
    expect(second.id).toBe(id);
    expect(second.attempts).toBe(2);
    expect(second.leaseToken).not.toBe(first.leaseToken);
    expect(complete(db, id, first.leaseToken, 'late')).toBe(false);
    expect(fail(db, id, first.leaseToken, new Error('late'), { policy }).outcome).toBe('stale');
    expect(getJob(db, id)!.state).toBe('running');
    expect(complete(db, id, second.leaseToken, { doc: '0001' })).toBe(true);
    expect(getJob(db, id)).toMatchObject({ state: 'done', result: { doc: '0001' }, leaseToken: null });
    expect(complete(db, id, second.leaseToken, 'twice')).toBe(false);
  });

  it('an expired but not re-claimed lease may still complete (the work was done)', () => {
    const db = memDb();
    const now = 1_000_000;
    const j = (enqueue(db, { kind: 'k', key: 'o1', payload: {} }, now), claim(db, opts(now))!);
    expect(complete(db, j.id, j.leaseToken, null, now + 10 * policy.leaseMs)).toBe(true);
  });

  it('extendLease keeps a slow holder\'s job from being re-claimed', () => {
    const db = memDb();
    const now = 1_000_000;
    const j = (enqueue(db, { kind: 'k', key: 'o1', payload: {} }, now), claim(db, opts(now))!);
    expect(extendLease(db, j.id, j.leaseToken, policy.leaseMs, now + 90)).toBe(true);
    expect(claim(db, opts(now + 150, holderB))).toBeNull();
    expect(extendLease(db, j.id, 'not-the-token', policy.leaseMs, now + 150)).toBe(false);
  });

  it('a job whose holder died on its last attempt is buried, not claimed again', () => {
    const db = memDb();
    let now = 1_000_000;
    const id = enqueue(db, { kind: 'k', key: 'o1', payload: {} }, now).id;
    for (let i = 0; i < policy.maxAttempts; i++) {
      expect(claim(db, opts(now))!.id).toBe(id);
      now += policy.leaseMs; // the holder "dies": nobody completes
    }
    expect(claim(db, opts(now))).toBeNull();
    expect(getJob(db, id)).toMatchObject({ state: 'dead', attempts: policy.maxAttempts });
    expect(getJob(db, id)!.lastError).toMatch(/lease expired/);
  });

  it('recover releases our previous run\'s leases at once, never a live process\'s', () => {
    const db = memDb();
    const now = Date.now();
    for (let i = 0; i < 3; i++) enqueue(db, { kind: 'k', key: `o${i}`, payload: {} }, now);
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max default range: no such process
    const previous = { host: 'h', pid: deadPid, boot: 'old' };
    const sameRunPid = { host: 'h', pid: process.pid, boot: 'old-same-pid' }; // container restart: pid 1 again
    const alive = { host: 'h', pid: process.ppid, boot: 'other' }; // a live process: maybe a second daemon
    claim(db, { policy: { ...policy, leaseMs: 60_000 }, holder: previous, now });
    claim(db, { policy: { ...policy, leaseMs: 60_000 }, holder: sameRunPid, now });
    const third = claim(db, { policy: { ...policy, leaseMs: 60_000 }, holder: alive, now })!;
    const me = { host: 'h', pid: process.pid, boot: 'new' };
    expect(recover(db, me, now)).toBe(2);
    expect(listJobs(db, { state: 'running' }).map((j) => j.id)).toEqual([third.id]);
    expect(claimBatch(db, 5, { policy, holder: me, now }).length).toBe(2);
    expect(recover(db, { host: 'other-host', pid: process.pid, boot: 'x' }, now)).toBe(0);
  });
});

describe('fail', () => {
  it('retries with a jittered capped backoff, then parks the job dead with the last error', () => {
    const db = memDb();
    let now = 1_000_000;
    const id = enqueue(db, { kind: 'k', key: 'o1', payload: {} }, now).id;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      const j = claim(db, opts(now))!;
      expect(j.attempts).toBe(attempt);
      const o = fail(db, j.id, j.leaseToken, new Error(`1C timeout #${attempt}`), { policy, now, random: () => 0.999999 });
      if (attempt < policy.maxAttempts) {
        expect(o.outcome).toBe('retry');
        if (o.outcome === 'retry') delays.push(o.runAt - now), (now = o.runAt);
      } else expect(o.outcome).toBe('dead');
    }
    expect(delays).toEqual([1000, 2000]); // random≈1 → the full exponential step
    expect(getJob(db, id)).toMatchObject({ state: 'dead', lastError: 'gave up after 3 attempts: 1C timeout #3' });
    expect(stats(db, now)).toMatchObject({ dead: 1, pending: 0, running: 0 });
  });

  it('a permanent error is dead at once, and Retry-After is honoured but capped', () => {
    const db = memDb();
    const now = 1_000_000;
    const a = enqueue(db, { kind: 'k', key: 'a', payload: {} }, now).id;
    const b = enqueue(db, { kind: 'k', key: 'b', payload: {} }, now).id;
    const [ja, jb] = claimBatch(db, 2, opts(now));
    expect(fail(db, ja.id, ja.leaseToken, new PermanentError('1C 400: bad Ref_Key'), { policy, now }).outcome).toBe('dead');
    expect(getJob(db, a)).toMatchObject({ state: 'dead', attempts: 1, lastError: 'permanent: 1C 400: bad Ref_Key' });
    const o = fail(db, jb.id, jb.leaseToken, new Error('503'), { policy, now, retryAfterMs: 10 * 60_000, random: () => 0 });
    expect(o).toEqual({ outcome: 'retry', runAt: now + policy.backoffMaxMs });
    expect(getJob(db, b)!.state).toBe('pending');
    // an error may carry its own Retry-After
    const jc = (enqueue(db, { kind: 'k', key: 'c', payload: {} }, now), claim(db, opts(now))!);
    const busy = Object.assign(new Error('503'), { retryAfterMs: 30_000 });
    expect(fail(db, jc.id, jc.leaseToken, busy, { policy, now, random: () => 0 })).toEqual({ outcome: 'retry', runAt: now + 30_000 });
  });
});

describe('admin', () => {
  it('retry gives a dead job fresh attempts; retry --all-dead; drop keeps the row; refusals say why', () => {
    const db = memDb();
    const now = 1_000_000;
    const ids = [0, 1, 2].map((i) => enqueue(db, { kind: 'k', key: `o${i}`, payload: {} }, now).id);
    for (const j of claimBatch(db, 3, opts(now))) fail(db, j.id, j.leaseToken, new PermanentError('400'), { policy, now });
    expect(stats(db, now).dead).toBe(3);
    expect(retryJob(db, ids[0], now)).toEqual({ ok: true });
    expect(getJob(db, ids[0])).toMatchObject({ state: 'pending', attempts: 0, lastError: 'permanent: 400' });
    expect(retryAllDead(db, now)).toEqual({ retried: [ids[1], ids[2]], refused: [] });
    const j = claim(db, opts(now))!;
    expect(retryJob(db, j.id)).toEqual({ ok: false, reason: `job #${j.id} is running` });
    expect(dropJob(db, j.id).ok).toBe(false);
    expect(dropJob(db, ids[1], 'order cancelled in 1C by hand', now)).toEqual({ ok: true });
    expect(getJob(db, ids[1])).toMatchObject({ state: 'dropped', lastError: 'permanent: 400 | order cancelled in 1C by hand' });
    expect(retryJob(db, 999)).toEqual({ ok: false, reason: 'no job #999' });
    expect(listJobs(db, { state: 'dropped' }).map((x) => x.id)).toEqual([ids[1]]);
    expect(listJobs(db, { limit: 2 }).map((x) => x.id)).toEqual([ids[2], ids[1]]);
  });

  it('purge deletes old done and dropped jobs in batches, never dead or open ones', () => {
    const db = memDb();
    const day = 86_400_000;
    const ids = Array.from({ length: 7 }, (_, i) => enqueue(db, { kind: 'k', key: `o${i}`, payload: {}, dedupeKey: `d${i}` }, 0).id);
    const jobs = claimBatch(db, 7, opts(0));
    for (const j of jobs.slice(0, 4)) complete(db, j.id, j.leaseToken, null, 0); // done on day 0
    complete(db, jobs[4].id, jobs[4].leaseToken, null, 5 * day); // done on day 5
    fail(db, jobs[5].id, jobs[5].leaseToken, new PermanentError('400'), { policy, now: 0 }); // dead
    enqueue(db, { kind: 'k', key: 'x', payload: {} }, 0); // pending
    dropJob(db, enqueue(db, { kind: 'k', key: 'y', payload: {} }, 0).id, 'no', 0); // dropped on day 0
    expect(purgeFinished(db, 2 * day, { now: 6 * day, batch: 3 })).toBe(5);
    expect(listJobs(db, { limit: -1 }).map((j) => j.state).sort()).toEqual(['dead', 'done', 'pending', 'running']);
    expect(getJob(db, ids[4])!.state).toBe('done');
    // a purged job no longer dedupes
    expect(enqueue(db, { kind: 'k', key: 'o0', payload: {}, dedupeKey: 'd0' }).created).toBe(true);
  });

  it('stats: depth, oldest pending age, attempts, dead', () => {
    const db = memDb();
    expect(stats(db, 5)).toEqual({ pending: 0, running: 0, dead: 0, oldestPendingAgeMs: 0, retrying: 0, maxAttempts: 0 });
    enqueue(db, { kind: 'k', key: 'a', payload: {} }, 1000);
    enqueue(db, { kind: 'k', key: 'b', payload: {} }, 3000);
    enqueue(db, { kind: 'k', key: 'c', payload: {} }, 3000);
    const j = claim(db, opts(3000))!;
    fail(db, j.id, j.leaseToken, new Error('x'), { policy, now: 3000 });
    claim(db, opts(3000));
    expect(stats(db, 4000)).toEqual({ pending: 2, running: 1, dead: 0, oldestPendingAgeMs: 3000, retrying: 1, maxAttempts: 1 });
  });
});
