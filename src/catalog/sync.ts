import type { Config } from '../config/index.js';
import type { Db } from '../db/open.js';
import type { Logger } from '../log.js';
import { and, ge, lt, rawFilter, type Filter, type ODataClient } from '../onec/index.js';
import { readAll } from '../onec/read.js';
import { getProfile, type Profile, type ReadParams, type ReadSpec } from '../onec/profiles/index.js';
import type { Row } from '../onec/values.js';
import type { MirrorSnapshot } from './types.js';
import { openScratch, S } from './scratch.js';
import { assembleItems, assembleRest, Stager } from './stage.js';
import { pagesOf } from './pages.js';
import { finishFull, finishStock, drive, type ApplyTiming } from './writer.js';
import { stageSmall } from './apply.js';
import { loadDescriptions } from './descriptions.js';
import { enqueueCatalogEvent } from './webhooks.js';
import { applyFacts, applyVariants, prepareFacts, prepareVariants, VariantStager, type VariantPrice, type VariantStock } from './variants.js';
import { isAccountingStock, readAccountingStock } from './stock-accounting.js';
import { applyStorePrices, mirroredPricing, prepareStorePrices, resolvePackagings, StorePriceStager, storePricingOf } from './store-prices.js';
import { VariantExtrasStager } from './variant-properties.js';

export interface SyncDeps {
  db: Db;
  onec: ODataClient;
  config: Config;
  logger?: Logger;
  profile?: Profile;
  onProgress?: (step: string, done: number, total: number) => void;
  /** Apply an answer that empties items, warehouses, stock or prices of a mirror that has them (see refuseEmptying). */
  allowEmpty?: boolean;
  /** Most rows one virtual-table answer may carry (default VIRTUAL_ROWS; tests make it small to read many parts). */
  virtualRows?: number;
}

export interface SyncReport {
  items: number;
  changed: number;
  /** OData requests this sync sent (retries included). */
  requests: number;
  /**
   * The least requests any paging client could send: Σ over paged sets ⌈rows / pageSize⌉, plus for each virtual
   * table ⌈rows / VIRTUAL_ROWS⌉ (at least one): no answer may be larger than that (see readPart).
   */
  lowerBound: number;
  /**
   * Requests that read rows by key rather than page through a set, so no page size bounds them: the site description
   * files' bytes (issue 14.7; only the files that changed since the mirror read them) and the packagings store prices
   * are per. Apart from lowerBound: a cold 20k demo sync sent ~900 of them beside a bound of 113.
   */
  keyed: number;
  rowsBySet: Record<string, number>;
  ms: number;
  /** The final transaction (the mirror's write lock while the generation is applied) and the longest apply step. */
  apply?: ApplyTiming;
}

/**
 * Most rows one virtual-table answer may carry. 1C computes Balance and SliceLast whole and answers them as one JSON
 * text, which the client holds as one string and parses whole: prices broke at ~560k items ("Cannot create a string
 * longer than 0x1fffffe8 characters") and a 300k sync held gigabytes. At ~1.5 KB a row transiently (the UTF-8 body,
 * the two-byte string, the parsed rows, the mapped prices), 20k rows are ~30 MB; answers are read one at a time.
 * (50k rows: a 100k sync peaked at 131 MB of heap, 323 MB RSS.)
 */
export const VIRTUAL_ROWS = 20_000;

/**
 * Streams (issue 19.2): every set is read page by page and each page goes to the scratch database as it arrives
 * (stage.ts); virtual tables are read in parts of at most VIRTUAL_ROWS rows (by warehouse or price kind, and by
 * ranges of the item code when one warehouse or kind is larger), one at a time; then the new generation is
 * assembled, compared with the mirror, and the differences applied in one short final transaction (apply.ts).
 * The previous mirror serves until that transaction commits; a sync that fails before it changes nothing readers
 * see. Memory stays flat in the size of the base (docs/benchmarks.md: peak RSS by base size).
 *
 * Requests grow with rows / page size, never with one request per item. Collection reads run concurrently; the
 * client's session limit (onec.sessions) bounds them.
 */
