import type { Config } from '../../config/schema.js';
import { and, eq, or, substringof } from '../filter.js';
import { EMPTY_REF, guid } from '../url.js';
import { defaultFeatures, type Ut11Features } from './features.js';
import type { Builders, ClientInput, Mappers, OrderClosing, PaymentInput, PaymentRefs, Profile, ReadSpec, Row, WriteSpec } from './types.js';
import { ut11Profile } from './ut11.js';

/**
 * Розница 2 — as far as the only public dump allows: ../shared/reference/dumps/roznica-2.2.12-xml, a customised 2.2.12
 * base without Configuration.xml (no vendor Розница 2.3/3.0 dump is public: ../README.md). Every name below is in that
 * dump as our reader publishes it (test/configurations/roznica-api.test.ts, select.test.ts); MAP.md maps the concepts.
 *
 * What ReGate reads: items (Номенклатура: УТ's field names, СтавкаНДС an Enum.СтавкиНДС member as in УТ 11.4), groups,
 * stores (Catalog.Магазины with their address, each selling from its СкладПродажи), price kinds (ВидыЦен, without a currency) and prices (InformationRegister.ЦеныНоменклатуры
 * by ВидЦены, recorder-subordinate), the prices applied to each shop (InformationRegister.ДействующиеЦеныНоменклатуры,
 * for shops with ИспользоватьПрименениеЦен: a store's price before its price kind's) and each shop's price kind (its
 * ПравилоЦенообразования's ВидЦен), stock (AccumulationRegister.ТоварыНаСкладах: Количество − Резерв), barcodes
 * (InformationRegister.Штрихкоды, owner composite), units (БазовыеЕдиницыИзмерения) and packagings (УпаковкиНоменклатуры,
 * Коэффициент), countries, brands (Марки) and makers (Контрагенты), pictures (bytes in ДвоичныеДанныеФайлов),
 * organisation, bank accounts, clients (Контрагенты with ЮрФизЛицо).
 * Writes (rules cited from the base's vendor modules, DeZargo/1c_retail_apple @ 896da2e1; the emulator's stand-in:
 * src/emulator/posting/roznica.ts): a client is a Контрагент; a booking a posted ЗаказПокупателя (Согласован) for the
 * shop and its sales warehouse, reserving its lines; cancelling closes it as the order form does (ROZNICA_ORDER_CLOSING);
 * a card payment a posted ОплатаОтПокупателяПлатежнойКартой on the order's shop, its terminal and the terminal's payment
 * kind, and a card refund the same document returning it, left unposted for a person (cardDoc below).
 * What it cannot offer (bank statements, price groups of pricing rules) is `limits`, printed by `regate check`.
 */

const S = {
  items: 'Catalog_Номенклатура',
  warehouses: 'Catalog_Склады',
  shops: 'Catalog_Магазины',
  priceKinds: 'Catalog_ВидыЦен',
  prices: 'InformationRegister_ЦеныНоменклатуры',
  shopPrices: 'InformationRegister_ДействующиеЦеныНоменклатуры',
  stock: 'AccumulationRegister_ТоварыНаСкладах',
  barcodes: 'InformationRegister_Штрихкоды',
  units: 'Catalog_БазовыеЕдиницыИзмерения',
  packagings: 'Catalog_УпаковкиНоменклатуры',
  counterparties: 'Catalog_Контрагенты',
  brands: 'Catalog_Марки',
  binaries: 'InformationRegister_ДвоичныеДанныеФайлов',
  orders: 'Document_ЗаказПокупателя',
  receipts: 'Document_ЧекККМ',
  cardOps: 'Document_ОплатаОтПокупателяПлатежнойКартой',
  terminals: 'Catalog_ЭквайринговыеТерминалы',
  cashFlowItems: 'Catalog_СтатьиДвиженияДенежныхСредств',
  bankAccounts: 'Catalog_БанковскиеСчетаОрганизаций',
} as const;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : 0);
const refOf = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== EMPTY_REF ? v : null);
const bool = (v: unknown): boolean => v === true || v === 'true';

/** Facts of the 2.2.12 dump in УТ's terms, for the parts of УТ's mappers that apply (VAT enum, ЦеныНоменклатуры). */
export function roznicaFeatures(): Ut11Features {
  return { ...defaultFeatures('ut11.4', false), vat: 'enum', fileBytes: 'register', priceRegister: 'InformationRegister_ЦеныНоменклатуры', stock: 'AccumulationRegister_ТоварыНаСкладах', countryOfOrigin: true, extension: false };
}

