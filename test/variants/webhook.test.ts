import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync, runStockSync } from '../../src/catalog/sync.js';
import { OutboxWorker } from '../../src/outbox/index.js';
import { JOB } from '../../src/orders/jobs.js';
import { webhookHandler } from '../../src/orders/webhooks.js';
import { verify } from '../../src/webhooks/standard.js';
import { CATALOG_WEBHOOK_KEY } from '../../src/catalog/webhooks.js';

// Issue 17: a sync that changes what a shop sees sends ONE webhook naming, per warehouse, the items that changed,
// through the order events' delivery (outbox job, Standard Webhooks signature).
const STOCK = 'AccumulationRegister_ТоварыНаСкладах';
const SECRET = 'whsec_' + Buffer.from('issue-17-catalogue-webhook-secret').toString('base64');
let em: Emulator;
let db: Db;
let config: Config;
let onec: ODataClient;
let server: Server;
const received: { headers: Record<string, string>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  em = await startEmulator({ base: generateDemoBase({ seed: 21, items: 150 }) });
  config = parseConfig({ onec: { url: em.url }, webhooks: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, secret: SECRET, catalogEvents: true } });
  db = openDb(':memory:');
  onec = new ODataClient(config.onec);
});
afterAll(async () => {
  await onec?.close();
  await em?.close();
  await new Promise((r) => server?.close(r));
});

const catalogueJobs = () => db.prepare(`SELECT id, payload FROM outbox_jobs WHERE key = ? ORDER BY id`).all(CATALOG_WEBHOOK_KEY) as { id: number; payload: string }[];

async function deliver() {
  const worker = new OutboxWorker(db, { policy: config.outbox, concurrency: 1, pollMs: 10 });
  worker.handle(JOB.webhook, webhookHandler(db, config.webhooks));
  worker.start();
  const until = Date.now() + 10_000;
  while (Date.now() < until && (db.prepare(`SELECT count(*) FROM outbox_jobs WHERE state IN ('pending', 'running')`).pluck().get() as number) > 0) await new Promise((r) => setTimeout(r, 20));
  await worker.stop(2000);
}

describe('catalogue webhook', () => {
  it('a first full sync: one event, every warehouse "everything" (pull changedSince)', async () => {
    await runFullSync({ db, onec, config });
    const jobs = catalogueJobs();
    expect(jobs).toHaveLength(1);
    const event = JSON.parse(jobs[0].payload).event;
    expect(event.type).toBe('catalog.changed');
    expect(event.data.sync).toBe('full');
    expect(event.data.stores.length).toBe(db.prepare(`SELECT count(*) FROM catalog_stores`).pluck().get());
    expect(event.data.stores.every((s: { itemIds: unknown }) => s.itemIds === null)).toBe(true);
  });

  it('a stock sync that changes three items sends one webhook naming them at their warehouses', async () => {
    const before = catalogueJobs().length;
    // Three items of one warehouse get more stock (a receipt each).
    const records = em.store.records(STOCK).filter((r) => r.RecordType === 'Receipt');
    const store = String(records[0].Склад_Key);
    const three = [...new Map(records.filter((r) => r.Склад_Key === store).map((r) => [String(r.Номенклатура_Key), r])).values()].slice(0, 3);
    expect(three).toHaveLength(3);
    em.store.writeRecords(STOCK, 'dddddddd-0000-4000-8000-000000000021', three.map((r, n) => ({ ...r, LineNumber: n + 1, ВНаличии: 7 })), 'Document_ОприходованиеИзлишковТоваров');
    const report = await runStockSync({ db, onec, config });
    expect(report.changed).toBe(3);
    const jobs = catalogueJobs();
    expect(jobs.length).toBe(before + 1);
    const event = JSON.parse(jobs[jobs.length - 1].payload).event;
    expect(event.data.sync).toBe('stock');
    expect(event.data.stores).toEqual([{ storeId: store, itemIds: three.map((r) => String(r.Номенклатура_Key)).sort() }]);
    // The items named have changedAt = data.changedAt: a changedSince just before it returns them.
    const changed = db.prepare(`SELECT id FROM catalog_items WHERE changed_at >= ? ORDER BY id`).pluck().all(event.data.changedAt);
    expect(changed).toEqual(three.map((r) => String(r.Номенклатура_Key)).sort());
    // Nothing changed: no event.
    await runStockSync({ db, onec, config });
    expect(catalogueJobs().length).toBe(before + 1);

    // Delivered signed, as order events are.
    received.length = 0;
    await deliver();
    const last = received.find((r) => JSON.parse(r.body).id === event.id)!;
    expect(last).toBeDefined();
    expect(JSON.parse(last.body)).toEqual(event);
    expect(verify(SECRET, { id: last.headers['webhook-id'], timestamp: last.headers['webhook-timestamp'], signature: last.headers['webhook-signature'] }, last.body)).toBe(true);
    expect(last.headers['webhook-id']).toBe(event.id);
  });
});
