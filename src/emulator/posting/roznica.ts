import type { PostingHook, PostingStoreView } from '../schema/types.js';

/**
 * The emulator's stand-in for Розница 2.2's handlers of the documents ReGate writes (ЗаказПокупателя; the card payment
 * ОплатаОтПокупателяПлатежнойКартой: cardPosting below, whose unposting refusal of ПередЗаписью 190-212 is not emulated —
 * the engine's Unpost has no hook and ReGate never unposts). For the order: what
 * Розница fills on write, what it refuses when posting, and what posting leaves in the registers ReGate reads. Every
 * rule cites the module it follows, in github.com/DeZargo/1c_retail_apple @ 896da2e1 (the customised Розница 2.2.12
 * base ../shared/reference/dumps/roznica-2.2.12-xml was trimmed from; these modules are the vendor's: the base's own
 * changes are the ххх_ objects and an extension, SOURCE.md); ObjectModule = Documents/ЗаказПокупателя/Ext/ObjectModule.bsl,
 * ManagerModule = Documents/ЗаказПокупателя/Ext/ManagerModule.bsl.
 */

type Row = Record<string, unknown>;
const NULL = '00000000-0000-0000-0000-000000000000';
const isRef = (v: unknown): v is string => typeof v === 'string' && v !== '' && v !== NULL;
const filled = (v: unknown) => v !== undefined && v !== null && v !== '' && v !== NULL && v !== 0 && v !== '0001-01-01T00:00:00';
const rowsOf = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const round2 = (x: number) => Math.round(x * 100) / 100;

const S = {
  orders: 'Document_ЗаказПокупателя',
  receipts: 'Document_ЧекККМ',
  shops: 'Catalog_Магазины',
  items: 'Catalog_Номенклатура',
  orderRegister: 'AccumulationRegister_ЗаказыПокупателей',
  stock: 'AccumulationRegister_ТоварыНаСкладах',
  cardOps: 'Document_ОплатаОтПокупателяПлатежнойКартой',
  payKinds: 'Catalog_ВидыОплатЧекаККМ',
  settlements: 'AccumulationRegister_РасчетыСКлиентами',
  cardSales: 'AccumulationRegister_ПродажиПоПлатежнымКартам',
} as const;

/** Functional options Розница's handlers read, as the emulator's settings. */
export const ROZNICA_OPTIONS = {
  /** ИспользоватьПричиныОтменыЗаказовПокупателей: a cancelled line needs its reason (ObjectModule 79-95). */
  cancelReasons: 'ИспользоватьПричиныОтменыЗаказовПокупателей',
  /** ИспользоватьРасчетыСКлиентами: payments move РасчетыСКлиентами (ОплатаОтПокупателяПлатежнойКартой ManagerModule 78-79, 497-498). */
  settlements: 'ИспользоватьРасчетыСКлиентами',
} as const;

/** ShowError of Documents/ЗаказПокупателя.xml: header, and Товары's columns. */
export const ORDER_SHOW_ERROR = ['Склад', 'Магазин', 'ЖелаемаяДатаПродажи', 'Организация', 'СкидкиРассчитаны', 'Статус'];
export const ORDER_LINE_SHOW_ERROR = ['Номенклатура', 'Характеристика', 'Количество', 'КоличествоУпаковок', 'Цена', 'Сумма', 'ПричинаОтмены'];

function valueOf(row: Row, name: string): unknown {
  return row[`${name}_Key`] !== undefined ? row[`${name}_Key`] : row[name];
}

function missing(row: Row, names: string[], where = ''): string[] {
  return names.filter((n) => !filled(valueOf(row, n))).map((n) => `Поле "${n}" не заполнено${where}.`);
}

/**
 * ЗаказПокупателя.ПередЗаписью (ObjectModule 136-172: 153, 155-169): СуммаДокумента = Σ Сумма, plus Σ СуммаНДС when prices exclude
 * VAT (ОбработкаТабличнойЧастиТоварыКлиентСервер.ПолучитьСуммуДокумента, CommonModules/…/Module.bsl 473-483);
 * Отменено = every line cancelled (РозничныеПродажиСервер.ВсеСтрокиОтменены 1136-1143); КлючСвязи numbered
 * (УстановитьКлючВСтрокахТабличнойЧасти).
 */