export const ROZNICA_LIMITS = [
  'склады: магазин (Catalog.Магазины, его адрес и город) продаёт со своего склада продажи (СкладПродажи); другие склады магазина (СкладПоступления, помещения) ReGate не предлагает',
  'оплаты картой — не всё: ReGate пишет ОплатаОтПокупателяПлатежнойКартой на магазин заказа, его эквайринговый терминал (единственный действующий терминал магазина, иначе onec.acquiringTerminalKey среди терминалов магазина) и вид оплаты из строки тарифов терминала (если строка одна), статья ДДС — единственная статья с хозяйственной операцией оплаты (или onec.cashFlowItems); оплата проведена (ОплатаВыполнена: деньги принял платёжный сервис), но чек ККМ кассы магазина по ней ReGate не пробивает. Возврат (та же операция ВозвратОплатыКлиенту по этой оплате) остаётся непроведённым: признак способа расчёта и возврат на карту через терминал делает сотрудник. Магазину без терминала или терминалу с несколькими тарифами документ не провести — 1С назовёт пустое поле',
  'выписки банка: документа банковской выписки в Рознице 2.2 нет (РегистрацияБезналичнойОплаты — оплата поставщику): выписку импортировать некуда. Клиенты (Контрагенты), заказы (ЗаказПокупателя с резервом на складе продажи магазина), их отмена, оплата картой и возврат, оплата в магазине (пробитый чек ККМ по заказу — статус 4) работают',
  'цены по магазинам — не всё: у магазина с «Использовать применение цен» (Магазины.ИспользоватьПрименениеЦен) ReGate показывает и ставит в заказ действующую цену магазина (ДействующиеЦеныНоменклатуры, последняя запись по магазину и товару, за единицу товара), у магазина без неё — цену вида цен его правила ценообразования (ПравилаЦенообразования.ВидЦен; магазину без правила — вид цен из настроек, catalog.retailPriceKind). Товар без действующей цены в магазине с применением цен продаётся без цены, как на кассе (ПолучитьЦенуПродажи оставляет 0): в ассортименте price пуст, бронь такого товара — 422 «нет цены». Ценовые группы правила, вид минимальных цен продажи и цены характеристик не читаются; цены за объём (мелкооптовая, оптовая) действуют, только если они ниже цены магазина',
  'валюта: в выгрузке Розницы 2.2 нет Catalog.Валюты (виды цен без валюты): цены считаются в рублях',
  'нет выгрузки Розницы 2.3/3.0 поставщика: профиль проверен на доработанной базе 2.2.12 (поля ххх_ не используются)',
];

/** Catalog.Номенклатура of roznica-2.2.12-xml as published: what ReGate reads of an item there. */
const ROZNICA_ITEM_FIELDS = new Set(['Ref_Key', 'Code', 'Description', 'DeletionMark', 'IsFolder', 'Parent_Key', 'Артикул', 'НаименованиеПолное', 'Описание', 'ЕдиницаИзмерения_Key', 'ТипНоменклатуры', 'Марка_Key', 'Производитель_Key', 'СтранаПроисхождения_Key', 'ФайлКартинки_Key', 'СтавкаНДС']);

