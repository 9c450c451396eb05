import type { Config, FieldSource } from '../../config/schema.js';
import { and, eq, ne, or, substringof, type Filter } from '../filter.js';
import { cast, EMPTY_REF, guid } from '../url.js';
import { defaultFeatures, type Ut11Features } from './features.js';
import type {
  Builders,
  ClientInput,
  ConfigurableField,
  MapContext,
  Mappers,
  OrderClosing,
  PaymentInput,
  PaymentRefs,
  Profile,
  ReadSpec,
  Row,
  WriteSpec,
} from './types.js';

/**
 * УНФ 3.0 (УправлениеНебольшойФирмой): where it keeps what ReGate needs. Every set, field, enum member and predefined
 * item named here is in the real dump ../shared/reference/dumps/unf-3.0.12-xml (3.0.12.261) as our dump reader
 * publishes it (test/configurations/unf.test.ts: `regate check --dump` finds every one); MAP.md gives the mapping.
 * How УНФ writes and posts the documents is cited from its own modules in github.com/Dershoozer/unf1 @ 908def8b (the
 * full dump the reference folder was trimmed from), paths relative to that repository.
 *
 * Differences from УТ that shape the profile:
 * - no partners: the client is a Catalog.Контрагенты (Покупатель). ReGate's «partner» and «counterparty» are the same
 *   item, so the client is written once and found by ИНН or its own key.
 * - warehouses and shops are Catalog.СтруктурныеЕдиницы (ТипСтруктурнойЕдиницы Склад, Розница, РозницаСуммовойУчет;
 *   Подразделение is a department, МагазинГруппаСкладов a group of warehouses: neither holds stock of its own).
 * - units: Номенклатура.ЕдиницаИзмерения → Catalog.КлассификаторЕдиницИзмерения; packagings (portions) are
 *   Catalog.ЕдиницыИзмерения owned by an item (Owner composite) with Коэффициент in the classifier unit.
 * - prices: InformationRegister.ЦеныНоменклатуры (periodic, Independent: sliced directly, not through _RecordType)
 *   by ВидЦен; the price's unit (ЕдиницаИзмерения composite) is the classifier unit or a packaging.
 * - stock: AccumulationRegister.ЗапасыНаСкладах (Количество per СтруктурнаяЕдиница); what orders reserve moves, in
 *   AccumulationRegister.Запасы, from the free balance (ЗаказПокупателя empty) to the order's (ЗаказПокупателя set):
 *   Documents/ЗаказПокупателя/Ext/ManagerModule.bsl 14800-14850 (СформироватьТаблицаЗапасыЗаказПокупателя).
 * - no brands (no Catalog.Марки); Номенклатура.Производитель is a Контрагент. No Описание: the description is empty.
 * - VAT: the item holds a kind (ВидСтавкиНДС, Enum.ВидыСтавокНДС); document lines a Catalog.СтавкиНДС item, the one
 *   Справочники.СтавкиНДС.СтавкаНДС(ВидСтавки, Период) picks (Catalogs/СтавкиНДС/Ext/ManagerModule.bsl 122-136,
 *   677-745): see lineVat below.
 * - the ReGate extension is built for УТ's objects: a УНФ base runs without it (external ids live in the documents'
 *   own fields, below), whatever onec.extension says.
 * External ids: the order's НомерВходящегоДокумента (String(30)); a card operation's ИдентификаторПлатежнойСистемы
 * (String(36)); bank documents carry a marker in Комментарий (they have no id field). Clients by ИНН, else their key.
 */

export const UNF_SETS = {
  items: 'Catalog_Номенклатура',
  units: 'Catalog_КлассификаторЕдиницИзмерения',
  packagings: 'Catalog_ЕдиницыИзмерения',
  countries: 'Catalog_СтраныМира',
  files: 'Catalog_НоменклатураПрисоединенныеФайлы',
  volumes: 'Catalog_ТомаХраненияФайлов',
  fileStorage: 'InformationRegister_ХранилищеФайлов',
  blobs: 'Catalog_ХранилищеДвоичныхДанных',
  warehouses: 'Catalog_СтруктурныеЕдиницы',
  priceKinds: 'Catalog_ВидыЦен',
  prices: 'InformationRegister_ЦеныНоменклатуры',
  barcodes: 'InformationRegister_ШтрихкодыНоменклатуры',
  stock: 'AccumulationRegister_ЗапасыНаСкладах',
  inventory: 'AccumulationRegister_Запасы',
  counterparties: 'Catalog_Контрагенты',
  contracts: 'Catalog_ДоговорыКонтрагентов',
  settlements: 'AccumulationRegister_РасчетыСПокупателями',
  organisations: 'Catalog_Организации',
  bankAccounts: 'Catalog_БанковскиеСчета',
  banks: 'Catalog_КлассификаторБанков',
  currencies: 'Catalog_Валюты',
  vat: 'Catalog_СтавкиНДС',
  properties: 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
  versions: 'InformationRegister_ВерсииПодсистем',
  orders: 'Document_ЗаказПокупателя',
  orderKinds: 'Catalog_ВидыЗаказовПокупателей',
  orderStates: 'Catalog_СостоянияЗаказовПокупателей',
  cancelReasons: 'Catalog_ПричиныОтменыЗаказа',
  cardOps: 'Document_ОперацияПоПлатежнымКартам',
  paymentMethods: 'Catalog_СпособыОплаты',
  bankIn: 'Document_ПоступлениеНаСчет',
  bankOut: 'Document_РасходСоСчета',
  cashFlowItems: 'Catalog_СтатьиДвиженияДенежныхСредств',
} as const;
const S = UNF_SETS;

/** Predefined items the profile relies on, by name (Ext/Predefined.xml of the dump; ids resolved from the base). */
export const UNF_PREDEFINED = {
  /** Catalog.СтатьиДвиженияДенежныхСредств.ОплатаОтПокупателей: the cash-flow item of a customer's payment. */
  paymentFromCustomers: 'ОплатаОтПокупателей',
  /** Catalog.ВидыЗаказовПокупателей.Основной: the order kind a new order gets (ObjectModule 3718-3734). */
  mainOrderKind: 'Основной',
  /** Catalog.СостоянияЗаказовПокупателей.Завершен: the final state (ВариантЗавершения Успешно / Отменен). */
  completed: 'Завершен',
} as const;

/** Shop types among ТипыСтруктурныхЕдиниц (Enums/ТипыСтруктурныхЕдиниц.xml). */
const STOCK_PLACES = ['Склад', 'Розница', 'РозницаСуммовойУчет'];
const SHOPS = new Set(['Розница', 'РозницаСуммовойУчет']);

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0;
  return Number.isFinite(n) ? n : 0;
};
const bool = (v: unknown): boolean => v === true || v === 'true';
const date = (v: unknown): Date | null => (v instanceof Date ? v : null);
const refOf = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== EMPTY_REF ? v : null);
const rowsOf = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const round2 = (x: number) => Math.round(x * 100) / 100;
const typed = (set: string) => `StandardODATA.${set}`;
/** A composite value of the given set (normalised rows drop the namespace; write bodies carry it). */
const compositeOf = (row: Row, field: string, set: string): string | null => (str(row[`${field}_Type`]).endsWith(set) ? refOf(row[field]) : null);

