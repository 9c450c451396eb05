import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReGateClient, ReGateError, verifyWebhook, WebhookVerificationError } from '../../clients/ts/src/index.js';
import { generateTypes } from '../../clients/ts/scripts/generate.js';
import { VERSION } from '../../src/version.js';
import { orderable } from '../helpers/orderable.js';
import { DEMO_USER, startDemo, type Demo } from './demo.js';
import { startReceiver, until, type Receiver } from './receiver.js';

/**
 * The TypeScript client (clients/ts) against the demo, as a shop's developer would use it (issue 15): its types
 * are the current document's, it compiles on its own, and it lists stores, pages the assortment with ETag, creates
 * a client and a booking with an Idempotency-Key, and verifies a webhook ReGate really sent.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET = `whsec_${Buffer.from('ts-client-webhook-key-32-bytes!!').toString('base64')}`;
let demo: Demo;
let receiver: Receiver;
let api: ReGateClient;

beforeAll(async () => {
  receiver = await startReceiver();
  demo = await startDemo({ listen: true, config: { webhooks: { url: receiver.url, secret: SECRET } } });
  api = new ReGateClient({ baseUrl: demo.url, user: DEMO_USER.name, password: DEMO_USER.password });
}, 120_000);
afterAll(async () => {
  await demo?.close();
  await receiver?.close();
});

describe('clients/ts', () => {
  it('types.ts is what the generator makes of the live document, versioned with the API; the client compiles alone', async () => {
    const doc = (await (await fetch(`${demo.url}/openapi.json`)).json()) as Record<string, any>;
    expect(readFileSync(join(repo, 'clients/ts/src/types.ts'), 'utf8')).toBe(generateTypes(doc));
    expect(JSON.parse(readFileSync(join(repo, 'clients/ts/package.json'), 'utf8')).version).toBe(VERSION);
    execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(repo, 'clients/ts')], { stdio: 'pipe' });
  }, 60_000);

  it('lists cities and stores, pages the assortment by next, and gets notModified with the ETag', async () => {
    const { cities } = await api.cities();
    expect(cities.length).toBeGreaterThan(0);
    const { stores } = await api.stores(cities[0].name);
    expect(stores[0].id).toMatch(/^[0-9a-f-]{36}$/);
    const { store } = orderable(demo.rt.db, 1);
    const first = await api.assortment({ store, limit: 10 });
    expect(first.notModified).toBe(false);
    expect(first.body!.items.length).toBe(10);
    expect(first.etag).toMatch(/^W\//);
    const again = await api.assortment({ store, limit: 10 }, first.etag);
    expect(again).toMatchObject({ notModified: true, body: null, etag: first.etag });
    let n = 0;
    for await (const item of api.assortmentItems({ store, limit: 25 })) {
      expect(item.id).toBeTruthy();
      n++;
    }
    expect(n).toBe(first.body!.total);
  });

  it('creates a client and a booking with an Idempotency-Key; the retry returns the same order', async () => {
    const { store, items } = orderable(demo.rt.db, 1);
    const c = await api.client({ clientId: 'RS-C-ts', name: 'Покупатель TS', phone: '+7 900 000-00-01' });
    expect([200, 201, 202]).toContain(c.status);
    const booking = { orderId: 'RS-O-ts-1', clientId: 'RS-C-ts', store, deliveryAddress: 'Москва, ул. Ленина, 1', items: [{ itemId: items[0], quantity: 1 }] };
    const b = await api.booking(booking, 'ts-key-1');
    expect([201, 202]).toContain(b.status);
    const again = await api.booking(booking, 'ts-key-1');
    expect(again.body.orderId).toBe('RS-O-ts-1');
    expect(again.body.amount).toBe(b.body.amount);
    // a second order, cancelled before payment
    await api.booking({ ...booking, orderId: 'RS-O-ts-2' }, 'ts-key-3');
    expect((await api.cancel({ orderId: 'RS-O-ts-2', reason: 'Клиент передумал' })).status).toBe(6);
    const state = await api.bookingState('RS-O-ts-1');
    expect(state.history.map((h) => h.event)).toContain('booking.accepted');
    // a refusal is a ReGateError with the server's code, Russian message, fields and request id
    const err = await api.booking({ ...booking, items: [] }, 'ts-key-2').catch((e) => e);
    expect(err).toBeInstanceOf(ReGateError);
    expect(err).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(err.fields[0]).toEqual({ field: 'items', message: 'хотя бы одна строка' });
    expect(err.requestId).not.toBe('');
  });

  it('verifies a webhook ReGate sent, and refuses a tampered one', async () => {
    await until(() => receiver.received.some((r) => r.raw.includes('RS-O-ts-1')), 15_000, 'webhook for RS-O-ts-1');
    const hook = receiver.received.find((r) => r.raw.includes('RS-O-ts-1'))!;
    const event = await verifyWebhook(SECRET, hook.headers as Record<string, string>, hook.raw);
    expect(event.data.orderId).toBe('RS-O-ts-1');
    expect(event.id).toBe(hook.headers['webhook-id']);
    await expect(verifyWebhook(SECRET, hook.headers as Record<string, string>, hook.raw.replace('RS-O-ts-1', 'RS-O-ts-2'))).rejects.toBeInstanceOf(WebhookVerificationError);
    await expect(verifyWebhook(`whsec_${Buffer.from('another key').toString('base64')}`, hook.headers as Record<string, string>, hook.raw)).rejects.toThrow('подпись');
    const events = await api.events(undefined, 1000);
    expect(events.items.map((e) => e.id)).toContain(event.id);
  });
});
