import type { PostingHook, PostingStoreView } from '../schema/types.js';

/**
 * The emulator's stand-in for УНФ 3.0's handlers of the documents and catalogs ReGate writes: what УНФ fills on write,
 * what it refuses when posting, and what posting leaves in the registers ReGate reads. Every rule cites the vendor
 * module it follows, in github.com/Dershoozer/unf1 @ 908def8b (УНФ 3.0.12.261, the full dump
 * ../shared/reference/dumps/unf-3.0.12-xml was trimmed from); ObjectModule = Documents/<doc>/Ext/ObjectModule.bsl.
 *
 * Fill checking (ОбработкаПроверкиЗаполнения) runs when a document is posted: the attributes with
 * FillChecking = ShowError in the document's description file, less what the module removes for the operation, must be
 * filled. The lists below are those sets (test/configurations/unf-posting.test.ts checks each name is ShowError in the
 * dump's XML). Booleans are not checked (a Boolean is always filled).
 */

type Row = Record<string, unknown>;
const NULL = '00000000-0000-0000-0000-000000000000';
const isRef = (v: unknown): v is string => typeof v === 'string' && v !== '' && v !== NULL;
const filled = (v: unknown) => v !== undefined && v !== null && v !== '' && v !== NULL && v !== 0 && v !== '0001-01-01T00:00:00';
const rowsOf = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const round2 = (x: number) => Math.round(x * 100) / 100;

const S = {
  orders: 'Document_ЗаказПокупателя',
  cardOps: 'Document_ОперацияПоПлатежнымКартам',
  bankIn: 'Document_ПоступлениеНаСчет',
  bankOut: 'Document_РасходСоСчета',
  counterparties: 'Catalog_Контрагенты',
  contracts: 'Catalog_ДоговорыКонтрагентов',
  organisations: 'Catalog_Организации',
  orderKinds: 'Catalog_ВидыЗаказовПокупателей',
  paymentMethods: 'Catalog_СпособыОплаты',
  items: 'Catalog_Номенклатура',
  orderRegister: 'AccumulationRegister_ЗаказыПокупателей',
  inventory: 'AccumulationRegister_Запасы',
  settlements: 'AccumulationRegister_РасчетыСПокупателями',
} as const;

/** Functional options УНФ's handlers read (Constant_* in a real base), as the emulator's settings. */
export const UNF_OPTIONS = {
  /** ИспользоватьДоговорыКонтрагентов: without it Договор is never checked (ObjectModule 738-741). */
  contracts: 'ИспользоватьДоговорыКонтрагентов',
  /** ФункциональнаяОпцияРезервированиеЗапасов: the Резерв ≤ Количество check (ObjectModule 886-896). */
  reservation: 'ФункциональнаяОпцияРезервированиеЗапасов',
  /** ИспользоватьАвтоматическиеСкидкиНаценки: off → СкидкиРассчитаны is set on write (ObjectModule 1529-1531). */
  autoDiscounts: 'ИспользоватьАвтоматическиеСкидкиНаценки',
} as const;

/** Names ShowError in Documents/ЗаказПокупателя.xml that stay checked for a ЗаказНаПродажу (see `orderRequired`). */
export const ORDER_SHOW_ERROR = ['БанковскийСчет', 'ВалютаДокумента', 'ВариантЗавершения', 'ВидЗаказа', 'ВидОперации', 'ДатаОтгрузки', 'Договор', 'Касса', 'Контрагент', 'Кратность', 'Курс', 'НалогообложениеНДС', 'Организация', 'ПричинаОтмены', 'СостояниеЗаказа', 'СтруктурнаяЕдиницаПродажи', 'ДатаПоступления', 'Лид'];
export const CARD_SHOW_ERROR = ['БанковскийСчет', 'ВалютаДенежныхСредств', 'ВидОперации', 'ВидПлатежнойКарты', 'Контрагент', 'Кратность', 'Курс', 'НалогообложениеНДС', 'Организация', 'Статья', 'СуммаДокумента', 'СуммаУчета', 'ЭквайринговыйТерминал'];
export const BANK_IN_SHOW_ERROR = ['БанковскийСчет', 'ВалютаДенежныхСредств', 'ВидНалога', 'ВидОперации', 'ДоговорДляЗачетаАвансаСПомощником', 'ДоговорКредитаЗайма', 'Документ', 'Контрагент', 'Корреспонденция', 'Кратность', 'Курс', 'НалогообложениеНДС', 'Организация', 'Подотчетник', 'Статья', 'СуммаДокумента', 'СуммаУчета', 'ЭквайринговыйТерминал'];
export const PAYMENT_LINE_SHOW_ERROR = ['Договор', 'ПризнакАванса', 'СуммаРасчетов', 'Курс', 'Кратность', 'СуммаПлатежа', 'СтавкаНДС'];