function reads(base: Profile['reads'], config: Config): Record<string, ReadSpec> {
  const r = base as Record<string, ReadSpec>;
  const keep = (name: string) => (r[name] ? { [name]: r[name] } : {});
  return {
    ...keep('item'),
    ...keep('group'),
    ...keep('country'),
    ...keep('picture'),
    ...keep('property'),
    ...keep('configurationVersion'),
    ...keep('bank'),
    // The fields Розница 2.2's Номенклатура has (its dump): УТ's item read asks for more (ВидНоменклатуры_Key, and
    // the characteristics' owner and use of УТ 11.5) that a Розница base does not publish.
    item: { ...r.item, select: (r.item.select as string[]).filter((f) => ROZNICA_ITEM_FIELDS.has(f)), why: 'assortment: article, names, description, unit, brand, maker, country, picture, VAT (Enum.СтавкиНДС)' } as ReadSpec,
    // A store is a shop (Catalog.Магазины: its address is there, Catalog.Склады has none) selling from its sales
    // warehouse (СкладПродажи): the store's id is that Склад, which stock (ТоварыНаСкладах by Склад) and documents name.
    warehouse: {
      kind: 'collection',
      set: S.shops,
      why: 'city / citystore: shops (Catalog.Магазины) with their address, each selling from its СкладПродажи',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'СкладПродажи_Key', 'ИспользоватьПрименениеЦен', 'ПравилоЦенообразования_Key', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/Город', 'КонтактнаяИнформация/НомерТелефона'],
    },
    // A shop's pricing rule names the price kind it sells at where no price is applied to it (ЗапасыСервер.
    // ПолучитьЦенуПродажи 3877-3879: the rule's ВидЦен when no price group of the rule names another; ОбменССайтомРТ
    // 235-279): the store's retail kind. Price groups (ЦеновыеГруппы) are not read.
    pricingRule: { kind: 'collection', set: 'Catalog_ПравилаЦенообразования', why: 'prices: the price kind of each shop\'s pricing rule (Магазины.ПравилоЦенообразования)', select: ['Ref_Key', 'DeletionMark', 'ВидЦен_Key'] },
    priceKind: { kind: 'collection', set: S.priceKinds, why: 'prices: the kinds by name (Розница 2.2 keeps no currency on them)', select: ['Ref_Key', 'Description', 'DeletionMark', 'ЦенаВключаетНДС'] },
    price: {
      kind: 'sliceLast',
      register: S.prices,
      recordType: true,
      why: 'assortment: prices by ВидЦены, the last per item and kind',
      select: ['Period', 'ВидЦены_Key', 'Номенклатура_Key', 'Цена', 'Упаковка_Key'],
      condition: (p) => (p.priceKindKeys?.length ? or(...p.priceKindKeys.map((k) => eq('ВидЦены_Key', guid(k)))) : undefined),
    },
    // The price a shop sells at (ДействующиеЦеныНоменклатуры: periodic by the second, recorder-subordinate — the
    // dump's InformationRegisters/ДействующиеЦеныНоменклатуры.xml; its recorder is the shop's ПрименениеЦенНоменклатуры,
    // whose posting writes its lines with ОбъектЦенообразования = the shop: Documents/ПрименениеЦенНоменклатуры
    // ManagerModule.bsl 344-366, CommonModules/Ценообразование 134-159, DeZargo/1c_retail_apple @ 896da2e1). The last
    // record per shop, item and characteristic is the price, as ЗапасыСервер.ПолучитьЦенуПродажи (3787-3821) and the
    // vendor's own site exchange (ОбменССайтомРТ.ПолучитьТекстЗапросаОбновлениеПакетаПредложений 317-325, 421-445)
    // take it — for shops with ИспользоватьПрименениеЦен only (toWarehouse's pricingObjectId; catalog/store-prices.ts).
    storePrice: {
      kind: 'sliceLast',
      register: S.shopPrices,
      recordType: true,
      why: 'assortment / booking: the price each shop sells at (applied to the shop by ПрименениеЦенНоменклатуры), the last per shop and item',
      select: ['Period', 'ОбъектЦенообразования_Key', 'Номенклатура_Key', 'Характеристика_Key', 'Цена', 'Упаковка_Key'],
      condition: (p) => (p.pricingObjectKeys?.length ? or(...p.pricingObjectKeys.map((k) => eq('ОбъектЦенообразования_Key', guid(k)))) : undefined),
    },
    stock: {
      kind: 'balance',
      register: S.stock,
      dimensions: ['Номенклатура', 'Склад'],
      why: 'assortment: stock per warehouse (Количество − Резерв)',
      select: ['Номенклатура_Key', 'Склад_Key', 'КоличествоBalance', 'РезервBalance'],
      condition: (p) => (p.warehouseKeys?.length ? or(...p.warehouseKeys.map((k) => eq('Склад_Key', guid(k)))) : undefined),
    },
    barcode: { kind: 'collection', set: S.barcodes, keyFields: ['Штрихкод'], why: 'assortment: barcodes (Владелец composite: the item) and their packaging', select: ['Штрихкод', 'Владелец', 'Владелец_Type', 'Упаковка_Key'] },
    unit: { kind: 'collection', set: S.units, why: 'assortment: units (БазовыеЕдиницыИзмерения)', select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'НаименованиеПолное'] },
    packaging: { kind: 'collection', set: S.packagings, why: 'assortment: portion sizes (УпаковкиНоменклатуры of an item, Коэффициент)', select: ['Ref_Key', 'Description', 'DeletionMark', 'Owner', 'Owner_Type', 'ЕдиницаИзмерения_Key', 'Коэффициент'] },
    brand: { kind: 'collection', set: S.brands, why: 'assortment: brand (Марки)', select: ['Ref_Key', 'Description'] },
    manufacturer: { kind: 'collection', set: S.counterparties, why: 'assortment: maker (Номенклатура.Производитель is a Контрагент)', select: ['Ref_Key', 'Description'], filter: () => eq('IsFolder', false) },
    pictureData: { ...(r.pictureData ?? {}), kind: 'collection', set: S.binaries, keyFields: ['Файл'], why: 'picture bytes (ДвоичныеДанныеФайлов)', select: ['Файл', 'Файл_Type', 'ДвоичныеДанныеФайла_Base64Data'] } as ReadSpec,
    organisation: { kind: 'collection', set: 'Catalog_Организации', why: 'state: organisation name and requisites', select: ['Ref_Key', 'Description', 'НаименованиеПолное', 'ИНН', 'КПП', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление'] },
    bankAccount: { kind: 'collection', set: S.bankAccounts, why: 'state: the organisation account', select: ['Ref_Key', 'Owner_Key', 'НомерСчета', 'Банк_Key'] },
    counterparty: {
      kind: 'collection',
      set: S.counterparties,
      why: 'clients: requisites (ИНН/КПП, ЮрФизЛицо); existing customers are matched by ИНН',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'НаименованиеПолное', 'ИНН', 'КПП', 'ЮрФизЛицо'],
      filter: (p) => (p.inn ? eq('ИНН', p.inn) : p.partnerKey ? eq('Ref_Key', guid(p.partnerKey)) : undefined),
    },
    client: {
      kind: 'collection',
      set: S.counterparties,
      why: 'client: the counterparty of a Richest.store client (Розница has no partners)',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'НаименованиеПолное', 'ЮрФизЛицо', 'ИНН', 'КПП', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление'],
      filter: (p) => (p.partnerKey ? eq('Ref_Key', guid(p.partnerKey)) : undefined),
    },
    order: {
      kind: 'collection',
      set: S.orders,
      why: 'booking / bookingstate: the customer order (ЗаказПокупателя) by Richest.store id (a marker in Комментарий; НомерЗаказаНаСайте is String(11))',
      select: ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'Статус', 'СуммаДокумента', 'Контрагент_Key', 'Склад_Key', 'Комментарий', 'Товары/Отменено'],
      filter: (p) => (p.externalId !== undefined ? substringof(roznicaCommentMarker(p.externalId), 'Комментарий') : p.orderKey ? eq('Ref_Key', guid(p.orderKey)) : undefined),
    },
    // Paid at the shop: a punched till receipt of a sale for the order (ЧекККМ, ВидОперации Продажа, ЗаказПокупателя —
    // what the cashier's receipt entered on the order carries: ObjectModule.bsl 234-256 at DeZargo/1c_retail_apple @
    // 896da2e1), status Пробитый or Архивный (after the shift closes): such a receipt can no longer be changed (599-616).
    // Reconciliation takes it as paid in 1C (status 4).
    cashReceipt: {
      kind: 'collection',
      set: S.receipts,
      why: 'bookingstate: the order paid at the shop (a punched ЧекККМ Продажа naming it)',
      select: ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'ВидОперации', 'СтатусЧекаККМ', 'СуммаДокумента', 'ЗаказПокупателя_Key', 'Магазин_Key'],
      filter: (p) =>
        p.orderKeys?.length
          ? and(eq('ВидОперации', 'Продажа'), or(eq('СтатусЧекаККМ', 'Пробитый'), eq('СтатусЧекаККМ', 'Архивный')), or(...p.orderKeys.map((k) => eq('ЗаказПокупателя_Key', guid(k)))))
          : undefined,
    },
    storePlace: {
      kind: 'collection',
      set: S.warehouses,
      why: 'booking: the shop (Магазин) of the store\'s warehouse, which a ЗаказПокупателя names',
      select: ['Ref_Key', 'Магазин_Key'],
      filter: (p) => (p.warehouseKeys?.length ? or(...p.warehouseKeys.map((k) => eq('Ref_Key', guid(k)))) : undefined),
    },
    cancelReason: { kind: 'collection', set: 'Catalog_ПричиныОтменыЗаказовПокупателей', why: 'bookingcancel / expiry: the reason cancelled lines carry', select: ['Ref_Key', 'Description', 'DeletionMark', 'Predefined'] },
    // The terminals card payments go through: each belongs to a shop and lists the till payment kinds it takes in its
    // tariff rows. Розница's default is the shop's only terminal that is valid (ЭквайринговыйТерминалПоУмолчанию,
    // Catalogs/ЭквайринговыеТерминалы/Ext/ManagerModule.bsl 61-98, DeZargo/1c_retail_apple @ 896da2e1): the shop is
    // chosen per order by DeliveryContext.acquiring, the rest here.
    acquiringTerminal: {
      kind: 'collection',
      set: S.terminals,
      why: 'paycard / refund: the shop\'s acquiring terminal, its acquirer and the payment kinds of its tariff rows',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'Организация_Key', 'Магазин_Key', 'Эквайрер_Key', 'НеДействителен', 'ТарифыЗаРасчетноеОбслуживание/ВидОплаты_Key'],
      filter: () => eq('НеДействителен', false),
    },
    cardOperation: {
      kind: 'collection',
      set: S.cardOps,
      why: 'paycard / refund: card payments and refunds (ОплатаОтПокупателяПлатежнойКартой) by payment event id (a marker in Комментарий)',
      select: ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'ХозяйственнаяОперация', 'СуммаДокумента', 'Контрагент_Key', 'ЗаказПокупателя_Key', 'Комментарий'],
      filter: (p) => (p.externalId !== undefined ? substringof(roznicaCommentMarker(p.externalId), 'Комментарий') : undefined),
    },
    // A payment line's cash-flow item: Розница has no predefined one for customer payments; its documents take the only
    // item whose ХозяйственнаяОперация is the document's (СтатьиДвиженияДенежныхСредств ManagerModule.bsl 14-43, via
    // ЗначениеНастроекПовтИсп 603-607; ОплатаОтПокупателяПлатежнойКартой ObjectModule 401, 497), or onec.cashFlowItems.
    cashFlowItem: {
      kind: 'collection',
      set: S.cashFlowItems,
      why: 'paycard / refund: the cash-flow item of payment lines (the one item of the operation, or configured)',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'PredefinedDataName', 'ХозяйственнаяОперация'],
      filter: () => or(eq('ХозяйственнаяОперация', 'ПоступлениеОплатыОтКлиента'), eq('ХозяйственнаяОперация', 'ВозвратОплатыКлиенту'), ...[config.onec.cashFlowItems.receipt, config.onec.cashFlowItems.refund].filter((k): k is string => !!k).map((k) => eq('Ref_Key', guid(k)))),
    },
  };
}

