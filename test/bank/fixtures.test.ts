import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BankParseError, parseStatement, type Statement } from '../../src/bank/parse/index.js';
import { CLIENT_A, CLIENT_B, FIXTURES, OWN1, OWN2 } from '../fixtures/bank/generate.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/bank');
const bytes = (name: string) => readFileSync(join(dir, name));
const parse = (name: string) => parseStatement(bytes(name));

function failure(name: string): BankParseError {
  try {
    parseStatement(bytes(name));
  } catch (e) {
    expect(e).toBeInstanceOf(BankParseError);
    return e as BankParseError;
  }
  throw new Error(`${name} parsed, but must fail`);
}

/** The content every "basic" variant carries, whatever its bytes: checked field by field. */
function expectBasic(st: Statement) {
  expect(st.header.formatVersion).toBe('1.03');
  expect(st.header.sender).toBe('Банк Тест');
  expect(st.header.receiver).toBe('1С:Предприятие');
  expect(st.header.createdAt).toBe('2025-02-03T09:15:00');
  expect(st.header.dateFrom).toBe('2025-02-01');
  expect(st.header.dateTo).toBe('2025-02-02');
  expect(st.header.accounts).toEqual([OWN1]);
  expect(st.header.documentKinds).toEqual(['Платежное поручение']);
  expect(st.accounts).toEqual([
    expect.objectContaining({
      account: OWN1,
      dateFrom: '2025-02-01',
      dateTo: '2025-02-02',
      openingBalance: 100000,
      creditTurnover: 123450,
      debitTurnover: 70000,
      closingBalance: 153450,
    }),
  ]);
  expect(st.documents).toHaveLength(2);
  const [inc, out] = st.documents;
  expect(inc).toMatchObject({
    kind: 'Платежное поручение',
    number: '15',
    date: '2025-02-01',
    amountKopecks: 123450, // "1234.5": exact, never a float
    direction: 'incoming',
    ownAccount: OWN1,
    receivedAt: '2025-02-01',
    writtenOffAt: null,
    paidAt: '2025-02-01',
    purpose: 'Оплата по счету № ТД00-000123 от 30.01.2025, в т.ч. НДС 20% = 205.75',
  });
  expect(inc.payer).toEqual({
    account: '40702810100000000123',
    settlementAccount: '40702810100000000123',
    inn: CLIENT_A,
    kpp: null,
    name: 'ООО "Альфа"',
    nameLines: ['ООО "Альфа"'],
    bank: { name: 'ПАО СБЕРБАНК', city: 'г. Москва', bik: '044525225', corrAccount: '30101810400000000225' },
  });
  expect(inc.payee.account).toBe(OWN1);
  expect(inc.payee.bank.name).toBe('АО "ТБАНК"');
  // known keys outside the typed shape stay, non-empty ones only; `..` dates are kept raw there
  expect(inc.fields).toEqual({ ВидОплаты: '01', Код: '0', Очередность: '5', ПоказательДаты: '..' });
  expect(inc.extra).toEqual({});
  expect(out).toMatchObject({ number: '7', amountKopecks: 70000, direction: 'outgoing', ownAccount: OWN1, paidAt: '2025-02-02' });
  expect(out.payee.inn).toBe(CLIENT_B);
}

describe('bank fixtures: encodings', () => {
  it('cp1251 with CRLF, trailing spaces/tabs, blank lines, a value with leading spaces', () => {
    const st = parse('cp1251-crlf.txt');
    expect(st.header.encoding).toBe('cp1251');
    expect(st.header.declaredEncoding).toBe('Windows');
    expectBasic(st);
    expect(st.documents[0].line).toBe(22); // blank line after КонецРасчСчет shifts it by one
    expect(st.warnings).toEqual([]);
  });

  it('cp866 when Кодировка=DOS and the key is spelt in cp866', () => {
    const st = parse('cp866-dos.txt');
    expect(st.header.encoding).toBe('cp866');
    expect(st.header.declaredEncoding).toBe('DOS');
    expectBasic(st);
  });

  it('cp1251 bytes under a header that says DOS: the bytes of the key win', () => {
    const st = parse('cp1251-header-says-dos.txt');
    expect(st.header.encoding).toBe('cp1251');
    expect(st.header.declaredEncoding).toBe('DOS');
    expectBasic(st);
  });

  it('UTF-8 with a BOM (header says Windows)', () => {
    const st = parse('utf8-bom.txt');
    expect(st.header.encoding).toBe('utf-8');
    expect(st.header.declaredEncoding).toBe('Windows');
    expectBasic(st);
    expect(st.documents[0].line).toBe(21); // line numbers count from after the BOM
  });

  it('UTF-8 without a BOM, header typo "Wirdows", mixed CRLF/LF, no final newline', () => {
    const st = parse('utf8-mixed-eol.txt');
    expect(st.header.encoding).toBe('utf-8');
    expect(st.header.declaredEncoding).toBe('Wirdows');
    expectBasic(st);
  });

  it('UTF-16LE with a BOM', () => {
    const st = parse('utf16le-bom.txt');
    expect(st.header.encoding).toBe('utf-16le');
    expectBasic(st);
  });

  it('lone CR line ends', () => {
    const st = parse('cr-only.txt');
    expect(st.header.encoding).toBe('cp1251');
    expectBasic(st);
  });
});