export async function runFullSync(deps: SyncDeps): Promise<SyncReport> {
  const started = Date.now();
  const { onec, config, db } = deps;
  const profile = deps.profile ?? getProfile(config.onec.profile, config);
  const pageSize = config.sync.pageSize;
  const requestsBefore = onec.stats.total;
  const rowsBySet: Record<string, number> = {};
  let lowerBound = 0;
  const steps = ['items', 'warehouses', 'priceKinds', 'units', 'countries', 'brands', 'manufacturers', 'barcodes', 'pictures', 'volumes', 'organisation', 'bankAccounts', 'versions', 'platform', 'properties', 'characteristics', 'vatRates', 'clientAgreements', 'propertyValues', 'itemProperties', 'characteristicProperties', 'descriptionFiles', 'packagingSets', 'prices', 'stock', 'reserve', 'banks'];
  let done = 0;
  const progress = (step: string) => deps.onProgress?.(step, ++done, steps.length);
  const counted = (spec: Exclude<ReadSpec, { kind: 'collection' }> | Extract<ReadSpec, { kind: 'collection' }>, rows: number, label?: string) => {
    const name = label ?? (spec.kind === 'collection' ? spec.set : `${spec.register}/${spec.kind}`);
    rowsBySet[name] = (rowsBySet[name] ?? 0) + rows;
    lowerBound += spec.kind === 'collection' ? Math.max(1, Math.ceil(rows / pageSize)) : Math.max(1, Math.ceil(rows / VIRTUAL_ROWS));
  };
  /** A small set, whole (warehouses, price kinds, countries…: tens to thousands of rows). */
  const read = async (step: string, spec: ReadSpec | undefined, params = {}): Promise<Row[]> => {
    if (!spec) return [];
    const rows = await readAll(onec, spec, params, { pageSize });
    counted(spec, rows.length);
    progress(step);
    return rows;
  };
  /** A large set, page by page into the scratch database. */
  const stream = async (step: string, spec: ReadSpec | undefined, onPage: (rows: Row[]) => void, params: ReadParams = {}, label?: string): Promise<void> => {
    if (!spec) return;
    if (spec.kind !== 'collection') throw new Error(`${step}: a collection was expected`);
    let rows = 0;
    for await (const page of pagesOf(onec, spec.set, { select: spec.select, filter: spec.filter?.(params), keyFields: spec.keyFields, pageSize })) {
      onPage(page);
      rows += page.length;
    }
    counted(spec, rows, label);
    progress(step);
  };

  // Issue 14.7: which description the site description file's text becomes (catalog.descriptions), if any.
  const d = config.catalog.descriptions;
  const descriptionInto = d.short === 'siteFile' ? 'short' : d.full === 'siteFile' ? 'full' : null;
  const scratch = openScratch(db);
  const stager = new Stager(scratch, profile, 'staged');
  try {
    const r = profile.reads;
    const m = profile.map;
    const variants = new VariantStager(db);
    const extras = new VariantExtrasStager(db);
    // Issue 17: characteristics (variants) and VAT rates, read beside the rest (small sets).
    const charsRead = m.toCharacteristic ? read('characteristics', r.characteristic).then((rows) => variants.characteristics(rows.map(m.toCharacteristic!))) : Promise.resolve(progress('characteristics'));
    const extraReads = Promise.all([
      charsRead,
      read('vatRates', r.vatRate),
      m.toClientAgreement ? read('clientAgreements', r.clientAgreement) : Promise.resolve([] as Row[]),
      m.toPropertyValue ? read('propertyValues', r.propertyValue) : Promise.resolve([] as Row[]),
      // Issue 18: stores' pricing rules (Розница), whose price kind is the store's retail kind.
      m.toPricingRule ? read('pricingRules', r.pricingRule) : Promise.resolve([] as Row[]),
    ]);
    // Awaited after the main reads; when one of those fails first, this one's failure is not an unhandled rejection.
    extraReads.catch(() => undefined);
    const needsProperties = Object.values(profile.fieldSources).some((s) => s.kind === 'additionalAttribute');
    // Items and groups live in one set: read it once with both selections and split by IsFolder.
    const itemSpec: ReadSpec | undefined = r.item && r.item.kind === 'collection'
      ? { ...r.item, filter: undefined, select: [...new Set([...r.item.select, ...(r.group?.select ?? [])])] }
      : undefined;
    // Properties: the order limits' additional attributes need their keys; issue 17 exports them too (a small set).
    const propertiesRead = needsProperties || m.toProperty ? read('properties', r.property) : Promise.resolve([] as Row[]);
    const volumesRead = read('volumes', r.fileVolume);
    // Item mapping needs the additional attributes' keys (properties: a handful of rows, read first).
    const itemsRead = propertiesRead.then((properties) => {
      const ctx = { config, propertyKeys: needsProperties ? m.propertyKeysOf(properties) : undefined };
      return stream('items', itemSpec, (rows) => stager.nomenclature(rows, ctx));
    });
    const [, warehouses, priceKinds, , countries, brands, makers, , , , orgs, accounts, versions, platform] = await settled(stager, [
      itemsRead,
      read('warehouses', r.warehouse),
      read('priceKinds', r.priceKind),
      stream('units', r.unit, (rows) => stager.units(rows)),
      read('countries', r.country),
      read('brands', r.brand),
      read('manufacturers', r.manufacturer),
      stream('barcodes', r.barcode, (rows) => {
        stager.barcodes(rows);
        const list = rows.map(m.toBarcode);
        variants.barcodes(list);
        extras.barcodes(list);
      }),
      // Files kept in volumes (ВТомахНаДиске) have no bytes over OData: they are read from disk where the volume is
      // mounted (catalog.volumeRoots), and offered as icons only when the volume is known (else they could only 503).
      volumesRead.then((vs) => {
        const byId = new Map(vs.map(m.toFileVolume).map((v) => [v.id, v]));
        const pathOf = (p: { volumeId: string | null; pathInVolume: string }) => {
          const v = p.volumeId ? byId.get(p.volumeId) : undefined;
          return v && p.pathInVolume ? fileInVolume(v, p.pathInVolume, config.catalog.volumeRoots) : null;
        };
        return stream('pictures', r.picture, (rows) => stager.files(rows, pathOf));
      }),
      volumesRead,
      read('organisation', r.organisation),
      read('bankAccounts', r.bankAccount),
      read('versions', r.configurationVersion),
      // Extension only; an extension from before this register simply has no platform to tell (state.platform null).
      r.platform ? read('platform', r.platform).catch(() => [] as Row[]) : Promise.resolve([] as Row[]),
      propertiesRead,
      // Issue 17: the items' additional attributes (a read of their own: see the profile's itemProperty). Last: the
      // names above are positional.
      // After the items: two reads paging the same set at once would each see a row inserted meanwhile differently.
      m.toItemProperties ? itemsRead.then(() => stream('itemProperties', r.itemProperty, (rows) => variants.itemProperties(rows.map(m.toItemProperties!)), {}, `${r.itemProperty?.kind === 'collection' ? r.itemProperty.set : ''}/ДополнительныеРеквизиты`)) : Promise.resolve(progress('itemProperties')),
      // Issue 17: the packaging set of items that use one (after the items, as above).
      m.toItemPackagingSet ? itemsRead.then(() => stream('packagingSets', r.itemPackagingSet, (rows) => stager.packagingSets(rows.map(m.toItemPackagingSet!)), {}, `${r.itemPackagingSet?.kind === 'collection' ? r.itemPackagingSet.set : ''}/НаборУпаковок`)) : Promise.resolve(progress('packagingSets')),
      // Issue 14.7: which items keep a description in a site description file (after the items, as above); read even
      // when no description comes from it: such a file is no picture either.
      // Issue 17: characteristics' own properties (after the characteristics: the same set, as above).
      r.characteristicProperty && m.toCharacteristicProperties ? charsRead.then(() => stream('characteristicProperties', r.characteristicProperty, (rows) => extras.characteristicProperties(rows.map(m.toCharacteristicProperties!)), {}, `${r.characteristicProperty?.kind === 'collection' ? r.characteristicProperty.set : ''}/ДополнительныеРеквизиты`)) : Promise.resolve(progress('characteristicProperties')),
      m.toItemDescriptionFile ? itemsRead.then(() => stream('descriptionFiles', r.itemDescriptionFile, (rows) => stager.descriptionFiles(rows.map(m.toItemDescriptionFile!)), {}, `${r.itemDescriptionFile?.kind === 'collection' ? r.itemDescriptionFile.set : ''}/ФайлОписанияДляСайта`)) : Promise.resolve(progress('descriptionFiles')),
    ]);

    const kinds = priceKinds.map(m.toPriceKind).filter((k) => !k.deleted);
    const [, , , , ruleRows] = await extraReads;
    const stores = withRuleKinds(warehouses.map(m.toWarehouse).filter((w) => !w.deleted), profile, ruleRows, new Set(kinds.map((k) => k.id)));
    const wanted = [config.catalog.retailPriceKind, config.catalog.tier1PriceKind, config.catalog.tier2PriceKind, ...config.catalog.extraPriceKinds];
    // Issue 17: the kinds of clients' own agreements are mirrored too (booking prices those clients by them).
    const [, , agreementRows] = await extraReads;
    const clientKinds = clientPriceKindsOf(profile, agreementRows, new Set(kinds.map((k) => k.id)));
    const priceKindKeys = [...new Set([...kinds.filter((k) => wanted.includes(k.name)).map((k) => k.id), ...stores.map((s) => s.retailPriceKindId).filter((x): x is string => !!x), ...clientKinds.map((c) => c.priceKindId)])];
    const bankKeys = [...new Set(accounts.map(m.toBankAccount).map((a) => a.bankId).filter((x): x is string => !!x))];
    const items = stager.counts.items;
    const codes = codesOf(db, `${S}.items`);
    const ratio = ratioLookup(db, `${S}.units`, 'seq DESC');
    const vctx: VirtualContext = { onec, profile, codes, log: deps.logger, counted, queue: Promise.resolve(), limit: deps.virtualRows ?? VIRTUAL_ROWS };
    // The organisation's country (its VAT rates of items apply): the organisation metaOf picks.
    const orgRecords = orgs.map(m.toOrganisation);
    const orgCountry = (orgRecords.find((o) => o.inn) ?? orgRecords[0])?.countryId ?? null;
    // Issue 18: prices applied per store (Розница's shops with ИспользоватьПрименениеЦен), where the profile reads them.
    const pricing = storePricingOf(profile, stores);
    const storePrices = pricing ? new StorePriceStager(db, pricing) : undefined;
    const [, , banks] = await settled(stager, [
      readPrices(vctx, priceKindKeys, estimates(db, 'prices', priceKindKeys, items), (rows) => {
        stager.prices(pricesOf(profile, rows, ratio));
        variants.prices(variantPricesOf(profile, rows, ratio));
      }).then(() => progress('prices')),
      readStock(vctx, stores.map((s) => s.id), estimates(db, 'stock', stores.map((s) => s.id), items), (rows, reserve) => {
        const split = stockSplit(profile, rows, reserve);
        stager.stock(split.items);
        variants.stock(split.variants);
      }).then(() => {
        progress('stock');
        progress('reserve');
      }),
      bankKeys.length ? read('banks', r.bank, { bankKeys }) : Promise.resolve([] as Row[]),
      // Issue 17: items' VAT rates from УТ 11.5.20's register (detected), in parts by item code like prices.
      readItemVat(vctx, items, (rows) => stager.itemVatRates(rows.map(m.toItemVatRate!), orgCountry)),
      readStorePrices(vctx, storePrices, items, (rows) => storePrices!.prices(rows.map(m.toStorePrice!), ratio)),
    ]);
    // Keyed reads of the packagings some store prices are per (counted as sent).
    const keyedBefore = onec.stats.total;
    if (storePrices) await resolvePackagings(onec, profile, storePrices);

    if (!deps.allowEmpty) {
      refuseEmptying(db, { catalog_items: items, catalog_stores: stores.length, catalog_stock: stager.counts.stock, catalog_prices: stager.counts.prices, ...storePricesCount(storePrices) });
    }
    // Issue 14.7: the text of the items' site description files, read before the items are assembled (they carry it).
    const descriptions = descriptionInto ? await loadDescriptions(deps, profile) : undefined;
    // Keyed reads (the packagings above, the files' bytes, as few as the URL length allows): counted as sent.
    const keyed = onec.stats.total - keyedBefore;
    const ts = new Date().toISOString();
    const { changed } = assembleItems(scratch, {
      countries: new Map(countries.map(m.toCountry).map((c) => [c.id, c.name])),
      brands: new Map(brands.map(m.toBrand).map((b) => [b.id, b.name])),
      makers: new Map(makers.map(m.toManufacturer).map((x) => [x.id, x.name])),
    }, ts, { descriptionFileInto: descriptionInto });
    assembleRest(db);
    stageSmall(db, {
      stores: stores.map((s) => ({ id: s.id, name: s.name, city: s.city ?? '', address: s.address ?? '', retailPriceKindId: s.retailPriceKindId })),
      priceKinds: kinds.map((k) => ({ id: k.id, name: k.name })),
    });
    const meta = metaOf(profile, { orgs, accounts, banks, versions, platform });
    const [, vatRows, , valueRows] = await extraReads;
    // Issue 17: the exported properties (catalog.exportProperties by Имя or Заголовок; absent = all).
    const allProps = m.toProperty ? (await propertiesRead).map(m.toProperty) : [];
    const wantedProps = config.catalog.exportProperties;
    const exported = wantedProps ? allProps.filter((p) => wantedProps.includes(p.name) || wantedProps.includes(p.title)) : allProps;
    prepareVariants(db, true, exported.map((p) => p.id));
    // Issue 17: VAT facts, properties and clients' price kinds go with this generation, not after it (prepareFacts).
    const facts = prepareFacts(db, {
      props: exported,
      values: m.toPropertyValue ? valueRows.map(m.toPropertyValue).filter((v) => exported.some((p) => p.id === v.propertyId)) : [],
      kinds: kinds.map((k) => ({ id: k.id, includesVat: k.includesVat })),
      rates: vatRatesOf(db, profile, vatRows),
      clientKinds,
      listed: kinds.filter((k) => wanted.includes(k.name)).map((k) => ({ id: k.id, name: k.name })),
    });
    if (storePrices) prepareStorePrices(db, 'new');
    const generationBefore = generationOf(db);
    const apply: ApplyTiming = { swapMs: 0, longestStepMs: 0, steps: 0 };
    // mirror.stockReadAt: when 1C was asked (no later than the stock read began). An order posted after it may be
    // missing from these figures; orders/promise.ts subtracts those (issue 14.1).
    await drive(finishFull(db, {
      ts,
      meta: { 'mirror.organisation': JSON.stringify(meta.organisation), 'mirror.configuration': JSON.stringify(meta.configuration), 'mirror.stockReadAt': new Date(started).toISOString() },
      timing: apply,
      everything: facts.everything,
      within: () => {
        applyVariants(db);
        applyFacts(db);
        if (storePrices) applyStorePrices(db);
      },
    }), apply);
    if (config.webhooks.url && config.webhooks.catalogEvents) notifyShop(deps, { sync: 'full', generationBefore, changedAt: ts });
    const report: SyncReport = { items, changed, requests: onec.stats.total - requestsBefore, lowerBound, keyed, rowsBySet, ms: Date.now() - started, apply };
    deps.logger?.info({ ...report, rowsBySet: undefined, descriptions }, 'catalogue sync done');
    return report;
  } finally {
    stager.abort();
    scratch.close();
  }
}

