import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase, type DemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { CatalogService } from '../../src/catalog/service.js';
import { createApp } from '../../src/api/app.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';

// Issue 17: items' additional attributes (ДополнительныеРеквизиты, values in Catalog_ЗначенияСвойствОбъектов) from the
// emulator built from the real УТ 11.5 dump: GET /api/v1/properties lists them, assortment?property= filters by one.
let base: DemoBase;
let em: Emulator;
let db: Db;
let onec: ODataClient;
let app: ReturnType<typeof createApp>;
const auth = { Authorization: 'Basic ' + Buffer.from('rs:pw').toString('base64') };
const get = async (path: string) => {
  const r = await app.request(`/api/v1/${path}`, { headers: auth });
  return { status: r.status, body: (await r.json()) as any };
};

beforeAll(async () => {
  base = generateDemoBase({ seed: 17, items: 300 });
  em = await startEmulator({ base });
  const config = parseConfig({ onec: { url: em.url }, auth: { users: [{ name: 'rs', passwordHash: await hashPassword('pw') }] } });
  db = openDb(':memory:');
  onec = new ODataClient(config.onec);
  await runFullSync({ db, onec, config });
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  app = createApp({ config, logger: silentLogger, services: { catalog, health: { ready: async () => ({ ready: true, checks: [] }) } } });
});
afterAll(async () => {
  await onec?.close();
  await em?.close();
});

describe('properties', () => {
  it('GET /properties lists the properties items have, with their values and counts as in 1C', async () => {
    const r = await get('properties');
    expect(r.status).toBe(200);
    const material = r.body.properties.find((p: any) => p.name === 'Материал');
    expect(material).toBeDefined();
    // Expected from the generated rows: items' ДополнительныеРеквизиты lines of the material property, by value.
    const values = new Map(base.rows['Catalog_ЗначенияСвойствОбъектов'].map((v) => [v.Ref_Key, v.Description]));
    const counts = new Map<string, number>();
    for (const it of base.rows['Catalog_Номенклатура'].filter((i) => !i.IsFolder)) {
      for (const l of (it.ДополнительныеРеквизиты as any[]) ?? []) if (l.Свойство_Key === material.id) counts.set(values.get(l.Значение) as string, (counts.get(values.get(l.Значение) as string) ?? 0) + 1);
    }
    expect(Object.fromEntries(material.values.map((v: any) => [v.name, v.items]))).toEqual(Object.fromEntries(counts));
    const hypo = r.body.properties.find((p: any) => p.name === 'Гипоаллергенный');
    expect(hypo.values.map((v: any) => v.id).sort()).toEqual(['false', 'true']);
  });

  it('assortment?property= returns exactly the items with that value at the warehouse; items show their properties', async () => {
    const material = (await get('properties')).body.properties.find((p: any) => p.name === 'Материал');
    const cotton = material.values.find((v: any) => v.name === 'Хлопок');
    const stores = (db.prepare(`SELECT id FROM catalog_stores`).pluck().all() as string[]);
    let seen = 0;
    for (const store of stores) {
      const all = (await get(`assortment?store=${store}&limit=1000`)).body.items as any[];
      const expected = all.filter((i) => i.properties?.some((p: any) => p.id === material.id && p.valueId === cotton.id)).map((i) => i.id);
      const got = await get(`assortment?store=${store}&property=${material.id}:${cotton.id}&limit=1000`);
      expect(got.status).toBe(200);
      expect(got.body.items.map((i: any) => i.id)).toEqual(expected);
      expect(got.body.total).toBe(expected.length);
      for (const i of got.body.items) expect(i.properties).toContainEqual({ id: material.id, name: 'Материал', value: 'Хлопок', valueId: cotton.id });
      seen += expected.length;
      // An item without properties has no field.
      expect(all.some((i) => !('properties' in i))).toBe(true);
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('a bad or unknown property is a 4xx naming the field', async () => {
    const store = db.prepare(`SELECT id FROM catalog_stores LIMIT 1`).pluck().get();
    const bad = await get(`assortment?store=${store}&property=nonsense`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe('property');
    const unknown = await get(`assortment?store=${store}&property=00000000-0000-4000-8000-000000000000:x`);
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body)).toContain('property');
  });
});
