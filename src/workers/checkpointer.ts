import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '../db/open.js';
import { CHECKPOINT_STATS, type CheckpointStatsWords } from './checkpoint.js';

/**
 * The checkpoint thread (src/workers/checkpoint.ts says why): every `intervalMs` it copies what the WAL holds into the
 * database file with a PASSIVE checkpoint on its own connection — never waiting for a writer or a reader, and holding
 * none of the locks the writers take. When nothing was written since the last one it only reads the WAL's index
 * (microseconds). Its counts go to the shared words the bench and the metrics read.
 */
const { path, intervalMs, stats } = workerData as { path: string; intervalMs: number; stats: CheckpointStatsWords };
const port = parentPort!;
const db = openDb(path, { busyTimeoutMs: 0 });
// This connection checkpoints on its timer only; it never writes, so it would never autocheckpoint anyway.
db.pragma('wal_autocheckpoint = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
// Frames backfilled as of the last run: `log` and `checkpointed` count from the WAL's start, which a writer moves back
// to 0 once everything was copied (the WAL is then written again from its beginning).
let last = { log: 0, checkpointed: 0 };

const run = () => {
  const t = performance.now();
  let row: { busy: number; log: number; checkpointed: number } | undefined;
  try {
    row = checkpoint.get() as typeof row;
  } catch (e) {
    Atomics.add(stats, CHECKPOINT_STATS.FAILED, 1);
    port.postMessage({ type: 'failed', message: (e as Error).message, code: (e as { code?: string }).code });
    return;
  }
  const ms = performance.now() - t;
  if (!row || row.log < 0) return; // not in WAL mode (a read-only file): nothing to do
  const copied = row.log >= last.log && row.checkpointed >= last.checkpointed ? row.checkpointed - last.checkpointed : row.checkpointed;
  last = row;
  if (copied <= 0) return;
  Atomics.add(stats, CHECKPOINT_STATS.RUNS, 1);
  Atomics.add(stats, CHECKPOINT_STATS.FRAMES, copied);
  const tenths = Math.round(ms * 10);
  Atomics.add(stats, CHECKPOINT_STATS.TENTHS, tenths);
  if (tenths > Atomics.load(stats, CHECKPOINT_STATS.MAX_TENTHS)) Atomics.store(stats, CHECKPOINT_STATS.MAX_TENTHS, tenths);
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
