import type { Config, FieldSource } from '../../config/schema.js';
import { and, eq, ne, or, rawFilter, substringof, type Filter } from '../filter.js';
import { defaultFeatures, type Ut11Features } from './features.js';
import { cast, guid } from '../url.js';
import { packPriceKopecks, toKopecks, toRoubles } from '../../money.js';
import type {
  Builders,
  ClientInput,
  ConfigurableField,
  MapContext,
  Mappers,
  PaymentInput,
  PaymentRefs,
  Profile,
  ProfileId,
  ReadSpec,
  Row,
  WriteSpec,
} from './types.js';

/**
 * The УТ 11 profile (11.5 and 11.4). Where УТ keeps what ReGate needs: ../shared/reference/onec-odata/DIALECT.md
 * "Where УТ 11 keeps what ReGate needs"; names checked against derived/ut-11.5.18.41_odata-fields.txt by
 * test/profiles. The emulator's src/emulator/schema/ut11.ts publishes the same names (a test keeps them in step).
 *
 * Choices:
 * - Descriptions (issue 14.7, catalog.descriptions): short = Описание (free text), full = the text of the item's site
 *   description file (ФайлОписанияДляСайта, bytes read as pictures' are); never the name (НаименованиеПолное is the
 *   full name).
 * - Portion size = a packaging of the item (Catalog_УпаковкиЕдиницыИзмерения, Owner_Key = item,
 *   Числитель/Знаменатель of the item's unit); the item's barcode points at it.
 * - Tier prices = price kinds config.catalog.tier1PriceKind / tier2PriceKind; thresholds X1/X2, minimal quantity,
 *   multiplicity and "sold to order" from config.catalog.* FieldSource (extension attribute, additional attribute
 *   ДополнительныеРеквизиты by property name, or none → config.catalog.defaults).
 * - Stock: 11.5 AccumulationRegister_ТоварыНаСкладах/Balance (available = ВНаличии − КОтгрузке);
 *   11.4 AccumulationRegister_СвободныеОстатки/Balance (available = ВНаличии − ВРезервеСоСклада − ВРезервеПодЗаказ).
 * - Prices: 11.5 InformationRegister_ЦеныНоменклатуры25_RecordType/SliceLast; 11.4 the same over ЦеныНоменклатуры.
 * - External ids: ReGate_ВнешнийИдентификатор (extension). Without the extension orders are found by
 *   НомерПоДаннымКлиента, payments by ИдентификаторДокумента, clients by ИНН only.
 */

const S = {
  items: 'Catalog_Номенклатура',
  units: 'Catalog_УпаковкиЕдиницыИзмерения',
  countries: 'Catalog_СтраныМира',
  brands: 'Catalog_Марки',
  makers: 'Catalog_Производители',
  files: 'Catalog_НоменклатураПрисоединенныеФайлы',
  volumes: 'Catalog_ТомаХраненияФайлов',
  banks: 'Catalog_КлассификаторБанков',
  binaries: 'InformationRegister_ДвоичныеДанныеФайлов',
  fileStorage: 'InformationRegister_ХранилищеФайлов',
  blobs: 'Catalog_ХранилищеДвоичныхДанных',
  warehouses: 'Catalog_Склады',
  priceKinds: 'Catalog_ВидыЦен',
  barcodes: 'InformationRegister_ШтрихкодыНоменклатуры',
  stock: 'AccumulationRegister_ТоварыНаСкладах',
  freeStock: 'AccumulationRegister_СвободныеОстатки',
  partners: 'Catalog_Партнеры',
  counterparties: 'Catalog_Контрагенты',
  analytics: 'Catalog_КлючиАналитикиУчетаПоПартнерам',
  settlements: 'AccumulationRegister_РасчетыСКлиентами',
  organisations: 'Catalog_Организации',
  bankAccounts: 'Catalog_БанковскиеСчетаОрганизаций',
  currencies: 'Catalog_Валюты',
  vat: 'Catalog_СтавкиНДС',
  characteristics: 'Catalog_ХарактеристикиНоменклатуры',
  properties: 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
  versions: 'InformationRegister_ВерсииПодсистем',
  orders: 'Document_ЗаказКлиента',
  bankIn: 'Document_ПоступлениеБезналичныхДенежныхСредств',
  cardOps: 'Document_ОперацияПоПлатежнойКарте',
  bankOut: 'Document_СписаниеБезналичныхДенежныхСредств',
  statuses: 'InformationRegister_ReGate_СтатусыЗаказов',
  cardPayments: 'InformationRegister_ReGate_ОплатыКартами',
  platformInfo: 'InformationRegister_ReGate_СведенияОПлатформе',
} as const;

export const UT11_SETS = S;

export const EXT_ID = 'ReGate_ВнешнийИдентификатор';

// ---- small value helpers over normalised rows ----
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0;
  return Number.isFinite(n) ? n : 0;
};
const bool = (v: unknown): boolean => v === true || v === 'true';
const date = (v: unknown): Date | null => (v instanceof Date ? v : null);
/** Normalised rows have null for the empty reference; be tolerant of raw rows too. */
const refOf = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' && v !== '00000000-0000-0000-0000-000000000000' ? v : null;
const rowsOf = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const round2 = (x: number) => Math.round(x * 100) / 100;
/** `{ [key]: value }` when the value is set, else nothing (records keep their shape for items without variants). */
const withValue = <K extends string, V>(key: K, value: V | null): { [P in K]?: V } => (value === null ? {} : ({ [key]: value } as { [P in K]?: V }));

/** Published name of an extension attribute (FieldSource 'extension'). */
function extensionAttribute(src: FieldSource): string | null {
  return src.kind === 'extension' ? src.attribute : null;
}

const CONFIGURABLE: ConfigurableField[] = ['minQuantity', 'multiplicity', 'soldToOrder', 'tier1Threshold', 'tier2Threshold'];

function fieldSources(config: Config): Record<ConfigurableField, FieldSource> {
  const c = config.catalog;
  // Without the extension its attributes do not exist: an 'extension' source (the default) reads nothing, and
  // config.catalog.defaults apply. Selecting them would be a 400 on every item read (FACTS: no ReGate_* in a vendor base).
  const ext = config.onec.extension;
  const src = (f: FieldSource): FieldSource => (f.kind === 'extension' && !ext ? { kind: 'none' } : f);
  return {
    minQuantity: src(c.minQuantity),
    multiplicity: src(c.multiplicity),
    soldToOrder: src(c.soldToOrder),
    tier1Threshold: src(c.tier1Threshold),
    tier2Threshold: src(c.tier2Threshold),
  };
}

/** Marker of a payment document's external id in Комментарий, for bases with neither the extension nor ИдентификаторДокумента (11.4). */
export const commentMarker = (id: string) => `[ReGate:${id}]`;
const MARKER_RE = /\[ReGate:([^\]]+)\]/;

/** Reads a configurable field off an item row: extension attribute, additional attribute, or nothing. */
function configurableValue(row: Row, src: FieldSource, ctx: MapContext): unknown {
  if (src.kind === 'extension') return row[src.attribute];
  if (src.kind === 'additionalAttribute') {
    const key = ctx.propertyKeys?.get(src.name);
    if (!key) return undefined;
    const line = rowsOf(row.ДополнительныеРеквизиты).find((r) => r.Свойство_Key === key);
    return line?.Значение;
  }
  return undefined;
}

/**
 * ТипыПлатежныхДокументов member of a 1CClientBankExchange section (`СекцияДокумент=Платежное поручение`), as
 * КлиентБанкСервер 80-91 maps it; members from Enums/ТипыПлатежныхДокументов.xml of both dumps. Unknown → поручение.
 */
function paymentDocumentType(kind: string | undefined): string {
  const k = (kind ?? '').toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();
  if (k.startsWith('платежное требование')) return 'ПлатежноеТребование';
  if (k.startsWith('инкассовое поручение')) return 'ИнкассовоеПоручение';
  if (k.startsWith('платежный ордер')) return 'ПлатежныйОрдер';
  if (k.startsWith('банковский ордер')) return 'БанковскийОрдер';
  if (k.startsWith('аккредитив')) return 'Аккредитив';
  return 'ПлатежноеПоручение';
}

function orGuids(field: string, keys: string[] | undefined): Filter | undefined {
  if (!keys?.length) return undefined;
  return or(...keys.map((k) => eq(field, guid(k))));
}

/** and() of whatever is present; undefined when nothing is. */
function allOf(...items: (Filter | undefined)[]): Filter | undefined {
  const list = items.filter((x): x is Filter => !!x);
  return list.length ? and(...list) : undefined;
}

function cityOfAddress(address: Row | undefined): string | null {
  if (!address) return null;
  const city = str(address.Город).trim();
  if (city) return city;
  // Federal cities (Москва, Санкт-Петербург, Севастополь) are regions in ФИАС: "Москва г".
  const region = str(address.Регион).trim();
  if (/ г\.?$/.test(region)) return region.replace(/ г\.?$/, '');
  // Last resort: "123100, Москва г, …" or "г. Казань, …" in the presentation.
  const m = /(?:^|,\s*)(?:г\.?\s+([^,]+)|([^,]+?)\s+г\.?)(?:,|$)/.exec(str(address.Представление));
  return m ? (m[1] ?? m[2]).trim() : null;
}

// ---------------------------------------------------------------- reads

