import Database from 'better-sqlite3';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFullSync } from '../../src/catalog/sync.js';
import { backupDatabase, databaseInUse, restoreDatabase } from '../../src/cli/backup.js';
import { parseConfig } from '../../src/config/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { ODataClient } from '../../src/onec/index.js';

/** The demo base synced into a real file, then regate backup → regate restore must give back every row. */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(join(tmpdir(), 'regate-backup-'));
const dbPath = join(tmp, 'data', 'regate.sqlite');
let emulator: Emulator;
let db: Db;

/** Every table's rows, in a fixed order: equal dumps = the same data. */
function dump(path: string): Record<string, unknown[]> {
  const d = new Database(path, { readonly: true });
  try {
    const tables = d.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
    // some tables are WITHOUT ROWID: order by content
    const rows = (t: string) => (d.prepare(`SELECT * FROM "${t}"`).raw().all() as unknown[][]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    return Object.fromEntries(tables.map((t) => [t, rows(t)]));
  } finally {
    d.close();
  }
}

beforeAll(async () => {
  emulator = await startEmulator({ base: generateDemoBase({ seed: 42, items: 120 }), users: [{ name: 'odata', password: 'odata' }] });
  const config = parseConfig({ onec: { url: emulator.url, user: 'odata', password: 'odata' }, database: { path: dbPath } });
  db = openDb(dbPath);
  const onec = new ODataClient({ ...config.onec });
  await runFullSync({ db, onec, config });
  await onec.close();
});
afterAll(async () => {
  if (db?.open) db.close();
  await emulator?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('regate backup / regate restore on the demo database', () => {
  it('backs up online while the daemon keeps writing, and the copy holds exactly the rows at its moment', async () => {
    const items = db.prepare('SELECT COUNT(*) FROM catalog_items').pluck().get() as number;
    expect(items).toBeGreaterThan(100);
    // a writer on the open database during the backup (the daemon's connection stays open throughout)
    db.exec(`CREATE TABLE IF NOT EXISTS backup_probe (n INTEGER)`);
    let writes = 0;
    const writer = setInterval(() => {
      db.prepare('INSERT INTO backup_probe VALUES (?)').run(++writes);
    }, 1);
    const r = await backupDatabase(dbPath, join(tmp, 'copy.sqlite'));
    clearInterval(writer);
    expect(r.bytes).toBeGreaterThan(100_000);
    const copy = dump(r.file);
    expect(copy.catalog_items).toHaveLength(items);
    const probe = copy.backup_probe as number[][];
    // a consistent snapshot: 1..k with no gap
    expect(probe.map((p) => p[0]).sort((a, b) => a - b)).toEqual(Array.from({ length: probe.length }, (_, i) => i + 1));
    await expect(backupDatabase(dbPath, join(tmp, 'copy.sqlite'))).rejects.toThrow(/уже есть; --force/);
  });

  it('restore refuses while the database is open, then round-trips it once the daemon stopped', async () => {
    const copy = join(tmp, 'round.sqlite');
    await backupDatabase(dbPath, copy);
    const before = dump(dbPath);
    expect(databaseInUse(dbPath)).toMatch(/открыта другим процессом/);
    expect(() => restoreDatabase(copy, dbPath)).toThrow(/остановите ReGate/);
    // after the backup the base moves on (an item renamed, a row added) ...
    db.prepare(`UPDATE catalog_items SET name = 'изменено после копии' WHERE id = (SELECT MIN(id) FROM catalog_items)`).run();
    db.prepare('INSERT INTO backup_probe VALUES (-1)').run();
    db.close();
    expect(databaseInUse(dbPath)).toBeNull();
    const r = restoreDatabase(copy, dbPath);
    // ... and the restore brings back the state of the copy, keeping the replaced file beside
    expect(dump(dbPath)).toEqual(before);
    expect(r.previous && existsSync(r.previous)).toBeTruthy();
    expect((dump(r.previous!).backup_probe as number[][]).map((p) => p[0])).toContain(-1);
    // the restored file opens as a ReGate database again
    db = openDb(dbPath);
    expect(db.prepare(`SELECT name FROM catalog_items WHERE id = (SELECT MIN(id) FROM catalog_items)`).pluck().get()).not.toBe('изменено после копии');
  });

  it('refuses a file that is not a ReGate database', () => {
    const junk = join(tmp, 'junk.sqlite');
    new Database(junk).exec('CREATE TABLE x (y)');
    expect(() => restoreDatabase(junk, join(tmp, 'other.sqlite'))).toThrow(/не база ReGate/);
  });

  it('the CLI: backup works beside a running process, restore refuses it until that process stops', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, REGATE_DATABASE_PATH: dbPath };
    const regate = (...args: string[]) => run(process.execPath, [join(repo, 'bin/regate.mjs'), ...args], { cwd: repo, env });
    db.close();
    // another process holding the database, as the daemon does
    const holder = spawn(process.execPath, ['-e', `const D=require(${JSON.stringify(require.resolve('better-sqlite3'))});const d=new D(${JSON.stringify(dbPath)});d.prepare('select 1').get();console.log('open');setInterval(()=>{},1000)`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((r) => holder.stdout!.once('data', r));
    try {
      const b = await regate('backup', join(tmp, 'cli.sqlite'));
      expect(b.stdout).toMatch(/Копия базы .* сохранена в .*cli\.sqlite.*проверка целостности пройдена/);
      await expect(regate('restore', join(tmp, 'cli.sqlite'))).rejects.toMatchObject({ stderr: expect.stringMatching(/остановите ReGate/) });
    } finally {
      holder.kill();
      await new Promise((r) => holder.once('close', r));
    }
    const r = await regate('restore', join(tmp, 'cli.sqlite'));
    expect(r.stdout).toMatch(/восстановлена из .*cli\.sqlite.*Прежняя база сохранена/);
  });
});
