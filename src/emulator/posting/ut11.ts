import type { PostingHook, PostingStoreView } from '../schema/types.js';

/**
 * The emulator's stand-in for УТ 11's handlers of the documents ReGate writes — the rules that decide whether 1C
 * accepts a document and what it leaves in the registers ReGate reads. Each rule cites the vendor module it follows
 * (collected in ../shared/reference/ut-dumps/WRITE-RULES.md; 11.5 = work1cblackbird/ut11@cdf1be4f (УТ 11.5.20.68),
 * 11.4 = korzhishe/digit_ut11@8b6aed68 (11.4.2)). Names follow the published model, which differs by version:
 * - 11.5: РасчетыСКлиентами by ОбъектРасчетов (Catalog.ОбъектыРасчетов); orders carry ЭтоЗаказКакСчет, ОбъектРасчетов;
 * - 11.4: РасчетыСКлиентами by the composite ЗаказКлиента; payments name the order in РасшифровкаПлатежа.Заказ;
 *   reserves in СвободныеОстатки.
 * Functional options (Constant_* in a real base) come from the emulator's settings (store.option).
 */

export type PostingContext = PostingStoreView;
type Row = Record<string, unknown>;

const SETTLEMENTS = 'AccumulationRegister_РасчетыСКлиентами';
const BY_TERMS = 'AccumulationRegister_РасчетыСКлиентамиПоСрокам';
const TO_SHIP = 'AccumulationRegister_ТоварыКОтгрузке';
const FREE_STOCK = 'AccumulationRegister_СвободныеОстатки';
const ORDER = 'Document_ЗаказКлиента';
const ANALYTICS = 'Catalog_КлючиАналитикиУчетаПоПартнерам';
const OBJECTS = 'Catalog_ОбъектыРасчетов';
const NULL_GUID = '00000000-0000-0000-0000-000000000000';
const isRef = (v: unknown): v is string => typeof v === 'string' && v !== '' && v !== NULL_GUID;

export const FO = {
  /** Without it every new order is an "order as invoice" (ЭтоЗаказКакСчет). */
  extendedOrders: 'ИспользоватьРасширенныеВозможностиЗаказаКлиента',
  autoDiscounts: 'ИспользоватьАвтоматическиеСкидкиВПродажах',
} as const;

/** What the configuration publishes, so one set of handlers serves every version. */
export interface PostingShape {
  /** 11.5+: Catalog_ОбъектыРасчетов and the ОбъектРасчетов dimension; 11.4: the composite ЗаказКлиента dimension. */
  settlementObjects: boolean;
  /** 11.5: ЗаказКлиента.ЭтоЗаказКакСчет exists (11.4 has no order-as-invoice mode: WRITE-RULES §1.8). */
  orderAsInvoice: boolean;
  /** Registers the order's reservation goes to, where the base has them. */
  toShip: boolean;
  freeStock: boolean;
}

function analyticsKey(doc: Row, ctx: PostingContext, partner?: unknown): string {
  return ctx.findOrCreate(ANALYTICS, {
    Партнер_Key: (partner ?? doc.Партнер_Key ?? NULL_GUID) as string,
    Контрагент: (doc.Контрагент_Key ?? NULL_GUID) as string,
    Контрагент_Type: 'StandardODATA.Catalog_Контрагенты',
    Организация_Key: (doc.Организация_Key ?? NULL_GUID) as string,
  });
}

/**
 * The order's settlement object, as ПередЗаписью creates it when ПорядокРасчетов is ПоЗаказам and Организация,
 * Контрагент, Партнер and the currency are set (WRITE-RULES §2: ОбъектыРасчетовСервер 16-234, 1013-1043).
 */
