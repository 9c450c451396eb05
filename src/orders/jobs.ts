/**
 * Outbox job kinds of the write path and their ordering keys. Jobs of one order share the key `order:<id>`, so the
 * worker delivers them in order (a card payment never reaches 1C before its booking).
 *
 * Payloads carry ids only: the handler reads the current local state when it runs, so a retried job delivers what
 * is true now rather than a stale copy.
 */
export const JOB = {
  clientEnsure: 'client.ensure', //   { clientId } → find by ReGate_ВнешнийИдентификатор or create Партнер + Контрагент
  clientUpdate: 'client.update', //   { clientId } → PATCH their requisites
  bookingCreate: 'booking.create', // { orderId } → ЗаказКлиента (looked up by external id first), posted; status 1
  bookingUpdate: 'booking.update', // { orderId, revision } → the ЗаказКлиента's lines, address, comment re-written, re-posted
  paymentCard: 'payment.card', //     { orderId, paymentId } → ОперацияПоПлатежнойКарте + ReGate_ОплатыКартами; status 2
  refundCreate: 'refund.create', //   { orderId, refundId } → unposted card refund document; status 7
  orderStatus: 'order.status', //     { orderId, status } → ReGate_СтатусыЗаказов (expired, cancelled), order closed in 1C
  bankPayment: 'bank.payment', //     { orderId, paymentId } → ПоступлениеБезналичныхДенежныхСредств, posted; status 3
  webhook: 'webhook', //              { orderId, historyId } → POST to Richest.store with an HMAC signature
} as const;

export const orderKey = (orderId: string) => `order:${orderId}`;
export const clientKey = (clientId: string) => `client:${clientId}`;