function orGuids(field: string, keys: string[] | undefined): Filter | undefined {
  if (!keys?.length) return undefined;
  return or(...keys.map((k) => eq(field, guid(k))));
}

export const unfCommentMarker = (id: string) => `[ReGate:${id}]`;
const MARKER_RE = /\[ReGate:([^\]]+)\]/;

/** УНФ has no ReGate extension: configurable item fields come from additional attributes or the defaults. */
function fieldSources(config: Config): Record<ConfigurableField, FieldSource> {
  const c = config.catalog;
  const src = (f: FieldSource): FieldSource => (f.kind === 'extension' ? { kind: 'none' } : f);
  return { minQuantity: src(c.minQuantity), multiplicity: src(c.multiplicity), soldToOrder: src(c.soldToOrder), tier1Threshold: src(c.tier1Threshold), tier2Threshold: src(c.tier2Threshold) };
}

function configurableValue(row: Row, src: FieldSource, ctx: MapContext): unknown {
  if (src.kind !== 'additionalAttribute') return undefined;
  const key = ctx.propertyKeys?.get(src.name);
  return key ? rowsOf(row.ДополнительныеРеквизиты).find((r) => r.Свойство_Key === key)?.Значение : undefined;
}

/**
 * The features generic code reads (delivery, pictures): УНФ settles by order (no settlement objects), keeps file bytes
 * in ХранилищеФайлов → ХранилищеДвоичныхДанных (both in the dump), order ids in a String(30), no extension.
 */
export function unfFeatures(): Ut11Features {
  return {
    ...defaultFeatures('ut11.5', false),
    vat: 'catalog',
    settlement: 'order',
    settlementDimension: 'ЗаказКлиента',
    fileBytes: 'storage',
    clientNumberLength: 30,
    documentId: false,
    paymentPartner: false,
    cardBasis: true,
    refundLineCounterparty: false,
    orderAsInvoiceField: false,
    acquiringContract: false,
    extension: false,
  };
}

/**
 * The Catalog.СтавкиНДС item a line of a document dated `at` gets for an item of VAT kind `kind`, as
 * Справочники.СтавкиНДС.СтавкаНДС does (ManagerModule.bsl 122-136): Общая → the Общая item whose Ставка is 22 from
 * 2026-01-01, 20 from 2019-01-01, 18 before, else any Общая (ОбщаяСтавкаНДС 701-745; ОбщаяРасчетная alike); any other
 * kind → the first item of that kind, БезНДС falling back to the item named «Без НДС» (СтавкаНДСПоВидуСтавки 677-699).
 */
export function unfLineVat(kind: string | null, at: Date, vatRows: Row[]): { vatRateId: string | null; vatRate: number | null } {
  if (!kind) return { vatRateId: null, vatRate: null };
  const live = vatRows.filter((r) => !bool(r.DeletionMark));
  const rateOf = (r: Row | undefined) => (r ? (bool(r.НеОблагается) ? null : num(r.Ставка)) : null);
  let hit: Row | undefined;
  if (kind === 'Общая' || kind === 'ОбщаяРасчетная') {
    const y = at.getUTCFullYear();
    const wanted = y >= 2026 ? 22 : y >= 2019 ? 20 : 18;
    const ofKind = live.filter((r) => r.ВидСтавкиНДС === kind);
    hit = ofKind.find((r) => num(r.Ставка) === wanted) ?? ofKind[0];
  } else {
    hit = live.find((r) => r.ВидСтавкиНДС === kind) ?? (kind === 'БезНДС' ? live.find((r) => str(r.Description) === 'Без НДС') : undefined);
  }
  return { vatRateId: hit ? str(hit.Ref_Key) : null, vatRate: rateOf(hit) };
}

// ---------------------------------------------------------------- reads