function orderObject(order: Row, ctx: PostingContext): string {
  return ctx.findOrCreate(
    OBJECTS,
    { Объект: order.Ref_Key, Объект_Type: `StandardODATA.${ORDER}` },
    {
      Description: `Заказ клиента ${String(order.Number ?? '')}`.trim(),
      ТипРасчетов: 'РасчетыСКлиентом',
      Партнер_Key: order.Партнер_Key ?? NULL_GUID,
      Контрагент: order.Контрагент_Key ?? NULL_GUID,
      Контрагент_Type: 'StandardODATA.Catalog_Контрагенты',
      Организация_Key: order.Организация_Key ?? NULL_GUID,
      Валюта_Key: order.Валюта_Key ?? NULL_GUID,
      Номер: order.Number ?? '',
      Дата: order.Date ?? '0001-01-01T00:00:00',
      Сумма: order.СуммаДокумента ?? 0,
    },
  );
}

const liveLines = (doc: Row) => ((doc.Товары as Row[] | undefined) ?? []).filter((l) => l.Отменено !== true);

/** ЗаказКлиента's ПередЗаписью as far as it fills what ReGate reads back (WRITE-RULES §1.3). */
function orderBeforeWrite(shape: PostingShape): (doc: Row, ctx: PostingContext) => void {
  return (doc, ctx) => {
    // «ЭтоЗаказКакСчет = not FO ИспользоватьРасширенныеВозможностиЗаказаКлиента» for new orders
    // (11.5 ObjectModule.bsl:1198-1262, ПередЗаписью 379-390).
    if (shape.orderAsInvoice) doc.ЭтоЗаказКакСчет = !ctx.option(FO.extendedOrders);
    // КодСтроки of rows with 0 get codes (ЗаказыСервер 12-33). СуммаДокумента = ПолучитьСуммуЗаказанныхСтрок(): Σ
    // СуммаСНДС of the lines not Отменено (11.5 ObjectModule.bsl:13-47, called in ПередЗаписью), so with prices
    // excluding VAT the total includes it.
    const lines = (doc.Товары as Row[] | undefined) ?? [];
    let max = Math.max(0, ...lines.map((l) => Number(l.КодСтроки ?? 0)));
    for (const l of lines) if (!Number(l.КодСтроки ?? 0)) l.КодСтроки = ++max;
    if (lines.length) doc.СуммаДокумента = Math.round(lines.filter((l) => l.Отменено !== true).reduce((s, l) => s + Number(l.СуммаСНДС ?? 0), 0) * 100) / 100;
    // ОбъектРасчетов for ПорядокРасчетов ПоЗаказам (ВзаиморасчетыСервер 8527-8602, ОбъектыРасчетовСервер 1013-1043).
    if (shape.settlementObjects && ['ПоЗаказам', 'ПоЗаказамНакладным', '', undefined].includes(doc.ПорядокРасчетов as string) && [doc.Организация_Key, doc.Контрагент_Key, doc.Партнер_Key, doc.Валюта_Key].every(isRef)) {
      doc.ОбъектРасчетов_Key = orderObject(doc, ctx);
    }
  };
}