/**
 * Promise.all that, when one read fails, stops the others at their next page (the stager refuses it) and waits for
 * them: a read left running would write into the next sync's scratch database.
 */
async function settled<T extends readonly unknown[]>(stager: Stager, reads: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const all = await Promise.allSettled(reads.map((r) => (r as Promise<unknown>).catch((e) => {
    stager.abort();
    throw e;
  })));
  const failed = all.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) throw failed.reason;
  return all.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * The frequent job: stock and prices only. 1C offers no way to ask what changed in a balance since a moment (a
 * document posted today may be dated last week; an unposted one leaves no record to read), so the virtual tables
 * are read again — in parts, one at a time — and compared here: the mirror is written only where a quantity or a
 * price differs, a warehouse's paging order only where an item entered or left it, and when nothing a shop sees
 * changed, only the stock time moves (the mirror generation, and so every kept page and ETag, stays).
 */
export interface StockSyncReport {
  stockRows: number;
  priceRows: number;
  requests: number;
  ms: number;
  /** Items whose price or stock changed. */
  changed: number;
  apply?: ApplyTiming;
}

export async function runStockSync(deps: SyncDeps): Promise<StockSyncReport> {
  const started = Date.now();
  const { onec, config, db } = deps;
  const profile = deps.profile ?? getProfile(config.onec.profile, config);
  const before = onec.stats.total;
  const stores = db.prepare(`SELECT id, retail_price_kind_id AS k FROM catalog_stores`).all() as { id: string; k: string | null }[];
  // Before the first full sync there are no warehouses or price kinds to narrow by: reading every warehouse's stock
  // and every price would be the heaviest query of all, for a mirror that cannot serve yet.
  if (stores.length === 0) return { stockRows: 0, priceRows: 0, requests: 0, ms: Date.now() - started, changed: 0 };
  const names = [config.catalog.retailPriceKind, config.catalog.tier1PriceKind, config.catalog.tier2PriceKind, ...config.catalog.extraPriceKinds];
  const kindIds = db.prepare(`SELECT id FROM catalog_price_kinds WHERE name IN (SELECT value FROM json_each(?))`).pluck().all(JSON.stringify(names)) as string[];
  // Issue 17: and the kinds of clients' own agreements (as the last full sync found them).
  const clientKindIds = db.prepare(`SELECT DISTINCT price_kind_id FROM catalog_client_price_kinds`).pluck().all() as string[];
  const priceKindKeys = [...new Set([...kindIds, ...stores.map((s) => s.k).filter((x): x is string => !!x), ...clientKindIds])];
  const items = db.prepare(`SELECT count(*) FROM catalog_items`).pluck().get() as number;
  const scratch = openScratch(db);
  const stager = new Stager(scratch, profile, 'mirror');
  try {
    const variants = new VariantStager(db);
    const raw = { stock: 0, prices: 0, stockRows: 0, priceRows: 0 };
    const ratio = ratioLookup(db, 'main.catalog_packagings');
    const vctx: VirtualContext = { onec, profile, codes: codesOf(db, 'main.catalog_items'), log: deps.logger, counted: () => undefined, queue: Promise.resolve(), limit: deps.virtualRows ?? VIRTUAL_ROWS };
    // Issue 18: the stores the last full sync found priced by applied prices, read again like the price kinds.
    const storePrices = storePricingOf(profile, []) ? new StorePriceStager(db, mirroredPricing(db)) : undefined;
    await settled(stager, [
      readPrices(vctx, priceKindKeys, estimates(db, 'prices', priceKindKeys, items), (rows) => {
        raw.priceRows += rows.length;
        const prices = pricesOf(profile, rows, ratio);
        raw.prices += prices.length;
        stager.prices(prices);
        variants.prices(variantPricesOf(profile, rows, ratio));
      }),
      readStock(vctx, stores.map((s) => s.id), estimates(db, 'stock', stores.map((s) => s.id), items), (rows, reserve) => {
        raw.stockRows += rows.length;
        const split = stockSplit(profile, rows, reserve);
        raw.stock += split.items.length;
        stager.stock(split.items);
        variants.stock(split.variants);
      }),
      readStorePrices(vctx, storePrices, items, (rows) => {
        raw.priceRows += rows.length;
        storePrices!.prices(rows.map(profile.map.toStorePrice!), ratio);
      }),
    ]);
    if (storePrices) await resolvePackagings(onec, profile, storePrices);
    if (!deps.allowEmpty) refuseEmptying(db, { catalog_stock: raw.stock, catalog_prices: raw.prices, ...storePricesCount(storePrices) });
    const apply: ApplyTiming = { swapMs: 0, longestStepMs: 0, steps: 0 };
    prepareVariants(db, false);
    if (storePrices) prepareStorePrices(db, 'mirror');
    const generationBefore = generationOf(db);
    const ts = new Date().toISOString();
    const within = () => {
      applyVariants(db);
      if (storePrices) applyStorePrices(db);
    };
    const { changed } = await drive(finishStock(db, { ts, prices: true, timing: apply, readAt: new Date(started).toISOString(), within }), apply);
    if (config.webhooks.url && config.webhooks.catalogEvents) notifyShop(deps, { sync: 'stock', generationBefore, changedAt: ts });
    return { stockRows: raw.stockRows, priceRows: raw.priceRows, requests: onec.stats.total - before, ms: Date.now() - started, changed, apply };
  } finally {
    stager.abort();
    scratch.close();
  }
}

