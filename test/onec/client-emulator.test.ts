import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase, type DemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import {
  and,
  eq,
  fromNaive,
  ODataAuth,
  ODataBadRequest,
  ODataClient,
  ODataNotFound,
  rawFilter,
  type Row,
} from '../../src/onec/index.js';

/** The client against the project's 1C emulator with a small demo УТ 11 base (300 items). */
const TZ = 'Europe/Moscow';
const USER = { name: 'Администратор', password: 'пароль 1С' };
let em: Emulator;
let demo: DemoBase;
let client: ODataClient;

beforeAll(async () => {
  demo = generateDemoBase({ items: 300, seed: 'onec-client' });
  em = await startEmulator({ base: demo, users: [USER], timezone: TZ });
  client = new ODataClient({ url: em.url, user: USER.name, password: USER.password, sessions: 4, timezone: TZ, retryBaseMs: 1 });
});
afterAll(async () => {
  await client?.close();
  await em?.close();
});

const ITEMS = 'Catalog_Номенклатура';

describe('collections and paging', () => {
  it('counts and streams a few hundred rows in key-ordered pages, one request per page', async () => {
    const total = demo.rows[ITEMS].length;
    expect(await client.count(ITEMS)).toBe(total);
    client.resetStats();
    const sizes: number[] = [];
    const keys: string[] = [];
    for await (const page of client.stream(ITEMS, { pageSize: 100, select: ['Ref_Key', 'Description', 'Артикул'] })) {
      sizes.push(page.length);
      keys.push(...page.map((r) => r.Ref_Key as string));
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
    expect(sizes.slice(0, -1).every((s) => s === 100)).toBe(true);
    expect(new Set(keys).size).toBe(total);
    expect(client.stats.total).toBe(Math.floor(total / 100) + 1);
    expect(client.stats.byStatus).toEqual({ '200': client.stats.total });
  });

  it('filters, selects and reads by key with normalised values', async () => {
    const items = await client.list(ITEMS, { filter: and(eq('IsFolder', false), eq('DeletionMark', false)), select: ['Ref_Key', 'Parent_Key', 'Description'] });
    expect(items.length).toBe(demo.rows[ITEMS].filter((r) => !r.IsFolder && !r.DeletionMark).length);
    const src = demo.rows[ITEMS].find((r) => !r.IsFolder)!;
    const one = await client.get(ITEMS, src.Ref_Key as string);
    expect(one.Description).toBe(src.Description);
    expect(one.Ref_Key).toBe(src.Ref_Key);
    expect(Object.keys(one).some((k) => k.startsWith('odata.'))).toBe(false);
  });

  it('listByKeys: 300 references split under the URL limit, all found', async () => {
    const barcodes = demo.rows['InformationRegister_ШтрихкодыНоменклатуры'];
    const keys = [...new Set(barcodes.map((b) => b.Номенклатура_Key as string))];
    client.resetStats();
    const rows = await client.listByKeys('InformationRegister_ШтрихкодыНоменклатуры', 'Номенклатура_Key', keys, { select: ['Штрихкод', 'Номенклатура_Key'] });
    expect(rows).toHaveLength(barcodes.length);
    expect(client.stats.total).toBeGreaterThan(1);
    expect(client.stats.byStatus['404'] ?? 0).toBe(0);
  });

  it('orders by Ref_Key when the set has it; Document rows carry Dates and LineNumber numbers', async () => {
    const orders = await client.all('Document_ЗаказКлиента', { pageSize: 2 });
    expect(orders).toHaveLength(demo.rows['Document_ЗаказКлиента'].length);
    const o = orders[0];
    expect(o.Date).toBeInstanceOf(Date);
    expect(o.ДатаОтгрузки).toBeNull();
    const lines = o.Товары as Row[];
    expect(lines.map((l) => l.LineNumber)).toEqual(lines.map((_, i) => i + 1));
  });
});

describe('errors from the emulator', () => {
  it('`in` is refused with 400 code 14; a missing key is ODataNotFound; a wrong password is ODataAuth', async () => {
    const e1 = await client.list(ITEMS, { filter: rawFilter("Code in ('1','2')") }).catch((e) => e);
    expect(e1).toBeInstanceOf(ODataBadRequest);
    expect(e1.code).toBe('14');
    const e2 = await client.get(ITEMS, '00000000-0000-4000-8000-000000000000').catch((e) => e);
    expect(e2).toBeInstanceOf(ODataNotFound);
    expect(e2.what).toBe('entity');
    const bad = new ODataClient({ url: em.url, user: USER.name, password: 'wrong' });
    await expect(bad.count(ITEMS)).rejects.toBeInstanceOf(ODataAuth);
    await bad.close();
  });
});

describe('virtual tables', () => {
  it('Balance by warehouse equals the sum of the stock records', async () => {
    const wh = demo.refs.warehouses.find((w) => demo.rows['AccumulationRegister_ТоварыНаСкладах'].some((r) => r.Склад_Key === w))!;
    const rows = await client.balance('AccumulationRegister_ТоварыНаСкладах', { condition: eq('Склад_Key', wh), dimensions: ['Номенклатура', 'Склад'] });
    expect(rows.length).toBeGreaterThan(0);
    const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 1000) / 1000;
    const expected = sum(
      demo.rows['AccumulationRegister_ТоварыНаСкладах']
        .filter((r) => r.Склад_Key === wh)
        .map((r) => (r.RecordType === 'Expense' ? -1 : 1) * Number(r.ВНаличии ?? 0)),
    );
    expect(sum(rows.map((r) => r.ВНаличииBalance as number))).toBe(expected);
    expect(rows.every((r) => r.Склад_Key === wh)).toBe(true);
  });

  it('SliceLast on the _RecordType set of the recorder-subordinate price register', async () => {
    const retail = demo.refs.priceKinds.retail;
    const rows = await client.sliceLast(
      'InformationRegister_ЦеныНоменклатуры25',
      { recordType: true, condition: eq('ВидЦены_Key', retail), period: new Date() },
      { select: ['Номенклатура_Key', 'ВидЦены_Key', 'Цена'] },
    );
    // One price per item and pricing characteristic (an item's size priced apart has a row of its own, issue 17).
    const items = new Set(demo.rows['InformationRegister_ЦеныНоменклатуры25'].filter((r) => r.ВидЦены_Key === retail).map((r) => `${r.Номенклатура_Key}/${r.ХарактеристикаЦО_Key ?? ''}`));
    expect(rows.length).toBe(items.size);
    expect(rows.every((r) => r.ВидЦены_Key === retail && typeof r.Цена === 'number')).toBe(true);
  });
});

