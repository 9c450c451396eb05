import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import { workerScript } from '../../src/workers/script.js';
import type { BookingRequest } from '../../src/orders/booking-check.js';

// The booking thread answers each batch as soon as its COMMIT returns (src/workers/booking-writer.ts). When more than
// a batch (256) was waiting, its answers used to wait for the next batch's write as well: the first second of a
// 500-connection burst. 300 bookings handed over at once come back as two answers, 256 then 44, not one of 300.
const dir = mkdtempSync(join(tmpdir(), 'regate-writer-answers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the booking thread', () => {
  // tuning.bookingBatch (maxBatch here) sets the batch: 100 gives three answers of 100.
  it.each([
    { maxBatch: undefined, answers: [256, 44] },
    { maxBatch: 100, answers: [100, 100, 100] },
  ])('answers a batch when it is on disk, before it writes the next (batch of $maxBatch)', async ({ maxBatch, answers: sizes }) => {
    const path = join(dir, `w-${maxBatch ?? 'default'}.sqlite`);
    const db = openDb(path);
    db.prepare(`INSERT INTO catalog_stores (id, name, city, address) VALUES ('s1', 'Склад', 'Город', 'Адрес')`).run();
    const items = Array.from({ length: 50 }, () => randomUUID());
    db.prepare(`INSERT INTO catalog_price_kinds (id, name) VALUES ('pk', 'Розничная')`).run();
    for (const id of items) {
      db.prepare(`INSERT INTO catalog_items (id, name, min_quantity, multiplicity, tier1_threshold, tier2_threshold, hash, changed_at) VALUES (?, ?, 1, 1, 0, 0, '', '')`).run(id, id);
      db.prepare(`INSERT INTO catalog_stock (store_id, item_id, quantity) VALUES ('s1', ?, 1e6)`).run(id);
      db.prepare(`INSERT INTO catalog_prices (item_id, price_kind_id, price) VALUES (?, 'pk', 1)`).run(id);
    }
    db.prepare(`INSERT INTO clients (id, name, created_at, updated_at) VALUES ('c1', 'Клиент', '', '')`).run();
    db.close();
    const batch = Array.from({ length: 300 }, (_, k) => ({
      id: k + 1,
      request: {
        input: { orderId: `o-${k}`, clientId: 'c1', store: 's1', deliveryAddress: 'Адрес', items: [{ itemId: items[k % items.length], quantity: 1 }] },
        requestHash: `h${k}`, idempotencyKey: null, at: new Date().toISOString(), webhooks: false,
        sellsByPackaging: true, configurationName: 'УТ 11', maxDepth: 100_000,
      } satisfies BookingRequest,
    }));
    const { script, entry } = workerScript('booking-writer');
    const w = new Worker(script, { workerData: { entry, path, maxBatch, priceKindNames: { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' } } });
    try {
      const answers: { id: number; jobId?: number; error?: unknown }[][] = [];
      await new Promise<void>((resolve, reject) => {
        w.on('error', reject);
        w.on('message', (m: { type: string; results?: { id: number; jobId?: number }[] }) => {
          if (m.type === 'ready') w.postMessage({ type: 'book', batch });
          if (m.type === 'done') {
            answers.push(m.results!);
            if (answers.flat().length >= batch.length) resolve();
          }
        });
      });
      expect(answers.map((a) => a.length)).toEqual(sizes);
      expect(answers.flat().map((r) => r.id)).toEqual(batch.map((b) => b.id));
      expect(answers.flat().every((r) => typeof r.jobId === 'number')).toBe(true);
    } finally {
      await w.terminate();
    }
    const check = openDb(path);
    expect(check.prepare(`SELECT count(*) FROM orders`).pluck().get()).toBe(300);
    check.close();
  }, 30_000);
});
