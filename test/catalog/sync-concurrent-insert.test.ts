import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync } from '../../src/catalog/sync.js';

// 1C has no server paging: sets are read as $orderby=Ref_Key&$top=N&$skip=M. A manager creating an item while the
// sync pages (any working hour) shifts every later row by one, so the last row of a page comes again first on the
// next page. The duplicate reached the mirror's INSERT (PRIMARY KEY) and failed the whole sync.
let em: Emulator;

beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ seed: 6, items: 200 }) });
});
afterAll(async () => {
  await em?.close();
});

describe('an item created in 1C while the sync pages through Catalog_Номенклатура', () => {
  it('does not fail the sync with a duplicate row', async () => {
    const config = parseConfig({ onec: { url: em.url }, sync: { pageSize: 50 } });
    let inserted = false;
    const onec = new ODataClient({
      ...config.onec,
      observer: (a) => {
        if (inserted || !decodeURIComponent(a.url).includes('/Catalog_Номенклатура?')) return;
        inserted = true;
        // Sorts before every existing key: all later pages shift by one row.
        em.store.insert('Catalog_Номенклатура', { Ref_Key: '00000000-0000-4000-8000-000000000001', Description: 'Новый товар', ТипНоменклатуры: 'Товар' });
      },
    });
    const db = openDb(':memory:');
    const r = await runFullSync({ db, onec, config });
    expect(inserted).toBe(true);
    expect(em.store.get('Catalog_Номенклатура', '00000000-0000-4000-8000-000000000001')).toBeTruthy();
    expect(r.items).toBe(200);
    expect(db.prepare(`SELECT COUNT(*) FROM catalog_items`).pluck().get()).toBe(200);
    await onec.close();
  });
});
