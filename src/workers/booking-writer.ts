import { parentPort, workerData } from 'node:worker_threads';
import { GroupCommit } from '../db/group-commit.js';
import { openDb } from '../db/open.js';
import { writeBooking, type BookingRecord } from '../orders/booking-write.js';
import { checkBooking, type BookingRequest } from '../orders/booking-check.js';
import { CatalogService } from '../catalog/service.js';
import { serializeError, type BookingResult } from './booking.js';
import { guardWrites, turn, type WriteLock } from './write-lock.js';

/**
 * The booking thread (issue 19.5): each booking's check (orders/booking-check.ts: the replay, the client, the lines
 * against the mirror and our other orders) and its write — the promise check again, the order, its lines, history
 * and outbox job — in transactions of its own connection, group-committed as on the API thread (one fsync per batch),
 * so the API's event loop no longer runs them. In a 500-connection booking burst the writes were ~40 % of the API
 * thread's busy time (the COMMIT alone 7-12 ms per batch of ~100). The check's reads were the next largest part
 * (~60 µs of ~0.2 ms per booking): on the API's connection this thread's commits kept emptying SQLite's page cache
 * before them, here its own commits leave it warm (booking-check.ts). The API thread parses and validates a booking,
 * sends it here and answers when its commit has returned, so a 2xx still means "on disk" (synchronous=FULL, as on
 * the API's connection: db/open.ts). Protocol (src/workers/booking.ts): {type:'book', batch:[{id, request}]} in;
 * {type:'done', results:[{id, jobId, amountKopecks} | {id, replay} | {id, error}]} out, one message per turn of either
 * loop.
 */

const { path, writeLock, autocheckpoint, priceKindNames, maxBatch } = workerData as {
  maxBatch?: number;
  path: string;
  writeLock?: WriteLock;
  autocheckpoint: boolean;
  priceKindNames?: { retail: string; tier1: string; tier2: string };
};
const port = parentPort!;
// A wait for the write lock blocks only this thread: the delivery thread's timeout, not the API's 250 ms.
const db = openDb(path, { busyTimeoutMs: 5000 });
// Each booking is a savepoint in its batch's transaction, and SQLite keeps the pages a savepoint changes in a
// sub-journal that goes to a temporary file past 64 KiB (TEMP_STORE=1 in better-sqlite3's build): a few bookings
// into every batch, each booking wrote ~80 pages there (strace of 5,000 bookings in batches of 100: 438,000 pwrites
// to /var/tmp/etilqs_*, 53,000 to the WAL). In memory it is freed at each COMMIT: at most a batch's records, tens of
// MiB for the largest batch (256); the burst's batches were 64 at the median, and the booking suite's peak RSS stayed
// 550-592 MB (581 before). CPU per booking 0.34-0.39 → 0.26-0.27 ms (bench/booking-write.ts, 3 rounds, load 1.8-2.3).
// Nothing on this connection sorts or builds an index large enough to want a file.
db.pragma('temp_store = MEMORY');
// The checkpoint thread copies the WAL back (checkpoint.ts): no checkpoint inside a batch's COMMIT, under the lock.
if (!autocheckpoint) db.pragma('wal_autocheckpoint = 0');
if (writeLock) guardWrites(db, writeLock, 5000);
// Each batch waits its turn at the lock without blocking (a waiting delivery write goes first), as the API's did.
// No savepoint per booking unless one fails half-way (GroupCommit 'on-failure'): a booking refused for stock throws
// before it writes, and a savepoint was ~20 µs of a ~0.12 ms write (bench/booking-write.ts, shop-numbered order ids:
// 0.118-0.130 → 0.097-0.107 ms; UUIDs 0.19 → 0.17). writeBooking can run twice: a rolled-back run leaves nothing but
// an outbox wake-up and a pending count that errs high for up to 100 ms (outbox/depth.ts).
// At most tuning.bookingBatch (256) a transaction. With a core's worth of other load on the host the thread runs
// saturated and its batches are full: 256 gave 3,033-3,388 accepted/s and a p99 of 220-240 ms in 7 same-run pairs,
// 64 gave 2,487-2,944/s and 232-267 ms (more COMMITs), 512 gave 2,527-2,886/s and 264-333 ms (answers in larger
// clumps) (bench booking, BENCH_BOOKING_BEFORE=env, 2026-12-05 11:43-11:57, load 1.7-3.0).
const writes = new GroupCommit(db, maxBatch, () => (writeLock ? turn(writeLock) : null), 'on-failure');

let results: BookingResult[] = [];
const flush = () => {
  const batch = results;
  results = [];
  if (batch.length) port.postMessage({ type: 'done', results: batch });
};
// A batch's answers go in one message as soon as its COMMIT has returned: GroupCommit settles the batch's promises
// together, so their reactions are queued before the microtask that sends them. With setImmediate, when a burst had
// queued more than a batch (the first second of 500 new connections), the next batch's flush was already queued
// ahead and ran first: every answer waited one more batch (~50 ms for 256).
const post = (r: BookingResult) => {
  if (results.push(r) === 1) queueMicrotask(flush);
};

let inFlight = 0;
let stopping: (() => void) | undefined;
const settled = () => {
  inFlight--;
  if (inFlight === 0 && stopping) stopping();
};

// The catalogue as this connection reads it: the booking's terms kept per mirror generation, as on the API thread.
let catalog: CatalogService | undefined;
const write = (id: number, record: BookingRecord) => {
  inFlight++;
  writes.run(() => writeBooking(db, record)).then(
    (jobId) => (post({ id, jobId, amountKopecks: record.amountKopecks }), settled()),
    (e) => (post({ id, error: serializeError(e) }), settled()),
  );
};

type Incoming = { type: 'book'; batch: { id: number; request: BookingRequest }[] } | { type: 'stop' };
port.on('message', (m: Incoming) => {
  if (m.type === 'book') {
    catalog ??= new CatalogService(db, priceKindNames ?? { retail: '', tier1: '', tier2: '' });
    // Checked as they arrive, before the batch's transaction: the reads take no lock, and a refused booking never
    // reaches the write. The stock is checked again inside the write, where no other order can come between.
    for (const { id, request } of m.batch) {
      try {
        const checked = checkBooking(db, catalog, request);
        if ('replay' in checked) post({ id, replay: checked.replay });
        else write(id, checked.record);
      } catch (e) {
        post({ id, error: serializeError(e) });
      }
    }
    return;
  }
  const close = () => {
    flush();
    db.close();
    port.postMessage({ type: 'stopped' });
    port.close();
  };
  if (inFlight === 0) close();
  else stopping = close;
});
port.postMessage({ type: 'ready' });