/** Published name of an attribute: references are `X_Key`, the rest (enums, numbers, composites) `X`. */
function valueOf(row: Row, name: string): unknown {
  return row[`${name}_Key`] !== undefined ? row[`${name}_Key`] : row[name];
}

function refuse(messages: string[]): void {
  if (messages.length) throw new Error(messages.join(' '));
}

function missing(row: Row, names: string[], where = ''): string[] {
  return names.filter((n) => !filled(valueOf(row, n))).map((n) => `Поле "${n}" не заполнено${where}.`);
}

/** The counterparty's settlement flags (Catalogs/Контрагенты.xml: ВестиРасчетыПоДоговорам/Документам/Заказам). */
function counterpartyOf(doc: Row, ctx: PostingStoreView): Row {
  return (isRef(doc.Контрагент_Key) ? ctx.get(S.counterparties, doc.Контрагент_Key) : undefined) ?? {};
}

/**
 * Справочники.ДоговорыКонтрагентов.ДоговорПоУмолчанию (Catalogs/ДоговорыКонтрагентов/Ext/ManagerModule.bsl 648-682):
 * the contract ОсновныеДоговорыКонтрагента names for the counterparty — the one its own ПриЗаписи created (below).
 */
function defaultContract(counterparty: unknown, ctx: PostingStoreView): string {
  if (!isRef(counterparty)) return NULL;
  const found = ctx.list(S.contracts).find((c) => c.Owner === counterparty && c.DeletionMark !== true);
  return (found?.Ref_Key as string | undefined) ?? NULL;
}

/**
 * Catalog.Контрагенты ПередЗаписью / ПриЗаписи (Catalogs/Контрагенты/Ext/ObjectModule.bsl 355-412, 442-474): a new
 * counterparty without a default contract gets one, filled from the counterparty (ДоговорОбъект.Заполнить(Ссылка):
 * its organisation is the base's, the contract kind a sale) and recorded as its default.
 */
function counterpartyBeforeWrite(doc: Row, ctx: PostingStoreView): void {
  if (doc.IsFolder === true || !isRef(doc.Ref_Key) || isRef(defaultContract(doc.Ref_Key, ctx))) return;
  const organisation = ctx.list(S.organisations)[0]?.Ref_Key ?? NULL;
  ctx.findOrCreate(S.contracts, { Owner: doc.Ref_Key, Owner_Type: `StandardODATA.${S.counterparties}` }, { Организация_Key: organisation, ВидДоговора: 'СПокупателем', Description: '' });
}

