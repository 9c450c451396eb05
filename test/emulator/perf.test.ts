import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { G, testConfig } from './fixture.js';

/** 100,000 items: the store must answer a 1,000-row page quickly (the catalog sync pages exactly like this). */
const N = 100_000;
let em: Emulator;
let loadMs = 0;
beforeAll(async () => {
  const items = Array.from({ length: N }, (_, i) => {
    const hex = i.toString(16).padStart(12, '0');
    return { Ref_Key: `a0000000-0000-4000-8000-${hex}`, Code: `УТ-${String(i + 1).padStart(8, '0')}`, Description: `Товар ${i}`, Артикул: `A-${i % 977}`, ЕдиницаИзмерения_Key: G.unit, Вес: i % 13 };
  });
  const stock = items.slice(0, 50_000).map((it, i) => ({ Recorder_Key: G.receipt, Period: '2026-01-01T00:00:00', RecordType: 'Receipt', Номенклатура_Key: it.Ref_Key, Склад_Key: i % 2 ? G.wh1 : G.wh2, ВНаличии: 5 }));
  const t0 = Date.now();
  em = await startEmulator({ base: { config: testConfig, rows: { Catalog_Номенклатура: items, AccumulationRegister_ТоварыНаСкладах: stock } } });
  loadMs = Date.now() - t0;
}, 60_000);
afterAll(() => em.close());

async function timed(path: string) {
  const t0 = Date.now();
  const res = await fetch(`${em.url}/${encodeURI(path)}`);
  const body = (await res.json()) as any;
  return { ms: Date.now() - t0, status: res.status, body };
}

describe('performance with 100,000 items', () => {
  it('loads in seconds', () => {
    expect(em.store.count('Catalog_Номенклатура')).toBe(N);
    expect(loadMs).toBeLessThan(10_000);
  });

  it('pages of 1,000 ordered by Ref_Key: first page < 1.5 s, next pages < 300 ms (cached order)', async () => {
    const first = await timed('Catalog_Номенклатура?$format=json&$orderby=Ref_Key&$top=1000&$skip=0');
    expect(first.status).toBe(200);
    expect(first.body.value).toHaveLength(1000);
    expect(first.ms).toBeLessThan(1500);
    const next = await timed('Catalog_Номенклатура?$format=json&$orderby=Ref_Key&$top=1000&$skip=98000');
    expect(next.body.value).toHaveLength(1000);
    expect(next.body.value[0].Ref_Key).toBe(`a0000000-0000-4000-8000-${(98000).toString(16).padStart(12, '0')}`);
    expect(next.ms).toBeLessThan(300);
    console.log(`100k items: load ${loadMs} ms, first ordered page ${first.ms} ms, later page ${next.ms} ms`);
  });

  it('single entity by key and a filtered page are fast', async () => {
    const one = await timed(`Catalog_Номенклатура(guid'a0000000-0000-4000-8000-000000000fff')?$format=json`);
    expect(one.body.Description).toBe('Товар 4095');
    expect(one.ms).toBeLessThan(100);
    const f = await timed(`Catalog_Номенклатура?$format=json&$filter=Артикул eq 'A-5' and Вес gt 3&$top=1000&$inlinecount=allpages`);
    expect(Number(f.body['odata.count'])).toBeGreaterThan(50);
    expect(f.ms).toBeLessThan(800);
    const b = await timed(`AccumulationRegister_ТоварыНаСкладах/Balance(Condition='Склад_Key eq guid'${G.wh1}'')?$format=json&$top=1000`);
    expect(b.body.value).toHaveLength(1000);
    expect(b.ms).toBeLessThan(1500);
  });
});
