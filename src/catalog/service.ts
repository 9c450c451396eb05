import type { Db } from '../db/open.js';
import { ApiError } from '../api/errors.js';
import { UNLIMITED, type Organisation } from './types.js';
import { fillSearchText, foldForSearch } from './writer.js';
import { typed, type BarcodeType } from './barcodes.js';
import { StoreOrders } from './store-orders.js';
import { atStorePrice } from './store-prices.js';
import { packPriceKopecks, toKopecks, toRoubles } from '../money.js';
import { heldSql, promisedOf, stockReadAtOf } from '../orders/promise.js';

/** The two copies of the paging order (migration 015), by catalog_stores.assortment. */
const COPIES = ['catalog_assortment', 'catalog_assortment_b'] as const;

export interface PriceKindIds {
  retail: string | null;
  tier1: string | null;
  tier2: string | null;
}

export interface AssortmentQuery {
  store: string;
  group?: string;
  q?: string;
  changedSince?: string;
  /** Issue 17: `<propertyId>:<value>` — items having this value of the property (GET /api/v1/properties lists them). */
  property?: string;
  page: number;
  pageSize: number;
}

export interface AssortmentItem {
  id: string;
  article: string;
  name: string;
  fullName: string;
  groupId: string | null;
  country: string | null;
  brand: string | null;
  barcodes: string[];
  shortDescription: string;
  description: string;
  icons: string[];
  unit: string;
  portion: { size: number; unit: string } | null;
  minQuantity: number;
  multiplicity: number;
  stock: number | typeof UNLIMITED;
  price: number | null;
  priceOverX1: number | null;
  x1: number;
  priceOverX2: number | null;
  x2: number;
  changedAt: string;
  /** Issue 17: barcodes with their type (by length and check digit). */
  typedBarcodes?: { barcode: string; type: BarcodeType }[];
  /** VAT rate of the item in percent (Номенклатура.СтавкаНДС); null = without VAT or not known. */
  vatRate?: number | null;
  /** Whether the prices include VAT (ВидыЦен.ЦенаВключаетНДС of the retail kind); null = not known yet. */
  pricesIncludeVat?: boolean | null;
  /** Issue 17: the characteristics the item is sold in; absent for an item without them. */
  variants?: AssortmentVariant[];
  /** Issue 17: the item's exported properties (absent when it has none). */
  properties?: { id: string; name: string; value: string; valueId: string | null }[];
  /**
   * Issue 17: packagings the item is sold by (УТ Catalog_УпаковкиЕдиницыИзмерения of the item); absent when none.
   * typedBarcodes: the packaging's own (ШтрихкодыНоменклатуры.Упаковка), not among the item's typedBarcodes (they
   * stay in its v1 barcodes).
   */
  packagings?: { id: string; name: string; ratio: number; price: number | null; typedBarcodes: { barcode: string; type: BarcodeType }[] }[];
  /** Issue 17: the item's prices of the listed kinds (retail, tiers, catalog.extraPriceKinds) that it has. */
  prices?: { priceKindId: string; name: string; price: number }[];
}

export interface AssortmentVariant {
  id: string;
  name: string;
  fullName: string;
  typedBarcodes: { barcode: string; type: BarcodeType }[];
  stock: number | typeof UNLIMITED;
  price: number | null;
  priceOverX1: number | null;
  priceOverX2: number | null;
  /** Issue 17: the characteristic's own exported properties (ХарактеристикиНоменклатуры.ДополнительныеРеквизиты); absent when none. */
  properties?: { id: string; name: string; value: string; valueId: string | null }[];
}

export interface GroupNode {
  id: string;
  name: string;
  itemCount: number;
  totalCount: number;
  children: GroupNode[];
}

export interface MirrorState {
  generation: number;
  syncedAt: string | null;
  stockSyncedAt: string | null;
  /** When the stock sync that wrote the figures began reading 1C (orders/promise.ts stockReadAtOf). */
  stockReadAt: string | null;
}

/**
 * Reads of the catalogue mirror. Never touches 1C: a shopper's request must not wait on a base that takes seconds
 * per query. Results are cached per mirror generation (the mirror only changes when a sync commits), so a hot page
 * of the assortment is computed once per sync rather than once per request.
 */
export class CatalogService {
  private cache = new Map<string, unknown>();
  private cacheGeneration = -1;
  private readonly maxCacheEntries = 2_000;
  private readonly stmt;
  /** state() as last read, with the change counters it was read at. */
  private stateKept: { version: number; changes: number; state: MirrorState } | undefined;
  /**
   * The mirror generation a read in progress works against (set by assortment() for its duration): its cached()
   * lookups take it instead of reading meta again. A cold page made 5–6 state() reads before (count, price kinds,
   * listed kinds, property names twice), each a meta query; with the route's it is one per request now.
   */
  private readingAt: number | undefined;
  /** Filtered queries' statements by SQL text: a handful of shapes (which filters are set), prepared once each. */
  private readonly filteredStatements = new Map<string, ReturnType<Db['prepare']>>();
  /** Warehouses' orders in memory for q= (store-orders.ts): a search's matches placed without a probe each. */
  readonly storeOrders: StoreOrders;

