import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';

/**
 * The engine over the demo УТ 11 base (schema + generator are another session's; this checks they fit the engine):
 * the command `regate emulator` serves exactly this.
 */
let em: Emulator;
beforeAll(async () => {
  const { generateDemoBase } = await import('../../src/emulator/demo/index.js');
  em = await startEmulator({ base: generateDemoBase({ seed: 1, items: 200 }), users: [{ name: 'Администратор', password: '' }] });
}, 60_000);
afterAll(() => em?.close());

const auth = { Authorization: `Basic ${Buffer.from('Администратор:', 'utf8').toString('base64')}` };
const get = async (path: string) => {
  const res = await fetch(`${em.url}/${encodeURI(path)}`, { headers: auth });
  return { status: res.status, body: (await res.json()) as any };
};

describe('emulator with the demo УТ 11 base', () => {
  it('Catalog_Номенклатура?$format=json&$top=2 is shaped like a real УТ 11 base', async () => {
    const r = await get('Catalog_Номенклатура?$format=json&$top=2');
    expect(r.status).toBe(200);
    expect(r.body.value).toHaveLength(2);
    for (const item of r.body.value) {
      for (const f of ['Ref_Key', 'DataVersion', 'DeletionMark', 'Parent_Key', 'IsFolder', 'Code', 'Description', 'Predefined', 'Артикул', 'ЕдиницаИзмерения_Key', 'ТипНоменклатуры']) {
        expect(item, f).toHaveProperty(f);
      }
      expect(item.Ref_Key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  it('stock Balance, price SliceLast and posting an order work over the УТ 11 schema', async () => {
    const b = await get('AccumulationRegister_ТоварыНаСкладах/Balance()?$format=json&$top=5');
    expect(b.status).toBe(200);
    expect(b.body.value.length).toBeGreaterThan(0);
    expect(b.body.value[0]).toHaveProperty('ВНаличииBalance');
    const p = await get('InformationRegister_ЦеныНоменклатуры25_RecordType/SliceLast()?$format=json&$top=5');
    expect(p.status).toBe(200);
    expect(p.body.value[0]).toHaveProperty('Цена');
    const orders = await get('Document_ЗаказКлиента?$format=json&$top=1&$filter=Posted eq true');
    const key = orders.body.value[0].Ref_Key;
    const res = await fetch(`${em.url}/${encodeURI(`Document_ЗаказКлиента(guid'${key}')/Post`)}?$format=json`, { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    // The register has several recorder types: its recorder is composite and compares only through cast().
    const settl = await get(`AccumulationRegister_РасчетыСКлиентами_RecordType?$format=json&$filter=Recorder eq cast(guid'${key}', 'Document_ЗаказКлиента')`);
    expect(settl.body.value.length).toBeGreaterThan(0);
    expect(settl.body.value[0].Recorder_Type).toBe('StandardODATA.Document_ЗаказКлиента');
    const bare = await get(`AccumulationRegister_РасчетыСКлиентами_RecordType?$format=json&$filter=Recorder_Key eq guid'${key}'`);
    expect(bare.status).toBe(400);
  });
});
