import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
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
 * - busy_timeout: the CLI (`regate outbox retry`) and the daemon share the file; wait rather than fail.
 */
export function openDb(path: string, opts: { readonly?: boolean } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
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