/**
 * Issue 18: a store with a pricing rule sells at the rule's price kind (Розница), where the rule and its kind are in
 * force; otherwise at its own retail kind or the configured one (catalog.retailPriceKind), as before.
 */
function withRuleKinds<T extends { pricingRuleId?: string | null; retailPriceKindId: string | null }>(stores: T[], profile: Profile, rows: Row[], kinds: Set<string>): T[] {
  if (!profile.map.toPricingRule || !rows.length) return stores;
  const kindOf = new Map(rows.map(profile.map.toPricingRule).filter((x) => !x.deleted && x.priceKindId && kinds.has(x.priceKindId)).map((x) => [x.id, x.priceKindId!]));
  return stores.map((s) => (s.pricingRuleId && kindOf.has(s.pricingRuleId) ? { ...s, retailPriceKindId: kindOf.get(s.pricingRuleId)! } : s));
}

/** Clients' own agreements in force whose price kind the base has: one per client (the first found). */
function clientPriceKindsOf(profile: Profile, rows: Row[], known: Set<string>): { partnerId: string; priceKindId: string; agreementId: string; includesVat: boolean | null }[] {
  const byPartner = new Map<string, { partnerId: string; priceKindId: string; agreementId: string; includesVat: boolean | null }>();
  for (const a of rows.map((r) => profile.map.toClientAgreement!(r))) {
    if (!a.inForce || !a.partnerId || !a.priceKindId || !known.has(a.priceKindId) || byPartner.has(a.partnerId)) continue;
    byPartner.set(a.partnerId, { partnerId: a.partnerId, priceKindId: a.priceKindId, agreementId: a.id, includesVat: a.includesVat ?? null });
  }
  return [...byPartner.values()];
}

