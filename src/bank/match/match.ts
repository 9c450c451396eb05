import { isTransitAccount, payerInn, type PayerLike } from './inn.js';
import { extractOrderRefs, orderNumberKey, refStrength, type OrderRef } from './purpose.js';

/** An order that still expects money. Amounts in kopecks, like the statement. */
export interface OpenOrder {
  number: string; // the order/invoice number as 1C shows it ("ТД00-000123")
  externalId: string; // Richest.store's order id
  clientInn: string | null;
  amountKopecks: number;
  paidKopecks: number;
}

/**
 * What the matcher needs from the order store. Both calls return OPEN orders only. `byNumberKey` is keyed by
 * `orderNumberKey(number)` (trailing digits without leading zeros), so a store can index one column for it.
 */
export interface OpenOrderLookup {
  byNumberKey(key: string): readonly OpenOrder[];
  byClientInn(inn: string): readonly OpenOrder[];
}

/** The part of a statement document the matcher reads (a bank API payment can be mapped to it too). */
export interface PaymentInput {
  direction: 'incoming' | 'outgoing' | 'internal' | 'unknown';
  amountKopecks: number;
  purpose: string;
  payer: PayerLike;
}

export type Coverage = 'full' | 'partial' | 'over';

export type MatchResult =
  | {
      kind: 'matched';
      order: OpenOrder;
      method: 'purpose-number' | 'inn-amount';
      clientInn: string | null;
      /** Due before this payment: amountKopecks − paidKopecks of the order. */
      dueKopecks: number;
      /** partial: less than due (the order stays open); over: more than due (the excess needs a person). */
      coverage: Coverage;
      partial: boolean;
      /** The purpose token that named the order (purpose-number only). */
      reference?: string;
    }
  | { kind: 'ambiguous'; candidates: OpenOrder[]; reason: AmbiguousReason; detail: string; clientInn: string | null }
  | { kind: 'unmatched'; reason: UnmatchedReason; detail: string; clientInn: string | null };

export type AmbiguousReason =
  | 'several-orders-in-purpose' // the purpose names more than one open order
  | 'purpose-names-other-client' // the named order belongs to another INN (a third party paying?)
  | 'several-orders-same-amount'; // no reference, and the client has several open orders with this exact due

export type UnmatchedReason =
  | 'not-incoming'
  | 'no-reference-no-inn' // individual without INN, or transit account, and no order reference
  | 'unknown-client' // valid INN, no open order of that client, no usable reference
  | 'no-order-with-amount' // client known, but no open order with exactly this due
  | 'zero-amount'; // 0.00 (or less): nothing to post

/**
 * Incoming payment → order, never guessing:
 *  1. the client: ПлательщикИНН (or the INN in the payer's name when the field is empty), check digits valid;
 *     never from a transit account (30233, 30232, 47422, 40911), whose INN is the bank's;
 *  2. the order: by the number in the purpose (strong references; weak ones only among the client's orders);
 *  3. else by the client's INN and the exact due amount, when exactly one open order fits.
 * Anything else is `ambiguous` (with the candidates) or `unmatched` (with the reason), for a person to decide.
 */