function mappers(base: Mappers): Mappers {
  return {
    ...base,
    toWarehouse(row) {
      const contacts = Array.isArray(row.КонтактнаяИнформация) ? (row.КонтактнаяИнформация as Row[]) : [];
      const address = contacts.find((c) => c.Тип === 'Адрес');
      const phone = contacts.find((c) => c.Тип === 'Телефон');
      const sales = refOf(row.СкладПродажи_Key);
      // A shop without a sales warehouse has nothing to sell from: not offered. A shop with ИспользоватьПрименениеЦен
      // sells at the prices applied to it (ДействующиеЦеныНоменклатуры), one without at its price kind: Розница ignores
      // the applied prices of such a shop (ЗапасыСервер.ПолучитьЦенуПродажи 3780-3787; ОбменССайтомРТ 235-246, 317-325).
      // 1C also asks the functional option ИспользоватьПрименениеЦен there (3781); its constant is not in the trimmed
      // dump, so the shop's flag is taken as it stands (the vendor's site exchange, 317-325, asks only the flag too).
      return {
        id: sales ?? str(row.Ref_Key), code: str(row.Code), name: str(row.Description), city: str(address?.Город).trim() || null, address: str(address?.Представление).trim() || null,
        phone: str(phone?.НомерТелефона ?? phone?.Представление).trim() || null, retailPriceKindId: null, isShop: true, deleted: bool(row.DeletionMark) || !sales,
        pricingObjectId: bool(row.ИспользоватьПрименениеЦен) ? refOf(row.Ref_Key) : null,
        pricingRuleId: refOf(row.ПравилоЦенообразования_Key),
      };
    },
    toPricingRule: (row) => ({ id: str(row.Ref_Key), priceKindId: refOf(row.ВидЦен_Key), deleted: bool(row.DeletionMark) }),
    toStorePrice: (row) => ({ pricingObjectId: str(row.ОбъектЦенообразования_Key), itemId: str(row.Номенклатура_Key), characteristicId: refOf(row.Характеристика_Key), price: num(row.Цена), packagingId: refOf(row.Упаковка_Key) }),
    toPriceKind: (row) => ({ id: str(row.Ref_Key), name: str(row.Description), currencyId: null, includesVat: bool(row.ЦенаВключаетНДС), deleted: bool(row.DeletionMark) }),
    // The only payment Розница's profile reads: a till receipt of the order (cashReceipt). A punched receipt is the sale.
    toPayment(row) {
      const order = refOf(row.ЗаказПокупателя_Key);
      const amount = num(row.СуммаДокумента);
      return {
        id: str(row.Ref_Key),
        number: str(row.Number),
        date: row.Date instanceof Date ? row.Date : null,
        externalId: null,
        amount,
        operation: str(row.ВидОперации),
        posted: row.СтатусЧекаККМ === 'Пробитый' || row.СтатусЧекаККМ === 'Архивный',
        orderIds: order ? [order] : [],
        settlementObjectIds: [],
        counterpartyId: null,
        lines: order ? [{ settlementObjectId: null, orderId: order, amount }] : [],
      };
    },
    toStock(row) {
      const onHand = num(row.КоличествоBalance);
      const reserved = num(row.РезервBalance);
      return { itemId: str(row.Номенклатура_Key), warehouseId: str(row.Склад_Key), onHand, reserved, available: Math.max(0, Math.round((onHand - reserved) * 1000) / 1000) };
    },
    toBarcode: (row: Row) => ({ barcode: str(row.Штрихкод).trim(), itemId: str(row.Владелец_Type).endsWith(S.items) ? str(row.Владелец) : '', packagingId: refOf(row.Упаковка_Key) }),
    toUnit(row) {
      const isPackaging = row.Коэффициент !== undefined;
      return {
        id: str(row.Ref_Key),
        code: str(row.Code),
        name: str(row.Description),
        fullName: str(row.НаименованиеПолное),
        itemId: str(row.Owner_Type).endsWith(S.items) ? refOf(row.Owner) : null,
        baseUnitId: isPackaging ? refOf(row.ЕдиницаИзмерения_Key) : null,
        ratio: isPackaging && num(row.Коэффициент) > 0 ? num(row.Коэффициент) : 1,
        deleted: bool(row.DeletionMark),
      };
    },
    toStorePlace: (row) => refOf(row.Магазин_Key),
    // A terminal → what the card document names with it: the terminal, no acquiring contract (Розница's document keeps
    // only УдалитьДоговорЭквайринга), the acquirer (Эквайрер, which the form copies from the terminal: ФормаДокумента
    // Module.bsl 831-837) and the payment kind — the terminal's only tariff row, as ВидОплатыПоУмолчанию
    // (ЭквайринговыеТерминалы ManagerModule.bsl 126-148) and the form (ФормаДокумента 838-846) choose it; with
    // several rows none (a person chooses). The shop is the order's (DeliveryContext.acquiring).
    toAcquiring(row) {
      const kinds = [...new Set((Array.isArray(row.ТарифыЗаРасчетноеОбслуживание) ? (row.ТарифыЗаРасчетноеОбслуживание as Row[]) : []).map((t) => refOf(t.ВидОплаты_Key)).filter((k): k is string => !!k))];
      const acquiring: RoznicaAcquiring = { terminalKey: str(row.Ref_Key), contractKey: null, acquirerKey: refOf(row.Эквайрер_Key), shopKey: refOf(row.Магазин_Key), paymentKindKey: kinds.length === 1 ? kinds[0] : null };
      return acquiring;
    },
    toOrder: (row) => ({
      id: str(row.Ref_Key),
      number: str(row.Number),
      date: row.Date instanceof Date ? row.Date : null,
      externalId: MARKER_RE.exec(str(row.Комментарий))?.[1] ?? null,
      status: str(row.Статус),
      total: num(row.СуммаДокумента),
      posted: bool(row.Posted),
      deleted: bool(row.DeletionMark),
      partnerId: refOf(row.Контрагент_Key),
      warehouseId: refOf(row.Склад_Key),
      settlementObjectId: null,
      asInvoice: false,
    }),
    toClient(partner, counterparty) {
      const c = counterparty ?? partner;
      const legal = str(c.ЮрФизЛицо);
      return { ...base.toClient({ ...partner, ЮрФизЛицо: undefined }, { ...c, Партнер_Key: undefined }), partnerId: str(partner.Ref_Key), kind: legal === 'ИндивидуальныйПредприниматель' ? 'entrepreneur' : legal === 'ЮрЛицо' || legal === 'ЮрЛицоНеРезидент' ? 'company' : 'person' };
    },
  };
}

