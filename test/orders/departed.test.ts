import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { runStockSync } from '../../src/catalog/sync.js';
import { parseConfig } from '../../src/config/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { harness, type Harness } from './harness.js';

/**
 * changedSince after a sell-out (issue 14.7): 1C answers no balance row for an item whose stock went to zero, the
 * sync deletes its stock row, and the warehouse no longer carries it. The mirror remembers the departure, and
 * assortment?changedSince= returns the item with stock 0 — once, on the last page — until it comes back.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const hash = await hashPassword('p');
const auth = 'Basic ' + Buffer.from('rs:p').toString('base64');
const STOCK = 'AccumulationRegister_ТоварыНаСкладах';

function apiOf(hh: Harness) {
  const config = parseConfig({ auth: { users: [{ name: 'rs', passwordHash: hash }] } });
  const catalog = new CatalogService(hh.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const app = createApp({ config, logger: silentLogger, services: { catalog, orders: hh.orders, health: { ready: async () => ({ ready: true, checks: [] }) } } });
  return async (query: string) => {
    const r = await app.request(`/api/v1/assortment?store=${hh.store}&${query}`, { headers: { Authorization: auth } });
    expect(r.status).toBe(200);
    return (await r.json()) as { total: number; next: string | null; items: { id: string; stock: number | string; changedAt: string; price: number | null }[] };
  };
}

/** The item's stock at the harness's warehouse in the emulated 1C, then a stock sync. */
async function setStock(hh: Harness, itemId: string, quantity: number) {
  const mine = (r: Record<string, unknown>) => r.Номенклатура_Key === itemId && r.Склад_Key === hh.store && r.RecordType === 'Receipt';
  const recorder = String(hh.em.store.records(STOCK).find(mine)?.Recorder);
  const set = hh.em.store.records(STOCK).filter((r) => r.Recorder === recorder).map(({ LineNumber: _n, Recorder: _r, Recorder_Type: _t, ...r }) => ({ ...r, ...(mine(r) ? { ВНаличии: quantity } : {}) }));
  hh.em.store.writeRecords(STOCK, recorder, set);
  await runStockSync({ db: hh.db, onec: hh.onec, config: hh.config });
}
const carried = (hh: Harness, itemId: string) => hh.db.prepare(`SELECT count(*) FROM catalog_stock WHERE store_id = ? AND item_id = ?`).pluck().get(hh.store, itemId) as number;
const pause = () => new Promise((r) => setTimeout(r, 5));

describe('changedSince and items that sold out', () => {
  it('an item sold out in 1C comes back from changedSince with stock 0 (and its card and price); not from a later changedSince; back in stock, it is served as before', async () => {
    h = await harness();
    const hh = h;
    const get = apiOf(hh);
    const [item, other] = hh.items;
    const before = new Date().toISOString();
    await pause();
    await setStock(hh, item, 0);
    // 1C answered no balance for it: the warehouse no longer carries it.
    expect(carried(hh, item)).toBe(0);
    expect((await get('pageSize=1000')).items.some((i) => i.id === item)).toBe(false);

    const changed = await get(`changedSince=${encodeURIComponent(before)}&pageSize=1000`);
    const sold = changed.items.find((i) => i.id === item);
    expect(sold).toMatchObject({ stock: 0 });
    expect(sold!.price).toBeGreaterThan(0);
    expect(sold!.changedAt > before).toBe(true);
    expect(changed.total).toBe(changed.items.length);

    await pause();
    const later = new Date().toISOString();
    expect((await get(`changedSince=${encodeURIComponent(later)}`)).items.some((i) => i.id === item)).toBe(false);

    // Back in stock: an ordinary changed item again, with its stock, and no departure left.
    await setStock(hh, item, 4);
    const back = (await get(`changedSince=${encodeURIComponent(before)}&pageSize=1000`)).items.filter((i) => i.id === item);
    expect(back).toMatchObject([{ stock: 4 }]);
    expect(hh.db.prepare(`SELECT count(*) FROM stock_departures WHERE item_id = ?`).pluck().get(item)).toBe(0);
    expect(other).toBeDefined();
  });

  it('departures are paged with the changed items: each once, every page within its limit, none on a page past the end', async () => {
    h = await harness();
    const hh = h;
    const get = apiOf(hh);
    const [a, b, c] = hh.items;
    const before = new Date().toISOString();
    await pause();
    await setStock(hh, a, 0);
    await setStock(hh, b, 0);
    await setStock(hh, c, 7); // changed, still carried
    const all = await get(`changedSince=${encodeURIComponent(before)}&pageSize=1000`);
    const ids: string[] = [];
    let url: string | null = `changedSince=${encodeURIComponent(before)}&limit=1`;
    let pages = 0;
    while (url) {
      const page = await get(url);
      expect(page.total).toBe(all.total);
      expect(page.items.length).toBeLessThanOrEqual(1);
      ids.push(...page.items.map((i) => i.id));
      url = page.next ? page.next.slice(page.next.indexOf('?') + 1).replace(/(^|&)store=[^&]*/, '') : null;
      pages++;
    }
    expect(ids.filter((i) => i === a || i === b).length).toBe(2);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(all.total);
    expect(pages).toBe(all.total);
    expect(all.total).toBeGreaterThanOrEqual(3);
    // A page past the end (old page/pageSize paging) is empty: the departures are not repeated there.
    expect((await get(`changedSince=${encodeURIComponent(before)}&page=${all.total + 5}&pageSize=1`)).items).toEqual([]);
  });
});
