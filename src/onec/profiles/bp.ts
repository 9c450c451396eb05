import type { Config } from '../../config/schema.js';
import { and, eq, or, rawFilter, substringof } from '../filter.js';
import { EMPTY_REF, guid } from '../url.js';
import { defaultFeatures, type Ut11Features } from './features.js';
import type { Builders, ClientInput, Mappers, OrderClosing, PaymentInput, PaymentRefs, Profile, ReadSpec, Row, WriteSpec } from './types.js';
import { ut11Profile } from './ut11.js';

/**
 * БП 3.0 (БухгалтерияПредприятия) — what ReGate can read from it, on the real dump
 * ../shared/reference/dumps/bp-3.0.198-xml (3.0.198.19); every name below is in that dump as our reader publishes it
 * (test/configurations/bp-api.test.ts, select.test.ts). MAP.md maps the concepts.
 *
 * Reads: items (Номенклатура: Артикул, НаименованиеПолное, Услуга, ЕдиницаИзмерения → КлассификаторЕдиницИзмерения,
 * ВидСтавкиНДС, Производитель → Контрагенты; no ФайлКартинки), groups, warehouses (Склады with КонтактнаяИнформация,
 * ТипЦенРозничнойТорговли), price kinds (ТипыЦенНоменклатуры) and prices (InformationRegister.ЦеныНоменклатуры by ТипЦен,
 * periodic by day, recorder-subordinate), barcodes (ШтрихкодыНоменклатуры: Штрихкод → Номенклатура), units and
 * packagings (УпаковкиНоменклатуры, Коэффициент), countries, makers, clients (Контрагенты), organisation, bank accounts.
 *
 * Writes (issue 18; rules cited from БП's modules in github.com/kassya20/buh @ 8f1e6408, the full dump the reference
 * folder was trimmed from; the emulator's stand-ins follow them: src/emulator/posting/bp.ts):
 * - client: a Catalog.Контрагенты (no partners: ReGate's partner and counterparty are the same item, as in УНФ);
 * - booking: БП has no customer order and reserves nothing — a booking is a СчетНаОплатуПокупателю (ВидОперации
 *   ТоварыИУслуги), posted (its posting makes no movements: ObjectModule.bsl 499-515). The warehouse is named (Склад);
 * - paycard: ОплатаПлатежнойКартой ОплатаПокупателя through the card payment kind (Catalog.ВидыОплатОрганизаций of
 *   ТипОплаты ПлатежнаяКарта), its line paying the invoice (СчетНаОплату); refund: the same document ВозвратПокупателю,
 *   prepared unposted for the accountant;
 * - bank statements: ПоступлениеНаРасчетныйСчет ОплатаПокупателя naming the invoice; a bank refund СписаниеСРасчетногоСчета
 *   ВозвратПокупателю, unposted;
 * - cancelling / expiry: the invoice is unposted and marked for deletion (what «Пометить на удаление» does to a
 *   posted document); reconciliation takes an invoice marked for deletion as cancelled.
 * External ids: none of these documents has a field for one: a marker in Комментарий (as УНФ's bank documents).
 * The accounts of the documents (СчетКасса, СчетБанк, 62.01/62.02) are БП's to fill (СчетаУчетаВДокументах
 * .ЗаполнитьПередЗаписью): ReGate does not name them.
 *
 * What it cannot offer is in `limits`. Stock and settlements live in AccountingRegister.Хозрасчетный, by subconto whose
 * kinds the metadata does not fix (MAP.md warns) — so ReGate reads the base's own chart first (chartOfAccounts,
 * subcontoKind), then one Balance with AccountCondition / ExtraDimensions (src/onec/client.ts):
 * - stock (src/catalog/stock-accounting.ts): every account the base keeps by Номенклатура and Склады, less what БП's own
 *   stock for marketplaces leaves out (bpStockAccounts), ExtraDimensions Номенклатура, Склады — the order БП's stock
 *   query asks for (CommonModules/ИнформированиеОтрицательныеОстатки Module.bsl 84-92, 118); goods are offered by it,
 *   services (Услуга) «под заказ»;
 * - a buyer's balance (src/onec/accounting.ts): 62.01 / 62.02 by Контрагенты (bpSettlementAccounts,
 *   bpClientBalanceParams, bpClientBalanceOf); the client answer does not show it yet (the delivery reads balances its
 *   own way: limits);
 * - cash taken in 1C: a posted ПКО ОплатаПокупателя naming the invoice (cashReceipt) — status 4.
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
  invoices: 'Document_СчетНаОплатуПокупателю',
  cardOps: 'Document_ОплатаПлатежнойКартой',
  bankIn: 'Document_ПоступлениеНаРасчетныйСчет',
  bankOut: 'Document_СписаниеСРасчетногоСчета',
  cashIn: 'Document_ПриходныйКассовыйОрдер',
  paymentKinds: 'Catalog_ВидыОплатОрганизаций',
} as const;

/** The marker carrying a ReGate id in Комментарий (none of БП's documents has a field for it). */
export const bpCommentMarker = (id: string) => `[ReGate:${id}]`;
const MARKER_RE = /\[ReGate:([^\]]+)\]/;
const typed = (set: string) => `StandardODATA.${set}`;
const round2 = (x: number) => Math.round(x * 100) / 100;
const rowsOf = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : 0);
const refOf = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== EMPTY_REF ? v : null);
const bool = (v: unknown): boolean => v === true || v === 'true';

