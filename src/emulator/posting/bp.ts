import type { PostingHook, PostingStoreView } from '../schema/types.js';

/**
 * The emulator's stand-in for БП 3.0's handlers of the objects ReGate writes: what БП fills on write, what it refuses
 * when posting, and what posting leaves in the registers the emulator publishes. Every rule cites the vendor module it
 * follows, in github.com/kassya20/buh @ 8f1e6408 (БухгалтерияПредприятия 3.0.198.19, the full dump
 * ../shared/reference/dumps/bp-3.0.198-xml was trimmed from); ObjectModule = Documents/<doc>/Ext/ObjectModule.bsl.
 *
 * Fill checking runs when a document is posted: the attributes with FillChecking = ShowError in the document's
 * description file (the lists below, per header and tabular part), less what ОбработкаПроверкиЗаполнения removes for
 * the operation. Not emulated: the accounts (СчетКасса, СчетБанк, СчетУчетаРасчетов…) — ChartOfAccounts.Хозрасчетный
 * is not published by our dump reader, and БП fills them itself before writing (СчетаУчетаВДокументах
 * .ЗаполнитьПередЗаписью from the registers of default accounts), so neither ReGate nor this stand-in names them; and
 * the accounting entries (AccountingRegister.Хозрасчетный), for the same reason — except a buyer's bank and card
 * payments, whose entries on 62.01 / 62.02 the buyer's balance is read from (bankInEntries, cardEntries, with the
 * default accounts cited there).
 * The accumulation register ОплатаСчетов (what an invoice got paid) is emulated.
 */

type Row = Record<string, unknown>;
const NULL = '00000000-0000-0000-0000-000000000000';
const isRef = (v: unknown): v is string => typeof v === 'string' && v !== '' && v !== NULL;
const filled = (v: unknown) => v !== undefined && v !== null && v !== '' && v !== NULL && v !== 0 && v !== '0001-01-01T00:00:00';
const rowsOf = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const round2 = (x: number) => Math.round(x * 100) / 100;

const S = {
  invoices: 'Document_СчетНаОплатуПокупателю',
  cardOps: 'Document_ОплатаПлатежнойКартой',
  bankIn: 'Document_ПоступлениеНаРасчетныйСчет',
  bankOut: 'Document_СписаниеСРасчетногоСчета',
  counterparties: 'Catalog_Контрагенты',
  contracts: 'Catalog_ДоговорыКонтрагентов',
  mainContracts: 'InformationRegister_ОсновныеДоговорыКонтрагента',
  bankAccounts: 'Catalog_БанковскиеСчета',
  countries: 'Catalog_СтраныМира',
  invoicePayments: 'AccumulationRegister_ОплатаСчетов',
  chart: 'ChartOfAccounts_Хозрасчетный',
  ledger: 'AccountingRegister_Хозрасчетный',
} as const;

/** Functional options БП's handlers read (Constant_* in a real base), as the emulator's settings. */
export const BP_OPTIONS = {
  /** ВестиУчетПоДоговорам: without it БП puts the main contract into documents itself (РаботаСДоговорамиКонтрагентовБП 179-187). */
  contracts: 'ВестиУчетПоДоговорам',
} as const;

