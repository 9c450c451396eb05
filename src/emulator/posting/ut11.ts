import type { PostingHook, PostingStoreView } from '../schema/types.js';

/**
 * The emulator's stand-in for УТ 11's posting handlers: what the documents ReGate writes put into
 * AccumulationRegister_РасчетыСКлиентами, the register ReGate reads a client's balance from. Names follow the
 * published model, which differs by version (read from the real dumps, FACTS.md "Settlements"):
 * - 11.5: dimensions АналитикаУчетаПоПартнерам, ОбъектРасчетов (→ Catalog.ОбъектыРасчетов), Валюта;
 * - 11.4: dimensions АналитикаУчетаПоПартнерам, ЗаказКлиента (composite, DefinedType.ОбъектРасчетовСКлиентами), Валюта.
 * КлючиАналитикиУчетаПоПартнерам.Контрагент is composite (Организации | Контрагенты) in both.
 *
 * Conventions of РасчетыСКлиентами as ReGate reads them: a posted order is a Receipt of Сумма/КОплате = the order
 * total (the client owes it); a payment is an Expense of what it paid (a negative balance is the client's advance);
 * a refund is a Receipt again. Card operations with ХозяйственнаяОперация = ВозвратОплатыКлиенту are refunds.
 * (How УТ itself posts these documents — reservation, settlement objects — is issue 11's subject.)
 */

export type PostingContext = PostingStoreView;
type Row = Record<string, unknown>;

const SETTLEMENTS = 'AccumulationRegister_РасчетыСКлиентами';
const ORDER = 'Document_ЗаказКлиента';
const ANALYTICS = 'Catalog_КлючиАналитикиУчетаПоПартнерам';
const OBJECTS = 'Catalog_ОбъектыРасчетов';
const NULL_GUID = '00000000-0000-0000-0000-000000000000';

/** What the configuration publishes, so one handler serves every version. */
export interface PostingShape {
  /** 11.5+: Catalog_ОбъектыРасчетов and the ОбъектРасчетов dimension; 11.4: the composite ЗаказКлиента dimension. */
  settlementObjects: boolean;
}

function analyticsKey(doc: Row, ctx: PostingContext, partner?: unknown): string {
  const counterparty = (doc.Контрагент_Key ?? NULL_GUID) as string;
  return ctx.findOrCreate(ANALYTICS, {
    Партнер_Key: (partner ?? doc.Партнер_Key ?? NULL_GUID) as string,
    Контрагент: counterparty,
    Контрагент_Type: 'StandardODATA.Catalog_Контрагенты',
    Организация_Key: (doc.Организация_Key ?? NULL_GUID) as string,
  });
}

function orderObject(orderKey: string, ctx: PostingContext): string {
  const order = ctx.get(ORDER, orderKey) ?? {};
  return ctx.findOrCreate(
    OBJECTS,
    { Объект: orderKey, Объект_Type: `StandardODATA.${ORDER}` },
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

/** The settlement dimension for an order (11.5: its ОбъектыРасчетов item; 11.4: the order itself). */
function orderDimension(shape: PostingShape, orderKey: string, ctx: PostingContext): Row {
  return shape.settlementObjects
    ? { ОбъектРасчетов_Key: orderObject(orderKey, ctx) }
    : { ЗаказКлиента: orderKey, ЗаказКлиента_Type: `StandardODATA.${ORDER}` };
}

function paymentHandler(shape: PostingShape, set: string, recordType: 'Receipt' | 'Expense'): PostingHook {
  return (doc, ctx) => {
    const rows = (doc.РасшифровкаПлатежа as Row[] | undefined) ?? [];
    const lines = rows.length ? rows : [{ Сумма: doc.СуммаДокумента, Партнер_Key: doc.Партнер_Key, ОснованиеПлатежа: null }];
    const records = lines.map((line) => {
      // 11.5 names the order in ОснованиеПлатежа (or ОбъектРасчетов); 11.4 in Заказ (composite).
      const basis = (line.ОснованиеПлатежа ?? line.Заказ) as string | null | undefined;
      const basisType = String(line.ОснованиеПлатежа_Type ?? line.Заказ_Type ?? '');
      const basisIsOrder = !!basis && basisType.endsWith(ORDER);
      const given = line.ОбъектРасчетов_Key as string | null | undefined;
      let dim: Row;
      if (basisIsOrder) dim = orderDimension(shape, basis, ctx);
      else if (shape.settlementObjects) {
        dim = {
          ОбъектРасчетов_Key: given && given !== NULL_GUID ? given : ctx.findOrCreate(OBJECTS, { Объект: doc.Ref_Key, Объект_Type: `StandardODATA.${set}` }),
        };
      } else dim = {};
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
    return { [SETTLEMENTS]: records };
  };
}

/** onPost handlers by document set for a configuration of the given shape. */
export function ut11Posting(shape: PostingShape): Record<string, PostingHook> {
  return {
    [ORDER]: (doc, ctx) => {
      const sum = Number(doc.СуммаДокумента ?? 0);
      return {
        [SETTLEMENTS]: [
          {
            RecordType: 'Receipt',
            АналитикаУчетаПоПартнерам_Key: analyticsKey(doc, ctx),
            ...orderDimension(shape, String(doc.Ref_Key), ctx),
            Валюта_Key: doc.Валюта_Key ?? NULL_GUID,
            Сумма: sum,
            КОплате: sum,
            ХозяйственнаяОперация: doc.ХозяйственнаяОперация ?? 'РеализацияКлиенту',
            ФормаОплаты: doc.ФормаОплаты,
          },
        ],
      };
    },
    'Document_ПоступлениеБезналичныхДенежныхСредств': paymentHandler(shape, 'Document_ПоступлениеБезналичныхДенежныхСредств', 'Expense'),
    'Document_ОперацияПоПлатежнойКарте': (doc, ctx) =>
      paymentHandler(shape, 'Document_ОперацияПоПлатежнойКарте', doc.ХозяйственнаяОперация === 'ВозвратОплатыКлиенту' ? 'Receipt' : 'Expense')(doc, ctx),
    'Document_СписаниеБезналичныхДенежныхСредств': paymentHandler(shape, 'Document_СписаниеБезналичныхДенежныхСредств', 'Receipt'),
  };
}