export function bpFeatures(): Ut11Features {
  return { ...defaultFeatures('ut11.4', false), vat: 'enum', fileBytes: 'storage', priceRegister: 'InformationRegister_ЦеныНоменклатуры', stock: 'AccumulationRegister_ТоварыНаСкладах', countryOfOrigin: true, extension: false };
}

/** Published sets of БП's stock: the chart of accounts, the subconto kinds, the accounting register. */
export const BP_STOCK_SETS = { chart: 'ChartOfAccounts_Хозрасчетный', kinds: 'ChartOfCharacteristicTypes_ВидыСубконтоХозрасчетные', register: 'AccountingRegister_Хозрасчетный' } as const;

/**
 * Accounts that are never stock for sale, with their subaccounts: what БП's own stock for marketplaces leaves out
 * (InformationRegisters/ОстаткиТоваровМаркетплейсов/Ext/ManagerModule.bsl 22-30 at kassya20/buh @ 8f1e6408: 41.12 in
 * sale prices of non-automated points, 42 ТорговаяНаценка, ГТД, МЦ, 10.11 in use, 45 shipped).
 */
export const BP_NOT_STOCK = ['ТоварыВРозничнойТорговлеВПродажныхЦенахНТТ', 'ТорговаяНаценка', 'ГТД', 'МатериальныеЦенностиВЭксплуатации', 'СпецоснасткаИСпецодеждаВЭксплуатации', 'ТоварыОтгруженные'];

/**
 * The accounts stock is kept on, from the base's own chart (rows of ChartOfAccounts_Хозрасчетный with Ref_Key,
 * Parent_Key, PredefinedDataName, ExtDimensionTypes/ExtDimensionType_Key) and subconto kinds: every account on which the
 * base keeps both Номенклатура and Склады (the criterion of БП's СчетаЗапасов, CommonModules/
 * ИнформированиеОтрицательныеОстатки Module.bsl 155-206: 41.01, 41.02, 41.11, 43, 10.xx… as the base set them), less
 * BP_NOT_STOCK. The metadata fixes none of these subconto (41.01's ExtDimensionTypes is empty in Predefined.xml lines
 * 2494-2508): an account the base keeps without warehouses gives no stock per warehouse.
 */
export function bpStockAccounts(chart: Row[], kinds: Row[]): string[] {
  const kind = (name: string) => str(kinds.find((k) => k.PredefinedDataName === name)?.Ref_Key);
  const item = kind('Номенклатура');
  const warehouse = kind('Склады');
  if (!item || !warehouse) return [];
  const excluded = new Set(withSubaccounts(chart, BP_NOT_STOCK));
  return chart
    .filter((r) => {
      const own = rowsOf(r.ExtDimensionTypes).map((t) => str(t.ExtDimensionType_Key));
      return own.includes(item) && own.includes(warehouse) && !excluded.has(str(r.Ref_Key));
    })
    .map((r) => str(r.Ref_Key));
}

/**
 * Balance parameters for stock per item and warehouse: AccountCondition on the stock accounts, ExtraDimensions
 * Номенклатура, Склады (refs of ChartOfCharacteristicTypes_ВидыСубконтоХозрасчетные by PredefinedDataName), so that
 * ExtDimension1 is the item and ExtDimension2 the warehouse whatever the account's own order (with Партии in between,
 * CommonModules/НалоговыйУчет Module.bsl 1115-1121). Parameter names: vendor chapter 17.4 lines 1300-1304.
 */
export function bpStockBalanceParams(accounts: string[], kinds: Row[]): { AccountCondition: string; ExtraDimensions: string } | null {
  const kind = (name: string) => str(kinds.find((k) => k.PredefinedDataName === name)?.Ref_Key);
  const item = kind('Номенклатура');
  const warehouse = kind('Склады');
  if (!accounts.length || !item || !warehouse) return null;
  return { AccountCondition: accounts.map((a) => `Account_Key eq guid'${a}'`).join(' or '), ExtraDimensions: `${item},${warehouse}` };
}

/** A Balance row of those parameters → stock (an item with no warehouse subconto counts at no warehouse: skipped). */
export function bpStockOf(row: Row): { itemId: string; warehouseId: string; onHand: number; reserved: number; available: number } | null {
  const item = refOf(row.ExtDimension1);
  const warehouse = refOf(row.ExtDimension2);
  if (!item || !warehouse || !str(row.ExtDimension1_Type).endsWith('Catalog_Номенклатура') || !str(row.ExtDimension2_Type).endsWith('Catalog_Склады')) return null;
  const onHand = num(row.КоличествоBalance);
  return { itemId: item, warehouseId: warehouse, onHand, reserved: 0, available: Math.max(0, Math.round(onHand * 1000) / 1000) };
}