  constructor(
    private readonly db: Db,
    private readonly priceKindNames: { retail: string; tier1: string; tier2: string },
  ) {
    this.stmt = {
      // Only the keys state() returns: `mirror.%` also matched mirror.packagingRatios (411 KB of JSON on a 20k
      // mirror), read on every request — 37–48% of the read path's time in the bench profile.
      meta: db.prepare(`SELECT key, value FROM meta WHERE key IN ('mirror.generation', 'mirror.syncedAt', 'mirror.stockSyncedAt', 'mirror.stockReadAt')`),
      // What moves when the database may have changed: another connection's commit (data_version) or this one's
      // writes (total_changes). Two of the cheapest statements there are; state() reads meta only when they moved.
      dataVersion: db.prepare(`PRAGMA data_version`).pluck(),
      ownChanges: db.prepare(`SELECT total_changes()`).pluck(),
      // A warehouse without an address has no city (every real УТ base has such: 11.4.2's predefined СкладФотографа):
      // it is no city of its own. It still has its stock and storetable by id.
      cities: db.prepare(`SELECT city, COUNT(*) AS stores FROM catalog_stores WHERE city <> '' GROUP BY city ORDER BY city`),
      storesInCity: db.prepare(`SELECT id, name, address FROM catalog_stores WHERE city = ? ORDER BY name`),
      store: db.prepare(`SELECT rowid AS no, id, name, city, address, retail_price_kind_id AS retailPriceKindId, assortment AS copy FROM catalog_stores WHERE id = ?`),
      groups: db.prepare(`SELECT id, parent_id AS parentId, name FROM catalog_groups ORDER BY name`),
      groupCounts: db.prepare(
        `SELECT i.group_id AS groupId, COUNT(*) AS n FROM catalog_items i
         WHERE i.sold_to_order = 1 OR EXISTS (SELECT 1 FROM catalog_stock s WHERE s.store_id = ? AND s.item_id = i.id)
         GROUP BY i.group_id`,
      ),
      priceKindByName: db.prepare(`SELECT id FROM catalog_price_kinds WHERE name = ?`),
      changes: db.prepare(`SELECT items, stores FROM catalog_changes WHERE generation > ? AND generation <= ? ORDER BY generation`),
      picture: db.prepare(`SELECT id, item_id AS itemId, extension, data FROM catalog_pictures WHERE id = ?`),
      // Per copy of the order (migration 015: the sync fills the copy a warehouse does not serve from, then switches).
      storeTotal: COPIES.map((t) => db.prepare(`SELECT coalesce(max(pos) + 1, 0) AS n FROM ${t} WHERE store_no = ?`)),
      storePage: COPIES.map((t) => db.prepare(`SELECT item_no FROM ${t} WHERE store_no = ? AND pos >= ? ORDER BY pos LIMIT ?`).pluck()),
      // The page's items in the order of @nos (already page order: catalog_assortment.pos), so no sort of wide rows.
      // All of an item's prices come as one JSON list (kind, price) that JS splits into retail, tiers and prices[]:
      // three price subqueries per row and a query for the page's listed prices cost 1.2–1.5 ms more per 100-item
      // page (20k mirror, CPU time, load 11–13).
      pageRows: db.prepare(
        `SELECT i.*,
           (SELECT quantity FROM catalog_stock s WHERE s.store_id = @store AND s.item_id = i.id) AS quantity,
           (SELECT json_group_array(json_array(price_kind_id, price)) FROM catalog_prices p WHERE p.item_id = i.id) AS prices_json,
           -- issue 18: the price applied to this store (Розница), which it sells at instead of the retail kind's
           (SELECT price FROM catalog_store_prices sp WHERE sp.store_id = @store AND sp.item_id = i.id) AS store_price,
           EXISTS (SELECT 1 FROM catalog_store_pricing sa WHERE sa.store_id = @store) AS store_applied,
           (SELECT json_group_array(barcode) FROM catalog_barcodes b WHERE b.item_id = i.id
              -- a variant's barcode is listed with its variant (issue 17); the item keeps its own
              AND NOT EXISTS (SELECT 1 FROM catalog_variant_barcodes vb WHERE vb.item_id = i.id AND vb.barcode = b.barcode)) AS barcodes,
           (SELECT rate FROM catalog_vat_rates r WHERE r.id = i.vat_rate_id) AS vat_rate,
           EXISTS (SELECT 1 FROM catalog_variants v WHERE v.item_id = i.id) AS has_variants
         FROM json_each(@nos) j CROSS JOIN catalog_items i ON i.rowid = j.value
         ORDER BY j.key`,
      ),
      // Issue 17: the variants of the page's items that have any (one query for the page, not one per item).
      variantRows: db.prepare(
        `SELECT v.item_id, v.id, v.name, v.full_name,
           (SELECT quantity FROM catalog_variant_stock s WHERE s.item_id = v.item_id AND s.variant_id = v.id AND s.store_id = @store) AS quantity,
           (SELECT price FROM catalog_variant_prices p WHERE p.item_id = v.item_id AND p.variant_id = v.id AND p.price_kind_id = @retail) AS retail_price,
           (SELECT price FROM catalog_variant_prices p WHERE p.item_id = v.item_id AND p.variant_id = v.id AND p.price_kind_id = @tier1) AS tier1_price,
           (SELECT price FROM catalog_variant_prices p WHERE p.item_id = v.item_id AND p.variant_id = v.id AND p.price_kind_id = @tier2) AS tier2_price,
           (SELECT json_group_array(barcode) FROM catalog_variant_barcodes b WHERE b.item_id = v.item_id AND b.variant_id = v.id) AS barcodes
         FROM json_each(@items) j CROSS JOIN catalog_variants v ON v.item_id = j.value
         ORDER BY v.item_id, v.name, v.id`,
      ),
      includesVat: db.prepare(`SELECT includes_vat FROM catalog_price_kind_vat WHERE id = ?`).pluck(),
      listedKinds: db.prepare(`SELECT value FROM meta WHERE key = 'mirror.listedPriceKinds'`).pluck(),
      // Issue 17: the page's properties in one query (per-item subqueries doubled a cold page's cost).
      pageProps: db.prepare(`SELECT ip.item_id, ip.property_id, ip.value_key FROM json_each(@ids) j JOIN catalog_item_properties ip ON ip.item_id = j.value`),
      properties: db.prepare(`SELECT id, title AS name FROM catalog_properties ORDER BY title, id`),
      propertyValueNames: db.prepare(`SELECT id, name FROM catalog_property_values`),
      // Issue 17: the page's packagings (units of sale) in one query, by the primary key.
      pagePacks: db.prepare(`SELECT p.item_id, p.id, p.name, p.ratio FROM json_each(@ids) j JOIN catalog_item_packagings p ON p.item_id = j.value ORDER BY p.item_id, p.ratio, p.name`),
      // Issue 17: the page's packagings' own barcodes and its variants' own properties, one query each.
      pagePackBarcodes: db.prepare(`SELECT b.item_id, b.packaging_id, b.barcode FROM json_each(@ids) j JOIN catalog_packaging_barcodes b ON b.item_id = j.value ORDER BY b.item_id, b.packaging_id, b.barcode`),
      pageVariantProps: db.prepare(`SELECT p.item_id, p.variant_id, p.property_id, p.value_key FROM json_each(@ids) j JOIN catalog_variant_properties p ON p.item_id = j.value`),
      barcodeExact: db.prepare(`SELECT 1 FROM catalog_barcodes WHERE barcode = ? LIMIT 1`).pluck(),
      barcodeItems: db.prepare(`SELECT i.rowid FROM catalog_barcodes b JOIN catalog_items i ON i.id = b.item_id WHERE b.barcode = ?`).pluck(),
      ftsRowids: db.prepare(`SELECT group_concat(rowid) FROM catalog_items_fts WHERE catalog_items_fts MATCH ?`).pluck(),
      // An item counts once per value, whether it has the value itself or in any of its variants (issue 17).
      propertyValues: db.prepare(`SELECT u.property_id AS propertyId, u.value_key AS id, coalesce(pv.name, u.value_key) AS name, count(*) AS items
        FROM (SELECT item_id, property_id, value_key FROM catalog_item_properties
              UNION SELECT item_id, property_id, value_key FROM catalog_variant_properties) u
        LEFT JOIN catalog_property_values pv ON pv.id = u.value_key
        GROUP BY u.property_id, u.value_key ORDER BY 3, 2`),
    };
    this.storeOrders = new StoreOrders(db, () => this.state().generation, (a, b) => this.changesBetween(a, b));
    // Rows synced before migration 014 get their search text once (a no-op afterwards).
    if (!db.readonly) fillSearchText(db);
  }

