import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Storage damage found when the database is opened (issue 13.7). With the WAL deleted or corrupted after a crash
 * SQLite opens the file as of the last checkpoint and says nothing: acknowledged orders are silently gone. The
 * daemon must not start (and report ready) on that; the message names the file and the way out.
 */
export type DamageCode = 'WAL_MISSING' | 'WAL_CORRUPT' | 'NOT_A_DATABASE' | 'MALFORMED';

export const RECOVERY_DOC = 'docs/ru/troubleshooting.md, раздел «База данных ReGate повреждена»';

export class StorageDamagedError extends Error {
  readonly code: DamageCode;
  constructor(
    code: DamageCode,
    readonly path: string,
    detail: string,
  ) {
    super(`База данных ReGate ${path} повреждена: ${detail}. Работать с ней нельзя: подтверждённые заказы были бы потеряны молча. Что делать: ${RECOVERY_DOC}`);
    this.name = 'StorageDamagedError';
    this.code = code;
  }
}

// ---- WAL integrity ------------------------------------------------------------------------------------------------

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

function checksum(buf: Buffer, start: number, end: number, bigEndian: boolean, s0: number, s1: number): [number, number] {
  for (let i = start; i < end; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

export type WalCheck = { ok: true; frames: number; commits: number } | { ok: false; detail: string };

/**
 * Checks a WAL file the way SQLite reads it (https://sqlite.org/fileformat2.html#walformat): the header's magic and
 * checksum, then each frame's salts and cumulative checksum. SQLite stops at the first frame that fails and ignores
 * the rest — silently. That is harmless for a torn last transaction (a crash mid-write: nothing of it was
 * acknowledged), and data loss when a committed transaction follows the bad frame. So: a bad header with frames
 * behind it, or a bad frame followed by a frame of the same generation (same salts) that commits, is damage.
 * Frames with other salts are the stale tail of an earlier generation (the WAL is reused from the start after a
 * checkpoint): normal. Reads frame by frame: a WAL holds about a second of writes (the daemon's checkpoint thread,
 * workers/checkpoint.ts) or a catalogue sync's transaction, tens of MB at most.
 */
export function checkWal(walPath: string): WalCheck {
  const size = statSync(walPath).size;
  if (size === 0) return { ok: true, frames: 0, commits: 0 };
  const fd = openSync(walPath, 'r');
  try {
    const header = Buffer.alloc(WAL_HEADER);
    if (readSync(fd, header, 0, WAL_HEADER, 0) < WAL_HEADER) return { ok: false, detail: `файл журнала ${walPath} обрезан (${size} байт, меньше заголовка)` };
    const magic = header.readUInt32BE(0);
    if (magic !== 0x377f0682 && magic !== 0x377f0683) return { ok: false, detail: `заголовок журнала ${walPath} испорчен (не WAL SQLite)` };
    const bigEndian = (magic & 1) === 1;
    const pageSize = header.readUInt32BE(8);
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return { ok: false, detail: `заголовок журнала ${walPath} испорчен (размер страницы ${pageSize})` };
    const [h0, h1] = checksum(header, 0, 24, bigEndian, 0, 0);
    if (h0 !== header.readUInt32BE(24) || h1 !== header.readUInt32BE(28)) {
      return size > WAL_HEADER ? { ok: false, detail: `контрольная сумма заголовка журнала ${walPath} не сходится: SQLite отбросил бы весь журнал` } : { ok: true, frames: 0, commits: 0 };
    }
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    const frame = Buffer.alloc(FRAME_HEADER + pageSize);
    let [s0, s1] = [h0, h1];
    let frames = 0;
    let commits = 0;
    let badAt = -1;
    for (let off = WAL_HEADER; off + frame.length <= size; off += frame.length) {
      readSync(fd, frame, 0, frame.length, off);
      const sameGeneration = frame.readUInt32BE(8) === salt1 && frame.readUInt32BE(12) === salt2;
      if (badAt >= 0) {
        // after a bad frame: a later commit of the same generation is a transaction SQLite would drop
        if (sameGeneration && frame.readUInt32BE(4) !== 0) {
          return { ok: false, detail: `журнал ${walPath} испорчен: кадр ${badAt + 1} не сходится по контрольной сумме, а за ним есть подтверждённые транзакции` };
        }
        continue;
      }
      if (!sameGeneration) break; // the stale tail of an earlier generation
      [s0, s1] = checksum(frame, 0, 8, bigEndian, s0, s1);
      [s0, s1] = checksum(frame, FRAME_HEADER, frame.length, bigEndian, s0, s1);
      if (s0 !== frame.readUInt32BE(16) || s1 !== frame.readUInt32BE(20) || frame.readUInt32BE(0) === 0) {
        badAt = frames;
        continue;
      }
      frames++;
      if (frame.readUInt32BE(4) !== 0) commits++;
    }
    return { ok: true, frames, commits };
  } finally {
    closeSync(fd);
  }
}

// ---- open markers: did the last process holding the file exit without closing it? ---------------------------------

/**
 * `<db>.open-<pid>` exists while a process holds the database for writing. One left behind by a process that is
 * gone means it did not close the file (a crash, kill -9, power loss): its WAL must still be there, because SQLite
 * deletes the WAL only when the last connection closes. A leftover marker with no WAL means the WAL was deleted
 * after the crash, and with it every transaction since the last checkpoint.
 */
const markerPrefix = (dbPath: string) => `${basename(dbPath)}.open-`;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OpenMarker {
  path: string;
  pid: number;
  alive: boolean;
  /** The database file the process held (device:inode); undefined for an unreadable mark. */
  file?: string;
}

const fileId = (path: string) => {
  const st = statSync(path);
  return `${st.dev}:${st.ino}`;
};

export function openMarkers(dbPath: string): OpenMarker[] {
  const dir = dirname(dbPath);
  const prefix = markerPrefix(dbPath);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => {
      const pid = Number(n.slice(prefix.length));
      let file: string | undefined;
      try {
        file = (JSON.parse(readFileSync(join(dir, n), 'utf8')) as { file?: string }).file;
      } catch {
        /* unreadable: taken as the same file */
      }
      return { path: join(dir, n), pid, alive: alive(pid), file };
    });
}

/**
 * The checks before SQLite opens the file: a WAL deleted after a crash (a marker of a dead process, no WAL) or a
 * damaged WAL (not while another live process holds the file: its WAL is being written). Throws
 * StorageDamagedError. Returns the stale markers, for the caller to remove once SQLite has recovered the WAL.
 */
export function checkBeforeOpen(dbPath: string): string[] {
  if (!existsSync(dbPath)) return [];
  const markers = openMarkers(dbPath);
  const current = fileId(dbPath);
  // A mark of another file (regate restore renames a copy into place): the crash it records is not this file's.
  const replaced = markers.filter((m) => !m.alive && m.file !== undefined && m.file !== current);
  const stale = markers.filter((m) => !m.alive && !replaced.includes(m));
  const live = markers.filter((m) => m.alive && m.pid !== process.pid);
  const wal = `${dbPath}-wal`;
  const hasWal = existsSync(wal);
  if (stale.length && !hasWal) {
    throw new StorageDamagedError(
      'WAL_MISSING',
      dbPath,
      `процесс ${stale.map((m) => m.pid).join(', ')} завершился, не закрыв базу, а журнал ${wal} удалён — транзакции после последней контрольной точки потеряны. ` +
        `Если базу уже восстановили (из резервной копии, regate restore), удалите ${stale.map((m) => m.path).join(', ')}`,
    );
  }
  if (hasWal && !live.length) {
    const r = checkWal(wal);
    if (!r.ok) throw new StorageDamagedError('WAL_CORRUPT', dbPath, r.detail);
  }
  return [...stale, ...replaced].map((m) => m.path);
}

const held = new Map<string, { count: number; release: () => void }>();

/** Marks the file held by this process (counted: several connections of one process share one mark); the returned
 *  function drops this holder's share, and the mark with the last one (on close, and on exit). */
export function holdMarker(dbPath: string): () => void {
  const path = join(dirname(dbPath), `${markerPrefix(dbPath)}${process.pid}`);
  let entry = held.get(path);
  if (!entry) {
    writeFileSync(path, `${JSON.stringify({ file: fileId(dbPath), at: new Date().toISOString() })}\n`, { flag: 'w' });
    const remove = () => {
      held.delete(path);
      process.off('exit', remove);
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    };
    // On a normal exit without close(): better-sqlite3 closes the file after 'exit' (checkpoint, WAL deleted), so the
    // mark must go first, or the next start would take the deleted WAL for a lost one.
    process.on('exit', remove);
    entry = { count: 0, release: remove };
    held.set(path, entry);
  }
  entry.count++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const e = held.get(path);
    if (e && --e.count <= 0) e.release();
  };
}

/** SQLite's own verdicts on a damaged file, named with the file and the way out. */
export function damageOf(dbPath: string, e: unknown): StorageDamagedError | undefined {
  const code = (e as { code?: string } | null)?.code ?? '';
  if (code === 'SQLITE_NOTADB') return new StorageDamagedError('NOT_A_DATABASE', dbPath, 'файл не является базой SQLite (file is not a database)');
  if (code.startsWith('SQLITE_CORRUPT')) return new StorageDamagedError('MALFORMED', dbPath, `SQLite: ${(e as Error).message}`);
  return undefined;
}
