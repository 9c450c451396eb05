import { Worker } from 'node:worker_threads';
import type { Db } from '../db/open.js';
import type { Logger } from '../log.js';
import { ApiError, type FieldError } from '../api/errors.js';
import type { BookingRequest, BookingWritten } from '../orders/booking-check.js';
import { DomainError } from '../orders/errors.js';
import { workerScript } from './script.js';
import { lockOf, releaseIfHeldBy } from './write-lock.js';

/**
 * The API thread's side of the booking thread (src/workers/booking-writer.ts): OrdersService.book hands it each
 * booking to check and write (orders/booking-check.ts, booking-write.ts) and awaits the answer: the commit, a replay,
 * or the error. Requests of one turn of this loop go in one message, answers come back the same way. While the thread
 * is not ready (starting, restarting after it died, stopped) book() answers null and the booking is checked and
 * written on the API's own connection, the same way: the thread is a place to run them, never a condition for taking
 * an order.
 */
export interface BookingThread {
  start(): void;
  book(request: BookingRequest): Promise<BookingWritten> | null;
  stop(): Promise<void>;
  /** Bookings the thread has committed so far, and those written on the API thread because it could not take them. */
  readonly written: number;
  /** Bookings the thread has answered: written, replayed or refused. */
  readonly answered: number;
  readonly fellBack: number;
  /** Ends the thread as a crash would (tests): what it had not answered gets 503, it starts again in 1 s. */
  terminate(): Promise<void>;
}

export type SerializedError = {
  name: string;
  message: string;
  code?: string;
  domain?: { kind: DomainError['kind']; code: string; fields: DomainError['fields']; retryAfterSeconds?: number };
  /** An ApiError (the catalogue's 404 of an unknown store): its status, code, fields and headers. */
  api?: { status: ApiError['status']; code: string; fields: FieldError[]; headers: Record<string, string> };
};
/** A booking's outcome: written (its outbox job), answered as before (a replay), or refused. */
export type BookingResult = ({ id: number } & BookingWritten) | { id: number; error: SerializedError };

export function serializeError(e: unknown): SerializedError {
  const err = e as { name?: string; message?: string; code?: unknown } | null;
  const out: SerializedError = { name: String(err?.name ?? 'Error'), message: String(err?.message ?? e) };
  if (typeof err?.code === 'string') out.code = err.code;
  if (e instanceof DomainError) out.domain = { kind: e.kind, code: e.code, fields: e.fields, retryAfterSeconds: e.retryAfterSeconds };
  if (e instanceof ApiError) out.api = { status: e.status, code: e.code, fields: e.fields, headers: e.headers };
  return out;
}

/** The thread's error as this thread would have thrown it: a DomainError maps to its 4xx, an SQLite code to 503. */
export function deserializeError(s: SerializedError): Error {
  if (s.domain) return new DomainError(s.domain.kind, s.domain.code, s.message, s.domain.fields, s.domain.retryAfterSeconds);
  if (s.api) return new ApiError(s.api.status, s.api.code, s.message, s.api.fields, s.api.headers);
  const e = new Error(s.message) as Error & { code?: string };
  e.name = s.name;
  if (s.code !== undefined) e.code = s.code;
  return e;
}

/**
 * autocheckpoint false: the checkpoint thread copies the WAL back (checkpoint.ts), this connection's commits never.
 * priceKindNames: config.catalog's, for the thread's own CatalogService (the booking's lines are priced there).
 */
export function bookingThread(o: { db: Db; path: string; logger: Logger; priceKindNames: { retail: string; tier1: string; tier2: string }; autocheckpoint?: boolean; maxBatch?: number }): BookingThread {
  let worker: Worker | null = null;
  let ready = false;
  let stopping = false;
  let restart: NodeJS.Timeout | undefined;
  let nextId = 1;
  let written = 0;
  let answered = 0;
  let fellBack = 0;
  const pending = new Map<number, { resolve: (written: BookingWritten) => void; reject: (e: Error) => void }>();
  let outgoing: { id: number; request: BookingRequest }[] = [];
  const send = () => {
    const batch = outgoing;
    outgoing = [];
    if (!batch.length) return;
    if (worker && ready) worker.postMessage({ type: 'book', batch });
    else for (const { id } of batch) fail(id);
  };
  // Sent but not answered when the thread died: it may have committed or not. 503 with a retry: the repeated request
  // finds the order (a replay, the same answer) or writes it.
  const fail = (id: number) => {
    const p = pending.get(id);
    pending.delete(id);
    p?.reject(DomainError.unavailable('Запись заказа прервана; повторите запрос (повтор с тем же orderId не создаст второй заказ)', 1));
  };
  const spawn = () => {
    const { script, entry } = workerScript('booking-writer');
    // The lock the delivery thread shares with the API's connection (guarded when it started): this connection's
    // writes take their turns at it too.
    const w = new Worker(script, { workerData: { entry, path: o.path, writeLock: lockOf(o.db), autocheckpoint: o.autocheckpoint ?? true, priceKindNames: o.priceKindNames, maxBatch: o.maxBatch } });
    const tid = w.threadId;
    worker = w;
    w.on('message', (m: { type: 'ready' } | { type: 'stopped' } | { type: 'done'; results: BookingResult[] }) => {
      if (m.type === 'ready') {
        ready = true;
        o.logger.info('booking thread ready: accepted bookings are written off the API thread (tuning.bookingThread)');
        return;
      }
      if (m.type !== 'done') return;
      for (const r of m.results) {
        const p = pending.get(r.id);
        if (!p) continue;
        pending.delete(r.id);
        answered++;
        if ('error' in r) p.reject(deserializeError(r.error));
        else {
          if ('jobId' in r) written++;
          p.resolve(r);
        }
      }
    });
    w.on('error', (e) => o.logger.error({ err: e }, 'booking thread failed'));
    w.on('exit', (code) => {
      const lock = lockOf(o.db);
      if (lock) releaseIfHeldBy(lock, tid);
      if (worker === w) {
        worker = null;
        ready = false;
      }
      for (const id of [...pending.keys()]) fail(id);
      if (!stopping) {
        o.logger.error({ code }, 'booking thread exited: bookings are written on the API thread until it starts again in 1 s');
        restart = setTimeout(spawn, 1000);
      }
    });
  };
  return {
    start() {
      if (worker || stopping) return;
      spawn();
    },
    get written() {
      return written;
    },
    get answered() {
      return answered;
    },
    get fellBack() {
      return fellBack;
    },
    async terminate() {
      await worker?.terminate();
    },
    book(request) {
      if (!worker || !ready || stopping) {
        fellBack++;
        return null;
      }
      const id = nextId++;
      return new Promise<BookingWritten>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (outgoing.push({ id, request }) === 1) setImmediate(send);
      });
    },
    async stop() {
      stopping = true;
      clearTimeout(restart);
      send();
      const w = worker;
      if (!w) return;
      const stopped = new Promise<void>((resolve) => {
        w.on('message', (m: { type: string }) => m.type === 'stopped' && resolve());
        w.once('exit', () => resolve());
      });
      w.postMessage({ type: 'stop' });
      const timer = setTimeout(() => void w.terminate(), 15_000);
      await stopped;
      clearTimeout(timer);
      worker = null;
      ready = false;
    },
  };
}
