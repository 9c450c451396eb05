import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { CatalogService } from '../../src/catalog/service.js';
import { ResponseCache } from '../../src/api/response-cache.js';
import { PK, S1, S2, item, snapshot } from '../fixtures/mirror.js';

// Issue 19.3, the cold page: a page deep in a warehouse's order has the rows and the prices the reference says (the
// page's prices come as one list per item now, split in JS), the page costs one meta read (issue 17 made it 5–6),
// and a miss over HTTP is compressed off the event loop and kept once compressed.
const N = 900;
const EXTRA = 'cccccccc-0000-4000-8000-000000000009'; // a listed kind beside retail and tiers
const HIDDEN = 'cccccccc-0000-4000-8000-00000000000a'; // a kind the mirror has but does not list
const OWN = 'cccccccc-0000-4000-8000-00000000000b'; // S2's own retail kind (Склады.РозничныйВидЦены)
const id = (i: number) => `bbbbbbbb-2222-4000-8000-${String(i).padStart(12, '0')}`;
// Names out of id order, many equal (id breaks the tie), so page order is neither insertion nor id order.
const items = Array.from({ length: N }, (_, i) => item(id(i), `Товар ${String((i * 7) % 101).padStart(3, '0')}`));
const price = (i: number, kind: string) => (kind === PK.retail ? 100 + i : kind === PK.t1 ? 90 + i : kind === PK.t2 ? 80 + i : kind === EXTRA ? 70 + i : kind === OWN ? 60 + i : 50 + i);
// Not every item has every kind: every fourth lacks the tiers, every fifth the extra kind.
const prices = items.flatMap((it, i) =>
  [PK.retail, PK.t1, PK.t2, EXTRA, HIDDEN, OWN].filter((k) => !((k === PK.t1 || k === PK.t2) && i % 4 === 0) && !(k === EXTRA && i % 5 === 0)).map((k) => ({ itemId: it.id, priceKindId: k, price: price(i, k) })),
);