function reads(f: Ut11Features, config: Config): Partial<Record<string, ReadSpec>> {
  const ext = config.onec.extension;
  const sources = fieldSources(config);
  const itemExtra = new Set<string>();
  let needsAdditional = false;
  for (const f of CONFIGURABLE) {
    const attr = extensionAttribute(sources[f]);
    if (attr) itemExtra.add(attr);
    if (sources[f].kind === 'additionalAttribute') needsAdditional = true;
  }
  const priceRegister = f.priceRegister;
  const orderIdField = ext ? EXT_ID : 'НомерПоДаннымКлиента';
  // Payments: the extension's id, else ИдентификаторДокумента (11.5), else a marker in Комментарий (11.4 has neither).
  const paymentIdField = ext ? EXT_ID : f.documentId ? 'ИдентификаторДокумента' : 'Комментарий';
  const byExternalId = (field: string) => (p: { externalId?: string; orderKey?: string }) =>
    p.externalId !== undefined
      ? field === 'Комментарий'
        ? substringof(commentMarker(p.externalId), field)
        : eq(field, p.externalId)
      : p.orderKey
        ? eq('Ref_Key', guid(p.orderKey))
        : undefined;
  // 11.5 names the order in ОснованиеПлатежа and settles by ОбъектРасчетов; 11.4 in the composite Заказ.
  const settlementFields = f.settlement === 'object' ? ['РасшифровкаПлатежа/ОбъектРасчетов_Key'] : ['РасшифровкаПлатежа/Заказ'];
  const paymentSelect = (basis: boolean) => ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'ХозяйственнаяОперация', 'СуммаДокумента', 'Контрагент_Key', paymentIdField, ...(basis ? ['РасшифровкаПлатежа/ОснованиеПлатежа'] : []), ...settlementFields, 'РасшифровкаПлатежа/Сумма'];

  return {
    item: {
      kind: 'collection',
      set: S.items,
      why: 'assortment: article, names, descriptions, unit, brand, country, picture, VAT, order limits',
      select: [
        'Ref_Key', 'Code', 'Description', 'DeletionMark', 'IsFolder', 'Parent_Key',
        'Артикул', 'НаименованиеПолное', 'Описание', 'ЕдиницаИзмерения_Key', 'ТипНоменклатуры', 'ВидНоменклатуры_Key',
        'Марка_Key', 'Производитель_Key', ...(f.countryOfOrigin ? ['СтранаПроисхождения_Key'] : []), 'ФайлКартинки_Key', f.vat === 'catalog' ? 'СтавкаНДС_Key' : 'СтавкаНДС',

        // Issue 17: whose characteristics the item is sold in (both attributes in 11.4.2 and 11.5.20 Catalogs/Номенклатура.xml).
        'ИспользованиеХарактеристик', 'ВладелецХарактеристик_Key',
        ...itemExtra,
        ...(needsAdditional ? ['ДополнительныеРеквизиты/Свойство_Key', 'ДополнительныеРеквизиты/Значение'] : []),
      ],
      filter: () => eq('IsFolder', false),
    },
    group: {
      kind: 'collection',
      set: S.items,
      why: 'storetable: the tree of groups and subgroups',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'IsFolder', 'Parent_Key'],
      filter: () => eq('IsFolder', true),
    },
    warehouse: {
      kind: 'collection',
      set: S.warehouses,
      why: 'city / citystore: warehouses and their address (КонтактнаяИнформация, Тип = Адрес)',
      select: [
        // Catalog.Склады has CodeLength 0 in every УТ dump: no Code is published.
        'Ref_Key', 'Description', 'DeletionMark', 'IsFolder', 'ТипСклада', 'РозничныйВидЦены_Key',
        'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/Город',
        'КонтактнаяИнформация/Регион', 'КонтактнаяИнформация/НомерТелефона',
      ],
      filter: () => eq('IsFolder', false),
    },
    city: {
      kind: 'collection',
      set: S.warehouses,
      why: 'city: the cities that have warehouses (address Город, or the region of a federal city); map with toWarehouse + citiesOf',
      select: ['Ref_Key', 'DeletionMark', 'IsFolder', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/Город', 'КонтактнаяИнформация/Регион'],
      filter: () => eq('IsFolder', false),
    },
    priceKind: {
      kind: 'collection',
      set: S.priceKinds,
      why: `prices: find the kinds '${config.catalog.retailPriceKind}', '${config.catalog.tier1PriceKind}', '${config.catalog.tier2PriceKind}' by name`,
      select: ['Ref_Key', 'Description', 'DeletionMark', 'ВалютаЦены_Key', 'ЦенаВключаетНДС'],
    },
    price: {
      kind: 'sliceLast',
      register: priceRegister,
      recordType: true,
      why: 'assortment: retail and tier prices (the last price per item and kind)',
      select: ['Period', 'Номенклатура_Key', priceRegister === 'InformationRegister_ЦеныНоменклатуры25' ? 'ХарактеристикаЦО_Key' : 'Характеристика_Key', 'ВидЦены_Key', 'Цена', 'Упаковка_Key', 'Валюта_Key'],
      condition: (p) => allOf(orGuids('ВидЦены_Key', p.priceKindKeys), orGuids('Номенклатура_Key', p.itemKeys)),
    },
    stock: f.stock === 'AccumulationRegister_ТоварыНаСкладах'
      ? {
          kind: 'balance',
          register: S.stock,
          // Характеристика: a dimension of ТоварыНаСкладах in both dumps; variants have stock of their own (issue 17).
          dimensions: ['Номенклатура', 'Характеристика', 'Склад'],
          why: 'assortment: stock per warehouse and characteristic (ВНаличии − КОтгрузке)',
          select: ['Номенклатура_Key', 'Характеристика_Key', 'Склад_Key', 'ВНаличииBalance', 'КОтгрузкеBalance'],
          condition: (p) => orGuids('Склад_Key', p.warehouseKeys),
        }
      : {
          kind: 'balance',
          register: S.freeStock,
          dimensions: ['Номенклатура', 'Характеристика', 'Склад'],
          why: 'assortment: free stock per warehouse and characteristic (ВНаличии − reserves)',
          select: ['Номенклатура_Key', 'Характеристика_Key', 'Склад_Key', 'ВНаличииBalance', 'ВРезервеСоСкладаBalance', 'ВРезервеПодЗаказBalance'],
          condition: (p) => orGuids('Склад_Key', p.warehouseKeys),
        },
    // 11.5: what customer orders reserve (ВариантОбеспечения СоСклада → ТоварыКОтгрузке.ВРезерве, 11.5
    // ManagerModule.bsl:2704-2756) is not in ТоварыНаСкладах; 11.4's СвободныеОстатки already subtracts its reserves.
    // УТ's own free stock is ЗапасыИПотребности (WRITE-RULES §6), which the reference dumps do not include: this is
    // the nearest figure their registers give.
    ...(f.stock === 'AccumulationRegister_ТоварыНаСкладах'
      ? {
          reserve: {
            kind: 'balance',
            register: 'AccumulationRegister_ТоварыКОтгрузке',
            dimensions: ['Номенклатура', 'Характеристика', 'Склад'],
            why: 'assortment: stock reserved by customer orders (ВРезерве), subtracted from what is available',
            select: ['Номенклатура_Key', 'Характеристика_Key', 'Склад_Key', 'ВРезервеBalance'],
            condition: (p) => orGuids('Склад_Key', p.warehouseKeys),
          } satisfies ReadSpec,
        }
      : {}),
    barcode: {
      kind: 'collection',
      set: S.barcodes,
      keyFields: ['Штрихкод'],
      why: 'assortment: EAN barcodes of items and their packagings',
      select: ['Штрихкод', 'Номенклатура_Key', 'Характеристика_Key', 'Упаковка_Key'],
    },
    unit: {
      kind: 'collection',
      set: S.units,
      why: 'assortment: units (кг/л/шт) and portion sizes (packagings of an item, Числитель/Знаменатель)',
      // Two owner types (Номенклатура | НаборыУпаковок) → Owner + Owner_Type; HierarchyOfItems → no IsFolder (every УТ dump).
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'Owner', 'Owner_Type', 'НаименованиеПолное', 'ЕдиницаИзмерения_Key', 'Числитель', 'Знаменатель'],
    },
    country: {
      kind: 'collection',
      set: S.countries,
      why: 'assortment: country of origin',
      select: ['Ref_Key', 'Code', 'Description', 'НаименованиеПолное', 'КодАльфа2'],
    },
    brand: {
      kind: 'collection',
      set: S.brands,
      why: 'assortment: brand',
      select: ['Ref_Key', 'Description', 'Производитель_Key'],
    },
    manufacturer: {
      kind: 'collection',
      set: S.makers,
      why: 'assortment: manufacturer (brand fallback)',
      select: ['Ref_Key', 'Description'],
    },
    picture: {
      kind: 'collection',
      set: S.files,
      why: 'assortment: picture files of items (metadata; ФайлКартинки_Key points at the main one)',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'ВладелецФайла_Key', 'Расширение', 'Размер', 'ТипХраненияФайла', 'Том_Key', 'ПутьКФайлу', 'ДатаМодификацииУниверсальная'],
      filter: (p) => (p.fileKey ? eq('Ref_Key', guid(p.fileKey)) : orGuids('ВладелецФайла_Key', p.itemKeys)),
    },
    fileVolume: {
      kind: 'collection',
      set: S.volumes,
      why: 'pictures kept in file volumes (ВТомахНаДиске): the volume root the file path is relative to',
      select: ['Ref_Key', 'Description', 'ПолныйПутьWindows', 'ПолныйПутьLinux'],
    },
    ...(f.fileBytes === 'storage'
      ? {
          // 11.5.18+: the file's row in ХранилищеФайлов names the ХранилищеДвоичныхДанных item holding the bytes.
          pictureStorage: {
            kind: 'collection',
            set: S.fileStorage,
            keyFields: ['Файл'],
            why: 'picture bytes, step 1: which binary-data item holds the file (11.5.18+)',
            select: ['Файл', 'Файл_Type', 'ХранилищеДвоичныхДанных_Key'],
            // A composite dimension compares only through cast() (a bare guid matches nothing).
            filter: (p) => (p.fileKey ? eq('Файл', cast(p.fileKey, S.files)) : undefined),
          } satisfies ReadSpec,
          pictureData: {
            kind: 'collection',
            set: S.blobs,
            why: 'picture bytes, step 2: the binary data (ValueStorage)',
            select: ['Ref_Key', 'ДвоичныеДанные_Base64Data'],
            filter: (p) => (p.blobKey ? eq('Ref_Key', guid(p.blobKey)) : undefined),
          } satisfies ReadSpec,
        }
      : f.fileBytes === 'register'
        ? {
            pictureData: {
              kind: 'collection',
              set: S.binaries,
              keyFields: ['Файл'],
              why: 'picture bytes (БСП up to 11.5.18 keeps files stored in the infobase here, as ValueStorage)',
              select: ['Файл', 'Файл_Type', 'ДвоичныеДанныеФайла_Base64Data'],
              filter: (p) => (p.fileKey ? eq('Файл', cast(p.fileKey, S.files)) : undefined),
            } satisfies ReadSpec,
          }
        : {}),
    // Issue 17: characteristics, offered as variants. Two owner types (ВидыНоменклатуры | Номенклатура, both dumps'
    // Catalogs/ХарактеристикиНоменклатуры.xml) → Owner + Owner_Type; not hierarchical as published (no IsFolder).
    characteristic: {
      kind: 'collection',
      set: S.characteristics,
      why: 'assortment: characteristics of items (sizes, colours) sold as variants',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'Owner', 'Owner_Type', 'НаименованиеПолное', ...(priceRegister === 'InformationRegister_ЦеныНоменклатуры25' ? ['ХарактеристикаНоменклатурыДляЦенообразования_Key'] : [])],
    },
    property: {
      kind: 'collection',
      set: S.properties,
      why: 'order limits kept as additional attributes: property name → key',
      select: ['Ref_Key', 'Description', 'Имя', 'Заголовок'],
    },
    client: {
      kind: 'collection',
      set: S.partners,
      why: 'client: find the partner by Richest.store id',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'НаименованиеПолное', 'ЮрФизЛицо', ...(ext ? [EXT_ID] : []), 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление'],
      filter: (p) => (ext && p.externalId !== undefined ? eq(EXT_ID, p.externalId) : p.partnerKey ? eq('Ref_Key', guid(p.partnerKey)) : undefined),
    },
    counterparty: {
      kind: 'collection',
      set: S.counterparties,
      why: 'client: legal requisites (ИНН/КПП) and the link to the partner; bank payments are matched by ИНН',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'НаименованиеПолное', 'ИНН', 'КПП', 'ЮрФизЛицо', 'Партнер_Key', ...(ext ? [EXT_ID] : [])],
      // Identity by the store's id first, the ИНН only after (an ИНН is public: issue 13.1).
      filter: (p) =>
        ext && p.externalId !== undefined ? eq(EXT_ID, p.externalId) : p.inn ? eq('ИНН', p.inn) : p.partnerKey ? eq('Партнер_Key', guid(p.partnerKey)) : undefined,
    },
    clientAnalytics: {
      kind: 'collection',
      set: S.analytics,
      why: 'client balance: the settlement analytics keys of a partner',
      // Контрагент is composite (Организации | Контрагенты) in every УТ dump: Контрагент + Контрагент_Type.
      select: ['Ref_Key', 'Партнер_Key', 'Контрагент', 'Контрагент_Type', 'Организация_Key'],
      filter: (p) => (p.partnerKey ? eq('Партнер_Key', guid(p.partnerKey)) : undefined),
    },
    // The client's advance as the manager sees it: 11.5's «Ведомость расчетов с клиентами» reads Предоплата/Долг of
    // РасчетыСКлиентамиПоСрокам (WRITE-RULES §2: ВедомостьРасчетовСКлиентами ObjectModule.bsl:207,245-283); 11.4 has
    // no such register: the sign of РасчетыСКлиентами.Сумма (money received ahead of sales is negative).
    clientBalance: f.settlementTerms
      ? {
          kind: 'balance',
          register: 'AccumulationRegister_РасчетыСКлиентамиПоСрокам',
          dimensions: ['АналитикаУчетаПоПартнерам'],
          why: 'client: the balance (prepayment «Наш долг», debt «Долг клиента») of the client',
          select: ['АналитикаУчетаПоПартнерам_Key', 'ПредоплатаBalance', 'ДолгBalance'],
          condition: (p) => orGuids('АналитикаУчетаПоПартнерам_Key', p.analyticsKeys),
        }
      : {
          kind: 'balance',
          register: S.settlements,
          dimensions: ['АналитикаУчетаПоПартнерам'],
          why: 'client: the balance (prepayments) of the client',
          select: ['АналитикаУчетаПоПартнерам_Key', 'СуммаBalance'],
          condition: (p) => orGuids('АналитикаУчетаПоПартнерам_Key', p.analyticsKeys),
        },
    order: {
      kind: 'collection',
      set: S.orders,
      why: 'booking / bookingstate: find the order by Richest.store id (exactly-once creation), its status and sum',
      select: ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'Статус', 'СуммаДокумента', 'Партнер_Key', 'Склад_Key', orderIdField, ...(f.settlement === 'object' ? ['ОбъектРасчетов_Key'] : []), ...(f.orderAsInvoiceField ? ['ЭтоЗаказКакСчет'] : [])],
      filter: byExternalId(orderIdField),
    },
    payment: {
      kind: 'collection',
      set: S.bankIn,
      why: 'bank payments: find by payment event id (exactly once), settle orders',
      select: paymentSelect(true),
      filter: byExternalId(paymentIdField),
    },
    cardOperation: {
      kind: 'collection',
      set: S.cardOps,
      why: 'paycard / refund: card payments and card refunds by payment event id',
      select: paymentSelect(true),
      filter: byExternalId(paymentIdField),
    },
    refund: {
      kind: 'collection',
      set: S.bankOut,
      why: 'refund: bank refunds by payment event id',
      select: paymentSelect(false),
      filter: byExternalId(paymentIdField),
    },
    organisation: {
      kind: 'collection',
      set: S.organisations,
      why: 'state: organisation name and requisites (ИНН, КПП, ОГРН, address)',
      select: ['Ref_Key', 'Description', 'НаименованиеПолное', 'ИНН', 'КПП', 'ОГРН', ...(f.vatByItemRegister ? ['СтранаРегистрации_Key'] : []), 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление'],
      filter: () => (config.onec.organisationKey ? eq('Ref_Key', guid(config.onec.organisationKey)) : undefined),
    },
    // Issue 17: where the base publishes InformationRegister.СтавкиНДСНоменклатуры (11.5.20; detected, not by version),
    // an item's VAT rate is its last record there for the organisation's country or for no country — as УТ takes it
    // (work1cblackbird/ut11@cdf1be4f InformationRegisters/СтавкиНДСНоменклатуры/Ext/ManagerModule.bsl:136-165: SliceLast,
    // Страна = the main country or empty); Номенклатура.СтавкаНДС stands where the register has nothing.
    ...(f.vatByItemRegister
      ? {
          itemVatRate: {
            kind: 'sliceLast',
            register: 'InformationRegister_СтавкиНДСНоменклатуры',
            recordType: false,
            why: 'assortment and orders: the VAT rate of each item (the register УТ 11.5.20 keeps it in, by country)',
            select: ['Period', 'Номенклатура_Key', 'Страна_Key', 'СтавкаНДС_Key'],
            condition: (p) => orGuids('Номенклатура_Key', p.itemKeys),
          } satisfies ReadSpec,
        }
      : {}),
    bankAccount: {
      kind: 'collection',
      set: S.bankAccounts,
      why: 'bank payments: the organisation account the statement belongs to',
      select: ['Ref_Key', 'Owner_Key', 'НомерСчета', 'Банк_Key'],
    },
    bank: {
      kind: 'collection',
      set: S.banks,
      why: 'state: the bank of the organisation\'s account (name, БИК = Code, correspondent account)',
      select: ['Ref_Key', 'Code', 'Description', 'КоррСчет'],
      filter: (p) => (p.bankKeys?.length ? or(...p.bankKeys.map((k) => eq('Ref_Key', guid(k)))) : undefined),
    },
    currency: {
      kind: 'collection',
      set: S.currencies,
      why: 'orders: the document currency (code 643)',
      select: ['Ref_Key', 'Code', 'Description'],
    },
    // VAT: 11.5 Catalog_СтавкиНДС, where БезНДС is a predefined item (Ext/Predefined.xml), not an attribute; 11.4 has
    // no catalog (the item's СтавкаНДС is Enum.СтавкиНДС, whose member names carry the rate).
    ...(f.vat === 'catalog'
      ? {
          vatRate: {
            kind: 'collection',
            set: S.vat,
            why: 'orders: VAT of each line',
            select: ['Ref_Key', 'Description', 'Ставка', 'ПеречислениеСтавкаНДС', 'PredefinedDataName'],
          } satisfies ReadSpec,
        }
      : {}),
    agreement: {
      kind: 'collection',
      set: 'Catalog_СоглашенияСКлиентами',
      why: 'booking: the agreement web orders are made under (onec.agreementKey, else the one typical agreement in force): ЦенаВключаетНДС, and in 11.4 НалогообложениеНДС',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'Организация_Key', 'Типовое', 'Статус', 'ЦенаВключаетНДС', 'ВидЦен_Key', 'ИспользуютсяДоговорыКонтрагентов', ...(f.agreementVatTaxation ? ['НалогообложениеНДС'] : [])],
    },
    // Issue 17: the items' additional attributes, read apart: in the item read they made its URL 2,394 characters,
    // past the 2,000 an IIS publication takes (onec.maxUrlLength). Значение is Characteristic.ДополнительныеРеквизитыИСведения
    // (composite in both dumps): Значение + Значение_Type.
    itemProperty: {
      kind: 'collection',
      set: S.items,
      why: 'properties: each item\'s additional attributes (ДополнительныеРеквизиты), for the shop\'s filters',
      select: ['Ref_Key', 'ДополнительныеРеквизиты/Свойство_Key', 'ДополнительныеРеквизиты/Значение', 'ДополнительныеРеквизиты/Значение_Type'],
      filter: () => eq('IsFolder', false),
    },
    // Issue 17: a characteristic's own properties (Цвет of a colour), read apart as the items' are: Catalog.
    // ХарактеристикиНоменклатуры has the tabular part ДополнительныеРеквизиты (Свойство, Значение: Characteristic.
    // ДополнительныеРеквизитыИСведения, composite → Значение + Значение_Type) in both dumps. Not in the characteristic
    // read: that one is held whole (a small set), while these lines are streamed page by page into the scratch
    // database. URL of a page: 911 characters with a short base URL (1,331 if joined to the characteristic read).
    characteristicProperty: {
      kind: 'collection',
      set: S.characteristics,
      why: 'properties: each characteristic\'s additional attributes (ДополнительныеРеквизиты), shown per variant and filtered by',
      select: ['Ref_Key', 'ДополнительныеРеквизиты/Свойство_Key', 'ДополнительныеРеквизиты/Значение', 'ДополнительныеРеквизиты/Значение_Type'],
    },
    // Issue 14.7: the items whose description is kept in a site description file (Номенклатура.ФайлОписанияДляСайта,
    // CatalogRef.НоменклатураПрисоединенныеФайлы in both dumps). A read of its own, of the few items that have one: in
    // the item read the field took its URL to 1,942 characters of the 2,000 IIS allows (the extension's attributes
    // and a longer base URL would pass it).
    itemDescriptionFile: {
      kind: 'collection',
      set: S.items,
      why: 'assortment: the site description file of items that have one (its text is the full description)',
      select: ['Ref_Key', 'ФайлОписанияДляСайта_Key'],
      filter: () => and(eq('IsFolder', false), ne('ФайлОписанияДляСайта_Key', guid('00000000-0000-0000-0000-000000000000'))),
    },
    // Issue 17: the packaging set an item uses (Номенклатура.НаборУпаковок → Catalog_НаборыУпаковок, both dumps): its
    // packagings (Owner = the set) are the item's units of sale too. A read of its own, of the items that name one and
    // use packagings (ИспользоватьУпаковки), for the item read's URL length as above.
    itemPackagingSet: {
      kind: 'collection',
      set: S.items,
      why: 'assortment: the packaging set of items that use one (its packagings are sold as units too)',
      select: ['Ref_Key', 'НаборУпаковок_Key'],
      filter: () => and(eq('IsFolder', false), eq('ИспользоватьУпаковки', true), ne('НаборУпаковок_Key', guid('00000000-0000-0000-0000-000000000000'))),
    },
    // Issue 17: values of additional properties (one owner: the property → Owner_Key; folders and items).
    propertyValue: {
      kind: 'collection',
      set: 'Catalog_ЗначенияСвойствОбъектов',
      why: 'properties: the values of item properties, for GET /api/v1/properties and assortment?property=',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'IsFolder', 'Owner_Key'],
    },
    // Issue 17: a client's own agreement names the price kind the client buys at (ВидЦен; 11.5 also
    // ИндивидуальныйВидЦены). Статус is Enum.СтатусыСоглашенийСКлиентами (НеСогласовано, Действует, Закрыто in both dumps).
    clientAgreement: {
      kind: 'collection',
      set: 'Catalog_СоглашенияСКлиентами',
      why: 'prices: the price kind of each client with an agreement of its own (booking prices its orders by it)',
      select: ['Ref_Key', 'DeletionMark', 'Партнер_Key', 'Типовое', 'Статус', 'ВидЦен_Key', 'ЦенаВключаетНДС', 'ДатаНачалаДействия', 'ДатаОкончанияДействия', ...(priceRegister === 'InformationRegister_ЦеныНоменклатуры25' ? ['ИндивидуальныйВидЦены_Key'] : [])],
      filter: () => eq('Типовое', false),
    },
    cancelReason: {
      kind: 'collection',
      set: 'Catalog_ПричиныОтменыЗаказовКлиентов',
      why: 'order closing: the reason cancelled lines carry (onec.cancelReasonKey, else the only reason a person made)',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'Predefined'],
    },
    // The cash-flow item of payment lines, as УТ's documents fill it by operation (WRITE-RULES §3 ОперацияПоПлатежнойКарте
    // ObjectModule.bsl:5-256; §4 КлиентБанкСервер 2121-2125): the predefined items of both dumps (Catalogs/
    // СтатьиДвиженияДенежныхСредств/Ext/Predefined.xml), or onec.cashFlowItems.
    cashFlowItem: {
      kind: 'collection',
      set: 'Catalog_СтатьиДвиженияДенежныхСредств',
      why: 'paycard / bank payments / refunds: the cash-flow item of payment lines (predefined ПоступлениеОплатыОтКлиента, ВозвратОплатыКлиенту, or configured)',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'PredefinedDataName'],
      filter: () => or(eq('PredefinedDataName', 'ПоступлениеОплатыОтКлиента'), eq('PredefinedDataName', 'ВозвратОплатыКлиенту'), ...[config.onec.cashFlowItems.receipt, config.onec.cashFlowItems.refund].filter((k): k is string => !!k).map((k) => eq('Ref_Key', guid(k)))),
    },
    counterpartyAccount: {
      kind: 'collection',
      set: 'Catalog_БанковскиеСчетаКонтрагентов',
      why: 'bank receipts: the payer’s account (БанковскийСчетКонтрагента), found by its number among the client’s accounts',
      // Owner is composite (Контрагенты | …): published as Owner + Owner_Type.
      select: ['Ref_Key', 'DeletionMark', 'НомерСчета', 'Owner', 'Owner_Type'],
      filter: (p) => (p.accountNumber ? eq('НомерСчета', p.accountNumber) : undefined),
    },
    cashReceipt: {
      kind: 'collection',
      set: 'Document_ПриходныйКассовыйОрдер',
      why: 'bookingstate: cash taken for an order in 1C (posted ПриходныйКассовыйОрдер whose lines name the order)',
      select: ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'ХозяйственнаяОперация', 'СуммаДокумента', ...settlementFields, 'РасшифровкаПлатежа/Сумма'],
      // WRITE-RULES §5: work1cblackbird/ut11@cdf1be4f Documents/ПриходныйКассовыйОрдер/Ext/ManagerModule.bsl:396-415 —
      // a client's cash is ПоступлениеОплатыОтКлиента whose rows settle the order as §2 (ОбъектРасчетов / 11.4 Заказ).
      filter: (p) => {
        const keys = f.settlement === 'object' ? p.settlementObjectKeys : p.orderKeys;
        if (!keys?.length) return undefined;
        const line = keys.map((k) => (f.settlement === 'object' ? `d/ОбъектРасчетов_Key eq ${guid(k).text}` : `d/Заказ eq cast(${guid(k).text}, '${S.orders}')`)).join(' or ');
        return and(eq('Posted', true), eq('ХозяйственнаяОперация', 'ПоступлениеОплатыОтКлиента'), rawFilter(`РасшифровкаПлатежа/any(d: ${line})`));
      },
    },
    // Fulfilment (issue 14.3): posted РеализацияТоваровУслуг naming the order in the header or in its lines.
    shipment: shipmentRead(),
    acquiringTerminal: {
      kind: 'collection',
      set: 'Catalog_ЭквайринговыеТерминалы',
      why: 'paycard / refund: the acquiring terminal (and in 11.5 its owner, the acquiring contract) of card operations',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'IsFolder', ...(f.acquiringContract ? ['Owner_Key'] : [])],
    },
    configurationVersion: {
      kind: 'collection',
      set: S.versions,
      keyFields: ['ИмяПодсистемы'],
      why: 'state and `regate check`: configuration name and version',
      select: ['ИмяПодсистемы', 'Версия', 'ЭтоОсновнаяКонфигурация'],
    },
    ...(ext
      ? {
          orderStatus: {
            kind: 'sliceLast',
            register: S.statuses,
            recordType: false,
            extension: true,
            why: 'bookingstate: the ReGate status of an order (codes 0–7) and its payment status (0–4)',
            select: ['Period', 'Заказ_Key', 'СтатусЗаказа', 'СтатусОплаты', 'СуммаОплаты', 'Комментарий'],
            condition: (p) => (p.orderKey ? eq('Заказ_Key', guid(p.orderKey)) : undefined),
          } satisfies ReadSpec,
          platform: {
            kind: 'collection',
            set: S.platformInfo,
            keyFields: ['Параметр'],
            extension: true,
            // Standard OData does not publish the platform version; the extension's session module records it.
            why: 'state: the 1C platform version (recorded by the extension at session start)',
            select: ['Параметр', 'Значение', 'Обновлено'],
          } satisfies ReadSpec,
          cardPayment: {
            kind: 'collection',
            set: S.cardPayments,
            keyFields: ['Заказ_Key', 'ИдентификаторТранзакции'],
            extension: true,
            why: 'paycard / refund: the payment system data of an order',
            select: ['Заказ_Key', 'ИдентификаторТранзакции', 'Провайдер', 'RRN', 'КодАвторизации', 'МаскаКарты', 'Сумма', 'ДатаОплаты'],
            filter: (p) => (p.orderKey ? eq('Заказ_Key', guid(p.orderKey)) : undefined),
          } satisfies ReadSpec,
        }
      : {}),
  };
}