/** ShowError of Documents/СчетНаОплатуПокупателю.xml: header, and Товары's columns. */
export const INVOICE_SHOW_ERROR = ['Организация', 'Контрагент', 'ОрганизацияПолучатель', 'СтруктурнаяЕдиница', 'ВидОперации'];
export const INVOICE_LINE_SHOW_ERROR = ['Количество', 'СтавкаНДС'];
/** ShowError of Documents/ОплатаПлатежнойКартой.xml. */
export const CARD_SHOW_ERROR = ['ВидОперации', 'Организация', 'СуммаДокумента', 'ВалютаДокумента', 'СчетКасса', 'Контрагент', 'Патент', 'ВидОплаты'];
export const CARD_LINE_SHOW_ERROR = ['ДоговорКонтрагента', 'СпособПогашенияЗадолженности', 'Сделка', 'СуммаПлатежа', 'СуммаВзаиморасчетов', 'СтавкаНДС', 'СчетУчетаРасчетовСКонтрагентом', 'СчетУчетаРасчетовПоАвансам'];
/** ShowError of Documents/ПоступлениеНаРасчетныйСчет.xml. */
export const BANK_IN_SHOW_ERROR = ['Организация', 'ВидОперации', 'СчетОрганизации', 'СчетБанк', 'Контрагент', 'СуммаДокумента', 'КурсНаДатуПриобретенияРеализацииВалюты', 'Налог'];
export const BANK_IN_LINE_SHOW_ERROR = ['ДоговорКонтрагента', 'СпособПогашенияЗадолженности', 'Сделка', 'СуммаПлатежа', 'КурсВзаиморасчетов', 'СуммаВзаиморасчетов', 'СчетУчетаРасчетовСКонтрагентом', 'СчетУчетаРасчетовПоАвансам', 'КурсНаДатуПриобретенияРеализацииВалюты', 'ПорядокОтраженияАванса'];
/** The accounts of the chart (not published, filled by БП before writing: see above). */
const ACCOUNTS = new Set(['СчетКасса', 'СчетБанк', 'СчетУчетаРасчетовСКонтрагентом', 'СчетУчетаРасчетовПоАвансам']);

function valueOf(row: Row, name: string): unknown {
  return row[`${name}_Key`] !== undefined ? row[`${name}_Key`] : row[name];
}

function refuse(messages: string[]): void {
  if (messages.length) throw new Error(messages.join(' '));
}

function missing(row: Row, names: string[], where = ''): string[] {
  return names.filter((n) => !ACCOUNTS.has(n) && !filled(valueOf(row, n))).map((n) => `Поле "${n}" не заполнено${where}.`);
}

/** Справочники.БанковскиеСчета.ИспользуетсяНесколькоБанковскихСчетовОрганизации: more than one account of the organisation. */
function accountsOf(organisation: unknown, ctx: PostingStoreView): Row[] {
  return ctx.list(S.bankAccounts).filter((a) => a.Owner === organisation && String(a.Owner_Type ?? '').endsWith('Catalog_Организации') && a.DeletionMark !== true);
}

/**
 * РаботаСДоговорамиКонтрагентовБП.ДоговорКонтрагентаИзОбъекта (CommonModules/РаботаСДоговорамиКонтрагентовБП/Ext/
 * Module.bsl 343-366): without ВестиУчетПоДоговорам the document gets the counterparty's main contract of the kind
 * (ОсновныеДоговорыКонтрагента by organisation, counterparty and kind: УстановитьДоговорКонтрагента), a new main
 * contract created when there is none (СоздатьОсновнойДоговорКонтрагента).
 */
function mainContract(organisation: unknown, counterparty: unknown, ctx: PostingStoreView): string {
  if (!isRef(counterparty)) return NULL;
  const kind = 'СПокупателем';
  const main = ctx.list(S.mainContracts).find((r) => r.Организация_Key === organisation && r.Контрагент_Key === counterparty && r.ВидДоговора === kind);
  if (main && isRef(main.Договор_Key)) return main.Договор_Key;
  const contract = ctx.findOrCreate(S.contracts, { Owner_Key: counterparty, Организация_Key: organisation, ВидДоговора: kind }, { Description: 'Основной договор' });
  ctx.findOrCreate(S.mainContracts, { Организация_Key: organisation, Контрагент_Key: counterparty, ВидДоговора: kind }, { Договор_Key: contract });
  return contract;
}

/** Контрагенты.ПередЗаписью (Catalogs/Контрагенты/Ext/ObjectModule.bsl 160-171): the head counterparty is itself, the country Россия. */
function counterpartyBeforeWrite(doc: Row, ctx: PostingStoreView): void {
  if (doc.IsFolder === true) return;
  if (!isRef(doc.ГоловнойКонтрагент_Key) && doc.ОбособленноеПодразделение !== true && isRef(doc.Ref_Key)) doc.ГоловнойКонтрагент_Key = doc.Ref_Key;
  if (!isRef(doc.СтранаРегистрации_Key)) {
    const russia = ctx.list(S.countries).find((c) => c.PredefinedDataName === 'Россия');
    if (russia) doc.СтранаРегистрации_Key = russia.Ref_Key;
  }
}

