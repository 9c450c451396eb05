import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase, type DemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync, runStockSync } from '../../src/catalog/sync.js';
import { CatalogService } from '../../src/catalog/service.js';
import { barcodeType } from '../../src/catalog/barcodes.js';
import { createApp } from '../../src/api/app.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';

// Issue 17: items sold in characteristics show as variants with their own stock, prices and barcodes, read from the
// emulator built from the real УТ dumps (11.5.20 and 11.4.2), through the real profile, sync and API.
const EMPTY = '00000000-0000-0000-0000-000000000000';
const CHARS = 'Catalog_ХарактеристикиНоменклатуры';
const STOCK = 'AccumulationRegister_ТоварыНаСкладах';
const auth = { Authorization: 'Basic ' + Buffer.from('rs:pw').toString('base64') };

interface Setup {
  base: DemoBase;
  em: Emulator;
  db: Db;
  onec: ODataClient;
  config: Config;
  app: ReturnType<typeof createApp>;
}

async function setup(variant: 'ut11.5' | 'ut11.4'): Promise<Setup> {
  const base = generateDemoBase({ seed: 17, items: 200, variant });
  const em = await startEmulator({ base });
  const config = parseConfig({ onec: { url: em.url, profile: variant }, auth: { users: [{ name: 'rs', passwordHash: await hashPassword('pw') }] } });
  const db = openDb(':memory:');
  const onec = new ODataClient(config.onec);
  await runFullSync({ db, onec, config });
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const app = createApp({ config, logger: silentLogger, services: { catalog, health: { ready: async () => ({ ready: true, checks: [] }) } } });
  return { base, em, db, onec, config, app };
}

const get = async (s: Setup, path: string) => {
  const r = await s.app.request(`/api/v1/${path}`, { headers: auth });
  return { status: r.status, body: (await r.json()) as any };
};

/** Every item of a warehouse's assortment. */
async function assortment(s: Setup, store: string): Promise<any[]> {
  const r = await get(s, `assortment?store=${store}&limit=1000`);
  expect(r.status).toBe(200);
  return r.body.items;
}

/** The demo's facts of one item sold in its own sizes: its characteristics and the stock records per warehouse. */
function sizedItem(base: DemoBase) {
  const items = base.rows['Catalog_Номенклатура'].filter((r) => !r.IsFolder && r.ИспользованиеХарактеристик === 'ИндивидуальныеДляНоменклатуры');
  for (const item of items) {
    const chars = base.rows[CHARS].filter((c) => c.Owner === item.Ref_Key);
    const records = base.rows[STOCK].filter((r) => r.Номенклатура_Key === item.Ref_Key);
    if (chars.length === 3 && records.length) return { item, chars, records, store: String(records[0].Склад_Key) };
  }
  throw new Error('the demo base has no item in sizes with stock');
}