// ---------------------------------------------------------------- writes

function writes(f: Ut11Features, config: Config): Record<string, WriteSpec> {
  const ext = config.onec.extension;
  const idField = ext ? [EXT_ID] : [];
  const payId = ext ? EXT_ID : f.documentId ? 'ИдентификаторДокумента' : 'Комментарий';
  const partner = f.paymentPartner ? ['Партнер_Key'] : [];
  const basis = f.settlement === 'order' ? ['РасшифровкаПлатежа/Заказ'] : ['РасшифровкаПлатежа/ОбъектРасчетов_Key'];
  const vatLine = f.vat === 'catalog' ? 'Товары/СтавкаНДС_Key' : 'Товары/СтавкаНДС';
  const out: Record<string, WriteSpec> = {
    partner: { set: S.partners, why: 'client: create the partner of a new Richest.store client', fields: ['Description', 'НаименованиеПолное', 'Клиент', 'ЮрФизЛицо', 'Комментарий', ...idField, 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Вид_Key', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/НомерТелефона', 'КонтактнаяИнформация/АдресЭП'] },
    counterparty: { set: S.counterparties, why: 'client: create the counterparty (ИНН/КПП) linked to the partner', fields: ['Description', 'НаименованиеПолное', 'ЮрФизЛицо', 'ИНН', 'КПП', 'Партнер_Key', 'СтранаРегистрации_Key', ...idField, 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Вид_Key', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/НомерТелефона', 'КонтактнаяИнформация/АдресЭП'] },
    order: { set: S.orders, post: true, why: 'booking: the customer order with delivery address, posted', fields: ['Date', 'Организация_Key', 'Партнер_Key', 'Контрагент_Key', 'Склад_Key', 'Валюта_Key', 'Статус', 'Согласован', 'ХозяйственнаяОперация', 'ФормаОплаты', 'БанковскийСчет_Key', 'ЦенаВключаетНДС', 'НалогообложениеНДС', 'СуммаДокумента', 'АдресДоставки', 'Комментарий', 'НомерПоДаннымКлиента', 'ДатаПоДаннымКлиента', 'ПорядокРасчетов', 'ДатаОтгрузки', 'СкидкиРассчитаны', ...idField, 'Товары/Номенклатура_Key', 'Товары/Характеристика_Key', 'Товары/Упаковка_Key', 'Товары/КоличествоУпаковок', 'Товары/Количество', 'Товары/ВидЦены_Key', 'Товары/Цена', 'Товары/Сумма', vatLine, 'Товары/СуммаНДС', 'Товары/СуммаСНДС', 'Товары/Склад_Key', 'Товары/ВариантОбеспечения', 'Товары/ДатаОтгрузки', 'Товары/КодСтроки', 'Товары/Отменено'] },
    cardPaymentDocument: { set: S.cardOps, post: true, why: 'paycard: the card payment against the order', fields: ['Date', 'ХозяйственнаяОперация', 'Организация_Key', 'Контрагент_Key', ...partner, 'СуммаДокумента', 'Валюта_Key', 'НомерПлатежнойКарты', 'КодАвторизации', 'ОплатаВыполнена', 'ЭквайринговыйТерминал_Key', ...(f.acquiringContract ? ['ДоговорЭквайринга_Key'] : []), ...(f.cardBasis ? ['ДокументОснование'] : []), 'Комментарий', payId, 'РасшифровкаПлатежа/Партнер_Key', 'РасшифровкаПлатежа/ОснованиеПлатежа', ...basis, 'РасшифровкаПлатежа/Сумма', 'РасшифровкаПлатежа/СуммаВзаиморасчетов', 'РасшифровкаПлатежа/ВалютаВзаиморасчетов_Key'] },
    bankPaymentDocument: { set: S.bankIn, post: true, why: 'bank statements: the incoming payment against the order', fields: ['Date', 'ХозяйственнаяОперация', 'Организация_Key', 'БанковскийСчет_Key', 'Контрагент_Key', ...partner, 'СуммаДокумента', 'Валюта_Key', 'НомерВходящегоДокумента', 'ДатаВходящегоДокумента', 'НазначениеПлатежа', 'ПроведеноБанком', 'ДатаПроведенияБанком', 'Комментарий', payId, 'РасшифровкаПлатежа/Партнер_Key', 'РасшифровкаПлатежа/ОснованиеПлатежа', ...basis, 'РасшифровкаПлатежа/Сумма', 'РасшифровкаПлатежа/СуммаВзаиморасчетов', 'РасшифровкаПлатежа/ВалютаВзаиморасчетов_Key'] },
    cardRefundDocument: { set: S.cardOps, post: false, why: 'refund: the card refund, prepared for a person to confirm', fields: ['Date', 'ХозяйственнаяОперация', 'Организация_Key', 'Контрагент_Key', ...partner, 'СуммаДокумента', 'Валюта_Key', 'НомерПлатежнойКарты', 'ЭквайринговыйТерминал_Key', ...(f.acquiringContract ? ['ДоговорЭквайринга_Key'] : []), ...(f.cardBasis ? ['ДокументОснование'] : []), 'Комментарий', payId, 'РасшифровкаПлатежа/Партнер_Key', 'РасшифровкаПлатежа/ОснованиеПлатежа', ...basis, 'РасшифровкаПлатежа/Сумма'] },
    bankRefundDocument: { set: S.bankOut, post: false, why: 'refund: the bank refund (payment order), prepared for a person to confirm', fields: ['Date', 'ХозяйственнаяОперация', 'Организация_Key', 'БанковскийСчет_Key', 'Контрагент_Key', ...partner, 'СуммаДокумента', 'Валюта_Key', 'НазначениеПлатежа', 'ДокументОснование', 'Комментарий', payId, 'РасшифровкаПлатежа/Партнер_Key', ...(f.refundLineCounterparty ? ['РасшифровкаПлатежа/Контрагент_Key'] : []), 'РасшифровкаПлатежа/Сумма', ...(f.settlement === 'object' ? ['РасшифровкаПлатежа/ОбъектРасчетов_Key'] : basis)] },
  };
  if (ext) {
    out.orderStatus = { set: S.statuses, extension: true, why: 'booking / paycard / refund / expiry: the ReGate status of the order', fields: ['Period', 'Заказ_Key', 'СтатусЗаказа', 'СтатусОплаты', 'СуммаОплаты', 'Комментарий'] };
    out.cardPayment = { set: S.cardPayments, extension: true, why: 'paycard: the payment system data', fields: ['Заказ_Key', 'ИдентификаторТранзакции', 'Провайдер', 'RRN', 'КодАвторизации', 'МаскаКарты', 'Сумма', 'ДатаОплаты'] };
  }
  return out;
}

