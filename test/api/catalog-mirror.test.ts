import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { createApp } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { writeSnapshot, writeStockAndPrices } from '../../src/catalog/writer.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { gunzipSync } from 'node:zlib';

import { S1, S2, G1, G2, I1, I2, I3, item, snapshot } from '../fixtures/mirror.js';

let app: ReturnType<typeof createApp>;
let db: ReturnType<typeof openDb>;
const auth = { Authorization: 'Basic ' + Buffer.from('магазин:пароль', 'utf8').toString('base64') };

beforeAll(async () => {
  db = openDb(':memory:');
  writeSnapshot(db, snapshot, new Date('2026-11-01T00:00:00Z'));
  const config = parseConfig({ auth: { users: [{ name: 'магазин', passwordHash: await hashPassword('пароль') }] } });
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  app = createApp({ config, logger: silentLogger, services: { catalog, health: { ready: async () => ({ ready: true, checks: [] }) } } });
});

const get = (path: string, headers: Record<string, string> = auth) => app.request(path, { headers });

describe('read API over the mirror', () => {
  it('401 with WWW-Authenticate without credentials; a Cyrillic UTF-8 login works', async () => {
    const r = await get('/api/v1/city', {});
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="ReGate"/);
    expect(((await r.json()) as any).error.code).toBe('unauthorized');
    expect((await get('/api/v1/city')).status).toBe(200);
    const bad = await get('/api/v1/city', { Authorization: 'Basic ' + Buffer.from('магазин:нет').toString('base64') });
    expect(bad.status).toBe(401);
  });

  it('city and citystore; unknown city 404 naming it', async () => {
    expect((await (await get('/api/v1/city')).json()) as any).toEqual({ cities: [{ name: 'Казань', stores: 1 }, { name: 'Москва', stores: 1 }] });
    const r = await get(`/api/v1/citystore?city=${encodeURIComponent('Москва')}`);
    expect(((await r.json()) as any).stores).toEqual([{ id: S1, name: 'Склад 1', address: 'Москва, ул. 1' }]);
    const nf = await get(`/api/v1/citystore?city=${encodeURIComponent('Тверь')}`);
    expect(nf.status).toBe(404);
    const body = (await nf.json()) as any;
    expect(body.error.fields).toEqual([{ field: 'city', message: 'нет такого значения: Тверь' }]);
    expect(body.error.requestId).toBeTruthy();
  });

  it('storetable counts what the warehouse carries (stock rows or sold to order)', async () => {
    const body = (await (await get(`/api/v1/storetable?store=${S1}`)).json()) as any;
    expect(body.groups).toEqual([
      { id: G1, name: 'Бакалея', itemCount: 0, totalCount: 2, children: [{ id: G2, name: 'Крупы', itemCount: 2, totalCount: 2, children: [] }] },
    ]);
  });

  it('assortment: prices by tier, stock summed, "без ограничения" for sold to order, search by barcode', async () => {
    const body = (await (await get(`/api/v1/assortment?store=${S1}&group=${G1}`)).json()) as any;
    expect(body.total).toBe(2);
    const [grechka, psheno] = body.items;
    expect(grechka).toMatchObject({ name: 'Гречка', stock: 7, price: 100, priceOverX1: 90, x1: 10, priceOverX2: 80, x2: 100, barcodes: ['4600000000017'], portion: { size: 0.17, unit: 'кг' } });
    expect(psheno).toMatchObject({ name: 'Пшено', stock: 'без ограничения', price: null });
    const found = (await (await get(`/api/v1/assortment?store=${S1}&q=4600000000017`)).json()) as any;
    expect(found.items.map((i: { id: string }) => i.id)).toEqual([I1]);
  });

  it('bad parameters give 400 naming the field; unknown store/group 404', async () => {
    const r = await get('/api/v1/assortment?store=nope&pageSize=5000');
    expect(r.status).toBe(400);
    const fields = ((await r.json()) as any).error.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['pageSize', 'store']);
    const nf = await get(`/api/v1/assortment?store=${S1}&group=${I1}`);
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as any).error.fields[0].field).toBe('group');
    expect((await get(`/api/v1/storetable?store=${I1}`)).status).toBe(404);
  });

  it('ETag + If-None-Match gives 304 until the mirror changes; X-Mirror-Time is set', async () => {
    const first = await get(`/api/v1/assortment?store=${S1}`);
    const etag = first.headers.get('etag')!;
    expect(first.headers.get('x-mirror-time')).toBe('2026-11-01T00:00:00.000Z');
    expect((await get(`/api/v1/assortment?store=${S1}`, { ...auth, 'If-None-Match': etag })).status).toBe(304);
    writeStockAndPrices(db, [{ storeId: S1, itemId: I1, quantity: 1 }], null, new Date('2026-11-02T00:00:00Z'));
    const after = await get(`/api/v1/assortment?store=${S1}`, { ...auth, 'If-None-Match': etag });
    expect(after.status).toBe(200);
    expect(((await after.json()) as any).items[0].stock).toBe(1);
  });

  it('catalogue answers are kept as bytes per mirror generation and sent gzipped to clients that accept it', async () => {
    const plain = await get(`/api/v1/assortment?store=${S1}&pageSize=2`);
    const zipped = await get(`/api/v1/assortment?store=${S1}&pageSize=2`, { ...auth, 'Accept-Encoding': 'gzip, deflate' });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('Accept-Encoding');
    const unzipped = JSON.parse(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString('utf8'));
    expect(unzipped).toEqual(await plain.json());
    expect(plain.headers.get('content-encoding')).toBeNull();
  });

  it('a stock sync that changes nothing keeps the generation (ETags stay valid); a price change shows in changedSince', async () => {
    const state = () => db.prepare(`SELECT value FROM meta WHERE key = 'mirror.generation'`).pluck().get();
    const stockNow = db.prepare(`SELECT store_id AS storeId, item_id AS itemId, quantity FROM catalog_stock`).all() as { storeId: string; itemId: string; quantity: number }[];
    const pricesNow = db.prepare(`SELECT item_id AS itemId, price_kind_id AS priceKindId, price FROM catalog_prices`).all() as { itemId: string; priceKindId: string; price: number }[];
    const g = state();
    const first = await get(`/api/v1/assortment?store=${S1}`);
    expect(writeStockAndPrices(db, stockNow, pricesNow, new Date('2026-11-05T00:00:00Z')).changed).toBe(0);
    expect(state()).toBe(g);
    expect((await get(`/api/v1/assortment?store=${S1}`, { ...auth, 'If-None-Match': first.headers.get('etag')! })).status).toBe(304);
    const cheaper = pricesNow.map((p) => (p.itemId === I1 && p.price === 100 ? { ...p, price: 95 } : p));
    expect(writeStockAndPrices(db, stockNow, cheaper, new Date('2026-11-06T00:00:00Z')).changed).toBe(1);
    expect(state()).not.toBe(g);
    const body = (await (await get(`/api/v1/assortment?store=${S1}&changedSince=2026-11-05T12:00:00Z`)).json()) as any;
    expect(body.items.map((i: { id: string; price: number }) => [i.id, i.price])).toEqual([[I1, 95]]);
  });

  it('changedSince returns only items whose content changed in a later sync', async () => {
    writeSnapshot(db, { ...snapshot, items: [item(I1, 'Гречка'), item(I2, 'Рис новый'), item(I3, 'Пшено', { soldToOrder: true })] }, new Date('2026-11-03T00:00:00Z'));
    const body = (await (await get(`/api/v1/assortment?store=${S2}&changedSince=2026-11-02T00:00:00Z`)).json()) as any;
    expect(body.items.map((i: { name: string }) => i.name)).toEqual(['Рис новый']);
  });

  it('serves OpenAPI 3.1 with the basic scheme and Swagger UI with local assets', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.basicAuth).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/state', '/api/v1/assortment', '/api/v1/citystore']));
    const html = await (await app.request('/docs')).text();
    expect(html).toContain('/docs/assets/swagger-ui-dist/swagger-ui-bundle.js');
    expect((await app.request('/docs/assets/swagger-ui-dist/swagger-ui-bundle.js')).status).toBe(200);
  });
});
