import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BankParseError, parseKopecks, parseStatement, type Statement } from '../../src/bank/parse/index.js';

/**
 * Every statement in ../shared/corpus/bank (third-party files, README.md there says where each comes from) must
 * parse, or — for the files that are broken on purpose — fail with a BankParseError naming the line.
 * The odin_palace suites carry that parser's expected output (*__result.snap); we cross-check our values
 * against it. The corpus is read in place, never copied; without it this file skips.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = join(resolve(repoRoot, '../shared'), 'corpus/bank');
const present = existsSync(corpus);
if (!present) console.warn(`[bank corpus] ${corpus} not found: corpus tests skipped`);

type Dir = 'i' | 'o' | 'n' | 'u'; // incoming, outgoing, internal, unknown
interface Ok {
  encoding: Statement['header']['encoding'];
  accounts: [string, number | null, number | null, number | null, number | null][]; // account, opening, credit(in), debit(out), closing
  docs: [Dir, number][]; // direction, kopecks
}
interface Broken {
  code: BankParseError['code'];
  line: number;
}

/** Expected outcome of each corpus file; a new file in the folder fails the "every file is listed" test. */
const EXPECTED: Record<string, Ok | Broken> = {
  'condo_1CClientBankExchange.txt': {
    encoding: 'utf-8',
    accounts: [['40702810801500116391', 830000, 268183146, 255473723, 13539423]],
    docs: [['o', 70000], ['i', 105298], ['i', 116698], ['o', 1400000]],
  },
  'condo_1CClientBankExchange-Invalid.txt': { code: 'TRUNCATED', line: 19 },
  // document 2 pays from an anonymised account (…77777) to someone else: neither side is the statement's account
  'dronm_clbnk_kl_to_1c.txt': {
    encoding: 'cp1251',
    accounts: [['40702810000000074935', 25284249, 61605000, 78964744, 7924505]],
    docs: [['o', 693600], ['u', 1305600], ['o', 15000000]],
  },
  'georgeals_kl_to_1c.txt': {
    encoding: 'cp1251',
    accounts: [['40702810307000011111', 17080945, 2400000, 102600, 19378345]],
    docs: [['o', 2600], ['o', 100000], ['i', 900000], ['i', 1500000]],
  },
  // the first ten documents are anonymised on both sides (payer 12312312312312312): unknown, not guessed
  'kilylabs_one_day.txt': {
    encoding: 'cp1251',
    accounts: [['40702810200000000001', 4532991, 4000000, 4118400, 4414591]],
    docs: [
      ['u', 8323], ['u', 19974], ['u', 27187], ['u', 56177], ['u', 134826], ['u', 183513], ['u', 276280],
      ['u', 1000000], ['u', 1000000], ['u', 1412120], ['i', 600000], ['i', 1400000], ['i', 2000000],
    ],
  },
  'kilylabs_one_day_utf8.txt': { encoding: 'utf-8', accounts: [], docs: [] }, // filled below: same as cp1251
  'odooru_kl_to_1c.txt': {
    encoding: 'cp1251',
    accounts: [['00000000000000000001', 11097800, 0, 10815912, 281888]],
    docs: [['o', 10815912]],
  },
  // payer and payee are the same (synthetic) account: internal
  'xini1_sample1.txt': {
    encoding: 'utf-8',
    accounts: [
      ['12345678901234567890', 1010, 1010, 1010, 1010],
      ['12345678901234567891', 1010, 1010, 1010, 1010],
    ],
    docs: [['n', 1010], ['n', 1010]],
  },
  'xini1_sample2.txt': { encoding: 'utf-8', accounts: [], docs: [['o', 1]] },
  'odin_palace/empty__input.txt': { code: 'EMPTY', line: 1 },
  'odin_palace/invalid__input.txt': { code: 'NOT_1C', line: 1 },
  'odin_palace/no_documents__input.txt': {
    encoding: 'cp1251',
    accounts: [['40802000000000000002', 0, 21754611, 0, 21754611]],
    docs: [],
  },
  'odin_palace/no_end_of_file__input.txt': { code: 'TRUNCATED', line: 47 },
  'odin_palace/one_document__input.txt': {
    encoding: 'cp1251',
    accounts: [['40802000000000000007', 0, 6777000, 0, 6777000]],
    docs: [['i', 100000]],
  },
  // the UTF-8 twin carries ДатаСписано on an incoming document (Tinkoff): direction still from the accounts
  'odin_palace/one_document_utf__input.txt': {
    encoding: 'utf-8',
    accounts: [['40802000000000000007', 0, 6777000, 0, 6777000]],
    docs: [['i', 100000]],
  },
  'odin_palace/two_documents__input.txt': {
    encoding: 'cp1251',
    accounts: [['40802000000000000013', 0, 6777000, 0, 6777000]],
    docs: [['i', 10000], ['i', 100000]],
  },
};
EXPECTED['kilylabs_one_day_utf8.txt'] = { ...(EXPECTED['kilylabs_one_day.txt'] as Ok), encoding: 'utf-8' };

function statementFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(corpus, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (!/\.(md|snap)$/.test(e.name)) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

const DIR: Record<string, Dir> = { incoming: 'i', outgoing: 'o', internal: 'n', unknown: 'u' };

describe.skipIf(!present)('bank corpus (../shared/corpus/bank)', () => {
  it('every statement file in the folder has an expectation here', () => {
    expect(statementFiles()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, exp] of Object.entries(EXPECTED)) {
    it(`${file}: ${'code' in exp ? `fails with ${exp.code} at line ${exp.line}` : 'parses'}`, () => {
      const bytes = readFileSync(join(corpus, file));
      if ('code' in exp) {
        let err: unknown;
        try {
          parseStatement(bytes);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(BankParseError);
        expect((err as BankParseError).code).toBe(exp.code);
        expect((err as BankParseError).line).toBe(exp.line);
        return;
      }
      const st = parseStatement(bytes);
      expect(st.header.encoding).toBe(exp.encoding);
      expect(st.accounts.map((a) => [a.account, a.openingBalance, a.creditTurnover, a.debitTurnover, a.closingBalance])).toEqual(exp.accounts);
      expect(st.documents.map((d) => [DIR[d.direction], d.amountKopecks])).toEqual(exp.docs);
      for (const d of st.documents) {
        expect(d.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(Number.isSafeInteger(d.amountKopecks)).toBe(true);
      }
      expect(st.warnings).toEqual([]);
    });
  }

  it('condo: individuals with empty ПлательщикИНН give a null INN; unknown header-less keys are kept', () => {
    const st = parseStatement(readFileSync(join(corpus, 'condo_1CClientBankExchange.txt')));
    expect(st.documents[1].payer.inn).toBeNull();
    expect(st.documents[1].payer.name).toBe('Иванов Иван Иванович');
    expect(st.documents[1].fields['Код']).toBe('50133547364');
    expect(st.documents[2].payer.inn).toBe('667220109459');
  });

  it('georgeals: no Отправитель, ПоказательДаты=.. kept raw, purpose with "сч. 22"', () => {
    const st = parseStatement(readFileSync(join(corpus, 'georgeals_kl_to_1c.txt')));
    expect(st.header.sender).toBeNull();
    expect(st.documents[2].fields['ПоказательДаты']).toBe('..');
    expect(st.documents[2].purpose).toContain('по сч. 22 от 14.01.2015');
  });

  it('odooru: blank line inside the header, version 1.01, ПлательщикБанк1 with a leading space trimmed', () => {
    const st = parseStatement(readFileSync(join(corpus, 'odooru_kl_to_1c.txt')));
    expect(st.header.formatVersion).toBe('1.01');
    expect(st.header.accounts).toEqual(['00000000000000000001']);
    expect(st.documents[0].payer.bank.name).toBe('Банк ГПБ (АО)');
    expect(st.documents[0].purpose).toBe('Оплата по счету N 1024 от 01.01.23г 18026,52');
  });

  it('kilylabs: the cp1251 and UTF-8 copies give the same statement but for the encoding', () => {
    const a = parseStatement(readFileSync(join(corpus, 'kilylabs_one_day.txt')));
    const b = parseStatement(readFileSync(join(corpus, 'kilylabs_one_day_utf8.txt')));
    expect({ ...b, header: { ...b.header, encoding: 'cp1251' } }).toEqual(a);
  });

  describe('odin_palace: cross-check with that parser\'s expected output', () => {
    for (const suite of ['no_documents', 'one_document', 'one_document_utf', 'two_documents']) {
      it(suite, () => {
        const st = parseStatement(readFileSync(join(corpus, `odin_palace/${suite}__input.txt`)));
        const snap = readFileSync(join(corpus, `odin_palace/${suite}__result.snap`), 'utf8');
        const kop = (s: string) => parseKopecks(s, 0, 'snap');
        const blocks = snap.split('Document {').slice(1);
        expect(st.documents).toHaveLength(blocks.length);
        blocks.forEach((b, i) => {
          const d = st.documents[i];
          const f = (k: string) => new RegExp(`\\b${k}: "((?:[^"\\\\]|\\\\.)*)"`).exec(b)?.[1].replaceAll('\\"', '"');
          expect(d.number).toBe(f('doc_number'));
          expect(d.kind).toBe(f('doc_type'));
          expect(d.purpose).toBe(f('purpose'));
          expect(d.payer.inn).toBe(f('counterparty_inn'));
          expect(d.payer.account).toBe(f('counterparty_account'));
          expect(d.payee.inn).toBe(f('payee_inn'));
          expect(d.payee.account).toBe(f('payee_account'));
          expect(d.amountKopecks).toBe(kop(/\bamount: ([\d.]+)/.exec(b)![1]));
          expect(d.date).toBe(/\bdoc_date: (\S+),/.exec(b)![1]);
        });
        const iv = snap.split('Interval {').slice(1);
        expect(st.accounts).toHaveLength(iv.length);
        iv.forEach((b, i) => {
          const a = st.accounts[i];
          expect(a.openingBalance).toBe(kop(/start_amount: ([\d.]+)/.exec(b)![1]));
          expect(a.creditTurnover).toBe(kop(/total_income: Some\(\s*([\d.]+)/.exec(b)![1]));
          expect(a.debitTurnover).toBe(kop(/total_expense: Some\(\s*([\d.]+)/.exec(b)![1]));
          expect(a.closingBalance).toBe(kop(/end_amount: Some\(\s*([\d.]+)/.exec(b)![1]));
          expect(a.dateFrom).toBe(/date_start: (\S+),/.exec(b)![1]);
        });
      });
    }
  });
});
