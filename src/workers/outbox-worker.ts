import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/index.js';
import { openDb } from '../db/open.js';
import type { Logger } from '../log.js';
import { ODataClient } from '../onec/index.js';
import { getProfile, type Profile, type Ut11Features } from '../onec/profiles/index.js';
import { OutboxWorker, type LeaseHolder } from '../outbox/index.js';
import { busOf } from '../outbox/events.js';
import { registerDelivery } from '../orders/delivery/index.js';
import { raiseThreadPriority } from './priority.js';
import { shareStatements } from './statements.js';
import { guardWrites, type WriteLock } from './write-lock.js';

/**
 * Order delivery's thread (issue 19.1): the outbox worker with the 1C delivery handlers (src/orders/delivery, as
 * the daemon registers them) on a loop of its own, so a booking burst that keeps the API's loop busy does not starve
 * the claims, the 1C calls and the completions (delivery fell to 0.08–0.29 of 1C's bound during a 500-connection
 * burst on one loop). The outbox rows are still written by the API with their orders, in the API's transaction;
 * this thread only claims and completes them, on its own connection. Enqueue wake-ups come from the main thread
 * (src/workers/outbox.ts) and this worker's 'settled' notifications go back to it (booking's confirmation window).
 */
const { config, features, holder, writeLock } = workerData as { config: Config; features?: Ut11Features; holder: LeaseHolder; writeLock?: WriteLock };
const port = parentPort!;
type Out =
  | { type: 'ready' }
  | { type: 'stopped'; result: { aborted: number[]; unfinished: number[] } }
  | { type: 'settled'; id: number }
  | { type: 'event'; event: { type: string; job?: { id: number; kind: string; key: string | null; attempts?: number }; error?: string } }
  | { type: 'log'; level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'; obj: Record<string, unknown>; msg?: string }
  | { type: 'onec'; attempt: unknown };
/**
 * Messages to the API thread go in one postMessage per turn of this loop: an order's four 1C attempts, its claimed
 * and done events, its settled id and its log lines were eight or more postMessage calls (each a structured clone and
 * a wake-up of the other thread), 5 % of this thread's busy time in the booking bench's profile (load 9-11). The
 * settled ids wait at most for the end of this turn. tuning.writeLock and the rest come with the config.
 */
let outbox: Out[] = [];
const flush = () => {
  const batch = outbox;
  outbox = [];
  if (batch.length === 1) port.postMessage(batch[0]);
  else if (batch.length) port.postMessage({ type: 'batch', messages: batch });
};
const post = (m: Out) => {
  if (outbox.push(m) === 1) setImmediate(flush);
};
const plain = (o: unknown) => JSON.parse(JSON.stringify(o ?? {}, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : v))) as Record<string, unknown>;
const logger = Object.fromEntries(
  (['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const).map((level) => [
    level,
    (obj: unknown, msg?: string) => post({ type: 'log', level, obj: typeof obj === 'string' ? {} : plain(obj), msg: typeof obj === 'string' ? obj : msg }),
  ]),
) as unknown as Logger;
(logger as unknown as { child: () => Logger }).child = () => logger;

