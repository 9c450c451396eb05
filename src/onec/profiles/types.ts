import type { Config, FieldSource } from '../../config/schema.js';
import type { Filter } from '../filter.js';

/**
 * A profile maps ReGate's concepts onto one 1C configuration (УТ 11 today; УНФ 3, Розница 2 later). It is data
 * plus small pure functions: WHAT to read (entity set, $select, $filter / virtual-table parameters) and HOW a
 * normalised row becomes a ReGate record, and back (ReGate record → body of a 1C write). It never performs
 * HTTP: the sync and outbox services drive src/onec's ODataClient with these declarations.
 *
 * The API and the mirror only see the records below (ItemRecord, …), which carry no 1C names, so another
 * configuration is one more profile file, not a change to the API layer.
 *
 * Normalised rows (what ODataClient returns): Int64 as numbers, DateTime as Date (null for the empty date), empty
 * references as null, composite X + X_Type (the type without the `StandardODATA.` namespace: "Document_ЗаказКлиента";
 * mappers compare with endsWith so either form works), ValueStorage as `X_Base64Data` strings. Write bodies put
 * the full wire form in X_Type ("StandardODATA.Document_ЗаказКлиента"). Otherwise write bodies use
 * the normalised conventions (Date, null refs); the client's toWire() turns them into 1C's wire form.
 */

export type Row = Record<string, unknown>;

export type ProfileId = 'ut11.5' | 'ut11.4' | 'erp' | 'unf' | 'bp' | 'roznica';

export type ConceptId =
  | 'item'
  | 'group'
  | 'warehouse'
  | 'city'
  | 'priceKind'
  | 'price'
  | 'stock'
  | 'reserve'
  | 'barcode'
  | 'unit'
  | 'country'
  | 'brand'
  | 'manufacturer'
  | 'picture'
  | 'fileVolume'
  | 'pictureStorage'
  | 'pictureData'
  | 'property'
  | 'client'
  | 'counterparty'
  | 'clientAnalytics'
  | 'clientBalance'
  | 'order'
  | 'payment'
  | 'cardOperation'
  | 'refund'
  | 'organisation'
  | 'bankAccount'
  | 'bank'
  | 'currency'
  | 'vatRate'
  | 'configurationVersion'
  | 'acquiringTerminal'
  | 'agreement'
  | 'cancelReason'
  | 'cashReceipt'
  | 'counterpartyAccount'
  | 'platform'
  | 'orderStatus'
  | 'cardPayment'
  // Issue 18 (УНФ and others): packagings kept apart from units, the sales department of an order, the cash-flow item
  // of a payment.
  | 'packaging'
  | 'department'
  | 'cashFlowItem'
  // Issue 14.3: shipments of orders (УТ's РеализацияТоваровУслуг), for the fulfilment bookingstate reports.
  | 'shipment'
  // Issue 17: characteristics of items (sizes, colours), sold as variants; clients' own agreements (their price kind).
  | 'characteristic'
  | 'clientAgreement'
  // Issue 17: values of additional properties (УТ Catalog_ЗначенияСвойствОбъектов), for the shop's filters.
  | 'propertyValue'
  | 'itemProperty'
  // Issue 17: characteristics' own properties (УТ ХарактеристикиНоменклатуры.ДополнительныеРеквизиты).
  | 'characteristicProperty'
  // Issue 14.7: the items that keep a description in an attached file (УТ Номенклатура.ФайлОписанияДляСайта).
  | 'itemDescriptionFile'
  // Issue 17: the packaging set an item uses (УТ Номенклатура.НаборУпаковок: packagings shared by items).
  | 'itemPackagingSet'
  // Issue 17: items' VAT rates by period and country (УТ 11.5.20 InformationRegister.СтавкиНДСНоменклатуры).
  | 'itemVatRate'
  // Issue 18: the order states a configuration closes an order with (УНФ's СостоянияЗаказовПокупателей.Завершен).
  | 'orderState'
  // Issue 18: the place a store's orders are sold by, per store (Розница: the Магазин of the Склад).
  | 'storePlace'
  // Issue 18: the price each shop sells at (Розница InformationRegister.ДействующиеЦеныНоменклатуры), by shop.
  | 'storePrice'
  // Issue 18: the pricing rules of stores, whose price kind a store sells at (Розница Catalog.ПравилаЦенообразования).
  | 'pricingRule';

