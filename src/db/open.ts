import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkBeforeOpen, damageOf, holdMarker, StorageDamagedError } from './integrity.js';

export type Db = Database.Database;
export { StorageDamagedError } from './integrity.js';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens the one SQLite file that holds everything local (mirror, orders, outbox, bank payments) and brings its
 * schema up to date.
 *
 * Pragmas, and why:
 * - journal_mode=WAL: readers (the API serving the mirror) never block the writer (sync, outbox) and vice versa.
 * - synchronous=FULL: a commit is on disk before we answer 2xx. NORMAL in WAL mode may lose the last
 *   transactions on power loss, and a lost acknowledged order is the one thing ReGate must never do.
 * - busy_timeout: the CLI (`regate outbox retry`) and the daemon share the file; wait rather than fail. The wait is
 *   synchronous (better-sqlite3), so the daemon passes a short one: a 5 s wait behind another process's write
 *   stalled every request, /healthz included (measured 5,096 ms); 250 ms then a 503 with Retry-After is better.
 */
export function openDb(path: string, opts: { readonly?: boolean; busyTimeoutMs?: number } = {}): Db {
  const file = path !== ':memory:';
  if (file) mkdirSync(dirname(path), { recursive: true });
  // Damage SQLite would not report (issue 13.7): a WAL deleted or corrupted after a crash. See db/integrity.ts.
  const stale = file ? checkBeforeOpen(path) : [];
  let db: Db | undefined;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false });
    if (file) {
      const st = statSync(path);
      opened.set(db, { path, dev: st.dev, ino: st.ino });
    }
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    }
    if (file) quickCheck(db, path);
    if (!opts.readonly) migrate(db);
  } catch (e) {
    try {
      db?.close();
    } catch {
      /* the error that matters is e */
    }
    throw (file && damageOf(path, e)) || e;
  }
  if (file && !opts.readonly) {
    // SQLite has replayed the WAL of the process that died: its marks are history now.
    for (const m of stale) rmSync(m, { force: true });
    const release = holdMarker(path);
    const close = db.close.bind(db);
    // The mark goes before the file is closed: a crash in between leaves the WAL and no mark (fine), never the
    // other way round (a mark without the WAL reads as a lost WAL at the next start).
    db.close = (() => {
      release();
      return close();
    }) as Db['close'];
  }
  return db;
}

/**
 * PRAGMA quick_check at open: O(N) in the file's size but without index cross-checks (measured 172 ms on a 100 MB
 * file with an index here; integrity_check took 656 ms);
 * a damaged page found now is a clear error at start instead of a 503 on some request later.
 */
function quickCheck(db: Db, path: string): void {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
  if (problems.length) throw new StorageDamagedError('MALFORMED', path, `PRAGMA quick_check: ${problems.join('; ')}`);
}

/**
 * Migrations are files `src/db/migrations/NNN_name.sql`, applied once each in name order inside one transaction
 * per file. Features own number ranges so that they never collide: 000–009 core, 010–019 catalog (mirror),
 * 020–029 orders and clients, 030–039 outbox, 040–049 bank, 050–059 observability.
 */
export function migrate(db: Db, dir = MIGRATIONS_DIR): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  )`);
  const applied = new Set(db.prepare('SELECT name FROM schema_migrations').pluck().all() as string[]);
  const files = readdirSync(dir).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
  const done: string[] = [];
  for (const file of files) {
    if (applied.has(file)) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (name) VALUES (?)').run(file);
    })();
    done.push(file);
  }
  return done;
}

// ---- storage probe (for readiness and `regate status`) ----------------------------------------------------------

const opened = new WeakMap<Db, { path: string; dev: number; ino: number }>();

export interface StorageProbe {
  ok: boolean;
  /** SQLite result code or our own: READONLY, MOVED, LOW_SPACE, BUSY. */
  code?: string;
  detail: string;
}

/**
 * Can the database take a write right now? A write that fails already answers 503 storage_unavailable (api/errors);
 * this says so before a request has to fail, for /readyz and the operator:
 * - read-only: the file or directory is not writable (SQLite then opens read-only without an error), or
 *   `PRAGMA query_only` is on. Probed by a write statement that changes nothing (`DELETE … WHERE 0` still takes the
 *   write path), with busy_timeout 0 so a probe never stalls the event loop behind another writer (BUSY is reported).
 * - moved or deleted: the path no longer names the file we hold open. SQLite in WAL mode keeps accepting writes
 *   into the unlinked file, and they are gone at the next start: the one case where a 2xx would not survive.
 * - low space: fewer than minFreeBytes free on the file system (default 64 MB), before SQLITE_FULL.
 */
export function probeStorage(db: Db, opts: { minFreeBytes?: number } = {}): StorageProbe {
  const where = opened.get(db);
  if (where) {
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(where.path);
    } catch {
      /* gone */
    }
    if (!st || st.ino !== where.ino || st.dev !== where.dev) {
      return { ok: false, code: 'MOVED', detail: `файл базы ${where.path} удалён или заменён после открытия; перезапустите ReGate` };
    }
  }
  if (db.readonly) return { ok: false, code: 'READONLY', detail: 'база открыта только для чтения' };
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  try {
    db.pragma('busy_timeout = 0');
    db.transaction(() => db.prepare('DELETE FROM schema_migrations WHERE 0').run())();
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'ERROR';
    const detail = code.startsWith('SQLITE_BUSY') ? 'база занята другим процессом' : `запись в базу невозможна: ${(e as Error).message}`;
    return { ok: code.startsWith('SQLITE_BUSY'), code, detail };
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
  if (where) {
    const min = opts.minFreeBytes ?? 64 * 1024 * 1024;
    const fs = statfsSync(dirname(where.path));
    const free = fs.bavail * fs.bsize;
    if (free < min) return { ok: false, code: 'LOW_SPACE', detail: `на диске свободно ${Math.floor(free / 1024 / 1024)} МБ (нужно не меньше ${Math.floor(min / 1024 / 1024)})` };
  }
  return { ok: true, detail: 'запись в базу возможна' };
}