/** The children of the chart's accounts named (PredefinedDataName), the accounts themselves first. */
function withSubaccounts(chart: Row[], names: string[]): string[] {
  const out = chart.filter((r) => names.includes(str(r.PredefinedDataName))).map((r) => str(r.Ref_Key));
  for (let i = 0; i < out.length; i++) for (const r of chart) if (str(r.Parent_Key) === out[i] && !out.includes(str(r.Ref_Key))) out.push(str(r.Ref_Key));
  return out;
}

/**
 * The accounts of a buyer's settlements: 62.01 РасчетыСПокупателями (Active: what the buyer owes) and 62.02
 * РасчетыПоАвансамПолученным (Passive: what the buyer paid ahead), ChartsOfAccounts/Хозрасчетный/Ext/Predefined.xml
 * lines 3946-4010, with their subaccounts. A payment posts Кт the settlement account by subconto Контрагенты, Договоры,
 * ДокументыРасчетовСКонтрагентами (CommonModules/УчетВзаиморасчетов Module.bsl 2527-2600 at kassya20/buh @ 8f1e6408);
 * what exceeds the debt goes to the advances account (ДобавитьСтрокуАванса, 6753-6822).
 */
export function bpSettlementAccounts(chart: Row[]): string[] {
  return withSubaccounts(chart, ['РасчетыСПокупателями', 'РасчетыПоАвансамПолученным']);
}

/**
 * Balance parameters for one buyer: AccountCondition on the settlement accounts, ExtraDimensions Контрагенты (so
 * ExtDimension1 is the buyer on every account whatever its order), Condition on it compared through cast() as the
 * vendor chapter does (17.4 lines 1300-1304).
 */
export function bpClientBalanceParams(accounts: string[], kinds: Row[], counterpartyKey: string): { AccountCondition: string; Condition: string; ExtraDimensions: string } | null {
  const kind = str(kinds.find((k) => k.PredefinedDataName === 'Контрагенты')?.Ref_Key);
  if (!accounts.length || !kind) return null;
  return {
    AccountCondition: accounts.map((a) => `Account_Key eq guid'${a}'`).join(' or '),
    Condition: `ExtDimension1 eq cast(guid'${counterpartyKey}', 'Catalog_Контрагенты')`,
    ExtraDimensions: kind,
  };
}

/** Balance rows of those parameters → the buyer's net position: debit (62.01) is debt, credit (62.02) is an advance. */
export function bpClientBalanceOf(rows: Row[]): { debt: number; prepaid: number } {
  const sum = round2(rows.reduce((s, r) => s + num(r.СуммаBalance), 0));
  return { debt: sum > 0 ? sum : 0, prepaid: sum < 0 ? -sum : 0 };
}

export const BP_LIMITS = [
  'остатки без складского учёта: остатки БП — регистр бухгалтерии Хозрасчетный на счетах, где база ведёт субконто Номенклатура и Склады (41.01, 41.02, 43 и др., кроме 41.12, 42, 45, ГТД, МЦ, 10.11 — как остатки для маркетплейсов самой БП; счета и виды субконто ReGate берёт из плана счетов базы, ChartOfAccounts_Хозрасчетный.ExtDimensionTypes). База без учёта по складам (у счетов нет субконто Склады) остатков по складам не даёт: товары не предлагаются. Резервов в БП нет: доступно = остаток на счетах; услуги — «под заказ»',
  'резервы: в БП нет заказа покупателя (ни ЗаказКлиента, ни ЗаказПокупателя); booking в БП — это СчетНаОплатуПокупателю (проводится, но ничего не резервирует и движений не делает). Достижимые статусы: 1 (счёт выставлен), 2 (оплата картой), 3 (оплата по выписке банка), 4 (наличные в 1С: проведённый приходный кассовый ордер «Оплата покупателя» со счётом в строке), 6/5 (отмена/истечение: счёт распроводится и помечается на удаление), 7 (возврат)',
  'счета учёта (СчетКасса, СчетБанк, 62.01/62.02) в документах оплаты заполняет сама БП перед записью; ReGate их не задаёт',
  'картинки: у Номенклатура БП нет ФайлКартинки; ReGate берёт присоединённые файлы товара (НоменклатураПрисоединенныеФайлы), первый — как картинку',
];

const byExternalId = (p: { externalId?: string; orderKey?: string }) =>
  p.externalId !== undefined ? substringof(bpCommentMarker(p.externalId), 'Комментарий') : p.orderKey ? eq('Ref_Key', guid(p.orderKey)) : undefined;