/**
 * СчетНаОплатуПокупателю.ПередЗаписью (ObjectModule.bsl 399-446): СуммаДокумента = the sum with VAT
 * (417, УчетНДСПереопределяемый.ПолучитьСуммуДокументаСНДС: Σ Сумма, plus СуммаНДС when prices exclude it), the
 * organisation's only bank account (419-422), the main contract (435: ЗаполнитьДоговорПередЗаписью).
 */
function invoiceBeforeWrite(doc: Row, ctx: PostingStoreView): void {
  const lines = rowsOf(doc.Товары);
  doc.СуммаДокумента = round2(lines.reduce((s, l) => s + Number(l.Сумма ?? 0) + (doc.СуммаВключаетНДС === true ? 0 : Number(l.СуммаНДС ?? 0)), 0));
  const recipient = isRef(doc.ОрганизацияПолучатель_Key) ? doc.ОрганизацияПолучатель_Key : doc.Организация_Key;
  if (isRef(recipient) && !isRef(doc.СтруктурнаяЕдиница_Key)) {
    const own = accountsOf(recipient, ctx);
    if (own.length === 1) doc.СтруктурнаяЕдиница_Key = own[0].Ref_Key;
  }
  if (!ctx.option(BP_OPTIONS.contracts)) doc.ДоговорКонтрагента_Key = mainContract(doc.Организация_Key, doc.Контрагент_Key, ctx);
}

/**
 * СчетНаОплатуПокупателю posting: the fill check (ObjectModule.bsl 223-343) — СтруктурнаяЕдиница dropped while the
 * organisation has one account (239-242), a line needs Номенклатура or Содержание (273-280) and, for goods, Количество
 * (305-309) — then no movements: ОбработкаПроведения (499-515) only registers the document in a sequence. An invoice
 * reserves nothing in БП.
 */
const invoicePosting: PostingHook = (doc, ctx) => {
  const recipient = isRef(doc.ОрганизацияПолучатель_Key) ? doc.ОрганизацияПолучатель_Key : doc.Организация_Key;
  const drop = new Set(accountsOf(recipient, ctx).length > 1 ? [] : ['СтруктурнаяЕдиница']);
  const problems = missing(doc, INVOICE_SHOW_ERROR.filter((n) => !drop.has(n)));
  for (const l of rowsOf(doc.Товары)) {
    const at = ` в строке ${String(l.LineNumber)} списка "Товары"`;
    if (!isRef(l.Номенклатура) && !filled(l.Содержание)) problems.push(`Не заполнена колонка "Номенклатура"${at}.`);
    problems.push(...missing(l, ['СтавкаНДС'], at));
    if (!filled(l.Количество)) problems.push(`Не заполнена колонка "Количество"${at}.`);
  }
  refuse(problems);
  return {};
};

/**
 * The payment lines as ПередЗаписью leaves them: the main contract in every line and the header's from the first
 * (ОплатаПлатежнойКартой ObjectModule.bsl 227-233; ПоступлениеНаРасчетныйСчет 259-261, 295), a repayment way
 * Автоматически where none is given (ОплатаПлатежнойКартой ОбработкаЗаполнения 43-47).
 */
function paymentBeforeWrite(doc: Row, ctx: PostingStoreView): void {
  const lines = rowsOf(doc.РасшифровкаПлатежа);
  for (const l of lines) {
    if (!ctx.option(BP_OPTIONS.contracts)) l.ДоговорКонтрагента_Key = mainContract(doc.Организация_Key, doc.Контрагент, ctx);
    if (!filled(l.СпособПогашенияЗадолженности)) l.СпособПогашенияЗадолженности = 'Автоматически';
  }
  if (lines.length) doc.ДоговорКонтрагента_Key = lines[0].ДоговорКонтрагента_Key ?? NULL;
  // The organisation's only account (ПоступлениеНаРасчетныйСчет 300-306).
  if (doc.СчетОрганизации_Key !== undefined && !isRef(doc.СчетОрганизации_Key) && isRef(doc.Организация_Key)) {
    const own = accountsOf(doc.Организация_Key, ctx);
    if (own.length === 1) doc.СчетОрганизации_Key = own[0].Ref_Key;
  }
}

