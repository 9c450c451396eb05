import type { ProfileId } from './types.js';

/**
 * What differs between УТ 11 releases and settings, detected from what the base publishes ($metadata live, or the
 * model published from a configuration dump) rather than from the version number: 11.5.8–11.5.18 differ from 11.5.20
 * too, and customised bases drift. Every default below is the fact of the real dump named (FACTS.md; the models in
 * src/onec/dump/embedded), and `detectFeatures` reproduces it from that dump (test/profiles/features.test.ts).
 */
export interface Ut11Features {
  /** VAT rates: Catalog_СтавкиНДС with the predefined item БезНДС (11.5), or Enum.СтавкиНДС on the item and lines (11.4). */
  vat: 'catalog' | 'enum';
  /** Payment lines settle an order through ОбъектРасчетов_Key (11.5, Catalog_ОбъектыРасчетов) or through the composite Заказ (11.4). */
  settlement: 'object' | 'order';
  /** РасчетыСКлиентами's order dimension: ОбъектРасчетов_Key (11.5) or the composite ЗаказКлиента (11.4). */
  settlementDimension: 'ОбъектРасчетов_Key' | 'ЗаказКлиента';
  /**
   * Where the bytes of an item file kept in the infobase are: InformationRegister_ХранилищеФайлов →
   * Catalog_ХранилищеДвоичныхДанных (11.5.18+), or InformationRegister_ДвоичныеДанныеФайлов (earlier).
   */
  fileBytes: 'storage' | 'register' | 'none';
  /** Prices: ЦеныНоменклатуры25 (11.5, pricing characteristic ХарактеристикаЦО) or ЦеныНоменклатуры (11.4). */
  priceRegister: 'InformationRegister_ЦеныНоменклатуры25' | 'InformationRegister_ЦеныНоменклатуры';
  /** Stock: СвободныеОстатки where the base has it (11.4), else ТоварыНаСкладах (ВНаличии − КОтгрузке). */
  stock: 'AccumulationRegister_СвободныеОстатки' | 'AccumulationRegister_ТоварыНаСкладах';
  /** Номенклатура.СтранаПроисхождения (11.5; absent in 11.4). */
  countryOfOrigin: boolean;
  /** ЗаказКлиента.НомерПоДаннымКлиента length: 30 up to 11.5.18, 50 from 11.5.20. */
  clientNumberLength: number;
  /** ИдентификаторДокумента String(36) on payment documents (11.5; absent in 11.4). */
  documentId: boolean;
  /** Header Партнер_Key on payment documents (11.5; absent in 11.4). */
  paymentPartner: boolean;
  /** ДокументОснование on ОперацияПоПлатежнойКарте (11.5; absent in 11.4). */
  cardBasis: boolean;
  /** РасшифровкаПлатежа/Контрагент_Key on СписаниеБезналичныхДенежныхСредств (11.5; absent in 11.4). */
  refundLineCounterparty: boolean;
  /** ОперацияПоПлатежнойКарте.ДоговорЭквайринга (11.5; 11.4 has only the terminal, which is owned by nothing). */
  acquiringContract: boolean;
  /** ЗаказКлиента.ЭтоЗаказКакСчет (11.5): without extended orders a new order is an invoice and posts only as НеСогласован. */
  orderAsInvoiceField: boolean;
  /** AccumulationRegister_РасчетыСКлиентамиПоСрокам (11.5): the client's prepayment as the manager's report shows it. */
  settlementTerms: boolean;
  /** Catalog_СоглашенияСКлиентами.НалогообложениеНДС (11.4; 11.5.20 takes it from the accounting policy instead). */
  agreementVatTaxation: boolean;
  /**
   * Issue 17: InformationRegister_СтавкиНДСНоменклатуры (11.5.20: an item's VAT rate by period and country, the rate
   * УТ itself takes: its ManagerModule АктуальнаяСтавкаНДСНоменклатурыПоОсновнойСтране); absent in 11.4.2.
   */
  vatByItemRegister: boolean;
  /** The ReGate extension's registers and attributes are published. */
  extension: boolean;
}

/** The facts of the real dumps each profile id stands for when nothing has been detected yet. */
export function defaultFeatures(id: ProfileId, extension = true): Ut11Features {
  const v115 = id === 'ut11.5';
  return {
    vat: v115 ? 'catalog' : 'enum',
    settlement: v115 ? 'object' : 'order',
    settlementDimension: v115 ? 'ОбъектРасчетов_Key' : 'ЗаказКлиента',
    fileBytes: v115 ? 'storage' : 'register',
    priceRegister: v115 ? 'InformationRegister_ЦеныНоменклатуры25' : 'InformationRegister_ЦеныНоменклатуры',
    stock: v115 ? 'AccumulationRegister_ТоварыНаСкладах' : 'AccumulationRegister_СвободныеОстатки',
    countryOfOrigin: v115,
    clientNumberLength: v115 ? 50 : 30,
    documentId: v115,
    paymentPartner: v115,
    cardBasis: v115,
    refundLineCounterparty: v115,
    orderAsInvoiceField: v115,
    acquiringContract: v115,
    agreementVatTaxation: !v115,
    settlementTerms: v115,
    vatByItemRegister: v115,
    extension,
  };
}

