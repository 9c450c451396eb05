// Run by crash.test.ts: `node --import tsx test/outbox/crash-child.ts <db>`. Delivers jobs until SIGKILLed,
// printing "effect <id>" the moment each document is "created in 1C" so the parent can kill it mid-delivery.
import { openDb } from '../../src/db/open.js';
import { OutboxWorker } from '../../src/outbox/index.js';
import { crashHandler } from './crash-handler.js';

const db = openDb(process.argv[2]);
new OutboxWorker(db, {
  // leaseMs 60 s: the parent's resume must not depend on expiry, only on recover() seeing this pid dead
  policy: { maxAttempts: 10, backoffBaseMs: 5, backoffMaxMs: 50, leaseMs: 60_000 },
  concurrency: 4,
  pollMs: 50,
})
  .handle('deliver', crashHandler(db, (id) => process.stdout.write(`effect ${id}\n`)))
  .start();
process.stdout.write('ready\n');
