import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { createLogger } from '../../src/log.js';
import { checkpointThread, type CheckpointThread } from '../../src/workers/checkpoint.js';
import { createWriteLock, guardWrites } from '../../src/workers/write-lock.js';

// WAL checkpoints on a thread of their own (src/workers/checkpoint.ts): the writers' connections turn autocheckpoint
// off, and this thread copies the WAL back on its timer without taking any lock the writers wait for.
let work: string | undefined;
let db: Db | undefined;
let thread: CheckpointThread | undefined;
afterEach(async () => {
  await thread?.stop();
  db?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  thread = db = work = undefined;
});

const until = async (ok: () => boolean, ms = 30_000) => {
  // Starting a thread compiles its sources (tsx): seconds on a loaded host.
  for (const end = Date.now() + ms; !ok() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
};

describe('the checkpoint thread', () => {
  it('copies back what a writer without autocheckpoint left in the WAL, while that writer goes on writing', async () => {
    work = mkdtempSync(join(tmpdir(), 'regate-checkpoint-'));
    const path = join(work, 'regate.sqlite');
    db = openDb(path);
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
    const put = db.prepare('INSERT INTO t (v) VALUES (?)');
    const write = (pages: number) => db!.transaction(() => {
      for (let i = 0; i < pages; i++) put.run(Buffer.alloc(3000, i));
    })();
    // 2,500 rows of 3 KB: ~2,500 pages, past SQLite's autocheckpoint of 1,000, which would have copied the WAL back
    // and started it again from its beginning (the file stays ~4 MB). Without it the WAL holds them all.
    for (let i = 0; i < 5; i++) write(500);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(2400 * 4096);

    const lines: { level: number; msg?: string }[] = [];
    thread = checkpointThread({ path, logger: createLogger('info', { write: (l: string) => void lines.push(JSON.parse(l)) }), intervalMs: 20 });
    thread.start();
    await until(() => thread!.stats().frames >= 2400);
    const first = thread.stats();
    expect(first.runs).toBeGreaterThanOrEqual(1);
    expect(first.frames).toBeGreaterThanOrEqual(2400);
    expect(first.failed).toBe(0);

    // The writer goes on; the next runs copy only what is new (the WAL restarts from its beginning once all was copied).
    write(300);
    await until(() => thread!.stats().frames >= first.frames + 290);
    const second = thread.stats();
    expect(second.runs).toBeGreaterThan(first.runs);
    expect(second.frames - first.frames).toBeGreaterThanOrEqual(290);
    expect(second.frames - first.frames).toBeLessThan(1000);
    // Nothing left to copy: a checkpoint now finds every frame already in the file.
    const row = db.pragma('wal_checkpoint(PASSIVE)', { simple: false }) as { log: number; checkpointed: number }[];
    expect(row[0].checkpointed).toBe(row[0].log);
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(2800);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);

    // Stopped, it runs no more.
    await thread.stop();
    const stopped = thread.stats();
    write(100);
    await new Promise((r) => setTimeout(r, 100));
    expect(thread.stats()).toEqual(stopped);
  }, 60_000);

  it('keeps the WAL from growing without end under a writer that never stops, by finishing the copy under the writers\' lock', async () => {
    // SQLite starts the WAL again from its beginning only when a writer begins with every frame copied; a checkpoint
    // running beside commits that never pause never leaves it so. Finished under the lock the writers share, the
    // WAL stays small; copied only, it grows with everything written.
    const writeFor = async (path: string, withLock: boolean) => {
      const w = openDb(path);
      w.pragma('wal_autocheckpoint = 0');
      const lock = createWriteLock();
      if (withLock) guardWrites(w, lock, 5000);
      w.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
      const put = w.prepare('INSERT INTO t (v) VALUES (?)');
      const batch = w.transaction(() => {
        for (let i = 0; i < 20; i++) put.run(Buffer.alloc(3000, i));
      });
      const t = checkpointThread({ path, logger: createLogger('error'), intervalMs: 10, completeAtFrames: 200, writeLock: withLock ? () => lock : undefined });
      t.start();
      await until(() => t.stats().runs > 0 || false, 30_000);
      let maxWal = 0;
      // ~4,000 pages in 200 batches, one after another with only a turn of the loop between them.
      for (let i = 0; i < 200; i++) {
        batch();
        maxWal = Math.max(maxWal, statSync(`${path}-wal`).size);
        await new Promise((r) => setImmediate(r));
      }
      await t.stop();
      const stats = t.stats();
      w.close();
      return { maxWal, stats };
    };
    work = mkdtempSync(join(tmpdir(), 'regate-checkpoint-'));
    const locked = await writeFor(join(work, 'locked.sqlite'), true);
    const copiedOnly = await writeFor(join(work, 'copied.sqlite'), false);
    // Copied only, the WAL holds most of the 4,000 pages (16 MB); finished under the lock, a few hundred. On a loaded
    // host the copy sometimes caught up between two batches and SQLite started the WAL again (9.4 MB at most in a run
    // of test/workers beside the rest of a session's work, 2026-12-05): what must hold is that it grows to thousands of
    // pages, not nearly all of them.
    expect(copiedOnly.maxWal).toBeGreaterThan(1500 * 4096);
    expect(copiedOnly.stats.locked.runs).toBe(0);
    expect(locked.stats.locked.runs).toBeGreaterThan(0);
    expect(locked.maxWal).toBeLessThan(copiedOnly.maxWal / 3);
  }, 60_000);

  it('a thread that dies starts again by itself and goes on checkpointing', async () => {
    work = mkdtempSync(join(tmpdir(), 'regate-checkpoint-'));
    const path = join(work, 'regate.sqlite');
    db = openDb(path);
    db.pragma('wal_autocheckpoint = 0');
    const lock = createWriteLock();
    guardWrites(db, lock, 5000);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
    const write = (rows: number) => db!.transaction(() => {
      for (let i = 0; i < rows; i++) db!.prepare('INSERT INTO t (v) VALUES (?)').run(Buffer.alloc(3000, i));
    })();
    const lines: { level: number; msg?: string }[] = [];
    thread = checkpointThread({ path, logger: createLogger('info', { write: (l: string) => void lines.push(JSON.parse(l)) }), intervalMs: 20, completeAtFrames: 50, writeLock: () => lock });
    thread.start();
    write(100);
    await until(() => thread!.stats().frames >= 100);
    await thread.terminate();
    // The administrator sees it, and it comes back by itself.
    await until(() => lines.some((l) => l.msg?.startsWith('checkpoint thread exited')));
    expect(lines.some((l) => l.level === 50 && l.msg?.startsWith('checkpoint thread exited'))).toBe(true);
    const before = thread.stats();
    write(100);
    await until(() => thread!.stats().frames >= before.frames + 100);
    expect(thread.stats().frames).toBeGreaterThanOrEqual(before.frames + 100);
    // The writers' lock is free after it (one that dies holding it has it released by checkpoint.ts's exit handler, releaseIfHeldBy).
    expect(Atomics.load(lock, 0)).toBe(0);
    const t = performance.now();
    write(1);
    expect(performance.now() - t).toBeLessThan(1000);
  }, 60_000);
});