/** What a base publishes, as far as detection needs it: sets, their properties (tabular `Part/Field`) and string lengths. */
export interface PublishedView {
  hasSet(set: string): boolean;
  hasField(set: string, field: string): boolean;
  /** MaxLength of a string property, when the source knows it (dumps do; a live $metadata usually does not). */
  maxLength?(set: string, field: string): number | undefined;
}

export function detectFeatures(p: PublishedView): Ut11Features {
  const PAY_IN = 'Document_ПоступлениеБезналичныхДенежныхСредств';
  const CARD = 'Document_ОперацияПоПлатежнойКарте';
  const OUT = 'Document_СписаниеБезналичныхДенежныхСредств';
  const SETTLE = 'AccumulationRegister_РасчетыСКлиентами_RecordType';
  const numberLength = p.maxLength?.('Document_ЗаказКлиента', 'НомерПоДаннымКлиента');
  return {
    vat: p.hasSet('Catalog_СтавкиНДС') && p.hasField('Catalog_Номенклатура', 'СтавкаНДС_Key') ? 'catalog' : 'enum',
    settlement: p.hasField(PAY_IN, 'РасшифровкаПлатежа/ОбъектРасчетов_Key') ? 'object' : 'order',
    settlementDimension: p.hasField(SETTLE, 'ОбъектРасчетов_Key') || !p.hasField(SETTLE, 'ЗаказКлиента') ? 'ОбъектРасчетов_Key' : 'ЗаказКлиента',
    fileBytes: p.hasSet('InformationRegister_ХранилищеФайлов') && p.hasSet('Catalog_ХранилищеДвоичныхДанных')
      ? 'storage'
      : p.hasSet('InformationRegister_ДвоичныеДанныеФайлов')
        ? 'register'
        : 'none',
    priceRegister: p.hasSet('InformationRegister_ЦеныНоменклатуры25') || p.hasSet('InformationRegister_ЦеныНоменклатуры25_RecordType')
      ? 'InformationRegister_ЦеныНоменклатуры25'
      : 'InformationRegister_ЦеныНоменклатуры',
    stock: p.hasSet('AccumulationRegister_СвободныеОстатки') || p.hasSet('AccumulationRegister_СвободныеОстатки_RecordType')
      ? 'AccumulationRegister_СвободныеОстатки'
      : 'AccumulationRegister_ТоварыНаСкладах',
    countryOfOrigin: p.hasField('Catalog_Номенклатура', 'СтранаПроисхождения_Key'),
    // Real $metadata carries no MaxLength: without it, assume the shorter (11.4–11.5.18) width, which is safe on both.
    clientNumberLength: numberLength && numberLength > 0 ? numberLength : 30,
    documentId: p.hasField(PAY_IN, 'ИдентификаторДокумента') && p.hasField(CARD, 'ИдентификаторДокумента') && p.hasField(OUT, 'ИдентификаторДокумента'),
    paymentPartner: p.hasField(PAY_IN, 'Партнер_Key') && p.hasField(CARD, 'Партнер_Key'),
    cardBasis: p.hasField(CARD, 'ДокументОснование'),
    refundLineCounterparty: p.hasField(OUT, 'РасшифровкаПлатежа/Контрагент_Key'),
    orderAsInvoiceField: p.hasField('Document_ЗаказКлиента', 'ЭтоЗаказКакСчет'),
    acquiringContract: p.hasField(CARD, 'ДоговорЭквайринга_Key'),
    agreementVatTaxation: p.hasField('Catalog_СоглашенияСКлиентами', 'НалогообложениеНДС'),
    settlementTerms: p.hasSet('AccumulationRegister_РасчетыСКлиентамиПоСрокам') || p.hasSet('AccumulationRegister_РасчетыСКлиентамиПоСрокам_RecordType'),
    vatByItemRegister: p.hasSet('InformationRegister_СтавкиНДСНоменклатуры') && p.hasField('InformationRegister_СтавкиНДСНоменклатуры', 'СтавкаНДС_Key'),
    extension: p.hasSet('InformationRegister_ReGate_СтатусыЗаказов') || p.hasSet('InformationRegister_ReGate_СтатусыЗаказов_RecordType'),
  };
}
