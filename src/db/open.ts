import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

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
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false });
  if (path !== ':memory:') {
    const st = statSync(path);
    opened.set(db, { path, dev: st.dev, ino: st.ino });
  }
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  }
  return db;
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