/** ЗаказПокупателя.ПередЗаписью as far as it fills what posting and ReGate read (ObjectModule.bsl 1384-1619). */
function orderBeforeWrite(doc: Row, ctx: PostingStoreView): void {
  const lines = rowsOf(doc.Запасы);
  // The shipment date and the reserve warehouse given in the header go into every line (1411-1425, 4497-4519).
  if (doc.ПоложениеДатыОтгрузки !== 'ВТабличнойЧасти') for (const l of lines) l.ДатаОтгрузки = doc.ДатаОтгрузки;
  if (doc.ПоложениеСклада !== 'ВТабличнойЧасти') for (const l of lines) l.СтруктурнаяЕдиницаРезерв_Key = l.ТипНоменклатурыЗапас === true ? (doc.СтруктурнаяЕдиницаРезерв_Key ?? NULL) : NULL;
  // The buyer's default contract when settlements are not kept by contracts (1492; ЗаполнениеОбъектовУНФ 215-235).
  const cp = counterpartyOf(doc, ctx);
  if (!isRef(doc.Договор_Key) && cp.ВестиРасчетыПоДоговорам !== true) doc.Договор_Key = defaultContract(doc.Контрагент_Key, ctx);
  // СуммаДокумента = Σ Запасы.Всего (+ delivery) (1495; РассчитатьСуммуДокумента 4361-4378).
  doc.СуммаДокумента = round2(lines.reduce((s, l) => s + Number(l.Всего ?? 0), 0) + Number(doc.СтоимостьДоставки ?? 0));
  // Without automatic discounts the discounts count as computed (1529-1531).
  if (!ctx.option(UNF_OPTIONS.autoDiscounts)) doc.СкидкиРассчитаны = true;
  // The order kind and state (1617 → 3588-3740): with neither, the last used kind (the demo base has Основной) and its
  // first state; a state without a kind gets the last used kind.
  const kinds = ctx.list(S.orderKinds);
  const kind = (kinds.find((k) => k.PredefinedDataName === 'Основной') ?? kinds[0]) as Row | undefined;
  if (!filled(doc.ВидЗаказа) && kind) {
    doc.ВидЗаказа = kind.Ref_Key;
    doc.ВидЗаказа_Type = `StandardODATA.${S.orderKinds}`;
  }
  if (!filled(doc.СостояниеЗаказа) && kind) {
    const first = rowsOf(kind.ПорядокСостояний)[0];
    if (first && isRef(first.Состояние_Key)) {
      doc.СостояниеЗаказа = first.Состояние_Key;
      doc.СостояниеЗаказа_Type = 'StandardODATA.Catalog_СостоянияЗаказовПокупателей';
    }
  }
}

/** What stays checked for a ЗаказНаПродажу (ObjectModule.bsl 704-1383). */
function orderRequired(doc: Row, ctx: PostingStoreView): string[] {
  const cp = counterpartyOf(doc, ctx);
  const drop = new Set<string>(['ДатаПоступления', 'Лид']); // 753 (ЗаказНаПродажу); РаботаСЗаявками 469-473 (an order)
  if (doc.ПоложениеДатыОтгрузки === 'ВТабличнойЧасти') drop.add('ДатаОтгрузки'); // 754-756
  if (cp.ВестиРасчетыПоДоговорам !== true || !ctx.option(UNF_OPTIONS.contracts)) drop.add('Договор'); // 722, 738-741
  if (doc.ЗапланироватьОплату !== true) drop.add('Касса').add('БанковскийСчет'); // 848-870
  else drop.add(doc.ТипДенежныхСредств === 'Безналичные' ? 'Касса' : 'БанковскийСчет');
  const completed = ctx.get('Catalog_СостоянияЗаказовПокупателей', String(doc.СостояниеЗаказа ?? ''))?.PredefinedDataName === 'Завершен';
  if (!completed) drop.add('ВариантЗавершения'); // 1118-1123
  if (doc.ВариантЗавершения !== 'Отменен') drop.add('ПричинаОтмены'); // 1125-1127
  return ORDER_SHOW_ERROR.filter((n) => !drop.has(n));
}