/** Runtime values a read may be narrowed by (keys come from the mirror or from earlier reads). */
export interface ReadParams {
  itemKeys?: string[];
  warehouseKeys?: string[];
  priceKindKeys?: string[];
  /** Issue 18: the objects prices are applied to (Розница: Catalog.Магазины), for reads.storePrice. */
  pricingObjectKeys?: string[];
  partnerKey?: string;
  analyticsKeys?: string[];
  orderKey?: string;
  /** Orders' Catalog_ОбъектыРасчетов (11.5) / the orders themselves (11.4): cash receipts name them in their lines. */
  settlementObjectKeys?: string[];
  orderKeys?: string[];
  /** A bank account number (payer accounts of bank receipts). */
  accountNumber?: string;
  fileKey?: string;
  /** Catalog_ХранилищеДвоичныхДанных item of a file (11.5.18+, from pictureStorage). */
  blobKey?: string;
  bankKeys?: string[];
  externalId?: string;
  inn?: string;
  /** Virtual tables: the moment of the slice / balance (absent = now). */
  period?: Date;
}

interface ReadBase {
  /** $select; for virtual tables the result names (`ВНаличииBalance`). */
  select: string[];
  /** Why ReGate reads this (shown by `regate check`). */
  why: string;
  /** Only meaningful with the ReGate extension installed (onec.extension). */
  extension?: boolean;
}

/** Plain collection: client.all(set, { select, filter }) — or list() when a filter narrows to a few rows. */
export interface CollectionRead extends ReadBase {
  kind: 'collection';
  set: string;
  filter?: (p: ReadParams) => Filter | string | undefined;
  /** Stable order for manual paging ($orderby; default Ref_Key). Registers page by their dimensions. */
  keyFields?: string[];
}

/** InformationRegister_X[_RecordType]/SliceLast(Period, Condition). */
export interface SliceLastRead extends ReadBase {
  kind: 'sliceLast';
  register: string;
  /** Recorder-subordinate registers are sliced through `<register>_RecordType`. */
  recordType: boolean;
  condition?: (p: ReadParams) => Filter | string | undefined;
}

/** AccumulationRegister_X/Balance(Period, Condition, Dimensions). */
export interface BalanceRead extends ReadBase {
  kind: 'balance';
  register: string;
  dimensions: string[];
  condition?: (p: ReadParams) => Filter | string | undefined;
}

export type ReadSpec = CollectionRead | SliceLastRead | BalanceRead;

/** A write ReGate performs: set, the fields its body carries, and whether the document is posted after. */
export interface WriteSpec {
  set: string;
  fields: string[];
  why: string;
  post?: boolean;
  extension?: boolean;
}

// ---- ReGate records (configuration-neutral) ----

export interface ItemRecord {
  id: string;
  code: string;
  article: string;
  name: string;
  /**
   * The short description as the shop gets it. УТ (issue 14.7): per catalog.descriptions, Номенклатура.Описание or
   * '' (never the name). Profiles without `fullName` keep their full name here (served as the full name too).
   */
  shortDescription: string;
  /** The full description as the shop gets it (УТ: Описание when catalog.descriptions.full says so, else ''). */
  fullDescription: string;
  /** Issue 14.7: the item's full name (УТ НаименованиеПолное), where the profile keeps it apart from the descriptions. */
  fullName?: string;
  groupId: string | null;
  unitId: string | null;
  countryId: string | null;
  brandId: string | null;
  manufacturerId: string | null;
  pictureFileId: string | null;
  vatRateId: string | null;
  minQuantity: number;
  multiplicity: number;
  tier1Threshold: number;
  tier2Threshold: number;
  soldToOrder: boolean;
  isGoods: boolean;
  deleted: boolean;
  /**
   * Issue 17: whose characteristics the item is sold in (the Owner of its Catalog_ХарактеристикиНоменклатуры: the
   * item itself, or an item kind); null/absent = the item uses none.
   */
  characteristicsOwnerId?: string | null;
}

