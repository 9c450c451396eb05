import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/db/group-commit.js';
import { openDb } from '../../src/db/open.js';

// The contract of GroupCommit is "settled = committed". If the batch runs while a transaction is already open on the
// connection (a BEGIN held across an await — the outbox worker and waitFor guard against exactly this), the batch
// becomes a SAVEPOINT inside it: its promise resolved (the API answered 2xx) with nothing on disk, and a ROLLBACK of
// the outer transaction then lost the acknowledged write.
describe('group commit while another transaction is open on the connection', () => {
  it('waits for it to end, and settles only once its own COMMIT is on disk', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'regate-gcn-')), 'db.sqlite');
    const db = openDb(path);
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`);
    const gc = new GroupCommit(db);
    db.exec('BEGIN');
    let settled = false;
    const p = gc.run(() => db.prepare(`INSERT INTO t (v) VALUES ('acknowledged')`).run().changes).then((v) => ((settled = true), v));
    await new Promise((r) => setTimeout(r, 30));
    expect(settled).toBe(false);
    db.exec('ROLLBACK');
    expect(await p).toBe(1);
    const other = new Database(path, { readonly: true });
    expect(other.prepare(`SELECT v FROM t`).pluck().all()).toEqual(['acknowledged']);
    other.close();
    db.close();
  });
});
