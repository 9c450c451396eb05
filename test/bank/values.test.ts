import { describe, expect, it } from 'vitest';
import { BankParseError, parseDate, parseKopecks, parseStatement } from '../../src/bank/parse/index.js';

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

describe('small structural cases', () => {
  const parse = (s: string) => () => parseStatement(Buffer.from(s, 'utf8'));
  const fail = (s: string) => {
    try {
      parseStatement(Buffer.from(s, 'utf8'));
    } catch (e) {
      if (e instanceof BankParseError) return [e.code, e.line];
      throw e;
    }
    return 'parsed';
  };
  it.each([
    ['', ['EMPTY', 1]],
    ['\n  \r\n', ['EMPTY', 1]],
    ['invalid', ['NOT_1C', 1]],
    ['1CClientBankExchange', ['TRUNCATED', 1]],
    ['1CClientBankExchange\nВерсияФормата=1.03\nКонецФа', ['TRUNCATED', 3]],
    ['1CClientBankExchange\nВерсияФормата=1.03\nКонецФа\nКонецФайла\n', ['CORRUPT_LINE', 3]],
    ['1CClientBankExchange\n=1.03\nКонецФайла\n', ['CORRUPT_LINE', 2]],
    ['1CClientBankExchange\nКонецДокумента\nКонецФайла\n', ['STRUCTURE', 2]],
    ['1CClientBankExchange\nСекцияДокумент\nКонецФайла\n', ['STRUCTURE', 2]],
    ['1CClientBankExchange\nКонецФайла\nСумма=1\n', ['STRUCTURE', 3]],
    ['1CClientBankExchange\nСекцияРасчСчет\nКонецРасчСчет\nКонецФайла\n', ['MISSING_FIELD', 2]],
    ['1CClientBankExchange\nСекцияДокумент=X\nДата=01.01.2025\nКонецДокумента\nКонецФайла\n', ['MISSING_FIELD', 2]],
    ['1CClientBankExchange\nСекцияДокумент=X\nСумма=1\nДата=\nКонецДокумента\nКонецФайла\n', ['MISSING_FIELD', 4]],
    ['1CClientBankExchange\nСекцияДокумент=X\nСумма=1\nКонецДокумента\nКонецФайла\n', ['MISSING_FIELD', 2]],
    ['1CClientBankExchange\nСекцияРасчСчет\nРасчСчет=1\nСекцияДокумент=X\n', ['STRUCTURE', 4]],
    ['1CClientBankExchange\nКонецФайла', 'parsed'],
    ['\uFEFF1CClientBankExchange\r\nКонецФайла\r\n\u001a', 'parsed'],
  ])('%j → %j', (s, expected) => {
    expect(fail(s)).toEqual(expected);
  });
  it('a minimal statement', () => {
    const st = parse('1cclientbankexchange\nСекцияДокумент=Прочее\nСумма=1\nДата=01.01.2025\nКонецДокумента\nКонецФайла')();
    expect(st.documents).toMatchObject([{ kind: 'Прочее', number: '', amountKopecks: 100, direction: 'unknown', purpose: '' }]);
    expect(st.warnings).toEqual([{ line: 2, message: 'документ без Номер' }]);
  });
});

describe('damaged UTF-16', () => {
  it('an odd byte count or a lone surrogate behind a UTF-16LE BOM is BAD_ENCODING with its line', () => {
    const good = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('1CClientBankExchange\r\nОтправитель=Банк\r\nКонецФайла\r\n', 'utf16le')]);
    expect(parseStatement(good).header.sender).toBe('Банк');
    const odd = good.subarray(0, good.length - 1);
    expect(() => parseStatement(odd)).toThrow(/недопустимый UTF-16/);
    const lone = Buffer.from(good);
    const at = lone.indexOf(Buffer.from('Банк', 'utf16le'));
    lone[at] = 0x00;
    lone[at + 1] = 0xd8; // a high surrogate followed by a normal character
    try {
      parseStatement(lone);
      throw new Error('parsed');
    } catch (e) {
      expect(e).toBeInstanceOf(BankParseError);
      expect([(e as BankParseError).code, (e as BankParseError).line]).toEqual(['BAD_ENCODING', 2]);
    }
  });
});