const generationOf = (db: Db) => Number(db.prepare(`SELECT value FROM main.meta WHERE key = 'mirror.generation'`).pluck().get() ?? 0);

/**
 * Issue 17: one catalogue webhook per sync that changed what a shop sees (catalog/webhooks.ts). The mirror is
 * already committed: a failure here is logged, never the sync's.
 */
function notifyShop(deps: SyncDeps, o: { sync: 'full' | 'stock'; generationBefore: number; changedAt: string }) {
  try {
    const event = enqueueCatalogEvent(deps.db, o);
    if (event) deps.logger?.info({ event: event.id, generation: event.data.generation, stores: event.data.stores.length }, 'catalogue webhook queued');
  } catch (e) {
    deps.logger?.warn({ err: e }, 'catalogue webhook not queued');
  }
}

/**
 * 1C answers an empty set, not an error, when the ReGate user's record-level rights hide every row (collections are
 * read with allowedOnly=true) or when rights on a register were narrowed; a whole catalogue, every warehouse, all
 * stock or all prices vanishing at once is far likelier to be that than a real change. Such an answer is refused like
 * a failed sync, so the previous mirror keeps serving; `allowEmpty` (an administrator's decision) applies it anyway.
 */
export class EmptyAnswerRefused extends Error {
  override name = 'EmptyAnswerRefused';
}

/** Issue 18: store prices join the refusal only while some store is priced by them (none priced is a setting, not a loss). */
const storePricesCount = (s: StorePriceStager | undefined): Record<string, number> => (s && s.pricing.length ? { catalog_store_prices: s.count } : {});

function refuseEmptying(db: Db, next: Record<string, number>): void {
  for (const [table, rows] of Object.entries(next)) {
    if (rows > 0) continue;
    const had = db.prepare(`SELECT COUNT(*) FROM (SELECT 1 FROM main.${table} LIMIT 1)`).pluck().get() as number;
    if (had > 0) {
      throw new EmptyAnswerRefused(
        `1C returned an empty set for ${table} while the mirror has rows (rights hiding records, or the publication changed?); the previous mirror is kept. Sync with allowEmpty to accept it`,
      );
    }
  }
}

/**
 * Available = the stock register's figure less what customer orders reserve (11.5's ТоварыКОтгрузке), never < 0,
 * per item, characteristic and warehouse (both registers have the Характеристика dimension: a reserve of one size does
 * not lower another's). The item's rows (the stager adds them up per warehouse) and, for rows of a characteristic, the
 * variant's own (issue 17).
 */
function stockSplit(profile: Profile, rows: Row[], reserveRows: Row[] = []): { items: MirrorSnapshot['stock']; variants: VariantStock[] } {
  const reserved = new Map<string, number>();
  const key = (x: { itemId: string; characteristicId?: string | null; warehouseId: string }) => `${x.itemId}|${x.characteristicId ?? ''}|${x.warehouseId}`;
  for (const r of reserveRows.map(profile.map.toReserve)) reserved.set(key(r), (reserved.get(key(r)) ?? 0) + r.reserved);
  const items: MirrorSnapshot['stock'] = [];
  const variants: VariantStock[] = [];
  for (const s of rows.map(profile.map.toStock)) {
    const quantity = Math.max(0, Math.round((s.available - (reserved.get(key(s)) ?? 0)) * 1000) / 1000);
    items.push({ storeId: s.warehouseId, itemId: s.itemId, quantity });
    if (s.characteristicId) variants.push({ itemId: s.itemId, characteristicId: s.characteristicId, storeId: s.warehouseId, quantity });
  }
  return { items, variants };
}

