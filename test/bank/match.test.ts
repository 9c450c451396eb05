import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  extractOrderRefs,
  innFromText,
  isTransitAccount,
  isValidInn,
  matchPayment,
  memoryLookup,
  orderNumberKey,
  parseStatement,
  paymentKey,
  paymentKeyHash,
  payerInn,
  planImport,
  refNamesOrder,
  type OpenOrder,
  type PaymentInput,
} from '../../src/bank/index.js';

const A = '7707083893'; // valid 10-digit INN
const B = '7728168971';
const P = '500100732259'; // valid 12-digit INN

const order = (number: string, clientInn: string | null, amount: number, paid = 0, externalId = `rs-${number}`): OpenOrder => ({
  number,
  externalId,
  clientInn,
  amountKopecks: amount,
  paidKopecks: paid,
});

const pay = (o: Partial<Omit<PaymentInput, 'payer'>> & { payer?: Partial<PaymentInput['payer']> }): PaymentInput => ({
  direction: 'incoming',
  amountKopecks: 100000,
  purpose: '',
  ...o,
  payer: { account: '40702810100000000123', settlementAccount: null, inn: A, name: 'ООО "Альфа"', ...o.payer },
});

describe('INN check digits', () => {
  it('accepts valid 10- and 12-digit INNs', () => {
    for (const inn of ['7707083893', '7736207543', '6671093163', '500100732259', '667220109459', '773370857141']) expect(isValidInn(inn), inn).toBe(true);
  });
  it('rejects wrong check digits, wrong lengths, placeholders', () => {
    for (const inn of ['7707083894', '500100732258', '500100732269', '7810011111', '0000000000', '000000000000', '123', '77070838931', '77O7083893', ''])
      expect(isValidInn(inn), inn).toBe(false);
  });
  it('finds the INN inside the payer text', () => {
    expect(innFromText(`ИНН ${A}\\771801001 ООО "Альфа"`)).toBe(A);
    expect(innFromText(`ИНН: ${P} ИП Петров`)).toBe(P);
    expect(innFromText(`${A} ООО "Альфа"`)).toBe(A);
    expect(innFromText(`${A}, ООО "Альфа"`)).toBe(A);
    expect(innFromText('7707083894 ООО "Опечатка"')).toBeNull(); // check digit wrong
    expect(innFromText('ООО "Альфа" р/с 40702810100000000123')).toBeNull(); // an account is not an INN
    expect(innFromText('Иванов Иван Иванович')).toBeNull();
  });
  it('payerInn: the field first; the name only when the field is empty or 0', () => {
    expect(payerInn({ account: null, settlementAccount: null, inn: ` ${A} `, name: `${B} ООО` })).toEqual({ inn: A, source: 'field' });
    expect(payerInn({ account: null, settlementAccount: null, inn: '0', name: `ИНН ${B} ООО` })).toEqual({ inn: B, source: 'name' });
    expect(payerInn({ account: null, settlementAccount: null, inn: null, name: null, nameLines: [`${P} ИП`] })).toEqual({ inn: P, source: 'name' });
    expect(payerInn({ account: null, settlementAccount: null, inn: '7707083894', name: `${B} ООО` })).toEqual({ inn: null, source: 'invalid', invalid: '7707083894' });
  });
  it('transit accounts', () => {
    for (const a of ['30233810000000000004', '30232810000000000001', '47422810119484000074', '40911810000000000004']) expect(isTransitAccount(a)).toBe(true);
    for (const a of ['40702810100000000123', '40817810000000000055', null, '']) expect(isTransitAccount(a)).toBe(false);
  });
});