/** Issue 17: one additional attribute of an item: the property and its value (a reference's key, or the literal). */
export interface ItemPropertyRecord {
  propertyId: string;
  value: string | number | boolean;
  /** The published type of a reference value (`StandardODATA.Catalog_ЗначенияСвойствОбъектов`), '' for literals. */
  valueType: string;
}

/** Issue 17: a property (ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения) or a value of one. */
export interface PropertyRecord {
  id: string;
  name: string;
  title: string;
}
export interface PropertyValueRecord {
  id: string;
  propertyId: string | null;
  name: string;
  deleted: boolean;
}

/** Issue 17: a client's own (not typical) agreement: the price kind the client buys at. */
export interface ClientAgreementRecord {
  id: string;
  partnerId: string | null;
  priceKindId: string | null;
  /** Not deleted, Статус Действует, and today within ДатаНачалаДействия..ДатаОкончанияДействия (an empty date: open). */
  inForce: boolean;
  /** Issue 17: the agreement's ЦенаВключаетНДС (an order under it takes it, WRITE-RULES §1.2); undefined = not read. */
  includesVat?: boolean;
}

/** Issue 17: a characteristic of items (УТ Catalog_ХарактеристикиНоменклатуры), offered as a variant. */
export interface CharacteristicRecord {
  id: string;
  name: string;
  fullName: string;
  /** Owner_Key / Owner: the item (individual characteristics) or the item kind (shared ones). */
  ownerId: string | null;
  /** УТ 11.5: ХарактеристикаНоменклатурыДляЦенообразования — what ЦеныНоменклатуры25.ХарактеристикаЦО names. */
  pricingId: string | null;
  deleted: boolean;
}

export interface GroupRecord {
  id: string;
  parentId: string | null;
  code: string;
  name: string;
  deleted: boolean;
}

export interface WarehouseRecord {
  id: string;
  code: string;
  name: string;
  city: string | null;
  address: string | null;
  phone: string | null;
  retailPriceKindId: string | null;
  isShop: boolean;
  deleted: boolean;
  /**
   * Issue 18: the object 1C applies this store's own prices to (Розница: the shop, when it uses applied prices), whose
   * reads.storePrice rows price the store before its price kinds; null/absent = the store sells at its price kinds.
   */
  pricingObjectId?: string | null;
  /** Issue 18: the store's pricing rule (Розница Магазины.ПравилоЦенообразования): its price kind is the store's retail kind. */
  pricingRuleId?: string | null;
}

/** Issue 18: a price applied to a store (Розница ДействующиеЦеныНоменклатуры/SliceLast), per its packaging. */
export interface StorePriceRecord {
  pricingObjectId: string;
  itemId: string;
  /** null = the item as such. */
  characteristicId: string | null;
  price: number;
  /** The packaging the price is for (null = per unit of the item). */
  packagingId: string | null;
}

export interface PriceKindRecord {
  id: string;
  name: string;
  currencyId: string | null;
  includesVat: boolean;
  deleted: boolean;
}

export interface PriceRecord {
  itemId: string;
  priceKindId: string;
  price: number;
  /** The characteristic the price is for (null = the item as such; УТ 11.5: ХарактеристикаЦО). */
  characteristicId: string | null;
  /** The packaging the price is for (null = per unit of the item). */
  packagingId: string | null;
  currencyId: string | null;
  period: Date | null;
}

export interface StockRecord {
  itemId: string;
  warehouseId: string;
  /** On hand (ВНаличии). */
  onHand: number;
  /** Promised: to ship (11.5 ТоварыНаСкладах.КОтгрузке) or reserved (11.4 СвободныеОстатки). */
  reserved: number;
  /** What can be sold: onHand − reserved, never below 0. */
  available: number;
  /** Issue 17: the characteristic of the balance row (null = none). */
  characteristicId?: string | null;
}

export interface BarcodeRecord {
  barcode: string;
  itemId: string;
  packagingId: string | null;
  /** Issue 17: the characteristic the barcode is of (null = the item as such). */
  characteristicId?: string | null;
}