describe('bank fixtures: structure quirks', () => {
  it('key case variants, unknown keys kept, ё in the kind, = in values, purpose from НазначениеПлатежа1..', () => {
    const st = parse('keys-case-unknown.txt');
    expect(st.header.extra).toEqual({ ПрограммаВыгрузки: 'Банк-Клиент 3.0' });
    expect(st.accounts[0].extra).toEqual({ ВалютаСчета: 'RUB' });
    const [d] = st.documents;
    expect(d.kind).toBe('Платежное поручение');
    expect(d.payer.bank.corrAccount).toBe('30101810400000000225'); // from ПлательщикКорСчет
    expect(d.payee.account).toBe(OWN1); // from ПОЛУЧАТЕЛЬСЧЕТ
    expect(d.direction).toBe('incoming');
    expect(d.purpose).toBe('Оплата по заказу 123 сумма=1234.50'); // split on the FIRST = only
    expect({ ...d.extra }).toEqual({ ИдентификаторБанка: 'ab=cd', ['__proto__']: 'x' });
    expect(Object.getPrototypeOf({}).x).toBeUndefined(); // a `__proto__` key pollutes nothing
    expect(d.writtenOffAt).toBeNull(); // 31.02.2025 is not a date: left empty, with a warning
    expect(st.warnings).toEqual([{ line: 28, message: 'ДатаСписано: "31.02.2025" — не дата вида дд.мм.гггг; оставлено пустым' }]);
  });

  it('duplicated КонецДокумента / КонецРасчСчет / КонецФайла pass with a warning each', () => {
    const st = parse('duplicated-end-markers.txt');
    expectBasic(st);
    expect(st.warnings.map((w) => w.message)).toEqual([
      'повторный КонецРасчСчет пропущен',
      'повторный КонецДокумента пропущен',
      'повторный КонецДокумента пропущен',
      'повторный КонецФайла пропущен',
    ]);
  });

  it('several own accounts: internal transfer, incoming to the second, unknown when neither side is ours', () => {
    const st = parse('several-accounts.txt');
    expect(st.header.accounts).toEqual([OWN1, OWN2]);
    expect(st.accounts.map((a) => [a.account, a.openingBalance, a.creditTurnover, a.debitTurnover, a.closingBalance])).toEqual([
      [OWN1, 500000, 0, 100000, 400000],
      [OWN2, 0, 150001, 0, 150001],
    ]);
    expect(st.documents.map((d) => [d.number, d.direction, d.ownAccount, d.amountKopecks])).toEqual([
      ['8', 'internal', OWN2, 100000],
      ['99', 'incoming', OWN2, 50001],
      ['100', 'unknown', null, 99],
    ]);
  });

  it('per-day account sections are kept one per day; a wrong balance is a warning, not silence', () => {
    const st = parse('per-day-sections.txt');
    expect(st.accounts.map((a) => [a.dateFrom, a.openingBalance, a.closingBalance])).toEqual([
      ['2025-02-01', 100000, 223450],
      ['2025-02-02', 223450, 224450],
      ['2025-02-03', 224450, 224400],
    ]);
    expect(st.header.accounts).toEqual([OWN1]);
    expect(st.documents.map((d) => d.number)).toEqual(['15', '16', '16']);
    expect(st.documents[1].payer.inn).toBeNull(); // empty ПлательщикИНН
    expect(st.documents[1].payer.name).toBe(`ИНН ${CLIENT_B}\\772801001 ООО "Бета"`);
    expect(st.warnings).toHaveLength(1);
    expect(st.warnings[0].message).toContain('≠ КонечныйОстаток');
  });

  it('transit and individual payers parse as plain incoming documents', () => {
    const st = parse('transit-and-individual.txt');
    expect(st.documents.map((d) => [d.kind, d.direction, d.payer.account, d.payer.inn, d.paidAt])).toEqual([
      ['Банковский ордер', 'incoming', '30233810000000000004', '7710140679', '2025-02-01'], // ДатаСписано on an incoming doc
      ['Платежное поручение', 'incoming', '40817810000000000055', null, '2025-02-01'],
    ]);
  });
});

describe('bank fixtures: broken files fail with the line and the reason', () => {
  const cases: [string, string, number, RegExp][] = [
    ['broken-no-end-of-file.txt', 'TRUNCATED', 83, /без КонецФайла/],
    ['broken-cut-mid-document.txt', 'TRUNCATED', 80, /обрывается посреди строки .* начатого в строке 52/],
    ['broken-corrupt-line.txt', 'CORRUPT_LINE', 25, /ПлательщикСчет 40702810100000000123/],
    ['broken-bad-amount.txt', 'BAD_AMOUNT', 55, /"1 700.00"/],
    ['broken-missing-end-document.txt', 'STRUCTURE', 51, /начатого в строке 21 \(пропущен КонецДокумента\?\)/],
    ['broken-duplicate-amount.txt', 'DUPLICATE_KEY', 56, /впервые в строке 55/],
    ['broken-bad-date.txt', 'BAD_DATE', 54, /"2025-02-02"/],
    ['broken-utf8-damaged.txt', 'BAD_ENCODING', 80, /недопустимая последовательность UTF-8 на байте \d+ файла в UTF-8/],
    ['broken-utf8-bom-damaged.txt', 'BAD_ENCODING', 80, /недопустимая последовательность UTF-8 .* меткой UTF-8/],
  ];
  for (const [name, code, line, reason] of cases) {
    it(`${name}: ${code} at line ${line}`, () => {
      const e = failure(name);
      expect(e.code).toBe(code);
      expect(e.line).toBe(line);
      expect(e.reason).toMatch(reason);
      expect(e.message).toBe(`строка ${line}: ${e.reason}`);
    });
  }
});

describe('bank fixtures: committed bytes', () => {
  it('equal what generate.ts produces (the generator is the source of truth)', () => {
    for (const [name, make] of Object.entries(FIXTURES)) expect(bytes(name).equals(make()), name).toBe(true);
  });
});
