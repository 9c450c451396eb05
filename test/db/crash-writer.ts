// Child for test/db/damage.test.ts: opens the database, commits `n` clients (each acknowledged: synchronous=FULL),
// with automatic checkpoints off so they stay in the WAL, then dies like kill -9 (no close, no exit handlers).
import { openDb } from '../../src/db/open.js';

const [path, n] = [process.argv[2], Number(process.argv[3] ?? 20)];
const db = openDb(path);
db.pragma('wal_autocheckpoint = 0');
const ins = db.prepare(`INSERT INTO clients (id, name, created_at, updated_at) VALUES (?, ?, '2026-12-02', '2026-12-02')`);
for (let i = 0; i < n; i++) ins.run(`crash-${i}`, `Клиент ${i} `.repeat(40));
process.stdout.write('committed\n');
process.kill(process.pid, 'SIGKILL');
