import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/db/open.js';
import type { LeaseHolder, OutboxPolicy } from '../../src/outbox/index.js';

export const policy: OutboxPolicy = { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 60_000, leaseMs: 100 };
export const holderA: LeaseHolder = { host: 'test-host', pid: 1, boot: 'a' };
export const holderB: LeaseHolder = { host: 'test-host', pid: 2, boot: 'b' };

/** A database on disk (WAL needs a file; the crash test shares it between processes). */
export function tempDbPath(name = 'outbox.sqlite'): string {
  return join(mkdtempSync(join(tmpdir(), 'regate-outbox-')), name);
}

export function memDb(): Db {
  return openDb(':memory:');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
