import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { ResponseCache } from '../../src/api/response-cache.js';
import { openDb } from '../../src/db/open.js';
import { writeSnapshot, writeStockAndPrices } from '../../src/catalog/writer.js';
import { CatalogService } from '../../src/catalog/service.js';
import { S1, S2, item, snapshot } from '../fixtures/mirror.js';

// The response cache is LRU by bytes: a hit makes an entry young again, the least recently used goes first, and a
// new mirror generation empties it.
const page = (n: number) => ({ n, pad: 'x'.repeat(200) + String(n).repeat(50) });

describe('ResponseCache', () => {
  it('keeps gzip bytes that inflate to the JSON answer', () => {
    const cache = new ResponseCache();
    const z = cache.gzipOf(1, 'a', () => page(1));
    expect(JSON.parse(gunzipSync(z).toString())).toEqual(page(1));
  });

  it('evicts the least recently used, and a hit refreshes', () => {
    let computed = 0;
    const compute = (n: number) => () => (computed++, page(n));
    const one = new ResponseCache().gzipOf(1, 'x', compute(0)).length;
    const cache = new ResponseCache(one * 3 + one / 2); // room for 3
    for (const k of [1, 2, 3]) cache.gzipOf(1, `k${k}`, compute(k));
    expect(computed).toBe(4);
    cache.gzipOf(1, 'k1', compute(1)); // hit: k1 is young now, k2 the oldest
    expect(computed).toBe(4);
    cache.gzipOf(1, 'k4', compute(4)); // full, and k4 asked for no more often than k2: answered, not kept
    expect(computed).toBe(5);
    cache.gzipOf(1, 'k4', compute(4)); // asked for twice now: kept, and k2 goes, not k1 (FIFO would have evicted k1)
    expect(computed).toBe(6);
    cache.gzipOf(1, 'k1', compute(1));
    cache.gzipOf(1, 'k3', compute(3));
    cache.gzipOf(1, 'k4', compute(4));
    expect(computed).toBe(6);
    cache.gzipOf(1, 'k2', compute(2));
    expect(computed).toBe(7);
    expect(cache.size.entries).toBe(3);
    expect(cache.size.bytes).toBeLessThanOrEqual(one * 3 + one / 2);
  });

  it('every page in a cycle longer than the cache: the pages that fit stay and are hit each round (plain LRU: none)', () => {
    const one = new ResponseCache().gzipOf(1, 'x', () => page(0)).length;
    const cache = new ResponseCache(one * 10 + one / 2); // room for 10 of the 15 pages
    let computed = 0;
    const round = () => {
      const before = computed;
      for (let k = 0; k < 15; k++) cache.gzipOf(1, `p${k}`, () => (computed++, page(k)));
      return 15 - (computed - before);
    };
    expect(round()).toBe(0);
    for (let r = 0; r < 4; r++) expect(round()).toBe(10);
    // A page asked for more often than what it would push out still gets in.
    for (let i = 0; i < 7; i++) cache.gzipOf(1, 'hot', () => (computed++, page(99)));
    const before = computed;
    cache.gzipOf(1, 'hot', () => (computed++, page(99)));
    expect(computed).toBe(before);
  });

  it('a new generation starts empty; an answer larger than the cache is served, not kept', () => {
    const cache = new ResponseCache(10);
    let computed = 0;
    cache.gzipOf(1, 'a', () => (computed++, page(1)));
    cache.gzipOf(1, 'a', () => (computed++, page(1)));
    expect(computed).toBe(2);
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
    const big = new ResponseCache();
    big.gzipOf(1, 'a', () => (computed++, page(1)));
    big.gzipOf(2, 'a', () => (computed++, page(1)));
    expect(computed).toBe(4);
    expect(big.size.entries).toBe(1);
  });

  it('with a change feed, a new generation drops only the answers that show a changed item or a moved warehouse', () => {
    const assortment = (store: string, ids: string[]) => ({ store: { id: store, name: store }, total: ids.length, page: 1, pageSize: 100, items: ids.map((id) => ({ id })) });
    let feed: { items: string[]; stores: string[] } | null = { items: ['b'], stores: ['S2'] };
    const cache = new ResponseCache(undefined, () => feed);
    const computed: string[] = [];
    const get = (g: number, key: string, v: unknown) => cache.gzipOf(g, key, () => (computed.push(key), v));
    const answers: [string, unknown][] = [
      ['p1', assortment('S1', ['a', 'c'])], // keeps: neither changed
      ['p2', assortment('S1', ['b', 'd'])], // goes: b changed
      ['p3', assortment('S2', ['e'])], // goes: S2's order moved
      ['since', assortment('S1', ['a'])], // goes: a changedSince list
      ['cities', [{ name: 'Москва' }]], // goes: not one warehouse's items
    ];
    for (const [k, v] of answers) get(1, k === 'since' ? '/a?changedSince=x' : k, v);
    computed.length = 0;
    for (const [k, v] of answers) get(2, k === 'since' ? '/a?changedSince=x' : k, v);
    expect(computed).toEqual(['p2', 'p3', '/a?changedSince=x', 'cities']);
    // A change the feed cannot list: everything goes.
    feed = null;
    computed.length = 0;
    for (const [k, v] of answers) get(3, k, v);
    expect(computed).toEqual(answers.map(([k]) => k));
  });

  it('the mirror logs what a stock sync changed; a page that shows none of it stays kept across it', () => {
    const db = openDb(':memory:');
    const items = Array.from({ length: 250 }, (_, i) => item(`bbbbbbbb-1111-4000-8000-${String(i).padStart(12, '0')}`, `Товар ${String(i).padStart(3, '0')}`));
    const stock = items.map((it, i) => ({ storeId: i % 2 ? S2 : S1, itemId: it.id, quantity: 10 }));
    writeSnapshot(db, { ...snapshot, items, barcodes: [], prices: [], stock });
    const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    const cache = new ResponseCache(undefined, (a, b) => catalog.changesBetween(a, b));
    let computed = 0;
    const page = (store: string, n: number) =>
      JSON.parse(gunzipSync(cache.gzipOf(catalog.state().generation, `${store}/${n}`, () => (computed++, catalog.assortment({ store, page: n, pageSize: 50 })))).toString()) as { items: { id: string; stock: number }[] };
    const all = () => [1, 2, 3].flatMap((n) => [page(S1, n), page(S2, n)]);
    all();
    expect(computed).toBe(6);
    // One quantity changes (item 100: page 2 of S1, 50 a page).
    const g = catalog.state().generation;
    writeStockAndPrices(db, stock.map((s, i) => (i === 100 ? { ...s, quantity: 3 } : s)), null);
    expect(catalog.state().generation).toBe(g + 1);
    expect(catalog.changesBetween(g, g + 1)).toEqual({ items: new Set([items[100].id]), stores: new Set() });
    computed = 0;
    const after = all();
    expect(computed).toBe(1); // only the page that shows it
    expect(after[2].items.find((i) => i.id === items[100].id)!.stock).toBe(3);
    // An item leaves S2: S2's order moves, all its pages go; S1's stay.
    writeStockAndPrices(db, stock.filter((_, i) => i !== 101).map((s, i) => (i === 100 ? { ...s, quantity: 3 } : s)), null);
    computed = 0;
    all();
    expect(computed).toBe(3);
    expect(catalog.changesBetween(g, g + 2)!.stores).toEqual(new Set([S2]));
    // A full sync that changes a group cannot be listed: everything goes.
    writeSnapshot(db, { ...snapshot, groups: [...snapshot.groups, { id: 'aaaaaaaa-0000-4000-8000-000000000009', parentId: null, code: '9', name: 'Новая' }], items, barcodes: [], prices: [], stock });
    expect(catalog.changesBetween(g + 2, g + 3)).toBeNull();
    computed = 0;
    all();
    expect(computed).toBe(6);
  });
});