const paymentSelect = ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'ВидОперации', 'СуммаДокумента', 'Контрагент', 'Контрагент_Type', 'Комментарий', 'РасшифровкаПлатежа/СчетНаОплату_Key', 'РасшифровкаПлатежа/СуммаПлатежа'];

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
    counterparty: {
      kind: 'collection',
      set: S.counterparties,
      why: 'clients: requisites (ИНН/КПП, ЮридическоеФизическоеЛицо); bank payments are matched by ИНН',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'НаименованиеПолное', 'ИНН', 'КПП', 'ЮридическоеФизическоеЛицо'],
      filter: (p) => (p.inn ? eq('ИНН', p.inn) : p.partnerKey ? eq('Ref_Key', guid(p.partnerKey)) : undefined),
    },
    client: {
      kind: 'collection',
      set: S.counterparties,
      why: 'client: the counterparty of a Richest.store client (БП has no partners)',
      select: ['Ref_Key', 'Code', 'Description', 'DeletionMark', 'НаименованиеПолное', 'ЮридическоеФизическоеЛицо', 'ИНН', 'КПП', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление'],
      filter: (p) => (p.partnerKey ? eq('Ref_Key', guid(p.partnerKey)) : undefined),
    },
    order: {
      kind: 'collection',
      set: S.invoices,
      why: 'booking / bookingstate: the invoice (СчетНаОплатуПокупателю) by Richest.store id (a marker in Комментарий)',
      select: ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'СуммаДокумента', 'Контрагент_Key', 'Склад_Key', 'Комментарий'],
      filter: byExternalId,
    },
    cardOperation: { kind: 'collection', set: S.cardOps, why: 'paycard / refund: card payments and refunds (ОплатаПлатежнойКартой) by payment event id (a marker in Комментарий)', select: paymentSelect, filter: byExternalId },
    payment: { kind: 'collection', set: S.bankIn, why: 'bank payments (ПоступлениеНаРасчетныйСчет) by payment event id (a marker in Комментарий)', select: paymentSelect, filter: byExternalId },
    // Cash taken for an invoice in 1C: a posted ПКО ОплатаПокупателя whose line names the invoice (СчетНаОплату) — what
    // БП records as the invoice's payment (Documents/ПриходныйКассовыйОрдер/Ext/ManagerModule.bsl 1487-1516 at
    // kassya20/buh @ 8f1e6408: ОплатаСчетов from the lines' СчетНаОплату, for ОплатаПокупателя only).
    cashReceipt: {
      kind: 'collection',
      set: S.cashIn,
      why: 'bookingstate: cash taken in 1C for an invoice (posted ПриходныйКассовыйОрдер ОплатаПокупателя whose lines name it)',
      select: paymentSelect,
      filter: (p) =>
        p.orderKeys?.length
          ? and(eq('Posted', true), eq('ВидОперации', 'ОплатаПокупателя'), rawFilter(`РасшифровкаПлатежа/any(d: ${p.orderKeys.map((k) => `d/СчетНаОплату_Key eq ${guid(k).text}`).join(' or ')})`))
          : undefined,
    },
    refund: { kind: 'collection', set: S.bankOut, why: 'refund: bank refunds (СписаниеСРасчетногоСчета) by payment event id (a marker in Комментарий)', select: paymentSelect, filter: byExternalId },
    acquiringTerminal: {
      kind: 'collection',
      set: S.paymentKinds,
      why: 'paycard / refund: the card payment kind (ВидыОплатОрганизаций of ТипОплаты ПлатежнаяКарта: the acquirer and its contract)',
      select: ['Ref_Key', 'Description', 'DeletionMark', 'ТипОплаты', 'Организация_Key', 'Контрагент_Key', 'ДоговорКонтрагента_Key'],
      filter: () => eq('ТипОплаты', 'ПлатежнаяКарта'),
    },
    // Stock (src/catalog/stock-accounting.ts): the chart first, then the Balance. The reads below are what that module
    // sends; `regate check` verifies them like any other read.
    chartOfAccounts: {
      kind: 'collection',
      set: BP_STOCK_SETS.chart,
      why: 'stock, client balance: the base\'s accounts of goods (41.01 and its subaccounts) and of buyers (62.01, 62.02), with their subconto kinds',
      select: ['Ref_Key', 'Parent_Key', 'PredefinedDataName', 'ExtDimensionTypes/ExtDimensionType_Key'],
    },
    subcontoKind: { kind: 'collection', set: BP_STOCK_SETS.kinds, why: 'stock, client balance: the subconto kinds Номенклатура, Склады, Контрагенты (by their predefined names)', select: ['Ref_Key', 'PredefinedDataName'] },
    stock: {
      kind: 'balance',
      register: BP_STOCK_SETS.register,
      // Not sent: an accounting register's Balance takes AccountCondition / ExtraDimensions (stock-accounting.ts).
      dimensions: [],
      why: 'stock: quantity on the goods accounts per item (ExtDimension1) and warehouse (ExtDimension2)',
      select: ['ExtDimension1', 'ExtDimension2', 'КоличествоBalance'],
    },
    // Not `clientBalance`: the delivery's balance read sends Dimensions, which an accounting register refuses; this one
    // goes through src/onec/accounting.ts (the chart, then Balance with AccountCondition / Condition / ExtraDimensions).
    settlementBalance: {
      kind: 'balance',
      register: BP_STOCK_SETS.register,
      dimensions: [],
      why: 'client balance: the buyer\'s balance on 62.01 (debt) and 62.02 (advances) by subconto Контрагенты',
      select: ['Account_Key', 'ExtDimension1', 'СуммаBalance'],
    },
    organisation: { kind: 'collection', set: 'Catalog_Организации', why: 'state: organisation name and requisites', select: ['Ref_Key', 'Description', 'НаименованиеПолное', 'ИНН', 'КПП', 'ОГРН', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление'] },
    bankAccount: { kind: 'collection', set: S.bankAccounts, why: 'state: the organisation account (Owner composite)', select: ['Ref_Key', 'Owner', 'Owner_Type', 'НомерСчета', 'Банк_Key'] },
  };
}

