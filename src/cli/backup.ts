import Database from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';

/**
 * `regate backup` / `regate restore`: SQLite's online backup API (through better-sqlite3), so the daemon keeps
 * running and writing during a backup (WAL: a reader never blocks the writer), and no sqlite3 CLI is needed (there
 * is none on Windows).
 */
export class BackupError extends Error {
  override name = 'BackupError';
}

export interface BackupReport {
  file: string;
  bytes: number;
  pages: number;
  ms: number;
}

/**
 * Copies the live database to `file` as one consistent snapshot. The whole copy is asked for in one backup step:
 * step by step, every write of the running daemon between two steps would restart the copy (SQLite's rule for a
 * source changed by another connection), and a busy daemon could keep a large base from ever finishing. One step
 * holds a read snapshot for its duration, which in WAL mode blocks no writer. The copy is written beside and
 * renamed, and checked (integrity_check) before it is called a backup.
 */
export async function backupDatabase(dbPath: string, file: string, opts: { force?: boolean } = {}): Promise<BackupReport> {
  if (!existsSync(dbPath)) throw new BackupError(`нет базы ${dbPath} (database.path): нечего сохранять`);
  const target = resolve(file);
  if (target === resolve(dbPath)) throw new BackupError('файл копии совпадает с самой базой');
  if (existsSync(target) && !opts.force) throw new BackupError(`${file} уже есть; --force перезапишет его`);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.partial-${process.pid}`;
  const started = performance.now();
  const src = new Database(dbPath, { readonly: true, fileMustExist: true });
  let pages = 0;
  try {
    src.pragma('busy_timeout = 5000');
    await src.backup(tmp, {
      progress: ({ totalPages }) => {
        pages = totalPages;
        return Math.max(totalPages, 1) * 2; // everything remaining in the next step (see above)
      },
    });
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new BackupError(`копия не снята: ${(e as Error).message}`);
  } finally {
    src.close();
  }
  const problem = checkDatabaseFile(tmp);
  if (problem) {
    rmSync(tmp, { force: true });
    throw new BackupError(`копия не прошла проверку: ${problem}`);
  }
  fsyncFile(tmp);
  renameSync(tmp, target);
  return { file: target, bytes: statSync(target).size, pages, ms: Math.round(performance.now() - started) };
}

/** null when `file` is an intact ReGate database, else why not. */
export function checkDatabaseFile(file: string): string | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const ok = db.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') return `integrity_check: ${String(ok)}`;
    const migrations = db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).pluck().get() as number;
    if (!migrations) return 'это не база ReGate (нет таблицы schema_migrations)';
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    db?.close();
  }
}

/**
 * Whether any process has the database open, asked of SQLite itself: taking the EXCLUSIVE locking mode fails while
 * another connection (a running daemon, a `regate sync`) holds the WAL. Returns null when free.
 */
export function databaseInUse(dbPath: string): string | null {
  if (!existsSync(dbPath)) return null;
  const db = new Database(dbPath, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return null;
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'база открыта другим процессом';
    throw e;
  } finally {
    db.close();
  }
}

export interface RestoreReport {
  dbPath: string;
  /** Where the replaced database was kept (null when there was none). */
  previous: string | null;
  bytes: number;
}

/**
 * Puts a backup in place of the database. Refuses while anything holds the database (the daemon must be stopped:
 * replacing the file under a running process would lose its writes and confuse its WAL). The backup is checked
 * first; the replaced database is kept beside as `<db>.before-restore-<time>` (one command undoes a wrong restore),
 * and its -wal/-shm files go with it, so SQLite cannot replay the old WAL onto the restored file.
 */
export function restoreDatabase(file: string, dbPath: string, now = new Date()): RestoreReport {
  if (!existsSync(file)) throw new BackupError(`нет файла ${file}`);
  const problem = checkDatabaseFile(file);
  if (problem) throw new BackupError(`${file} не годится для восстановления: ${problem}`);
  const busy = databaseInUse(dbPath);
  if (busy) {
    throw new BackupError(
      `${busy} (${dbPath}): остановите ReGate перед восстановлением (systemctl stop regate, на Windows: Stop-Service regate) и повторите`,
    );
  }
  mkdirSync(dirname(resolve(dbPath)), { recursive: true });
  const tmp = `${dbPath}.restore-${process.pid}`;
  copyFileSync(file, tmp);
  fsyncFile(tmp);
  let previous: string | null = null;
  if (existsSync(dbPath)) {
    previous = `${dbPath}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dbPath, previous);
    for (const suffix of ['-wal', '-shm']) if (existsSync(dbPath + suffix)) renameSync(dbPath + suffix, previous + suffix);
  }
  renameSync(tmp, dbPath);
  return { dbPath, previous, bytes: statSync(dbPath).size };
}

function fsyncFile(path: string) {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