function reads(config: Config): Record<string, ReadSpec> {
  const sources = fieldSources(config);
  const needsAdditional = Object.values(sources).some((s) => s.kind === 'additionalAttribute');
  const byExternalId = (field: string, marker: boolean) => (p: { externalId?: string; orderKey?: string }) =>
    p.externalId !== undefined ? (marker ? substringof(unfCommentMarker(p.externalId), field) : eq(field, p.externalId)) : p.orderKey ? eq('Ref_Key', guid(p.orderKey)) : undefined;
  const paymentSelect = (idField: string) => ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'ВидОперации', 'СуммаДокумента', 'Контрагент_Key', idField, 'РасшифровкаПлатежа/Заказ', 'РасшифровкаПлатежа/СуммаПлатежа'];
  return {
    item: {
      kind: 'collection',
      set: S.items,
      why: 'assortment: article, names, unit, maker, country, picture, VAT kind (УНФ has no Описание and no brands)',
      select: [
        'Ref_Key', 'Code', 'Description', 'DeletionMark', 'IsFolder', 'Parent_Key', 'Артикул', 'НаименованиеПолное', 'ЕдиницаИзмерения_Key',
        'ТипНоменклатуры', 'КатегорияНоменклатуры_Key', 'Производитель_Key', 'СтранаПроисхождения_Key', 'ФайлКартинки_Key', 'ВидСтавкиНДС',
        ...(needsAdditional ? ['ДополнительныеРеквизиты/Свойство_Key', 'ДополнительныеРеквизиты/Значение'] : []),
      ],
      filter: () => eq('IsFolder', false),
    },
    group: {
      kind: 'collection',
      set: S.items,
      why: 'storetable: the tree of groups (Номенклатура is HierarchyFoldersAndItems)',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'IsFolder', 'Parent_Key'],
      filter: () => eq('IsFolder', true),
    },
    warehouse: {
      kind: 'collection',
      set: S.warehouses,
      why: 'city / citystore: warehouses and shops (СтруктурныеЕдиницы of types Склад, Розница, РозницаСуммовойУчет) and their address',
      // HierarchyOfItems: no IsFolder (Catalogs/СтруктурныеЕдиницы.xml).
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'ТипСтруктурнойЕдиницы', 'РозничныйВидЦен_Key', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/Город', 'КонтактнаяИнформация/Регион', 'КонтактнаяИнформация/НомерТелефона'],
      filter: () => or(...STOCK_PLACES.map((t) => eq('ТипСтруктурнойЕдиницы', t))),
    },
    city: {
      kind: 'collection',
      set: S.warehouses,
      why: 'city: the cities that have warehouses or shops',
      select: ['Ref_Key', 'DeletionMark', 'ТипСтруктурнойЕдиницы', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/Город', 'КонтактнаяИнформация/Регион'],
      filter: () => or(...STOCK_PLACES.map((t) => eq('ТипСтруктурнойЕдиницы', t))),
    },
    priceKind: {
      kind: 'collection',
      set: S.priceKinds,
      why: `prices: the kinds '${config.catalog.retailPriceKind}', '${config.catalog.tier1PriceKind}', '${config.catalog.tier2PriceKind}' by name`,
      select: ['Ref_Key', 'Description', 'DeletionMark', 'ВалютаЦены_Key', 'ЦенаВключаетНДС'],
    },
    price: {
      kind: 'sliceLast',
      register: S.prices,
      // Independent register (InformationRegisters/ЦеныНоменклатуры.xml WriteMode): sliced as itself.
      recordType: false,
      why: 'assortment: retail and tier prices, the last per item and ВидЦен',
      select: ['Period', 'ВидЦен_Key', 'Номенклатура_Key', 'Характеристика_Key', 'Цена', 'ЕдиницаИзмерения', 'ЕдиницаИзмерения_Type', 'ВалютаЦены_Key'],
      condition: (p) => and(orGuids('ВидЦен_Key', p.priceKindKeys), orGuids('Номенклатура_Key', p.itemKeys)),
    },
    stock: {
      kind: 'balance',
      register: S.stock,
      dimensions: ['Номенклатура', 'СтруктурнаяЕдиница'],
      why: 'assortment: stock per warehouse (ЗапасыНаСкладах.Количество)',
      select: ['Номенклатура_Key', 'СтруктурнаяЕдиница_Key', 'КоличествоBalance'],
      condition: (p) => orGuids('СтруктурнаяЕдиница_Key', p.warehouseKeys),
    },
    reserve: {
      kind: 'balance',
      register: S.inventory,
      dimensions: ['Номенклатура', 'СтруктурнаяЕдиница', 'ЗаказПокупателя'],
      why: 'assortment: what customer orders reserve (Запасы under a ЗаказПокупателя), subtracted from what is available',
      select: ['Номенклатура_Key', 'СтруктурнаяЕдиница', 'СтруктурнаяЕдиница_Type', 'ЗаказПокупателя_Key', 'КоличествоBalance'],
      condition: () => ne('ЗаказПокупателя_Key', guid(EMPTY_REF)),
    },
    barcode: {
      kind: 'collection',
      set: S.barcodes,
      keyFields: ['Штрихкод'],
      why: 'assortment: barcodes of items and their packagings (ЕдиницаИзмерения → ЕдиницыИзмерения)',
      select: ['Штрихкод', 'Номенклатура_Key', 'Характеристика_Key', 'ЕдиницаИзмерения_Key'],
    },
    unit: {
      kind: 'collection',
      set: S.units,
      why: 'assortment: units of measure (КлассификаторЕдиницИзмерения, what Номенклатура.ЕдиницаИзмерения names)',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'НаименованиеПолное'],
    },
    packaging: {
      kind: 'collection',
      set: S.packagings,
      why: 'assortment: portion sizes — packagings owned by an item (Owner composite), Коэффициент of the classifier unit',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'Owner', 'Owner_Type', 'Коэффициент', 'ЕдиницаИзмеренияПоКлассификатору_Key'],
    },
    country: {
      kind: 'collection',
      set: S.countries,
      why: 'assortment: country of origin',
      select: ['Ref_Key', 'Code', 'Description', 'НаименованиеПолное', 'КодАльфа2'],
    },
    manufacturer: {
      kind: 'collection',
      set: S.counterparties,
      why: 'assortment: manufacturer (Номенклатура.Производитель is a Контрагент)',
      select: ['Ref_Key', 'Description'],
      filter: () => eq('IsFolder', false),
    },
    picture: {
      kind: 'collection',
      set: S.files,
      why: 'assortment: picture files of items (ФайлКартинки_Key points at the main one)',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'ВладелецФайла_Key', 'Расширение', 'Размер', 'ТипХраненияФайла', 'Том_Key', 'ПутьКФайлу', 'ДатаМодификацииУниверсальная'],
      filter: (p) => (p.fileKey ? eq('Ref_Key', guid(p.fileKey)) : orGuids('ВладелецФайла_Key', p.itemKeys)),
    },
    fileVolume: {
      kind: 'collection',
      set: S.volumes,
      why: 'pictures kept in file volumes: the volume root',
      select: ['Ref_Key', 'Description', 'ПолныйПутьWindows', 'ПолныйПутьLinux'],
    },
    pictureStorage: {
      kind: 'collection',
      set: S.fileStorage,
      keyFields: ['Файл'],
      why: 'picture bytes, step 1: which binary-data item holds the file',
      select: ['Файл', 'Файл_Type', 'ХранилищеДвоичныхДанных_Key'],
      filter: (p) => (p.fileKey ? eq('Файл', cast(p.fileKey, S.files)) : undefined),
    },
    pictureData: {
      kind: 'collection',
      set: S.blobs,
      why: 'picture bytes, step 2: the binary data',
      select: ['Ref_Key', 'ДвоичныеДанные_Base64Data'],
      filter: (p) => (p.blobKey ? eq('Ref_Key', guid(p.blobKey)) : undefined),
    },
    property: {
      kind: 'collection',
      set: S.properties,
      why: 'order limits kept as additional attributes: property name → key',
      select: ['Ref_Key', 'Description', 'Имя', 'Заголовок'],
    },
    client: {
      kind: 'collection',
      set: S.counterparties,
      why: 'client: the counterparty of a Richest.store client (УНФ has no partners)',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'НаименованиеПолное', 'ЮридическоеФизическоеЛицо', 'ИНН', 'КПП', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление'],
      filter: (p) => (p.partnerKey ? eq('Ref_Key', guid(p.partnerKey)) : undefined),
    },
    counterparty: {
      kind: 'collection',
      set: S.counterparties,
      why: 'client: requisites (ИНН/КПП); bank payments and existing customers are matched by ИНН',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'НаименованиеПолное', 'ИНН', 'КПП', 'ЮридическоеФизическоеЛицо'],
      filter: (p) => (p.inn ? eq('ИНН', p.inn) : p.partnerKey ? eq('Ref_Key', guid(p.partnerKey)) : undefined),
    },
    clientAnalytics: {
      kind: 'collection',
      set: S.counterparties,
      why: 'client balance: the counterparty is its own settlement key (РасчетыСПокупателями by Контрагент)',
      select: ['Ref_Key'],
      filter: (p) => (p.partnerKey ? eq('Ref_Key', guid(p.partnerKey)) : undefined),
    },
    clientBalance: {
      kind: 'balance',
      register: S.settlements,
      dimensions: ['Контрагент'],
      why: 'client: the balance (advances are negative: payments post Расход, РасчетыПроведениеДокументов 3503-3620)',
      select: ['Контрагент_Key', 'СуммаBalance'],
      condition: (p) => orGuids('Контрагент_Key', p.analyticsKeys),
    },
    order: {
      kind: 'collection',
      set: S.orders,
      why: 'booking / bookingstate: the order by Richest.store id (НомерВходящегоДокумента), its state and sum',
      select: ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'СостояниеЗаказа', 'СостояниеЗаказа_Type', 'ВариантЗавершения', 'СуммаДокумента', 'Контрагент_Key', 'СтруктурнаяЕдиницаРезерв_Key', 'НомерВходящегоДокумента', 'Запасы/СтавкаНДС_Key'],
      filter: byExternalId('НомерВходящегоДокумента', false),
    },
    cardOperation: {
      kind: 'collection',
      set: S.cardOps,
      why: 'paycard / refund: card payments and refunds by payment event id (ИдентификаторПлатежнойСистемы)',
      select: paymentSelect('ИдентификаторПлатежнойСистемы'),
      filter: byExternalId('ИдентификаторПлатежнойСистемы', false),
    },
    payment: {
      kind: 'collection',
      set: S.bankIn,
      why: 'bank payments: by payment event id (a marker in Комментарий: ПоступлениеНаСчет has no id field)',
      select: paymentSelect('Комментарий'),
      filter: byExternalId('Комментарий', true),
    },
    refund: {
      kind: 'collection',
      set: S.bankOut,
      why: 'refund: bank refunds by payment event id (a marker in Комментарий)',
      select: ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'ВидОперации', 'СуммаДокумента', 'Контрагент_Key', 'Комментарий', 'Заказ_Key', 'РасшифровкаПлатежа/СуммаПлатежа'],
      filter: byExternalId('Комментарий', true),
    },
    organisation: {
      kind: 'collection',
      set: S.organisations,
      why: 'state: organisation name and requisites',
      select: ['Ref_Key', 'Description', 'НаименованиеПолное', 'ИНН', 'КПП', 'ОГРН', 'БанковскийСчетПоУмолчанию_Key', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление'],
      filter: () => (config.onec.organisationKey ? eq('Ref_Key', guid(config.onec.organisationKey)) : undefined),
    },
    bankAccount: {
      kind: 'collection',
      set: S.bankAccounts,
      why: 'bank payments: the organisation account (Owner composite: Организации | Контрагенты | ФизическиеЛица)',
      select: ['Ref_Key', 'Owner', 'Owner_Type', 'НомерСчета', 'Банк_Key'],
    },
    bank: {
      kind: 'collection',
      set: S.banks,
      why: 'state: the bank of the organisation account (БИК = Code, correspondent account)',
      select: ['Ref_Key', 'Code', 'Description', 'КоррСчет'],
      filter: (p) => (p.bankKeys?.length ? or(...p.bankKeys.map((k) => eq('Ref_Key', guid(k)))) : undefined),
    },
    currency: {
      kind: 'collection',
      set: S.currencies,
      why: 'orders: the document currency (code 643)',
      select: ['Ref_Key', 'Code', 'Description'],
    },
    vatRate: {
      kind: 'collection',
      set: S.vat,
      why: 'orders and payments: the VAT item of each line (by the item\'s ВидСтавкиНДС and the date)',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'Ставка', 'НеОблагается', 'ВидСтавкиНДС'],
    },
    acquiringTerminal: {
      kind: 'collection',
      set: S.paymentMethods,
      why: 'paycard / refund: the acquiring terminal (Catalog.СпособыОплаты of Тип Эквайринг)',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'Тип', 'Договор_Key', 'БанковскийСчетЭквайринг_Key'],
      filter: () => eq('Тип', 'Эквайринг'),
    },
    department: {
      kind: 'collection',
      set: S.warehouses,
      why: 'booking: the sales department of an order (СтруктурнаяЕдиницаПродажи, a СтруктурнаяЕдиница of type Подразделение; predefined ОсновноеПодразделение)',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'ТипСтруктурнойЕдиницы', 'PredefinedDataName'],
      filter: () => eq('ТипСтруктурнойЕдиницы', 'Подразделение'),
    },
    cashFlowItem: {
      kind: 'collection',
      set: S.cashFlowItems,
      why: `paycard / bank payments: the cash-flow item of a buyer's payment (Статья; predefined ${UNF_PREDEFINED.paymentFromCustomers})`,
      select: ['Ref_Key', 'Description', 'DeletionMark', 'PredefinedDataName'],
    },
    orderState: {
      kind: 'collection',
      set: S.orderStates,
      why: `bookingcancel / expiry: the state an order is closed with (predefined ${UNF_PREDEFINED.completed})`,
      select: ['Ref_Key', 'Description', 'DeletionMark', 'PredefinedDataName'],
    },
    cancelReason: {
      kind: 'collection',
      set: S.cancelReasons,
      why: 'bookingcancel / expiry: the reason a cancelled order carries (ПричинаОтмены: УНФ requires one, ObjectModule.bsl 1125-1127)',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'Predefined'],
    },
    configurationVersion: {
      kind: 'collection',
      set: S.versions,
      keyFields: ['ИмяПодсистемы'],
      why: 'state and `regate check`: configuration name and version',
      select: ['ИмяПодсистемы', 'Версия', 'ЭтоОсновнаяКонфигурация'],
    },
  };
}