export interface UnitRecord {
  id: string;
  code: string;
  name: string;
  fullName: string;
  /** Packagings belong to an item; units of measure to nobody. */
  itemId: string | null;
  /** For packagings: the unit they count in, and how many of it (Числитель/Знаменатель): 0.17 for 170 g of кг. */
  baseUnitId: string | null;
  ratio: number;
  deleted: boolean;
  /** Issue 17: the packaging set owning it (УТ Catalog_НаборыУпаковок, shared by the items that name the set). */
  setId?: string | null;
}

export interface CountryRecord {
  id: string;
  code: string;
  name: string;
  fullName: string;
  alpha2: string;
}

export interface FileVolumeRecord {
  id: string;
  name: string;
  /** The volume's root as 1C writes it on each platform (a UNC share on Windows, a mount on Linux). */
  windowsPath: string;
  linuxPath: string;
}

export interface BrandRecord {
  id: string;
  name: string;
  manufacturerId: string | null;
}

export interface ManufacturerRecord {
  id: string;
  name: string;
}

export interface PictureRecord {
  fileId: string;
  itemId: string | null;
  name: string;
  extension: string;
  size: number;
  /** Where the bytes are: the БСП register (ВИнформационнойБазе), or a file volume on disk (ВТомахНаДиске). */
  storedInBase: boolean;
  /** For files in a volume: the volume (ТомаХраненияФайлов) and the path inside it (ПутьКФайлу). */
  volumeId: string | null;
  pathInVolume: string;
  modified: Date | null;
  deleted: boolean;
}

export interface ClientRecord {
  partnerId: string;
  counterpartyId: string | null;
  externalId: string | null;
  name: string;
  fullName: string;
  inn: string | null;
  kpp: string | null;
  kind: 'company' | 'person' | 'entrepreneur';
  phone: string | null;
  email: string | null;
  deleted: boolean;
}

export interface OrderRecord {
  id: string;
  number: string;
  date: Date | null;
  externalId: string | null;
  status: string;
  total: number;
  posted: boolean;
  deleted: boolean;
  partnerId: string | null;
  warehouseId: string | null;
  /** 11.5: the order's Catalog_ОбъектыРасчетов (what a payment must name to pay it); null on 11.4. */
  settlementObjectId: string | null;
  /** 11.5: ЭтоЗаказКакСчет as 1C set it on write. */
  asInvoice: boolean;
}

/** A shipment document (УТ: РеализацияТоваровУслуг) and the order each of its lines ships. */
export interface ShipmentRecord {
  id: string;
  number: string;
  posted: boolean;
  deletionMark: boolean;
  /** The header's order (composite ЗаказКлиента), when it names one. */
  orderId: string | null;
  lines: { itemId: string; quantity: number; orderId: string | null }[];
}

export interface PaymentRecord {
  id: string;
  number: string;
  date: Date | null;
  externalId: string | null;
  amount: number;
  operation: string;
  posted: boolean;
  /** Orders named in РасшифровкаПлатежа.ОснованиеПлатежа (card / incoming payments). */
  orderIds: string[];
  /** ОбъектыРасчетов settled (СписаниеБезналичных has only these; an order's object has Объект = the order). */
  settlementObjectIds: string[];
  counterpartyId: string | null;
  /** Each РасшифровкаПлатежа line: what it settles (the order's object in 11.5, the order in 11.4) and its amount. */
  lines?: { settlementObjectId: string | null; orderId: string | null; amount: number }[];
}

export interface OrganisationRecord {
  id: string;
  name: string;
  fullName: string;
  inn: string;
  kpp: string;
  ogrn: string;
  address: string | null;
  phone: string | null;
  /** Issue 17: СтранаРегистрации, where read (the country whose VAT rates of items apply). */
  countryId?: string | null;
}

export interface BankAccountRecord {
  id: string;
  organisationId: string | null;
  number: string;
  bankId: string | null;
}

export interface BankRecord {
  id: string;
  name: string;
  bik: string;
  correspondentAccount: string;
}