/** Σ СуммаПлатежа = СуммаДокумента (ОплатаПлатежнойКартой 125-130; ПоступлениеНаРасчетныйСчет 682-705), and the line checks. */
function lineProblems(doc: Row, names: string[]): string[] {
  const out: string[] = [];
  const lines = rowsOf(doc.РасшифровкаПлатежа);
  for (const l of lines) {
    const at = ` в строке ${String(l.LineNumber)} списка "Расшифровка платежа"`;
    out.push(...missing(l, names, at));
    // A line with a contract and a payment needs its sum of settlements (ОплатаПлатежнойКартой 141-150).
    if (isRef(l.ДоговорКонтрагента_Key) && Number(l.СуммаПлатежа ?? 0) > 0 && Number(l.СуммаВзаиморасчетов ?? 0) === 0) out.push(`Не заполнена колонка "Сумма расчетов"${at}.`);
    // Repaid by a document: the document is required (152-161).
    if (l.СпособПогашенияЗадолженности === 'ПоДокументу' && !filled(l.Сделка)) out.push(`Не заполнена колонка "Документ расчетов"${at}.`);
  }
  const paid = round2(lines.reduce((s, l) => s + Number(l.СуммаПлатежа ?? 0), 0));
  if (paid !== round2(Number(doc.СуммаДокумента ?? 0))) out.push('Не совпадают сумма документа и ее расшифровка.');
  return out;
}

/**
 * ОплатаСчетов of a buyer's payment (ОплатаПлатежнойКартой ManagerModule.bsl 1853-1890, ПоступлениеНаРасчетныйСчет
 * ManagerModule.bsl 4582-4616; СтатусыДокументов.СформироватьДвиженияОплатаСчетов 887-909): a record per line that names
 * an invoice, the sum with VAT in roubles, only for a payment (not a refund) and non-zero sums.
 */
function invoicePaymentRecords(doc: Row): Row[] {
  return rowsOf(doc.РасшифровкаПлатежа)
    .filter((l) => isRef(l.СчетНаОплату_Key) && Number(l.СуммаПлатежа ?? 0) !== 0)
    .map((l) => ({ Организация_Key: doc.Организация_Key ?? NULL, СчетНаОплату: l.СчетНаОплату_Key, СчетНаОплату_Type: `StandardODATA.${S.invoices}`, СтавкаНДС: l.СтавкаНДС ?? '', Сумма: Number(l.СуммаПлатежа ?? 0), СуммаНДС: Number(l.СуммаНДС ?? 0) }));
}

/**
 * ОплатаПлатежнойКартой: fill check (ObjectModule.bsl 56-205). For a buyer's payment or refund (ЕстьРасчетыСПокупателями,
 * 63-65) the line's contract is dropped without ВестиУчетПоДоговорам, its accounts and СтавкаНДС and the header's Патент
 * too (75-85); Сделка and СуммаВзаиморасчетов are checked line by line (67-68).
 */
const cardPosting: PostingHook = (doc, ctx) => {
  const buyer = ['ОплатаПокупателя', 'ПлатежПоРеестру', 'ВозвратПокупателю'].includes(String(doc.ВидОперации));
  if (!buyer) throw new Error(`Стенд-ин эмулятора проводит ОплатаПлатежнойКартой только с видом ОплатаПокупателя / ВозвратПокупателю, не ${String(doc.ВидОперации)}.`);
  const drop = new Set(['Сделка', 'СуммаВзаиморасчетов', 'СтавкаНДС', 'Патент', ...(ctx.option(BP_OPTIONS.contracts) ? [] : ['ДоговорКонтрагента'])]);
  refuse([...missing(doc, CARD_SHOW_ERROR.filter((n) => !drop.has(n))), ...lineProblems(doc, CARD_LINE_SHOW_ERROR.filter((n) => !drop.has(n)))]);
  const out: Record<string, Row[]> = {};
  if (doc.ВидОперации === 'ОплатаПокупателя') {
    out[S.invoicePayments] = invoicePaymentRecords(doc);
    const entries = cardEntries(doc, ctx);
    if (entries.length) out[S.ledger] = entries;
  } else if (doc.ВидОперации !== 'ВозвратПокупателю') out[S.invoicePayments] = invoicePaymentRecords(doc);
  return out;
};

