import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { writeSnapshot, writeStockAndPrices } from '../../src/catalog/writer.js';
import { CatalogService } from '../../src/catalog/service.js';
import type { MirrorSnapshot } from '../../src/catalog/types.js';
import { S1, S2, G1, G2, item, snapshot } from '../fixtures/mirror.js';

// Keyset pages (catalog_assortment), FTS5 search and the exact barcode against a reference computed here from the
// snapshot: the same rows in the same order as the OFFSET query they replace, at every page, before and after
// stock syncs that move items in and out of a warehouse and full syncs that rename and drop items.
const N = 1200;
const id = (i: number) => `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, '0')}`;
const words = ['Гречка', 'Рис', 'Ёлка', 'елка', 'Сок «Добрый»', 'Apple', 'apple', 'Чай 100%_', 'Ж'];
const items = Array.from({ length: N }, (_, i) =>
  item(id(i), `${words[i % words.length]} ${i % 7}`, { article: `АР-${String(i).padStart(5, '0')}`, soldToOrder: i % 97 === 0, groupId: i % 3 ? G2 : G1 }),
);
// Every third item at S1, every fifth at S2 (some at both): many equal names, so id breaks ties.
const stockOf = (skip = new Set<string>()) =>
  items.flatMap((it, i) => [
    ...(i % 3 === 0 && !skip.has(it.id) ? [{ storeId: S1, itemId: it.id, quantity: i + 1 }] : []),
    ...(i % 5 === 0 ? [{ storeId: S2, itemId: it.id, quantity: 1 }] : []),
  ]);
const snap = (over: Partial<MirrorSnapshot> = {}): MirrorSnapshot => ({
  ...snapshot,
  items,
  barcodes: items.map((it, i) => ({ itemId: it.id, barcode: String(4600000000000 + i) })),
  prices: [],
  stock: stockOf(),
  ...over,
});

// SQLite's BINARY order is UTF-8 byte order.
const byNameId = (a: { name: string; id: string }, b: { name: string; id: string }) =>
  Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || Buffer.compare(Buffer.from(a.id), Buffer.from(b.id));
function expected(db: Db, store: string, keep: (it: { id: string; name: string; article: string }) => boolean = () => true) {
  const rows = db
    .prepare(`SELECT i.id, i.name, i.article FROM catalog_items i WHERE i.sold_to_order = 1 OR EXISTS (SELECT 1 FROM catalog_stock s WHERE s.store_id = ? AND s.item_id = i.id)`)
    .all(store) as { id: string; name: string; article: string }[];
  return rows.filter(keep).sort(byNameId).map((r) => r.id);
}

let db: Db;
let catalog: CatalogService;
const all = (store: string, pageSize: number, extra: Record<string, string> = {}) => {
  const out: string[] = [];
  let total = -1;
  for (let page = 1; page < 10_000; page++) {
    const r = catalog.assortment({ store, page, pageSize, ...extra });
    total = r.total;
    out.push(...r.items.map((i) => i.id));
    if (r.items.length < pageSize) break;
  }
  return { ids: out, total };
};

beforeAll(() => {
  db = openDb(':memory:');
  writeSnapshot(db, snap(), new Date('2026-11-01T00:00:00Z'));
  catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
});

describe('assortment pages (catalog_assortment)', () => {
  it('every page of every store holds the rows of the old ORDER BY name, id LIMIT/OFFSET, whatever the page size', () => {
    for (const store of [S1, S2]) {
      const want = expected(db, store);
      expect(want.length).toBeGreaterThan(200);
      for (const size of [1, 7, 100, 1000]) {
        if (size === 1 && store === S2) continue; // 1-item pages of one store are enough
        const got = all(store, size);
        expect(got.total).toBe(want.length);
        expect(got.ids).toEqual(want);
      }
      // A page past the end is empty, with the total.
      const past = catalog.assortment({ store, page: 500, pageSize: 100 });
      expect(past.items).toEqual([]);
      expect(past.total).toBe(want.length);
    }
  });

  it('a stock sync where items leave and enter a warehouse renumbers that warehouse only', () => {
    const gone = new Set(items.filter((it, i) => i % 3 === 0 && i % 2 === 0 && !it.soldToOrder).map((it) => it.id));
    const s2Before = db.prepare(`SELECT a.pos, a.item_no FROM catalog_assortment a JOIN catalog_stores st ON st.rowid = a.store_no WHERE st.id = ? ORDER BY pos`).all(S2);
    writeStockAndPrices(db, stockOf(gone), null, new Date('2026-11-02T00:00:00Z'));
    const want = expected(db, S1);
    expect(want.length).toBeLessThan(expected(db, S2).length + 400);
    expect(all(S1, 100).ids).toEqual(want);
    expect(all(S1, 100).ids.some((x) => gone.has(x))).toBe(false);
    expect(db.prepare(`SELECT a.pos, a.item_no FROM catalog_assortment a JOIN catalog_stores st ON st.rowid = a.store_no WHERE st.id = ? ORDER BY pos`).all(S2)).toEqual(s2Before);
    writeStockAndPrices(db, stockOf(), null, new Date('2026-11-03T00:00:00Z'));
    expect(all(S1, 100).ids).toEqual(expected(db, S1));
  });

  it('group and changedSince pages follow the same order', () => {
    // G2 is a subgroup of G1: group=G1 is everything, group=G2 the items filed under G2.
    const inG2 = new Set(items.filter((it) => it.groupId === G2).map((it) => it.id));
    expect(all(S1, 50, { group: G1 }).ids).toEqual(expected(db, S1));
    expect(all(S2, 50, { group: G2 }).ids).toEqual(expected(db, S2, (r) => inG2.has(r.id)));
    expect(all(S2, 50, { group: G2 }).ids.length).toBeGreaterThan(50);
    expect(all(S2, 50, { group: G2 }).ids.length).toBeLessThan(expected(db, S2).length);
    // Both stock syncs above moved S1's items: changedSince finds exactly those (plus nothing at S2).
    const moved = all(S1, 100, { changedSince: '2026-11-01T12:00:00Z' });
    const movedIds = new Set(items.filter((it, i) => i % 3 === 0 && i % 2 === 0 && !it.soldToOrder).map((it) => it.id));
    expect(moved.ids).toEqual(expected(db, S1, (r) => movedIds.has(r.id)));
    expect(all(S2, 100, { changedSince: '2026-11-03T00:00:00Z' }).ids).toEqual([]);
  });
});

