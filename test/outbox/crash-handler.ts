import type { Db } from '../../src/db/open.js';
import type { Handler } from '../../src/outbox/index.js';

/**
 * The crash test's stand-in for 1C: a handler that is idempotent by check, as the real ones are (they look the
 * document up by ReGate_ВнешнийИдентификатор before creating it). `crash_effects` is "1C": one row per document
 * created. `crash_redeliveries` records each time the check found the document already there.
 */
export function setupCrashTables(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS crash_effects (job_id INTEGER NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, pid INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS crash_redeliveries (job_id INTEGER NOT NULL, pid INTEGER NOT NULL);
  `);
}

export function crashHandler(db: Db, onEffect: (jobId: number) => void = () => {}): Handler {
  const exists = db.prepare('SELECT 1 FROM crash_effects WHERE job_id = ?').pluck();
  const create = db.prepare('INSERT INTO crash_effects (job_id, key, seq, pid) VALUES (?, ?, ?, ?)');
  const redelivered = db.prepare('INSERT INTO crash_redeliveries (job_id, pid) VALUES (?, ?)');
  return async (job) => {
    if (exists.get(job.id)) {
      redelivered.run(job.id, process.pid);
      return 'found';
    }
    create.run(job.id, job.key, (job.payload as { seq: number }).seq, process.pid);
    onEffect(job.id);
    // The window the crash aims at: 1C has the document, the outbox does not know yet.
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 15));
    return 'created';
  };
}