/**
 * ПоступлениеНаРасчетныйСчет ОплатаПокупателя: fill check (ObjectModule.bsl 571-754) — СчетОрганизации dropped while the
 * organisation has one account (581-584), Налог and the currency-purchase rates outside their operations (613-628),
 * Сделка checked line by line (631); ПорядокОтраженияАванса is filled only for organisations on УСН or a patent
 * (CommonModules/УчетПСН/Ext/Module.bsl 1926-1934), which the demo organisation is not.
 */
const bankInPosting: PostingHook = (doc, ctx) => {
  if (doc.ВидОперации !== 'ОплатаПокупателя') throw new Error(`Стенд-ин эмулятора проводит ПоступлениеНаРасчетныйСчет только с видом ОплатаПокупателя, не ${String(doc.ВидОперации)}.`);
  const drop = new Set(['Налог', 'КурсНаДатуПриобретенияРеализацииВалюты', 'Сделка', 'ПорядокОтраженияАванса', ...(accountsOf(doc.Организация_Key, ctx).length > 1 ? [] : ['СчетОрганизации'])]);
  refuse([...missing(doc, BANK_IN_SHOW_ERROR.filter((n) => !drop.has(n))), ...lineProblems(doc, BANK_IN_LINE_SHOW_ERROR.filter((n) => !drop.has(n)))]);
  const entries = bankInEntries(doc, ctx);
  return { [S.invoicePayments]: invoicePaymentRecords(doc), ...(entries.length ? { [S.ledger]: entries } : {}) };
};

/**
 * The accounting entries of a buyer's bank payment (ПоступлениеНаРасчетныйСчет ОплатаПокупателя, ObjectModule.bsl
 * 358-438 → CommonModules/УчетВзаиморасчетов): per payment line the buyer's debt on the contract is repaid first
 * (ЗаполнитьТаблицуВзаиморасчетовПогашениеЗадолженности 2442-2484: ДобавитьСтрокиПогашенияЗадолженности from the debt
 * balances) and the rest is an advance on the advances account (ДобавитьСтрокуАванса 6753-6822). Each part is an entry
 * Кт the settlement account by subconto Контрагенты, Договоры, Дт the bank's account (СформироватьДвиженияПогашение
 * Задолженности 2564-2615; its СуммаНУ for a profit-tax payer, which the demo organisation is). The accounts are the
 * defaults of a rouble contract — 62.01 debt, 62.02 advances (ОсновныеСчетаРасчетов 9357-9368) — and of a rouble bank
 * account, 51 (ObjectModule.bsl 1096-1101). Written only where the base publishes the register and the chart.
 */
function bankInEntries(doc: Row, ctx: PostingStoreView): Row[] {
  return settlementEntries(doc, ctx, 'РасчетныеСчета', [[doc.СчетОрганизации_Key, S.bankAccounts]]);
}

/**
 * The same for a buyer's card payment (ОплатаПлатежнойКартой ОплатаПокупателя, ObjectModule.bsl 257-283 →
 * УчетВзаиморасчетов.СформироватьДвиженияРасчетыПоЭквайрингуПогашениеЗадолженности, its main entry 1970-2071: Кт the
 * settlement account by Контрагенты, Договоры, Дт the document's СчетКасса by the acquirer and its contract, ManagerModule
 * .bsl 1655-1668). СчетКасса is 57.03 ПродажиПоПлатежнымКартам by БП's fill rule (ManagerModule.bsl 187); the acquirer
 * (Эквайер, ДоговорЭквайринга) is what the document carries — БП's form copies them from the payment kind
 * (Forms/ФормаДокумента/Ext/Form/Module.bsl 740-749), a write through OData has to name them itself.
 */