/** Prices set for a characteristic (issue 17), per unit of the item; the stager keeps one per unit before one per packaging. */
function variantPricesOf(profile: Profile, rows: Row[], packagingRatio: (id: string) => number | undefined): VariantPrice[] {
  const out: VariantPrice[] = [];
  for (const p of rows.map(profile.map.toPrice)) {
    if (!p.characteristicId) continue;
    const ratio = p.packagingId ? packagingRatio(p.packagingId) ?? 1 : 1;
    out.push({ itemId: p.itemId, characteristicId: p.characteristicId, priceKindId: p.priceKindId, price: Math.round((p.price / ratio) * 100) / 100, rank: p.packagingId ? 1 : 0 });
  }
  return out;
}

/** The rate each VAT id of the items stands for: read (11.5 Catalog_СтавкиНДС) or named by the enum member (11.4). */
function vatRatesOf(db: Db, profile: Profile, rows: Row[]): { id: string; rate: number | null }[] {
  const read = rows.map(profile.map.toVatRate);
  const known = new Set(read.map((r) => r.id));
  // The new generation's items (the mirror's would name a rate first used now only at the next sync).
  const ids = db.prepare(`SELECT DISTINCT vat_rate_id FROM ${S}.new_items WHERE vat_rate_id IS NOT NULL`).pluck().all() as string[];
  for (const id of ids) {
    if (known.has(id)) continue;
    const rate = profile.map.vatRateOfId(id);
    if (rate !== undefined) read.push({ id, rate });
  }
  return read;
}

/** Prices per unit of the item: a price set for a packaging (0.17 kg) is divided by the packaging's ratio. */
/**
 * One price per item and price kind. The slice has a row per characteristic (and series, packaging) too; the shop
 * sells the item as such, so the price of the item without a characteristic wins, then one set per unit rather
 * than per packaging, then the first. (INSERT OR REPLACE kept an arbitrary one.)
 */
export function pricesOf(profile: Profile, rows: Row[], packagingRatio: Map<string, number> | ((id: string) => number | undefined)): MirrorSnapshot['prices'] {
  const ratioOf = typeof packagingRatio === 'function' ? packagingRatio : (id: string) => packagingRatio.get(id);
  const best = new Map<string, { rank: number; price: MirrorSnapshot['prices'][number] }>();
  for (const p of rows.map(profile.map.toPrice)) {
    const ratio = p.packagingId ? ratioOf(p.packagingId) ?? 1 : 1;
    const rank = (p.characteristicId ? 2 : 0) + (p.packagingId ? 1 : 0);
    const key = `${p.itemId}|${p.priceKindId}`;
    const seen = best.get(key);
    if (seen && seen.rank <= rank) continue;
    best.set(key, { rank, price: { itemId: p.itemId, priceKindId: p.priceKindId, price: Math.round((p.price / ratio) * 100) / 100 } });
  }
  return [...best.values()].map((b) => b.price);
}

/** Units per packaging from a staged or mirrored table, remembered for the sync (a few thousand packagings). */
function ratioLookup(db: Db, table: string, order?: string): (id: string) => number | undefined {
  const q = db.prepare(`SELECT ratio FROM ${table} WHERE id = ?${order ? ` ORDER BY ${order}` : ''} LIMIT 1`).pluck();
  const seen = new Map<string, number | undefined>();
  return (id) => {
    if (!seen.has(id)) {
      if (seen.size > 100_000) seen.clear();
      seen.set(id, q.get(id) as number | undefined);
    }
    return seen.get(id);
  };
}

// ---- virtual tables in parts ------------------------------------------------------------------------------------

interface CodeRange {
  from?: string;
  to?: string;
}

interface VirtualContext {
  onec: ODataClient;
  profile: Profile;
  /** The items' codes in order, to cut a warehouse's or a price kind's rows by ranges of the item code. */
  codes: Codes;
  log?: Logger;
  counted: (spec: Exclude<ReadSpec, { kind: 'collection' }>, rows: number) => void;
  /** Virtual reads run one at a time: each answer is a whole string in memory until it is staged. */
  queue: Promise<unknown>;
  /** Most rows per answer. */
  limit: number;
}

function oneAnswerAtATime<T>(v: VirtualContext, fn: () => Promise<T>): Promise<T> {
  const run = v.queue.then(fn, fn);
  v.queue = run.catch(() => undefined);
  return run;
}

/**
 * The items' codes sorted once per sync into the scratch database (rank → code, with an index on code), so a range
 * holding about N items is two index seeks. Ranges [–, b1), [b1, b2) … [bn, –) cover every string whatever order
 * 1C sorts them in, so the parts always partition the rows; the ranks only size them.
 */
interface Codes {
  total: number;
  /** Rank (1-based) of the first code ≥ `code` (total + 1 when none). */
  rankOf(code: string | undefined): number;
  /** The code at a rank, moved past `after` when equal to it (ties), or undefined past the end. */
  boundary(rank: number, after: string | undefined): string | undefined;
}

function codesOf(db: Db, source: string): Codes {
  db.exec(`DROP TABLE IF EXISTS ${S}.codes; CREATE TABLE ${S}.codes (n INTEGER PRIMARY KEY, code TEXT NOT NULL);
           INSERT INTO ${S}.codes (code) SELECT coalesce(code, '') FROM ${source} ORDER BY 1;
           CREATE INDEX ${S}.codes_code ON codes (code);`);
  const total = db.prepare(`SELECT count(*) FROM ${S}.codes`).pluck().get() as number;
  const rank = db.prepare(`SELECT coalesce(min(n), ?) FROM ${S}.codes WHERE code >= ?`).pluck();
  const at = db.prepare(`SELECT code FROM ${S}.codes WHERE n = ?`).pluck();
  const above = db.prepare(`SELECT code FROM ${S}.codes WHERE code > ? ORDER BY code LIMIT 1`).pluck();
  return {
    total,
    rankOf: (code) => (code === undefined ? 1 : (rank.get(total + 1, code) as number)),
    boundary(r, after) {
      if (r > total) return undefined;
      const c = at.get(r) as string;
      // '' starts the first range anyway; a boundary equal to the range's start would make it empty.
      if ((after === undefined && c === '') || (after !== undefined && c <= after)) return above.get(after ?? '') as string | undefined;
      return c;
    },
  };
}

