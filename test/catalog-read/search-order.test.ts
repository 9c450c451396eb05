import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { CatalogService, type AssortmentQuery } from '../../src/catalog/service.js';
import { item, snapshot } from '../fixtures/mirror.js';

// Issue 19.3, cold q= at scale: a search placed by the warehouse's order held in memory (store-orders.ts) answers
// exactly what the SQL path answers (same total, same items in the same order, every page), on a generated base
// with repeated names, words in many names, items sold to order (in every warehouse), exact barcodes that are also
// in names, and warehouses carrying different shares of the base.
const N = 1500;
const STORES = ['11111111-1111-4111-8111-11111111111', '22222222-2222-4222-8222-22222222222', '33333333-3333-4333-8333-33333333333'].map((s, i) => `${s}${i}`);
const WORDS = ['Гречка', 'Рис', 'Сахар', 'Мука', 'Чай', 'Кофе', 'Ёлка', 'Сок «Сад»', 'товар'];
const id = (i: number) => `bbbbbbbb-3333-4000-8000-${String(i).padStart(12, '0')}`;
let seed = 19;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
// Names out of id order with many repeats (id breaks the tie); a word in most names, others in few.
const items = Array.from({ length: N }, (_, i) =>
  item(id((i * 7919) % N), `Товар ${WORDS[Math.floor(rnd() * WORDS.length)]} № ${Math.floor(rnd() * 300)}`, { article: `АР-${i % 500}`, soldToOrder: i % 97 === 0 }),
);
const barcodes = items.filter((_, i) => i % 5 === 0).map((it, k) => ({ itemId: it.id, barcode: k % 3 === 0 ? `46${String(k).padStart(11, '0')}` : `№ ${k % 300}` }));
// Warehouse k carries an item with probability 0.8, 0.3, 0.02: most, some, almost none (the items sold to order aside).
const share = [0.8, 0.3, 0.02];
const stock = items.flatMap((it) => STORES.flatMap((s, k) => (rnd() < share[k] ? [{ storeId: s, itemId: it.id, quantity: 1 + Math.floor(rnd() * 5) }] : [])));

let db: Db;
let fast: CatalogService;
let slow: CatalogService;
const gen = () => fast.state().generation;
const storeRef = (storeId: string) => db.prepare(`SELECT rowid AS no, id, assortment AS copy FROM catalog_stores WHERE id = ?`).get(storeId) as { no: number; id: string; copy: 0 | 1 };

