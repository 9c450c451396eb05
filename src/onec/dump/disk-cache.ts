import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { MdConfiguration } from './types.js';

/**
 * Parsed dumps kept on disk between processes. Parsing a dump's XML costs seconds (2026-12-03, load ~6: Розница 2.5 s,
 * УТ 11.5.20 4.3 s, ERP 2.5.17 6.7 s) and every process paid it again: each `regate check --dump`, each demo of another
 * configuration, each test file that builds the emulator from a dump. The structured clone of the result loads in
 * 28 ms (ERP, 4 MB).
 *
 * An entry is used only when it was made from the same files (path, size and mtime of every file under the dump
 * folder: 430 stats for ERP, 10 ms) by the same reader (the hash of the dump reader's own source files), so an edited
 * dump or reader reads again. The folder is the user's own (0700, owned by the process's uid: another user of a shared
 * /tmp cannot plant a model); anything unexpected (no permission, a damaged entry) just reads the XML as before.
 */

const here = dirname(fileURLToPath(import.meta.url));

let readerHash: string | undefined;
/** The dump reader's own files (read, edt, types; .ts in a checkout, .js in a release): a change re-reads every dump. */
function reader(): string {
  if (readerHash) return readerHash;
  const h = createHash('sha256');
  for (const f of readdirSync(here).sort()) {
    if (/^(read|edt|types|disk-cache)\.(ts|js)$/.test(f)) h.update(f).update(readFileSync(join(here, f)));
  }
  return (readerHash = h.digest('hex'));
}

/** Every file under the folder with its size and mtime, in a stable order. */
function fingerprint(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const s = statSync(p);
        h.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(dir);
  return h.digest('hex');
}

export interface DumpDiskCache {
  get(dir: string): MdConfiguration | undefined;
  put(dir: string, cfg: MdConfiguration): void;
}

export function defaultCacheRoot(): string {
  return join(tmpdir(), `regate-dump-cache-${process.getuid?.() ?? 'user'}`);
}

/** A cache under `root` (created 0700). Never throws: a cache that cannot be used is a miss. */
export function dumpDiskCache(root = defaultCacheRoot()): DumpDiskCache {
  const usable = (): boolean => {
    try {
      mkdirSync(root, { recursive: true, mode: 0o700 });
      const s = statSync(root);
      const uid = process.getuid?.();
      return s.isDirectory() && (uid === undefined || s.uid === uid) && (s.mode & 0o077) === 0;
    } catch {
      return false;
    }
  };
  const names = (dir: string) => {
    const real = realpathSync(dir);
    const prefix = createHash('sha256').update(real).digest('hex').slice(0, 16);
    const key = createHash('sha256').update(reader()).update(fingerprint(real)).digest('hex').slice(0, 32);
    return { prefix, file: join(root, `${prefix}-${key}.v8`) };
  };
  return {
    get(dir) {
      try {
        if (!usable()) return undefined;
        const cfg = deserialize(readFileSync(names(dir).file)) as MdConfiguration;
        if (!(cfg?.objects instanceof Map)) return undefined;
        cfg.dir = dir; // the path it is asked by (a symlink, a relative path): what messages name
        return cfg;
      } catch {
        return undefined;
      }
    },
    put(dir, cfg) {
      try {
        if (!usable()) return;
        const { prefix, file } = names(dir);
        // Older entries of the same folder are stale by construction: keep one per dump.
        for (const f of readdirSync(root)) if (f.startsWith(`${prefix}-`) && join(root, f) !== file) rmSync(join(root, f), { force: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, serialize(cfg), { mode: 0o600 });
        renameSync(tmp, file); // atomic: a process reading at the same time sees the old entry or the whole new one
      } catch {
        /* a cache that cannot be written is only slower */
      }
    },
  };
}