// ---------------------------------------------------------------- writes

function writes(): Record<string, WriteSpec> {
  const lines = ['РасшифровкаПлатежа/Договор_Key', 'РасшифровкаПлатежа/ПризнакАванса', 'РасшифровкаПлатежа/Заказ', 'РасшифровкаПлатежа/СуммаРасчетов', 'РасшифровкаПлатежа/Курс', 'РасшифровкаПлатежа/Кратность', 'РасшифровкаПлатежа/СуммаПлатежа', 'РасшифровкаПлатежа/СтавкаНДС_Key', 'РасшифровкаПлатежа/СуммаНДС'];
  return {
    // One client item: ReGate's partner and counterparty writes go to the same set.
    partner: { set: S.counterparties, why: 'client: the counterparty (buyer) of a new Richest.store client', fields: ['Description', 'НаименованиеПолное', 'ЮридическоеФизическоеЛицо', 'ИНН', 'КПП', 'Покупатель', 'ВестиРасчетыПоЗаказам', 'Комментарий', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/НомерТелефона', 'КонтактнаяИнформация/АдресЭП'] },
    counterparty: { set: S.counterparties, why: 'client: the same counterparty (УНФ has no partners)', fields: ['Description', 'НаименованиеПолное', 'ЮридическоеФизическоеЛицо', 'ИНН', 'КПП'] },
    order: {
      set: S.orders,
      post: true,
      why: 'booking: the customer order (ВидОперации ЗаказНаПродажу), reserving from the warehouse, posted',
      fields: ['Date', 'ВидОперации', 'ВидЗаказа', 'Организация_Key', 'Контрагент_Key', 'ВалютаДокумента_Key', 'Курс', 'Кратность', 'СтруктурнаяЕдиницаРезерв_Key', 'СтруктурнаяЕдиницаПродажи_Key', 'ПоложениеСклада', 'ПоложениеДатыОтгрузки', 'ДатаОтгрузки', 'НалогообложениеНДС', 'СуммаВключаетНДС', 'ВидЦен_Key', 'АдресДоставки', 'Комментарий', 'НомерВходящегоДокумента', 'ДатаВходящегоДокумента', 'БанковскийСчет_Key', 'ТипДенежныхСредств', 'Запасы/Номенклатура', 'Запасы/ТипНоменклатурыЗапас', 'Запасы/ЕдиницаИзмерения', 'Запасы/Количество', 'Запасы/Резерв', 'Запасы/Цена', 'Запасы/Сумма', 'Запасы/СтавкаНДС_Key', 'Запасы/СуммаНДС', 'Запасы/Всего', 'Запасы/СтруктурнаяЕдиницаРезерв_Key', 'Запасы/КлючСвязи'],
    },
    orderClose: { set: S.orders, post: true, why: 'bookingcancel / expiry: the order closed as cancelled (state Завершен, ВариантЗавершения Отменен, a reason), posted again to release its reserve', fields: ['СостояниеЗаказа', 'ВариантЗавершения', 'ПричинаОтмены_Key'] },
    cardPaymentDocument: { set: S.cardOps, post: true, why: 'paycard: the card payment of the order (ПоступлениеОплатыОтПокупателя)', fields: ['Date', 'ВидОперации', 'СпособОплаты', 'Организация_Key', 'Контрагент_Key', 'ЭквайринговыйТерминал_Key', 'БанковскийСчет_Key', 'ВалютаДенежныхСредств_Key', 'Статья_Key', 'НалогообложениеНДС', 'СуммаДокумента', 'НомерПлатежнойКарты', 'ДокументОснование', 'ИдентификаторПлатежнойСистемы', 'РасчетВИнтернете', 'Комментарий', ...lines] },
    bankPaymentDocument: { set: S.bankIn, post: true, why: 'bank statements: the incoming payment from the buyer (ОтПокупателя)', fields: ['Date', 'ВидОперации', 'Организация_Key', 'БанковскийСчет_Key', 'ВалютаДенежныхСредств_Key', 'Статья_Key', 'Контрагент_Key', 'НалогообложениеНДС', 'СуммаДокумента', 'НомерВходящегоДокумента', 'ДатаВходящегоДокумента', 'НазначениеПлатежа', 'ДокументОснование', 'Комментарий', ...lines] },
    cardRefundDocument: { set: S.cardOps, post: false, why: 'refund: the card refund (ВозвратОплатыПокупателю), prepared for a person to confirm', fields: ['Date', 'ВидОперации', 'СпособОплаты', 'Организация_Key', 'Контрагент_Key', 'ЭквайринговыйТерминал_Key', 'БанковскийСчет_Key', 'ВалютаДенежныхСредств_Key', 'Статья_Key', 'НалогообложениеНДС', 'СуммаДокумента', 'НомерПлатежнойКарты', 'ДокументОснование', 'ИдентификаторПлатежнойСистемы', 'Комментарий', ...lines] },
    bankRefundDocument: { set: S.bankOut, post: false, why: 'refund: the bank refund to the buyer (Покупателю), prepared for a person to confirm', fields: ['Date', 'ВидОперации', 'Организация_Key', 'БанковскийСчет_Key', 'ВалютаДенежныхСредств_Key', 'Статья_Key', 'Контрагент_Key', 'НалогообложениеНДС', 'СуммаДокумента', 'НазначениеПлатежа', 'Заказ_Key', 'ДокументОснование', 'Комментарий', ...lines] },
  };
}

// ---------------------------------------------------------------- mapping

function cityOfAddress(address: Row | undefined): string | null {
  if (!address) return null;
  const city = str(address.Город).trim();
  if (city) return city;
  const region = str(address.Регион).trim();
  if (/ г\.?$/.test(region)) return region.replace(/ г\.?$/, '');
  const m = /(?:^|,\s*)(?:г\.?\s+([^,]+)|([^,]+?)\s+г\.?)(?:,|$)/.exec(str(address.Представление));
  return m ? (m[1] ?? m[2]).trim() : null;
}

function mappers(): Mappers {
  const contacts = (row: Row) => rowsOf(row.КонтактнаяИнформация);
  const firstOf = (row: Row, type: string) => contacts(row).find((c) => c.Тип === type);
  const positive = (v: unknown, fallback: number) => (num(v) > 0 ? num(v) : fallback);
  return {
    toItem(row, ctx) {
      const s = fieldSources(ctx.config);
      const d = ctx.config.catalog.defaults;
      return {
        id: str(row.Ref_Key),
        code: str(row.Code),
        article: str(row.Артикул).trim(),
        name: str(row.Description),
        shortDescription: str(row.НаименованиеПолное),
        fullDescription: '',
        groupId: refOf(row.Parent_Key),
        unitId: refOf(row.ЕдиницаИзмерения_Key),
        countryId: refOf(row.СтранаПроисхождения_Key),
        brandId: null,
        manufacturerId: refOf(row.Производитель_Key),
        pictureFileId: refOf(row.ФайлКартинки_Key),
        // The VAT kind (Enum.ВидыСтавокНДС member): lines need the Catalog.СтавкиНДС item it stands for (unfLineVat).
        vatRateId: strOrNull(row.ВидСтавкиНДС),
        minQuantity: positive(configurableValue(row, s.minQuantity, ctx), d.minQuantity),
        multiplicity: positive(configurableValue(row, s.multiplicity, ctx), d.multiplicity),
        tier1Threshold: positive(configurableValue(row, s.tier1Threshold, ctx), d.tier1Threshold),
        tier2Threshold: positive(configurableValue(row, s.tier2Threshold, ctx), d.tier2Threshold),
        soldToOrder: bool(configurableValue(row, s.soldToOrder, ctx)),
        // Enums/ТипыНоменклатуры.xml of УНФ: goods are Запас.
        isGoods: row.ТипНоменклатуры === undefined || row.ТипНоменклатуры === 'Запас',
        deleted: bool(row.DeletionMark),
      };
    },
    toGroup: (row) => ({ id: str(row.Ref_Key), parentId: refOf(row.Parent_Key), code: str(row.Code), name: str(row.Description), deleted: bool(row.DeletionMark) }),
    toWarehouse(row) {
      const address = firstOf(row, 'Адрес');
      const phone = firstOf(row, 'Телефон');
      return {
        id: str(row.Ref_Key),
        code: str(row.Code),
        name: str(row.Description),
        city: cityOfAddress(address),
        address: strOrNull(address?.Представление),
        phone: strOrNull(phone?.НомерТелефона) ?? strOrNull(phone?.Представление),
        retailPriceKindId: refOf(row.РозничныйВидЦен_Key),
        isShop: SHOPS.has(str(row.ТипСтруктурнойЕдиницы)),
        deleted: bool(row.DeletionMark),
      };
    },
    citiesOf: (warehouses) => [...new Set(warehouses.filter((w) => !w.deleted && w.city).map((w) => w.city as string))].sort((a, b) => a.localeCompare(b, 'ru')),
    toPriceKind: (row) => ({ id: str(row.Ref_Key), name: str(row.Description), currencyId: refOf(row.ВалютаЦены_Key), includesVat: bool(row.ЦенаВключаетНДС), deleted: bool(row.DeletionMark) }),
    toPrice: (row) => ({
      itemId: str(row.Номенклатура_Key),
      priceKindId: str(row.ВидЦен_Key),
      price: num(row.Цена),
      characteristicId: refOf(row.Характеристика_Key),
      // A price per packaging names the packaging (ЕдиницыИзмерения); per unit, the classifier unit.
      packagingId: compositeOf(row, 'ЕдиницаИзмерения', S.packagings),
      currencyId: refOf(row.ВалютаЦены_Key),
      period: date(row.Period),
    }),
    toStock(row) {
      const onHand = num(row.КоличествоBalance);
      return { itemId: str(row.Номенклатура_Key), warehouseId: str(row.СтруктурнаяЕдиница_Key), onHand, reserved: 0, available: Math.max(0, Math.round(onHand * 1000) / 1000) };
    },
    toReserve: (row) => ({
      itemId: str(row.Номенклатура_Key),
      warehouseId: compositeOf(row, 'СтруктурнаяЕдиница', S.warehouses) ?? str(row.СтруктурнаяЕдиница),
      reserved: refOf(row.ЗаказПокупателя_Key) ? num(row.КоличествоBalance) : 0,
    }),
    toBarcode: (row) => ({ barcode: str(row.Штрихкод).trim(), itemId: str(row.Номенклатура_Key), packagingId: refOf(row.ЕдиницаИзмерения_Key) }),
    toUnit(row) {
      // Classifier units belong to nobody; packagings (ЕдиницыИзмерения) to their item owner.
      const owner = compositeOf(row, 'Owner', S.items);
      const isPackaging = row.Коэффициент !== undefined;
      return {
        id: str(row.Ref_Key),
        code: str(row.Code),
        name: str(row.Description),
        fullName: str(row.НаименованиеПолное),
        itemId: owner,
        baseUnitId: isPackaging ? refOf(row.ЕдиницаИзмеренияПоКлассификатору_Key) : null,
        ratio: isPackaging && num(row.Коэффициент) > 0 ? num(row.Коэффициент) : 1,
        deleted: bool(row.DeletionMark),
      };
    },
    toCountry: (row) => ({ id: str(row.Ref_Key), code: str(row.Code), name: str(row.Description), fullName: str(row.НаименованиеПолное), alpha2: str(row.КодАльфа2) }),
    toBrand: (row) => ({ id: str(row.Ref_Key), name: str(row.Description), manufacturerId: null }),
    toManufacturer: (row) => ({ id: str(row.Ref_Key), name: str(row.Description) }),
    toFileVolume: (row) => ({ id: str(row.Ref_Key), name: str(row.Description), windowsPath: str(row.ПолныйПутьWindows), linuxPath: str(row.ПолныйПутьLinux) }),
    toPicture: (row) => ({
      fileId: str(row.Ref_Key),
      itemId: refOf(row.ВладелецФайла_Key),
      name: str(row.Description),
      extension: str(row.Расширение).toLowerCase().replace(/^\./, ''),
      size: num(row.Размер),
      storedInBase: row.ТипХраненияФайла !== 'ВТомахНаДиске',
      volumeId: row.ТипХраненияФайла === 'ВТомахНаДиске' ? refOf(row.Том_Key) : null,
      pathInVolume: str(row.ПутьКФайлу),
      modified: date(row.ДатаМодификацииУниверсальная),
      deleted: bool(row.DeletionMark),
    }),
    blobOf: (row) => refOf(row.ХранилищеДвоичныхДанных_Key),
    pictureBytes(row) {
      const b64 = row.ДвоичныеДанные_Base64Data;
      if (typeof b64 === 'string' && b64.length) return Buffer.from(b64, 'base64');
      const raw = row.ДвоичныеДанные;
      return raw instanceof Uint8Array && raw.length ? Buffer.from(raw) : null;
    },
    toVatRate: (row) => ({ id: str(row.Ref_Key), rate: bool(row.НеОблагается) ? null : num(row.Ставка) }),
    // Item VAT ids are Enum.ВидыСтавокНДС members; their rate depends on the date (unfLineVat), not on the name.
    vatRateOfId: () => undefined,
    itemVatField: 'ВидСтавкиНДС',
    toClient(partner, counterparty) {
      const c = counterparty ?? partner;
      const phone = contacts(partner).find((r) => r.Тип === 'Телефон');
      const email = contacts(partner).find((r) => r.Тип === 'АдресЭлектроннойПочты');
      const inn = strOrNull(str(c.ИНН).trim());
      const legal = str(c.ЮридическоеФизическоеЛицо);
      return {
        partnerId: str(partner.Ref_Key),
        counterpartyId: c.Ref_Key ? str(c.Ref_Key) : null,
        externalId: null,
        name: str(partner.Description),
        fullName: str(partner.НаименованиеПолное),
        inn,
        kpp: strOrNull(str(c.КПП).trim()),
        kind: legal === 'ЮридическоеЛицо' ? 'company' : inn?.length === 12 ? 'entrepreneur' : 'person',
        phone: strOrNull(phone?.НомерТелефона) ?? strOrNull(phone?.Представление),
        email: strOrNull(email?.АдресЭП) ?? strOrNull(email?.Представление),
        deleted: bool(partner.DeletionMark),
      };
    },
    toClientBalance(rows) {
      const sum = round2(rows.reduce((s, r) => s + num(r.СуммаBalance), 0));
      return { debt: sum > 0 ? sum : 0, prepaid: sum < 0 ? -sum : 0 };
    },
    toOrder: (row) => ({
      id: str(row.Ref_Key),
      number: str(row.Number),
      date: date(row.Date),
      externalId: strOrNull(row.НомерВходящегоДокумента),
      // The state item's key; ВариантЗавершения tells a completed order from a cancelled one.
      status: row.ВариантЗавершения === 'Отменен' ? 'Отменен' : str(row.СостояниеЗаказа),
      total: num(row.СуммаДокумента),
      posted: bool(row.Posted),
      deleted: bool(row.DeletionMark),
      partnerId: refOf(row.Контрагент_Key),
      warehouseId: refOf(row.СтруктурнаяЕдиницаРезерв_Key),
      settlementObjectId: null,
      asInvoice: false,
    }),
    toPayment: (row) => ({
      id: str(row.Ref_Key),
      number: str(row.Number),
      date: date(row.Date),
      externalId: strOrNull(row.ИдентификаторПлатежнойСистемы) ?? (MARKER_RE.exec(str(row.Комментарий))?.[1] ?? null),
      amount: num(row.СуммаДокумента),
      operation: str(row.ВидОперации),
      posted: bool(row.Posted),
      orderIds: [
        ...new Set([
          ...rowsOf(row.РасшифровкаПлатежа).map((r) => compositeOf(r, 'Заказ', S.orders) ?? (r.Заказ_Type === undefined ? refOf(r.Заказ) : null)),
          refOf(row.Заказ_Key),
        ].filter((x): x is string => !!x)),
      ],
      settlementObjectIds: [],
      counterpartyId: refOf(row.Контрагент_Key),
    }),
    toOrganisation(row) {
      const address = firstOf(row, 'Адрес');
      const phone = firstOf(row, 'Телефон');
      return { id: str(row.Ref_Key), name: str(row.Description), fullName: str(row.НаименованиеПолное), inn: str(row.ИНН).trim(), kpp: str(row.КПП).trim(), ogrn: str(row.ОГРН).trim(), address: strOrNull(address?.Представление), phone: strOrNull(phone?.Представление) };
    },
    toBankAccount: (row) => ({ id: str(row.Ref_Key), organisationId: compositeOf(row, 'Owner', S.organisations), number: str(row.НомерСчета).trim(), bankId: refOf(row.Банк_Key) }),
    toBank: (row) => ({ id: str(row.Ref_Key), name: str(row.Description), bik: str(row.Code).trim(), correspondentAccount: str(row.КоррСчет).trim() }),
    toConfigurationVersion(rows) {
      const main = rows.find((r) => bool(r.ЭтоОсновнаяКонфигурация));
      return { name: str(main?.ИмяПодсистемы), version: str(main?.Версия), subsystems: rows.filter((r) => r !== main).map((r) => ({ name: str(r.ИмяПодсистемы), version: str(r.Версия) })) };
    },
    platformOf: () => null,
    toOrderStatus: (row) => ({ orderId: str(row.Заказ_Key), period: date(row.Period), orderStatus: num(row.СтатусЗаказа), paymentStatus: num(row.СтатусОплаты), paidAmount: num(row.СуммаОплаты), comment: str(row.Комментарий) }),
    toCardPayment: (row) => ({ orderId: '', transactionId: str(row.ИдентификаторПлатежнойСистемы), provider: '', rrn: '', authCode: '', cardMask: str(row.НомерПлатежнойКарты), amount: num(row.СуммаДокумента), paidAt: date(row.Date) }),
    propertyKeysOf(rows) {
      const m = new Map<string, string>();
      for (const r of rows) for (const n of [r.Имя, r.Заголовок, r.Description]) if (n && !m.has(String(n))) m.set(String(n), str(r.Ref_Key));
      return m;
    },
    lineVat: unfLineVat,
  };
}

// ---------------------------------------------------------------- building write bodies

/** ИНН of 10 digits: an organisation (ЮридическоеЛицо); else a person or entrepreneur (ФизическоеЛицо). */
const LEGAL: Record<ClientInput['kind'], string> = { company: 'ЮридическоеЛицо', person: 'ФизическоеЛицо', entrepreneur: 'ФизическоеЛицо' };

function contactRows(c: Partial<ClientInput>): Row[] {
  const out: Row[] = [];
  if (c.phone) out.push({ Тип: 'Телефон', Представление: c.phone, НомерТелефона: c.phone });
  if (c.email) out.push({ Тип: 'АдресЭлектроннойПочты', Представление: c.email, АдресЭП: c.email });
  return out.map((r, i) => ({ LineNumber: i + 1, ...r }));
}

/**
 * A payment line as УНФ fills it from the order (ОперацияПоПлатежнымКартам ObjectModule.bsl 1366-1500,
 * ЗаполнитьПоЗаказПокупателя; ПоступлениеНаСчет the same): a prepayment (ПризнакАванса) against the order (Заказ; the
 * buyer keeps settlements by orders), in roubles at rate 1/1, with the VAT item of the order's first line and its VAT
 * share of the sum. Договор is left to ПередЗаписью, which puts the buyer's default contract
 * (ОперацияПоПлатежнымКартам ObjectModule.bsl 2826-2830).
 */
function paymentLine(p: PaymentInput, refs: PaymentRefs, vat: number | null): Row {
  const sum = round2(p.amount);
  return {
    LineNumber: 1,
    ПризнакАванса: true,
    Заказ: p.orderKey,
    Заказ_Type: typed(S.orders),
    СуммаРасчетов: sum,
    Курс: 1,
    Кратность: 1,
    СуммаПлатежа: sum,
    СтавкаНДС_Key: refs.vatRateKey ?? null,
    СуммаНДС: vat ? round2((sum * vat) / (100 + vat)) : 0,
  };
}

function builders(): Builders {
  const cardDoc = (operation: 'ПоступлениеОплатыОтПокупателя' | 'ВозвратОплатыПокупателю', p: PaymentInput, refs: PaymentRefs): Row => ({
    Date: p.date,
    ВидОперации: operation,
    // An online shop's card payment (Enums/СпособыОплатыЭквайринг.xml: ОплатаОнлайн).
    СпособОплаты: 'ОплатаОнлайн',
    РасчетВИнтернете: true,
    Организация_Key: refs.organisationKey,
    Контрагент_Key: refs.counterpartyKey,
    ЭквайринговыйТерминал_Key: refs.acquiringTerminalKey ?? null,
    БанковскийСчет_Key: refs.bankAccountKey ?? null,
    ВалютаДенежныхСредств_Key: refs.currencyKey,
    Статья_Key: refs.cashFlowItemKey ?? null,
    НалогообложениеНДС: 'ОблагаетсяНДС',
    СуммаДокумента: round2(p.amount),
    НомерПлатежнойКарты: (p.cardMask ?? '').slice(0, 24),
    // The refund's basis is the payment it returns; a payment's, the order it pays (ObjectModule 1386: ДокументОснование).
    ...(refs.basisPaymentKey ? { ДокументОснование: refs.basisPaymentKey, ДокументОснование_Type: typed(S.cardOps) } : { ДокументОснование: p.orderKey, ДокументОснование_Type: typed(S.orders) }),
    ИдентификаторПлатежнойСистемы: p.externalId.slice(0, 36),
    Комментарий: p.comment ?? '',
    РасшифровкаПлатежа: [paymentLine(p, refs, refs.vatRate ?? null)],
  });
  const bankDoc = (set: 'in' | 'out', p: PaymentInput, refs: PaymentRefs): Row => ({
    Date: p.date,
    ВидОперации: set === 'in' ? 'ОтПокупателя' : 'Покупателю',
    Организация_Key: refs.organisationKey,
    БанковскийСчет_Key: refs.bankAccountKey ?? null,
    ВалютаДенежныхСредств_Key: refs.currencyKey,
    Статья_Key: refs.cashFlowItemKey ?? null,
    Контрагент_Key: refs.counterpartyKey,
    НалогообложениеНДС: 'ОблагаетсяНДС',
    СуммаДокумента: round2(p.amount),
    НазначениеПлатежа: p.purpose ?? '',
    ...(set === 'in' ? { НомерВходящегоДокумента: (p.incomingNumber ?? '').slice(0, 20), ДатаВходящегоДокумента: p.incomingDate ?? p.date } : { Заказ_Key: p.orderKey }),
    ДокументОснование: p.orderKey,
    ДокументОснование_Type: typed(S.orders),
    Комментарий: `${p.comment ?? ''} ${unfCommentMarker(p.externalId)}`.trim(),
    РасшифровкаПлатежа: [paymentLine(p, refs, refs.vatRate ?? null)],
  });
  return {
    partnerBody: (c) => ({
      Description: c.name.slice(0, 100),
      НаименованиеПолное: c.fullName ?? c.name,
      ЮридическоеФизическоеЛицо: LEGAL[c.kind],
      ИНН: c.inn ?? '',
      КПП: c.kind === 'company' ? (c.kpp ?? '') : '',
      Покупатель: true,
      // Settlements by orders: a payment line's Заказ then reaches РасчетыСПокупателями (РасчетыПроведениеДокументов
      // 3518-3522) and a posted order plans its payment (ManagerModule 15478-15490).
      ВестиРасчетыПоЗаказам: true,
      Комментарий: c.comment ?? 'Клиент Richest.store',
      КонтактнаяИнформация: contactRows(c),
    }),
    counterpartyBody: (c) => ({ Description: c.name.slice(0, 100), НаименованиеПолное: c.fullName ?? c.name, ЮридическоеФизическоеЛицо: LEGAL[c.kind], ИНН: c.inn ?? '', КПП: c.kind === 'company' ? (c.kpp ?? '') : '' }),
    clientPatch(c) {
      const partner: Row = {};
      if (c.name !== undefined) partner.Description = c.name.slice(0, 100);
      if (c.fullName !== undefined) partner.НаименованиеПолное = c.fullName;
      if (c.kind !== undefined) partner.ЮридическоеФизическоеЛицо = LEGAL[c.kind];
      if (c.inn !== undefined) partner.ИНН = c.inn;
      if (c.kpp !== undefined) partner.КПП = c.kpp;
      if (c.phone !== undefined || c.email !== undefined) partner.КонтактнаяИнформация = contactRows(c);
      // The partner is the counterparty: one PATCH.
      return { partner, counterparty: {} };
    },
    orderDocument(order, refs) {
      const lines = order.lines.map((l, i) => {
        const sum = l.amount ?? round2(l.price * l.quantity);
        const rate = l.vatRate ?? 0;
        return {
          LineNumber: i + 1,
          // Запасы.Номенклатура is composite in УНФ (Номенклатура | …): the type is named.
          Номенклатура: l.itemId,
          Номенклатура_Type: typed(S.items),
          ТипНоменклатурыЗапас: true,
          // The unit the quantity counts in: a packaging, or the item's classifier unit (Запасы.ЕдиницаИзмерения composite).
          ...(l.packagingId ? { ЕдиницаИзмерения: l.packagingId, ЕдиницаИзмерения_Type: typed(S.packagings) } : l.unitId ? { ЕдиницаИзмерения: l.unitId, ЕдиницаИзмерения_Type: typed(S.units) } : {}),
          Количество: l.quantity,
          // A web order reserves what it sells from the warehouse (ManagerModule 14800-14850 reserves Резерв).
          Резерв: l.quantity,
          Цена: l.price,
          Сумма: sum,
          СтавкаНДС_Key: l.vatRateId ?? null,
          СуммаНДС: rate ? round2((sum * rate) / (100 + rate)) : 0,
          Всего: sum,
          СтруктурнаяЕдиницаРезерв_Key: refs.warehouseKey,
          КлючСвязи: i + 1,
        };
      });
      const total = round2(lines.reduce((s, l) => s + l.Всего, 0));
      return {
        Date: order.date,
        ВидОперации: 'ЗаказНаПродажу',
        Организация_Key: refs.organisationKey,
        Контрагент_Key: refs.counterpartyKey ?? refs.partnerKey,
        ВалютаДокумента_Key: refs.currencyKey,
        Курс: 1,
        Кратность: 1,
        // The warehouse in the header and the shipment date in the header (ПоложениеСклада / ПоложениеДатыОтгрузки
        // ВШапке): ПередЗаписью copies both into every line (ObjectModule.bsl 1411-1425).
        ПоложениеСклада: 'ВШапке',
        ПоложениеДатыОтгрузки: 'ВШапке',
        ДатаОтгрузки: order.date,
        СтруктурнаяЕдиницаРезерв_Key: refs.warehouseKey,
        СтруктурнаяЕдиницаПродажи_Key: refs.salesUnitKey ?? null,
        НалогообложениеНДС: 'ОблагаетсяНДС',
        // ReGate's prices include VAT (the line's Всего is what the card pays).
        СуммаВключаетНДС: true,
        ВидЦен_Key: refs.priceKindKey ?? null,
        БанковскийСчет_Key: refs.bankAccountKey ?? null,
        ТипДенежныхСредств: order.paymentForm === 'cash' ? 'Наличные' : 'Безналичные',
        АдресДоставки: order.deliveryAddress.slice(0, 500),
        Комментарий: order.comment ?? '',
        // String(30): 1C cuts longer values silently (the delivery digests longer ids to this width).
        НомерВходящегоДокумента: order.externalId.slice(0, 30),
        ДатаВходящегоДокумента: order.date,
        СуммаДокумента: total,
        Запасы: lines,
      };
    },
    // Cancelling in УНФ: the state Завершен with ВариантЗавершения Отменен (Documents/ЗаказПокупателя/Ext/ManagerModule.bsl
    // 565-610, ИзменитьСостояниеЗаказаПокупателя); a cancelled order posts no reserve (ManagerModule 14840-14842).
    cancelOrderPatch: (_lines: Row[], reasonKey?: string | null) => ({
      ...(reasonKey ? { ПричинаОтмены_Key: reasonKey } : {}),
      ВариантЗавершения: 'Отменен',
    }),
    cardPaymentDocument: (p, refs) => cardDoc('ПоступлениеОплатыОтПокупателя', p, refs),
    bankPaymentDocument: (p, refs) => bankDoc('in', p, refs),
    cardRefundDocument: (p, refs) => cardDoc('ВозвратОплатыПокупателю', p, refs),
    bankRefundDocument: (p, refs) => bankDoc('out', p, refs),
    orderStatusRecord: () => ({}),
    cardPaymentRecord: () => ({}),
  };
}

/**
 * Closing a cancelled or expired order the way УНФ's own «Отменить» does: ИзменитьСостояниеЗаказаПокупателя
 * (Dershoozer/unf1 @ 908def8b, Documents/ЗаказПокупателя/Ext/ManagerModule.bsl 565-607) sets СостояниеЗаказа to the
 * predefined Завершен with ВариантЗавершения Отменен and a ПричинаОтмены, and does nothing for an order already
 * completed with that variant (574-579). A posted order whose cancellation changed is written in posting mode
 * (CommonModules/СостоянияЗаказов/Ext/Module.bsl 661-680, РежимЗаписиДокументаПриСменеСостояния), which the delivery
 * does by posting it again; posting a cancelled order plans and reserves nothing (ManagerModule 14622, 14840-14842).
 * The fill check then wants the reason (ObjectModule.bsl 1118-1127): without one the base refuses, and
 * onec.cancelReasonKey names the reason when the base has several. An order completed otherwise (Успешно) is not a
 * cancellation.
 */
export const UNF_ORDER_CLOSING: OrderClosing = {
  select: ['Ref_Key', 'DeletionMark', 'Posted', 'СостояниеЗаказа', 'СостояниеЗаказа_Type', 'ВариантЗавершения'],
  closed: (doc) => doc.ВариантЗавершения === 'Отменен',
  cancelled: (doc) => doc.ВариантЗавершения === 'Отменен',
  predefined: { concept: 'orderState', name: UNF_PREDEFINED.completed },
  patch: (_doc, refs) => ({
    ...(refs.predefinedKey ? { СостояниеЗаказа: refs.predefinedKey, СостояниеЗаказа_Type: typed(S.orderStates) } : {}),
    ВариантЗавершения: 'Отменен',
    ...(refs.reasonKey ? { ПричинаОтмены_Key: refs.reasonKey } : {}),
  }),
};

export function unfProfile(config: Config): Profile {
  return {
    id: 'unf',
    family: 'УНФ 3',
    configurationName: 'УправлениеНебольшойФирмой',
    minVersion: '3.0',
    features: unfFeatures(),
    reads: reads(config) as Profile['reads'],
    writes: writes(),
    map: mappers(),
    build: builders(),
    fieldSources: fieldSources(config),
    // The cash-flow item a buyer's payment carries (Catalogs/СтатьиДвиженияДенежныхСредств/Ext/Predefined.xml).
    cashFlowPredefined: { receipt: UNF_PREDEFINED.paymentFromCustomers },
    orderClosing: UNF_ORDER_CLOSING,
  };
}
