import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase, demoFacts, type DemoBase, type DemoFacts } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync, type SyncReport } from '../../src/catalog/sync.js';
import { CatalogService } from '../../src/catalog/service.js';
import { createApp } from '../../src/api/app.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';

// Every read method against the emulator's demo base, synced through the real client and profile, compared with
// values recomputed from the generator's rows (demoFacts) for a fixed seed.
let base: DemoBase;
let facts: DemoFacts;
let emulator: Emulator;
let db: Db;
let onec: ODataClient;
let report: SyncReport;
let app: ReturnType<typeof createApp>;
const auth = { Authorization: 'Basic ' + Buffer.from('rs:pw').toString('base64') };
const get = async (path: string) => {
  const r = await app.request(`/api/v1/${path}`, { headers: auth });
  return { status: r.status, body: (await r.json()) as any };
};

beforeAll(async () => {
  base = generateDemoBase({ seed: 7, items: 400 });
  facts = demoFacts(base);
  emulator = await startEmulator({ base, users: [{ name: 'Администратор', password: 'пароль' }] });
  const config = parseConfig({
    onec: { url: emulator.url, user: 'Администратор', password: 'пароль' },
    sync: { pageSize: 100 },
    auth: { users: [{ name: 'rs', passwordHash: await hashPassword('pw') }] },
  });
  db = openDb(':memory:');
  onec = new ODataClient({ ...config.onec });
  report = await runFullSync({ db, onec, config });
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  app = createApp({ config, logger: silentLogger, services: { catalog, health: { ready: async () => ({ ready: true, checks: [] }) } } });
});

afterAll(async () => {
  await onec?.close();
  await emulator?.close();
});