  /**
   * The mirror's state, read again only when the database may have changed since: a sync's commit on its own
   * connection moves PRAGMA data_version here, a write on this connection (a sync run on the API thread, tests)
   * moves total_changes(). Every booking reads it (orderableItems) and so does every catalogue request: the meta
   * query was 3-5 % of the API thread in a 500-connection booking burst (9.5 µs against 2.9 µs for the two
   * counters, 100,000 calls). During a burst the booking thread's commits still move data_version, so it is read
   * again about once per batch of bookings, not once per booking. Frozen: every caller shares the one read.
   * Inside a transaction of this connection it is read and not kept: a rollback would take back what it saw, and
   * total_changes() does not go back.
   */
  state(): MirrorState {
    const open = this.db.inTransaction;
    const version = open ? -1 : (this.stmt.dataVersion.get() as number);
    const changes = open ? -1 : (this.stmt.ownChanges.get() as number);
    const kept = this.stateKept;
    if (!open && kept && kept.version === version && kept.changes === changes) return kept.state;
    const rows = this.stmt.meta.all() as { key: string; value: string }[];
    const m = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    const state: MirrorState = Object.freeze({
      generation: Number(m['mirror.generation'] ?? 0),
      syncedAt: m['mirror.syncedAt'] ?? null,
      stockSyncedAt: m['mirror.stockSyncedAt'] ?? m['mirror.syncedAt'] ?? null,
      stockReadAt: m['mirror.stockReadAt'] ?? null,
    });
    if (!open) this.stateKept = { version, changes, state };
    return state;
  }

  /**
   * What the mirror changed from one generation to a later one (catalog_changes, written by the sync's final
   * transaction): the items and the warehouses whose order moved, or null when that cannot be listed — a full sync
   * that moved much, a generation not logged, going backwards. The response cache drops only what this names.
   */
  changesBetween(from: number, to: number): { items: Set<string>; stores: Set<string> } | null {
    if (to <= from || to - from > 100) return null;
    const rows = this.stmt.changes.all(from, to) as { items: string | null; stores: string | null }[];
    if (rows.length !== to - from || rows.some((r) => r.items === null)) return null;
    const items = new Set<string>();
    const stores = new Set<string>();
    for (const r of rows) {
      for (const id of JSON.parse(r.items!) as string[]) items.add(id);
      for (const id of JSON.parse(r.stores ?? '[]') as string[]) stores.add(id);
    }
    return { items, stores };
  }

  organisation(): { organisation: Organisation | null; configuration: { name: string; version: string; platform: string | null } | null } {
    const get = (k: string) => (this.db.prepare(`SELECT value FROM meta WHERE key = ?`).get(k) as { value: string } | undefined)?.value;
    const org = get('mirror.organisation');
    const conf = get('mirror.configuration');
    return { organisation: org ? JSON.parse(org) : null, configuration: conf ? JSON.parse(conf) : null };
  }

