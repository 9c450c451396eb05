import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '../db/open.js';
import { CHECKPOINT_STATS, type CheckpointStatsWords } from './checkpoint.js';
import { acquire, release, type WriteLock } from './write-lock.js';

/**
 * The checkpoint thread (src/workers/checkpoint.ts says why): every `intervalMs` it copies what the WAL holds into the
 * database file with a PASSIVE checkpoint on its own connection — never waiting for a writer or a reader, and holding
 * none of the locks the writers take while it copies. When nothing was written since the last one it only reads the WAL's index
 * (microseconds).
 *
 * A WAL that grew past `completeAtFrames` is then finished under the writers' lock: the few frames committed while the
 * copy ran are copied too, with no writer of this process able to add more. SQLite starts the WAL again from its
 * beginning only when a writer begins with every frame copied, which a checkpoint running beside a burst of commits
 * never leaves: in the booking bench the WAL grew to 477 MB in one burst (8 MB with autocheckpoint inside the
 * writers' COMMITs, which held the lock). Finished this way it stays within about a second of writes, and the lock
 * is held for the copy of those few frames, not of the whole WAL.
 *
 * Its counts go to the shared words the bench and the metrics read.
 */
const { path, intervalMs, completeAtFrames, stats, writeLock } = workerData as {
  path: string;
  intervalMs: number;
  completeAtFrames: number;
  stats: CheckpointStatsWords;
  writeLock?: WriteLock;
};
const port = parentPort!;
const db = openDb(path, { busyTimeoutMs: 0 });
// This connection checkpoints on its timer only; it never writes, so it would never autocheckpoint anyway.
db.pragma('wal_autocheckpoint = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
type Row = { busy: number; log: number; checkpointed: number };
// Frames backfilled as of the last run: `log` and `checkpointed` count from the WAL's start, which a writer moves back
// to 0 once everything was copied (the WAL is then written again from its beginning).
let last = { log: 0, checkpointed: 0 };

/** A copy longer than this is followed by another without the lock before the one under it. */
const UNLOCKED_COPY_MS = 25;
const tenths = (ms: number) => Math.round(ms * 10);
const count = (words: { RUNS: number; TENTHS: number; MAX: number }, ms: number) => {
  Atomics.add(stats, words.RUNS, 1);
  Atomics.add(stats, words.TENTHS, tenths(ms));
  if (tenths(ms) > Atomics.load(stats, words.MAX)) Atomics.store(stats, words.MAX, tenths(ms));
};

const once = (): Row | undefined => {
  try {
    return checkpoint.get() as Row;
  } catch (e) {
    Atomics.add(stats, CHECKPOINT_STATS.FAILED, 1);
    port.postMessage({ type: 'failed', message: (e as Error).message, code: (e as { code?: string }).code });
    return undefined;
  }
};

const copied = (row: Row) => {
  const n = row.log >= last.log && row.checkpointed >= last.checkpointed ? row.checkpointed - last.checkpointed : row.checkpointed;
  last = row;
  return n;
};

const run = () => {
  const t = performance.now();
  let row = once();
  if (!row || row.log < 0) return; // failed, or not in WAL mode (a read-only file): nothing to do
  let n = copied(row);
  if (n > 0) count({ RUNS: CHECKPOINT_STATS.RUNS, TENTHS: CHECKPOINT_STATS.TENTHS, MAX: CHECKPOINT_STATS.MAX_TENTHS }, performance.now() - t);
  // Copied to the end as this checkpoint saw it is not enough: commits may have added frames since, and a writer that
  // began then still reads them. Under the lock the WAL's end cannot move.
  if (writeLock && row.log >= completeAtFrames) {
    // What the lock holds off is the copy of what was committed while the last copy ran: after a long copy (a sync's
    // hundreds of MB) copy again without it first, at most twice, until one is short.
    for (let i = 0; i < 2 && performance.now() - t > UNLOCKED_COPY_MS; i++) {
      const again = performance.now();
      const r = once();
      if (!r) break;
      n += copied(r);
      if (performance.now() - again <= UNLOCKED_COPY_MS) break;
    }
    // Finish it with the writers held off (blocking this thread only; 1 s at most, then it is left for the next run).
    const t2 = performance.now();
    const got = acquire(writeLock, 1000);
    if (got) {
      try {
        row = once();
        if (row) n += copied(row);
      } finally {
        release(writeLock, got);
      }
      count({ RUNS: CHECKPOINT_STATS.LOCKED_RUNS, TENTHS: CHECKPOINT_STATS.LOCKED_TENTHS, MAX: CHECKPOINT_STATS.LOCKED_MAX_TENTHS }, performance.now() - t2);
    }
  }
  if (n > 0) Atomics.add(stats, CHECKPOINT_STATS.FRAMES, n);
};

const timer = setInterval(run, intervalMs);
port.on('message', (m: { type: 'stop' }) => {
  if (m.type !== 'stop') return;
  clearInterval(timer);
  run();
  db.close();
  port.postMessage({ type: 'stopped' });
  port.close();
});
port.postMessage({ type: 'ready' });