// ---------------------------------------------------------------- mapping

/** Issue 17: an item's additional attributes with a value (an empty reference or '' is no value). */
function propertiesOf(row: Row): { propertyId: string; value: string | number | boolean; valueType: string }[] | null {
  const out = rowsOf(row.ДополнительныеРеквизиты)
    .map((r) => ({ propertyId: refOf(r.Свойство_Key), value: r.Значение, valueType: str(r.Значение_Type) }))
    .filter((p): p is { propertyId: string; value: string | number | boolean; valueType: string } =>
      !!p.propertyId && (typeof p.value === 'number' || typeof p.value === 'boolean' || (typeof p.value === 'string' && p.value !== '' && refOf(p.value) !== null) || (typeof p.value === 'string' && p.value !== '' && !/^[0-9a-f]{8}-/.test(p.value))));
  return out.length ? out : null;
}

/**
 * Issue 17: the Owner of the characteristics an item is sold in, by its ИспользованиеХарактеристик
 * (Enum.ВариантыИспользованияХарактеристикНоменклатуры of both dumps: НеИспользовать, ОбщиеДляВидаНоменклатуры,
 * ИндивидуальныеДляНоменклатуры, ОбщиеСДругимВидомНоменклатуры): individual ones are owned by the item; shared ones by
 * the item's ВладелецХарактеристик (a ВидыНоменклатуры: its own kind, or the other kind it shares with), else its kind.
 */
