import type { Db } from '../db/open.js';
import { eq, or, type ODataClient } from '../onec/index.js';
import { guid } from '../onec/url.js';
import type { Profile, StorePriceRecord, WarehouseRecord } from '../onec/profiles/index.js';
import { S } from './scratch.js';

/**
 * Prices per store (issue 18): where 1C applies prices to a store (Розница: a shop with ИспользоватьПрименениеЦен,
 * whose prices are InformationRegister.ДействующиеЦеныНоменклатуры with ОбъектЦенообразования = the shop), the store's
 * price of an item is the applied one; the item's retail price kind gives it where the register has none, and in every
 * store of a configuration without applied prices (УТ, ERP, УНФ, БП: these tables stay empty there).
 *
 * The sync stages what it reads in the scratch database (StorePriceStager); before the final transaction the new
 * rows are compared with the mirror's (EXCEPT, as apply.ts does) and the items whose store price changed go to
 * ${S}.variant_touched, which apply.ts touchedOffers lists with the items whose offer changed (their changed_at moves,
 * so changedSince returns them; the response cache drops them; the catalogue webhook names them). The differences are
 * written inside the final transaction (applyStorePrices): readers see prices and items of one generation.
 */

const DDL = `
CREATE TABLE IF NOT EXISTS ${S}.sp_pricing (store_id TEXT PRIMARY KEY, object_id TEXT NOT NULL) WITHOUT ROWID;
-- packaging_id: set while the price is still per that packaging (its ratio not known yet: resolvePackagings)
CREATE TABLE IF NOT EXISTS ${S}.sp_prices (store_id TEXT NOT NULL, item_id TEXT NOT NULL, price REAL NOT NULL, packaging_id TEXT, rank INTEGER NOT NULL, PRIMARY KEY (store_id, item_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${S}.variant_touched (item_id TEXT PRIMARY KEY) WITHOUT ROWID;
`;

export interface StorePricing {
  storeId: string;
  /** What 1C applies the store's prices to (Розница: the Магазин), the read's ОбъектЦенообразования. */
  objectId: string;
}

/** The stores priced by applied prices, or null when the profile reads none (the tables are then left alone). */
export function storePricingOf(profile: Profile, stores: Pick<WarehouseRecord, 'id' | 'pricingObjectId'>[]): StorePricing[] | null {
  if (!profile.reads.storePrice || !profile.map.toStorePrice) return null;
  return stores.filter((s) => s.pricingObjectId).map((s) => ({ storeId: s.id, objectId: s.pricingObjectId! }));
}

/** The stores the last full sync found priced by applied prices (what a stock sync reads again). */
export function mirroredPricing(db: Db): StorePricing[] {
  return db.prepare(`SELECT store_id AS storeId, object_id AS objectId FROM main.catalog_store_pricing ORDER BY store_id`).all() as StorePricing[];
}

/** Writes the prices the sync reads into the scratch database, per store. */
export class StorePriceStager {
  private readonly stores = new Map<string, string[]>();
  private readonly ins;
  /** Rows staged (before the choice per store and item), for refuseEmptying. */
  count = 0;

  constructor(
    private readonly db: Db,
    readonly pricing: StorePricing[],
  ) {
    db.exec(DDL);
    const p = db.prepare(`INSERT OR REPLACE INTO ${S}.sp_pricing (store_id, object_id) VALUES (?, ?)`);
    db.transaction(() => {
      for (const s of pricing) {
        p.run(s.storeId, s.objectId);
        this.stores.set(s.objectId, [...(this.stores.get(s.objectId) ?? []), s.storeId]);
      }
    })();
    this.ins = db.prepare(`INSERT INTO ${S}.sp_prices (store_id, item_id, price, packaging_id, rank) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (store_id, item_id) DO UPDATE SET price = excluded.price, packaging_id = excluded.packaging_id, rank = excluded.rank WHERE excluded.rank < rank`);
  }

  /** The objects to read prices for (each once). */
  get objectKeys(): string[] {
    return [...this.stores.keys()];
  }

  /**
   * One price per store and item, per unit of the item: a price set for a packaging is divided by its ratio (Цена /
   * Упаковка.Коэффициент, as Розница's site exchange gives the price of a unit: ОбменССайтомРТ 449-457, DeZargo/
   * 1c_retail_apple @ 896da2e1). The item as such before a characteristic, a price per unit before one per packaging
   * (as pricesOf chooses among price-kind rows): the profile reads no characteristics for Розница. A packaging the
   * mirror does not know (Розница's УпаковкиНоменклатуры are not mirrored) keeps its price per packaging until
   * resolvePackagings reads its ratio.
   */
  prices(list: StorePriceRecord[], packagingRatio: (id: string) => number | undefined) {
    if (!list.length) return;
    this.db.transaction(() => {
      for (const p of list) {
        const stores = this.stores.get(p.pricingObjectId);
        if (!stores || !p.itemId) continue;
        const ratio = p.packagingId ? packagingRatio(p.packagingId) : 1;
        const rank = (p.characteristicId ? 2 : 0) + (p.packagingId ? 1 : 0);
        const price = ratio ? Math.round((p.price / ratio) * 100) / 100 : p.price;
        for (const store of stores) {
          this.ins.run(store, p.itemId, price, ratio ? null : p.packagingId, rank);
          this.count++;
        }
      }
    })();
  }