/** The marker carrying a ReGate id in Комментарий (НомерЗаказаНаСайте is String(11): too short for the shop's ids). */
export const roznicaCommentMarker = (id: string) => `[ReGate:${id}]`;
const MARKER_RE = /\[ReGate:([^\]]+)\]/;
const round2 = (x: number) => Math.round(x * 100) / 100;
const LEGAL: Record<ClientInput['kind'], string> = { company: 'ЮрЛицо', person: 'ФизЛицо', entrepreneur: 'ИндивидуальныйПредприниматель' };

function contactRows(c: Partial<ClientInput>): Row[] {
  const out: Row[] = [];
  if (c.phone) out.push({ Тип: 'Телефон', Представление: c.phone, НомерТелефона: c.phone });
  if (c.email) out.push({ Тип: 'АдресЭлектроннойПочты', Представление: c.email, АдресЭП: c.email });
  return out.map((r, i) => ({ LineNumber: i + 1, ...r }));
}

function writes(): Record<string, WriteSpec> {
  const card = ['Date', 'ХозяйственнаяОперация', 'Организация_Key', 'Магазин_Key', 'Контрагент_Key', 'ЗаказПокупателя_Key', 'ЭквайринговыйТерминал_Key', 'Эквайрер_Key', 'ВидОплаты_Key', 'СуммаДокумента', 'НомерПлатежнойКарты', 'Комментарий', 'РасшифровкаПлатежа/СтатьяДвиженияДенежныхСредств_Key', 'РасшифровкаПлатежа/Сумма'];
  const client = ['Description', 'НаименованиеПолное', 'ЮрФизЛицо', 'ИНН', 'КПП', 'Комментарий', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/НомерТелефона', 'КонтактнаяИнформация/АдресЭП'];
  return {
    partner: { set: S.counterparties, why: 'client: the counterparty of a new Richest.store client', fields: client },
    counterparty: { set: S.counterparties, why: 'client: the same counterparty (Розница has no partners)', fields: client.slice(0, 5) },
    order: {
      set: S.orders,
      post: true,
      why: 'booking: the customer order (ЗаказПокупателя, Согласован), reserving from the shop\'s sales warehouse, posted',
      fields: ['Date', 'Статус', 'Организация_Key', 'Магазин_Key', 'Склад_Key', 'Контрагент_Key', 'ЦенаВключаетНДС', 'УчитыватьНДС', 'СкидкиРассчитаны', 'ЖелаемаяДатаПродажи', 'АдресДоставки', 'Комментарий', 'ДатаЗаказаНаСайте', 'Товары/Номенклатура_Key', 'Товары/Количество', 'Товары/КоличествоУпаковок', 'Товары/Цена', 'Товары/Сумма', 'Товары/СтавкаНДС', 'Товары/СуммаНДС', 'Товары/КодСтроки', 'Товары/Резервировать', 'Товары/Отменено'],
    },
    cardPaymentDocument: { set: S.cardOps, post: true, why: 'paycard: the card payment of the order (ОплатаОтПокупателяПлатежнойКартой ПоступлениеОплатыОтКлиента) at its shop\'s terminal, posted', fields: [...card, 'ОплатаВыполнена', 'РасшифровкаПлатежа/ПризнакСпособаРасчета'] },
    cardRefundDocument: { set: S.cardOps, post: false, why: 'refund: the card refund (ОплатаОтПокупателяПлатежнойКартой ВозвратОплатыКлиенту) of the card payment, prepared for a person to confirm', fields: [...card, 'РасшифровкаПлатежа/ДокументРасчетовСКонтрагентом', 'РасшифровкаПлатежа/ДокументРасчетовСКонтрагентом_Type'] },
    orderClose: { set: S.orders, post: true, why: 'bookingcancel / expiry: every line cancelled (Отменено, not reserved, with a reason), Статус Закрыт, posted again', fields: ['Статус', 'Товары/Отменено', 'Товары/Резервировать', 'Товары/ПричинаОтмены_Key'] },
  };
}

/** What Розница's toAcquiring gives: the terminal, its acquirer, its shop and its one till payment kind. */
type RoznicaAcquiring = { terminalKey: string; contractKey: null; acquirerKey: string | null; shopKey: string | null; paymentKindKey: string | null };

/**
 * ОплатаОтПокупателяПлатежнойКартой as Розница fills it (Documents/ОплатаОтПокупателяПлатежнойКартой, DeZargo/1c_retail_apple
 * @ 896da2e1; ObjectModule = Ext/ObjectModule.bsl, ManagerModule = Ext/ManagerModule.bsl, form = Forms/ФормаДокумента/
 * Ext/Form/Module.bsl). What posting checks (ObjectModule 114-161): ХозяйственнаяОперация, Организация, Магазин,
 * Контрагент, ЭквайринговыйТерминал, ВидОплаты (of type ПлатежнаяКарта) and the lines' Сумма, СтатьяДвиженияДенежныхСредств
 * and ПризнакСпособаРасчета (the ShowError of Documents/ОплатаОтПокупателяПлатежнойКартой.xml; ManagerModule 36-65), the
 * lines summing to СуммаДокумента (ДенежныеСредстваСервер 873-906).
 * - payment, as entered on the order (ObjectModule 23-29, 341-473): the order's shop, counterparty, organisation and
 *   ЗаказПокупателя, one line of the sum without a settlement document (the order's lines are paid in advance), the
 *   cash-flow item of the operation; ПризнакСпособаРасчета ПредоплатаПолная when the line pays the order's sum, else
 *   ПредоплатаЧастичная (ManagerModule 345-358, which the form runs on a new document: form 232) — ReGate takes a card
 *   payment only for the whole sum due and Розница has no other payment ReGate writes, so it is the full prepayment.
 *   The money was taken by the payment service: ОплатаВыполнена, as the form marks a document paid through the
 *   terminal (form 981-985), so nobody charges the card again (form 959); the receipt of that payment is the
 *   service's, no till receipt is punched here (ПробиватьЧекиПоКассеККМ off: no КассаККМ needed, ObjectModule 132-140).
 * - refund, as Розница makes it from the card payment (ObjectModule 30-42, 475-514): ВозвратОплатыКлиенту with the
 *   payment's header and one line settling that payment (ДокументРасчетовСКонтрагентом) for the sum returned. Left
 *   unposted: the form leaves its ПризнакСпособаРасчета to a person (editable only for refunds, form 282; ManagerModule
 *   363-371 fills it for goods returns only), and a person returns the money through the terminal («Вернуть на карту»).
 */
function cardDoc(operation: 'ПоступлениеОплатыОтКлиента' | 'ВозвратОплатыКлиенту', p: PaymentInput, r: PaymentRefs): Row {
  const refund = operation === 'ВозвратОплатыКлиенту';
  const basis = refund ? refOf(r.basisPaymentKey) : null;
  return {
    Date: p.date,
    ХозяйственнаяОперация: operation,
    Организация_Key: r.organisationKey,
    Магазин_Key: r.shopKey ?? null,
    Контрагент_Key: r.counterpartyKey ?? r.partnerKey,
    ЗаказПокупателя_Key: p.orderKey,
    ЭквайринговыйТерминал_Key: r.acquiringTerminalKey ?? null,
    Эквайрер_Key: r.acquirerKey ?? null,
    ВидОплаты_Key: r.paymentKindKey ?? null,
    СуммаДокумента: round2(p.amount),
    НомерПлатежнойКарты: (p.cardMask ?? '').slice(0, 22),
    ...(refund ? {} : { ОплатаВыполнена: true }),
    Комментарий: `${p.comment ?? ''} ${roznicaCommentMarker(p.externalId)}`.trim(),
    РасшифровкаПлатежа: [
      {
        LineNumber: 1,
        СтатьяДвиженияДенежныхСредств_Key: r.cashFlowItemKey ?? null,
        Сумма: round2(p.amount),
        ...(refund
          ? basis ? { ДокументРасчетовСКонтрагентом: basis, ДокументРасчетовСКонтрагентом_Type: `StandardODATA.${S.cardOps}` } : {}
          : { ПризнакСпособаРасчета: 'ПредоплатаПолная' }),
      },
    ],
  };
}

function builders(base: Builders): Builders {
  const client = (c: Partial<ClientInput>): Row => ({
    ...(c.name !== undefined ? { Description: c.name.slice(0, 100), НаименованиеПолное: c.fullName ?? c.name } : {}),
    ...(c.kind !== undefined ? { ЮрФизЛицо: LEGAL[c.kind] } : {}),
    ...(c.inn !== undefined ? { ИНН: c.inn } : {}),
    ...(c.kpp !== undefined ? { КПП: c.kind === 'company' ? c.kpp : '' } : {}),
  });
  return {
    ...base,
    // УТ's changed-order patch writes УТ's ЗаказКлиента fields; Розница's ЗаказПокупателя has no rule here, so
    // bookingupd is refused (422 not_supported) rather than sent УТ's body.
    orderUpdatePatch: undefined,
    partnerBody: (c) => ({ ...client({ ...c, inn: c.inn ?? '', kpp: c.kpp ?? '' }), Комментарий: c.comment ?? 'Клиент Richest.store', КонтактнаяИнформация: contactRows(c) }),
    counterpartyBody: (c) => client({ ...c, inn: c.inn ?? '', kpp: c.kpp ?? '' }),
    clientPatch: (c) => ({ partner: { ...client(c), ...(c.phone !== undefined || c.email !== undefined ? { КонтактнаяИнформация: contactRows(c) } : {}) }, counterparty: {} }),
    orderDocument(order, refs) {
      const includesVat = refs.pricesIncludeVat ?? true;
      const lines = order.lines.map((l, i) => {
        const sum = l.amount ?? round2(l.price * l.quantity);
        const rate = l.vatRate ?? 0;
        return {
          LineNumber: i + 1,
          Номенклатура_Key: l.itemId,
          Количество: l.quantity,
          КоличествоУпаковок: l.quantity,
          Цена: l.price,
          Сумма: sum,
          СтавкаНДС: l.vatRateId ?? '',
          СуммаНДС: rate ? round2(includesVat ? (sum * rate) / (100 + rate) : (sum * rate) / 100) : 0,
          КодСтроки: i + 1,
          // A web order reserves what it sells at the shop's warehouse (ТоварыНаСкладах.Резерв: ManagerModule 126-159).
          Резервировать: true,
          Отменено: false,
        };
      });
      return {
        Date: order.date,
        // An agreed order posts its lines and reserve (ManagerModule 61-62); a new one of a form starts Согласован too
        // when copied (ObjectModule ПриКопировании 180).
        Статус: 'Согласован',
        Организация_Key: refs.organisationKey,
        Магазин_Key: refs.salesUnitKey ?? null,
        Склад_Key: refs.warehouseKey,
        Контрагент_Key: refs.counterpartyKey ?? refs.partnerKey,
        ЦенаВключаетНДС: includesVat,
        УчитыватьНДС: true,
        // Automatic discounts are not applied to a web order: its prices are the shop's.
        СкидкиРассчитаны: true,
        ЖелаемаяДатаПродажи: order.date,
        ДатаЗаказаНаСайте: order.date,
        АдресДоставки: order.deliveryAddress,
        Комментарий: `${order.comment ?? ''} ${roznicaCommentMarker(order.externalId)}`.trim(),
        Товары: lines,
      };
    },
    cardPaymentDocument: (p, refs) => cardDoc('ПоступлениеОплатыОтКлиента', p, refs),
    cardRefundDocument: (p, refs) => cardDoc('ВозвратОплатыКлиенту', p, refs),
    cancelOrderPatch: (current, reasonKey) => ROZNICA_ORDER_CLOSING.patch({ Товары: current }, { reasonKey: reasonKey ?? null, predefinedKey: null }),
  };
}

/**
 * Cancelling a Розница order as its form does: «Отменить» marks every line not yet cancelled Отменено, not to reserve,
 * with the reason (РозничныеПродажиСервер.ОтменитьСНепроданнымиТоварами, CommonModules/РозничныеПродажиСервер/Ext/
 * Module.bsl 1157-1175), «Закрыть» sets Статус Закрыт (Documents/ЗаказПокупателя/Forms/ФормаДокумента/Ext/Form/
 * Module.bsl 385-390); posted again, a cancelled line's order is taken back and it reserves nothing (ManagerModule
 * 87-100, 141-143). A closed order whose lines are not all cancelled was sold, not cancelled.
 */
export const ROZNICA_ORDER_CLOSING: OrderClosing = {
  select: ['Ref_Key', 'Статус', 'DeletionMark', 'Posted', 'Товары/Отменено'],
  closed: (doc) => doc.Статус === 'Закрыт' && (Array.isArray(doc.Товары) ? (doc.Товары as Row[]) : []).every((l) => l.Отменено === true),
  cancelled: (doc) => {
    const lines = Array.isArray(doc.Товары) ? (doc.Товары as Row[]) : [];
    return doc.Статус === 'Закрыт' && lines.length > 0 && lines.every((l) => l.Отменено === true);
  },
  patch: (doc, refs) => ({
    Статус: 'Закрыт',
    Товары: (Array.isArray(doc.Товары) ? (doc.Товары as Row[]) : []).map(({ Ref_Key: _owner, ...l }) => ({
      ...l,
      ...(l.Отменено === true ? {} : { Отменено: true, Резервировать: false, ...(refs.reasonKey ? { ПричинаОтмены_Key: refs.reasonKey } : {}) }),
    })),
  }),
};

export function roznicaProfile(config: Config): Profile {
  const base = ut11Profile('ut11.4', { ...config, onec: { ...config.onec, extension: false } }, roznicaFeatures());
  return {
    ...base,
    id: 'roznica',
    family: 'Розница 2',
    configurationName: 'Розница',
    // Its orderDocument counts a line's Количество in the line's unit (no КоличествоУпаковок): not УТ's base's.
    sellsByPackaging: false,
    minVersion: '2.2',
    reads: reads(base.reads, config) as Profile['reads'],
    writes: writes(),
    build: builders(base.build),
    orderClosing: ROZNICA_ORDER_CLOSING,
    map: mappers(base.map),
    limits: ROZNICA_LIMITS,
  };
}