/** ЗаказКлиента: refusals in posting mode, then its movements (WRITE-RULES §1.4–1.6, §1.8). */
function orderPosting(shape: PostingShape): PostingHook {
  return (doc, ctx) => {
    if (shape.orderAsInvoice && doc.ЭтоЗаказКакСчет === true && doc.Статус !== 'НеСогласован') {
      // 11.5 ObjectModule.bsl:379-390
      throw new Error('Заказ как счет должен иметь статус "На согласовании"');
    }
    const op = String(doc.ХозяйственнаяОперация ?? 'РеализацияКлиенту');
    if (shape.orderAsInvoice && ctx.option(FO.autoDiscounts) && doc.СкидкиРассчитаны !== true && !['ПередачаНаКомиссию', 'ПередачаНаХранениеСПравомПродажи', 'ПоставкаПодПринципала'].includes(op)) {
      // 11.5 ObjectModule.bsl:392-409
      throw new Error('В документе не рассчитаны автоматические скидки (наценки). Проведение невозможно. Рассчитайте скидки (наценки).');
    }
    const out: Record<string, Row[]> = {};
    const asInvoice = doc.ЭтоЗаказКакСчет === true;
    const agreed = doc.Статус !== 'НеСогласован';
    const lines = liveLines(doc);
    // Reservation: СоСклада → ТоварыКОтгрузке.ВРезерве; Отгрузить (not НеСогласован) → КОтгрузке; an order as
    // invoice posts no ТоварыКОтгрузке (11.5 ManagerModule.bsl:2704-2805, 2706-2709, 2760-2764).
    if (shape.toShip && !asInvoice) {
      out[TO_SHIP] = lines
        .filter((l) => l.ВариантОбеспечения === 'СоСклада' || (l.ВариантОбеспечения === 'Отгрузить' && agreed))
        .map((l) => ({
          RecordType: 'Receipt',
          Номенклатура_Key: l.Номенклатура_Key,
          Характеристика_Key: l.Характеристика_Key ?? NULL_GUID,
          Склад_Key: l.Склад_Key ?? doc.Склад_Key,
          ДокументОтгрузки: doc.Ref_Key,
          ДокументОтгрузки_Type: `StandardODATA.${ORDER}`,
          ВРезерве: l.ВариантОбеспечения === 'СоСклада' ? Number(l.Количество ?? 0) : 0,
          КОтгрузке: l.ВариантОбеспечения === 'Отгрузить' ? Number(l.Количество ?? 0) : 0,
        }));
    }
    // 11.4: СоСклада → СвободныеОстатки.ВРезервеСоСклада (korzhishe ManagerModule.bsl:1618-2170).
    if (shape.freeStock) {
      out[FREE_STOCK] = lines
        .filter((l) => l.ВариантОбеспечения === 'СоСклада')
        .map((l) => ({ RecordType: 'Receipt', Номенклатура_Key: l.Номенклатура_Key, Характеристика_Key: l.Характеристика_Key ?? NULL_GUID, Склад_Key: l.Склад_Key ?? doc.Склад_Key, ВНаличии: 0, ВРезервеСоСклада: Number(l.Количество ?? 0), ВРезервеПодЗаказ: 0 }));
    }
    // Settlements: an order plans its payment (КОплате), it books no debt; plans only when agreed
    // (WRITE-RULES §2: ВзаиморасчетыСервер 24092-24099; 11.5 ManagerModule.bsl:3007-3138).
    if (agreed) {
      out[SETTLEMENTS] = [
        {
          RecordType: 'Receipt',
          АналитикаУчетаПоПартнерам_Key: analyticsKey(doc, ctx),
          ...(shape.settlementObjects
            ? { ОбъектРасчетов_Key: isRef(doc.ОбъектРасчетов_Key) ? doc.ОбъектРасчетов_Key : orderObject(doc, ctx) }
            : { ЗаказКлиента: doc.Ref_Key, ЗаказКлиента_Type: `StandardODATA.${ORDER}` }),
          Валюта_Key: doc.Валюта_Key ?? NULL_GUID,
          Сумма: 0,
          КОплате: Number(doc.СуммаДокумента ?? 0),
          ХозяйственнаяОперация: op,
          ФормаОплаты: doc.ФормаОплаты,
        },
      ];
    }
    return out;
  };
}

/**
 * Payment-like documents: each РасшифровкаПлатежа row pays the settlement object it names — 11.5 only through
 * ОбъектРасчетов (ОснованиеПлатежа alone allocates nothing: the money becomes an advance on an object of its own),
 * 11.4 through Заказ (WRITE-RULES §2: ОбъектыРасчетовСервер 59-170; 11.4 ВзаиморасчетыСервер 2904-2906). Сумма
 * expense = money received (a negative balance is the client's advance), КОплате expense = the plan is met.
 */