  /** `generation`: the mirror generation the caller read already (else read here). */
  private cached<T>(key: string, compute: () => T, known?: number): T {
    const generation = known ?? this.readingAt ?? this.state().generation;
    if (generation !== this.cacheGeneration) {
      this.cache.clear();
      this.cacheGeneration = generation;
    }
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = compute();
    if (this.cache.size >= this.maxCacheEntries) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, value);
    return value;
  }

  cities(): { name: string; stores: number }[] {
    return this.cached('cities', () =>
      (this.stmt.cities.all() as { city: string; stores: number }[]).map((r) => ({ name: r.city, stores: r.stores })),
    );
  }

  storesInCity(city: string): { id: string; name: string; address: string }[] {
    return this.cached(`city:${city}`, () => {
      const rows = this.stmt.storesInCity.all(city) as { id: string; name: string; address: string }[];
      if (rows.length === 0) throw ApiError.notFound('Город', 'city', city);
      return rows;
    });
  }

  /**
   * After a sync and at start: every warehouse's order read into memory in the background, so that the first search
   * at a warehouse takes the merge path too (store-orders.ts) instead of probing SQLite per match: q= "для" at 300k
   * items 16 against 38 ms, a word in 21.6k names 22 against 56 ms (CPU, load 11). It costs the API thread ~45 ms of
   * CPU per 100k carried items, in slices of 3-4 ms, for the warehouses whose order the sync moved; 8 bytes per
   * carried item (6.5 MB for the 300k base's 817k), and nothing when they would not all fit (store-orders maxBytes).
   */
  warmSearch(): number {
    const rows = this.db
      .prepare(
        `SELECT s.rowid AS no, s.id, s.assortment AS copy,
                COALESCE(CASE s.assortment WHEN 0 THEN (SELECT max(pos) + 1 FROM catalog_assortment a WHERE a.store_no = s.rowid)
                                           ELSE (SELECT max(pos) + 1 FROM catalog_assortment_b b WHERE b.store_no = s.rowid) END, 0) AS carried
           FROM catalog_stores s`,
      )
      .all() as { no: number; id: string; copy: 0 | 1; carried: number }[];
    return this.storeOrders.warm(rows, this.state().generation);
  }

  private requireStore(id: string) {
    const store = this.stmt.store.get(id) as { no: number; id: string; name: string; city: string; address: string; retailPriceKindId: string | null; copy: 0 | 1 } | undefined;
    if (!store) throw ApiError.notFound('Склад', 'store', id);
    return store;
  }

  storeTable(storeId: string): { store: { id: string; name: string }; groups: GroupNode[]; ungroupedCount: number } {
    return this.cached(`table:${storeId}`, () => {
      const store = this.requireStore(storeId);
      const counts = new Map<string | null, number>();
      for (const r of this.stmt.groupCounts.all(storeId) as { groupId: string | null; n: number }[]) counts.set(r.groupId, r.n);
      const groups = this.stmt.groups.all() as { id: string; parentId: string | null; name: string }[];
      const nodes = new Map<string, GroupNode & { parentId: string | null }>();
      for (const g of groups) nodes.set(g.id, { id: g.id, name: g.name, parentId: g.parentId, itemCount: counts.get(g.id) ?? 0, totalCount: 0, children: [] });
      const roots: (GroupNode & { parentId: string | null })[] = [];
      for (const n of nodes.values()) {
        const parent = n.parentId ? nodes.get(n.parentId) : undefined;
        if (parent) parent.children.push(n);
        else roots.push(n);
      }
      const total = (n: GroupNode): number => (n.totalCount = n.itemCount + n.children.reduce((s, c) => s + total(c), 0));
      roots.forEach(total);
      // Only groups the warehouse actually carries something in.
      const prune = (list: GroupNode[]): GroupNode[] =>
        list.filter((n) => n.totalCount > 0).map((n) => ({ id: n.id, name: n.name, itemCount: n.itemCount, totalCount: n.totalCount, children: prune(n.children) }));
      return { store: { id: store.id, name: store.name }, groups: prune(roots), ungroupedCount: counts.get(null) ?? 0 };
    });
  }

  /** The group and all its subgroups (assortment?group= includes subgroups, as a shop's category page does). */
  private subtree(groupId: string): string[] {
    return this.cached(`subtree:${groupId}`, () => {
      const groups = this.stmt.groups.all() as { id: string; parentId: string | null }[];
      if (!groups.some((g) => g.id === groupId)) throw ApiError.notFound('Группа товаров', 'group', groupId);
      const children = new Map<string, string[]>();
      for (const g of groups) if (g.parentId) children.set(g.parentId, [...(children.get(g.parentId) ?? []), g.id]);
      const out: string[] = [];
      const walk = (id: string) => {
        out.push(id);
        for (const c of children.get(id) ?? []) walk(c);
      };
      walk(groupId);
      return out;
    });
  }

  priceKinds(store: { retailPriceKindId: string | null }, generation?: number): PriceKindIds {
    // Kept per generation: three lookups by name on every booking and page otherwise.
    const named = this.cached('priceKindIds', () => {
      const byName = (name: string) => (this.stmt.priceKindByName.get(name) as { id: string } | undefined)?.id ?? null;
      return { retail: byName(this.priceKindNames.retail), tier1: byName(this.priceKindNames.tier1), tier2: byName(this.priceKindNames.tier2) };
    }, generation);
    return { retail: store.retailPriceKindId ?? named.retail, tier1: named.tier1, tier2: named.tier2 };
  }

  /**
   * One page of a warehouse's assortment. `generation`: the mirror generation the caller has already read (the
   * route's ETag), so this does not read meta again; read here when not given.
   */
  assortment(query: AssortmentQuery, generation?: number): { store: { id: string; name: string }; total: number; page: number; pageSize: number; items: AssortmentItem[] } {
    const outer = this.readingAt;
    this.readingAt = generation ?? outer ?? this.state().generation;
    try {
      return this.assortmentAt(query);
    } finally {
      this.readingAt = outer;
    }
  }

  private assortmentAt(query: AssortmentQuery): { store: { id: string; name: string }; total: number; page: number; pageSize: number; items: AssortmentItem[] } {
    // Not cached here: the route keeps the serialised page per mirror generation (api/response-cache.ts).
    const store = this.requireStore(query.store);
    const kinds = this.priceKinds(store);
    const offset = (query.page - 1) * query.pageSize;
    // The warehouse's order is in memory once warmSearch (after each sync, at start) has read it; a search that comes
    // before that (or after the cap dropped it) starts the read in the background and takes the SQL path meanwhile.
    const order = query.q ? this.storeOrders.get(store, this.readingAt ?? this.state().generation) : undefined;
    const q = query.q;
    const matches = order && q && !query.group && !query.changedSince && !query.property ? this.storeOrders.matchesOf(q, this.readingAt ?? this.state().generation, () => this.textMatches(q)) : undefined;
    const { page: _p, pageSize: _s, ...filterKey } = query;
    let total: number;
    let pageNos: number[];
    if (!query.group && !query.q && !query.changedSince && !query.property) {
      // The whole warehouse: a seek into catalog_assortment (migration 014), the same cost at any depth. OFFSET
      // walked the name index and probed stock for every skipped row: 704 ms for a deep page of a 300k mirror.
      total = this.cached(`count:${JSON.stringify(filterKey)}`, () => (this.stmt.storeTotal[store.copy].get(store.no) as { n: number }).n);
      pageNos = this.stmt.storePage[store.copy].all(store.no, offset, query.pageSize) as number[];
    } else if (order && matches) {
      // q= alone with the warehouse's order in memory: the FTS matches placed by a merge (store-orders.ts); the same
      // items in the same order as the SQL below, which probes the order's index once per match.
      ({ total, page: pageNos } = this.storeOrders.select(order, matches, offset, query.pageSize));
    } else {
      const { sql, params } = this.filtered(store, query);
      // The candidates are few and cheap (index probes only, ordered by pos): the first request of a query takes them
      // all, counts them and slices the page; later pages of it (total known) ask SQLite for just their slice.
      let all: number[] | undefined;
      total = this.cached(`count:${JSON.stringify(filterKey)}`, () => (all = this.filteredStatement(sql).all(params) as number[]).length);
      pageNos = all
        ? all.slice(offset, offset + query.pageSize)
        : (this.filteredStatement(`${sql} LIMIT @limit OFFSET @offset`).all({ ...params, limit: query.pageSize, offset }) as number[]);
    }
    // Deferred join: prices, stock and barcodes for the page's rows only.
    const listed = this.listedPriceKinds(kinds);
    const rows = this.stmt.pageRows.all({ nos: JSON.stringify(pageNos), store: store.id }) as Record<string, any>[];
    for (const r of rows) {
      // The item's prices of every kind: the warehouse's retail kind and the tiers by id, the listed kinds in prices[].
      let retail = null;
      let tier1 = null;
      let tier2 = null;
      let listedPrices: [string, number][] = [];
      for (const [kind, price] of JSON.parse(r.prices_json ?? '[]') as [string, number][]) {
        if (kind === kinds.retail) retail = price;
        if (kind === kinds.tier1) tier1 = price;
        if (kind === kinds.tier2) tier2 = price;
        if (listed.names.has(kind)) listedPrices.push([kind, price]);
      }
      // Issue 18: a store with prices applied to it sells at its own (the retail kind's entry of prices[] shows it too).
      const own = atStorePrice({ retail, tier1, tier2 }, r.store_price, r.store_applied === 1);
      r.retail_price = own.retail;
      r.tier1_price = own.tier1;
      r.tier2_price = own.tier2;
      // The retail kind's entry of prices[] is what the store sells at: its applied price in place, or none where it
      // uses applied prices and has none for the item.
      if (r.store_price == null && r.store_applied === 1) listedPrices = listedPrices.filter(([kind]) => kind !== kinds.retail);
      if (r.store_price != null && kinds.retail) {
        const at = listedPrices.findIndex(([kind]) => kind === kinds.retail);
        if (at >= 0) listedPrices[at] = [kinds.retail, r.store_price];
        else if (listed.names.has(kinds.retail)) listedPrices.push([kinds.retail, r.store_price]);
      }
      r.prices = listedPrices;
    }
    const ids = JSON.stringify(rows.map((r) => r.id));
    const props = new Map<string, [string, string][]>();
    for (const p of this.stmt.pageProps.all({ ids }) as { item_id: string; property_id: string; value_key: string }[]) {
      const l = props.get(p.item_id);
      if (l) l.push([p.property_id, p.value_key]);
      else props.set(p.item_id, [[p.property_id, p.value_key]]);
    }
    const packs = new Map<string, { id: string; name: string; ratio: number }[]>();
    for (const p of this.stmt.pagePacks.all({ ids }) as { item_id: string; id: string; name: string; ratio: number }[]) {
      const l = packs.get(p.item_id);
      const one = { id: p.id, name: p.name, ratio: p.ratio };
      if (l) l.push(one);
      else packs.set(p.item_id, [one]);
    }
    const packCodes = new Map<string, Map<string, string[]>>();
    for (const b of this.stmt.pagePackBarcodes.all({ ids }) as { item_id: string; packaging_id: string; barcode: string }[]) {
      const byPack = packCodes.get(b.item_id) ?? new Map<string, string[]>();
      packCodes.set(b.item_id, byPack);
      byPack.set(b.packaging_id, [...(byPack.get(b.packaging_id) ?? []), b.barcode]);
    }
    const withVariants = rows.filter((r) => r.has_variants === 1).map((r) => r.id as string);
    const variants = withVariants.length ? this.variantsOf(store.id, kinds, withVariants) : undefined;
    if (variants) this.withVariantProperties(variants, JSON.stringify(withVariants));
    const included = this.includesVat(kinds.retail);
    return {
      store: { id: store.id, name: store.name },
      total,
      page: query.page,
      pageSize: query.pageSize,
      items: rows.map((r) => withPackagings(withProperties(toAssortmentItem(r, included, variants?.get(r.id), listed.names), props.get(r.id), props.size ? this.propertyNames() : undefined), packs.get(r.id), packCodes.get(r.id))),
    };
  }

  /** Issue 17: each variant's own properties, by name as the item's (only on the variants that have any). */
  private withVariantProperties(variants: Map<string, (Omit<AssortmentVariant, 'stock'> & { quantity: number | null })[]>, ids: string) {
    const raw = new Map<string, [string, string][]>();
    for (const p of this.stmt.pageVariantProps.all({ ids }) as { item_id: string; variant_id: string; property_id: string; value_key: string }[]) {
      const key = `${p.item_id}#${p.variant_id}`;
      raw.set(key, [...(raw.get(key) ?? []), [p.property_id, p.value_key]]);
    }
    if (!raw.size) return;
    const names = this.propertyNames();
    for (const [itemId, list] of variants) {
      for (const v of list) {
        const props = namedProperties(raw.get(`${itemId}#${v.id}`), names);
        if (props) v.properties = props;
      }
    }
  }

  /**
   * Issue 17: the exported properties with the values items have (count: how many items, at any warehouse), for a
   * shop's filters; a value's id is what assortment?property=<property>:<value> takes.
   */
  properties(): { id: string; name: string; values: { id: string; name: string; items: number }[] }[] {
    return this.cached('properties', () => {
      const values = this.stmt.propertyValues.all() as { propertyId: string; id: string; name: string; items: number }[];
      return (this.stmt.properties.all() as { id: string; name: string }[])
        .map((p) => ({ ...p, values: values.filter((v) => v.propertyId === p.id).map(({ id, name, items }) => ({ id, name, items })) }))
        .filter((p) => p.values.length > 0);
    });
  }

  /**
   * Property id → its title, and value key → the value's name (per generation): read from the two small tables, not
   * from properties(), whose item counts group every item's properties. That count ran inside the first page of a
   * generation that showed a property: 215 ms of CPU for one cold page of the 300k base (load 1.6, 2026-12-03),
   * the slowest cold page of every scale run. A value's name is found by its key alone, as the count's join does
   * (a property may list another property's values: ВладелецДополнительныхЗначений).
   */
  private propertyNames(): { props: Map<string, string>; values: Map<string, string> } {
    return this.cached('propertyNames', () => ({
      props: new Map((this.stmt.properties.all() as { id: string; name: string }[]).map((p) => [p.id, p.name])),
      values: new Map((this.stmt.propertyValueNames.all() as { id: string; name: string }[]).map((v) => [v.id, v.name])),
    }));
  }

  /**
   * The price kinds the assortment lists per item (the sync keeps their ids and names in meta), with the warehouse's
   * own retail kind: ids as JSON for the page's query, names by id.
   */
  listedPriceKinds(kinds: PriceKindIds): { ids: string; names: Map<string, string> } {
    const base = this.cached('listedPriceKinds', () => JSON.parse((this.stmt.listedKinds.get() as string | undefined) ?? '[]') as { id: string; name: string }[]);
    const names = new Map(base.map((k) => [k.id, k.name]));
    if (kinds.retail && !names.has(kinds.retail)) names.set(kinds.retail, this.priceKindNames.retail);
    return { ids: JSON.stringify([...names.keys()]), names };
  }

  /** ВидыЦен.ЦенаВключаетНДС of a price kind (null before a sync has read it). */
  includesVat(kindId: string | null): boolean | null {
    if (!kindId) return null;
    const v = this.stmt.includesVat.get(kindId) as number | undefined;
    return v === undefined ? null : v === 1;
  }

  /**
   * Variants of the given items at a warehouse: their own stock there, their own price of each kind or the item's
   * (the page's rows carry the item's; `itemPrices` fills them in), their barcodes.
   */
  variantsOf(storeId: string, kinds: PriceKindIds, itemIds: string[]): Map<string, (Omit<AssortmentVariant, 'stock'> & { quantity: number | null })[]> {
    const out = new Map<string, (Omit<AssortmentVariant, 'stock'> & { quantity: number | null })[]>();
    for (const r of this.stmt.variantRows.all({ items: JSON.stringify(itemIds), store: storeId, retail: kinds.retail, tier1: kinds.tier1, tier2: kinds.tier2 }) as Record<string, any>[]) {
      const list = out.get(r.item_id) ?? [];
      list.push({ id: r.id, name: r.name, fullName: r.full_name, typedBarcodes: typed(JSON.parse(r.barcodes ?? '[]')), quantity: r.quantity, price: r.retail_price, priceOverX1: r.tier1_price, priceOverX2: r.tier2_price });
      out.set(r.item_id, list);
    }
    return out;
  }

  /**
   * The items (catalog_items.rowid) a filtered query selects at a warehouse, in page order. Driven by its most
   * selective index so that the cost follows the matches, not the base: q= by the FTS5 trigram index (and the exact
   * barcode by catalog_barcodes_barcode), changedSince by catalog_items_changed, group by catalog_items_group; each
   * candidate is then looked up in the warehouse's order (catalog_assortment_item), which both drops what the
   * warehouse does not carry and gives its position. CROSS JOIN keeps SQLite from driving by the wrong side (it
   * walked the name index for ORDER BY and probed: the 759 ms changedSince-with-nothing-changed on 300k items).
   */
  private filtered(store: { no: number; copy: 0 | 1 }, query: AssortmentQuery): { sql: string; params: Record<string, unknown> } {
    const params: Record<string, unknown> = { storeNo: store.no };
    const where: string[] = [];
    let driver: string | undefined;
    if (query.q) {
      const folded = foldForSearch(query.q);
      params.qExact = query.q;
      // The exact barcode joins the text matches only when there is one: one index probe first. The UNION's duplicate
      // check otherwise costs as much as the matches (a word in 43k of 300k names: ~60 ms of ~200, load 12).
      const exact = (this.stmt.barcodeExact.get(query.q) as number | undefined) !== undefined;
      const barcode = exact ? ` UNION SELECT i2.rowid FROM catalog_barcodes b JOIN catalog_items i2 ON i2.id = b.item_id WHERE b.barcode = @qExact` : '';
      if ([...folded].length >= 3) {
        // A quoted FTS5 phrase is matched literally (% _ * and operators included); " is doubled.
        params.fts = `"${folded.replace(/"/g, '""')}"`;
        driver = `SELECT rowid AS no FROM catalog_items_fts WHERE catalog_items_fts MATCH @fts${barcode}`;
      } else {
        // The trigram index cannot answer fewer than 3 characters: 1–2 character queries scan search_text.
        params.qFolded = folded;
        driver = `SELECT rowid AS no FROM catalog_items WHERE instr(search_text, @qFolded) > 0${barcode}`;
      }
      if (!exact) delete params.qExact;
    }
    if (query.changedSince) {
      // changed_at is toISOString() text (UTC, milliseconds), compared as a string: the instant asked for must be in
      // the same form, or '…T09:00:00+03:00' / '…T06:00:00Z' (no milliseconds) do not sort like the instants.
      const since = new Date(query.changedSince);
      if (Number.isNaN(since.getTime())) throw ApiError.badRequest('Неверные параметры запроса', [{ field: 'changedSince', message: 'ожидается дата и время ISO 8601' }]);
      params.changedSince = since.getUTCFullYear() > 9999 ? '9999-12-31T23:59:59.999Z' : since.getUTCFullYear() < 0 ? '0000-01-01T00:00:00.000Z' : since.toISOString();
      if (driver) where.push(`i.changed_at > @changedSince`);
      else driver = `SELECT rowid AS no FROM catalog_items WHERE changed_at > @changedSince`;
    }
    if (query.property) {
      // <propertyId>:<value>: the value's id from GET /api/v1/properties (a reference's key, or the literal: true, 350).
      const at = query.property.indexOf(':');
      const propertyId = at > 0 ? query.property.slice(0, at).toLowerCase() : '';
      // A property no item has is not found, as GET /properties does not list it.
      if (!this.properties().some((p) => p.id === propertyId)) throw ApiError.notFound('Свойство', 'property', query.property);
      params.propertyId = propertyId;
      params.propertyValue = query.property.slice(at + 1);
      // The item matches when it has the value itself or one of its variants has it (issue 17: a characteristic's Цвет).
      const byValue = `SELECT i3.rowid AS no FROM (SELECT item_id FROM catalog_item_properties WHERE property_id = @propertyId AND value_key = @propertyValue
          UNION SELECT item_id FROM catalog_variant_properties WHERE property_id = @propertyId AND value_key = @propertyValue) ip
        JOIN catalog_items i3 ON i3.id = ip.item_id`;
      if (driver) where.push(`i.rowid IN (${byValue})`);
      else driver = byValue;
    }
    if (query.group) {
      params.groups = JSON.stringify(this.subtree(query.group));
      if (driver) where.push(`i.group_id IN (SELECT value FROM json_each(@groups))`);
      else driver = `SELECT rowid AS no FROM catalog_items WHERE group_id IN (SELECT value FROM json_each(@groups))`;
    }
    const items = where.length ? ` CROSS JOIN catalog_items i ON i.rowid = d.no WHERE ${where.join(' AND ')}` : '';
    return {
      sql: `SELECT a.item_no FROM (${driver}) d CROSS JOIN ${COPIES[store.copy]} a ON a.store_no = @storeNo AND a.item_no = d.no${items} ORDER BY a.pos`,
      params,
    };
  }

  /**
   * What q= matches in the whole base (catalog_items.rowid ascending, no repeats): the FTS5 trigram phrase, and the
   * items with that exact barcode when there are any — the set `filtered` builds for q= alone. Undefined for 1–2
   * characters (no trigram: the SQL path scans). One string from SQLite (group_concat): a row per match through
   * better-sqlite3 cost ~1.5× as much CPU.
   */
  private textMatches(q: string): Int32Array | undefined {
    const folded = foldForSearch(q);
    if ([...folded].length < 3) return undefined;
    const list = (this.stmt.ftsRowids.get(`"${folded.replace(/"/g, '""')}"`) as string | null) ?? '';
    let out = parseIds(list);
    const exact = (this.stmt.barcodeExact.get(q) as number | undefined) !== undefined ? (this.stmt.barcodeItems.all(q) as number[]) : [];
    let sorted = true;
    for (let i = 1; i < out.length; i++) if (out[i] <= out[i - 1]) sorted = false;
    if (exact.length || !sorted) {
      const all = Int32Array.from([...out, ...exact]).sort();
      out = all.filter((x, i) => i === 0 || x !== all[i - 1]);
    }
    return out;
  }

  private filteredStatement(sql: string) {
    let st = this.filteredStatements.get(sql);
    if (!st) {
      if (this.filteredStatements.size >= 64) this.filteredStatements.clear();
      this.filteredStatements.set(sql, (st = this.db.prepare(sql).pluck()));
    }
    return st;
  }

  picture(id: string): { id: string; extension: string; data: Buffer | null } | undefined {
    return this.stmt.picture.get(id) as { id: string; extension: string; data: Buffer | null } | undefined;
  }
}