function orderBeforeWrite(doc: Row): void {
  const lines = rowsOf(doc.Товары);
  doc.СуммаДокумента = round2(lines.reduce((s, l) => s + Number(l.Сумма ?? 0) + (doc.ЦенаВключаетНДС === false ? Number(l.СуммаНДС ?? 0) : 0), 0));
  doc.Отменено = lines.length > 0 && lines.every((l) => l.Отменено === true);
  lines.forEach((l, i) => {
    if (!filled(l.КлючСвязи)) l.КлючСвязи = i + 1;
  });
}

/**
 * ЗаказПокупателя posting. The fill check (ObjectModule 45-114): Магазин, Склад and Организация are not checked for a
 * НеСогласован or Закрыт order (62-67), the line's ПричинаОтмены only for a cancelled line with the option on (77-95),
 * the characteristic only for items that use characteristics (ПроверитьЗаполнениеХарактеристик: the demo's items use
 * none). Then the movements (ManagerModule 8-168, only for Согласован / Закрыт orders of a shop that is not a managing
 * system's warehouse: 24-28, 61-62): ЗаказыПокупателей — a Приход of Заказано per line and, for a cancelled line, the same line with
 * −Количество (66-122); ТоварыНаСкладах — a Приход of Резерв for every line to reserve that is not cancelled nor a
 * service (126-159).
 */
const orderPosting: PostingHook = (doc, ctx): Record<string, Row[]> => {
  const open = doc.Статус === 'Согласован';
  const drop = new Set<string>(open ? [] : ['Магазин', 'Склад', 'Организация']);
  drop.add('СкидкиРассчитаны'); // Boolean: always filled
  const problems = missing(doc, ORDER_SHOW_ERROR.filter((n) => !drop.has(n)));
  for (const l of rowsOf(doc.Товары)) {
    const at = ` в строке ${String(l.LineNumber)} списка "Товары"`;
    problems.push(...missing(l, ORDER_LINE_SHOW_ERROR.filter((n) => n !== 'Характеристика' && n !== 'ПричинаОтмены'), at));
    if (ctx.option(ROZNICA_OPTIONS.cancelReasons) && l.Отменено === true && !isRef(l.ПричинаОтмены_Key)) problems.push(`Необходимо указать причину отмены${at}`);
  }
  if (problems.length) throw new Error(problems.join(' '));
  const shop = isRef(doc.Магазин_Key) ? ctx.get(S.shops, doc.Магазин_Key) : undefined;
  if (!(doc.Статус === 'Согласован' || doc.Статус === 'Закрыт') || !shop || shop.СкладУправляющейСистемы === true) return {};
  const lines = rowsOf(doc.Товары);
  const ordered: Row[] = [];
  for (const l of lines) {
    const base = { RecordType: 'Receipt', Магазин_Key: doc.Магазин_Key, Заказ_Key: doc.Ref_Key, Номенклатура_Key: l.Номенклатура_Key, Характеристика_Key: l.Характеристика_Key ?? NULL, КодСтроки: Number(l.КодСтроки ?? 0) };
    ordered.push({ ...base, Заказано: Number(l.Количество ?? 0) });
    if (l.Отменено === true) ordered.push({ ...base, Заказано: -Number(l.Количество ?? 0) });
  }
  const service = (l: Row) => ctx.get(S.items, String(l.Номенклатура_Key ?? ''))?.ТипНоменклатуры === 'Услуга';
  return {
    [S.orderRegister]: ordered,
    [S.stock]: lines
      .filter((l) => l.Резервировать === true && l.Отменено !== true && !service(l))
      .map((l) => ({ RecordType: 'Receipt', Склад_Key: doc.Склад_Key, Номенклатура_Key: l.Номенклатура_Key, Характеристика_Key: l.Характеристика_Key ?? NULL, Количество: 0, Резерв: Number(l.Количество ?? 0) })),
  };
};

/**
 * ОплатаОтПокупателяПлатежнойКартой (ObjectModule = Documents/ОплатаОтПокупателяПлатежнойКартой/Ext/ObjectModule.bsl,
 * ManagerModule = …/Ext/ManagerModule.bsl at DeZargo/1c_retail_apple @ 896da2e1). ShowError of
 * Documents/ОплатаОтПокупателяПлатежнойКартой.xml: the header's, and РасшифровкаПлатежа's columns (the section itself too).
 */