/** Expected rows per warehouse (stock) or price kind (prices): the mirror's last count with a margin, else every item. */
function estimates(db: Db, what: 'stock' | 'prices', keys: string[], items: number): Map<string, number> {
  const rows = (what === 'stock'
    ? db.prepare(`SELECT store_id AS k, count(*) AS n FROM main.catalog_stock GROUP BY store_id`).all()
    : db.prepare(`SELECT price_kind_id AS k, count(*) AS n FROM main.catalog_prices GROUP BY price_kind_id`).all()) as { k: string; n: number }[];
  const known = new Map(rows.map((r) => [r.k, Math.ceil(r.n * 1.25) + 100]));
  return new Map(keys.map((k) => [k, known.get(k) ?? items]));
}

/** Keys grouped while their expected rows fit one answer; a key expected larger than that alone ("cut"). */
function groupsOf(keys: string[], expected: Map<string, number>, limit: number): { keys: string[]; cut: boolean }[] {
  const groups: { keys: string[]; cut: boolean }[] = [];
  let cur: string[] = [];
  let sum = 0;
  for (const k of keys) {
    const e = expected.get(k) ?? 0;
    if (e > limit) {
      groups.push({ keys: [k], cut: true });
      continue;
    }
    if (cur.length && sum + e > limit) {
      groups.push({ keys: cur, cut: false });
      cur = [];
      sum = 0;
    }
    cur.push(k);
    sum += e;
  }
  if (cur.length) groups.push({ keys: cur, cut: false });
  return groups;
}

/** The ReadParams a virtual read is narrowed by, per part. */
type VirtualKey = 'warehouseKeys' | 'priceKindKeys' | 'pricingObjectKeys';

/** The item dimension of a register read, when it has the usual one (its code ranges cut a part). */
const ITEM_DIMENSION = 'Номенклатура';
const cuttable = (spec: Exclude<ReadSpec, { kind: 'collection' }>) => spec.select.includes(`${ITEM_DIMENSION}_Key`);

/**
 * One part of a virtual table. Rows come raw (not normalised): the mappers of prices and stock read keys and numbers
 * only, and normalising every row's Period (a time-zone conversion through Intl, ~50 µs) was a third of a 20k
 * sync's CPU. When the Condition makes the URL longer than onec.maxUrlLength (~92 characters per key in the path),
 * the key list is halved until every request fits, as onec/read.ts does.
 */
async function readPart(v: VirtualContext, spec: Exclude<ReadSpec, { kind: 'collection' }>, params: ReadParams, range: CodeRange, key: VirtualKey): Promise<Row[]> {
  const base = spec.condition?.(params);
  const condition =
    range.from === undefined && range.to === undefined
      ? base
      : (and(
          typeof base === 'string' ? rawFilter(base) : base,
          range.from !== undefined ? ge(`${ITEM_DIMENSION}/Code`, range.from) : undefined,
          range.to !== undefined ? lt(`${ITEM_DIMENSION}/Code`, range.to) : undefined,
        ) as Filter);
  const p = { period: params.period, condition };
  const o = { select: spec.select, raw: true };
  const url =
    spec.kind === 'balance'
      ? v.onec.virtualUrl('Balance', spec.register, { ...p, dimensions: spec.dimensions }, o)
      : v.onec.virtualUrl('SliceLast', spec.register, { ...p, recordType: spec.recordType }, o);
  const keys = params[key] ?? [];
  if (url.length > v.onec.maxUrlLength && keys.length > 1) {
    const half = Math.ceil(keys.length / 2);
    const a = await readPart(v, spec, { ...params, [key]: keys.slice(0, half) }, range, key);
    const b = await readPart(v, spec, { ...params, [key]: keys.slice(half) }, range, key);
    return a.concat(b);
  }
  return spec.kind === 'balance'
    ? v.onec.balance(spec.register, { ...p, dimensions: spec.dimensions }, o)
    : v.onec.sliceLast(spec.register, { ...p, recordType: spec.recordType }, o);
}

/**
 * A group of keys: one answer, or — for a key expected larger than one answer — consecutive ranges of the item
 * code, each sized from the rows per item seen so far (starting from the expectation: every item, on a first
 * sync). A warehouse carrying a third of the items takes a third of the parts its expectation would have.
 */
async function readGroup(v: VirtualContext, spec: Exclude<ReadSpec, { kind: 'collection' }>, key: VirtualKey, group: { keys: string[]; cut: boolean }, expected: number, stage: (rows: Row[]) => void): Promise<number> {
  const params = { [key]: group.keys } as ReadParams;
  if (!group.cut || !cuttable(spec) || v.codes.total === 0) {
    const rows = await oneAnswerAtATime(v, () => readPart(v, spec, params, {}, key));
    stage(rows);
    return rows.length;
  }
  const target = v.limit * 0.8;
  let perItem = expected / v.codes.total;
  let from: string | undefined;
  let total = 0;
  for (;;) {
    const rank = v.codes.rankOf(from);
    const take = Math.max(1, Math.floor(target / Math.max(perItem, 1e-6)));
    const to = v.codes.boundary(rank + take, from);
    const rows = await oneAnswerAtATime(v, () => readPart(v, spec, params, { from, to }, key));
    stage(rows);
    total += rows.length;
    if (to === undefined) return total;
    const items = Math.max(1, v.codes.rankOf(to) - rank);
    // Density changes along the codes: follow what was seen, but never more than 4× larger parts at once.
    perItem = Math.max(rows.length / items, perItem / 4);
    from = to;
  }
}

async function readPrices(v: VirtualContext, kindKeys: string[], expected: Map<string, number>, stage: (rows: Row[]) => void): Promise<void> {
  const spec = v.profile.reads.price;
  if (!spec || spec.kind === 'collection') return;
  let total = 0;
  const groups = groupsOf(kindKeys, expected, v.limit);
  // An empty key list still asks once (the profile's Condition without kinds), as the whole read did.
  for (const g of groups.length ? groups : [{ keys: [], cut: false }]) {
    total += await readGroup(v, spec, 'priceKindKeys', g, g.keys.reduce((s, k) => s + (expected.get(k) ?? 0), 0), stage);
  }
  v.counted(spec, total);
}