function characteristicsOwnerOf(row: Row): string | null {
  const use = str(row.ИспользованиеХарактеристик);
  if (!use || use === 'НеИспользовать') return null;
  if (use === 'ИндивидуальныеДляНоменклатуры') return refOf(row.Ref_Key);
  return refOf(row.ВладелецХарактеристик_Key) ?? refOf(row.ВидНоменклатуры_Key);
}

/** Rate of an Enum.СтавкиНДС member from its name (НДС20, НДС20_120 → 20; НДС0 → 0; БезНДС → none). */
export function enumVatRate(member: string): number | null {
  const m = /^НДС(\d+)/.exec(member);
  return m ? Number(m[1]) : null;
}

/**
 * The sales that ship orders (WRITE-RULES §8: Document_РеализацияТоваровУслуг by its ЗаказКлиента or its lines'),
 * posted ones only, for the fulfilment bookingstate reports (issue 14.3). Not among the reads yet: the ReGate
 * extension must adopt Document.РеализацияТоваровУслуг for its role to grant the read (src/install/extension/plan.ts
 * ADOPTABLE, facts regenerated); until then reconcile reports no fulfilment (reads.shipment absent).
 */
export function shipmentRead(): ReadSpec {
  const order = (k: string) => `cast(${guid(k).text}, '${S.orders}')`;
  return {
    kind: 'collection',
    set: 'Document_РеализацияТоваровУслуг',
    why: 'bookingstate: what was shipped of an order (posted РеализацияТоваровУслуг naming it)',
    select: ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'ЗаказКлиента', 'ЗаказКлиента_Type', 'Товары/Номенклатура_Key', 'Товары/Количество', 'Товары/ЗаказКлиента', 'Товары/ЗаказКлиента_Type'],
    filter: (p) => {
      if (!p.orderKeys?.length) return undefined;
      const header = or(...p.orderKeys.map((k) => rawFilter(`ЗаказКлиента eq ${order(k)}`)));
      const lines = rawFilter(`Товары/any(d: ${p.orderKeys.map((k) => `d/ЗаказКлиента eq ${order(k)}`).join(' or ')})`);
      return and(eq('Posted', true), or(header, lines));
    },
  };
}