describe('order references in the purpose', () => {
  const refs = (s: string) => extractOrderRefs(s).map((r) => `${r.strength}:${r.token}:${r.key}`);
  it.each([
    ['Оплата по счету N 1024 от 01.01.23г 18026,52', ['strong:1024:1024']],
    ['Оплата по счету № Ек2Тюм003221 от 18 Апреля 2019г.', ['strong:Ек2Тюм003221:3221']],
    ['заказ 123', ['strong:123:123']],
    ['Оплата по заказу ТД00-000123, НДС не облагается', ['strong:ТД00-000123:123']],
    ['сч. 45', ['strong:45:45']],
    ['за март 2022г. по сч.34 от 31.03.2022, Без налога (НДС)', ['strong:34:34']],
    ['Оплата по счету №6 от 12.01.2015 Сумма 15000-00', ['strong:6:6']],
    ['Оплата по счёту на оплату № 00077', ['strong:00077:77']],
    ['СЧЕТ 555 и заказ 556', ['strong:555:555', 'strong:556:556']],
    ['Оплата № 321 без НДС', ['weak:321:321']],
    ['Оплата по договору № 15 от 01.02.2025', []], // a contract, not an order
    ['Расчет за оказ.услуги. в т.ч. НДС 20%: 0.00', []], // "счет" inside "Расчет" is not a keyword
    ['Оплата по счету от 01.02.2025', []], // no number
    ['счет 01.02.2025', []], // a date, not a number
    ['ЛС: 50133547364', []],
  ])('%s', (purpose, expected) => {
    expect(refs(purpose)).toEqual(expected);
  });
  it('numbers compare by trailing digits without leading zeros, prefixes must agree when both have one', () => {
    expect(orderNumberKey('ТД00-000123')).toBe('123');
    expect(orderNumberKey('000')).toBe('0');
    expect(orderNumberKey('АБВ')).toBeNull();
    const r = (t: string) => extractOrderRefs(`заказ ${t}`)[0];
    expect(refNamesOrder(r('123'), 'ТД00-000123')).toBe(true);
    expect(refNamesOrder(r('ТД00-123'), 'ТД00-000123')).toBe(true);
    expect(refNamesOrder(r('ТД00-000123'), '123')).toBe(true);
    expect(refNamesOrder(r('ТД01-000123'), 'ТД00-000123')).toBe(false);
    expect(refNamesOrder(r('1230'), 'ТД00-000123')).toBe(false);
  });
});

