import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { createApp } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { silentLogger } from '../../src/log.js';
import { I1, I2, I3, S1, item, snapshot } from '../fixtures/mirror.js';

// Icons are absolute URLs. Without server.publicUrl their origin comes from the request: the Host a proxy forwards
// (ProxyPreserveHost) and, behind our Apache/IIS templates that terminate TLS, X-Forwarded-Proto: https.
const PIC = 'dddddddd-0000-4000-8000-000000000001';
const auth = { Authorization: 'Basic ' + Buffer.from('магазин:пароль', 'utf8').toString('base64') };
/** What @hono/node-server passes as env: the TCP peer. Apache/IIS in front connect from loopback. */
const fromProxy = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
const fromOutside = { incoming: { socket: { remoteAddress: '203.0.113.9' } } };

const appWith = async (publicUrl?: string, trustProxy = true) => {
  const db = openDb(':memory:');
  writeSnapshot(db, { ...snapshot, items: [item(I1, 'Гречка', { pictureIds: [PIC] }), item(I2, 'Рис'), item(I3, 'Пшено', { soldToOrder: true })], pictures: [{ id: PIC, itemId: I1, extension: 'png' }] });
  const { hashPassword } = await import('../../src/install/password.js');
  const config = parseConfig({ server: { ...(publicUrl ? { publicUrl } : {}), trustProxy }, auth: { users: [{ name: 'магазин', passwordHash: await hashPassword('пароль') }] } });
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  return createApp({ config, logger: silentLogger, services: { catalog, health: { ready: async () => ({ ready: true, checks: [] }) } } });
};
let app: Awaited<ReturnType<typeof appWith>>;
beforeAll(async () => {
  app = await appWith();
});
const icons = async (r: Response) => ((await r.json()) as any).items[0].icons as string[];

describe('assortment icons without publicUrl', () => {
  it('an ETag from one Host does not answer 304 for another Host, whose icons differ', async () => {
    const a = await app.request(`http://a.example/api/v1/assortment?store=${S1}`, { headers: auth }, fromProxy);
    expect(await icons(a)).toEqual([`http://a.example/api/v1/picture/${PIC}`]);
    const b = await app.request(`http://b.example/api/v1/assortment?store=${S1}`, { headers: { ...auth, 'If-None-Match': a.headers.get('etag')! } }, fromProxy);
    expect(b.status).toBe(200);
    expect(await icons(b)).toEqual([`http://b.example/api/v1/picture/${PIC}`]);
  });

  it('behind the TLS proxy (X-Forwarded-Proto: https from loopback) icons are https: Basic credentials must not go out in clear', async () => {
    const r = await app.request(`http://regate.example.ru/api/v1/assortment?store=${S1}`, { headers: { ...auth, 'X-Forwarded-Proto': 'https' } }, fromProxy);
    expect(await icons(r)).toEqual([`https://regate.example.ru/api/v1/picture/${PIC}`]);
    // The same URL without the header is another answer (kept bytes and ETag both tell them apart).
    const plain = await app.request(`http://regate.example.ru/api/v1/assortment?store=${S1}`, { headers: { ...auth, 'If-None-Match': r.headers.get('etag')! } }, fromProxy);
    expect(plain.status).toBe(200);
    expect(await icons(plain)).toEqual([`http://regate.example.ru/api/v1/picture/${PIC}`]);
  });

  it('X-Forwarded-Proto from a peer that is not our proxy is not believed', async () => {
    const r = await app.request(`http://c.example/api/v1/assortment?store=${S1}`, { headers: { ...auth, 'X-Forwarded-Proto': 'https' } }, fromOutside);
    expect(await icons(r)).toEqual([`http://c.example/api/v1/picture/${PIC}`]);
  });

  it('publicUrl wins, with or without a trailing slash', async () => {
    for (const publicUrl of ['https://shop-gate.example.ru', 'https://shop-gate.example.ru/']) {
      const withUrl = await appWith(publicUrl);
      const r = await withUrl.request(`http://127.0.0.1:8088/api/v1/assortment?store=${S1}`, { headers: auth }, fromProxy);
      expect(await icons(r)).toEqual([`https://shop-gate.example.ru/api/v1/picture/${PIC}`]);
    }
  });
});

describe('with server.trustProxy off', () => {
  it('X-Forwarded-Proto from loopback is not believed', async () => {
    const untrusting = await appWith(undefined, false);
    const r = await untrusting.request(`http://shop.example/api/v1/assortment?store=${S1}`, { headers: { ...auth, 'X-Forwarded-Proto': 'https' } }, fromProxy);
    expect(await icons(r)).toEqual([`http://shop.example/api/v1/picture/${PIC}`]);
  });
});
