import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { CatalogService } from '../../src/catalog/service.js';

// CatalogService.state() keeps its read of meta until the database may have changed: a commit of another connection
// (a sync on its own thread or process) or a write of its own connection.
describe('the mirror state read once per change', () => {
  let dir: string;
  let api: Db;
  let sync: Db;
  let catalog: CatalogService;
  const setGeneration = (db: Db, n: number) => db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('mirror.generation', ?)`).run(String(n));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'regate-state-'));
    api = openDb(join(dir, 'r.sqlite'));
    sync = openDb(join(dir, 'r.sqlite'));
    setGeneration(api, 1);
    catalog = new CatalogService(api, { retail: '', tier1: '', tier2: '' });
  });
  afterEach(() => {
    sync.close();
    api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the read it kept while nothing was written', () => {
    const a = catalog.state();
    expect(a.generation).toBe(1);
    expect(catalog.state()).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it("sees another connection's commit at once", () => {
    const a = catalog.state();
    setGeneration(sync, 2);
    const b = catalog.state();
    expect(b.generation).toBe(2);
    expect(b).not.toBe(a);
    // A commit that does not touch meta reads it again, and finds the same.
    sync.exec(`CREATE TABLE IF NOT EXISTS t (x); INSERT INTO t VALUES (1)`);
    expect(catalog.state()).toEqual(b);
  });

  it("sees its own connection's write at once (a sync run on the API thread)", () => {
    catalog.state();
    setGeneration(api, 3);
    expect(catalog.state().generation).toBe(3);
  });

  it('keeps nothing read inside a transaction that is then rolled back', () => {
    catalog.state();
    try {
      api.transaction(() => {
        setGeneration(api, 4);
        expect(catalog.state().generation).toBe(4);
        throw new Error('rolled back');
      })();
    } catch {
      // the write is gone
    }
    expect(catalog.state().generation).toBe(1);
  });
});
