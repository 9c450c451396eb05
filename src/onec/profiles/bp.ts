import type { Config } from '../../config/schema.js';
import { eq, or } from '../filter.js';
import { EMPTY_REF, guid } from '../url.js';
import { defaultFeatures, type Ut11Features } from './features.js';
import type { Mappers, Profile, ReadSpec } from './types.js';
import { ut11Profile } from './ut11.js';

/**
 * БП 3.0 (БухгалтерияПредприятия) — what ReGate can read from it, on the real dump
 * ../shared/reference/dumps/bp-3.0.198-xml (3.0.198.19); every name below is in that dump as our reader publishes it
 * (test/configurations/bp.test.ts). MAP.md maps the concepts.
 *
 * Reads: items (Номенклатура: Артикул, НаименованиеПолное, Услуга, ЕдиницаИзмерения → КлассификаторЕдиницИзмерения,
 * ВидСтавкиНДС, Производитель → Контрагенты; no ФайлКартинки), groups, warehouses (Склады with КонтактнаяИнформация,
 * ТипЦенРозничнойТорговли), price kinds (ТипыЦенНоменклатуры) and prices (InformationRegister.ЦеныНоменклатуры by ТипЦен,
 * periodic by day, recorder-subordinate), barcodes (ШтрихкодыНоменклатуры: Штрихкод → Номенклатура), units and
 * packagings (УпаковкиНоменклатуры, Коэффициент), countries, makers, clients (Контрагенты), organisation, bank accounts.
 *
 * What it cannot offer is in `limits`. Stock and settlements live in AccountingRegister.Хозрасчетный (balances on
 * accounts 41.01 / 62.01 / 62.02 by subconto, whose kinds for 41 are not fixed in the metadata: MAP.md warns), which
 * ReGate's reader and the emulator do not publish yet; without stock the shop has nothing to sell from a warehouse.
 */

const S = {
  items: 'Catalog_Номенклатура',
  warehouses: 'Catalog_Склады',
  priceKinds: 'Catalog_ТипыЦенНоменклатуры',
  prices: 'InformationRegister_ЦеныНоменклатуры',
  barcodes: 'InformationRegister_ШтрихкодыНоменклатуры',
  units: 'Catalog_КлассификаторЕдиницИзмерения',
  packagings: 'Catalog_УпаковкиНоменклатуры',
  counterparties: 'Catalog_Контрагенты',
  bankAccounts: 'Catalog_БанковскиеСчета',
} as const;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : 0);
const refOf = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== EMPTY_REF ? v : null);
const bool = (v: unknown): boolean => v === true || v === 'true';

export function bpFeatures(): Ut11Features {
  return { ...defaultFeatures('ut11.4', false), vat: 'enum', fileBytes: 'storage', priceRegister: 'InformationRegister_ЦеныНоменклатуры', stock: 'AccumulationRegister_ТоварыНаСкладах', countryOfOrigin: true, extension: false };
}

export const BP_LIMITS = [
  'остатки (stock): в БП 3.0 количество товара — остатки регистра бухгалтерии Хозрасчетный на счетах 41.01/43 по субконто (виды субконто счета 41 в метаданных не заданы, их надо читать из плана счетов базы); регистр бухгалтерии ReGate пока не читает — ассортимент будет без остатков',
  'резервы и заказы: в БП нет заказа покупателя (ни ЗаказКлиента, ни ЗаказПокупателя); ближайший документ — СчетНаОплатуПокупателю, который ничего не резервирует. booking в БП означал бы только счёт (статусы 0 → 1, и 3 после оплаты по выписке); ReGate его пока не пишет',
  'баланс клиента: взаиморасчёты в БП — остатки Хозрасчетный на 62.01/62.02 по субконто Контрагенты/Договоры; ReGate их пока не читает',
  'оплаты: ОплатаПлатежнойКартой, ПоступлениеНаРасчетныйСчет, СписаниеСРасчетногоСчета есть, но их запись ReGate не описана (правила проводок БП не разобраны)',
  'картинки: у Номенклатура БП нет ФайлКартинки; ReGate берёт присоединённые файлы товара (НоменклатураПрисоединенныеФайлы), первый — как картинку',
];