function mappers(base: Mappers): Mappers {
  return {
    ...base,
    toItem(row, ctx) {
      const it = base.toItem({ ...row, ТипНоменклатуры: undefined, СтавкаНДС: row.ВидСтавкиНДС }, ctx);
      // Goods are offered by their stock on 41.01 (chartOfAccounts/stock reads); a service has no stock: «под заказ».
      return { ...it, brandId: null, pictureFileId: null, isGoods: row.Услуга !== true, soldToOrder: it.soldToOrder || row.Услуга === true };
    },
    toWarehouse: (row) => ({ ...base.toWarehouse(row), retailPriceKindId: refOf(row.ТипЦенРозничнойТорговли_Key) }),
    // Rows reach it through stock-accounting.ts, which keeps only those bpStockOf accepts.
    toStock: (row) => bpStockOf(row) ?? { itemId: '', warehouseId: '', onHand: 0, reserved: 0, available: 0 },
    toReserve: () => ({ itemId: '', warehouseId: '', reserved: 0 }),
    toPrice: (row) => ({ itemId: str(row.Номенклатура_Key), priceKindId: str(row.ТипЦен_Key), price: num(row.Цена), characteristicId: null, packagingId: null, currencyId: refOf(row.Валюта_Key), period: row.Period instanceof Date ? row.Period : null }),
    toBarcode: (row) => ({ barcode: str(row.Штрихкод).trim(), itemId: str(row.Номенклатура_Key), packagingId: null }),
    toUnit(row) {
      const isPackaging = row.Коэффициент !== undefined;
      return { id: str(row.Ref_Key), code: str(row.Code), name: str(row.Description), fullName: str(row.НаименованиеПолное), itemId: refOf(row.Owner_Key), baseUnitId: isPackaging ? refOf(row.ЕдиницаИзмерения_Key) : null, ratio: isPackaging && num(row.Коэффициент) > 0 ? num(row.Коэффициент) : 1, deleted: bool(row.DeletionMark) };
    },
    toBankAccount: (row) => ({ id: str(row.Ref_Key), organisationId: str(row.Owner_Type).endsWith('Catalog_Организации') ? refOf(row.Owner) : null, number: str(row.НомерСчета).trim(), bankId: refOf(row.Банк_Key) }),
    vatRateOfId: () => undefined,
    itemVatField: 'ВидСтавкиНДС',
    lineVat: bpLineVat,
    toClient(partner, counterparty) {
      const c = counterparty ?? partner;
      const contacts = rowsOf(partner.КонтактнаяИнформация);
      const phone = contacts.find((r) => r.Тип === 'Телефон');
      const email = contacts.find((r) => r.Тип === 'АдресЭлектроннойПочты');
      const inn = str(c.ИНН).trim() || null;
      return {
        partnerId: str(partner.Ref_Key),
        counterpartyId: c.Ref_Key ? str(c.Ref_Key) : null,
        externalId: null,
        name: str(partner.Description),
        fullName: str(partner.НаименованиеПолное),
        inn,
        kpp: str(c.КПП).trim() || null,
        kind: c.ЮридическоеФизическоеЛицо === 'ЮридическоеЛицо' ? 'company' : inn?.length === 12 ? 'entrepreneur' : 'person',
        phone: str(phone?.Представление) || null,
        email: str(email?.Представление) || null,
        deleted: bool(partner.DeletionMark),
      };
    },
    toClientBalance: bpClientBalanceOf,
    // ВидыОплатОрганизаций: the kind is what the document names (ВидОплаты); its Контрагент is the acquirer and
    // ДоговорКонтрагента the acquiring contract (the form's copy, see cardDoc).
    toAcquiring: (row) => ({ terminalKey: String(row.Ref_Key), contractKey: refOf(row.ДоговорКонтрагента_Key), acquirerKey: refOf(row.Контрагент_Key) }),
    toOrder: (row) => ({
      id: str(row.Ref_Key),
      number: str(row.Number),
      date: row.Date instanceof Date ? row.Date : null,
      externalId: MARKER_RE.exec(str(row.Комментарий))?.[1] ?? null,
      // An invoice has no state of its own in the published data: posted, or marked for deletion (cancelled).
      status: bool(row.DeletionMark) ? 'ПомеченНаУдаление' : bool(row.Posted) ? 'Проведен' : 'Записан',
      total: num(row.СуммаДокумента),
      posted: bool(row.Posted),
      deleted: bool(row.DeletionMark),
      partnerId: refOf(row.Контрагент_Key),
      warehouseId: refOf(row.Склад_Key),
      settlementObjectId: null,
      // УТ's ЭтоЗаказКакСчет (an order that posts only «На согласовании»): not an invoice's flag.
      asInvoice: false,
    }),
    toPayment(row) {
      const lines = rowsOf(row.РасшифровкаПлатежа);
      return {
        id: str(row.Ref_Key),
        number: str(row.Number),
        date: row.Date instanceof Date ? row.Date : null,
        externalId: MARKER_RE.exec(str(row.Комментарий))?.[1] ?? null,
        amount: num(row.СуммаДокумента),
        operation: str(row.ВидОперации),
        posted: bool(row.Posted),
        orderIds: [...new Set(lines.map((l) => refOf(l.СчетНаОплату_Key)).filter((x): x is string => !!x))],
        settlementObjectIds: [],
        counterpartyId: refOf(row.Контрагент),
        lines: lines.map((l) => ({ settlementObjectId: null, orderId: refOf(l.СчетНаОплату_Key), amount: num(l.СуммаПлатежа) })),
      };
    },
  };
}

