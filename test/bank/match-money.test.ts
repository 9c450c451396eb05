import { describe, expect, it } from 'vitest';
import { matchPayment, memoryLookup, type OpenOrder, type PaymentInput } from '../../src/bank/index.js';

// Issue 13.4 (bank side): a payer ИНН that fails its check digits skipped the "order of another client → review"
// rule and the money was posted on the other client's order; a 0.00 statement line was posted as a payment.
const A = '7707083893'; // valid, the order's client
const order: OpenOrder = { number: 'ТД00-000123', externalId: 'rs-123', clientInn: A, amountKopecks: 100000, paidKopecks: 0 };
const pay = (o: Partial<PaymentInput> & { payerInn?: string | null }): PaymentInput => ({
  direction: 'incoming',
  amountKopecks: 100000,
  purpose: 'Оплата по счёту ТД00-000123 от 29.11.2026',
  payer: { account: '40702810900000000001', settlementAccount: null, inn: o.payerInn === undefined ? A : o.payerInn, name: 'ООО Плательщик' },
  ...o,
});

describe('bank matching: money rules', () => {
  it('a payer ИНН failing its check digits, naming another client\'s order → review, not posted', () => {
    const r = matchPayment(pay({ payerInn: '7707083894' }), memoryLookup([order]));
    expect(r.kind).toBe('ambiguous');
    if (r.kind === 'ambiguous') {
      expect(r.reason).toBe('purpose-names-other-client');
      expect(r.detail).toContain('7707083894');
    }
  });

  it('the same with a valid payer ИНН of another company is review already; the client itself is matched', () => {
    expect(matchPayment(pay({ payerInn: '7728168971' }), memoryLookup([order])).kind).toBe('ambiguous');
    expect(matchPayment(pay({}), memoryLookup([order])).kind).toBe('matched');
    // a person without an ИНН naming the order is still matched (card-less individuals pay by the invoice number)
    expect(matchPayment(pay({ payerInn: null }), memoryLookup([order])).kind).toBe('matched');
  });

  it('a 0.00 line is not a payment: unmatched (zero-amount), never matched to the order it names', () => {
    const r = matchPayment(pay({ amountKopecks: 0 }), memoryLookup([order]));
    expect(r).toMatchObject({ kind: 'unmatched', reason: 'zero-amount' });
    expect(matchPayment(pay({ amountKopecks: -100 }), memoryLookup([order]))).toMatchObject({ kind: 'unmatched', reason: 'zero-amount' });
  });
});