// A wait for the write lock blocks only this thread: a longer busy timeout than the API's 250 ms costs nothing here.
const db = openDb(config.database.path, { busyTimeoutMs: 5000 });
// This connection's commits wait for the page cache, not the disk (synchronous=NORMAL in WAL mode; SQLite: "a
// transaction committed in WAL mode with synchronous=NORMAL might roll back following a power loss", never a corrupt
// file). What it writes is what 1C already holds or what can be asked again: a claim and its lease, a job done, a
// booking's number and status, a client's or payment's reference, history and webhook rows. Each handler finds its
// document by ReGate_ВнешнийИдентификатор before it creates one (delivery/booking.ts, clients.ts, payments.ts), because
// a crash between 1C's answer and the local commit was always possible; a commit lost with the power is that same
// crash, handled the same way: the job runs again, finds the document, records it. The WAL keeps commits in order, so
// the API's next FULL commit makes every earlier one durable too, and what the API acknowledges — the order and its
// outbox row, in the API's connection — waits for the disk as before (db/open.ts). The fsync here held this thread's
// one event loop, and every 1C answer waiting to be read, for 0.2 ms at the median and 8-69 ms in the tail at load
// 7.6 (26 % of its busy time in the burst's profile, 2026-12-03): docs/benchmarks.md has the same-run figures.
if (config.tuning.deliverySynchronous === 'normal') db.pragma('synchronous = NORMAL');
// The checkpoint thread copies the WAL back (checkpoint.ts): no checkpoint inside a claim's or an outcome's COMMIT.
if (config.tuning.checkpointThread) db.pragma('wal_autocheckpoint = 0');
// Above the API thread where the process may raise a thread's priority (priority.ts DELIVERY_NICE, the default of
// tuning.deliveryNice); else as before.
const nice = config.tuning.deliveryNice;
const raised = raiseThreadPriority(nice);
// Writes take turns with the API thread's through the shared lock (write-lock.ts), before SQLite's busy handler.
if (writeLock) guardWrites(db, writeLock, 5000);
// Each SQL text compiled once on this connection (statements.ts), on top of the guard so a kept write statement keeps
// taking the lock: the handlers prepare about ten statements per order.
shareStatements(db);
const onec = new ODataClient({ ...config.onec, observer: (a) => post({ type: 'onec', attempt: a }) });
let profile: Profile = getProfile(config.onec.profile, config, features);
const job = (j: { id: number; kind: string; key: string | null; attempts?: number }) => ({ id: j.id, kind: j.kind, key: j.key, attempts: j.attempts });
const worker = new OutboxWorker(db, {
  policy: config.outbox,
  concurrency: config.onec.sessions * 2,
  // The API thread's worker's identity: each worker's recover() at start releases leases of "this daemon's previous
  // run" (same pid, another boot id), which would be the other's live leases.
  holder,
  claimWithOutcome: config.tuning.claimWithOutcome,
  onEvent: (e) => {
    const ev: Out = { type: 'event', event: { type: e.type } };
    if ('job' in e && e.job) ev.event.job = job(e.job);
    if ('error' in e && e.error !== undefined) ev.event.error = e.error instanceof Error ? e.error.message : String(e.error);
    post(ev);
  },
});
registerDelivery({ db, onec, config, logger, worker, profileOf: () => profile }, { schedules: false });
// The API thread's waitFor() listens on its own bus: the settled job ids go there.
busOf(db).on('settled', (id: number) => post({ type: 'settled', id }));

port.on('message', async (m: { type: 'wake' } | { type: 'profile'; features?: Ut11Features } | { type: 'stop'; graceMs: number }) => {
  if (m.type === 'wake') return worker.wake();
  if (m.type === 'profile') {
    profile = getProfile(config.onec.profile, config, m.features);
    return;
  }
  const result = await worker.stop(m.graceMs);
  await stopProfile?.().catch(() => undefined);
  await onec.close();
  db.close();
  flush();
  port.postMessage({ type: 'stopped', result } satisfies Out);
  port.close();
});
// tuning.deliveryProfile = <file> (REGATE_TUNING_DELIVERY_PROFILE): a CPU profile of this thread from start to stop
// (the booking bench's delivery breakdown; the API thread's own profiler cannot see into this isolate). Off unless set.
const profileFile = config.tuning.deliveryProfile;
let stopProfile: (() => Promise<void>) | undefined;
if (profileFile) {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  stopProfile = async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    session.disconnect();
  };
}
worker.start();
logger.info({ nice: raised === null ? 0 : nice, synchronous: db.pragma('synchronous', { simple: true }) === 1 ? 'normal' : 'full' }, raised === null ? (nice < 0 ? 'delivery thread at the process priority (a higher one needs CAP_SYS_NICE or LimitNICE)' : 'delivery thread at the process priority (tuning.deliveryNice 0)') : 'delivery thread above the API thread');
post({ type: 'ready' });