function cardEntries(doc: Row, ctx: PostingStoreView): Row[] {
  return settlementEntries(doc, ctx, 'ПродажиПоПлатежнымКартам', [[doc.Эквайер_Key, S.counterparties], [doc.ДоговорЭквайринга_Key, S.contracts]]);
}

function settlementEntries(doc: Row, ctx: PostingStoreView, corName: string, corSubconto: [unknown, string][]): Row[] {
  if (!ctx.has?.(S.ledger) || !ctx.has?.(S.chart)) return [];
  const chart = ctx.list(S.chart);
  const account = (name: string) => chart.find((a) => a.PredefinedDataName === name)?.Ref_Key as string | undefined;
  const [cor, debts, advances] = [account(corName), account('РасчетыСПокупателями'), account('РасчетыПоАвансамПолученным')];
  if (!cor || !debts || !advances) return [];
  const buyer = doc.Контрагент;
  // The buyer's debt per contract: 62.01's balance by its first two subconto (Контрагенты, Договоры).
  const debt = new Map<string, number>();
  for (const set of ctx.list(S.ledger)) {
    for (const r of rowsOf(set.RecordSet)) {
      if (r.Active === false) continue;
      for (const side of ['Dr', 'Cr'] as const) {
        if (r[`Account${side}_Key`] !== debts || r[`ExtDimension${side}1`] !== buyer) continue;
        const k = String(r[`ExtDimension${side}2`]);
        debt.set(k, round2((debt.get(k) ?? 0) + (side === 'Dr' ? 1 : -1) * Number(r.Сумма ?? 0)));
      }
    }
  }
  const out: Row[] = [];
  const entry = (credit: string, contract: unknown, sum: number): Row => ({
    AccountDr_Key: cor, AccountCr_Key: credit, Организация_Key: doc.Организация_Key, Сумма: sum, СуммаНУDr: sum, СуммаНУCr: sum,
    Содержание: credit === advances ? 'Поступление аванса от покупателя' : 'Погашение задолженности покупателя',
    ...Object.fromEntries(corSubconto.flatMap(([v, set], i) => (isRef(v) ? [[`ExtDimensionDr${i + 1}`, v], [`ExtDimensionDr${i + 1}_Type`, `StandardODATA.${set}`]] : []))),
    ExtDimensionCr1: buyer, ExtDimensionCr1_Type: `StandardODATA.${S.counterparties}`, ExtDimensionCr2: contract, ExtDimensionCr2_Type: `StandardODATA.${S.contracts}`,
  });
  for (const l of rowsOf(doc.РасшифровкаПлатежа)) {
    let rest = round2(Number(l.СуммаПлатежа ?? 0));
    const contract = l.ДоговорКонтрагента_Key;
    const owed = Math.max(0, debt.get(String(contract)) ?? 0);
    const repaid = Math.min(owed, rest);
    if (repaid > 0) {
      out.push(entry(debts, contract, repaid));
      debt.set(String(contract), round2(owed - repaid));
      rest = round2(rest - repaid);
    }
    if (rest > 0) out.push(entry(advances, contract, rest));
  }
  return out;
}

/** Handlers by set for a БП configuration. */
export function bpHandlers(): { posting: Record<string, PostingHook>; beforeWrite: Record<string, (doc: Row, ctx: PostingStoreView) => void> } {
  return {
    beforeWrite: {
      [S.counterparties]: counterpartyBeforeWrite,
      [S.invoices]: invoiceBeforeWrite,
      [S.cardOps]: paymentBeforeWrite,
      [S.bankIn]: paymentBeforeWrite,
      [S.bankOut]: paymentBeforeWrite,
    },
    posting: {
      [S.invoices]: invoicePosting,
      [S.cardOps]: cardPosting,
      [S.bankIn]: bankInPosting,
    },
  };
}
