import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, join } from 'node:path';
import { BankParseError } from '../parse/index.js';
import type { ImportReport } from '../import/types.js';

export interface FolderOptions {
  /** config.bank.watchDir */
  dir: string;
  /** Relative to dir, or absolute. */
  processedDir: string;
  failedDir: string;
  /** A file modified less than this long ago is left for the next run (the bank client may still be writing). */
  settleMs: number;
  now?: () => number;
}

export interface FolderRunReport {
  imported: { file: string; movedTo: string; report: ImportReport }[];
  failed: { file: string; movedTo: string; error: string }[];
  /** Too fresh to touch this run. */
  waiting: string[];
}

/**
 * One pass over the watched folder: every regular file in it (not sub-folders, not dot-files) is imported, oldest
 * first, then moved to processed/ — or to failed/ with `<name>.error.txt` beside it saying why (line and reason
 * for a damaged file). A file that cannot be moved stays and is retried next run; re-importing it is harmless
 * (same bytes → nothing new). Names already taken in the target get a time suffix, never overwrite.
 */
export async function runFolder(opts: FolderOptions, importFile: (bytes: Uint8Array, name: string) => ImportReport): Promise<FolderRunReport> {
  const now = opts.now ?? Date.now;
  const out: FolderRunReport = { imported: [], failed: [], waiting: [] };
  const processed = isAbsolute(opts.processedDir) ? opts.processedDir : join(opts.dir, opts.processedDir);
  const failed = isAbsolute(opts.failedDir) ? opts.failedDir : join(opts.dir, opts.failedDir);
  await mkdir(processed, { recursive: true });
  await mkdir(failed, { recursive: true });

  const entries = await readdir(opts.dir, { withFileTypes: true });
  const files: { name: string; mtime: number; size: number }[] = [];
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    const s = await stat(join(opts.dir, e.name));
    files.push({ name: e.name, mtime: s.mtimeMs, size: s.size });
  }
  files.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));

  for (const f of files) {
    if (now() - f.mtime < opts.settleMs) {
      out.waiting.push(f.name);
      continue;
    }
    const path = join(opts.dir, f.name);
    const bytes = await readFile(path);
    let report: ImportReport;
    try {
      report = importFile(bytes, f.name);
    } catch (e) {
      const error = e instanceof BankParseError ? `строка ${e.line}: ${e.reason} [${e.code}]` : (e as Error).message ?? String(e);
      const movedTo = await moveFree(path, failed, f.name, now());
      await writeFile(`${movedTo}.error.txt`, `${new Date(now()).toISOString()} ${f.name}\n${error}\n`);
      out.failed.push({ file: f.name, movedTo, error });
      continue;
    }
    const movedTo = await moveFree(path, processed, f.name, now());
    out.imported.push({ file: f.name, movedTo, report });
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