describe('assortment?q= (FTS5 trigram on the folded name and article)', () => {
  const q = (store: string, text: string, extra: Record<string, string> = {}) => all(store, 100, { q: text, ...extra }).ids;
  const fold = (s: string) => s.toLowerCase().replace(/ё/g, 'е');
  const contains = (needle: string) => (r: { name: string; article: string }) => fold(r.name + '\x01' + r.article).includes(fold(needle));

  it('finds a substring of the name or article, case- and ё-insensitive, in page order', () => {
    for (const text of ['гречка', 'ГРЕЧКА 3', 'ёлка', 'Елка', 'сок «доб', 'APPLE', 'ар-0011', 'чай 100%_', 'ж 1', 'ка', 'к', '5']) {
      const want = expected(db, S1, contains(text));
      expect(q(S1, text), text).toEqual(want);
    }
    expect(q(S2, 'ёлка').length).toBeGreaterThan(q(S2, 'гречка').length * 1.5); // Ёлка and елка both
  });

  it('treats FTS5 syntax, quotes and wildcards literally', () => {
    for (const text of ['гр%ка', 'гр_чка', 'гречка OR рис', '"гречка"', 'греч*', "'; DROP TABLE catalog_items; --", 'NEAR(рис 1)', '100%']) {
      expect(q(S1, text), text).toEqual(expected(db, S1, contains(text)));
    }
    expect(q(S1, 'гречка OR рис')).toEqual([]);
  });

  it('the exact barcode finds its item, a barcode prefix does not', () => {
    const i = 3 * 41; // carried at S1
    expect(q(S1, String(4600000000000 + i))).toEqual([id(i)]);
    expect(q(S1, String(4600000000000 + i).slice(0, 12))).toEqual([]);
    expect(q(S1, String(4600000000000 + 1))).toEqual([]); // item 1 is not carried at S1
  });

  it('follows renames and removals of a full sync (the index is kept by triggers)', () => {
    const renamed = items.map((it, i) => (i === 3 ? { ...it, name: 'Кофе молотый' } : it)).filter((_, i) => i !== 6);
    writeSnapshot(db, snap({ items: renamed, barcodes: [] }), new Date('2026-11-04T00:00:00Z'));
    expect(q(S1, 'кофе мол')).toEqual([id(3)]);
    expect(q(S1, 'ёлка 3')).not.toContain(id(3));
    expect(all(S1, 100).ids).toEqual(expected(db, S1));
    expect(all(S1, 100).ids).not.toContain(id(6));
    expect(db.prepare(`INSERT INTO catalog_items_fts (catalog_items_fts, rank) VALUES ('integrity-check', 1)`).run().changes).toBeGreaterThanOrEqual(0);
  });

  it('a mirror written before migration 014 gets its search text on first use', () => {
    const old = openDb(':memory:');
    writeSnapshot(old, snap());
    old.exec(`UPDATE catalog_items SET search_text = NULL`);
    expect(old.prepare(`SELECT count(*) FROM catalog_items_fts WHERE catalog_items_fts MATCH '"гречка"'`).pluck().get()).toBe(0);
    const c = new CatalogService(old, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    expect(c.assortment({ store: S1, q: 'гречка', page: 1, pageSize: 1000 }).items.map((i) => i.id)).toEqual(expected(old, S1, contains('гречка')));
  });
});