describe('matchPayment', () => {
  it('purpose number + client INN → matched purpose-number, full', () => {
    const lookup = memoryLookup([order('ТД00-000123', A, 123450), order('ТД00-000124', A, 5000)]);
    const r = matchPayment(pay({ amountKopecks: 123450, purpose: 'Оплата по счету № 123 от 30.01.2025' }), lookup);
    expect(r).toMatchObject({ kind: 'matched', method: 'purpose-number', clientInn: A, coverage: 'full', partial: false, dueKopecks: 123450, reference: '123' });
    expect(r.kind === 'matched' && r.order.number).toBe('ТД00-000123');
  });

  it('INN from the payer name when ПлательщикИНН is empty', () => {
    const lookup = memoryLookup([order('77', B, 1000)]);
    const r = matchPayment(pay({ amountKopecks: 1000, purpose: 'сч. 77', payer: { inn: '', name: `ИНН ${B}\\772801001 ООО "Бета"` } }), lookup);
    expect(r).toMatchObject({ kind: 'matched', clientInn: B, method: 'purpose-number' });
  });

  it('partial payment: matched but flagged; overpayment: matched, coverage over', () => {
    const lookup = memoryLookup([order('500', A, 100000, 20000)]);
    expect(matchPayment(pay({ amountKopecks: 30000, purpose: 'заказ 500' }), lookup)).toMatchObject({
      kind: 'matched',
      coverage: 'partial',
      partial: true,
      dueKopecks: 80000,
    });
    expect(matchPayment(pay({ amountKopecks: 90000, purpose: 'заказ 500' }), lookup)).toMatchObject({ kind: 'matched', coverage: 'over', partial: false });
  });

  it('no reference: INN + exact due amount when exactly one order fits', () => {
    const lookup = memoryLookup([order('1', A, 100000), order('2', A, 250000, 150000), order('3', A, 70000), order('4', B, 100000)]);
    expect(matchPayment(pay({ amountKopecks: 70000, purpose: 'Оплата товара' }), lookup)).toMatchObject({
      kind: 'matched',
      method: 'inn-amount',
      order: { number: '3' },
    });
    // 100000 is due on order 1 AND on order 2 (250000 − 150000): two fit → ambiguous, never a guess
    const r = matchPayment(pay({ amountKopecks: 100000, purpose: 'Оплата товара' }), lookup);
    expect(r).toMatchObject({ kind: 'ambiguous', reason: 'several-orders-same-amount' });
    expect(r.kind === 'ambiguous' && r.candidates.map((o) => o.number).sort()).toEqual(['1', '2']);
    expect(matchPayment(pay({ amountKopecks: 12345, purpose: 'Оплата товара' }), lookup)).toMatchObject({
      kind: 'unmatched',
      reason: 'no-order-with-amount',
    });
    expect(matchPayment(pay({ amountKopecks: 12345, payer: { inn: P } }), lookup)).toMatchObject({ kind: 'unmatched', reason: 'unknown-client', clientInn: P });
  });

  it('the named order belongs to another client → ambiguous, not matched', () => {
    const lookup = memoryLookup([order('900', B, 100000)]);
    expect(matchPayment(pay({ purpose: 'по счету 900' }), lookup)).toMatchObject({
      kind: 'ambiguous',
      reason: 'purpose-names-other-client',
      candidates: [{ number: '900' }],
    });
  });

  it('two orders named, or one number naming two orders → ambiguous', () => {
    const lookup = memoryLookup([order('555', A, 1000), order('556', A, 1000), order('ТД01-000555', A, 1000)]);
    expect(matchPayment(pay({ purpose: 'счет 555 и заказ 556' }), lookup)).toMatchObject({ kind: 'ambiguous', reason: 'several-orders-in-purpose' });
    // the closest spelling wins: a prefix that agrees beats a bare number, the exact text beats a prefixed one
    expect(matchPayment(pay({ purpose: 'счет ТД01-555' }), lookup)).toMatchObject({ kind: 'matched', order: { number: 'ТД01-000555' } });
    expect(matchPayment(pay({ purpose: 'счет 555' }), lookup)).toMatchObject({ kind: 'matched', order: { number: '555' } });
    // equally close: "123" names both prefixed orders → ambiguous
    const two = memoryLookup([order('ТД00-000123', A, 1000), order('ТД01-000123', A, 1000)]);
    expect(matchPayment(pay({ purpose: 'заказ 123' }), two)).toMatchObject({ kind: 'ambiguous', reason: 'several-orders-in-purpose' });
  });

  it('transit account: its INN is never used, the purpose number alone can still match', () => {
    const lookup = memoryLookup([order('125', '7710140679', 100000), order('126', A, 100000)]);
    const transit = { account: '30233810000000000004', inn: '7710140679', name: 'АО "ТБАНК"' };
    // the INN is the bank's and an order of "that client" exists with the exact amount: still not matched by INN
    expect(matchPayment(pay({ payer: transit, purpose: 'Зачисление по эквайрингу' }), lookup)).toMatchObject({
      kind: 'unmatched',
      reason: 'no-reference-no-inn',
      clientInn: null,
    });
    expect(matchPayment(pay({ payer: transit, purpose: 'Зачисление по эквайрингу, заказ 126' }), lookup)).toMatchObject({
      kind: 'matched',
      method: 'purpose-number',
      clientInn: null,
      order: { number: '126' },
    });
    // a settlement account on 40911 counts too
    expect(matchPayment(pay({ payer: { account: null, settlementAccount: '40911810000000000004', inn: A }, purpose: 'x' }), lookup)).toMatchObject({
      kind: 'unmatched',
      reason: 'no-reference-no-inn',
    });
  });

  it('weak references (bare №) only pick among the payer\'s own orders', () => {
    const lookup = memoryLookup([order('321', A, 1000), order('322', B, 1000)]);
    expect(matchPayment(pay({ purpose: 'Оплата № 321' }), lookup)).toMatchObject({ kind: 'matched', order: { number: '321' } });
    // payer A, bare № names B's order: ignored as a reference, and A has no order with this amount
    expect(matchPayment(pay({ purpose: 'Оплата № 322' }), lookup)).toMatchObject({ kind: 'unmatched', reason: 'no-order-with-amount' });
    // without an INN a weak reference never matches alone
    expect(matchPayment(pay({ payer: { inn: null, name: 'Иванов' }, purpose: 'Оплата № 321' }), lookup)).toMatchObject({ kind: 'unmatched' });
  });

  it('an INN with wrong check digits is not a client; the detail says so', () => {
    const lookup = memoryLookup([order('1', '7707083894', 100000)]);
    const r = matchPayment(pay({ payer: { inn: '7707083894', name: 'ООО' }, purpose: 'Оплата' }), lookup);
    expect(r).toMatchObject({ kind: 'unmatched', reason: 'no-reference-no-inn', clientInn: null });
    expect(r.kind === 'unmatched' && r.detail).toContain('не проходит проверку контрольных цифр');
  });

  it('outgoing and unknown documents are never matched', () => {
    const lookup = memoryLookup([order('1', A, 100000)]);
    expect(matchPayment(pay({ direction: 'outgoing', purpose: 'заказ 1' }), lookup)).toMatchObject({ kind: 'unmatched', reason: 'not-incoming' });
    expect(matchPayment(pay({ direction: 'unknown', purpose: 'заказ 1' }), lookup)).toMatchObject({ kind: 'unmatched', reason: 'not-incoming' });
  });

  it('memoryLookup drops fully paid orders', () => {
    const lookup = memoryLookup([order('1', A, 1000, 1000)]);
    expect(lookup.byNumberKey('1')).toEqual([]);
    expect(lookup.byClientInn(A)).toEqual([]);
  });
});

