import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/open.js';

/**
 * One SQL statement per file in ./sql (graphile-worker's habit): each query carries its own comment saying why
 * it is shaped that way and which index serves it, and a reviewer reads SQL as SQL. Files are read once per
 * process; statements are prepared once per connection.
 */
const DIR = join(dirname(fileURLToPath(import.meta.url)), 'sql');

const NAMES = [
  'enqueue',
  'find_live_dedupe',
  'count_running',
  'pick',
  'claim',
  'bury_expired',
  'complete',
  'get_leased',
  'fail',
  'extend',
  'lease_pids',
  'release_dead_holder',
  'next_due',
  'get',
  'list',
  'list_all',
  'retry',
  'drop',
  'stats',
  'count_pending',
  'head_of_key',
  'purge_finished',
] as const;
export type SqlName = (typeof NAMES)[number];

let texts: Record<SqlName, string> | undefined;
function text(name: SqlName): string {
  texts ??= Object.fromEntries(NAMES.map((n) => [n, readFileSync(join(DIR, `${n}.sql`), 'utf8')])) as Record<
    SqlName,
    string
  >;
  return texts[name];
}

const cache = new WeakMap<Db, Map<SqlName, Database.Statement>>();

/** The prepared statement `name` on this connection. */
export function stmt(db: Db, name: SqlName): Database.Statement {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  let s = m.get(name);
  if (!s) m.set(name, (s = db.prepare(text(name))));
  return s;
}

/** For the plan test: the raw text of a statement. */
export function sqlText(name: SqlName): string {
  return text(name);
}