describe('writes', () => {
  it('create an order with lines, post it (settlements appear), unpost, mark for deletion', async () => {
    const item = demo.rows[ITEMS].find((r) => !r.IsFolder)!;
    const partner = demo.rows['Catalog_Партнеры'][0];
    const counterparty = demo.rows['Catalog_Контрагенты'][0];
    const date = fromNaive('2024-03-01T12:00:00', TZ);
    const created = await client.create('Document_ЗаказКлиента', {
      Date: date,
      Партнер_Key: partner.Ref_Key,
      Контрагент_Key: counterparty.Ref_Key,
      Организация_Key: demo.refs.organisation,
      Валюта_Key: demo.refs.currency,
      Склад_Key: demo.refs.warehouses[0],
      СуммаДокумента: 300,
      ReGate_ВнешнийИдентификатор: 'RS-TEST-1',
      Товары: [
        { LineNumber: 9, Номенклатура_Key: item.Ref_Key, Количество: 2, Цена: 100, Сумма: 200 },
        { Номенклатура_Key: item.Ref_Key, Количество: 1, Цена: 100, Сумма: 100 },
      ],
    });
    const ref = created.Ref_Key as string;
    expect(ref).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.Date).toEqual(date);
    expect(created.Posted).toBe(false);
    expect((created.Товары as Row[]).map((l) => l.LineNumber)).toEqual([1, 2]);

    const SETTLEMENTS = 'AccumulationRegister_РасчетыСКлиентами_RecordType';
    const before = await client.count(SETTLEMENTS);
    await client.post('Document_ЗаказКлиента', ref);
    expect(await client.count(SETTLEMENTS)).toBeGreaterThan(before);
    expect((await client.get('Document_ЗаказКлиента', ref, { select: ['Posted'] })).Posted).toBe(true);
    const found = await client.list('Document_ЗаказКлиента', { filter: eq('ReGate_ВнешнийИдентификатор', 'RS-TEST-1'), select: ['Ref_Key'] });
    expect(found).toEqual([{ Ref_Key: ref }]);

    await client.unpost('Document_ЗаказКлиента', ref);
    expect(await client.count(SETTLEMENTS)).toBe(before);
    expect((await client.get('Document_ЗаказКлиента', ref)).Posted).toBe(false);
    const marked = await client.setDeletionMark('Document_ЗаказКлиента', ref);
    expect(marked.DeletionMark).toBe(true);
    const updated = await client.update('Document_ЗаказКлиента', ref, { Комментарий: 'изменён' });
    expect(updated.Комментарий).toBe('изменён');
  });
});

