import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync, runStockSync } from '../../src/catalog/sync.js';

// A price set for a packaging (Упаковка_Key) is per packaging: the unit price is Цена / (Числитель/Знаменатель).
// In УТ 11 a packaging belongs to the item OR to a packaging set (Catalog_НаборыУпаковок, shared by many items);
// the ratio is the packaging's own, whoever owns it. Only item-owned packagings were counted, so a «box of 12» from
// a set priced 1200 showed as 1200 per piece.
const BOX = 'eeeeeeee-0000-4000-8000-000000000012';
let em: Emulator;
let db: Db;
let config: Config;
let onec: ODataClient;
let itemId: string;
let retailKind: string;

beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ seed: 4, items: 60 }) });
  config = parseConfig({ onec: { url: em.url } });
  db = openDb(':memory:');
  onec = new ODataClient(config.onec);
  const list = onec.list.bind(onec);
  const sliceLast = onec.sliceLast.bind(onec);
  // The units are read page by page: the packaging of a set comes with the last page.
  onec.list = async (set, o) => {
    const rows = await list(set, o);
    if (set !== 'Catalog_УпаковкиЕдиницыИзмерения' || rows.length === o?.top) return rows;
    // Owned by a packaging set: no item in Owner_Key.
    return [...rows, { Ref_Key: BOX, Code: '000000999', Description: 'Коробка 12 шт', DeletionMark: false, IsFolder: false, Owner_Key: null, НаименованиеПолное: 'Коробка (12 шт)', ЕдиницаИзмерения_Key: null, Числитель: 12, Знаменатель: 1 }];
  };
  onec.sliceLast = async (r, p, o) => {
    const rows = await sliceLast(r, p, o);
    // Prices only (issue 17 also slices СтавкиНДСНоменклатуры).
    if (!String(r).startsWith('InformationRegister_ЦеныНоменклатуры')) return rows;
    // The sync reads virtual tables raw: an empty reference is the zero GUID there, null once normalised.
    const i = rows.findIndex((x) => x.ВидЦены_Key === retailKind && (!x.Упаковка_Key || x.Упаковка_Key === '00000000-0000-0000-0000-000000000000'));
    itemId = String(rows[i].Номенклатура_Key);
    rows[i] = { ...rows[i], Цена: 1200, Упаковка_Key: BOX };
    return rows;
  };
  const c = new ODataClient(config.onec);
  retailKind = String((await c.all('Catalog_ВидыЦен', { select: ['Ref_Key', 'Description'] })).find((k) => k.Description === 'Розничная')!.Ref_Key);
  await c.close();
});
afterAll(async () => {
  await onec?.close();
  await em?.close();
});

const price = () => db.prepare(`SELECT price FROM catalog_prices WHERE item_id = ? AND price_kind_id = ?`).pluck().get(itemId, retailKind);

describe('a price per packaging of a packaging set', () => {
  it('is divided by the packaging ratio in the full sync and in the stock job', async () => {
    await runFullSync({ db, onec, config });
    expect(price()).toBe(100);
    await runStockSync({ db, onec, config });
    expect(price()).toBe(100);
  });
});