export function matchPayment(p: PaymentInput, lookup: OpenOrderLookup): MatchResult {
  if (p.direction !== 'incoming') {
    return { kind: 'unmatched', reason: 'not-incoming', detail: `не поступление (направление: ${p.direction})`, clientInn: null };
  }
  if (!(p.amountKopecks > 0)) {
    // A 0.00 line (bank fee notices, corrections) names orders like a payment and would be posted as one.
    return { kind: 'unmatched', reason: 'zero-amount', detail: `сумма ${(p.amountKopecks / 100).toFixed(2)}`, clientInn: null };
  }
  const transit = isTransitAccount(p.payer.account) || isTransitAccount(p.payer.settlementAccount);
  const resolved = payerInn(p.payer);
  const clientInn = transit ? null : resolved.inn;
  const refs = extractOrderRefs(p.purpose);

  const found = (rs: OrderRef[], innFilter: string | null = null) => {
    const byId = new Map<string, { order: OpenOrder; ref: OrderRef }>();
    for (const r of rs) {
      let best = 0;
      let hits: OpenOrder[] = [];
      for (const o of lookup.byNumberKey(r.key)) {
        if (innFilter !== null && o.clientInn !== innFilter) continue;
        const s = refStrength(r, o.number);
        if (s > best) [best, hits] = [s, [o]];
        else if (s === best && s > 0) hits.push(o);
      }
      for (const o of hits) if (!byId.has(o.externalId)) byId.set(o.externalId, { order: o, ref: r });
    }
    return [...byId.values()];
  };
  const strong = found(refs.filter((r) => r.strength === 'strong'));

  if (clientInn !== null) {
    const own = found(refs, clientInn);
    if (own.length === 1) return matched(p, own[0].order, 'purpose-number', clientInn, own[0].ref.token);
    if (own.length > 1) {
      return ambiguous(own.map((c) => c.order), 'several-orders-in-purpose', `в назначении названо открытых заказов клиента с ИНН ${clientInn}: ${own.length}`, clientInn);
    }
    if (strong.length > 0) {
      return ambiguous(
        strong.map((c) => c.order),
        'purpose-names-other-client',
        `в назначении назван заказ ${strong.map((c) => c.order.number).join(', ')} другого клиента (ИНН плательщика ${clientInn})`,
        clientInn,
      );
    }
    const orders = lookup.byClientInn(clientInn);
    const fits = orders.filter((o) => o.amountKopecks - o.paidKopecks === p.amountKopecks);
    if (fits.length === 1) return matched(p, fits[0], 'inn-amount', clientInn);
    if (fits.length > 1) {
      return ambiguous(fits, 'several-orders-same-amount', `у клиента с ИНН ${clientInn} открытых заказов ровно на эту сумму: ${fits.length}`, clientInn);
    }
    return orders.length === 0
      ? { kind: 'unmatched', reason: 'unknown-client', detail: `у ИНН ${clientInn} нет открытых заказов${refs.length ? '' : ', и в назначении нет номера заказа'}`, clientInn }
      : { kind: 'unmatched', reason: 'no-order-with-amount', detail: `у ИНН ${clientInn} открытых заказов: ${orders.length}, ни один не ждёт ровно эту сумму`, clientInn };
  }

  // A payer ИНН that fails its check digits is still a claim of who pays: an order of another client (with an ИНН
  // that is not this one) goes to a person, as with a valid ИНН — a typo must not post money on someone else.
  const claimed = !transit && resolved.source === 'invalid' ? resolved.invalid ?? null : null;
  if (claimed !== null) {
    const others = strong.filter((c) => c.order.clientInn !== claimed);
    if (others.length > 0) {
      return ambiguous(
        others.map((c) => c.order),
        'purpose-names-other-client',
        `в назначении назван заказ ${others.map((c) => c.order.number).join(', ')} другого клиента (ИНН плательщика ${claimed} не проходит проверку контрольных цифр)`,
        null,
      );
    }
  }
  if (strong.length === 1) return matched(p, strong[0].order, 'purpose-number', null, strong[0].ref.token);
  if (strong.length > 1) {
    return ambiguous(strong.map((c) => c.order), 'several-orders-in-purpose', `в назначении названо открытых заказов: ${strong.length}`, null);
  }
  const why = transit
    ? 'счёт плательщика транзитный (ИНН в платеже — банка)'
    : resolved.source === 'invalid'
      ? `ПлательщикИНН «${resolved.invalid}» не проходит проверку контрольных цифр`
      : 'у плательщика нет ИНН';
  return { kind: 'unmatched', reason: 'no-reference-no-inn', detail: `${why}, и в назначении не назван ни один открытый заказ`, clientInn: null };
}

function matched(p: PaymentInput, order: OpenOrder, method: 'purpose-number' | 'inn-amount', clientInn: string | null, reference?: string): MatchResult {
  const due = order.amountKopecks - order.paidKopecks;
  const coverage: Coverage = p.amountKopecks < due ? 'partial' : p.amountKopecks > due ? 'over' : 'full';
  return { kind: 'matched', order, method, clientInn, dueKopecks: due, coverage, partial: coverage === 'partial', ...(reference ? { reference } : {}) };
}

function ambiguous(candidates: OpenOrder[], reason: AmbiguousReason, detail: string, clientInn: string | null): MatchResult {
  return { kind: 'ambiguous', candidates, reason, detail, clientInn };
}

/** An in-memory OpenOrderLookup (tests, CLI dry runs, small shops). */
export function memoryLookup(orders: readonly OpenOrder[]): OpenOrderLookup {
  const byKey = new Map<string, OpenOrder[]>();
  const byInn = new Map<string, OpenOrder[]>();
  for (const o of orders) {
    if (o.amountKopecks - o.paidKopecks <= 0) continue; // fully paid: not open
    const k = orderNumberKey(o.number);
    if (k !== null) (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(o);
    if (o.clientInn) (byInn.get(o.clientInn) ?? byInn.set(o.clientInn, []).get(o.clientInn)!).push(o);
  }
  return { byNumberKey: (k) => byKey.get(k) ?? [], byClientInn: (i) => byInn.get(i) ?? [] };
}