/** ЗаказПокупателя: fill check, then the movements of a ЗаказНаПродажу (ObjectModule.bsl 399-619, ManagerModule). */
const orderPosting: PostingHook = (doc, ctx) => {
  if (doc.ВидОперации !== 'ЗаказНаПродажу') throw new Error(`Стенд-ин эмулятора проводит только ЗаказНаПродажу, не ${String(doc.ВидОперации)}.`);
  const lines = rowsOf(doc.Запасы);
  const problems = missing(doc, orderRequired(doc, ctx));
  for (const l of lines) {
    const at = ` в строке ${String(l.LineNumber)} списка "Товары, услуги"`;
    // Tabular ShowError (Номенклатура) and the module's own line checks (Количество, Цена, СтавкаНДС: 789-814).
    problems.push(...missing(l, ['Номенклатура', 'Количество', 'Цена', 'СтавкаНДС'], at));
    // Резерв ≤ Количество when reservation is on (886-896).
    if (ctx.option(UNF_OPTIONS.reservation) && Number(l.Резерв ?? 0) > Number(l.Количество ?? 0)) problems.push(`В строке №${String(l.LineNumber)} табл. части "Товары, услуги" количество резервируемых позиций превышает общее количество запасов.`);
  }
  // The reserve warehouse is checked when something is reserved (818-825: СкладВШапке, Σ Резерв > 0 with goods).
  if (doc.ПоложениеСклада !== 'ВТабличнойЧасти' && lines.some((l) => Number(l.Резерв ?? 0) > 0 && l.ТипНоменклатурыЗапас === true)) problems.push(...missing(doc, ['СтруктурнаяЕдиницаРезерв']));
  refuse(problems);
  const out: Record<string, Row[]> = {};
  if (doc.ВариантЗавершения === 'Отменен') return out; // a cancelled order plans and reserves nothing (ManagerModule 14622, 14840)
  const organisation = doc.Организация_Key ?? NULL;
  const goods = lines.filter((l) => l.ПродажаПодарка !== true);
  Object.assign(out, {
    // ЗаказыПокупателей: what is ordered, per line (ManagerModule.bsl 14592-14633; Склад only with УчетПотребностиПоСкладам).
    [S.orderRegister]: goods.map((l) => ({
      RecordType: 'Receipt',
      Организация_Key: organisation,
      ЗаказПокупателя_Key: doc.Ref_Key,
      Номенклатура_Key: l.Номенклатура,
      Характеристика_Key: l.Характеристика_Key ?? NULL,
      Склад_Key: doc.УчетПотребностиПоСкладам === true ? (l.СтруктурнаяЕдиницаРезерв_Key ?? NULL) : NULL,
      Количество: Number(l.Количество ?? 0),
      ДатаОтгрузки: l.ДатаОтгрузки ?? doc.ДатаОтгрузки,
    })),
    // Запасы: the reserved quantity leaves the free balance of the warehouse and stands under the order
    // (ManagerModule.bsl 14800-14850: Расход with ЗаказПокупателя empty, КоррЗаказПокупателя the order; the
    // correspondence side is the Приход under the order).
    [S.inventory]: goods
      .filter((l) => Number(l.Резерв ?? 0) > 0 && l.ТипНоменклатурыЗапас === true)
      .flatMap((l) => {
        const base = { Организация_Key: organisation, СтруктурнаяЕдиница: l.СтруктурнаяЕдиницаРезерв_Key, СтруктурнаяЕдиница_Type: 'StandardODATA.Catalog_СтруктурныеЕдиницы', Номенклатура_Key: l.Номенклатура, Характеристика_Key: l.Характеристика_Key ?? NULL, Количество: Number(l.Резерв), Сумма: 0, СодержаниеПроводки: 'Резервирование запасов' };
        return [
          { RecordType: 'Expense', ...base, ЗаказПокупателя_Key: NULL, КоррЗаказПокупателя_Key: doc.Ref_Key },
          { RecordType: 'Receipt', ...base, ЗаказПокупателя_Key: doc.Ref_Key, КоррЗаказПокупателя_Key: NULL },
        ];
      }),
  });
  return out;
};

