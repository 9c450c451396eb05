import { Worker } from 'node:worker_threads';
import type { Config } from '../config/index.js';
import type { Db } from '../db/open.js';
import type { Logger } from '../log.js';
import type { ODataClient, TransportAttempt } from '../onec/index.js';
import { getProfile, type Profile, type Ut11Features } from '../onec/profiles/index.js';
import { runFullSync, runStockSync, type StockSyncReport, type SyncReport } from '../catalog/sync.js';
import { fetchMissingPictures } from '../catalog/pictures.js';
import type { FromWorker, JobKind, ToWorker } from './protocol.js';
import { workerScript } from './script.js';
import { SYNC_NICE } from './priority.js';

export { outboxThread, type OutboxThread } from './outbox.js';
export { bookingThread, type BookingThread } from './booking.js';
export { checkpointThread, type CheckpointThread } from './checkpoint.js';

/**
 * Runs the catalogue syncs (and the picture fetch after a full sync) off the API's event loop, in a worker thread
 * with its own SQLite connection and 1C client (issue 19.1). On one loop, a stock sync of a 100k base stalled every
 * API request for 8.4 s and a full sync for 22 s (JSON parsing, snapshot building, one big transaction); the stall
 * benchmark (bench/suites/stall.ts) measures the API while the worker syncs.
 *
 * The worker's heap is capped (HEAP_MB): the sync's live set is small and flat in the base (a 100k sync peaked at
 * 118 MB of heap under a 160 MB cap, at 539 MB RSS without one: V8 grows the heap rather than collect when nothing
 * limits it). An out-of-memory worker fails its job and is replaced; the daemon goes on.
 *
 * The worker's 1C client has its own pool of onec.sessions: a sync no longer takes sessions from order delivery,
 * and 1C sees up to twice onec.sessions at once while both run.
 */
export const HEAP_MB = 192;

export interface SyncJobs {
  full(features?: Ut11Features, opts?: { allowEmpty?: boolean }): Promise<SyncReport>;
  stock(features?: Ut11Features, opts?: { allowEmpty?: boolean }): Promise<StockSyncReport>;
  pictures(features?: Ut11Features): Promise<{ fetched: number; missing: number; requests: number }>;
  /** Where the jobs run: 'worker', or 'inline' (an in-memory database cannot be shared with a thread). */
  readonly mode: 'worker' | 'inline';
  /**
   * Starts the thread now rather than at the first job: from the TypeScript sources a new thread compiles every
   * module again (seconds of CPU, measured as a stall of the API at the first 20k sync when it came mid-serving).
   */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export interface SyncJobsOptions {
  config: Config;
  logger: Logger;
  observeOneC?: (a: TransportAttempt) => void;
  /** For the inline mode: the daemon's own connection and client. */
  db: Db;
  onec: ODataClient;
  /** Run on this thread (tests, a database in memory). */
  inline?: boolean;
  /** The thread's nice (priority.ts): SYNC_NICE unless given; 0 runs it at the process's priority (the bench's before). */
  nice?: number;
}

export function syncJobs(o: SyncJobsOptions): SyncJobs {
  if (o.inline || o.config.database.path === ':memory:') return inlineJobs(o);
  let worker: Worker | null = null;
  let ready: Promise<void> | null = null;
  let nextId = 1;
  // Once closed, no job starts a thread again: a full sync that was still asking 1C for $metadata when the daemon
  // was told to stop would otherwise start one after close(), and that thread kept `regate serve` alive after SIGTERM.
  let closed = false;
  const pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const start = () => {
    const { script, entry } = workerScript('sync-worker');
    const w = new Worker(script, {
      workerData: { entry, config: o.config, nice: o.nice ?? SYNC_NICE },
      resourceLimits: { maxOldGenerationSizeMb: HEAP_MB },
    });
    worker = w;
    ready = new Promise<void>((resolve, reject) => {
      w.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'ready':
            return resolve();
          case 'done':
            pending.get(m.id)?.resolve(m.result);
            pending.delete(m.id);
            return;
          case 'failed': {
            const e = Object.assign(new Error(m.error.message), { name: m.error.name });
            if (m.error.stack) e.stack = m.error.stack;
            pending.get(m.id)?.reject(e);
            pending.delete(m.id);
            return;
          }
          case 'log':
            return void o.logger[m.level](m.obj, m.msg);
          case 'onec':
            return o.observeOneC?.(m.attempt);
        }
      });
      w.on('error', (e) => {
        o.logger.error({ err: e }, 'sync worker failed');
        reject(e);
        failAll(e);
      });
      w.on('exit', (code) => {
        // A thread gone before it said ready (closed while starting, or crashed loading) fails who waits for it.
        reject(new Error(`sync worker exited (code ${code}) before it was ready`));
        if (worker === w) {
          worker = null;
          ready = null;
        }
        if (pending.size) failAll(new Error(`sync worker exited (code ${code})`));
      });
    });
    // A failed start is reported by the job that waited for it; no unhandled rejection in between.
    ready.catch(() => undefined);
  };
  const run = async (kind: JobKind, features?: Ut11Features, allowEmpty?: boolean): Promise<unknown> => {
    if (closed) throw new Error(`sync worker closed: the ${kind} sync is not run (the daemon is stopping)`);
    if (!worker) start();
    await ready;
    // close() may have come while the thread was starting: then there is no thread to post to, and a job registered
    // in `pending` before finding that out would be rejected at the thread's exit with nobody listening (an unhandled
    // rejection: it failed test runs that stopped a demo during a stock sync).
    const w = worker;
    if (closed || !w) throw new Error(`sync worker closed: the ${kind} sync is not run (the daemon is stopping)`);
    const id = nextId++;
    const done = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
    w.postMessage({ type: 'run', id, kind, features, allowEmpty } satisfies ToWorker);
    return done;
  };
  return {
    mode: 'worker',
    async warm() {
      if (closed) return;
      if (!worker) start();
      await ready;
    },
    full: (f, opts) => run('full', f, opts?.allowEmpty) as Promise<SyncReport>,
    stock: (f, opts) => run('stock', f, opts?.allowEmpty) as ReturnType<SyncJobs['stock']>,
    pictures: (f) => run('pictures', f) as ReturnType<SyncJobs['pictures']>,
    async close() {
      closed = true;
      const w = worker;
      if (!w) return;
      worker = null;
      const exited = new Promise((r) => w.once('exit', r));
      w.postMessage({ type: 'close' } satisfies ToWorker);
      // The worker ends when its port closes; a job still running is cut short by terminate after a grace period.
      const timer = setTimeout(() => void w.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function inlineJobs(o: SyncJobsOptions): SyncJobs {
  const deps = (features?: Ut11Features, allowEmpty?: boolean) => {
    const profile: Profile = getProfile(o.config.onec.profile, o.config, features);
    return { db: o.db, onec: o.onec, config: o.config, logger: o.logger, profile, allowEmpty };
  };
  return {
    mode: 'inline',
    warm: async () => undefined,
    full: (f, opts) => runFullSync(deps(f, opts?.allowEmpty)),
    stock: (f, opts) => runStockSync(deps(f, opts?.allowEmpty)),
    pictures: (f) => fetchMissingPictures(deps(f)),
    close: async () => undefined,
  };
}
