import { Worker } from 'node:worker_threads';
import type { Config } from '../config/index.js';
import type { Db } from '../db/open.js';
import type { Logger } from '../log.js';
import type { TransportAttempt } from '../onec/index.js';
import type { Ut11Features } from '../onec/profiles/index.js';
import type { LeaseHolder, WorkerEvent } from '../outbox/index.js';
import { busOf, notify } from '../outbox/events.js';
import { workerScript } from './script.js';
import { createWriteLock, guardWrites, releaseIfHeldBy } from './write-lock.js';

/**
 * The outbox worker in a thread of its own (src/workers/outbox-worker.ts), driven from the API's thread: enqueue
 * wake-ups go to it (one message per turn of this loop however many bookings it enqueued), its settled job ids come
 * back as this thread's 'settled' notifications (waitFor(), booking's confirmation window), its events and logs to
 * this thread's metrics and logger. A thread that dies is started again after a second; its leases are released by
 * the new one (outbox recover()).
 */
export interface OutboxThread {
  start(): void;
  /** The profile refined from the base's $metadata (runtime.adaptToBase). */
  profile(features?: Ut11Features): void;
  stop(graceMs?: number): Promise<{ aborted: number[]; unfinished: number[] }>;
}

export interface OutboxThreadOptions {
  config: Config;
  db: Db;
  logger: Logger;
  features?: () => Ut11Features | undefined;
  /** The API thread's outbox worker's lease holder (see outbox-worker.ts). */
  holder: LeaseHolder;
  onEvent?: (e: Pick<WorkerEvent, 'type'> & { job?: { id: number; kind: string; key: string | null; attempts?: number }; error?: string }) => void;
  observeOneC?: (a: TransportAttempt) => void;
}

export function outboxThread(o: OutboxThreadOptions): OutboxThread {
  let worker: Worker | null = null;
  let stopping = false;
  let restart: NodeJS.Timeout | undefined;
  let wakePosted = false;
  // The API's connection and the delivery thread's take turns at writing through this lock (write-lock.ts): the
  // delivery thread's claims and completions go in at the next gap between the group commit's batches.
  const lock = createWriteLock({ turns: o.config.tuning.writeTurn });
  // tuning.writeLock = false leaves the writers to SQLite's busy handler (the booking bench's same-run before).
  const useLock = o.config.tuning.writeLock;
  const onEnqueued = () => {
    if (wakePosted || !worker) return;
    wakePosted = true;
    queueMicrotask(() => {
      wakePosted = false;
      worker?.postMessage({ type: 'wake' });
    });
  };
  const spawn = () => {
    const { script, entry } = workerScript('outbox-worker');
    const w = new Worker(script, { workerData: { entry, config: o.config, features: o.features?.(), holder: o.holder, writeLock: useLock ? lock : undefined } });
    const tid = w.threadId;
    worker = w;
    const onMessage = (m: { type: string; [k: string]: unknown }): void => {
      switch (m.type) {
        case 'batch':
          // One postMessage per turn of the thread's loop (outbox-worker.ts), in the order they were posted.
          for (const one of m.messages as { type: string }[]) onMessage(one);
          return;
        case 'settled':
          return notify(o.db, 'settled', m.id as number);
        case 'event':
          return o.onEvent?.(m.event as never);
        case 'log':
          return void o.logger[m.level as 'info'](m.obj as object, m.msg as string | undefined);
        case 'onec':
          return o.observeOneC?.(m.attempt as TransportAttempt);
      }
    };
    w.on('message', onMessage);
    w.on('error', (e) => o.logger.error({ err: e }, 'outbox thread failed'));
    w.on('exit', (code) => {
      releaseIfHeldBy(lock, tid);
      if (worker === w) worker = null;
      if (!stopping) {
        o.logger.error({ code }, 'outbox thread exited: starting it again in 1 s');
        restart = setTimeout(spawn, 1000);
      }
    });
  };
  return {
    start() {
      if (worker || stopping) return;
      // 250 ms: the API connection's own busy timeout (src/runtime.ts); past it SQLite's busy handler decides.
      if (useLock) guardWrites(o.db, lock, 250);
      busOf(o.db).on('enqueued', onEnqueued);
      spawn();
    },
    profile(features) {
      worker?.postMessage({ type: 'profile', features });
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      clearTimeout(restart);
      busOf(o.db).off('enqueued', onEnqueued);
      const w = worker;
      if (!w) return { aborted: [], unfinished: [] };
      const stopped = new Promise<{ aborted: number[]; unfinished: number[] }>((resolve) => {
        w.on('message', (m: { type: string; result?: { aborted: number[]; unfinished: number[] } }) => {
          if (m.type === 'stopped') resolve(m.result!);
        });
        w.once('exit', () => resolve({ aborted: [], unfinished: [] }));
      });
      w.postMessage({ type: 'stop', graceMs });
      const timer = setTimeout(() => void w.terminate(), graceMs + 5000);
      const r = await stopped;
      clearTimeout(timer);
      worker = null;
      return r;
    },
  };
}