for (const variant of ['ut11.5', 'ut11.4'] as const) {
  describe(`variants on ${variant}`, () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setup(variant);
    });
    afterAll(async () => {
      await s?.onec.close();
      await s?.em.close();
    });

    it('an item in three sizes shows three variants with their own stock, price and barcodes; others have no variants', async () => {
      const { item, chars, records, store } = sizedItem(s.base);
      const items = await assortment(s, store);
      const got = items.find((i) => i.id === item.Ref_Key);
      expect(got, 'the item is carried').toBeDefined();
      expect(got.variants.map((v: any) => v.id).sort()).toEqual(chars.map((c) => c.Ref_Key).sort());
      // Stock per characteristic at this warehouse, as the register's records say (nothing is reserved here).
      for (const v of got.variants) {
        const expected = records.filter((r) => r.Характеристика_Key === v.id && r.Склад_Key === store).reduce((a, r) => a + Number(r.ВНаличии), 0);
        expect(v.stock).toBe(expected);
      }
      expect(got.variants.reduce((a: number, v: any) => a + v.stock, 0)).toBe(got.stock);
      // The largest size has a retail price of its own (the demo prices it apart); the others sell at the item's.
      const prices = got.variants.map((v: any) => v.price);
      expect(new Set(prices).size).toBe(2);
      expect(prices.filter((p: number) => p === got.price).length).toBe(2);
      expect(Math.max(...prices)).toBeGreaterThan(got.price);
      // Each variant has its own EAN-13, listed with the variant, not the item (q= by it still finds the item).
      for (const v of got.variants) {
        expect(v.typedBarcodes).toHaveLength(1);
        expect(v.typedBarcodes[0].type).toBe('EAN-13');
        expect(got.barcodes).not.toContain(v.typedBarcodes[0].barcode);
      }
      expect(got.barcodes).toHaveLength(1);
      expect(got.typedBarcodes).toEqual([{ barcode: got.barcodes[0], type: 'EAN-13' }]);
      const found = await get(s, `assortment?store=${store}&q=${got.variants[0].typedBarcodes[0].barcode}`);
      expect(found.body.items.map((i: any) => i.id)).toEqual([item.Ref_Key]);
      const plain = items.find((i) => !i.variants);
      expect(plain).toBeDefined();
      expect(plain).not.toHaveProperty('variants');
    });

    it('items of a kind with shared characteristics get the kind’s characteristics as variants', async () => {
      const shared = s.base.rows['Catalog_Номенклатура'].find((r) => !r.IsFolder && r.ИспользованиеХарактеристик === 'ОбщиеДляВидаНоменклатуры')!;
      const kindChars = s.base.rows[CHARS].filter((c) => c.Owner === shared.ВладелецХарактеристик_Key).map((c) => c.Ref_Key).sort();
      expect(kindChars.length).toBe(3);
      const rows = s.db.prepare(`SELECT id FROM catalog_variants WHERE item_id = ? ORDER BY id`).pluck().all(shared.Ref_Key);
      expect(rows).toEqual(kindChars);
    });

    it('VAT rate and whether prices include it', async () => {
      const { store } = sizedItem(s.base);
      const items = await assortment(s, store);
      const rates = new Set(items.map((i) => i.vatRate));
      expect([...rates].every((r) => r === null || [0, 10, 20].includes(r))).toBe(true);
      expect(rates.has(20)).toBe(true);
      expect(rates.has(10)).toBe(true);
      expect(items.every((i) => i.pricesIncludeVat === true)).toBe(true);
    });

    it('a stock sync that changes one size moves only that variant, and the item’s changedAt', async () => {
      const { item, chars, records, store } = sizedItem(s.base);
      const before = (await assortment(s, store)).find((i) => i.id === item.Ref_Key);
      const target = chars.find((c) => records.some((r) => r.Характеристика_Key === c.Ref_Key && r.Склад_Key === store))!;
      const rec = records.find((r) => r.Характеристика_Key === target.Ref_Key && r.Склад_Key === store)!;
      s.em.store.writeRecords(STOCK, 'dddddddd-0000-4000-8000-000000000017', [{ ...rec, RecordType: 'Receipt', ВНаличии: 5, LineNumber: 1 }], 'Document_ОприходованиеИзлишковТоваров');
      if (s.base.rows['AccumulationRegister_СвободныеОстатки']) {
        const free = s.base.rows['AccumulationRegister_СвободныеОстатки'].find((r) => r.Номенклатура_Key === item.Ref_Key && r.Характеристика_Key === target.Ref_Key && r.Склад_Key === store)!;
        s.em.store.writeRecords('AccumulationRegister_СвободныеОстатки', 'dddddddd-0000-4000-8000-000000000017', [{ ...free, RecordType: 'Receipt', ВНаличии: 5, LineNumber: 1 }], 'Document_ОприходованиеИзлишковТоваров');
      }
      const report = await runStockSync({ db: s.db, onec: s.onec, config: s.config });
      expect(report.changed).toBe(1);
      const after = (await assortment(s, store)).find((i) => i.id === item.Ref_Key);
      for (const v of after.variants) {
        const was = before.variants.find((x: any) => x.id === v.id);
        expect(v.stock).toBe(v.id === target.Ref_Key ? was.stock + 5 : was.stock);
      }
      expect(after.stock).toBe(before.stock + 5);
      expect(after.changedAt > before.changedAt).toBe(true);
      // Nothing else changed: a second stock sync changes nothing.
      expect((await runStockSync({ db: s.db, onec: s.onec, config: s.config })).changed).toBe(0);
    });
  });
}

describe('barcode types', () => {
  it('by length and GS1 check digit; other printable ASCII is Code 128', () => {
    expect(barcodeType('4607001771234')).toBe('EAN-13');
    expect(barcodeType('4607001771235')).toBe('Code128'); // wrong check digit
    expect(barcodeType('96385074')).toBe('EAN-8');
    expect(barcodeType('036000291452')).toBe('UPC-A');
    expect(barcodeType('10614141000415')).toBe('GTIN-14');
    expect(barcodeType('ABC-123')).toBe('Code128');
    expect(barcodeType('Штрихкод')).toBe('other');
    expect(EMPTY).toMatch(/^0{8}-/);
  });
});