beforeAll(() => {
  db = openDb(':memory:');
  writeSnapshot(
    db,
    { ...snapshot, stores: STORES.map((s, k) => ({ id: s, name: `Склад ${k}`, city: 'Москва', address: `ул. ${k}`, retailPriceKindId: null })), items, barcodes, prices: [], stock },
    new Date('2026-12-01T00:00:00Z'),
  );
  const names = { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' };
  fast = new CatalogService(db, names);
  slow = new CatalogService(db, names);
  slow.storeOrders.enabled = false;
  for (const s of STORES) expect(fast.storeOrders.buildNow(storeRef(s), gen())).toBeDefined();
});
afterAll(() => db.close());

const queries = [
  'товар', // in every name
  'гречка',
  'ГРЕЧ', // case folded
  'елка', // ё → е
  'ёлка',
  'сок «сад»',
  '№ 12',
  'ар-4', // article
  'АР-499',
  '46000000000', // part of a barcode: text only
  `46${String(3).padStart(11, '0')}`, // an exact barcode of an item (and in no name)
  '№ 7', // an exact "barcode" that is also in names: both
  'кофе № 1',
  'нет такого',
  'a"b', // a quote in the phrase
];

describe('q= by the order in memory', () => {
  it.each([
    ['sorting the hits', 2048],
    ['walking the positions', 0],
  ])('gives the SQL path its answers: total, items and order, every page, every warehouse (%s)', (_, sortBelow) => {
    fast.storeOrders.sortBelow = sortBelow;
    const select = vi.spyOn(fast.storeOrders, 'select');
    let compared = 0;
    for (const store of STORES)
      for (const q of queries)
        for (const pageSize of [7, 100]) {
          const first = slow.assortment({ store, q, page: 1, pageSize });
          const pages = Math.max(1, Math.ceil(first.total / pageSize));
          for (const page of [...new Set([1, 2, 3, Math.ceil(pages / 2), pages, pages + 1])]) {
            const query: AssortmentQuery = { store, q, page, pageSize };
            const a = fast.assortment(query);
            const b = slow.assortment(query);
            expect(a.total, `${store} ${q} ${page}/${pageSize}`).toBe(b.total);
            expect(a.items.map((x) => x.id), `${store} ${q} ${page}/${pageSize}`).toEqual(b.items.map((x) => x.id));
            compared++;
          }
        }
    // The comparison is not vacuous: the answers are not all empty, and the in-memory path answered them.
    expect(compared).toBeGreaterThan(300);
    expect(select.mock.calls.length).toBeGreaterThan(300);
    expect(fast.assortment({ store: STORES[0], q: 'товар', page: 1, pageSize: 100 }).total).toBeGreaterThan(1000);
    expect(fast.assortment({ store: STORES[2], q: '№ 7', page: 1, pageSize: 100 }).total).toBeGreaterThan(0);
    select.mockRestore();
    fast.storeOrders.sortBelow = 2048;
  });

  it("takes a word's matches once per generation for every warehouse it is asked at", () => {
    const fts = vi.spyOn(fast as unknown as { textMatches(q: string): Int32Array | undefined }, 'textMatches');
    const q = 'кофе № 2';
    const answers = STORES.map((store) => fast.assortment({ store, q, page: 1, pageSize: 20 }));
    expect(fts).toHaveBeenCalledTimes(1);
    STORES.forEach((store, k) => expect(answers[k].items.map((x) => x.id)).toEqual(slow.assortment({ store, q, page: 1, pageSize: 20 }).items.map((x) => x.id)));
    // Another generation reads them again (a sync may have renamed items).
    fast.storeOrders.matchesOf(q, gen() + 1000, () => undefined);
    fast.assortment({ store: STORES[0], q, page: 2, pageSize: 20 });
    expect(fts).toHaveBeenCalledTimes(2);
    fts.mockRestore();
  });

  it('leaves 1–2 characters and q= with other filters to the SQL path', () => {
    const select = vi.spyOn(fast.storeOrders, 'select');
    for (const query of [
      { store: STORES[0], q: 'ча', page: 1, pageSize: 50 },
      { store: STORES[0], q: 'товар', changedSince: '2000-01-01T00:00:00Z', page: 2, pageSize: 50 },
    ]) {
      const a = fast.assortment(query);
      expect(a.items.map((x) => x.id)).toEqual(slow.assortment(query).items.map((x) => x.id));
      expect(a.total).toBeGreaterThan(0);
    }
    expect(select).not.toHaveBeenCalled();
    select.mockRestore();
  });

  it('keeps an order across generations that did not move it, and drops it when one did or the log cannot say', () => {
    const ref = storeRef(STORES[1]);
    const g = gen();
    const bump = (next: number, stores: string[] | null) => {
      db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('mirror.generation', ?)`).run(String(next));
      db.prepare(`INSERT OR REPLACE INTO catalog_changes (generation, items, stores) VALUES (?, ?, ?)`).run(next, stores ? '[]' : null, JSON.stringify(stores ?? []));
    };
    expect(fast.storeOrders.get(ref, g, false)).toBeDefined();
    bump(g + 1, [STORES[0]]); // another warehouse moved
    expect(fast.storeOrders.get(ref, g + 1, false)).toBeDefined();
    bump(g + 2, [STORES[1]]); // this one moved
    expect(fast.storeOrders.get(ref, g + 2, false)).toBeUndefined();
    expect(fast.storeOrders.buildNow(ref, g + 2)).toBeDefined();
    bump(g + 3, null); // "everything"
    expect(fast.storeOrders.get(ref, g + 3, false)).toBeUndefined();
    // A build for a generation that is not the mirror's any more is not kept.
    expect(fast.storeOrders.buildNow(ref, g + 2)).toBeUndefined();
    expect(fast.storeOrders.buildNow(ref, g + 3)).toBeDefined();
  });

  it('reads the order in the background at the first search at a warehouse (not for pages), in slices, then answers from it', async () => {
    const fresh = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    const ref = storeRef(STORES[0]);
    const g = fresh.state().generation;
    expect(fresh.storeOrders.get(ref, g, false)).toBeUndefined();
    fresh.assortment({ store: STORES[0], page: 3, pageSize: 10 });
    await new Promise((r) => setImmediate(r));
    expect(fresh.storeOrders.get(ref, g, false)).toBeUndefined(); // a page does not start it
    fresh.storeOrders.slice = 100; // ~12 slices for this warehouse
    const select = vi.spyOn(fresh.storeOrders, 'select');
    const before = fresh.assortment({ store: STORES[0], q: 'гречка', page: 1, pageSize: 10 });
    expect(select).not.toHaveBeenCalled(); // not ready yet: the SQL path answered
    // A second warehouse (fewer items: fewer slices) searched next is read after the first, not beside it.
    const ref1 = storeRef(STORES[1]);
    fresh.assortment({ store: STORES[1], q: 'гречка', page: 1, pageSize: 10 });
    for (let i = 0; i < 50 && !fresh.storeOrders.get(ref, g, false); i++) {
      expect(fresh.storeOrders.get(ref1, g, false)).toBeUndefined();
      await new Promise((r) => setImmediate(r));
    }
    const built = fresh.storeOrders.get(ref, g, false)!;
    expect(built).toBeDefined();
    for (let i = 0; i < 50 && !fresh.storeOrders.get(ref1, g, false); i++) await new Promise((r) => setImmediate(r));
    expect(fresh.storeOrders.get(ref1, g, false)).toBeDefined();
    const whole = db.prepare(`SELECT item_no, pos FROM catalog_assortment${ref.copy ? '_b' : ''} WHERE store_no = ? ORDER BY item_no`).all(ref.no) as { item_no: number; pos: number }[];
    expect([...built.items]).toEqual(whole.map((r) => r.item_no));
    expect([...built.pos]).toEqual(whole.map((r) => r.pos));
    const after = fresh.assortment({ store: STORES[0], q: 'гречка', page: 1, pageSize: 10 });
    expect(select).toHaveBeenCalledTimes(1);
    expect(after).toEqual(before);
  });

  it('warmSearch (after a sync, at start) reads every warehouse before a search asks, and only the ones not current', async () => {
    const fresh = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    const g = fresh.state().generation;
    expect(fresh.warmSearch()).toBe(STORES.length);
    expect(fresh.storeOrders.warming).toBe(true);
    for (let i = 0; i < 200 && fresh.storeOrders.warming; i++) await new Promise((r) => setImmediate(r));
    expect(fresh.storeOrders.warming).toBe(false);
    for (const s of STORES) expect(fresh.storeOrders.get(storeRef(s), g, false)).toBeDefined();
    // The first search at a warehouse is placed by the order in memory.
    const select = vi.spyOn(fresh.storeOrders, 'select');
    const answer = fresh.assortment({ store: STORES[2], q: 'товар', page: 1, pageSize: 10 });
    expect(select).toHaveBeenCalledTimes(1);
    expect(answer).toEqual(slow.assortment({ store: STORES[2], q: 'товар', page: 1, pageSize: 10 }));
    // Nothing moved: nothing is read again.
    expect(fresh.warmSearch()).toBe(0);
    // Orders that would not all fit in the cap: none is read (a base too large for it keeps searching by SQL).
    const small = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    (small.storeOrders as unknown as { maxBytes: number }).maxBytes = 1000;
    expect(small.warmSearch()).toBe(0);
  });
});