export interface ConfigurationVersionRecord {
  name: string;
  version: string;
  /** Other subsystems (БСП, …) with versions, for `state`. */
  subsystems: { name: string; version: string }[];
}

export interface OrderStatusRecord {
  orderId: string;
  period: Date | null;
  orderStatus: number;
  paymentStatus: number;
  paidAmount: number;
  comment: string;
}

export interface CardPaymentRecord {
  orderId: string;
  transactionId: string;
  provider: string;
  rrn: string;
  authCode: string;
  cardMask: string;
  amount: number;
  paidAt: Date | null;
}

export interface ClientBalanceRecord {
  /** What the client owes (> 0) or has prepaid (< 0), summed over the analytics keys read. */
  debt: number;
  prepaid: number;
}

// ---- inputs of writes (what orders/outbox hand the profile) ----

export interface ClientInput {
  externalId: string;
  name: string;
  fullName?: string;
  inn?: string;
  kpp?: string;
  kind: 'company' | 'person' | 'entrepreneur';
  phone?: string;
  email?: string;
  /** The client's address (contact information of kind «адрес», not an order's delivery address). */
  address?: string;
  comment?: string;
}

export interface OrderLineInput {
  itemId: string;
  quantity: number;
  /** Price per unit, VAT included (price kinds in УТ are kept with VAT). */
  price: number;
  /** The line amount as ReGate priced it (roubles, exact kopecks); default price × quantity rounded. */
  amount?: number;
  packagingId?: string | null;
  /** Packaging ratio (units per packaging) when packagingId is set. */
  packagingRatio?: number;
  priceKindId?: string | null;
  vatRateId?: string | null;
  /** Percent, e.g. 20; null/undefined = without VAT. */
  vatRate?: number | null;
  /** The item's unit of measure (configurations whose lines name it, e.g. УНФ's Запасы.ЕдиницаИзмерения). */
  unitId?: string | null;
  /** Issue 17: the characteristic (variant) sold; null/absent = the item as such. */
  characteristicId?: string | null;
}

export interface OrderInput {
  externalId: string;
  date: Date;
  deliveryAddress: string;
  comment?: string;
  paymentForm: 'card' | 'bank' | 'cash';
  lines: OrderLineInput[];
  /** The base makes every new order an invoice (no extended orders): it posts only with Статус НеСогласован. */
  asInvoice?: boolean;
}

export interface OrderRefs {
  organisationKey: string;
  partnerKey: string;
  counterpartyKey: string | null;
  warehouseKey: string;
  currencyKey: string;
  priceKindKey?: string | null;
  bankAccountKey?: string | null;
  /** The agreement the order is made under (Соглашение_Key), if the base uses one for web orders. */
  agreementKey?: string | null;
  /** ЦенаВключаетНДС: the agreement's, else the price kind's (WRITE-RULES §1.2); default true. */
  pricesIncludeVat?: boolean;
  /** НалогообложениеНДС member; default ПродажаОблагаетсяНДС. */
  vatTaxation?: string;
  /** The department an order is sold by, where the configuration requires one (УНФ СтруктурнаяЕдиницаПродажи). */
  salesUnitKey?: string | null;
}

export interface PaymentInput {
  externalId: string;
  date: Date;
  amount: number;
  orderKey: string;
  comment?: string;
  /** Card: masked number, authorisation code. Bank: incoming document number/date, purpose. */
  cardMask?: string;
  authCode?: string;
  incomingNumber?: string;
  incomingDate?: Date;
  purpose?: string;
  /** Bank: the statement section's kind (`Платежное поручение`, …) and its Код (УИП). */
  documentKind?: string;
  paymentCode?: string;
}