/** "12,7,30" → Int32Array [12, 7, 30] (rowids: non-negative integers). */
function parseIds(s: string): Int32Array {
  if (!s) return new Int32Array(0);
  let n = 1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 44) n++;
  const out = new Int32Array(n);
  let k = 0;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44) {
      out[k++] = v;
      v = 0;
    } else v = v * 10 + (c - 48);
  }
  out[k] = v;
  return out;
}

function toAssortmentItem(r: Record<string, any>, pricesIncludeVat: boolean | null = null, variants?: (Omit<AssortmentVariant, 'stock'> & { quantity: number | null })[], kindNames?: Map<string, string>): AssortmentItem {
  const soldToOrder = r.sold_to_order === 1;
  const barcodes: string[] = JSON.parse(r.barcodes ?? '[]');
  return {
    id: r.id,
    article: r.article,
    name: r.name,
    fullName: r.full_name,
    groupId: r.group_id,
    country: r.country,
    brand: r.brand,
    barcodes,
    shortDescription: r.description,
    description: r.full_description,
    icons: (JSON.parse(r.picture_ids) as string[]).map((id) => `/api/v1/picture/${id}`),
    unit: r.unit,
    portion: r.portion_size != null ? { size: r.portion_size, unit: r.portion_unit ?? r.unit } : null,
    minQuantity: r.min_quantity,
    multiplicity: r.multiplicity,
    stock: soldToOrder ? UNLIMITED : (r.quantity ?? 0),
    price: r.retail_price,
    priceOverX1: r.tier1_price,
    x1: r.tier1_threshold,
    priceOverX2: r.tier2_price,
    x2: r.tier2_threshold,
    changedAt: r.changed_at,
    typedBarcodes: typed(barcodes),
    vatRate: r.vat_rate ?? null,
    pricesIncludeVat,
    ...(kindNames ? { prices: (r.prices as [string, number][]).map(([priceKindId, price]) => ({ priceKindId, name: kindNames.get(priceKindId) ?? '', price })) } : {}),
    ...(variants
      ? {
          variants: variants.map(({ quantity, ...v }) => ({
            ...v,
            stock: soldToOrder ? UNLIMITED : (quantity ?? 0),
            // A characteristic without a price of its own sells at the item's (УТ prices the item as such then).
            price: v.price ?? r.retail_price,
            priceOverX1: v.priceOverX1 ?? r.tier1_price,
            priceOverX2: v.priceOverX2 ?? r.tier2_price,
          })),
        }
      : {}),
  };
}