/**
 * The rate of a document line in БП: Перечисления.СтавкиНДС.СтавкаНДС(ВидСтавки, Период) (Enums/СтавкиНДС/Ext/
 * ManagerModule.bsl 39-64): Общая → УчетНДСКлиентСервер.ОбщаяСтавкаНДС (CommonModules/УчетНДСКлиентСервер/Ext/Module.bsl
 * 990-1000: НДС18 before 2019, НДС20 before 2026, НДС22 from 2026), Пониженная → НДС10, Нулевая → НДС0, БезНДС → БезНДС.
 * The rate is an Enum.СтавкиНДС member (БП has no VAT catalog); the other kinds (УСН, расчетные) are not a shop's sale.
 */
export function bpLineVat(kind: string | null, at: Date): { vatRateId: string | null; vatRate: number | null } {
  const t = at.getTime();
  switch (kind) {
    case 'Общая':
      return t < Date.UTC(2019, 0, 1) ? { vatRateId: 'НДС18', vatRate: 18 } : t < Date.UTC(2026, 0, 1) ? { vatRateId: 'НДС20', vatRate: 20 } : { vatRateId: 'НДС22', vatRate: 22 };
    case 'Пониженная':
      return { vatRateId: 'НДС10', vatRate: 10 };
    case 'Нулевая':
      return { vatRateId: 'НДС0', vatRate: 0 };
    case 'БезНДС':
      return { vatRateId: 'БезНДС', vatRate: null };
    default:
      return { vatRateId: null, vatRate: null };
  }
}

const LEGAL: Record<ClientInput['kind'], string> = { company: 'ЮридическоеЛицо', person: 'ФизическоеЛицо', entrepreneur: 'ФизическоеЛицо' };

function contactRows(c: Partial<ClientInput>): Row[] {
  const out: Row[] = [];
  if (c.phone) out.push({ Тип: 'Телефон', Представление: c.phone, НомерТелефона: c.phone });
  if (c.email) out.push({ Тип: 'АдресЭлектроннойПочты', Представление: c.email, АдресЭП: c.email });
  return out.map((r, i) => ({ LineNumber: i + 1, ...r }));
}