export const CARD_SHOW_ERROR = ['ЭквайринговыйТерминал', 'Контрагент', 'Магазин', 'ВидОплаты'];
export const CARD_LINE_SHOW_ERROR = ['СтатьяДвиженияДенежныхСредств', 'Сумма', 'ПризнакСпособаРасчета'];
/** The operations whose attributes ЗаполнитьИменаРеквизитовПоХозяйственнойОперации keeps checked (ManagerModule 49-63). */
const CARD_OPERATIONS = new Set(['ПоступлениеОплатыОтКлиента', 'ВозвратОплатыКлиенту']);
/** МассивВсехРеквизитов (ManagerModule 37-46): checked only for the operations above; ShowError among them. */
const CARD_OPERATION_FIELDS = new Set(['Контрагент', 'ВидОплаты', 'Магазин', 'ЭквайринговыйТерминал', 'Сумма']);
/** Settlement documents whose own order the settlement names (ManagerModule 487-491). */
const ORDER_BEARING = new Set(['StandardODATA.Document_ЧекККМ', 'StandardODATA.Document_РеализацияТоваров']);

/**
 * Posting a card payment or refund. The fill check (ObjectModule 114-161): the ShowError fields, those of МассивВсехРеквизитов
 * only for a customer payment or refund (ManagerModule 36-65; ОбщегоНазначенияРТКлиентСервер drops the others); КассаККМ
 * when receipts are punched (132-140); the lines summing to СуммаДокумента and each settlement document of the same
 * organisation and counterparty (ДенежныеСредстваСервер.ПроверитьЗаполнениеРасшифровкиПлатежа, CommonModules/
 * ДенежныеСредстваСервер/Ext/Module.bsl 873-956); ВидОплаты of type ПлатежнаяКарта (151-159). The movements
 * (ObjectModule 88-109, ManagerModule 69-93, 411-506): ПродажиПоПлатежнымКартам — the sum as sold or returned by the
 * terminal, shop and payment kind, the commission as charged or returned; РасчетыСКлиентами (with
 * ИспользоватьРасчетыСКлиентами) — per line a Приход for a payment, a Расход for a refund, settling the line's document,
 * or the payment itself when the line names none, for the order the document names.
 */