function paymentPosting(shape: PostingShape, set: string, recordType: 'Receipt' | 'Expense'): PostingHook {
  return (doc, ctx) => {
    const rows = (doc.РасшифровкаПлатежа as Row[] | undefined) ?? [];
    const lines = rows.length ? rows : [{ Сумма: doc.СуммаДокумента, Партнер_Key: doc.Партнер_Key }];
    const records = lines.map((line) => {
      let dim: Row;
      if (shape.settlementObjects) {
        const given = line.ОбъектРасчетов_Key;
        dim = { ОбъектРасчетов_Key: isRef(given) ? given : ctx.findOrCreate(OBJECTS, { Объект: doc.Ref_Key, Объект_Type: `StandardODATA.${set}` }) };
      } else {
        const order = line.Заказ;
        dim = isRef(order) && String(line.Заказ_Type ?? '').endsWith(ORDER) ? { ЗаказКлиента: order, ЗаказКлиента_Type: `StandardODATA.${ORDER}` } : {};
      }
      const sum = Number(line.Сумма ?? 0);
      return {
        RecordType: recordType,
        АналитикаУчетаПоПартнерам_Key: analyticsKey(doc, ctx, line.Партнер_Key ?? doc.Партнер_Key),
        ...dim,
        Валюта_Key: doc.Валюта_Key ?? NULL_GUID,
        Сумма: sum,
        КОплате: sum,
        ХозяйственнаяОперация: doc.ХозяйственнаяОперация,
        РасчетныйДокумент: doc.Ref_Key,
        РасчетныйДокумент_Type: `StandardODATA.${set}`,
      };
    });
    const out: Record<string, Row[]> = { [SETTLEMENTS]: records };
    // 11.5: what the manager's «Ведомость расчетов с клиентами» shows — Предоплата («Наш долг») by the settlement
    // object in РасчетыСКлиентамиПоСрокам (WRITE-RULES §2: Reports/ВедомостьРасчетовСКлиентами ObjectModule.bsl:207,
    // 245-283). УТ fills it by a deferred distribution; the emulator books the distributed result at once: money
    // received before shipment is a prepayment (a refund takes it back).
    if (shape.settlementObjects && ctx.has?.(BY_TERMS)) {
      out[BY_TERMS] = records.map((r: Row) => ({
        RecordType: recordType === 'Expense' ? 'Receipt' : 'Expense',
        АналитикаУчетаПоПартнерам_Key: r.АналитикаУчетаПоПартнерам_Key,
        ОбъектРасчетов_Key: r.ОбъектРасчетов_Key,
        Валюта_Key: r.Валюта_Key,
        РасчетныйДокумент: doc.Ref_Key,
        РасчетныйДокумент_Type: `StandardODATA.${set}`,
        Предоплата: r.Сумма,
        Долг: 0,
        ХозяйственнаяОперация: doc.ХозяйственнаяОперация,
      }));
    }
    return out;
  };
}

/** Handlers by document set for a configuration of the given shape. */
export function ut11Handlers(shape: PostingShape): { posting: Record<string, PostingHook>; beforeWrite: Record<string, (doc: Row, ctx: PostingContext) => void> } {
  return {
    beforeWrite: { [ORDER]: orderBeforeWrite(shape) },
    posting: {
      [ORDER]: orderPosting(shape),
      'Document_ПоступлениеБезналичныхДенежныхСредств': paymentPosting(shape, 'Document_ПоступлениеБезналичныхДенежныхСредств', 'Expense'),
      'Document_ОперацияПоПлатежнойКарте': (doc, ctx) =>
        paymentPosting(shape, 'Document_ОперацияПоПлатежнойКарте', doc.ХозяйственнаяОперация === 'ВозвратОплатыКлиенту' ? 'Receipt' : 'Expense')(doc, ctx),
      'Document_СписаниеБезналичныхДенежныхСредств': paymentPosting(shape, 'Document_СписаниеБезналичныхДенежныхСредств', 'Receipt'),
      // A client's cash settles as the other receipts do (WRITE-RULES §5: ПриходныйКассовыйОрдер ManagerModule.bsl:396-415).
      'Document_ПриходныйКассовыйОрдер': paymentPosting(shape, 'Document_ПриходныйКассовыйОрдер', 'Expense'),
    },
  };
}