/** The payment line's Договор as ПередЗаписью puts it (ОперацияПоПлатежнымКартам ObjectModule.bsl 2826-2837). */
function paymentBeforeWrite(doc: Row, ctx: PostingStoreView): void {
  const cp = counterpartyOf(doc, ctx);
  for (const l of rowsOf(doc.РасшифровкаПлатежа)) {
    if (isRef(doc.Контрагент_Key) && cp.ВестиРасчетыПоДоговорам !== true && !isRef(l.Договор_Key)) l.Договор_Key = defaultContract(doc.Контрагент_Key, ctx);
    l.СпособЗачета = 'Вручную';
  }
}

/**
 * РасчетыСПокупателями of a payment allocated by hand (РасчетыПроведениеДокументов.СформироватьДвиженияПоВзаиморасчетамОплатаВручную,
 * CommonModules/РасчетыПроведениеДокументов/Ext/Module.bsl 3503-3620): a line per РасшифровкаПлатежа row — the order
 * when the buyer keeps settlements by orders, Аванс for a prepayment line, Долг otherwise; money received is Расход
 * (a negative balance is the buyer's advance), a refund Приход.
 */
function settlementRecords(doc: Row, ctx: PostingStoreView, recordType: 'Receipt' | 'Expense'): Row[] {
  const cp = counterpartyOf(doc, ctx);
  return rowsOf(doc.РасшифровкаПлатежа).map((l) => ({
    RecordType: recordType,
    Организация_Key: doc.Организация_Key ?? NULL,
    ТипРасчетов: l.ПризнакАванса === true ? 'Аванс' : 'Долг',
    Контрагент_Key: doc.Контрагент_Key ?? NULL,
    Договор_Key: l.Договор_Key ?? NULL,
    ...(cp.ВестиРасчетыПоЗаказам === true && isRef(l.Заказ) ? { Заказ: l.Заказ, Заказ_Type: l.Заказ_Type ?? `StandardODATA.${S.orders}` } : { Заказ: NULL, Заказ_Type: `StandardODATA.${S.orders}` }),
    ...(cp.ВестиРасчетыПоДокументам === true ? { Документ: doc.Ref_Key, Документ_Type: `StandardODATA.${String(doc.__set ?? '')}` } : {}),
    Сумма: Number(l.СуммаПлатежа ?? 0),
    СуммаВал: Number(l.СуммаРасчетов ?? 0),
    СуммаРег: Number(l.СуммаПлатежа ?? 0),
    ДокументОплаты: doc.Ref_Key,
    ДокументОплаты_Type: `StandardODATA.${String(doc.__set ?? '')}`,
    СуммаПлатежа: Number(l.СуммаПлатежа ?? 0),
    СтавкаНДС_Key: l.СтавкаНДС_Key ?? NULL,
    СуммаНДС: Number(l.СуммаНДС ?? 0),
    СпособЗачета: 'Вручную',
  }));
}

function lineProblems(doc: Row, ctx: PostingStoreView): string[] {
  const cp = counterpartyOf(doc, ctx);
  // ПризнакАванса is Boolean (always filled); Договор dropped when not kept by contracts (2964-2966 / ПоступлениеНаСчет 4123-4125).
  const names = PAYMENT_LINE_SHOW_ERROR.filter((n) => n !== 'ПризнакАванса' && !(n === 'Договор' && cp.ВестиРасчетыПоДоговорам !== true));
  const out: string[] = [];
  for (const l of rowsOf(doc.РасшифровкаПлатежа)) out.push(...missing(l, names, ` в строке ${String(l.LineNumber)} списка "Расшифровка платежа"`));
  // Σ СуммаПлатежа = СуммаДокумента (ОперацияПоПлатежнымКартам 2954-2960; ПоступлениеНаСчет 4105-4121).
  const paid = round2(rowsOf(doc.РасшифровкаПлатежа).reduce((s, l) => s + Number(l.СуммаПлатежа ?? 0), 0));
  if (paid !== round2(Number(doc.СуммаДокумента ?? 0))) out.push(`Сумма документа: ${String(doc.СуммаДокумента)}, не соответствует сумме разнесенных платежей в табличной части: ${paid}.`);
  return out;
}