export interface PaymentRefs {
  organisationKey: string;
  partnerKey: string;
  counterpartyKey: string | null;
  currencyKey: string;
  bankAccountKey?: string | null;
  /** Catalog_ОбъектыРасчетов of the order (11.5): every payment line that pays the order names it. */
  settlementObjectKey?: string | null;
  /** Card operations: the acquiring terminal and (11.5) its contract (WRITE-RULES §3). */
  acquiringTerminalKey?: string | null;
  acquiringContractKey?: string | null;
  /** The acquiring bank as a counterparty, where the document names it apart from the terminal (БП's Эквайер). */
  acquirerKey?: string | null;
  /** Розница 2.2: the order's shop (Магазин) and the terminal's till payment kind (ВидыОплатЧекаККМ). */
  shopKey?: string | null;
  paymentKindKey?: string | null;
  /** Card refunds: the card payment document it returns (ДокументОснование, WRITE-RULES §3). */
  basisPaymentKey?: string | null;
  /** The VAT item and rate of the order's first line: УНФ fills a payment's line from the order (issue 18). */
  vatRateKey?: string | null;
  vatRate?: number | null;
  /** The cash-flow item of the payment, where the configuration requires one (УНФ Статья). */
  cashFlowItemKey?: string | null;
  /** Bank receipts: the payer's account in Catalog_БанковскиеСчетаКонтрагентов, when the base has it. */
  payerAccountKey?: string | null;
}

export interface OrderStatusInput {
  orderKey: string;
  period: Date;
  orderStatus: number;
  paymentStatus: number;
  paidAmount: number;
  comment?: string;
}

export interface CardPaymentInput {
  orderKey: string;
  transactionId: string;
  provider: string;
  rrn: string;
  authCode: string;
  cardMask: string;
  amount: number;
  paidAt: Date;
}

/** Context a mapping may need beyond the row: config (field sources, defaults) and resolved property keys. */
export interface MapContext {
  config: Config;
  /** ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения: Имя (or Description) → Ref_Key, for additionalAttribute sources. */
  propertyKeys?: Map<string, string>;
}