function writes(): Record<string, WriteSpec> {
  const lines = ['РасшифровкаПлатежа/СпособПогашенияЗадолженности', 'РасшифровкаПлатежа/СчетНаОплату_Key', 'РасшифровкаПлатежа/СуммаПлатежа', 'РасшифровкаПлатежа/КурсВзаиморасчетов', 'РасшифровкаПлатежа/КратностьВзаиморасчетов', 'РасшифровкаПлатежа/СуммаВзаиморасчетов', 'РасшифровкаПлатежа/СтавкаНДС', 'РасшифровкаПлатежа/СуммаНДС'];
  const client = ['Description', 'НаименованиеПолное', 'ЮридическоеФизическоеЛицо', 'ИНН', 'КПП', 'Комментарий', 'КонтактнаяИнформация/Тип', 'КонтактнаяИнформация/Представление', 'КонтактнаяИнформация/НомерТелефона', 'КонтактнаяИнформация/АдресЭП'];
  const card = ['Date', 'ВидОперации', 'Организация_Key', 'Контрагент', 'ВидОплаты_Key', 'Эквайер_Key', 'ДоговорЭквайринга_Key', 'ВалютаДокумента_Key', 'СуммаДокумента', 'НомерПлатежнойКарты', 'ДокументОснование', 'Комментарий', ...lines];
  const bank = ['Date', 'ВидОперации', 'Организация_Key', 'СчетОрганизации_Key', 'Контрагент', 'ВалютаДокумента_Key', 'СуммаДокумента', 'НомерВходящегоДокумента', 'ДатаВходящегоДокумента', 'НазначениеПлатежа', 'ДокументОснование', 'Комментарий', ...lines];
  return {
    partner: { set: S.counterparties, why: 'client: the counterparty (buyer) of a new Richest.store client', fields: client },
    counterparty: { set: S.counterparties, why: 'client: the same counterparty (БП has no partners)', fields: client.slice(0, 5) },
    order: {
      set: S.invoices,
      post: true,
      why: 'booking: the invoice to the buyer (СчетНаОплатуПокупателю ТоварыИУслуги), posted; БП reserves nothing',
      fields: ['Date', 'ВидОперации', 'Организация_Key', 'ОрганизацияПолучатель_Key', 'Контрагент_Key', 'Склад_Key', 'ВалютаДокумента_Key', 'КурсВзаиморасчетов', 'КратностьВзаиморасчетов', 'СуммаВключаетНДС', 'ТипЦен_Key', 'АдресДоставки', 'Комментарий', 'Товары/Номенклатура', 'Товары/Количество', 'Товары/Цена', 'Товары/Сумма', 'Товары/СтавкаНДС', 'Товары/СуммаНДС'],
    },
    orderClose: { set: S.invoices, why: 'bookingcancel / expiry: the invoice unposted and marked for deletion', fields: ['DeletionMark'] },
    cardPaymentDocument: { set: S.cardOps, post: true, why: 'paycard: the card payment of the invoice (ОплатаПлатежнойКартой ОплатаПокупателя)', fields: card },
    cardRefundDocument: { set: S.cardOps, post: false, why: 'refund: the card refund (ОплатаПлатежнойКартой ВозвратПокупателю), prepared for a person to confirm', fields: card },
    bankPaymentDocument: { set: S.bankIn, post: true, why: 'bank statements: the buyer\'s payment of the invoice (ПоступлениеНаРасчетныйСчет ОплатаПокупателя)', fields: bank },
    bankRefundDocument: { set: S.bankOut, post: false, why: 'refund: the bank refund to the buyer (СписаниеСРасчетногоСчета ВозвратПокупателю), prepared for a person to confirm', fields: bank.filter((f) => f !== 'НомерВходящегоДокумента' && f !== 'ДатаВходящегоДокумента') },
  };
}

/**
 * A payment line paying the invoice: СчетНаОплату names it (what ОплатаСчетов is posted by: ManagerModule.bsl 1853-1890
 * of ОплатаПлатежнойКартой, 4582-4616 of ПоступлениеНаРасчетныйСчет), in roubles at rate 1/1 (СуммаВзаиморасчетов is
 * required with a contract: ОплатаПлатежнойКартой ObjectModule.bsl 141-150), repaid automatically (the default
 * ОбработкаЗаполнения puts: 43-47), with the VAT rate of the invoice's first line and its VAT share. The contract is
 * БП's to put (the main one: РаботаСДоговорамиКонтрагентовБП 195-245, ПередЗаписью).
 */
function paymentLine(p: PaymentInput, refs: PaymentRefs): Row {
  const sum = round2(p.amount);
  const vat = refs.vatRate ?? null;
  return {
    LineNumber: 1,
    СпособПогашенияЗадолженности: 'Автоматически',
    СчетНаОплату_Key: p.orderKey,
    СуммаПлатежа: sum,
    КурсВзаиморасчетов: 1,
    КратностьВзаиморасчетов: 1,
    СуммаВзаиморасчетов: sum,
    СтавкаНДС: refs.vatRateKey ?? '',
    СуммаНДС: vat ? round2((sum * vat) / (100 + vat)) : 0,
  };
}