  /** Packagings whose prices still wait for their ratio. */
  unresolved(): string[] {
    return this.db.prepare(`SELECT DISTINCT packaging_id FROM ${S}.sp_prices WHERE packaging_id IS NOT NULL`).pluck().all() as string[];
  }

  /** Prices per packaging made per unit; a packaging 1C no longer has, or with Коэффициент 0, counts as 1 (as ОбменССайтомРТ 451-457 does). */
  resolve(ratios: Map<string, number>) {
    const upd = this.db.prepare(`UPDATE ${S}.sp_prices SET price = round(price / ?, 2), packaging_id = NULL WHERE packaging_id = ?`);
    this.db.transaction(() => {
      for (const id of this.unresolved()) upd.run(ratios.get(id) || 1, id);
    })();
  }
}

/** Keys per request of the packagings' keyed read: ~60 characters of URL each, well under onec.maxUrlLength. */
const KEYS_PER_READ = 25;

/**
 * The ratios (Коэффициент) of the packagings store prices were applied per, read by key through the profile's
 * packaging read (a handful: 1C applies prices per packaging only where a price was set for one). Returns requests sent.
 */
export async function resolvePackagings(onec: ODataClient, profile: Profile, staged: StorePriceStager): Promise<number> {
  const ids = staged.unresolved();
  const spec = profile.reads.packaging;
  if (!ids.length) return 0;
  const ratios = new Map<string, number>();
  let requests = 0;
  if (spec && spec.kind === 'collection') {
    for (let i = 0; i < ids.length; i += KEYS_PER_READ) {
      const rows = await onec.all(spec.set, { select: spec.select, filter: or(...ids.slice(i, i + KEYS_PER_READ).map((k) => eq('Ref_Key', guid(k)))) });
      requests++;
      for (const u of rows.map(profile.map.toUnit)) ratios.set(u.id, u.ratio);
    }
  }
  staged.resolve(ratios);
  return requests;
}

/**
 * The new generation's store prices (${S}.n_sprices: of items it has) and their differences from the mirror; the items
 * they touch go to ${S}.variant_touched. Call after prepareVariants (it empties variant_touched). `itemsIn`: where the
 * generation's items are (the staged ones of a full sync, the mirror's for a stock sync). Returns the items touched.
 */
export function prepareStorePrices(db: Db, itemsIn: 'new' | 'mirror'): number {
  db.exec(DDL);
  const items = itemsIn === 'new' ? `${S}.new_items` : 'main.catalog_items';
  db.exec(`DROP TABLE IF EXISTS ${S}.n_sprices; DROP TABLE IF EXISTS ${S}.dsp_up; DROP TABLE IF EXISTS ${S}.dsp_del;
    CREATE TABLE ${S}.n_sprices AS SELECT p.store_id, p.item_id, p.price FROM ${S}.sp_prices p WHERE EXISTS (SELECT 1 FROM ${items} i WHERE i.id = p.item_id);
    CREATE TABLE ${S}.dsp_up AS SELECT store_id, item_id, price FROM ${S}.n_sprices EXCEPT SELECT store_id, item_id, price FROM main.catalog_store_prices;
    CREATE TABLE ${S}.dsp_del AS SELECT store_id, item_id FROM main.catalog_store_prices EXCEPT SELECT store_id, item_id FROM ${S}.n_sprices;`);
  return db.prepare(`INSERT OR IGNORE INTO ${S}.variant_touched (item_id) SELECT item_id FROM ${S}.dsp_up UNION SELECT item_id FROM ${S}.dsp_del`).run().changes;
}

/** The differences prepareStorePrices found, written to the mirror: called inside the sync's final transaction. */
export function applyStorePrices(db: Db) {
  db.exec(`DELETE FROM main.catalog_store_prices WHERE (store_id, item_id) IN (SELECT store_id, item_id FROM ${S}.dsp_del);
    INSERT OR REPLACE INTO main.catalog_store_prices (store_id, item_id, price) SELECT store_id, item_id, price FROM ${S}.dsp_up;
    DELETE FROM main.catalog_store_pricing;
    INSERT INTO main.catalog_store_pricing (store_id, object_id) SELECT store_id, object_id FROM ${S}.sp_pricing;`);
}

/**
 * An item's prices at a store with applied prices: the store's own price instead of the retail kind's; a volume price
 * (tier 1, 2: ReGate's, Розница has no such rule) only where it is below the store's, so a larger quantity never costs
 * more per unit than the shop's price. `applied`: the store uses applied prices (catalog_store_pricing). There an item
 * without one has no price at all — Розница's ПолучитьЦенуПродажи leaves ЦенаВыборки = 0 and does not fall back to a
 * price kind (ЗапасыСервер 3779-3821, DeZargo/1c_retail_apple @ 896da2e1) — so the shop does not sell it online
 * either (booking: «нет цены»). A store without applied prices: the prices as they are.
 */
export function atStorePrice<P extends { retail: number | null; tier1: number | null; tier2: number | null }>(prices: P, storePrice: number | null | undefined, applied = false): P {
  if (storePrice == null) return applied ? { ...prices, retail: null, tier1: null, tier2: null } : prices;
  const below = (x: number | null) => (x != null && x < storePrice ? x : null);
  return { ...prices, retail: storePrice, tier1: below(prices.tier1), tier2: below(prices.tier2) };
}