function mappers(f: Ut11Features): Mappers {
  const defaultsOf = (ctx: MapContext) => ctx.config.catalog.defaults;
  const positive = (v: unknown, fallback: number) => {
    const n = num(v);
    return n > 0 ? n : fallback;
  };
  const contacts = (row: Row) => rowsOf(row.КонтактнаяИнформация);
  const firstOf = (row: Row, type: string) => contacts(row).find((c) => c.Тип === type);

  return {
    toItem(row, ctx) {
      const s = fieldSources(ctx.config);
      const d = defaultsOf(ctx);
      return {
        id: str(row.Ref_Key),
        code: str(row.Code),
        article: str(row.Артикул).trim(),
        name: str(row.Description),
        // Issue 14.7: the descriptions from Описание and the site description file as catalog.descriptions says, never
        // the name (НаименованиеПолное is the full name); an item without the source leaves the field empty.
        fullName: str(row.НаименованиеПолное),
        shortDescription: ctx.config.catalog.descriptions.short === 'description' ? str(row.Описание).trim() : '',
        fullDescription: ctx.config.catalog.descriptions.full === 'description' ? str(row.Описание).trim() : '',
        groupId: refOf(row.Parent_Key),
        unitId: refOf(row.ЕдиницаИзмерения_Key),
        countryId: refOf(row.СтранаПроисхождения_Key),
        brandId: refOf(row.Марка_Key),
        manufacturerId: refOf(row.Производитель_Key),
        pictureFileId: refOf(row.ФайлКартинки_Key),
        // 11.4: the enum member name is the id (a rate is derived from it); 11.5: the catalog item.
        vatRateId: f.vat === 'catalog' ? refOf(row.СтавкаНДС_Key) : strOrNull(row.СтавкаНДС),
        minQuantity: positive(configurableValue(row, s.minQuantity, ctx), d.minQuantity),
        multiplicity: positive(configurableValue(row, s.multiplicity, ctx), d.multiplicity),
        tier1Threshold: positive(configurableValue(row, s.tier1Threshold, ctx), d.tier1Threshold),
        tier2Threshold: positive(configurableValue(row, s.tier2Threshold, ctx), d.tier2Threshold),
        soldToOrder: bool(configurableValue(row, s.soldToOrder, ctx)),
        isGoods: row.ТипНоменклатуры === undefined || row.ТипНоменклатуры === 'Товар',
        deleted: bool(row.DeletionMark),
        // Present only for an item sold in characteristics (issue 17).
        ...withValue('characteristicsOwnerId', characteristicsOwnerOf(row)),
      };
    },
    toGroup: (row) => ({
      id: str(row.Ref_Key),
      parentId: refOf(row.Parent_Key),
      code: str(row.Code),
      name: str(row.Description),
      deleted: bool(row.DeletionMark),
    }),
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
        retailPriceKindId: refOf(row.РозничныйВидЦены_Key),
        isShop: row.ТипСклада === 'РозничныйМагазин',
        deleted: bool(row.DeletionMark),
      };
    },
    citiesOf: (warehouses) =>
      [...new Set(warehouses.filter((w) => !w.deleted && w.city).map((w) => w.city as string))].sort((a, b) => a.localeCompare(b, 'ru')),
    toPriceKind: (row) => ({
      id: str(row.Ref_Key),
      name: str(row.Description),
      currencyId: refOf(row.ВалютаЦены_Key),
      includesVat: bool(row.ЦенаВключаетНДС),
      deleted: bool(row.DeletionMark),
    }),
    toPrice: (row) => ({
      itemId: str(row.Номенклатура_Key),
      priceKindId: str(row.ВидЦены_Key),
      price: num(row.Цена),
      characteristicId: refOf(f.priceRegister === 'InformationRegister_ЦеныНоменклатуры25' ? row.ХарактеристикаЦО_Key : row.Характеристика_Key),
      packagingId: refOf(row.Упаковка_Key),
      currencyId: refOf(row.Валюта_Key),
      period: date(row.Period),
    }),
    toStock(row) {
      const onHand = num(row.ВНаличииBalance);
      const reserved = f.stock === 'AccumulationRegister_ТоварыНаСкладах' ? num(row.КОтгрузкеBalance) : num(row.ВРезервеСоСкладаBalance) + num(row.ВРезервеПодЗаказBalance);
      return {
        itemId: str(row.Номенклатура_Key),
        warehouseId: str(row.Склад_Key),
        onHand,
        reserved,
        available: Math.max(0, Math.round((onHand - reserved) * 1000) / 1000),
        ...withValue('characteristicId', refOf(row.Характеристика_Key)),
      };
    },
    toReserve: (row) => ({ itemId: str(row.Номенклатура_Key), warehouseId: str(row.Склад_Key), reserved: num(row.ВРезервеBalance), ...withValue('characteristicId', refOf(row.Характеристика_Key)) }),
    toBarcode: (row) => ({
      barcode: str(row.Штрихкод).trim(),
      itemId: str(row.Номенклатура_Key),
      packagingId: refOf(row.Упаковка_Key),
      ...withValue('characteristicId', refOf(row.Характеристика_Key)),
    }),
    toItemProperties: (row) => ({ itemId: str(row.Ref_Key), properties: propertiesOf(row) ?? [] }),
    toCharacteristicProperties: (row) => ({ characteristicId: str(row.Ref_Key), properties: propertiesOf(row) ?? [] }),
    toItemDescriptionFile: (row) => ({ itemId: str(row.Ref_Key), fileId: refOf(row.ФайлОписанияДляСайта_Key) }),
    toItemPackagingSet: (row) => ({ itemId: str(row.Ref_Key), setId: refOf(row.НаборУпаковок_Key) }),
    toItemVatRate: (row) => ({ itemId: str(row.Номенклатура_Key), countryId: refOf(row.Страна_Key), vatRateId: refOf(row.СтавкаНДС_Key) }),
    toProperty: (row) => ({ id: str(row.Ref_Key), name: str(row.Имя) || str(row.Description), title: str(row.Заголовок) || str(row.Description) }),
    toPropertyValue: (row) => ({ id: str(row.Ref_Key), propertyId: refOf(row.Owner_Key), name: str(row.Description), deleted: bool(row.DeletionMark) || bool(row.IsFolder) }),
    toClientAgreement(row, now = new Date()) {
      // An empty date is 0001-01-01: no bound.
      const bound = (v: unknown) => {
        const d = date(v);
        return d && d.getUTCFullYear() > 1 ? d : null;
      };
      const from = bound(row.ДатаНачалаДействия);
      const to = bound(row.ДатаОкончанияДействия);
      return {
        id: str(row.Ref_Key),
        partnerId: refOf(row.Партнер_Key),
        priceKindId: refOf(row.ВидЦен_Key) ?? refOf(row.ИндивидуальныйВидЦены_Key),
        inForce: !bool(row.DeletionMark) && row.Статус === 'Действует' && !(from && from > now) && !(to && to < now),
        ...(typeof row.ЦенаВключаетНДС === 'boolean' ? { includesVat: row.ЦенаВключаетНДС } : {}),
      };
    },
    toCharacteristic: (row) => ({
      id: str(row.Ref_Key),
      name: str(row.Description),
      fullName: str(row.НаименованиеПолное),
      ownerId: refOf(row.Owner_Key) ?? refOf(row.Owner),
      pricingId: refOf(row.ХарактеристикаНоменклатурыДляЦенообразования_Key),
      deleted: bool(row.DeletionMark),
    }),
    toUnit(row) {
      // Owner is composite: only an item's own packagings belong to it (a НаборыУпаковок owner is shared by items).
      const owner = refOf(row.Owner_Key) ?? (str(row.Owner_Type).endsWith(S.items) ? refOf(row.Owner) : null);
      const numerator = num(row.Числитель);
      const denominator = num(row.Знаменатель);
      return {
        id: str(row.Ref_Key),
        code: str(row.Code),
        name: str(row.Description),
        fullName: str(row.НаименованиеПолное),
        itemId: owner,
        baseUnitId: refOf(row.ЕдиницаИзмерения_Key),
        ratio: numerator > 0 ? numerator / (denominator > 0 ? denominator : 1) : 1,
        deleted: bool(row.DeletionMark),
        setId: str(row.Owner_Type).endsWith('Catalog_НаборыУпаковок') ? refOf(row.Owner) : null,
      };
    },
    toCountry: (row) => ({
      id: str(row.Ref_Key),
      code: str(row.Code),
      name: str(row.Description),
      fullName: str(row.НаименованиеПолное),
      alpha2: str(row.КодАльфа2),
    }),
    toBrand: (row) => ({ id: str(row.Ref_Key), name: str(row.Description), manufacturerId: refOf(row.Производитель_Key) }),
    toManufacturer: (row) => ({ id: str(row.Ref_Key), name: str(row.Description) }),
    toFileVolume: (row) => ({
      id: str(row.Ref_Key),
      name: str(row.Description),
      windowsPath: str(row.ПолныйПутьWindows),
      linuxPath: str(row.ПолныйПутьLinux),
    }),
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
    toVatRate: (row) => ({
      id: str(row.Ref_Key),
      rate: row.PredefinedDataName === 'БезНДС' || row.ПеречислениеСтавкаНДС === 'БезНДС' ? null : num(row.Ставка),
    }),
    vatRateOfId: (id) => (f.vat === 'enum' ? enumVatRate(id) : undefined),
    itemVatField: f.vat === 'catalog' ? 'СтавкаНДС_Key' : 'СтавкаНДС',
    pictureBytes(row) {
      const b64 = row.ДвоичныеДанныеФайла_Base64Data ?? row.ДвоичныеДанные_Base64Data;
      if (typeof b64 === 'string' && b64.length) return Buffer.from(b64, 'base64');
      const raw = row.ДвоичныеДанныеФайла ?? row.ДвоичныеДанные;
      if (raw instanceof Uint8Array && raw.length) return Buffer.from(raw);
      return null;
    },
    toClient(partner, counterparty) {
      const c = counterparty ?? null;
      const legal = c ? str(c.ЮрФизЛицо) : '';
      const kind = legal === 'ИндивидуальныйПредприниматель' ? 'entrepreneur' : legal === 'ЮрЛицо' || legal === 'ЮрЛицоНеРезидент' ? 'company' : legal === 'ФизЛицо' ? 'person' : partner.ЮрФизЛицо === 'Компания' ? 'company' : 'person';
      const phone = rowsOf(partner.КонтактнаяИнформация).find((r) => r.Тип === 'Телефон');
      const email = rowsOf(partner.КонтактнаяИнформация).find((r) => r.Тип === 'АдресЭлектроннойПочты');
      return {
        partnerId: str(partner.Ref_Key),
        counterpartyId: c ? str(c.Ref_Key) : null,
        externalId: strOrNull(partner[EXT_ID]) ?? (c ? strOrNull(c[EXT_ID]) : null),
        name: str(partner.Description),
        fullName: str(partner.НаименованиеПолное) || str(c?.НаименованиеПолное),
        inn: c ? strOrNull(c.ИНН) : null,
        kpp: c ? strOrNull(c.КПП) : null,
        kind,
        phone: strOrNull(phone?.НомерТелефона) ?? strOrNull(phone?.Представление),
        email: strOrNull(email?.АдресЭП) ?? strOrNull(email?.Представление),
        deleted: bool(partner.DeletionMark),
      };
    },
    toClientBalance(rows) {
      if (f.settlementTerms) {
        return { debt: round2(rows.reduce((s, r) => s + num(r.ДолгBalance), 0)), prepaid: round2(rows.reduce((s, r) => s + num(r.ПредоплатаBalance), 0)) };
      }
      const sum = round2(rows.reduce((s, r) => s + num(r.СуммаBalance), 0));
      return { debt: sum > 0 ? sum : 0, prepaid: sum < 0 ? -sum : 0 };
    },
    toOrder: (row) => ({
      id: str(row.Ref_Key),
      number: str(row.Number),
      date: date(row.Date),
      externalId: strOrNull(row[EXT_ID]) ?? strOrNull(row.НомерПоДаннымКлиента),
      status: str(row.Статус),
      total: num(row.СуммаДокумента),
      posted: bool(row.Posted),
      deleted: bool(row.DeletionMark),
      partnerId: refOf(row.Партнер_Key),
      warehouseId: refOf(row.Склад_Key),
      settlementObjectId: refOf(row.ОбъектРасчетов_Key),
      asInvoice: bool(row.ЭтоЗаказКакСчет),
    }),
    toPayment: (row) => ({
      id: str(row.Ref_Key),
      number: str(row.Number),
      date: date(row.Date),
      externalId: strOrNull(row[EXT_ID]) ?? strOrNull(row.ИдентификаторДокумента) ?? (MARKER_RE.exec(str(row.Комментарий))?.[1] ?? null),
      amount: num(row.СуммаДокумента),
      operation: str(row.ХозяйственнаяОперация),
      posted: bool(row.Posted),
      orderIds: rowsOf(row.РасшифровкаПлатежа).flatMap((r) => {
        const out: string[] = [];
        if (str(r.ОснованиеПлатежа_Type).endsWith(S.orders) || (r.ОснованиеПлатежа_Type === undefined && refOf(r.ОснованиеПлатежа))) out.push(str(r.ОснованиеПлатежа));
        // 11.4 settles through the composite Заказ.
        if (str(r.Заказ_Type).endsWith(S.orders) && refOf(r.Заказ) && !out.includes(str(r.Заказ))) out.push(str(r.Заказ));
        return out;
      }),
      settlementObjectIds: rowsOf(row.РасшифровкаПлатежа).map((r) => refOf(r.ОбъектРасчетов_Key)).filter((k): k is string => !!k),
      counterpartyId: refOf(row.Контрагент_Key),
      lines: rowsOf(row.РасшифровкаПлатежа).map((r) => ({
        settlementObjectId: refOf(r.ОбъектРасчетов_Key),
        orderId: str(r.Заказ_Type).endsWith(S.orders) ? refOf(r.Заказ) : null,
        amount: num(r.Сумма),
      })),
    }),
    toOrganisation(row) {
      const address = firstOf(row, 'Адрес');
      const phone = firstOf(row, 'Телефон');
      return {
        id: str(row.Ref_Key),
        name: str(row.Description),
        fullName: str(row.НаименованиеПолное),
        inn: str(row.ИНН).trim(),
        kpp: str(row.КПП).trim(),
        ogrn: str(row.ОГРН).trim(),
        address: strOrNull(address?.Представление),
        phone: strOrNull(phone?.Представление),
        ...(row.СтранаРегистрации_Key !== undefined ? { countryId: refOf(row.СтранаРегистрации_Key) } : {}),
      };
    },
    toBankAccount: (row) => ({
      id: str(row.Ref_Key),
      organisationId: refOf(row.Owner_Key),
      number: str(row.НомерСчета).trim(),
      bankId: refOf(row.Банк_Key),
    }),
    toBank: (row) => ({ id: str(row.Ref_Key), name: str(row.Description), bik: str(row.Code).trim(), correspondentAccount: str(row.КоррСчет).trim() }),
    toConfigurationVersion(rows) {
      const main = rows.find((r) => bool(r.ЭтоОсновнаяКонфигурация));
      return {
        name: str(main?.ИмяПодсистемы),
        version: str(main?.Версия),
        subsystems: rows.filter((r) => r !== main).map((r) => ({ name: str(r.ИмяПодсистемы), version: str(r.Версия) })),
      };
    },
    platformOf: (rows) => strOrNull(rows.find((r) => r.Параметр === 'ВерсияПлатформы')?.Значение),
    // WRITE-RULES §8: a sale names its order in the header's composite ЗаказКлиента and in each line's (both dumps'
    // Documents/РеализацияТоваровУслуг.xml).
    toShipment: (row) => {
      const orderOf = (ref: unknown, type: unknown) => (str(type).endsWith(S.orders) ? refOf(ref) : null);
      return {
        id: str(row.Ref_Key),
        number: str(row.Number),
        posted: bool(row.Posted),
        deletionMark: bool(row.DeletionMark),
        orderId: orderOf(row.ЗаказКлиента, row.ЗаказКлиента_Type),
        lines: rowsOf(row.Товары).map((l) => ({ itemId: str(l.Номенклатура_Key), quantity: num(l.Количество), orderId: orderOf(l.ЗаказКлиента, l.ЗаказКлиента_Type) })),
      };
    },
    toOrderStatus: (row) => ({
      orderId: str(row.Заказ_Key),
      period: date(row.Period),
      orderStatus: num(row.СтатусЗаказа),
      paymentStatus: num(row.СтатусОплаты),
      paidAmount: num(row.СуммаОплаты),
      comment: str(row.Комментарий),
    }),
    toCardPayment: (row) => ({
      orderId: str(row.Заказ_Key),
      transactionId: str(row.ИдентификаторТранзакции),
      provider: str(row.Провайдер),
      rrn: str(row.RRN),
      authCode: str(row.КодАвторизации),
      cardMask: str(row.МаскаКарты),
      amount: num(row.Сумма),
      paidAt: date(row.ДатаОплаты),
    }),
    propertyKeysOf(rows) {
      const m = new Map<string, string>();
      for (const r of rows) {
        // Matched by Имя first, then by the visible title (administrators know the title, not the name).
        for (const n of [r.Имя, r.Заголовок, r.Description]) if (n && !m.has(String(n))) m.set(String(n), str(r.Ref_Key));
      }
      return m;
    },
  };
}

