import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/db/open.js';
import { OutboxWorker, enqueue, listJobs, stats } from '../../src/outbox/index.js';
import { crashHandler, setupCrashTables } from './crash-handler.js';
import { sleep, tempDbPath } from './helpers.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

describe('crash safety', () => {
  it('a worker SIGKILLed mid-delivery loses nothing; only its in-flight jobs are re-delivered, and detected', async () => {
    const path = tempDbPath();
    const db = openDb(path);
    setupCrashTables(db);
    const KEYS = 20;
    const PER_KEY = 10;
    db.transaction(() => {
      for (let s = 0; s < PER_KEY; s++) for (let k = 0; k < KEYS; k++) enqueue(db, { kind: 'deliver', key: `o${k}`, payload: { seq: s } });
    })();
    const total = KEYS * PER_KEY;

    // 1. A child process delivers until it is killed right after its 40th document reached "1C".
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    let effects = 0;
    for await (const line of createInterface({ input: child.stdout! })) {
      if (line.startsWith('effect ') && ++effects === 40) {
        child.kill('SIGKILL');
        break;
      }
    }
    await exited;

    // What the kill left behind: jobs leased by the dead child, some with their document already created.
    const inFlight = new Set(listJobs(db, { state: 'running', limit: -1 }).map((j) => j.id));
    const createdNotDone = new Set(
      db.prepare(`SELECT e.job_id FROM crash_effects e JOIN outbox_jobs j ON j.id = e.job_id WHERE j.state <> 'done'`).pluck().all() as number[],
    );
    expect(inFlight.size).toBeGreaterThan(0);
    expect(createdNotDone.size).toBeGreaterThan(0); // the 40th job at least: killed between 1C and complete()
    for (const id of createdNotDone) expect(inFlight.has(id)).toBe(true);
    const doneBefore = stats(db);
    expect(doneBefore.pending + doneBefore.running).toBeLessThan(total);

    // 2. A new worker on this host resumes. The child's leases run 60 s; recover() releases them at once
    //    because the holder's pid is gone, so everything finishes in well under that.
    const t0 = Date.now();
    const w = new OutboxWorker(db, {
      policy: { maxAttempts: 10, backoffBaseMs: 5, backoffMaxMs: 50, leaseMs: 60_000 },
      concurrency: 4,
      pollMs: 50,
    })
      .handle('deliver', crashHandler(db))
      .start();
    while (stats(db).pending + stats(db).running > 0 && Date.now() - t0 < 15_000) await sleep(20);
    await w.stop();
    expect(Date.now() - t0).toBeLessThan(15_000);

    // 3. Nothing lost, nothing done twice.
    expect(stats(db)).toMatchObject({ pending: 0, running: 0, dead: 0 });
    const perJob = db.prepare('SELECT job_id, count(*) AS n FROM crash_effects GROUP BY job_id').all() as { job_id: number; n: number }[];
    expect(perJob).toHaveLength(total); // lost = 0
    expect(perJob.every((r) => r.n === 1)).toBe(true); // each document created exactly once
    const redelivered = new Set(db.prepare('SELECT job_id FROM crash_redeliveries').pluck().all() as number[]);
    for (const id of redelivered) expect(inFlight.has(id)).toBe(true); // only the killed in-flight jobs...
    for (const id of createdNotDone) expect(redelivered.has(id)).toBe(true); // ...and each of those was caught by the check
    // 4. Per-key order held across the crash: documents of a key were created in enqueue order.
    const rows = db.prepare('SELECT key, seq FROM crash_effects ORDER BY rowid').all() as { key: string; seq: number }[];
    const last = new Map<string, number>();
    for (const r of rows) {
      expect(r.seq).toBe((last.get(r.key) ?? -1) + 1);
      last.set(r.key, r.seq);
    }
    db.close();
  }, 30_000);
});