/**
 * Issue 17: booking lines that name a variant. Each (item, variant) a line names becomes an entry of the orderable map
 * under variantKey(item, variant): the item's limits, the variant's stock (never more than the item's promised
 * figure) and its own prices where it has them (the item's otherwise). A line of an item sold in characteristics must
 * name one of them: its ЗаказКлиента line carries Характеристика_Key (УТ checks it is filled for such items when it
 * posts; the vendor module is not among the reference dumps, so it is not cited here). Returns the lines' errors.
 */
export function orderableVariants(
  catalog: CatalogService,
  storeId: string,
  lines: { itemId: string; variantId?: string }[],
  items: Map<string, OrderableItem>,
): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  // Only items that have variants are asked for them: a booking of items without any (most) reads nothing more — the
  // variants statement was 1.9 % of the API thread in the booking burst's profile. A variantId on an item without
  // variants finds no list below, as before.
  const ids = [...new Set(lines.map((l) => l.itemId).filter((id) => items.get(id)?.hasVariants))];
  const any = items.get(ids[0]);
  const variants = any ? catalog.variantsOf(storeId, any.priceKindIds, ids) : new Map<string, never[]>();
  lines.forEach((l, i) => {
    const item = items.get(l.itemId);
    if (!item) return;
    const list = variants.get(l.itemId);
    const field = `items.${i}.variantId`;
    if (!list) {
      if (l.variantId) errors.push({ field, message: `у товара «${item.name}» нет вариантов (характеристик)` });
      return;
    }
    if (!l.variantId) return void errors.push({ field, message: `товар «${item.name}» продаётся в вариантах: укажите variantId (${list.map((v) => v.name).join(', ')})` });
    const v = list.find((x) => x.id === l.variantId);
    if (!v) return void errors.push({ field, message: `у товара «${item.name}» нет варианта ${l.variantId}` });
    items.set(variantKey(l.itemId, v.id), {
      ...item,
      name: `${item.name}, ${v.name}`,
      stock: Math.min(item.stock, v.quantity ?? 0),
      prices: { retail: v.price ?? item.prices.retail, tier1: v.priceOverX1 ?? item.prices.tier1, tier2: v.priceOverX2 ?? item.prices.tier2 },
    });
  });
  return errors;
}