let db: Db;
let catalog: CatalogService;
beforeAll(() => {
  db = openDb(':memory:');
  writeSnapshot(
    db,
    {
      ...snapshot,
      stores: [snapshot.stores[0], { ...snapshot.stores[1], retailPriceKindId: OWN }],
      priceKinds: [...snapshot.priceKinds, { id: EXTRA, name: 'Дилерская' }, { id: HIDDEN, name: 'Закупочная' }, { id: OWN, name: 'Розничная Казань' }],
      items,
      barcodes: [],
      prices,
      stock: items.flatMap((it, i) => [...(i % 2 === 0 ? [{ storeId: S1, itemId: it.id, quantity: i + 1 }] : []), { storeId: S2, itemId: it.id, quantity: 1 }]),
    },
    new Date('2026-11-01T00:00:00Z'),
  );
  db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('mirror.listedPriceKinds', ?)`).run(
    JSON.stringify([{ id: PK.retail, name: 'Розничная' }, { id: PK.t1, name: 'Мелкооптовая' }, { id: PK.t2, name: 'Оптовая' }, { id: EXTRA, name: 'Дилерская' }]),
  );
  catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
});

const byNameId = (a: { name: string; id: string }, b: { name: string; id: string }) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || Buffer.compare(Buffer.from(a.id), Buffer.from(b.id));

describe('a cold page deep in the order', () => {
  it('has the rows of its position and each item its prices by kind', () => {
    for (const [store, retail, carried] of [
      [S1, PK.retail, items.filter((_, i) => i % 2 === 0)],
      [S2, OWN, items],
    ] as const) {
      const order = [...carried].sort(byNameId);
      const page = 4;
      const r = catalog.assortment({ store, page, pageSize: 50 });
      expect(r.total).toBe(carried.length);
      expect(r.items.map((x) => x.id)).toEqual(order.slice(150, 200).map((x) => x.id));
      for (const it of r.items) {
        const i = Number(it.id.slice(-12));
        const has = (k: string) => prices.some((p) => p.itemId === it.id && p.priceKindId === k);
        expect(it.price).toBe(price(i, retail));
        expect(it.priceOverX1).toBe(has(PK.t1) ? price(i, PK.t1) : null);
        expect(it.priceOverX2).toBe(has(PK.t2) ? price(i, PK.t2) : null);
        // The listed kinds and the warehouse's own retail kind, in kind id order; never the unlisted one.
        const listed = [PK.retail, PK.t1, PK.t2, EXTRA, ...(retail === OWN ? [OWN] : [])].filter(has).sort();
        expect(it.prices!.map((p) => p.priceKindId)).toEqual(listed);
        for (const p of it.prices!) expect(p.price).toBe(price(i, p.priceKindId));
        expect(it.prices!.find((p) => p.priceKindId === EXTRA)?.name ?? 'Дилерская').toBe('Дилерская');
      }
    }
  });

  it('reads the mirror state once per page, and not at all when the caller passes the generation', () => {
    const own = catalog as unknown as { state: () => unknown };
    let reads = 0;
    own.state = () => (reads++, CatalogService.prototype.state.call(catalog));
    // And meta itself only when the database changed since (CatalogService.state()).
    const meta = (catalog as unknown as { stmt: { meta: { all: () => unknown } } }).stmt.meta;
    const all = meta.all.bind(meta);
    let metaReads = 0;
    meta.all = () => (metaReads++, all());
    try {
      catalog.assortment({ store: S1, page: 2, pageSize: 30 });
      expect(reads).toBe(1);
      reads = 0;
      catalog.assortment({ store: S1, page: 3, pageSize: 30 }, catalog.state().generation);
      expect(reads).toBe(1); // the caller's own read
      reads = 0;
      catalog.assortment({ store: S2, q: 'Товар 01', page: 1, pageSize: 30 }, 7);
      expect(reads).toBe(0);
      expect(metaReads).toBeLessThanOrEqual(1);
    } finally {
      meta.all = all;
      delete (own as { state?: unknown }).state;
    }
  });
});

describe('ResponseCache.answer', () => {
  const serve = (cache: ResponseCache, generation: () => number, compute: () => unknown) => {
    const app = new Hono();
    app.get('/p', (c) => cache.answer(c, generation(), c.req.url, compute));
    return (gzip: boolean) => app.request('/p', { headers: { 'accept-encoding': gzip ? 'gzip' : 'identity' } });
  };

  it('answers a miss from the JSON, keeps its gzip once compressed, and serves both encodings from it', async () => {
    const cache = new ResponseCache();
    let computed = 0;
    const value = { store: { id: S1, name: 'Склад 1' }, items: [{ id: 'a' }, { id: 'b' }], pad: 'ж'.repeat(3000) };
    const get = serve(cache, () => 1, () => (computed++, value));
    const first = await get(false);
    expect(first.headers.get('content-encoding')).toBeNull();
    expect(await first.json()).toEqual(value);
    await cache.idle();
    expect(cache.size.entries).toBe(1);
    const zipped = await get(true);
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString())).toEqual(value);
    expect(await (await get(false)).json()).toEqual(value);
    expect(computed).toBe(1);
  });

  it('computes once for requests that come while the answer is being compressed', async () => {
    const cache = new ResponseCache();
    let computed = 0;
    const get = serve(cache, () => 1, () => (computed++, { n: computed, pad: 'x'.repeat(50_000) }));
    const answers = await Promise.all([get(true), get(false), get(true), get(false)]);
    expect(computed).toBe(1);
    for (const a of answers) {
      const body = a.headers.get('content-encoding') === 'gzip' ? JSON.parse(gunzipSync(Buffer.from(await a.arrayBuffer())).toString()) : await a.json();
      expect(body.n).toBe(1);
    }
  });

  it('does not keep what was compressed for a generation the mirror has left meanwhile', async () => {
    const cache = new ResponseCache();
    let generation = 1;
    let computed = 0;
    const get = serve(cache, () => generation, () => (computed++, { generation, pad: 'x'.repeat(50_000) }));
    const first = get(false);
    generation = 2;
    // The next request moves the cache to generation 2 before the first answer's gzip is done.
    const second = (await (await get(false)).json()) as { generation: number };
    await first;
    await cache.idle();
    expect(second.generation).toBe(2);
    expect(computed).toBe(2);
    expect(((await (await get(false)).json()) as { generation: number }).generation).toBe(2);
    expect(computed).toBe(2);
    expect(cache.size.entries).toBe(1);
  });
});
