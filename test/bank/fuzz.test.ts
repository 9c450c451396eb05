import fc from 'fast-check';
import iconv from 'iconv-lite';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BankParseError, parseStatement } from '../../src/bank/parse/index.js';

/**
 * Property tests over mutated real statements: whatever the bytes, parseStatement returns a well-formed
 * Statement or throws a BankParseError — nothing else, never a hang. Seeds are our fixtures plus the third-party
 * corpus when present. A few thousand parses of ~5 KB files: well under the few-seconds budget.
 */
const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../fixtures/bank');
const corpus = join(resolve(here, '../..'), '../shared/corpus/bank');

const seeds: Buffer[] = readdirSync(fixtures)
  .filter((f) => f.endsWith('.txt') && !f.startsWith('broken-'))
  .map((f) => readFileSync(join(fixtures, f)));
if (existsSync(corpus)) {
  for (const f of readdirSync(corpus)) if (f.endsWith('.txt') && !f.includes('Invalid')) seeds.push(readFileSync(join(corpus, f)));
}

/** Byte offset of the first КонецФайла (any of our encodings, either letter case seen in the seeds). */
function endMarkerAt(b: Buffer): number {
  let at = b.length;
  for (const enc of ['utf8', 'cp1251', 'cp866', 'utf-16le']) {
    for (const word of ['КонецФайла', 'конецфайла']) {
      const i = b.indexOf(iconv.encode(word, enc));
      if (i !== -1 && i < at) at = i;
    }
  }
  return at;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** Parse, and check the only two allowed outcomes. */
function check(bytes: Uint8Array): 'ok' | 'error' {
  const t0 = performance.now();
  let outcome: 'ok' | 'error';
  try {
    const st = parseStatement(bytes);
    for (const d of st.documents) {
      if (!Number.isSafeInteger(d.amountKopecks) || d.amountKopecks < 0) throw new Error(`bad amount ${d.amountKopecks}`);
      if (!ISO.test(d.date)) throw new Error(`bad date ${d.date}`);
      if (!['incoming', 'outgoing', 'internal', 'unknown'].includes(d.direction)) throw new Error('bad direction');
      if (!Number.isInteger(d.line) || d.line < 1) throw new Error('bad line');
    }
    for (const a of st.accounts) {
      for (const v of [a.openingBalance, a.closingBalance, a.debitTurnover, a.creditTurnover]) {
        if (v !== null && !Number.isSafeInteger(v)) throw new Error(`bad balance ${v}`);
      }
    }
    outcome = 'ok';
  } catch (e) {
    if (!(e instanceof BankParseError)) throw e;
    if (!Number.isInteger(e.line) || e.line < 1) throw new Error(`BankParseError without a line: ${e.message}`);
    outcome = 'error';
  }
  const ms = performance.now() - t0;
  // generous: a 5 KB parse takes well under 1 ms; this only catches a hang, not a slow CI box
  if (ms > 1000) throw new Error(`parse took ${ms.toFixed(0)} ms on ${bytes.length} bytes`);
  return outcome;
}

function lines(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let s = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, s)) {
    out.push(b.subarray(s, i + 1));
    s = i + 1;
  }
  if (s < b.length) out.push(b.subarray(s));
  return out;
}

const seed = fc.integer({ min: 0, max: seeds.length - 1 }).map((i) => seeds[i]);

type Mutation =
  | { op: 'flip'; at: number; byte: number }
  | { op: 'drop'; at: number }
  | { op: 'dup'; at: number }
  | { op: 'swap'; at: number; with: number }
  | { op: 'cut'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 40 }) }),
);

function apply(b: Buffer, m: Mutation): Buffer {
  switch (m.op) {
    case 'flip': {
      if (b.length === 0) return b;
      const c = Buffer.from(b);
      c[m.at % c.length] = m.byte;
      return c;
    }
    case 'cut':
      return b.subarray(0, m.at % (b.length + 1));
    case 'insert': {
      const at = m.at % (b.length + 1);
      return Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    }
    default: {
      const ls = lines(b);
      if (ls.length === 0) return b;
      const i = m.at % ls.length;
      if (m.op === 'drop') ls.splice(i, 1);
      else if (m.op === 'dup') ls.splice(i, 0, ls[i]);
      else {
        const j = m.with % ls.length;
        [ls[i], ls[j]] = [ls[j], ls[i]];
      }
      return Buffer.concat(ls);
    }
  }
}

describe('bank parser under mutation (fast-check)', () => {
  it('every seed parses unmutated', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(10);
    for (const s of seeds) expect(check(s)).toBe('ok');
  });

  it('1–4 mutations: a Statement or a BankParseError, nothing else, fast', () => {
    fc.assert(
      fc.property(seed, fc.array(mutation, { minLength: 1, maxLength: 4 }), (s, ms) => {
        check(ms.reduce(apply, s));
      }),
      { numRuns: 1500 },
    );
  });

  it('a file cut anywhere before its КонецФайла never parses (no silent partial result)', () => {
    fc.assert(
      fc.property(seed, fc.double({ min: 0, max: 1, noNaN: true }), (s, frac) => {
        const at = Math.floor(frac * endMarkerAt(s));
        expect(check(s.subarray(0, at))).toBe('error');
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary bytes behind a valid first line', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (tail) => {
        check(Buffer.concat([Buffer.from('1CClientBankExchange\r\n'), tail]));
      }),
      { numRuns: 500 },
    );
  });

  it('pathological shapes stay linear: 200k lines without "=", one 2 MB line', () => {
    const many = Buffer.from('1CClientBankExchange\n' + 'x\n'.repeat(200_000));
    const t0 = performance.now();
    expect(() => parseStatement(many)).toThrow(BankParseError);
    const long = Buffer.from('1CClientBankExchange\nОтправитель=' + 'a'.repeat(2_000_000) + '\nКонецФайла\n');
    expect(parseStatement(long).header.sender).toHaveLength(2_000_000);
    const eqless = Buffer.from('1CClientBankExchange\n' + 'ВерсияФормата=1\n' + 'СекцияРасчСчет\n'.repeat(1) + 'a\n'.repeat(100_000));
    expect(() => parseStatement(eqless)).toThrow(BankParseError);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