const clientPriceStatementsOf = (db: Db) => ({
  kind: db.prepare<[string]>(`SELECT k.price_kind_id AS kind FROM clients c JOIN catalog_client_price_kinds k ON k.partner_id = c.partner_key WHERE c.id = ?`),
  price: db.prepare<[string, string]>(`SELECT price FROM catalog_prices WHERE item_id = ? AND price_kind_id = ?`).pluck(),
  variantPrice: db.prepare<[string, string, string]>(`SELECT price FROM catalog_variant_prices WHERE item_id = ? AND variant_id = ? AND price_kind_id = ?`).pluck(),
});
const clientPriceStatements = new WeakMap<Db, ReturnType<typeof clientPriceStatementsOf>>();

/**
 * Issue 17: a client with an agreement of its own in 1C buys at its price kind (catalog_client_price_kinds, by the
 * client's partner once 1C knows it): each item that has a price of that kind is priced by it at any quantity (the
 * agreement's price, not the volume tiers). Returns the kind applied, or null.
 */
export function applyClientPriceKind(db: Db, clientId: string, items: Map<string, OrderableItem>): string | null {
  // Compiled once per connection: this runs on the booking path (compiling three statements per call was 4 % of the
  // booking burst's API thread, 2026-12-03).
  let st = clientPriceStatements.get(db);
  if (!st) clientPriceStatements.set(db, (st = clientPriceStatementsOf(db)));
  const row = st.kind.get(clientId) as { kind: string } | undefined;
  if (!row) return null;
  const { price, variantPrice } = st;
  for (const [key, it] of items) {
    const [itemId, variantId] = key.split('#');
    const p = ((variantId ? variantPrice.get(itemId, variantId, row.kind) : undefined) ?? price.get(itemId, row.kind)) as number | undefined;
    if (p === undefined) continue;
    items.set(key, { ...it, prices: { retail: p, tier1: null, tier2: null }, priceKindIds: { ...it.priceKindIds, retail: row.kind } });
  }
  return row.kind;
}

/** The orderable map's key of a line: the item, or the item and its variant. */
export const variantKey = (itemId: string, variantId?: string | null) => (variantId ? `${itemId}#${variantId}` : itemId);

/**
 * Issue 17: the packagings the item can be bought by (a box of 12: `ratio` units of the item each), with the retail
 * price of one packaging (the unit price × ratio, kopecks rounded half up); only when it has any.
 */
function withPackagings(item: AssortmentItem, list: { id: string; name: string; ratio: number }[] | undefined, codes?: Map<string, string[]>): AssortmentItem {
  if (!list?.length) return item;
  // A packaging's own barcodes (a box's GTIN) are listed under it with the ratio they stand for, and not among the
  // item's typed barcodes (new in issue 17: a unit's). `barcodes` keeps them as v1 always answered (a shop matching a
  // scanned portion or box code by it must not lose it: the changes are additive); q= still finds the item.
  const own = new Set(codes ? [...codes.values()].flat() : []);
  return {
    ...item,
    ...(own.size ? { typedBarcodes: item.typedBarcodes?.filter((b) => !own.has(b.barcode)) } : {}),
    // The price booking charges for one (orders/pricing.ts): the same rule, or the shop would see a kopeck less.
    packagings: list.map((p) => ({ ...p, price: item.price == null ? null : toRoubles(packPriceKopecks(toKopecks(item.price), p.ratio)), typedBarcodes: typed(codes?.get(p.id) ?? []) })),
  };
}

/** The item's properties by name (only when it has any: an item without them looks as before). */
function withProperties(item: AssortmentItem, raw: [string, string][] | undefined, names: { props: Map<string, string>; values: Map<string, string> } | undefined): AssortmentItem {
  const properties = names && namedProperties(raw, names);
  return properties ? { ...item, properties } : item;
}

/** Property and value keys → the shape items and variants show (undefined when none is exported). */
function namedProperties(raw: [string, string][] | undefined, names: { props: Map<string, string>; values: Map<string, string> }): AssortmentItem['properties'] {
  const list = raw?.filter(([p]) => names.props.has(p));
  if (!list?.length) return undefined;
  return list.map(([p, v]) => {
    const name = names.values.get(v) ?? v;
    return { id: p, name: names.props.get(p)!, value: name, valueId: name === v ? null : v };
  });
}

/** What booking needs to know of an item at a warehouse, from the mirror. */
export interface OrderableItem {
  id: string;
  name: string;
  carried: boolean;
  soldToOrder: boolean;
  stock: number;
  minQuantity: number;
  multiplicity: number;
  tier1Threshold: number;
  tier2Threshold: number;
  prices: { retail: number | null; tier1: number | null; tier2: number | null };
  priceKindIds: PriceKindIds;
  /** It has variants (characteristics) in the mirror: a line of it must name one (orderableVariants). */
  hasVariants: boolean;
}