/**
 * Issue 18: prices applied per store (profile.reads.storePrice), by the objects they are applied to (Розница: shops),
 * grouped and cut by item code like price kinds; each shop is expected to price every item.
 */
async function readStorePrices(v: VirtualContext, staged: StorePriceStager | undefined, items: number, stage: (rows: Row[]) => void): Promise<void> {
  const spec = v.profile.reads.storePrice;
  if (!staged || !spec || spec.kind === 'collection' || !staged.objectKeys.length) return;
  let total = 0;
  for (const g of groupsOf(staged.objectKeys, new Map(staged.objectKeys.map((k) => [k, items])), v.limit)) {
    total += await readGroup(v, spec, 'pricingObjectKeys', g, g.keys.length * items, stage);
  }
  v.counted(spec, total);
}

/** Issue 17: the items' VAT rates register (profile.reads.itemVatRate), in ranges of the item code of at most v.limit rows. */
async function readItemVat(v: VirtualContext, items: number, stage: (rows: Row[]) => void): Promise<void> {
  const spec = v.profile.reads.itemVatRate;
  if (!spec || spec.kind === 'collection' || !v.profile.map.toItemVatRate) return;
  const total = await readGroup(v, spec, 'priceKindKeys', { keys: [], cut: items > v.limit }, items, stage);
  v.counted(spec, total);
}

async function readStock(v: VirtualContext, storeIds: string[], expected: Map<string, number>, stage: (rows: Row[], reserve: Row[]) => void): Promise<void> {
  const spec = v.profile.reads.stock;
  const reserveSpec = v.profile.reads.reserve;
  if (!spec || spec.kind === 'collection') return;
  if (isAccountingStock(spec)) {
    // БП 3.0: a balance of goods accounts, read after the base's chart of accounts (catalog/stock-accounting.ts).
    const rows = await oneAnswerAtATime(v, () => readAccountingStock(v.onec, v.profile, storeIds, v.log));
    stage(rows, []);
    v.counted(spec, rows.length);
    return;
  }
  let total = 0;
  let reserved = 0;
  for (const g of groupsOf(storeIds, expected, v.limit)) {
    // The reserve (what orders promise: small) of the group's warehouses, read once for all its parts.
    let reserve: Row[] = [];
    if (reserveSpec && reserveSpec.kind !== 'collection') {
      reserve = await oneAnswerAtATime(v, () => readPart(v, reserveSpec, { warehouseKeys: g.keys }, {}, 'warehouseKeys'));
      reserved += reserve.length;
    }
    total += await readGroup(v, spec, 'warehouseKeys', g, g.keys.reduce((s, k) => s + (expected.get(k) ?? 0), 0), (rows) => stage(rows, reserve));
  }
  v.counted(spec, total);
  if (reserveSpec && reserveSpec.kind !== 'collection') v.counted(reserveSpec, reserved);
}

function metaOf(profile: Profile, raw: { orgs: Row[]; accounts: Row[]; banks: Row[]; versions: Row[]; platform: Row[] }) {
  const m = profile.map;
  // Every УТ base has the predefined УправленческаяОрганизация (Ext/Predefined.xml), filled or left empty: the
  // organisation is the configured one (onec.organisationKey narrows the read), else the first with an ИНН.
  const orgs = raw.orgs.map(m.toOrganisation);
  const orgRecord = orgs.find((o) => o.inn) ?? orgs[0];
  const account = raw.accounts.map(m.toBankAccount).find((a) => !orgRecord || a.organisationId === orgRecord.id);
  const version = m.toConfigurationVersion(raw.versions);
  return {
    organisation: orgRecord
      ? {
          id: orgRecord.id,
          name: orgRecord.name,
          fullName: orgRecord.fullName,
          inn: orgRecord.inn,
          kpp: orgRecord.kpp,
          ogrn: orgRecord.ogrn,
          address: orgRecord.address ?? '',
          bankAccount: account ? bankAccountOf(account, raw.banks.map(m.toBank)) : null,
        }
      : { id: '', name: '', fullName: '', inn: '', kpp: '', ogrn: '', address: '', bankAccount: null },
    configuration: { name: version.name, version: version.version, platform: m.platformOf(raw.platform ?? []) },
  };
}

/**
 * Where a file of a 1C file volume is on this machine: the volume's root for this platform (ПолныйПутьLinux here,
 * ПолныйПутьWindows on Windows, whichever is set otherwise), rewritten by the longest matching catalog.volumeRoots
 * prefix, joined with ПутьКФайлу (1C writes it with backslashes).
 */
export function fileInVolume(v: { windowsPath: string; linuxPath: string }, pathInVolume: string, roots: Record<string, string>, platform = process.platform): string | null {
  const root = (platform === 'win32' ? v.windowsPath || v.linuxPath : v.linuxPath || v.windowsPath).trim();
  if (!root) return null;
  const prefix = Object.keys(roots)
    .filter((k) => root.toLowerCase().startsWith(k.toLowerCase()))
    .sort((a, b) => b.length - a.length)[0];
  const base = prefix !== undefined ? roots[prefix] + root.slice(prefix.length) : root;
  const sep = platform === 'win32' ? '\\' : '/';
  const parts = [base, pathInVolume].map((x) => x.replace(/[\\/]+/g, sep));
  const unc = platform === 'win32' && /^[\\/]{2}/.test(base) ? sep : ''; // keep \\server\share
  return unc + parts[0].replace(/[\\/]+$/, '') + sep + parts[1].replace(/^[\\/]+/, '');
}

function bankAccountOf(account: { number: string; bankId: string | null }, banks: { id: string; name: string; bik: string; correspondentAccount: string }[]) {
  const bank = banks.find((b) => b.id === account.bankId);
  return { account: account.number, bank: bank?.name ?? '', bik: bank?.bik ?? '', correspondentAccount: bank?.correspondentAccount ?? '' };
}


