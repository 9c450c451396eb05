import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, restoreDatabase } from '../../src/cli/backup.js';
import { verifyWebhook } from '../../src/orders/webhooks.js';
import { VERSION } from '../../src/version.js';
import { EVENT_ID, timeOfId } from '../../src/webhooks/ids.js';
import { verify } from '../../src/webhooks/standard.js';
import { orderable } from '../helpers/orderable.js';
import { DEMO_AUTH, startDemo, type Demo } from './demo.js';

/**
 * Webhooks on the Standard Webhooks scheme, received by a plain HTTP server the way Richest.store would (issue 15):
 * headers, signature (checked by an independent HMAC here, not only by our verifier), User-Agent, the events feed
 * giving the same ids, and — the bug of 0.1 — ids that never repeat after ReGate is restored from a backup.
 */
const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
const SECRET = `whsec_${KEY.toString('base64')}`;

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
}
const received: Received[] = [];
let receiver: Server;
let url: string;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/regate`;
});
afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
});

const api = async (demo: Demo, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await demo.rt.app.request(path, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: DEMO_AUTH, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
};

/** Waits until every job of the database (deliveries to 1C, and the webhooks they cause) is settled. */
async function delivered(demo: Demo, ms = 20_000) {
  const q = demo.rt.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE state NOT IN ('done', 'dead')`).pluck();
  const end = Date.now() + ms;
  while ((q.get() as number) > 0) {
    if (Date.now() > end) throw new Error(`jobs not settled in time: ${JSON.stringify(demo.rt.db.prepare(`SELECT id, kind, key, state, attempts, last_error FROM outbox_jobs WHERE state NOT IN ('done', 'dead')`).all())}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function order(demo: Demo, orderId: string, clientId: string, pay: boolean) {
  const { store, items } = orderable(demo.rt.db, 1);
  await api(demo, '/api/v1/client', { clientId, name: `Клиент ${clientId}` });
  const b = await api(demo, '/api/v1/booking', { orderId, clientId, store, deliveryAddress: 'Казань, ул. Баумана, 5', items: [{ itemId: items[0], quantity: 1 }] }, { 'Idempotency-Key': `key-${Buffer.from(orderId).toString('hex')}` });
  expect([201, 202]).toContain(b.status);
  if (pay) expect((await api(demo, '/api/v1/paycard', { orderId, provider: 'ЮKassa', transactionId: `tx-${orderId}`, amount: b.body.amount, paidAt: new Date().toISOString() })).status).toBe(200);
}

describe('Standard Webhooks', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo({ config: { webhooks: { url, secret: SECRET } } });
  }, 120_000);
  afterAll(async () => {
    await demo?.close();
  });

  it('every status change arrives signed v1,<base64 HMAC(id.timestamp.body)> with webhook-id, webhook-timestamp, User-Agent ReGate/<version>', async () => {
    received.length = 0;
    await order(demo, 'RS-O-вебхук-1', 'RS-C-вебхук', true);
    await delivered(demo);
    const mine = received.filter((r) => r.body.data.orderId === 'RS-O-вебхук-1');
    expect(mine.map((r) => r.body.type)).toEqual(['booking.accepted', 'booking.confirmed', 'payment.card']);
    for (const r of mine) {
      const id = r.headers['webhook-id'] as string;
      const ts = r.headers['webhook-timestamp'] as string;
      const sig = r.headers['webhook-signature'] as string;
      expect(id).toMatch(EVENT_ID);
      expect(r.body.id).toBe(id);
      expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
      // the standard's computation, written out here rather than calling ours
      const expected = createHmac('sha256', KEY).update(`${id}.${ts}.${r.raw}`).digest('base64');
      expect(sig).toBe(`v1,${expected}`);
      expect(verify(SECRET, { id, timestamp: ts, signature: sig }, r.raw)).toBe(true);
      expect(verify(SECRET, { id, timestamp: ts, signature: sig }, r.raw.replace('вебхук', 'вебхуК'))).toBe(false);
      expect(verify(SECRET, { id: id.replace(/.$/, id.endsWith('A') ? 'B' : 'A'), timestamp: ts, signature: sig }, r.raw)).toBe(false);
      expect(r.headers['user-agent']).toBe(`ReGate/${VERSION}`);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      // the 0.1 headers, kept for one version, still verify as before
      expect(verifyWebhook(SECRET, r.raw, r.headers['x-regate-signature'] as string)).toBe(true);
      expect(r.headers['x-regate-event-id']).toBe(String(r.body.eventId));
      // the flat 0.1 fields say what data says
      expect({ orderId: r.body.orderId, number: r.body.number, status: r.body.status, paymentStatus: r.body.paymentStatus, event: r.body.event, at: r.body.at }).toEqual({
        ...{ orderId: r.body.data.orderId, number: r.body.data.number, status: r.body.data.status, paymentStatus: r.body.data.paymentStatus },
        event: r.body.type,
        at: r.body.timestamp,
      });
    }
    // ids grow with time, in the order the events happened
    const ids = mine.map((r) => r.body.id as string);
    expect([...ids].sort()).toEqual(ids);
    // the number as it was: none when accepted, 1C's once confirmed
    expect(mine[0].body.data.number).toBeNull();
    expect(mine[1].body.data.number).toMatch(/\S/);
  });

  it('GET /api/v1/events gives the same events under the same ids, after=<id> continues, next pages', async () => {
    const all = await api(demo, '/api/v1/events?limit=1000');
    expect(all.status).toBe(200);
    // The feed is in id order; webhooks of different orders are sent in parallel (one outbox key per order), so the
    // receiver may get them in another order: compared by id.
    const inIdOrder = [...received].sort((x, y) => (x.body.id < y.body.id ? -1 : 1));
    const webhookIds = inIdOrder.map((r) => r.body.id);
    expect(all.body.items.map((e: { id: string }) => e.id)).toEqual(webhookIds);
    for (const [i, e] of all.body.items.entries()) {
      const { id, type, timestamp, data } = inIdOrder[i].body;
      expect(e).toEqual({ id, type, timestamp, data });
    }
    const rest = await api(demo, `/api/v1/events?after=${webhookIds[0]}`);
    expect(rest.body.items.map((e: { id: string }) => e.id)).toEqual(webhookIds.slice(1));
    const one = await api(demo, '/api/v1/events?limit=1');
    expect(one.body.next).toBe(`/api/v1/events?limit=1&after=${webhookIds[0]}`);
    expect((await api(demo, '/api/v1/events?after=42')).status).toBe(400);
  });
});

describe('ids never repeat across a restore from backup', () => {
  it('a receiver that stores ids sees every new event under a new id; the old counter would have repeated', async () => {
    received.length = 0;
    const a = await startDemo({ config: { webhooks: { url, secret: SECRET } } });
    let b: Demo | undefined;
    try {
      await order(a, 'RS-O-копия-1', 'RS-C-копия', false);
      await delivered(a);
      const backup = join(a.dir, 'backup.sqlite');
      await backupDatabase(a.dbPath, backup);
      // after the backup: more events, delivered and stored by the receiver — then the disk is lost
      await order(a, 'RS-O-копия-2', 'RS-C-копия', true);
      await order(a, 'RS-O-копия-3', 'RS-C-копия', false);
      await delivered(a);
      const before = received.length;
      const lastSeen = received[before - 1].body.id as string;
      await a.close({ keepFiles: true, keepEmulator: true });
      restoreDatabase(backup, a.dbPath);
      // ReGate again, from the copy, in front of the same 1C
      b = await startDemo({ em: a.em, dir: a.dir, sync: false, config: { webhooks: { url, secret: SECRET } } });
      await order(b, 'RS-O-копия-4', 'RS-C-копия', true);
      expect((await api(b, '/api/v1/paycard', { orderId: 'RS-O-копия-1', provider: 'ЮKassa', transactionId: 'tx-копия-1', amount: (await api(b, '/api/v1/bookingstate?orderId=RS-O-%D0%BA%D0%BE%D0%BF%D0%B8%D1%8F-1')).body.amount, paidAt: new Date().toISOString() })).status).toBe(200);
      await delivered(b);

      const after = received.slice(before);
      expect(after.length).toBeGreaterThanOrEqual(4);
      // the receiver's store of ids: no id arrives twice, and none after the restore was seen before it
      const ids = received.map((r) => r.headers['webhook-id'] as string);
      expect(new Set(ids).size).toBe(ids.length);
      const earlier = new Set(received.slice(0, before).map((r) => r.body.id));
      expect(after.filter((r) => earlier.has(r.body.id))).toEqual([]);
      // every id after the restore sorts after every id before it (time-ordered), so catching up works too:
      expect(after.every((r) => r.body.id > lastSeen)).toBe(true);
      const caughtUp = await api(b, `/api/v1/events?after=${lastSeen}`);
      // (in id order: the webhooks of orders 4 and 1 went out in parallel and may have arrived in either order)
      expect(caughtUp.body.items.map((e: { id: string }) => e.id)).toEqual(after.map((r) => r.body.id as string).sort());
      // …whereas the 0.1 eventId (the history row number) came back: the same number for a different event
      const legacy = new Map<number, string>();
      const repeated = received.filter((r) => {
        const key = `${r.body.data.orderId}/${r.body.type}`;
        const seen = legacy.get(r.body.eventId);
        legacy.set(r.body.eventId, key);
        return seen !== undefined && seen !== key;
      });
      expect(repeated.length).toBeGreaterThan(0);
      console.log(
        `restore from backup: ${before} events before, ${after.length} after; webhook-id repeated 0 times, old eventId repeated ${repeated.length} times (e.g. ${repeated[0]?.body.eventId}); ` +
          `first id after restore ${after[0].body.id} (${new Date(timeOfId(after[0].body.id)).toISOString()})`,
      );
    } finally {
      if (b) await b.close();
      else await a.close({ keepEmulator: true });
      await a.em.close();
    }
  }, 120_000);
});
