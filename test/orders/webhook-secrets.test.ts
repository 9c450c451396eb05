import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { webhookHandler, recordHistory } from '../../src/orders/webhooks.js';
import type { ClaimedJob } from '../../src/outbox/index.js';

// A failed webhook's error text goes to outbox_jobs.last_error, `regate outbox list` and the daemon's retry/dead log
// lines (logged as a plain string, so pino's path redaction cannot help). Credentials in webhooks.url — user:password@
// or a token in the query — must not be in it.
describe('webhook errors carry no credentials of webhooks.url', () => {
  let server: Server;
  let port: number;
  let db: Db;
  const seen: { authorization?: string; url?: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ authorization: req.headers.authorization, url: req.url });
      res.statusCode = 503;
      res.end('busy');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    db = openDb(':memory:');
    const ts = new Date().toISOString();
    db.prepare(`INSERT INTO clients (id, name, created_at, updated_at) VALUES ('C', 'C', ?, ?)`).run(ts, ts);
    db.prepare(`INSERT INTO orders (id, request_hash, client_id, store_id, delivery_address, amount_kopecks, created_at, updated_at) VALUES ('O', 'h', 'C', 's', 'a', 100, ?, ?)`).run(ts, ts);
  });
  afterAll(async () => {
    db?.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('HTTP 503 from the receiver: the message names host and path, not user:password nor ?token=', async () => {
    const historyId = recordHistory(db, { orderId: 'O', status: 0, paymentStatus: 0, event: 'booking.accepted' }, false);
    const handler = webhookHandler(db, { url: `http://regate:S3cr3tPw@127.0.0.1:${port}/hook?token=T0ken42`, secret: 'x' });
    const job = { id: 1, kind: 'webhook', key: 'webhook:O', payload: { orderId: 'O', historyId }, attempts: 1, leaseToken: 't' } as unknown as ClaimedJob;
    const err = (await handler(job, { signal: new AbortController().signal }).catch((e) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('503');
    expect(err.message).toContain(`127.0.0.1:${port}/hook`);
    expect(err.message).not.toContain('S3cr3tPw');
    expect(err.message).not.toContain('T0ken42');
    // and the request did reach the receiver, the user:password as Basic authorization (fetch refuses a URL with
    // credentials outright, with the URL — password included — in its error message)
    expect(seen.at(-1)).toEqual({ authorization: `Basic ${Buffer.from('regate:S3cr3tPw').toString('base64')}`, url: '/hook?token=T0ken42' });
  });
});