describe('faults of a real publication', () => {
  it('a POST whose answer is lost is applied once and not retried; the caller finds it by its external id', async () => {
    const body = {
      Date: new Date(),
      Партнер_Key: demo.rows['Catalog_Партнеры'][1].Ref_Key,
      ReGate_ВнешнийИдентификатор: 'RS-LOST-1',
      Товары: [],
    };
    await em.faults.set({ lostResponseRate: 1, seed: 1 });
    client.resetStats();
    try {
      await expect(client.create('Document_ЗаказКлиента', body)).rejects.toMatchObject({ name: 'ODataUnavailable', status: 0, method: 'POST' });
    } finally {
      await em.faults.reset();
    }
    expect(client.stats).toMatchObject({ total: 1, retries: 0 });
    const found = await client.list('Document_ЗаказКлиента', { filter: eq('ReGate_ВнешнийИдентификатор', 'RS-LOST-1'), select: ['Ref_Key'] });
    expect(found).toHaveLength(1);
  });

  it('sessions = the publication pool: no 503; more sessions than the pool: 503s retried', async () => {
    await em.faults.set({ poolSize: 2, poolTimeoutMs: 1, latencyMs: 30 });
    const fits = new ODataClient({ url: em.url, user: USER.name, password: USER.password, sessions: 2, retryBaseMs: 5, readRetries: 10 });
    const over = new ODataClient({ url: em.url, user: USER.name, password: USER.password, sessions: 6, retryBaseMs: 5, retryMaxMs: 40, readRetries: 30 });
    try {
      const burst = (c: ODataClient) => Promise.all(Array.from({ length: 6 }, () => c.list('Catalog_Валюты', { select: ['Ref_Key'] })));
      await burst(fits);
      expect(fits.stats.byStatus).toEqual({ '200': 6 });
      await burst(over);
      expect(over.stats.byStatus['503']).toBeGreaterThan(0);
      expect(over.stats.retries).toBe(over.stats.byStatus['503']);
      expect(over.stats.byStatus['200']).toBe(6);
    } finally {
      await em.faults.reset();
      await fits.close();
      await over.close();
    }
  });

  it('a base that is down: connection refused → ODataUnavailable; back up → reads work again', async () => {
    await em.faults.set({ down: true });
    const c = new ODataClient({ url: em.url, user: USER.name, password: USER.password, readRetries: 1, retryBaseMs: 1 });
    try {
      await expect(c.count(ITEMS)).rejects.toMatchObject({ name: 'ODataUnavailable', status: 0 });
    } finally {
      await em.faults.reset();
    }
    expect(await c.count(ITEMS)).toBe(demo.rows[ITEMS].length);
    await c.close();
  });
});

describe('metadata', () => {
  it('reads the emulator $metadata and knows the УТ 11 fields', async () => {
    const md = await client.metadata();
    const fields = md.fields(ITEMS)!;
    expect(fields).toEqual(expect.arrayContaining(['Ref_Key', 'Артикул', 'Description', 'ЕдиницаИзмерения_Key']));
    expect(md.entitySet(ITEMS)!.properties.find((p) => p.name === 'Ref_Key')!.type).toBe('Edm.Guid');
    expect(md.functionsOf('AccumulationRegister_ТоварыНаСкладах').map((f) => f.name)).toContain('Balance');
    expect(md.functionsOf('Document_ЗаказКлиента').map((f) => f.name).sort()).toEqual(['Post', 'Unpost']);
  });
});
