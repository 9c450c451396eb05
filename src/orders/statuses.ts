/**
 * Status codes shared by the API (OpenAPI enums), docs/ru, and 1C (InformationRegister_ReGate_СтатусыЗаказов).
 * The numbers are a contract with Richest.store: never renumber, only append.
 */
export const ORDER_STATUS = {
  0: 'принят ReGate, ещё не в 1С',
  1: 'создан, не оплачен',
  2: 'оплачен картой',
  3: 'оплачен через расчётный счёт',
  4: 'оплачен наличными',
  5: 'истёк срок действия',
  6: 'аннулирован',
  7: 'возврат денег',
} as const;

export const PAYMENT_STATUS = {
  0: 'оплата не выполнена',
  1: 'оплачено картой',
  2: 'оплачено через расчётный счёт',
  3: 'оплачено наличными',
  4: 'оплачено электронными деньгами',
} as const;

export type OrderStatus = keyof typeof ORDER_STATUS;
export type PaymentStatus = keyof typeof PAYMENT_STATUS;

export const OrderStatusCode = {
  accepted: 0,
  created: 1,
  paidByCard: 2,
  paidByBank: 3,
  paidInCash: 4,
  expired: 5,
  cancelled: 6,
  refunded: 7,
} as const satisfies Record<string, OrderStatus>;

export const PaymentStatusCode = {
  none: 0,
  card: 1,
  bank: 2,
  cash: 3,
  emoney: 4,
} as const satisfies Record<string, PaymentStatus>;

/** Orders that still await payment: expiry and bank matching look only at these. */
export const OPEN_STATUSES: readonly OrderStatus[] = [0, 1];

/**
 * How the shopper paid through the payment system (paycard `method`, issue 14.5): a card, СБП, or an electronic
 * wallet. A wallet holds electronic money — payment status 4 of the specification; a card and СБП are 1.
 */
export const PAY_METHODS = ['card', 'sbp', 'wallet'] as const;
export type PayMethod = (typeof PAY_METHODS)[number];
export const paymentStatusOf = (method: PayMethod | undefined): PaymentStatus => (method === 'wallet' ? PaymentStatusCode.emoney : PaymentStatusCode.card);

/**
 * What 1C shipped of an order (bookingstate.fulfilment, issue 14.3), from УТ's shipment documents: nothing yet, a
 * part, every line in full, or closed in 1C after a partial shipment (the rest will not come).
 */
export const FULFILMENT = {
  none: 'не отгружен',
  partial: 'отгружен частично',
  shipped: 'отгружен',
  closed: 'закрыт',
} as const;
export type FulfilmentState = keyof typeof FULFILMENT;
