import { mkdir, open, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, join } from 'node:path';
import { storageFault } from '../../api/errors.js';
import { BankParseError } from '../parse/index.js';
import type { ImportReport } from '../import/types.js';

/**
 * The largest statement file read (issue 13.6). A year of a busy account in 1CClientBankExchange is a few tens of
 * MB (≈ 600 bytes per document); anything larger is not a statement, and reading it whole would hold it in the
 * daemon's memory (a file over 2 GiB made readFile throw for the whole folder).
 */
export const MAX_STATEMENT_BYTES = 256 * 1024 * 1024;

export interface FolderOptions {
  /** config.bank.watchDir */
  dir: string;
  /** Relative to dir, or absolute. */
  processedDir: string;
  failedDir: string;
  /** A file modified less than this long ago is left for the next run (the bank client may still be writing). */
  settleMs: number;
  now?: () => number;
  /** Files larger than this go to failed/ unread. Default MAX_STATEMENT_BYTES. */
  maxFileBytes?: number;
  /** Reads a file of at most `max` bytes (tests inject failures); default readBounded. */
  read?: (path: string, max: number) => Promise<Uint8Array>;
}

export interface FolderRunReport {
  imported: { file: string; movedTo: string; report: ImportReport }[];
  /** movedTo null: the file could not be moved either (it stays, and is tried again next run). */
  failed: { file: string; movedTo: string | null; error: string }[];
  /** Too fresh to touch this run. */
  waiting: string[];
  /** Left in place because ReGate's own storage failed (disk full, read-only): not the file's fault. */
  retry: { file: string; error: string }[];
}

export class FileTooLarge extends Error {
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(`${mb(size)} МБ — больше предела ${mb(max)} МБ для файла выписки; файл не прочитан`);
    this.name = 'FileTooLarge';
  }
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 3 : 0);

/**
 * Reads at most `max` bytes: the size is checked on the open descriptor (the file cannot be swapped between the
 * check and the read), and a file that grew past `max` while being read is refused too.
 */
export async function readBounded(path: string, max: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size > max) throw new FileTooLarge(size, max);
    const buf = Buffer.allocUnsafe(Math.min(size, max) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > max) throw new FileTooLarge(got, max);
      if (got === buf.length) break;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/**
 * One pass over the watched folder: every regular file in it (not sub-folders, not dot-files) is imported, oldest
 * first, then moved to processed/ — or to failed/ with `<name>.error.txt` beside it saying why (line and reason
 * for a damaged file; size for a file too large to be a statement; the system error for one that cannot be read).
 * Each file on its own: one that cannot be read, parsed or moved never stops the others, and every error names its
 * file. A file that cannot be moved stays and is retried next run; re-importing it is harmless (same bytes →
 * nothing new). Names already taken in the target get a time suffix, never overwrite. When ReGate's own database
 * fails (disk full, read-only) the file stays where it is and the pass stops: the next file would fail the same way.
 */
export async function runFolder(opts: FolderOptions, importFile: (bytes: Uint8Array, name: string) => ImportReport): Promise<FolderRunReport> {
  const now = opts.now ?? Date.now;
  const max = opts.maxFileBytes ?? MAX_STATEMENT_BYTES;
  const read = opts.read ?? readBounded;
  const out: FolderRunReport = { imported: [], failed: [], waiting: [], retry: [] };
  const processed = isAbsolute(opts.processedDir) ? opts.processedDir : join(opts.dir, opts.processedDir);
  const failed = isAbsolute(opts.failedDir) ? opts.failedDir : join(opts.dir, opts.failedDir);
  await mkdir(processed, { recursive: true });
  await mkdir(failed, { recursive: true });

  const entries = await readdir(opts.dir, { withFileTypes: true });
  const files: { name: string; mtime: number; size: number }[] = [];
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    try {
      const s = await stat(join(opts.dir, e.name));
      files.push({ name: e.name, mtime: s.mtimeMs, size: s.size });
    } catch {
      /* gone since readdir: nothing to import */
    }
  }
  files.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));

  const reject = async (path: string, name: string, error: string) => {
    let movedTo: string | null = null;
    try {
      movedTo = await moveFree(path, failed, name, now());
      await writeFile(`${movedTo}.error.txt`, `${new Date(now()).toISOString()} ${name}\n${error}\n`);
    } catch (e) {
      error += `; файл не перемещён в ${failed}: ${(e as Error).message}`;
    }
    out.failed.push({ file: name, movedTo, error });
  };

  for (const f of files) {
    if (now() - f.mtime < opts.settleMs) {
      out.waiting.push(f.name);
      continue;
    }
    const path = join(opts.dir, f.name);
    let bytes: Uint8Array;
    try {
      if (f.size > max) throw new FileTooLarge(f.size, max); // not even opened
      bytes = await read(path, max);
    } catch (e) {
      await reject(path, f.name, `${f.name}: ${e instanceof FileTooLarge ? e.message : `не читается (${(e as NodeJS.ErrnoException).code ?? 'ошибка'}: ${(e as Error).message})`}`);
      continue;
    }
    let report: ImportReport;
    try {
      report = importFile(bytes, f.name);
    } catch (e) {
      const storage = storageFault(e);
      if (storage) {
        out.retry.push({ file: f.name, error: `${f.name}: ${storage.message}` });
        break;
      }
      const error = e instanceof BankParseError ? `строка ${e.line}: ${e.reason} [${e.code}]` : (e as Error).message ?? String(e);
      await reject(path, f.name, error);
      continue;
    }
    try {
      const movedTo = await moveFree(path, processed, f.name, now());
      out.imported.push({ file: f.name, movedTo, report });
    } catch (e) {
      // Imported; it stays in the folder and is a no-op next run (same bytes). Reported so someone fixes the rights.
      out.failed.push({ file: f.name, movedTo: null, error: `${f.name}: загружен, но не перемещён в ${processed}: ${(e as Error).message}` });
    }
  }
  return out;
}

async function moveFree(from: string, dir: string, name: string, now: number): Promise<string> {
  let target = join(dir, name);
  try {
    await stat(target);
    const ext = extname(name);
    const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
    target = join(dir, `${basename(name, ext)}.${stamp}${ext}`);
  } catch {
    /* free */
  }
  await rename(from, target);
  return target;
}
