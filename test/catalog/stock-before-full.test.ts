import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runStockSync } from '../../src/catalog/sync.js';

let em: Emulator;
let onec: ODataClient;
beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ seed: 5, items: 50 }) });
  onec = new ODataClient({ url: em.url });
});
afterAll(async () => {
  await onec?.close();
  await em?.close();
});

describe('the stock job before the first full sync', () => {
  it('sends no request: with no warehouses in the mirror it would read every stock and every price, unnarrowed', async () => {
    const db = openDb(':memory:');
    const config = parseConfig({ onec: { url: em.url } });
    const r = await runStockSync({ db, onec, config });
    expect(r).toMatchObject({ stockRows: 0, priceRows: 0, requests: 0 });
    expect(onec.stats.total).toBe(0);
  });
});