export interface Mappers {
  toItem(row: Row, ctx: MapContext): ItemRecord;
  toGroup(row: Row): GroupRecord;
  toWarehouse(row: Row): WarehouseRecord;
  /** Distinct cities of warehouses, sorted (ru collation). */
  citiesOf(warehouses: WarehouseRecord[]): string[];
  toPriceKind(row: Row): PriceKindRecord;
  toPrice(row: Row): PriceRecord;
  /** Issue 18: a reads.storePrice row (profiles that read prices applied per store). */
  toStorePrice?(row: Row): StorePriceRecord;
  /** Issue 18: a reads.pricingRule row → the rule and the price kind it prices by. */
  toPricingRule?(row: Row): { id: string; priceKindId: string | null; deleted: boolean };
  toStock(row: Row): StockRecord;
  /** A reserve row (ТоварыКОтгрузке/Balance, 11.5) → what orders hold back at a warehouse. */
  toReserve(row: Row): { itemId: string; warehouseId: string; reserved: number; characteristicId?: string | null };
  /** Issue 17: a Catalog_ХарактеристикиНоменклатуры row (profiles that read characteristics). */
  toCharacteristic?(row: Row): CharacteristicRecord;
  /** Issue 17: a Catalog_СоглашенияСКлиентами row of a client's own agreement. */
  toClientAgreement?(row: Row, now?: Date): ClientAgreementRecord;
  /** Issue 17: properties and their values (profiles that export additional attributes). */
  toProperty?(row: Row): PropertyRecord;
  /** Issue 17: an itemProperty row → the item's additional attributes with a value. */
  toItemProperties?(row: Row): { itemId: string; properties: ItemPropertyRecord[] };
  /** Issue 17: a characteristicProperty row → the characteristic's own properties with a value. */
  toCharacteristicProperties?(row: Row): { characteristicId: string; properties: ItemPropertyRecord[] };
  toPropertyValue?(row: Row): PropertyValueRecord;
  /** Issue 17: an itemPackagingSet row → the item and the packaging set it uses (УТ Номенклатура.НаборУпаковок). */
  toItemPackagingSet?(row: Row): { itemId: string; setId: string | null };
  /** Issue 17: an itemVatRate row (УТ 11.5 СтавкиНДСНоменклатуры/SliceLast) → the item's VAT rate for a country ('' = any). */
  toItemVatRate?(row: Row): { itemId: string; countryId: string | null; vatRateId: string | null };
  /** Issue 14.7: an itemDescriptionFile row → the item and its site description file (УТ ФайлОписанияДляСайта). */
  toItemDescriptionFile?(row: Row): { itemId: string; fileId: string | null };
  toBarcode(row: Row): BarcodeRecord;
  toUnit(row: Row): UnitRecord;
  toCountry(row: Row): CountryRecord;
  toBrand(row: Row): BrandRecord;
  toManufacturer(row: Row): ManufacturerRecord;
  toPicture(row: Row): PictureRecord;
  toFileVolume(row: Row): FileVolumeRecord;
  /** Bytes of a picture from a pictureData row (base64 in `…_Base64Data`), null when absent. */
  pictureBytes(row: Row): Buffer | null;
  /** The binary-data item a pictureStorage row points at (11.5.18+), null when none. */
  blobOf(row: Row): string | null;
  /** A vatRate row → its id and rate (null = without VAT). */
  toVatRate(row: Row): { id: string; rate: number | null };
  /** The rate an id stands for by itself (enum members: НДС20 → 20), undefined when it must be read (catalog items). */
  vatRateOfId(id: string): number | null | undefined;
  /** The item attribute holding its VAT rate (`СтавкаНДС_Key`, or the enum `СтавкаНДС`). */
  itemVatField: string;
  toClient(partner: Row, counterparty?: Row | null): ClientRecord;
  toClientBalance(rows: Row[]): ClientBalanceRecord;
  toOrder(row: Row): OrderRecord;
  toPayment(row: Row): PaymentRecord;
  /** reads.shipment rows (optional: a profile without shipments reports no fulfilment). */
  toShipment?(row: Row): ShipmentRecord;
  toOrganisation(row: Row): OrganisationRecord;
  toBankAccount(row: Row): BankAccountRecord;
  toBank(row: Row): BankRecord;
  toConfigurationVersion(rows: Row[]): ConfigurationVersionRecord;
  /** The 1C platform version the extension recorded (ReGate_СведенияОПлатформе), null when none. */
  platformOf(rows: Row[]): string | null;
  toOrderStatus(row: Row): OrderStatusRecord;
  toCardPayment(row: Row): CardPaymentRecord;
  /**
   * An acquiringTerminal row → what a card operation names (optional: by default the row is the terminal and its
   * Owner_Key the acquiring contract, as in УТ 11.5).
   */
  toAcquiring?(row: Row): { terminalKey: string; contractKey: string | null; acquirerKey: string | null; shopKey?: string | null; paymentKindKey?: string | null };
  /** Property name → Ref_Key from property rows, for MapContext.propertyKeys. */
  propertyKeysOf(rows: Row[]): Map<string, string>;
  /**
   * Where an item holds a VAT kind rather than a rate item (УНФ's ВидСтавкиНДС): the rate item a document line dated
   * `at` gets, chosen among the vatRate rows as the configuration chooses it. Absent: the item's own id is the line's.
   */
  lineVat?(itemVatId: string | null, at: Date, vatRows: Row[]): { vatRateId: string | null; vatRate: number | null };
  /** A reads.storePlace row → the place (OrderRefs.salesUnitKey) orders of that store are sold by (Розница: the Магазин). */
  toStorePlace?(row: Row): string | null;
}

export interface Builders {
  partnerBody(client: ClientInput, config: Config): Row;
  counterpartyBody(client: ClientInput, refs: { partnerKey: string; countryKey?: string | null }, config: Config): Row;
  /** PATCH bodies for clientupd: only what ReGate owns (names, ИНН/КПП, contacts). */
  clientPatch(client: Partial<ClientInput>): { partner: Row; counterparty: Row };
  orderDocument(order: OrderInput, refs: OrderRefs, config: Config): Row;
  /** Cancelling in УТ: every line Отменено, status Закрыт (the lines are replaced whole, so they are passed in). */
  cancelOrderPatch(currentLines: Row[], reasonKey?: string | null): Row;
  /**
   * The shop changed an unpaid order (bookingupd): the PATCH that makes the order as `order` says — its lines (whole,
   * a tabular part is replaced), sum, delivery address, comment — keeping the status; `current` is the document as
   * read. Optional: a profile without it cannot change orders (the job says so).
   */
  orderUpdatePatch?(order: OrderInput, refs: OrderRefs, config: Config, current: Row): Row;
  cardPaymentDocument(payment: PaymentInput, refs: PaymentRefs, config: Config): Row;
  bankPaymentDocument(payment: PaymentInput, refs: PaymentRefs, config: Config): Row;
  cardRefundDocument(payment: PaymentInput, refs: PaymentRefs, config: Config): Row;
  bankRefundDocument(payment: PaymentInput, refs: PaymentRefs, config: Config): Row;
  orderStatusRecord(s: OrderStatusInput): Row;
  cardPaymentRecord(p: CardPaymentInput): Row;
}

