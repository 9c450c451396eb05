import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { parseConfig } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { readAll } from '../../src/onec/read.js';
import { getProfile } from '../../src/onec/profiles/index.js';

// A virtual table's Condition travels in the URL path: `Склад_Key eq guid'…' or …` costs ~92 characters per
// warehouse, so 16 warehouses pass onec.maxUrlLength (2000) and ~38 pass IIS's maxUrl (4096, an HTML 404): the stock
// job of a chain with many warehouses could never succeed. Long key lists are split so every URL fits, and the
// rows are the same as one request would give.
let em: Emulator;
const config = parseConfig({});
const profile = getProfile('ut11.5', config);
let warehouses: string[];
let kinds: string[];

beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ seed: 2, items: 150 }) });
  const c = new ODataClient({ url: em.url });
  warehouses = (await c.all('Catalog_Склады', { select: ['Ref_Key'] })).map((r) => String(r.Ref_Key));
  kinds = (await c.all('Catalog_ВидыЦен', { select: ['Ref_Key'] })).map((r) => String(r.Ref_Key));
  await c.close();
});
afterAll(async () => {
  await em?.close();
});

const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('readAll of a virtual table with a long key list', () => {
  it('Balance and SliceLast split the keys so no URL is longer than maxUrlLength; rows unchanged', async () => {
    expect(warehouses.length).toBeGreaterThanOrEqual(5);
    expect(kinds.length).toBeGreaterThanOrEqual(3);
    const wide = new ODataClient({ url: em.url, maxUrlLength: 100_000 });
    const urls: string[] = [];
    // One key's request is 808 characters since stock and prices carry Характеристика (issue 17): 900 still splits.
    const narrow = new ODataClient({ url: em.url, maxUrlLength: 900, observer: (a) => urls.push(a.url) });
    for (const [spec, params] of [
      [profile.reads.stock!, { warehouseKeys: warehouses }],
      [profile.reads.price!, { priceKindKeys: kinds }],
    ] as const) {
      urls.length = 0;
      const whole = await readAll(wide, spec, params);
      const split = await readAll(narrow, spec, params);
      expect(whole.length).toBeGreaterThan(0);
      expect(sorted(split)).toEqual(sorted(whole));
      expect(urls.length).toBeGreaterThan(1);
      for (const u of urls) expect(u.length).toBeLessThanOrEqual(900);
    }
    await wide.close();
    await narrow.close();
  });
});
