import { describe, expect, it } from 'vitest';
import { BankParseError, parseDate, parseKopecks } from '../../src/bank/parse/index.js';

describe('amounts: exact integer kopecks, never floats', () => {
  it.each([
    ['1234.5', 123450],
    ['700', 70000],
    ['22.9', 2290],
    ['0.01', 1],
    ['1000.00', 100000],
    ['10.100', 1010],
    ['1052,98', 105298],
    ['.5', 50],
    ['5.', 500],
    ['0000000000000000000001.00', 100],
    ['90071992547409.91', 9007199254740991], // the largest safe kopeck count: still exact
    ['0.29', 29], // 0.29 * 100 is 28.999999999999996 in floats
    ['1.15', 115], // 1.15 * 100 is 114.99999999999999
  ])('%s → %i', (s, k) => {
    expect(parseKopecks(s, 1, 'Сумма')).toBe(k);
  });
  it('signed only where allowed (balances)', () => {
    expect(parseKopecks('-12.34', 1, 'НачальныйОстаток', true)).toBe(-1234);
    expect(() => parseKopecks('-12.34', 1, 'Сумма')).toThrow(BankParseError);
  });
  it.each(['', '.', '-', '1 000.00', '12.345', '1e5', '12.3.4', 'abc', '+5', '900000000000000.00'])('rejects "%s" with the line', (s) => {
    try {
      parseKopecks(s, 42, 'Сумма');
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(BankParseError);
      expect((e as BankParseError).line).toBe(42);
      expect((e as BankParseError).code).toBe('BAD_AMOUNT');
    }
  });
});

describe('dates dd.mm.yyyy', () => {
  it.each([
    ['01.02.2025', '2025-02-01'],
    ['29.02.2024', '2024-02-29'],
    ['', null],
    ['..', null],
    ['00.00.0000', null],
    ['29.02.2023', undefined],
    ['31.04.2025', undefined],
    ['2025-02-01', undefined],
    ['1.2.2025', undefined],
    ['01.13.2025', undefined],
    ['01.02.20 5', undefined],
    ['0', undefined],
  ])('%s → %s', (s, d) => {
    expect(parseDate(s)).toBe(d);
  });
});