// ---------------------------------------------------------------- building write bodies

const LEGAL: Record<ClientInput['kind'], string> = { company: 'ЮрЛицо', person: 'ФизЛицо', entrepreneur: 'ИндивидуальныйПредприниматель' };

/**
 * The predefined contact information kinds of partners and counterparties (Catalog.ВидыКонтактнойИнформации,
 * Ext/Predefined.xml of both dumps, the same vendor ids in 11.4.2 and 11.5.20): УТ's forms show a row under its
 * kind (Вид), so a phone, e-mail or address written without one is not where a manager looks for it.
 */
export const CONTACT_KINDS = {
  partner: { phone: '4ccde34f-a699-4094-961d-3f7025e31cfc', email: 'c642474d-1f0e-4903-80ec-f753f7e840f1', address: 'dad59784-79a7-4c73-a0d1-617941d288b2' }, // ТелефонПартнера, EmailПартнера, АдресПартнера
  counterparty: { phone: '0ea7e879-f4ea-489f-9fa3-514724e2f665', email: '66ab625e-951a-4d47-a17a-e0250413721d', address: 'c0655b81-0ed2-43b9-804c-df16d5ebdf23' }, // ТелефонКонтрагента, EmailКонтрагента, ФактАдресКонтрагента
} as const;

/** Rows of КонтактнаяИнформация for what the client gave: Тип, the predefined Вид of the owner, Представление. */
function contactRows(c: Partial<ClientInput>, owner: keyof typeof CONTACT_KINDS = 'partner'): Row[] {
  const kinds = CONTACT_KINDS[owner];
  const out: Row[] = [];
  if (c.phone) out.push({ Тип: 'Телефон', Вид_Key: kinds.phone, Представление: c.phone, НомерТелефона: c.phone });
  if (c.email) out.push({ Тип: 'АдресЭлектроннойПочты', Вид_Key: kinds.email, Представление: c.email, АдресЭП: c.email });
  // A free-form address: the presentation as the shop sent it (УТ keeps such an address as entered).
  if (c.address) out.push({ Тип: 'Адрес', Вид_Key: kinds.address, Представление: c.address });
  return out.map((r, i) => ({ LineNumber: i + 1, ...r }));
}

function paymentLines(f: Ut11Features, p: PaymentInput, refs: PaymentRefs, withBasis = true): Row[] {
  const orderType = `StandardODATA.${S.orders}`;
  // 11.4 settles through the composite Заказ (FACTS.md, РасшифровкаПлатежа); 11.5 names the order in ОснованиеПлатежа.
  const order = f.settlement === 'order' ? { Заказ: p.orderKey, Заказ_Type: orderType } : {};
  return [
    {
      LineNumber: 1,
      Партнер_Key: refs.partnerKey,
      ...(withBasis
        ? {
            ОснованиеПлатежа: p.orderKey,
            ОснованиеПлатежа_Type: orderType,
            ...order,
            // 11.5 pays an order only through its ОбъектРасчетов; ОснованиеПлатежа alone leaves an unallocated advance
            // (WRITE-RULES §2, rule 7: ОбъектыРасчетовСервер 59-170).
            ...(f.settlement === 'object' ? { ОбъектРасчетов_Key: refs.settlementObjectKey ?? null } : {}),
          }
        : f.settlement === 'object'
          ? { ...(f.refundLineCounterparty ? { Контрагент_Key: refs.counterpartyKey } : {}), ОбъектРасчетов_Key: refs.settlementObjectKey ?? null }
          : order),
      Сумма: round2(p.amount),
      СуммаВзаиморасчетов: round2(p.amount),
      ВалютаВзаиморасчетов_Key: refs.currencyKey,
      ...(refs.cashFlowItemKey ? { СтатьяДвиженияДенежныхСредств_Key: refs.cashFlowItemKey } : {}),
    },
  ];
}