describe('payment identity and planImport', () => {
  const d = {
    ownAccount: '40702810900000000001',
    number: ' 15a ',
    date: '2025-02-01',
    amountKopecks: 123450,
    payer: { account: '40702810100000000123', settlementAccount: null },
  };
  it('key = own account | number | date | kopecks | payer account; hash is a fixed-width sha256', () => {
    expect(paymentKey(d)).toBe('40702810900000000001|15A|2025-02-01|123450|40702810100000000123');
    expect(paymentKey({ ...d, payer: { account: null, settlementAccount: '40817' } })).toBe('40702810900000000001|15A|2025-02-01|123450|40817');
    expect(paymentKeyHash(d)).toMatch(/^[0-9a-f]{64}$/);
    expect(paymentKeyHash(d)).toBe(paymentKeyHash({ ...d, number: '15A' }));
    expect(paymentKeyHash(d)).not.toBe(paymentKeyHash({ ...d, amountKopecks: 123451 }));
  });

  const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/bank');
  it('per-day sections repeating a document: planned once; INN read from the payer name', () => {
    const st = parseStatement(readFileSync(join(fixtures, 'per-day-sections.txt')));
    const lookup = memoryLookup([order('ТД00-000123', A, 123450), order('45', B, 5000)]);
    const plan = planImport(st, lookup);
    expect(plan.map((p) => [p.document.number, p.match.kind, p.match.kind === 'matched' ? p.match.coverage : null])).toEqual([
      ['15', 'matched', 'full'],
      ['16', 'matched', 'partial'],
    ]);
    expect(new Set(plan.map((p) => p.key)).size).toBe(2);
  });

  it('two payments for one order in one file: the second sees the first as paid', () => {
    const st = parseStatement(readFileSync(join(fixtures, 'several-accounts.txt')));
    // doc 99 pays 500.01 for «заказ 124»; duplicate it with another number
    const twice = { ...st, documents: [...st.documents, { ...st.documents[1], number: '101' }] };
    const plan = planImport(twice, memoryLookup([order('124', A, 100002)]));
    expect(plan.map((p) => (p.match.kind === 'matched' ? [p.match.coverage, p.match.dueKopecks] : p.match.kind))).toEqual([
      ['partial', 100002],
      ['full', 50001],
    ]);
  });

  it('transit and individual fixture: acquiring matched by the order number, individual by «счету N 00126»', () => {
    const st = parseStatement(readFileSync(join(fixtures, 'transit-and-individual.txt')));
    const plan = planImport(st, memoryLookup([order('125', '7710140679', 100000), order('126', null, 200000)]));
    expect(plan.map((p) => (p.match.kind === 'matched' ? [p.match.method, p.match.order.number, p.match.clientInn] : p.match.kind))).toEqual([
      ['purpose-number', '125', null],
      ['purpose-number', '126', null],
    ]);
  });
});

