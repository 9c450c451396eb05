/**
 * Every event an order's history records (recordHistory in orders/webhooks.ts), with what it means for the store.
 * The one list the OpenAPI `webhooks` section, the events feed's enum and docs/ru/api.md are built from: an event a
 * writer adds must be added here, or the contract test (test/api-contract) names it.
 */
export const EVENT_TYPES = {
  'booking.accepted': 'Заказ принят ReGate и записан на диск (статус 0); 1С его ещё не создала',
  'booking.confirmed': '1С создала заказ: появился номер (number); статус 1, если заказ не оплачен раньше',
  'payment.card': 'Записана оплата через платёжную систему (paycard): статус 2, статус оплаты 1 (картой, СБП) или 4 (электронными деньгами)',
  'payment.bank': 'Заказ полностью оплачен по выписке банка: статус 3, статус оплаты 2',
  'payment.bank.partial': 'Частичная оплата по выписке банка: статусы не меняются, растёт оплаченная сумма',
  'payment.bank.undone': 'Бухгалтер отменил зачёт платежа из выписки: статусы возвращаются к прежним',
  refund: 'Возвращена вся оплата на карту (refund): статус 7',
  'refund.partial': 'Возвращена часть оплаты на карту (refund): статус прежний, растёт возвращённая сумма (refunded)',
  expired: 'Истёк срок действия неоплаченного заказа: статус 5, резерв в 1С снят',
  'reconcile.cash': 'В 1С замечена оплата наличными: статус 4, статус оплаты 3',
  'reconcile.cancelled': 'Заказ отменён (помечен на удаление или закрыт) в 1С: статус 6',
  'fulfilment.partial': '1С отгрузила часть заказа (документ реализации): статус прежний, отгруженное — в bookingstate.fulfilment',
  'fulfilment.shipped': '1С отгрузила заказ полностью: статус прежний, bookingstate.fulfilment.state = shipped',
  'fulfilment.closed': 'Заказ закрыт в 1С после частичной отгрузки: остаток отгружен не будет',
  'booking.updated': 'Магазин изменил неоплаченный заказ (bookingupd): строки, адрес или комментарий; статус прежний, сумма и версия заказа — новые',
  'booking.cancelled': 'Магазин отменил неоплаченный заказ (bookingcancel): статус 6; в 1С строки отменяются с причиной и заказ закрывается',
} as const;

export type EventType = keyof typeof EVENT_TYPES;
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as EventType[];