describe('read API on the demo base (seed 7, 400 items)', () => {
  it('sync pages every set and stays within 1.2× the request lower bound', () => {
    expect(report.items).toBe(facts.itemCount);
    // Reads by key (description files, packagings) are reported apart: no page size bounds them.
    expect(report.requests - report.keyed).toBeLessThanOrEqual(Math.ceil(report.lowerBound * 1.2));
    expect(report.keyed).toBeGreaterThan(0); // the demo's items carry site description files (issue 14.7)
    expect(report.rowsBySet['Catalog_Номенклатура']).toBe(facts.itemCount + facts.groupCount);
    // The VAT rate is mirrored too, so delivering an order does not read it from 1C.
    const vat = new Map(base.rows['Catalog_Номенклатура'].filter((r) => !r.IsFolder).map((r) => [r.Ref_Key, r.СтавкаНДС_Key ?? null]));
    const mirrored = db.prepare(`SELECT id, vat_rate_id AS v FROM catalog_items`).all() as { id: string; v: string | null }[];
    expect(mirrored.filter((m) => m.v !== null).length).toBeGreaterThan(0);
    // Items with a record in 11.5.20's СтавкиНДСНоменклатуры take it from there (issue 17: test/variants/vat-register).
    const org = base.rows['Catalog_Организации'][0];
    const fromRegister = new Set((base.rows['InformationRegister_СтавкиНДСНоменклатуры'] ?? []).filter((r) => r.Страна_Key === org.СтранаРегистрации_Key || r.Страна_Key === '00000000-0000-0000-0000-000000000000').map((r) => r.Номенклатура_Key));
    for (const m of mirrored) if (!fromRegister.has(m.id)) expect(m.v).toBe(vat.get(m.id) === '00000000-0000-0000-0000-000000000000' ? null : vat.get(m.id));
  });

  it('state: organisation requisites and configuration version from 1C', async () => {
    const { body } = await get('state');
    const org = base.rows['Catalog_Организации'][0];
    expect(body.organisation).toMatchObject({ id: org.Ref_Key, inn: org.ИНН, kpp: org.КПП, ogrn: org.ОГРН });
    expect(body.configuration).toEqual({ name: 'УправлениеТорговлей', version: facts.configurationVersion });
    const account = base.rows['Catalog_БанковскиеСчетаОрганизаций'][0];
    const bank = base.rows['Catalog_КлассификаторБанков'].find((b) => b.Ref_Key === account.Банк_Key)!;
    expect(body.organisation.bankAccount).toEqual({ account: account.НомерСчета, bank: bank.Description, bik: bank.Code, correspondentAccount: bank.КоррСчет });
    expect(body.organisation.bankAccount.bik).toMatch(/^04\d{7}$/);
    expect(body.mirror.generation).toBe(1);
  });

  it('city and citystore list exactly the generated warehouses', async () => {
    const { body } = await get('city');
    expect(body.cities.map((c: { name: string }) => c.name)).toEqual([...facts.cities].sort((a, b) => a.localeCompare(b, 'ru')));
    for (const c of body.cities) {
      expect(c.stores).toBe(facts.warehousesByCity[c.name].length);
      const stores = await get(`citystore?city=${encodeURIComponent(c.name)}`);
      expect(stores.body.stores.map((s: { id: string }) => s.id).sort()).toEqual([...facts.warehousesByCity[c.name]].sort());
    }
  });

  it('assortment: stock, prices, barcodes, portions and "без ограничения" equal the generated rows', async () => {
    const store = facts.warehousesByCity[facts.cities[0]][0];
    const carried = [...facts.stock.entries()].filter(([, byW]) => (byW.get(store) ?? 0) > 0).map(([id]) => id);
    const expected = new Set([...carried, ...facts.soldToOrder]);
    const seen: any[] = [];
    for (let page = 1; ; page++) {
      const { status, body } = await get(`assortment?store=${store}&pageSize=100&page=${page}`);
      expect(status).toBe(200);
      expect(body.total).toBe(expected.size);
      seen.push(...body.items);
      if (body.items.length < 100) break;
    }
    expect(seen.map((i) => i.id).sort()).toEqual([...expected].sort());
    const kinds = base.refs.priceKinds;
    let priced = 0;
    for (const item of seen) {
      if (facts.soldToOrder.has(item.id)) expect(item.stock).toBe('без ограничения');
      else expect(item.stock).toBe(facts.stock.get(item.id)!.get(store));
      const prices = facts.prices.get(item.id);
      expect(item.price).toBe(prices?.get(kinds.retail) ?? null);
      expect(item.priceOverX1).toBe(prices?.get(kinds.tier1) ?? null);
      expect(item.priceOverX2).toBe(prices?.get(kinds.tier2) ?? null);
      if (item.price !== null) priced++;
      // The unit's own barcode is its typed one; v1's barcodes also keep its packagings' (a portion's, a box's), which
      // are listed under packagings[] (issue 17).
      const own = facts.barcodes.has(item.id) ? [facts.barcodes.get(item.id)!] : [];
      expect((item.typedBarcodes ?? []).map((b: any) => b.barcode)).toEqual(own);
      expect([...item.barcodes].sort()).toEqual([...own, ...(item.packagings ?? []).flatMap((p: any) => p.typedBarcodes.map((b: any) => b.barcode))].sort());
      if (facts.portions.has(item.id)) expect(item.portion.size).toBe(facts.portions.get(item.id));
      expect(['шт', 'кг', 'л']).toContain(item.unit);
      expect(item.icons.every((u: string) => u.startsWith('http://localhost/api/v1/picture/'))).toBe(true);
    }
    expect(priced).toBeGreaterThan(seen.length / 2);
  });

  it('storetable: the tree counts exactly the items the warehouse carries', async () => {
    const store = facts.warehousesByCity[facts.cities[0]][0];
    const { body } = await get(`storetable?store=${store}`);
    const total = body.groups.reduce((s: number, g: { totalCount: number }) => s + g.totalCount, 0) + body.ungroupedCount;
    const assortment = await get(`assortment?store=${store}&pageSize=1`);
    expect(total).toBe(assortment.body.total);
    const first = body.groups[0];
    const inGroup = await get(`assortment?store=${store}&group=${first.id}&pageSize=1`);
    expect(inGroup.body.total).toBe(first.totalCount);
  });

  it('unknown store/city/group: 404 naming the field; bad parameter: 400 naming it', async () => {
    const nf = await get('assortment?store=00000000-0000-4000-8000-000000000000');
    expect(nf.status).toBe(404);
    expect(nf.body.error.fields[0].field).toBe('store');
    expect((await get('citystore?city=Атлантида')).body.error.fields[0].field).toBe('city');
    const bad = await get('assortment?store=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe('store');
  });
});
