/**
 * The catalogue sync and writer as they were before issue 19.2 (commit 40b23cc): the oracle test/catalog/stream-equivalence.test.ts
 * compares the streamed sync's mirror with. Not product code; kept only as the reference behaviour.
 */
import type { Config } from '../../../src/config/index.js';
import type { Db } from '../../../src/db/open.js';
import type { Logger } from '../../../src/log.js';
import type { ODataClient } from '../../../src/onec/index.js';
import { readAll } from '../../../src/onec/read.js';
import { getProfile, type Profile, type ReadSpec, type UnitRecord } from '../../../src/onec/profiles/index.js';
import type { Row } from '../../../src/onec/values.js';
import type { MirrorItem, MirrorSnapshot } from '../../../src/catalog/types.js';
import { writeSnapshot, writeStockAndPrices } from './writer.js';
import { readFileBytes } from '../../../src/catalog/pictures.js';
import { decodeDescription } from '../../../src/catalog/descriptions.js';

export interface SyncDeps {
  db: Db;
  onec: ODataClient;
  config: Config;
  logger?: Logger;
  profile?: Profile;
  onProgress?: (step: string, done: number, total: number) => void;
  /** Apply an answer that empties items, warehouses, stock or prices of a mirror that has them (see refuseEmptying). */
  allowEmpty?: boolean;
}

export interface SyncReport {
  items: number;
  changed: number;
  /** OData requests this sync sent (retries included). */
  requests: number;
  /** The least requests any paging client could send: Σ over paged sets ⌈rows / pageSize⌉ + 1 per virtual table. */
  lowerBound: number;
  rowsBySet: Record<string, number>;
  ms: number;
}

/**
 * Requests grow with rows / page size, never with one request per item: every set is read whole in pages (and
 * Catalog_Номенклатура once for both items and groups), prices and stock are one virtual-table request each.
 * Reads run concurrently; the client's session limit (onec.sessions) bounds them.
 */