/** ОперацияПоПлатежнымКартам: fill check (ObjectModule.bsl 2872-2970), then its settlements (2972-3020). */
const cardPosting: PostingHook = (doc, ctx) => {
  const terminal = isRef(doc.ЭквайринговыйТерминал_Key) ? ctx.get(S.paymentMethods, doc.ЭквайринговыйТерминал_Key) : undefined;
  if (!terminal) throw new Error(doc.СпособОплаты === 'ОплатаСБП' ? 'Способ оплаты должен быть выбран.' : 'Эквайринговый терминал должен быть выбран.'); // 2878-2888
  // The terminal's Касса, БанковскийСчетЭквайринг, Эквайрер and СчетЗатрат (И before ИЛИ: СчетЗатрат only outside СБП) (2892-2906).
  if (!filled(terminal.Касса) || !isRef(terminal.БанковскийСчетЭквайринг_Key) || !isRef(terminal.Эквайрер_Key) || (!isRef(terminal.СчетЗатрат_Key) && doc.СпособОплаты !== 'ОплатаСБП')) {
    throw new Error('В карточке эквайрингового терминала заполнены не все реквизиты.');
  }
  // Removed: the card kind and number without a terminal used with no equipment (2915-2918); Курс, Кратность,
  // СуммаУчета (2920-2924).
  const drop = new Set(['Курс', 'Кратность', 'СуммаУчета', ...(terminal.ИспользоватьБезПодключенияОборудования === true ? [] : ['ВидПлатежнойКарты'])]);
  refuse([...missing(doc, CARD_SHOW_ERROR.filter((n) => !drop.has(n))), ...lineProblems(doc, ctx)]);
  const refund = doc.ВидОперации === 'ВозвратОплатыПокупателю';
  return { [S.settlements]: settlementRecords({ ...doc, __set: S.cardOps }, ctx, refund ? 'Receipt' : 'Expense') };
};

/** ПоступлениеНаСчет ОтПокупателя: fill check (ObjectModule.bsl 4033-4140), then its settlements. */
const bankInPosting: PostingHook = (doc, ctx) => {
  if (doc.ВидОперации !== 'ОтПокупателя') throw new Error(`Стенд-ин эмулятора проводит ПоступлениеНаСчет только с видом ОтПокупателя, не ${String(doc.ВидОперации)}.`);
  // Removed for ОтПокупателя (4038-4060): Подотчетник, Корреспонденция, Документ, СуммаУчета, Курс, Кратность,
  // ВидНалога, ЭквайринговыйТерминал, ДоговорКредитаЗайма; ДоговорДляЗачетаАвансаСПомощником unless the helper fills it.
  const drop = new Set(['Подотчетник', 'Корреспонденция', 'Документ', 'СуммаУчета', 'Курс', 'Кратность', 'ВидНалога', 'ЭквайринговыйТерминал', 'ДоговорКредитаЗайма', 'ДоговорДляЗачетаАвансаСПомощником']);
  refuse([...missing(doc, BANK_IN_SHOW_ERROR.filter((n) => !drop.has(n))), ...lineProblems(doc, ctx)]);
  return { [S.settlements]: settlementRecords({ ...doc, __set: S.bankIn }, ctx, 'Expense') };
};

/** Handlers by set for a УНФ configuration. */
export function unfHandlers(): { posting: Record<string, PostingHook>; beforeWrite: Record<string, (doc: Row, ctx: PostingStoreView) => void> } {
  return {
    beforeWrite: {
      [S.counterparties]: counterpartyBeforeWrite,
      [S.orders]: orderBeforeWrite,
      [S.cardOps]: paymentBeforeWrite,
      [S.bankIn]: paymentBeforeWrite,
      [S.bankOut]: paymentBeforeWrite,
    },
    posting: {
      [S.orders]: orderPosting,
      [S.cardOps]: cardPosting,
      [S.bankIn]: bankInPosting,
    },
  };
}