function reads(base: Profile['reads']): Record<string, ReadSpec> {
  const r = base as Record<string, ReadSpec>;
  return {
    group: r.group,
    country: r.country,
    picture: r.picture,
    fileVolume: r.fileVolume,
    ...(r.pictureStorage ? { pictureStorage: r.pictureStorage } : {}),
    ...(r.pictureData ? { pictureData: r.pictureData } : {}),
    property: r.property,
    currency: r.currency,
    bank: r.bank,
    configurationVersion: r.configurationVersion,
    item: {
      kind: 'collection',
      set: S.items,
      why: 'assortment: article, names, description, unit, maker, country, VAT kind (ВидСтавкиНДС); Услуга = services',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'IsFolder', 'Parent_Key', 'Артикул', 'НаименованиеПолное', 'Описание', 'ЕдиницаИзмерения_Key', 'Услуга', 'Производитель_Key', 'СтранаПроисхождения_Key', 'ВидСтавкиНДС'],
      filter: () => eq('IsFolder', false),
    },
    warehouse: {
      kind: 'collection',
      set: S.warehouses,
      why: 'city / citystore: warehouses and their address',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'IsFolder', 'ТипСклада', 'ТипЦенРозничнойТорговли_Key', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/Город', 'КонтактнаяИнформация/Регион', 'КонтактнаяИнформация/НомерТелефона'],
      filter: () => eq('IsFolder', false),
    },
    city: {
      kind: 'collection',
      set: S.warehouses,
      why: 'city: the cities that have warehouses',
      select: ['Ref_Key', 'DeletionMark', 'IsFolder', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/Город', 'КонтактнаяИнформация/Регион'],
      filter: () => eq('IsFolder', false),
    },
    priceKind: { kind: 'collection', set: S.priceKinds, why: 'prices: the price types by name (ТипыЦенНоменклатуры)', select: ['Ref_Key', 'Description', 'DeletionMark', 'ВалютаЦены_Key', 'ЦенаВключаетНДС'] },
    price: {
      kind: 'sliceLast',
      register: S.prices,
      recordType: true,
      why: 'assortment: prices by ТипЦен, the last per item and type',
      select: ['Period', 'ТипЦен_Key', 'Номенклатура_Key', 'Цена', 'Валюта_Key'],
      condition: (p) => (p.priceKindKeys?.length ? or(...p.priceKindKeys.map((k) => eq('ТипЦен_Key', guid(k)))) : undefined),
    },
    barcode: { kind: 'collection', set: S.barcodes, keyFields: ['Штрихкод'], why: 'assortment: barcodes', select: ['Штрихкод', 'Номенклатура_Key'] },
    unit: { kind: 'collection', set: S.units, why: 'assortment: units (КлассификаторЕдиницИзмерения)', select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'НаименованиеПолное'] },
    packaging: { kind: 'collection', set: S.packagings, why: 'assortment: portion sizes (УпаковкиНоменклатуры of an item, Коэффициент)', select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'Owner_Key', 'ЕдиницаИзмерения_Key', 'Коэффициент'] },
    manufacturer: { kind: 'collection', set: S.counterparties, why: 'assortment: maker (Номенклатура.Производитель is a Контрагент)', select: ['Ref_Key', 'Description'], filter: () => eq('IsFolder', false) },
    counterparty: { kind: 'collection', set: S.counterparties, why: 'clients: requisites (ИНН/КПП, ЮридическоеФизическоеЛицо)', select: ['Ref_Key', 'Description', 'DeletionMark', 'НаименованиеПолное', 'ИНН', 'КПП', 'ЮридическоеФизическоеЛицо'] },
    organisation: { kind: 'collection', set: 'Catalog_Организации', why: 'state: organisation name and requisites', select: ['Ref_Key', 'Description', 'НаименованиеПолное', 'ИНН', 'КПП', 'ОГРН', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление'] },
    bankAccount: { kind: 'collection', set: S.bankAccounts, why: 'state: the organisation account (Owner composite)', select: ['Ref_Key', 'Owner', 'Owner_Type', 'НомерСчета', 'Банк_Key'] },
  };
}

function mappers(base: Mappers): Mappers {
  return {
    ...base,
    toItem(row, ctx) {
      const it = base.toItem({ ...row, ТипНоменклатуры: undefined, СтавкаНДС: row.ВидСтавкиНДС }, ctx);
      return { ...it, brandId: null, pictureFileId: null, isGoods: row.Услуга !== true };
    },
    toWarehouse: (row) => ({ ...base.toWarehouse(row), retailPriceKindId: refOf(row.ТипЦенРозничнойТорговли_Key) }),
    toPrice: (row) => ({ itemId: str(row.Номенклатура_Key), priceKindId: str(row.ТипЦен_Key), price: num(row.Цена), characteristicId: null, packagingId: null, currencyId: refOf(row.Валюта_Key), period: row.Period instanceof Date ? row.Period : null }),
    toBarcode: (row) => ({ barcode: str(row.Штрихкод).trim(), itemId: str(row.Номенклатура_Key), packagingId: null }),
    toUnit(row) {
      const isPackaging = row.Коэффициент !== undefined;
      return { id: str(row.Ref_Key), code: str(row.Code), name: str(row.Description), fullName: str(row.НаименованиеПолное), itemId: refOf(row.Owner_Key), baseUnitId: isPackaging ? refOf(row.ЕдиницаИзмерения_Key) : null, ratio: isPackaging && num(row.Коэффициент) > 0 ? num(row.Коэффициент) : 1, deleted: bool(row.DeletionMark) };
    },
    toBankAccount: (row) => ({ id: str(row.Ref_Key), organisationId: str(row.Owner_Type).endsWith('Catalog_Организации') ? refOf(row.Owner) : null, number: str(row.НомерСчета).trim(), bankId: refOf(row.Банк_Key) }),
    vatRateOfId: () => undefined,
    itemVatField: 'ВидСтавкиНДС',
  };
}

export function bpProfile(config: Config): Profile {
  const base = ut11Profile('ut11.4', { ...config, onec: { ...config.onec, extension: false } }, bpFeatures());
  return {
    ...base,
    id: 'bp',
    family: 'БП 3',
    configurationName: 'БухгалтерияПредприятия',
    minVersion: '3.0',
    reads: reads(base.reads) as Profile['reads'],
    writes: {},
    map: mappers(base.map),
    limits: BP_LIMITS,
  };
}