function builders(): Builders {
  const cardDoc = (operation: 'ОплатаПокупателя' | 'ВозвратПокупателю', p: PaymentInput, refs: PaymentRefs): Row => ({
    Date: p.date,
    ВидОперации: operation,
    Организация_Key: refs.organisationKey,
    Контрагент: refs.counterpartyKey ?? refs.partnerKey,
    Контрагент_Type: typed(S.counterparties),
    ВидОплаты_Key: refs.acquiringTerminalKey ?? null,
    // The acquirer and its contract, copied from the payment kind as БП's form does when the kind is chosen
    // (Documents/ОплатаПлатежнойКартой/Forms/ФормаДокумента/Ext/Form/Module.bsl 741-748, ВидОплатыПриИзмененииНаСервере,
    // kassya20/buh @ 8f1e6408); neither ОбработкаЗаполнения nor ПередЗаписью of the object module fills them, so a
    // document written through OData has them only if ReGate sets them.
    Эквайер_Key: refs.acquirerKey ?? null,
    ДоговорЭквайринга_Key: refs.acquiringContractKey ?? null,
    ВалютаДокумента_Key: refs.currencyKey,
    СуммаДокумента: round2(p.amount),
    НомерПлатежнойКарты: (p.cardMask ?? '').slice(0, 20),
    // The refund's basis is the payment it returns; a payment's, the invoice it pays.
    ...(refs.basisPaymentKey ? { ДокументОснование: refs.basisPaymentKey, ДокументОснование_Type: typed(S.cardOps) } : { ДокументОснование: p.orderKey, ДокументОснование_Type: typed(S.invoices) }),
    Комментарий: `${p.comment ?? ''} ${bpCommentMarker(p.externalId)}`.trim(),
    РасшифровкаПлатежа: [paymentLine(p, refs)],
  });
  const bankDoc = (set: 'in' | 'out', p: PaymentInput, refs: PaymentRefs): Row => ({
    Date: p.date,
    ВидОперации: set === 'in' ? 'ОплатаПокупателя' : 'ВозвратПокупателю',
    Организация_Key: refs.organisationKey,
    СчетОрганизации_Key: refs.bankAccountKey ?? null,
    Контрагент: refs.counterpartyKey ?? refs.partnerKey,
    Контрагент_Type: typed(S.counterparties),
    ВалютаДокумента_Key: refs.currencyKey,
    СуммаДокумента: round2(p.amount),
    НазначениеПлатежа: p.purpose ?? '',
    ...(set === 'in' ? { НомерВходящегоДокумента: (p.incomingNumber ?? '').slice(0, 30), ДатаВходящегоДокумента: p.incomingDate ?? p.date } : {}),
    ДокументОснование: p.orderKey,
    ДокументОснование_Type: typed(S.invoices),
    Комментарий: `${p.comment ?? ''} ${bpCommentMarker(p.externalId)}`.trim(),
    РасшифровкаПлатежа: [paymentLine(p, refs)],
  });
  const client = (c: Partial<ClientInput>): Row => ({
    ...(c.name !== undefined ? { Description: c.name.slice(0, 100) } : {}),
    ...(c.fullName !== undefined || c.name !== undefined ? { НаименованиеПолное: c.fullName ?? c.name } : {}),
    ...(c.kind !== undefined ? { ЮридическоеФизическоеЛицо: LEGAL[c.kind] } : {}),
    ...(c.inn !== undefined ? { ИНН: c.inn } : {}),
    ...(c.kpp !== undefined ? { КПП: c.kind === 'company' ? c.kpp : '' } : {}),
  });
  return {
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
          // Товары.Номенклатура is composite in БП (Номенклатура | …): the type is named.
          Номенклатура: l.itemId,
          Номенклатура_Type: typed(S.items),
          Количество: l.quantity,
          Цена: l.price,
          Сумма: sum,
          СтавкаНДС: l.vatRateId ?? '',
          СуммаНДС: rate ? round2(includesVat ? (sum * rate) / (100 + rate) : (sum * rate) / 100) : 0,
        };
      });
      return {
        Date: order.date,
        ВидОперации: 'ТоварыИУслуги',
        Организация_Key: refs.organisationKey,
        // The payee is the organisation itself (ОбработкаЗаполнения 370-374 when no other account is chosen).
        ОрганизацияПолучатель_Key: refs.organisationKey,
        Контрагент_Key: refs.counterpartyKey ?? refs.partnerKey,
        Склад_Key: refs.warehouseKey,
        ВалютаДокумента_Key: refs.currencyKey,
        КурсВзаиморасчетов: 1,
        КратностьВзаиморасчетов: 1,
        СуммаВключаетНДС: includesVat,
        ТипЦен_Key: refs.priceKindKey ?? null,
        АдресДоставки: order.deliveryAddress,
        Комментарий: `${order.comment ?? ''} ${bpCommentMarker(order.externalId)}`.trim(),
        Товары: lines,
      };
    },
    // Not used: orderClosing (below) closes an invoice.
    cancelOrderPatch: () => ({ DeletionMark: true }),
    cardPaymentDocument: (p, refs) => cardDoc('ОплатаПокупателя', p, refs),
    cardRefundDocument: (p, refs) => cardDoc('ВозвратПокупателю', p, refs),
    bankPaymentDocument: (p, refs) => bankDoc('in', p, refs),
    bankRefundDocument: (p, refs) => bankDoc('out', p, refs),
    orderStatusRecord: () => ({}),
    cardPaymentRecord: () => ({}),
  };
}

/**
 * Cancelling an invoice the way БП's list does it: «Пометить на удаление» (a posted document is unposted first, then
 * marked). Reconciliation takes an invoice marked for deletion as cancelled (src/orders/reconcile.ts) — an invoice has
 * no other state in the published data.
 */
export const BP_ORDER_CLOSING: OrderClosing = {
  select: ['Ref_Key', 'DeletionMark', 'Posted'],
  closed: (doc) => doc.DeletionMark === true,
  cancelled: (doc) => doc.DeletionMark === true,
  unpost: true,
  patch: () => ({ DeletionMark: true }),
};

export function bpProfile(config: Config): Profile {
  const base = ut11Profile('ut11.4', { ...config, onec: { ...config.onec, extension: false } }, bpFeatures());
  return {
    ...base,
    id: 'bp',
    family: 'БП 3',
    configurationName: 'БухгалтерияПредприятия',
    // Its orderDocument counts a line's Количество in the line's unit (no КоличествоУпаковок): not УТ's base's.
    sellsByPackaging: false,
    minVersion: '3.0',
    reads: reads(base.reads) as Profile['reads'],
    writes: writes(),
    map: mappers(base.map),
    build: builders(),
    limits: BP_LIMITS,
    orderClosing: BP_ORDER_CLOSING,
  };
}
