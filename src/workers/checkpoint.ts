import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { workerScript } from './script.js';
import { releaseIfHeldBy, type WriteLock } from './write-lock.js';

/**
 * WAL checkpoints on a thread of their own (issue 19, the booking p99 on a busy host).
 *
 * SQLite copies the WAL back into the database file by itself (autocheckpoint, every 1,000 pages), inside the COMMIT
 * of whichever connection crosses that size: the booking thread's or the delivery thread's, while it holds the write
 * lock the three writers share (write-lock.ts), or the API thread's, blocking its event loop. The copy and its two
 * fsyncs (the WAL, then the database file) made that COMMIT the longest wait of every writer behind it: through
 * GroupCommit, 300 batches of 100 bookings had a p99 of 24–30 ms with autocheckpoint against 18–20 ms without, on a
 * quiet disk; after the sync suites had written hundreds of MB the booking thread and the delivery thread waited 44
 * times for 635 ms in all for that lock in one run (docs/benchmarks.md, tenth pass).
 *
 * So the daemon's writers turn autocheckpoint off (`wal_autocheckpoint = 0`, where they open their connections) and
 * this thread checkpoints every CHECKPOINT_INTERVAL_MS with PASSIVE: it copies what no reader still needs, never waits
 * for a lock, and the writers go on appending to the WAL meanwhile. A WAL past CHECKPOINT_COMPLETE_AT_FRAMES is then
 * finished under the writers' lock, so that SQLite can start it again from its beginning (checkpointer.ts). Only the
 * catalogue sync's connection keeps autocheckpoint: it holds no lock anyone waits for, and it keeps the WAL bounded
 * while this thread is restarting. Other processes (the CLI) keep SQLite's default. The last connection to close
 * checkpoints as always.
 */
export const CHECKPOINT_INTERVAL_MS = 1000;
/**
 * A WAL of more frames than this (32 MiB of 4 KiB pages) is finished under the writers' lock after the copy
 * (checkpointer.ts says why): during a burst once a second, for the frames committed while the copy ran.
 */
export const CHECKPOINT_COMPLETE_AT_FRAMES = 8192;

/** Words of the shared counters: checkpoints that copied something, frames copied, time in tenths of a ms (all and
 *  the longest), checkpoints that failed, then the same for the finishing runs under the writers' lock. */
export const CHECKPOINT_STATS = { RUNS: 0, FRAMES: 1, TENTHS: 2, MAX_TENTHS: 3, FAILED: 4, LOCKED_RUNS: 5, LOCKED_TENTHS: 6, LOCKED_MAX_TENTHS: 7 } as const;
export type CheckpointStatsWords = Int32Array;

export interface CheckpointStats {
  runs: number;
  frames: number;
  ms: number;
  maxMs: number;
  failed: number;
  /** Finishing runs under the writers' lock: how many, the lock held in all, the longest. */
  locked: { runs: number; ms: number; maxMs: number };
}

export interface CheckpointThread {
  start(): void;
  stop(): Promise<void>;
  stats(): CheckpointStats;
  /** Ends the thread as a crash would (tests): it starts again in 1 s. */
  terminate(): Promise<void>;
}

/**
 * `writeLock`: the lock the daemon's writers share (write-lock.ts), read when the thread starts (the delivery thread
 * creates it); without one a WAL is only ever copied, never finished.
 */
export function checkpointThread(o: { path: string; logger: Logger; intervalMs?: number; completeAtFrames?: number; writeLock?: () => WriteLock | undefined }): CheckpointThread {
  const words: CheckpointStatsWords = new Int32Array(new SharedArrayBuffer(4 * 8));
  let worker: Worker | null = null;
  let stopping = false;
  let restart: NodeJS.Timeout | undefined;
  const spawn = () => {
    const { script, entry } = workerScript('checkpointer');
    const lock = o.writeLock?.();
    const w = new Worker(script, {
      workerData: {
        entry,
        path: o.path,
        intervalMs: o.intervalMs ?? CHECKPOINT_INTERVAL_MS,
        completeAtFrames: o.completeAtFrames ?? CHECKPOINT_COMPLETE_AT_FRAMES,
        stats: words,
        writeLock: lock,
      },
    });
    const tid = w.threadId;
    worker = w;
    let warned = false;
    w.on('message', (m: { type: string; message?: string; code?: string }) => {
      // One line per thread's life: a disk that fails every second would otherwise log every second.
      if (m.type === 'failed' && !warned) {
        warned = true;
        o.logger.warn({ code: m.code, err: m.message }, 'WAL checkpoint failed; the next ones are counted, not logged');
      }
    });
    w.on('error', (e) => o.logger.error({ err: e }, 'checkpoint thread failed'));
    w.on('exit', (code) => {
      // A thread that died finishing a checkpoint leaves the writers' lock to them.
      if (lock) releaseIfHeldBy(lock, tid);
      if (worker === w) worker = null;
      if (!stopping) {
        o.logger.error({ code }, 'checkpoint thread exited: starting it again in 1 s');
        restart = setTimeout(spawn, 1000);
      }
    });
  };
  return {
    start() {
      if (worker || stopping) return;
      spawn();
    },
    async stop() {
      stopping = true;
      clearTimeout(restart);
      const w = worker;
      if (!w) return;
      const stopped = new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.on('message', (m: { type: string }) => m.type === 'stopped' && resolve());
      });
      w.postMessage({ type: 'stop' });
      // A last checkpoint stuck on a dead disk must not hold the daemon's stop: the main connection's close checkpoints.
      const timer = setTimeout(() => void w.terminate(), 15_000);
      await stopped;
      clearTimeout(timer);
      worker = null;
    },
    async terminate() {
      await worker?.terminate();
    },
    stats() {
      const at = (i: number) => Atomics.load(words, i);
      return {
        runs: at(CHECKPOINT_STATS.RUNS),
        frames: at(CHECKPOINT_STATS.FRAMES),
        ms: at(CHECKPOINT_STATS.TENTHS) / 10,
        maxMs: at(CHECKPOINT_STATS.MAX_TENTHS) / 10,
        failed: at(CHECKPOINT_STATS.FAILED),
        locked: { runs: at(CHECKPOINT_STATS.LOCKED_RUNS), ms: at(CHECKPOINT_STATS.LOCKED_TENTHS) / 10, maxMs: at(CHECKPOINT_STATS.LOCKED_MAX_TENTHS) / 10 },
      };
    },
  };
}