/** orderableItems' statements, prepared once per connection: preparing them per booking was ~10% of the burst's
 *  CPU in the booking profile (V8's `Statement`, docs/benchmarks.md). */
const orderableStatements = new WeakMap<Db, { store: Statement; terms: Statement; stock: Statement; promised: Statement }>();
type Statement = ReturnType<Db['prepare']>;

/** What booking reads of an item at a warehouse that only a sync changes: all of OrderableItem but the stock. */
type ItemTerms = Omit<OrderableItem, 'stock' | 'carried'>;

/**
 * The terms of the items booked, kept per mirror generation and per CatalogService:
 * a sync that changes anything moves the generation (catalog/apply.ts swap), and the first booking at the new one
 * clears them. The stock and our holds are read live on every booking. Reading the terms was ~2/3 of the items
 * statement (27-35 µs alone for 1-3 items against 13-17 for the stock and holds, bench/booking-layers.ts' mirror
 * after a burst), and that statement ~17 % of the API thread in the booking burst's profile (2026-12-04).
 * At most `TERMS_MAX` items at warehouses a generation (a new one past that replaces the oldest): ~0.8 KB each (two
 * GUID strings, the name), 16 MB when full; the booking bench books 14k (2,000 items at 7 warehouses).
 */
const kept = new WeakMap<CatalogService, { generation: number; stores: Map<string, { id: string; retailPriceKindId: string | null }>; terms: Map<string, ItemTerms> }>();
const TERMS_MAX = 20_000;
/** The kept terms' key: the warehouse and the item. At module level: run through tsx, a function made in each call is
 *  named by a defineProperty every time. */
const termsKey = (storeId: string, itemId: string) => `${storeId}\u0000${itemId}`;

/**
 * `promised`: the stock is what the warehouse can still promise (orders/promise.ts: the mirror's figure less our
 * orders it does not show yet), read in the same statement — the booking's check before its write. Asking
 * promisedStock for it after this read was 12 % of the API thread in the booking burst's profile (2026-12-04): a
 * second json_each over the same items, their catalog row and their stock sum again.
 */
export function orderableItems(db: Db, catalog: CatalogService, storeId: string, itemIds: string[], opts: { promised?: boolean } = {}): Map<string, OrderableItem> {
  let st = orderableStatements.get(db);
  if (!st) {
    // Per requested item (json_each drives the join): aggregating the whole store's stock for every booking cost
    // 2.68 ms on a 20k mirror against 0.03 ms this way (bench profile of the booking burst).
    const stock = `(SELECT SUM(quantity) FROM catalog_stock s WHERE s.store_id = @store AND s.item_id = j.value)`;
    st = {
      store: db.prepare(`SELECT id, retail_price_kind_id AS retailPriceKindId FROM catalog_stores WHERE id = ?`),
      terms: db.prepare(
        `SELECT i.id, i.name, i.sold_to_order, i.min_quantity, i.multiplicity, i.tier1_threshold, i.tier2_threshold,
           (SELECT price FROM catalog_prices p WHERE p.item_id = i.id AND p.price_kind_id = @retail) AS retail,
           (SELECT price FROM catalog_prices p WHERE p.item_id = i.id AND p.price_kind_id = @tier1) AS tier1,
           (SELECT price FROM catalog_prices p WHERE p.item_id = i.id AND p.price_kind_id = @tier2) AS tier2,
           (SELECT price FROM catalog_store_prices sp WHERE sp.store_id = @store AND sp.item_id = i.id) AS store_price,
           EXISTS (SELECT 1 FROM catalog_store_pricing sa WHERE sa.store_id = @store) AS store_applied,
           EXISTS (SELECT 1 FROM catalog_variants v WHERE v.item_id = i.id) AS has_variants
         FROM json_each(@ids) j JOIN catalog_items i ON i.id = j.value`,
      ),
      stock: db.prepare(`SELECT j.value AS id, ${stock} AS quantity FROM json_each(@ids) j`),
      promised: db.prepare(`SELECT j.value AS id, ${stock} AS quantity, ${heldSql('j.value')} AS held FROM json_each(@ids) j`),
    };
    orderableStatements.set(db, st);
  }
  // One read of the mirror's state for the generation and the stock's read time (two reads of meta before: 3 % of
  // the API thread in the booking burst's profile).
  const state = catalog.state();
  let k = kept.get(catalog);
  if (!k || k.generation !== state.generation) kept.set(catalog, (k = { generation: state.generation, stores: new Map(), terms: new Map() }));
  let store = k.stores.get(storeId);
  if (!store) {
    const row = st.store.get(storeId) as { id: string; retailPriceKindId: string | null } | undefined;
    if (!row) throw ApiError.notFound('Склад', 'store', storeId);
    k.stores.set(storeId, (store = row));
  }
  const kinds = catalog.priceKinds(store, state.generation);
  // This booking's terms are held here: a term read for it may push out, at the cap, one it found kept.
  const terms = new Map<string, ItemTerms>();
  const missing: string[] = [];
  for (const id of itemIds) {
    const t = k.terms.get(termsKey(storeId, id));
    if (t) terms.set(id, t);
    else missing.push(id);
  }
  if (missing.length) {
    const rows = st.terms.all({ store: storeId, retail: kinds.retail, tier1: kinds.tier1, tier2: kinds.tier2, ids: JSON.stringify(missing) }) as Record<string, any>[];
    for (const r of rows) {
      const t: ItemTerms = {
        id: r.id,
        name: r.name,
        soldToOrder: r.sold_to_order === 1,
        minQuantity: r.min_quantity,
        multiplicity: r.multiplicity,
        tier1Threshold: r.tier1_threshold,
        tier2Threshold: r.tier2_threshold,
        // Issue 18: the store's applied price where 1C has one (Розница), its price kinds' otherwise.
        prices: atStorePrice({ retail: r.retail, tier1: r.tier1, tier2: r.tier2 }, r.store_price, r.store_applied === 1),
        priceKindIds: kinds,
        hasVariants: r.has_variants === 1,
      };
      terms.set(r.id, t);
      if (k.terms.size >= TERMS_MAX) k.terms.delete(k.terms.keys().next().value as string);
      k.terms.set(termsKey(storeId, r.id), t);
    }
  }
  const ids = JSON.stringify(itemIds);
  const live = (opts.promised ? st.promised.all({ store: storeId, ids, readAt: stockReadAtOf(state) }) : st.stock.all({ store: storeId, ids })) as { id: string; quantity: number | null; held?: number }[];
  const out = new Map<string, OrderableItem>();
  for (const r of live) {
    const t = terms.get(r.id);
    // Not in the mirror (unknown to it): not orderable, as the join left it out before.
    if (!t) continue;
    out.set(r.id, {
      ...t,
      // Callers change prices and stock on their copy (variants, the client's price kind): never the kept terms.
      prices: { ...t.prices },
      carried: t.soldToOrder || r.quantity != null,
      stock: opts.promised ? promisedOf(r.quantity, r.held ?? 0, t.soldToOrder).available : r.quantity ?? 0,
    });
  }
  return out;
}
