import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { createApp } from '../../src/api/app.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { CatalogService } from '../../src/catalog/service.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { OrdersService } from '../../src/orders/service.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { I1, S1, snapshot } from '../fixtures/mirror.js';

// Issue 13.5: input 1C will choke on (NUL, control and bidi-override characters, whitespace-only names, lone
// surrogates, a body declared in another charset) was acknowledged with 2xx, then became garbage in 1C or a dead
// job. Now it is normalised (NFC, trimmed) or refused with a 4xx naming the field and saying how to fix it.
const hash = await hashPassword('p');
let db: Db;
let app: ReturnType<typeof createApp>;
const config = parseConfig({ auth: { users: [{ name: 'rs', passwordHash: hash }] } });

function build() {
  db = openDb(':memory:');
  writeSnapshot(db, { ...snapshot, stock: [{ storeId: S1, itemId: I1, quantity: 50 }] });
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const orders = new OrdersService(db, catalog, { confirmWindowMs: 0, maxDepth: 50 });
  app = createApp({ config, logger: silentLogger, services: { catalog, orders, health: { ready: async () => ({ ready: true, checks: [] }) } } });
}
beforeEach(build);

const auth = 'Basic ' + Buffer.from('rs:p').toString('base64');
const post = (path: string, body: string | Uint8Array, contentType = 'application/json') =>
  app.request(`/api/v1/${path}`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': contentType }, body });
async function refused(r: Response, status: number, field: string) {
  expect(r.status).toBe(status);
  const e = ((await r.json()) as any).error;
  expect(e.fields.map((f: any) => f.field)).toContain(field);
  return e as { code: string; message: string; fields: { field: string; message: string }[] };
}

describe('text fields: normalised or refused', () => {
  const bad: [string, string][] = [
    ['NUL', 'Иван\u0000ов'],
    ['a control character', 'Иван\u0007ов'],
    ['a bidi override', 'Иван\u202Eвони'],
    ['a bidi isolate', 'Иван\u2066ов'],
    ['whitespace only', ' \u00a0\t '],
    ['a lone surrogate', 'Иван\uD800ов'],
  ];
  for (const [what, name] of bad) {
    it(`client name with ${what} → 400 naming name`, async () => {
      const e = await refused(await post('client', JSON.stringify({ clientId: 'C-1', name })), 400, 'name');
      expect(e.code).toBe('validation_failed');
      expect(db.prepare(`SELECT COUNT(*) FROM clients`).pluck().get()).toBe(0);
    });
  }

  it('the same in booking fields, paycard provider/transactionId and refund reason → 400 naming the field', async () => {
    await post('client', JSON.stringify({ clientId: 'C-1', name: 'Иванов' }));
    const booking = { orderId: 'O-1', clientId: 'C-1', store: S1, deliveryAddress: 'Москва', items: [{ itemId: I1, quantity: 1 }] };
    await refused(await post('booking', JSON.stringify({ ...booking, deliveryAddress: 'Москва\u202E1' })), 400, 'deliveryAddress');
    await refused(await post('booking', JSON.stringify({ ...booking, comment: 'x\u0000' })), 400, 'comment');
    const pay = { orderId: 'O-1', provider: 'ЮKassa', transactionId: 't-1', amount: 1, paidAt: '2026-11-29T08:15:00+03:00' };
    await refused(await post('paycard', JSON.stringify({ ...pay, transactionId: 't\u0000' })), 400, 'transactionId');
    await refused(await post('paycard', JSON.stringify({ ...pay, provider: '\u200f' })), 400, 'provider');
    await refused(await post('refund', JSON.stringify({ orderId: 'O-1', reason: 'a\uDC00' })), 400, 'reason');
  });

  it('a multi-line comment and address keep their line breaks; names are stored NFC and trimmed', async () => {
    const decomposed = '  Йошкар-Ола Иванович  '.normalize('NFD');
    expect((await post('client', JSON.stringify({ clientId: 'C-2', name: decomposed, address: 'Москва,\nул. Тверская, 1' }))).status).toBe(202);
    const row = db.prepare(`SELECT name, address FROM clients WHERE id = 'C-2'`).get() as { name: string; address: string };
    expect(row.name).toBe('Йошкар-Ола Иванович');
    expect(row.address).toBe('Москва,\nул. Тверская, 1');
    // an id typed with a decomposed й is the same id
    expect((await post('client', JSON.stringify({ clientId: 'К-й'.normalize('NFD'), name: 'x' }))).status).toBe(202);
    expect(db.prepare(`SELECT id FROM clients WHERE id = ?`).pluck().get('К-й')).toBe('К-й');
  });
});

describe('charset of the body', () => {
  it('a body declared iso-8859-1 is refused with 415 saying to send UTF-8', async () => {
    const body = Buffer.from(JSON.stringify({ clientId: 'C-1', name: 'Müller' }), 'latin1');
    const e = await refused(await post('client', body, 'application/json; charset=iso-8859-1'), 415, 'Content-Type');
    expect(e.code).toBe('unsupported_charset');
    expect(e.message).toMatch(/UTF-8/);
    expect(db.prepare(`SELECT COUNT(*) FROM clients`).pluck().get()).toBe(0);
  });

  it('bytes that are not UTF-8 (declared UTF-8 or not declared) → 400 naming body, not U+FFFD in 1C', async () => {
    const body = Buffer.concat([Buffer.from('{"clientId":"C-1","name":"M'), Buffer.from([0xfc]), Buffer.from('ller"}')]);
    for (const ct of ['application/json', 'application/json; charset=utf-8']) {
      const e = await refused(await post('client', body, ct), 400, 'body');
      expect(e.code).toBe('invalid_utf8');
    }
    expect(db.prepare(`SELECT COUNT(*) FROM clients`).pluck().get()).toBe(0);
    // UTF-8 declared in any spelling is fine
    expect((await post('client', JSON.stringify({ clientId: 'C-1', name: 'Müller' }), 'application/json; charset="UTF-8"')).status).toBe(202);
  });
});

describe('over the socket', () => {
  let server: RunningServer;
  beforeAll(async () => {
    build();
    server = await startServer(app, config, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.close();
  });

  const raw = (request: Buffer) =>
    new Promise<string>((resolve, reject) => {
      const c = net.connect(server.port, '127.0.0.1', () => c.write(request));
      let data = '';
      c.on('data', (d) => (data += d.toString('utf8')));
      c.on('end', () => resolve(data));
      c.on('error', reject);
      setTimeout(() => (c.destroy(), resolve(data)), 3000);
    });

  it('a raw (not percent-encoded) Cyrillic query string → 400 that says to percent-encode', async () => {
    const text = await raw(Buffer.concat([Buffer.from(`GET /api/v1/assortment?store=${S1}&q=`), Buffer.from('молоко'), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]));
    expect(text).toMatch(/^HTTP\/1.1 400/);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    expect(body.error.code).toBe('url_not_encoded');
    expect(body.error.message).toMatch(/percent|%D0%BC/i);
    expect(body.error.fields[0].field).toBe('query');
  });

  it('413 closes the connection (Connection: close), instead of keeping it alive and dropping it', async () => {
    const big = Buffer.alloc(config.server.bodyLimitBytes + 10, 'a');
    const text = await raw(Buffer.concat([Buffer.from(`POST /api/v1/client HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n`), big]));
    expect(text).toMatch(/^HTTP\/1.1 413/);
    expect(text.toLowerCase()).toContain('connection: close');
  });

  it('a chunked body over the limit is counted as it streams: 413 naming body, as a sized one', async () => {
    const big = Buffer.alloc(config.server.bodyLimitBytes + 10, 'a');
    const half = big.length >> 1;
    const chunk = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
    const text = await raw(Buffer.concat([Buffer.from(`POST /api/v1/client HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`), chunk(big.subarray(0, half)), chunk(big.subarray(half)), Buffer.from('0\r\n\r\n')]));
    expect(text).toMatch(/^HTTP\/1.1 413/);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    expect(body.error.code).toBe('payload_too_large');
    expect(body.error.fields[0].field).toBe('body');
  });
});

describe('/openapi.json', () => {
  it('does not reflect the Host header into servers (issue 13.8)', async () => {
    const r = await app.request('http://evil.example/openapi.json', { headers: { Host: 'evil.example' } });
    const spec = (await r.json()) as { servers: { url: string }[] };
    expect(JSON.stringify(spec.servers)).not.toContain('evil.example');
    expect(spec.servers[0].url).toBe('/');
  });
});