function builders(f: Ut11Features, config: Config): Builders {
  const ext = config.onec.extension;
  /** The payment's external id where this base keeps it (see reads: extension, ИдентификаторДокумента, Комментарий marker). */
  const idOf = (externalId: string, comment: string): Row =>
    ext ? { [EXT_ID]: externalId, Комментарий: comment } : f.documentId ? { ИдентификаторДокумента: externalId, Комментарий: comment } : { Комментарий: `${comment} ${commentMarker(externalId)}`.trim() };
  const cardDoc = (operation: string, p: PaymentInput, refs: PaymentRefs, done: boolean): Row => ({
    Date: p.date,
    ХозяйственнаяОперация: operation,
    Организация_Key: refs.organisationKey,
    Контрагент_Key: refs.counterpartyKey,
    ...(f.paymentPartner ? { Партнер_Key: refs.partnerKey } : {}),
    СуммаДокумента: round2(p.amount),
    Валюта_Key: refs.currencyKey,
    НомерПлатежнойКарты: p.cardMask ?? '',
    КодАвторизации: p.authCode ?? '',
    ОплатаВыполнена: done,
    // A card operation names its terminal and (11.5) acquiring contract (WRITE-RULES §3: ОперацияПоПлатежнойКарте.xml
    // 286-512); a refund's basis is the payment it returns (ДенежныеСредстваСервер 4624-4632), a payment's the order.
    ЭквайринговыйТерминал_Key: refs.acquiringTerminalKey ?? null,
    ...(f.acquiringContract ? { ДоговорЭквайринга_Key: refs.acquiringContractKey ?? null } : {}),
    ...(f.cardBasis
      ? refs.basisPaymentKey
        ? { ДокументОснование: refs.basisPaymentKey, ДокументОснование_Type: `StandardODATA.${S.cardOps}` }
        : { ДокументОснование: p.orderKey, ДокументОснование_Type: `StandardODATA.${S.orders}` }
      : {}),
    ...idOf(p.externalId, p.comment ?? ''),
    РасшифровкаПлатежа: paymentLines(f, p, refs),
  });
  const bankDoc = (set: 'in' | 'out', p: PaymentInput, refs: PaymentRefs): Row => ({
    Date: p.date,
    ХозяйственнаяОперация: set === 'in' ? 'ПоступлениеОплатыОтКлиента' : 'ВозвратОплатыКлиенту',
    Организация_Key: refs.organisationKey,
    БанковскийСчет_Key: refs.bankAccountKey ?? null,
    Контрагент_Key: refs.counterpartyKey,
    ...(f.paymentPartner ? { Партнер_Key: refs.partnerKey } : {}),
    СуммаДокумента: round2(p.amount),
    Валюта_Key: refs.currencyKey,
    НазначениеПлатежа: p.purpose ?? '',
    // As УТ's КлиентБанк loader fills a receipt (WRITE-RULES §4: КлиентБанкСервер 80-91 ТипПлатежногоДокумента from
    // the section name, 627-646 Номер/Дата/Код, 665-676 ПроведеноБанком), so its duplicate test (2823-3073: account,
    // day, number, type, payer account) recognises ours if the accountant loads the same statement too.
    ...(set === 'in'
      ? {
          НомерВходящегоДокумента: p.incomingNumber ?? '',
          ДатаВходящегоДокумента: p.incomingDate ?? p.date,
          ТипПлатежногоДокумента: paymentDocumentType(p.documentKind),
          ...(p.paymentCode ? { ИдентификаторПлатежа: p.paymentCode } : {}),
          ...(refs.payerAccountKey ? { БанковскийСчетКонтрагента_Key: refs.payerAccountKey } : {}),
          ПроведеноБанком: true,
          ДатаПроведенияБанком: p.incomingDate ?? p.date,
        }
      : { ДокументОснование: p.orderKey, ДокументОснование_Type: `StandardODATA.${S.orders}` }),
    ...idOf(p.externalId, p.comment ?? ''),
    РасшифровкаПлатежа: paymentLines(f, p, refs, set === 'in'),
  });

  return {
    partnerBody: (c) => ({
      Description: c.name.slice(0, 100),
      НаименованиеПолное: c.fullName ?? c.name,
      Клиент: true,
      ЮрФизЛицо: c.kind === 'person' ? 'ЧастноеЛицо' : 'Компания',
      Комментарий: c.comment ?? 'Клиент Richest.store',
      ...(ext ? { [EXT_ID]: c.externalId } : {}),
      КонтактнаяИнформация: contactRows(c),
    }),
    counterpartyBody: (c, refs) => ({
      Description: c.name.slice(0, 100),
      НаименованиеПолное: c.fullName ?? c.name,
      ЮрФизЛицо: LEGAL[c.kind],
      ИНН: c.inn ?? '',
      КПП: c.kind === 'company' ? (c.kpp ?? '') : '',
      Партнер_Key: refs.partnerKey,
      СтранаРегистрации_Key: refs.countryKey ?? null,
      ...(ext ? { [EXT_ID]: c.externalId } : {}),
      КонтактнаяИнформация: contactRows(c, 'counterparty'),
    }),
    clientPatch(c) {
      const partner: Row = {};
      const counterparty: Row = {};
      if (c.name !== undefined) {
        partner.Description = counterparty.Description = c.name.slice(0, 100);
      }
      if (c.fullName !== undefined) partner.НаименованиеПолное = counterparty.НаименованиеПолное = c.fullName;
      if (c.kind !== undefined) {
        partner.ЮрФизЛицо = c.kind === 'person' ? 'ЧастноеЛицо' : 'Компания';
        counterparty.ЮрФизЛицо = LEGAL[c.kind];
      }
      if (c.inn !== undefined) counterparty.ИНН = c.inn;
      if (c.kpp !== undefined) counterparty.КПП = c.kpp;
      if (c.phone !== undefined || c.email !== undefined || c.address !== undefined) {
        partner.КонтактнаяИнформация = contactRows(c);
        counterparty.КонтактнаяИнформация = contactRows(c, 'counterparty');
      }
      return { partner, counterparty };
    },
    orderDocument(order, refs) {
      const includesVat = refs.pricesIncludeVat ?? true;
      const lines = order.lines.map((l, i) => {
        // The amount ReGate computed and answered (kopecks, half up): 1C's total must equal what the card pays.
        const sum = l.amount ?? round2(l.price * l.quantity);
        const rate = l.vatRate ?? 0;
        const ratio = l.packagingId && l.packagingRatio ? l.packagingRatio : 1;
        // ЦенаВключаетНДС false (the agreement's or price kind's, WRITE-RULES §1.2): VAT comes on top of the amount, as
        // УТ's form computes it (ЦенообразованиеКлиентСервер: СуммаСНДС = Сумма + СуммаНДС).
        const vat = rate ? round2(includesVat ? (sum * rate) / (100 + rate) : (sum * rate) / 100) : 0;
        return {
          LineNumber: i + 1,
          Номенклатура_Key: l.itemId,
          // Issue 17: the variant sold (Товары.Характеристика, CatalogRef.ХарактеристикиНоменклатуры in both dumps).
          Характеристика_Key: l.characteristicId ?? null,
          Упаковка_Key: l.packagingId ?? null,
          // Issue 17: a line sold by a packaging (a box of 12) counts packagings in КоличествоУпаковок and units in
          // Количество = КоличествоУпаковок × the packaging's ratio (ОбработкаТабличнойЧастиКлиентСервер 1008-1029), and
          // its Цена is per packaging: УТ computes Сумма = Цена × КоличествоУпаковок (1422-1435; work1cblackbird/ut11
          // @cdf1be4f CommonModules/ОбработкаТабличнойЧастиКлиентСервер/Ext/Module.bsl). Without one both count units.
          КоличествоУпаковок: Math.round((l.quantity / ratio) * 1000) / 1000,
          Количество: l.quantity,
          ВидЦены_Key: l.priceKindId ?? refs.priceKindKey ?? null,
          // One packaging's Цена as pricing.ts charged it (half up in kopecks; round2 of a float rounded 0.035 down).
          Цена: ratio === 1 ? l.price : toRoubles(packPriceKopecks(toKopecks(l.price), ratio)),
          Сумма: sum,
          ...(f.vat === 'catalog' ? { СтавкаНДС_Key: l.vatRateId ?? null } : { СтавкаНДС: l.vatRateId ?? '' }),
          СуммаНДС: vat,
          СуммаСНДС: includesVat ? sum : round2(sum + vat),
          Склад_Key: refs.warehouseKey,
          // A web order reserves from the warehouse, as a manager's order «К выполнению» does (WRITE-RULES §1.6:
          // СоСклада → ТоварыКОтгрузке.ВРезерве / ЗапасыИПотребности.РезервироватьНаСкладе; empty reserves nothing).
          ВариантОбеспечения: 'СоСклада',
          ДатаОтгрузки: order.date,
          КодСтроки: i + 1,
          Отменено: false,
        };
      });
      const total = round2(lines.reduce((s, l) => s + l.СуммаСНДС, 0));
      return {
        Date: order.date,
        Организация_Key: refs.organisationKey,
        Партнер_Key: refs.partnerKey,
        Контрагент_Key: refs.counterpartyKey,
        Склад_Key: refs.warehouseKey,
        Валюта_Key: refs.currencyKey,
        // An order as invoice posts only «На согласовании» (11.5 ObjectModule.bsl:379-390); else «К выполнению».
        Статус: order.asInvoice ? 'НеСогласован' : 'КОбеспечению',
        Согласован: !order.asInvoice,
        // Sent, not left to the FillValue: УТ's site loader sets every header field (WRITE-RULES §1.2–1.3).
        // The configuration's own FillValue: ПоЗаказам in 11.5.20; 11.4.2's enum has no ПоЗаказам, its default is
        // ПоЗаказамНакладным (Documents/ЗаказКлиента.xml FillValue, Enums/ПорядокРасчетов.xml of each dump).
        ПорядокРасчетов: f.settlement === 'object' ? 'ПоЗаказам' : 'ПоЗаказамНакладным',
        ДатаОтгрузки: order.date,
        // The shop priced the order; automatic discounts must not refuse its posting (ObjectModule.bsl:392-409), as
        // УТ's own site loader marks them computed (ОбменССайтомПереопределяемый 2546-2548).
        СкидкиРассчитаны: true,
        ХозяйственнаяОперация: 'РеализацияКлиенту',
        ФормаОплаты: order.paymentForm === 'card' ? 'ПлатежнаяКарта' : order.paymentForm === 'cash' ? 'Наличная' : 'Безналичная',
        БанковскийСчет_Key: refs.bankAccountKey ?? null,
        // The agreement gives ЦенаВключаетНДС, else the price kind (WRITE-RULES §1.2: ObjectModule.bsl:67-262,
        // ПродажиСервер 5560-5650); НалогообложениеНДС the contract's, activity's or accounting policy's
        // (УчетНДСУП 1825-1940), here the configured or the 11.4 agreement's (context.orderTerms).
        ...(refs.agreementKey ? { Соглашение_Key: refs.agreementKey } : {}),
        ЦенаВключаетНДС: includesVat,
        НалогообложениеНДС: refs.vatTaxation ?? 'ПродажаОблагаетсяНДС',
        СуммаДокумента: total,
        АдресДоставки: order.deliveryAddress,
        Комментарий: order.comment ?? '',
        // String(50) from 11.5.20, String(30) before (FACTS.md): 1C cuts longer values silently.
        НомерПоДаннымКлиента: order.externalId.slice(0, f.clientNumberLength),
        ДатаПоДаннымКлиента: order.date,
        ...(ext ? { [EXT_ID]: order.externalId } : {}),
        МаксимальныйКодСтроки: lines.length,
        Товары: lines,
      };
    },
    // A changed order: its lines as orderDocument builds them, each remaining item keeping its КодСтроки and new ones
    // numbered after МаксимальныйКодСтроки (КодСтроки is a dimension of РаспоряженияНаОтгрузку; a row sent with 0 gets
    // a new code: WRITE-RULES §1.7, ЗаказыСервер 12-33). The tabular part goes whole (§1.7: a PATCH replaces it), the
    // header's Статус stays as it is; the caller posts again (a plain write clears Согласован, §1.7).
    orderUpdatePatch(order, refs, config, current) {
      const body = this.orderDocument(order, refs, config);
      const old = Array.isArray(current.Товары) ? (current.Товары as Row[]) : [];
      // A line is the item and its characteristic (issue 17: two sizes of one item are two lines).
      const lineKey = (l: Row) => `${String(l.Номенклатура_Key)}|${refOf(l.Характеристика_Key) ?? ''}`;
      const codeOf = new Map(old.filter((l) => l.Отменено !== true && Number(l.КодСтроки) > 0).map((l) => [lineKey(l), Number(l.КодСтроки)]));
      let max = Math.max(Number(current.МаксимальныйКодСтроки) || 0, ...old.map((l) => Number(l.КодСтроки) || 0));
      const lines = (body.Товары as Row[]).map((l) => ({ ...l, КодСтроки: codeOf.get(lineKey(l)) ?? ++max }));
      return {
        Товары: lines,
        МаксимальныйКодСтроки: max,
        СуммаДокумента: body.СуммаДокумента,
        АдресДоставки: body.АдресДоставки,
        Комментарий: body.Комментарий,
      };
    },
    // Cancel = Отменено + ПричинаОтмены on every line, Статус Закрыт (WRITE-RULES §1.7: 11.5 ManagerModule.bsl:2616-2646);
    // a line already cancelled keeps its own reason.
    cancelOrderPatch: (current, reasonKey) => ({
      Статус: 'Закрыт',
      Товары: current.map((l, i) => ({
        ...l,
        LineNumber: i + 1,
        Отменено: true,
        ...(reasonKey && !(l.Отменено === true && typeof l.ПричинаОтмены_Key === 'string' && !/^0{8}-/.test(l.ПричинаОтмены_Key)) ? { ПричинаОтмены_Key: reasonKey } : {}),
      })),
    }),
    cardPaymentDocument: (p, refs) => cardDoc('ПоступлениеОплатыОтКлиента', p, refs, true),
    bankPaymentDocument: (p, refs) => bankDoc('in', p, refs),
    cardRefundDocument: (p, refs) => cardDoc('ВозвратОплатыКлиенту', p, refs, false),
    bankRefundDocument: (p, refs) => bankDoc('out', p, refs),
    orderStatusRecord: (s) => ({
      Period: s.period,
      Заказ_Key: s.orderKey,
      СтатусЗаказа: s.orderStatus,
      СтатусОплаты: s.paymentStatus,
      СуммаОплаты: round2(s.paidAmount),
      Комментарий: (s.comment ?? '').slice(0, 200),
    }),
    cardPaymentRecord: (p) => ({
      Заказ_Key: p.orderKey,
      ИдентификаторТранзакции: p.transactionId,
      Провайдер: p.provider,
      RRN: p.rrn,
      КодАвторизации: p.authCode,
      МаскаКарты: p.cardMask,
      Сумма: round2(p.amount),
      ДатаОплаты: p.paidAt,
    }),
  };
}

/**
 * The УТ 11 profile for a base with the given features (detected from its $metadata or its dump; by default the
 * facts of the real 11.5.20 or 11.4.2 dump the id stands for).
 */
export function ut11Profile(id: ProfileId, config: Config, features?: Ut11Features): Profile {
  const f = features ?? defaultFeatures(id, config.onec.extension);
  return {
    id,
    family: 'УТ 11',
    configurationName: 'УправлениеТорговлей',
    minVersion: id === 'ut11.5' ? '11.5' : '11.4',
    // Товары.Упаковка / КоличествоУпаковок / Количество (orderDocument; ERP's profile is this one renamed).
    sellsByPackaging: true,
    features: f,
    reads: reads(f, config),
    writes: writes(f, config),
    map: mappers(f),
    build: builders(f, config),
    fieldSources: fieldSources(config),
    cashFlowPredefined: { receipt: 'ПоступлениеОплатыОтКлиента', refund: 'ВозвратОплатыКлиенту' },
  };
}