export async function runFullSync(deps: SyncDeps): Promise<SyncReport> {
  const started = Date.now();
  const { onec, config } = deps;
  const profile = deps.profile ?? getProfile(config.onec.profile, config);
  const pageSize = config.sync.pageSize;
  const requestsBefore = onec.stats.total;
  const rowsBySet: Record<string, number> = {};
  let lowerBound = 0;
  const steps = ['items', 'warehouses', 'priceKinds', 'units', 'countries', 'brands', 'manufacturers', 'barcodes', 'pictures', 'volumes', 'organisation', 'bankAccounts', 'versions', 'platform', 'properties', 'prices', 'stock', 'reserve', 'banks'];
  let done = 0;
  const read = async (step: string, spec: ReadSpec | undefined, params = {}): Promise<Row[]> => {
    if (!spec) return [];
    const rows = await readAll(onec, spec, params, { pageSize });
    const name = spec.kind === 'collection' ? spec.set : `${spec.register}/${spec.kind}`;
    rowsBySet[name] = (rowsBySet[name] ?? 0) + rows.length;
    lowerBound += spec.kind === 'collection' ? Math.max(1, Math.ceil(rows.length / pageSize)) : 1;
    deps.onProgress?.(step, ++done, steps.length);
    return rows;
  };
  const r = profile.reads;
  const needsProperties = Object.values(profile.fieldSources).some((s) => s.kind === 'additionalAttribute');
  // Items and groups live in one set: read it once with both selections and split by IsFolder.
  const itemSpec: ReadSpec | undefined = r.item && r.item.kind === 'collection'
    ? { ...r.item, filter: undefined, select: [...new Set([...r.item.select, ...(r.group?.select ?? [])])] }
    : undefined;
  const [nomenclature, warehouses, priceKinds, units, countries, brands, makers, barcodes, files, volumes, orgs, accounts, versions, platform, properties] = await Promise.all([
    read('items', itemSpec),
    read('warehouses', r.warehouse),
    read('priceKinds', r.priceKind),
    read('units', r.unit),
    read('countries', r.country),
    read('brands', r.brand),
    read('manufacturers', r.manufacturer),
    read('barcodes', r.barcode),
    read('pictures', r.picture),
    read('volumes', r.fileVolume),
    read('organisation', r.organisation),
    read('bankAccounts', r.bankAccount),
    read('versions', r.configurationVersion),
    // Extension only; an extension from before this register simply has no platform to tell (state.platform null).
    r.platform ? read('platform', r.platform).catch(() => [] as Row[]) : Promise.resolve([] as Row[]),
    needsProperties ? read('properties', r.property) : Promise.resolve([]),
  ]);

  const m = profile.map;
  const ctx = { config, propertyKeys: needsProperties ? m.propertyKeysOf(properties) : undefined };
  const kinds = priceKinds.map(m.toPriceKind).filter((k) => !k.deleted);
  const stores = warehouses.map(m.toWarehouse).filter((w) => !w.deleted);
  const wanted = [config.catalog.retailPriceKind, config.catalog.tier1PriceKind, config.catalog.tier2PriceKind];
  const priceKindKeys = [...new Set([...kinds.filter((k) => wanted.includes(k.name)).map((k) => k.id), ...stores.map((s) => s.retailPriceKindId).filter((x): x is string => !!x)])];
  const bankKeys = [...new Set(accounts.map(m.toBankAccount).map((a) => a.bankId).filter((x): x is string => !!x))];
  const [priceRows, stockRows, reserveRows, banks] = await Promise.all([
    read('prices', r.price, { priceKindKeys }),
    read('stock', r.stock, { warehouseKeys: stores.map((s) => s.id) }),
    r.reserve ? read('reserve', r.reserve, { warehouseKeys: stores.map((s) => s.id) }) : Promise.resolve([] as Row[]),
    bankKeys.length ? read('banks', r.bank, { bankKeys }) : Promise.resolve([]),
  ]);

  // Issue 14.7 (followed by the oracle): the items' site description files and their text, read whole here.
  const described = new Map<string, { fileId: string; text: string }>();
  if (r.itemDescriptionFile && m.toItemDescriptionFile) {
    const links = (await readAll(onec, r.itemDescriptionFile, {}, { pageSize })).map(m.toItemDescriptionFile).filter((d) => d.fileId);
    const live = new Map(files.map(m.toPicture).filter((p) => !p.deleted && p.itemId).map((p) => [p.fileId, p]));
    const texts = new Map<string, string>();
    const inBase = [...new Set(links.map((d) => d.fileId!))].filter((id) => live.get(id)?.storedInBase);
    await readFileBytes({ onec }, profile, inBase, 50, (found) => {
      for (const [id, bytes] of found) texts.set(id, decodeDescription(bytes, live.get(id)!.extension));
    });
    for (const d of links) described.set(d.itemId, { fileId: d.fileId!, text: texts.get(d.fileId!) ?? '' });
  }
  // Issue 17 (followed by the oracle): УТ 11.5.20's СтавкиНДСНоменклатуры — the organisation's country, then none.
  const itemVat = new Map<string, { rank: number; id: string }>();
  if (r.itemVatRate && m.toItemVatRate) {
    const orgRecords = orgs.map(m.toOrganisation);
    const country = (orgRecords.find((o) => o.inn) ?? orgRecords[0])?.countryId ?? null;
    for (const v of (await readAll(onec, r.itemVatRate, {}, { pageSize })).map(m.toItemVatRate)) {
      const rank = country && v.countryId === country ? 0 : v.countryId === null ? 1 : -1;
      if (rank < 0 || !v.vatRateId) continue;
      const seen = itemVat.get(v.itemId);
      if (!seen || rank < seen.rank) itemVat.set(v.itemId, { rank, id: v.vatRateId });
    }
  }
  const snapshot = buildSnapshot(profile, ctx, { nomenclature, stores, kinds, units, countries, brands, makers, barcodes, files, volumes, orgs, accounts, banks, versions, platform, priceRows, stockRows, reserveRows, described, itemVat });
  if (!deps.allowEmpty) {
    refuseEmptying(deps.db, { catalog_items: snapshot.items.length, catalog_stores: snapshot.stores.length, catalog_stock: snapshot.stock.length, catalog_prices: snapshot.prices.length });
  }
  const { changed } = writeSnapshot(deps.db, snapshot);
  const report: SyncReport = {
    items: snapshot.items.length,
    changed,
    requests: onec.stats.total - requestsBefore,
    lowerBound,
    rowsBySet,
    ms: Date.now() - started,
  };
  deps.logger?.info({ ...report, rowsBySet: undefined }, 'catalogue sync done');
  return report;
}