const cardPosting: PostingHook = (doc, ctx): Record<string, Row[]> => {
  const operation = String(doc.ХозяйственнаяОперация ?? '');
  const own = CARD_OPERATIONS.has(operation);
  const lines = rowsOf(doc.РасшифровкаПлатежа);
  const problems = missing(doc, CARD_SHOW_ERROR.filter((n) => own || !CARD_OPERATION_FIELDS.has(n)));
  if (!lines.length) problems.push('Не заполнена табличная часть "Расшифровка платежа".');
  for (const l of lines) problems.push(...missing(l, CARD_LINE_SHOW_ERROR.filter((n) => own || !CARD_OPERATION_FIELDS.has(n)), ` в строке ${String(l.LineNumber)} списка "Расшифровка платежа"`));
  if (doc.ПробиватьЧекиПоКассеККМ === true && !isRef(doc.КассаККМ_Key)) problems.push('Не выбрана касса ККМ!');
  const total = round2(lines.reduce((t, l) => t + Number(l.Сумма ?? 0), 0));
  if (lines.length && round2(Number(doc.СуммаДокумента ?? 0)) !== total) problems.push('Сумма по строкам в табличной части должна равняться сумме документа');
  const settled = (l: Row) => (isRef(l.ДокументРасчетовСКонтрагентом) && typeof l.ДокументРасчетовСКонтрагентом_Type === 'string' ? ctx.get(String(l.ДокументРасчетовСКонтрагентом_Type).replace('StandardODATA.', ''), l.ДокументРасчетовСКонтрагентом) : undefined);
  for (const l of lines) {
    const basis = settled(l);
    if (basis && isRef(basis.Организация_Key) && basis.Организация_Key !== doc.Организация_Key) problems.push(`Организация в строке ${String(l.LineNumber)} списка "Расшифровка платежа" не соответствует организации документа`);
    if (basis && isRef(basis.Контрагент_Key) && basis.Контрагент_Key !== doc.Контрагент_Key) problems.push(`Контрагент в строке ${String(l.LineNumber)} списка "Расшифровка платежа" не соответствует контрагенту документа`);
  }
  const kind = isRef(doc.ВидОплаты_Key) ? ctx.get(S.payKinds, doc.ВидОплаты_Key) : undefined;
  if (kind?.ТипОплаты !== 'ПлатежнаяКарта') problems.push('В документе выбран вид оплаты неверного типа!');
  if (problems.length) throw new Error(problems.join(' '));

  const sum = Number(doc.СуммаДокумента ?? 0);
  const commission = Number(doc.СуммаКомиссии ?? 0);
  const out: Record<string, Row[]> = {};
  if (own) {
    out[S.cardSales] = [{
      ЭквайринговыйТерминал_Key: doc.ЭквайринговыйТерминал_Key, Организация_Key: doc.Организация_Key, Магазин_Key: doc.Магазин_Key, ВидОплаты_Key: doc.ВидОплаты_Key,
      СуммаОперацийПродажи: operation === 'ПоступлениеОплатыОтКлиента' ? sum : 0,
      СуммаОперацийВозврата: operation === 'ВозвратОплатыКлиенту' ? sum : 0,
      НачисленнаяСуммаКомиссии: Math.max(commission, 0),
      ВозвращаемаяСуммаКомиссии: Math.max(-commission, 0),
    }];
  }
  if (ctx.option(ROZNICA_OPTIONS.settlements)) {
    const self = { ДокументРасчета: doc.Ref_Key, ДокументРасчета_Type: `StandardODATA.${S.cardOps}` };
    out[S.settlements] = (lines.length ? lines : [{ Сумма: sum }]).map((l) => {
      const basis = settled(l);
      const order = basis && ORDER_BEARING.has(String(l.ДокументРасчетовСКонтрагентом_Type)) ? basis.ЗаказПокупателя_Key : doc.ЗаказПокупателя_Key;
      return {
        RecordType: operation === 'ПоступлениеОплатыОтКлиента' ? 'Receipt' : 'Expense',
        Организация_Key: doc.Организация_Key, Магазин_Key: doc.Магазин_Key, Контрагент_Key: doc.Контрагент_Key, Сумма: Number(l.Сумма ?? 0),
        ...(basis ? { ДокументРасчета: l.ДокументРасчетовСКонтрагентом, ДокументРасчета_Type: l.ДокументРасчетовСКонтрагентом_Type } : self),
        ЗаказПокупателя_Key: order ?? NULL,
      };
    });
  }
  return out;
};

/** Handlers by set for a Розница configuration. */
/**
 * ЧекККМ.ПередЗаписью (Documents/ЧекККМ/Ext/ObjectModule.bsl 574-640), the parts a receipt read by ReGate depends on:
 * a receipt already punched, archived or annulled cannot be changed (599-616; the shift-closing run that may change a
 * punched one is not emulated), and СуммаДокумента is recomputed — Σ Товары.Сумма (+ СуммаНДС when prices exclude VAT,
 * CommonModules/ОбработкаТабличнойЧастиТоварыКлиентСервер Module.bsl 473-483), or without goods Σ Оплата.Сумма (622-633).
 */
function receiptBeforeWrite(doc: Row, ctx: PostingStoreView): void {
  const stored = isRef(doc.Ref_Key) ? ctx.get(S.receipts, doc.Ref_Key) : undefined;
  const was = stored?.СтатусЧекаККМ;
  if (was === 'Пробитый' || was === 'Архивный' || was === 'Аннулированный') throw new Error(`Чек имеет статус "${String(was)}". Операции над этим документом запрещены!`);
  const goods = rowsOf(doc.Товары);
  doc.СуммаДокумента = goods.length
    ? round2(goods.reduce((t, l) => t + Number(l.Сумма ?? 0) + (doc.ЦенаВключаетНДС === false ? Number(l.СуммаНДС ?? 0) : 0), 0))
    : round2(rowsOf(doc.Оплата).reduce((t, l) => t + Number(l.Сумма ?? 0), 0));
}

export function roznicaHandlers(): { posting: Record<string, PostingHook>; beforeWrite: Record<string, (doc: Row, ctx: PostingStoreView) => void> } {
  return {
    beforeWrite: { [S.orders]: orderBeforeWrite, [S.receipts]: receiptBeforeWrite },
    posting: { [S.orders]: orderPosting, [S.cardOps]: cardPosting },
  };
}
