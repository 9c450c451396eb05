import { describe, expect, it } from 'vitest';
import type { OrderableItem } from '../../src/catalog/service.js';
import { priceLines } from '../../src/orders/pricing.js';

const item = (retail: number): OrderableItem => ({
  id: 'i1',
  name: 'Весовой товар',
  carried: true,
  soldToOrder: true,
  hasVariants: false,
  stock: 0,
  minQuantity: 0.001,
  multiplicity: 0.001,
  tier1Threshold: 1e9,
  tier2Threshold: 1e9,
  prices: { retail, tier1: null, tier2: null },
  priceKindIds: { retail: 'pk', tier1: null, tier2: null } as OrderableItem['priceKindIds'],
});

/** Цена × Количество rounded to kopecks half up, in exact decimal arithmetic (what 1C's Окр(x, 2) gives). */
const exactKopecks = (priceKopecks: number, quantity: number) => {
  const milli = BigInt(Math.round(quantity * 1000));
  const n = BigInt(priceKopecks) * milli; // kopecks × 1000
  return Number((n + 500n) / 1000n);
};

// Line amounts were Math.round(priceKopecks * quantity) in floating point: 15 kop × 4.1 = 61.49999… → 61, where
// the exact 61.5 rounds to 62; 1 rub × 1.005 kg → 1.00 instead of 1.01. A kopeck off the order's amount, which a
// card payment must then equal.
describe('priceLines: line amount = price × quantity rounded half up to kopecks, exactly', () => {
  it.each([
    [0.15, 4.1, 62],
    [1, 1.005, 101],
    [0.25, 0.58, 15],
    [0.05, 0.7, 4],
    [12.25, 0.5, 613],
    [99.99, 3, 29997],
  ])('%s руб × %s = %s коп.', (price, quantity, kopecks) => {
    const { lines, errors } = priceLines([{ itemId: 'i1', quantity }], new Map([['i1', item(price)]]));
    expect(errors).toEqual([]);
    expect(lines[0].amountKopecks).toBe(kopecks);
  });

  it('agrees with exact decimal arithmetic over a grid of prices and 3-decimal quantities', () => {
    let wrong = 0;
    for (let p = 1; p <= 3000; p += 7) {
      for (let qm = 1; qm <= 5000; qm += 13) {
        const q = qm / 1000;
        const { lines } = priceLines([{ itemId: 'i1', quantity: q }], new Map([['i1', item(p / 100)]]));
        if (lines[0].amountKopecks !== exactKopecks(p, q)) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });
});