export interface Profile {
  id: ProfileId;
  /** Configuration family, for messages: 'УТ 11'. */
  family: string;
  /** What InformationRegister_ВерсииПодсистем should report as the main configuration. */
  configurationName: string;
  minVersion: string;
  /**
   * Issue 17: order lines may be sold by a packaging (booking packagingId): build.orderDocument writes Упаковка,
   * КоличествоУпаковок and Количество in units as the configuration keeps them. Absent: the profile counts a line's
   * Количество in the line's unit, and booking refuses packagingId.
   */
  sellsByPackaging?: boolean;
  /** What this base publishes differently (detected from $metadata or a dump; defaults per id). */
  features: import('./features.js').Ut11Features;
  reads: Partial<Record<ConceptId, ReadSpec>>;
  writes: Record<string, WriteSpec>;
  map: Mappers;
  build: Builders;
  /** Where each configurable field is read from (resolved from config.catalog). */
  fieldSources: Record<ConfigurableField, FieldSource>;
  /**
   * What this configuration cannot offer ReGate, one sentence each (`regate check` prints them): a concept the profile
   * has no read or write for, and why, in the configuration's own terms (issue 18: БП, Розница).
   */
  limits?: string[];
  /**
   * How this configuration closes an order ReGate cancelled or let expire, and tells an order cancelled in 1C by
   * hand (issue 18). Absent: УТ's way (every line Отменено, Статус Закрыт: src/orders/delivery/order-status.ts).
   */
  orderClosing?: OrderClosing;
  /** PredefinedDataName of the cash-flow items (reads.cashFlowItem) of a client's payment and of a refund. */
  cashFlowPredefined?: { receipt: string; refund?: string };
}

/** A configuration's own way to close an order in 1C (Profile.orderClosing). */
export interface OrderClosing {
  /** $select of the order document that `closed` / `cancelled` need (reconciliation reads it for every open order). */
  select: string[];
  /** Nothing left to write: the order is closed (cancelled) in 1C already. */
  closed(doc: Row): boolean;
  /** Cancelled in 1C (by hand or by ReGate) — not merely completed, which a shipped and paid order also is. */
  cancelled(doc: Row): boolean;
  /** The predefined item `patch` needs (read through reads[concept], found by PredefinedDataName). */
  predefined?: { concept: ConceptId; name: string };
  /**
   * The PATCH that closes `doc` (the document as read); the document is posted again after it when it was posted,
   * unless `unpost`: then a posted document is unposted before the PATCH and stays so (БП marks an invoice for deletion).
   */
  patch(doc: Row, refs: { reasonKey: string | null; predefinedKey: string | null }): Row;
  unpost?: boolean;
}

export type ConfigurableField = 'minQuantity' | 'multiplicity' | 'soldToOrder' | 'tier1Threshold' | 'tier2Threshold';

export interface FieldRequirement {
  name: string;
  why: string[];
}

export interface SetRequirement {
  set: string;
  why: string[];
  fields: FieldRequirement[];
  /** Needed only because of the ReGate extension (onec.extension = true). */
  extension: boolean;
  /** Read through a virtual table (the composition must still contain the register). */
  virtual?: 'SliceLast' | 'Balance';
  /** Written (POST/PATCH) by ReGate: the OData user needs rights to change it. */
  written: boolean;
}