describe('matchPayment never guesses (property)', () => {
  const inns = [A, B, P, '7736207543', null];
  const orderArb = fc.record({
    number: fc.oneof(fc.integer({ min: 1, max: 30 }).map(String), fc.integer({ min: 1, max: 30 }).map((n) => `ТД00-${String(n).padStart(6, '0')}`)),
    clientInn: fc.constantFrom(...inns),
    amountKopecks: fc.constantFrom(1000, 2000, 5000),
    paidKopecks: fc.constantFrom(0, 0, 500),
  });
  const paymentArb = fc.record({
    amountKopecks: fc.constantFrom(500, 1000, 1500, 2000, 4500, 5000),
    inn: fc.constantFrom(A, B, P, '', '7707083894'),
    transit: fc.boolean(),
    purpose: fc.oneof(
      fc.constant('Оплата товара'),
      fc.integer({ min: 1, max: 30 }).map((n) => `Оплата по счету № ${n} от 01.02.2025`),
      fc.integer({ min: 1, max: 30 }).map((n) => `заказ ТД00-${String(n).padStart(6, '0')}`),
      fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 })).map(([a, b]) => `сч. ${a} и сч. ${b}`),
      fc.integer({ min: 1, max: 30 }).map((n) => `Оплата № ${n}`),
    ),
  });

  it('a match is always justified by the purpose or by (INN, exact due); never another client; never a transit INN', () => {
    fc.assert(
      fc.property(fc.array(orderArb, { maxLength: 12 }), paymentArb, (raw, p) => {
        const orders = raw.map((o, i) => ({ ...o, externalId: `e${i}` }));
        const payer = { account: p.transit ? '30233810000000000004' : '40702810100000000123', settlementAccount: null, inn: p.inn, name: null };
        const r = matchPayment({ direction: 'incoming', amountKopecks: p.amountKopecks, purpose: p.purpose, payer }, memoryLookup(orders));
        if (r.kind !== 'matched') return;
        const validInn = isValidInn(p.inn) && !p.transit ? p.inn : null;
        expect(r.clientInn).toBe(validInn);
        if (validInn !== null) expect(r.order.clientInn).toBe(validInn);
        expect(r.order.amountKopecks - r.order.paidKopecks).toBeGreaterThan(0);
        if (r.method === 'inn-amount') {
          expect(validInn).not.toBeNull();
          expect(r.order.amountKopecks - r.order.paidKopecks).toBe(p.amountKopecks);
          // exactly one of the client's open orders had that due
          const fits = orders.filter((o) => o.clientInn === validInn && o.amountKopecks - o.paidKopecks === p.amountKopecks);
          expect(fits).toHaveLength(1);
        } else {
          const named = extractOrderRefs(p.purpose).filter((ref) => refNamesOrder(ref, r.order.number));
          expect(named.length).toBeGreaterThan(0);
          if (validInn === null) expect(named.some((ref) => ref.strength === 'strong')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