/** The frequent job: stock and prices only (two virtual-table requests). */
export async function runStockSync(deps: SyncDeps): Promise<{ stockRows: number; priceRows: number; requests: number; ms: number }> {
  const started = Date.now();
  const { onec, config, db } = deps;
  const profile = deps.profile ?? getProfile(config.onec.profile, config);
  const before = onec.stats.total;
  const stores = db.prepare(`SELECT id, retail_price_kind_id AS k FROM catalog_stores`).all() as { id: string; k: string | null }[];
  // Before the first full sync there are no warehouses or price kinds to narrow by: reading every warehouse's stock
  // and every price would be the heaviest query of all, for a mirror that cannot serve yet.
  if (stores.length === 0) return { stockRows: 0, priceRows: 0, requests: 0, ms: Date.now() - started };
  const kindIds = db.prepare(`SELECT id FROM catalog_price_kinds WHERE name IN (?, ?, ?)`).pluck().all(config.catalog.retailPriceKind, config.catalog.tier1PriceKind, config.catalog.tier2PriceKind) as string[];
  const priceKindKeys = [...new Set([...kindIds, ...stores.map((s) => s.k).filter((x): x is string => !!x)])];
  const ratios = db.prepare(`SELECT value FROM meta WHERE key = 'mirror.packagingRatios'`).pluck().get() as string | undefined;
  const packagingRatio = new Map(Object.entries(JSON.parse(ratios ?? '{}') as Record<string, number>));
  const [priceRows, stockRows, reserveRows] = await Promise.all([
    profile.reads.price ? readAll(onec, profile.reads.price, { priceKindKeys }) : Promise.resolve([]),
    profile.reads.stock ? readAll(onec, profile.reads.stock, { warehouseKeys: stores.map((s) => s.id) }) : Promise.resolve([]),
    profile.reads.reserve ? readAll(onec, profile.reads.reserve, { warehouseKeys: stores.map((s) => s.id) }) : Promise.resolve([]),
  ]);
  const stock = stockOf(profile, stockRows, reserveRows);
  const prices = pricesOf(profile, priceRows, packagingRatio);
  if (!deps.allowEmpty) refuseEmptying(db, { catalog_stock: stock.length, catalog_prices: prices.length });
  writeStockAndPrices(db, stock, prices);
  return { stockRows: stockRows.length, priceRows: priceRows.length, requests: onec.stats.total - before, ms: Date.now() - started };
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

function refuseEmptying(db: Db, next: Record<string, number>): void {
  for (const [table, rows] of Object.entries(next)) {
    if (rows > 0) continue;
    const had = db.prepare(`SELECT COUNT(*) FROM (SELECT 1 FROM ${table} LIMIT 1)`).pluck().get() as number;
    if (had > 0) {
      throw new EmptyAnswerRefused(
        `1C returned an empty set for ${table} while the mirror has rows (rights hiding records, or the publication changed?); the previous mirror is kept. Sync with allowEmpty to accept it`,
      );
    }
  }
}

/** Available = the stock register's figure less what customer orders reserve (11.5's ТоварыКОтгрузке), never < 0. */
function stockOf(profile: Profile, rows: Row[], reserveRows: Row[] = []): MirrorSnapshot['stock'] {
  const reserved = new Map<string, number>();
  for (const r of reserveRows.map(profile.map.toReserve)) reserved.set(`${r.itemId}|${r.warehouseId}`, (reserved.get(`${r.itemId}|${r.warehouseId}`) ?? 0) + r.reserved);
  return rows.map(profile.map.toStock).map((s) => ({
    storeId: s.warehouseId,
    itemId: s.itemId,
    quantity: Math.max(0, Math.round((s.available - (reserved.get(`${s.itemId}|${s.warehouseId}`) ?? 0)) * 1000) / 1000),
  }));
}

/** Prices per unit of the item: a price set for a packaging (0.17 kg) is divided by the packaging's ratio. */
/**
 * One price per item and price kind. The slice has a row per characteristic (and series, packaging) too; the shop
 * sells the item as such, so the price of the item without a characteristic wins, then one set per unit rather
 * than per packaging, then the first. (INSERT OR REPLACE kept an arbitrary one.)
 */
export function pricesOf(profile: Profile, rows: Row[], packagingRatio: Map<string, number>): MirrorSnapshot['prices'] {
  const best = new Map<string, { rank: number; price: MirrorSnapshot['prices'][number] }>();
  for (const p of rows.map(profile.map.toPrice)) {
    const ratio = p.packagingId ? packagingRatio.get(p.packagingId) ?? 1 : 1;
    const rank = (p.characteristicId ? 2 : 0) + (p.packagingId ? 1 : 0);
    const key = `${p.itemId}|${p.priceKindId}`;
    const seen = best.get(key);
    if (seen && seen.rank <= rank) continue;
    best.set(key, { rank, price: { itemId: p.itemId, priceKindId: p.priceKindId, price: Math.round((p.price / ratio) * 100) / 100 } });
  }
  return [...best.values()].map((b) => b.price);
}

interface Raw {
  nomenclature: Row[];
  stores: ReturnType<Profile['map']['toWarehouse']>[];
  kinds: ReturnType<Profile['map']['toPriceKind']>[];
  units: Row[];
  countries: Row[];
  brands: Row[];
  makers: Row[];
  barcodes: Row[];
  files: Row[];
  volumes: Row[];
  banks: Row[];
  orgs: Row[];
  accounts: Row[];
  versions: Row[];
  platform?: Row[];
  priceRows: Row[];
  stockRows: Row[];
  reserveRows?: Row[];
  described?: Map<string, { fileId: string; text: string }>;
  itemVat?: Map<string, { rank: number; id: string }>;
}

function buildSnapshot(profile: Profile, ctx: Parameters<Profile['map']['toItem']>[1], raw: Raw): MirrorSnapshot {
  const m = profile.map;
  const unitRecords = raw.units.map(m.toUnit).filter((u) => !u.deleted);
  const unitById = new Map(unitRecords.map((u) => [u.id, u]));
  const packagingsByItem = new Map<string, UnitRecord[]>();
  for (const u of unitRecords) if (u.itemId) packagingsByItem.set(u.itemId, [...(packagingsByItem.get(u.itemId) ?? []), u]);
  const countryName = new Map(raw.countries.map(m.toCountry).map((c) => [c.id, c.name]));
  const makerName = new Map(raw.makers.map(m.toManufacturer).map((x) => [x.id, x.name]));
  const brandName = new Map(raw.brands.map(m.toBrand).map((b) => [b.id, b.name]));
  // Files kept in volumes (ВТомахНаДиске) have no bytes over OData: they are read from disk where the volume is
  // mounted (catalog.volumeRoots), and offered as icons only when the volume is known (else they could only 503).
  const volumes = new Map(raw.volumes.map(m.toFileVolume).map((v) => [v.id, v]));
  const volumePathOf = (p: { volumeId: string | null; pathInVolume: string }) => {
    const v = p.volumeId ? volumes.get(p.volumeId) : undefined;
    return v && p.pathInVolume ? fileInVolume(v, p.pathInVolume, ctx.config.catalog.volumeRoots) : null;
  };
  const pictures = raw.files
    .map(m.toPicture)
    .filter((p) => !p.deleted && p.itemId)
    .map((p) => ({ ...p, volumePath: p.storedInBase ? null : volumePathOf(p) }))
    .filter((p) => p.storedInBase || p.volumePath);
  const knownPictures = new Set(pictures.map((p) => p.fileId));
  const picturesByItem = new Map<string, string[]>();
  for (const p of pictures) picturesByItem.set(p.itemId!, [...(picturesByItem.get(p.itemId!) ?? []), p.fileId]);

  const items: MirrorItem[] = [];
  const groups: MirrorSnapshot['groups'] = [];
  for (const row of raw.nomenclature) {
    if (row.IsFolder === true) {
      const g = m.toGroup(row);
      if (!g.deleted) groups.push({ id: g.id, parentId: g.parentId, code: g.code, name: g.name });
      continue;
    }
    const it = m.toItem(row, ctx);
    if (it.deleted || !it.isGoods) continue;
    const unit = it.unitId ? unitById.get(it.unitId) : undefined;
    const packaging = (packagingsByItem.get(it.id) ?? [])[0];
    const portionUnit = packaging?.baseUnitId ? unitById.get(packaging.baseUnitId)?.name ?? unit?.name : unit?.name;
    // The main picture first, then the item's other attached pictures.
    const file = raw.described?.get(it.id);
    const own = (picturesByItem.get(it.id) ?? []).filter((x) => x !== file?.fileId);
    const d = ctx.config.catalog.descriptions;
    const into = d.short === 'siteFile' ? 'short' : d.full === 'siteFile' ? 'full' : null;
    const pictureIds = it.pictureFileId ? [it.pictureFileId, ...own.filter((x) => x !== it.pictureFileId)] : own;
    items.push({
      id: it.id,
      groupId: it.groupId,
      code: it.code,
      article: it.article,
      name: it.name,
      fullName: it.fullName ?? it.shortDescription,
      description: into === 'short' ? file?.text ?? '' : it.shortDescription,
      fullDescription: into === 'full' ? file?.text ?? '' : it.fullDescription,
      country: it.countryId ? countryName.get(it.countryId) ?? null : null,
      brand: (it.brandId ? brandName.get(it.brandId) : undefined) ?? (it.manufacturerId ? makerName.get(it.manufacturerId) ?? null : null),
      unit: unit?.name ?? 'шт',
      portionSize: packaging ? packaging.ratio : null,
      portionUnit: packaging ? portionUnit ?? null : null,
      minQuantity: it.minQuantity,
      multiplicity: it.multiplicity,
      soldToOrder: it.soldToOrder,
      tier1Threshold: it.tier1Threshold,
      tier2Threshold: it.tier2Threshold,
      pictureIds: pictureIds.filter((id) => knownPictures.has(id)),
      vatRateId: raw.itemVat?.get(it.id)?.id ?? it.vatRateId,
    });
  }
  const itemIds = new Set(items.map((i) => i.id));
  // Every packaging, not only the item's own: a packaging of a set (Catalog_НаборыУпаковок) has no item as owner but
  // its Числитель/Знаменатель still say how many units a price for it covers.
  const packagingRatio = new Map(unitRecords.map((u) => [u.id, u.ratio]));
  // Every УТ base has the predefined УправленческаяОрганизация (Ext/Predefined.xml), filled or left empty: the
  // organisation is the configured one (onec.organisationKey narrows the read), else the first with an ИНН.
  const orgs = raw.orgs.map(m.toOrganisation);
  const orgRecord = orgs.find((o) => o.inn) ?? orgs[0];
  const account = raw.accounts.map(m.toBankAccount).find((a) => !orgRecord || a.organisationId === orgRecord.id);
  const version = m.toConfigurationVersion(raw.versions);
  const pictureIds = new Set(items.flatMap((i) => i.pictureIds));
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
    stores: raw.stores.map((s) => ({ id: s.id, name: s.name, city: s.city ?? '', address: s.address ?? '', retailPriceKindId: s.retailPriceKindId })),
    groups,
    items,
    barcodes: raw.barcodes.map(m.toBarcode).filter((b) => itemIds.has(b.itemId)).map((b) => ({ itemId: b.itemId, barcode: b.barcode })),
    priceKinds: raw.kinds.map((k) => ({ id: k.id, name: k.name })),
    prices: pricesOf(profile, raw.priceRows, packagingRatio).filter((p) => itemIds.has(p.itemId)),
    stock: stockOf(profile, raw.stockRows, raw.reserveRows).filter((s) => itemIds.has(s.itemId)),
    pictures: pictures.filter((p) => pictureIds.has(p.fileId)).map((p) => ({ id: p.fileId, itemId: p.itemId!, extension: p.extension || 'png', volumePath: p.volumePath })),
    packagingRatios: Object.fromEntries(packagingRatio),
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
