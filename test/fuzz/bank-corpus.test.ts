import fc from 'fast-check';
import iconv from 'iconv-lite';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BankParseError, parseStatement } from '../../src/bank/parse/index.js';

/**
 * What test/bank/fuzz.test.ts does not reach, and only that:
 * - its seeds are the corpus' top-level files, so the odin_palace suites (Tinkoff cp1251 with blank lines between
 *   sections, its UTF-8 twin, an OZON bank file without documents) were never mutated; nor were the invalid files
 *   (theirs and ours), which are the inputs closest to the error paths;
 * - it mutates bytes and whole lines, never the encoding of one line (a cp1251 file with one UTF-8 line — what a
 *   hand edit in a modern editor produces) nor a key/value split.
 * The odin_palace expected outputs (*__result.snap, another parser's) are a cross-check of number, date, amount.
 */
/** FUZZ_BANK_RUNS for a long local run; 1,500 mutants take ~0.4 s. */
const RUNS = Number(process.env.FUZZ_BANK_RUNS ?? 1500);
const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(resolve(here, '../..'), '../shared/corpus/bank');
const odin = join(corpus, 'odin_palace');
const fixtures = join(here, '../fixtures/bank');

const present = existsSync(odin);
if (!present) console.log(`bank corpus fuzz skipped: ${odin} absent`);

const read = (dir: string, f: string) => ({ name: f, bytes: readFileSync(join(dir, f)) });
const odinInputs = present ? readdirSync(odin).filter((f) => f.endsWith('__input.txt')).map((f) => read(odin, f)) : [];
const VALID = ['one_document__input.txt', 'one_document_utf__input.txt', 'two_documents__input.txt', 'no_documents__input.txt'];
const invalid = [
  ...odinInputs.filter((s) => !VALID.includes(s.name)),
  ...(present ? readdirSync(corpus).filter((f) => f.includes('Invalid')).map((f) => read(corpus, f)) : []),
  ...readdirSync(fixtures).filter((f) => f.startsWith('broken-')).map((f) => read(fixtures, f)),
];
const seeds = [...odinInputs, ...invalid.filter((s) => !s.name.endsWith('__input.txt'))];

function outcome(bytes: Uint8Array): 'ok' | 'error' {
  const t0 = performance.now();
  try {
    const st = parseStatement(bytes);
    for (const d of st.documents) {
      if (!Number.isSafeInteger(d.amountKopecks) || d.amountKopecks < 0) throw new Error(`bad amount ${d.amountKopecks}`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d.date)) throw new Error(`bad date ${d.date}`);
      if (!Number.isInteger(d.line) || d.line < 1) throw new Error('bad line');
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof BankParseError)) throw e;
    if (!Number.isInteger(e.line) || e.line < 1) throw new Error(`BankParseError without a line: ${e.message}`);
    return 'error';
  } finally {
    const ms = performance.now() - t0;
    if (ms > 1000) throw new Error(`parse took ${ms.toFixed(0)} ms on ${bytes.length} bytes`);
  }
}

const splitLines = (b: Buffer) => {
  const out: Buffer[] = [];
  let s = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, s)) {
    out.push(b.subarray(s, i + 1));
    s = i + 1;
  }
  if (s < b.length) out.push(b.subarray(s));
  return out;
};

type Mut =
  | { op: 'transcode'; at: number; from: string; to: string }
  | { op: 'splitKey'; at: number; how: 'dropEq' | 'doubleEq' | 'spaceEq' | 'emptyValue' | 'emptyKey' }
  | { op: 'flip'; at: number; byte: number }
  | { op: 'cut'; at: number };

const ENC = ['cp1251', 'utf8', 'cp866', 'koi8-r'];
const mutation: fc.Arbitrary<Mut> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('transcode' as const), at: fc.nat(), from: fc.constantFrom(...ENC), to: fc.constantFrom(...ENC) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('splitKey' as const), at: fc.nat(), how: fc.constantFrom('dropEq', 'doubleEq', 'spaceEq', 'emptyValue', 'emptyKey') }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('cut' as const), at: fc.nat() }), weight: 1 },
);

function apply(b: Buffer, m: Mut): Buffer {
  if (b.length === 0) return b;
  if (m.op === 'flip') {
    const c = Buffer.from(b);
    c[m.at % c.length] = m.byte;
    return c;
  }
  if (m.op === 'cut') return b.subarray(0, m.at % (b.length + 1));
  const ls = splitLines(b);
  const i = m.at % ls.length;
  const line = ls[i];
  if (m.op === 'transcode') {
    ls[i] = iconv.encode(iconv.decode(line, m.from), m.to);
  } else {
    const eq = line.indexOf(0x3d); // '='
    if (eq === -1) return b;
    const key = line.subarray(0, eq);
    const rest = line.subarray(eq + 1);
    const eol = line.subarray(line.length - (line.at(-2) === 13 ? 2 : line.at(-1) === 10 ? 1 : 0));
    ls[i] =
      m.how === 'dropEq'
        ? Buffer.concat([key, rest])
        : m.how === 'doubleEq'
          ? Buffer.concat([key, Buffer.from('=='), rest])
          : m.how === 'spaceEq'
            ? Buffer.concat([key, Buffer.from(' = '), rest])
            : m.how === 'emptyValue'
              ? Buffer.concat([key, Buffer.from('='), eol])
              : Buffer.concat([Buffer.from('='), rest]);
  }
  return Buffer.concat(ls);
}

describe.skipIf(!present)('bank parser: corpus seeds and mutations the bank fuzz does not cover', () => {
  it('odin_palace: valid suites parse with the number, date and amount of the other parser; invalid ones are BankParseError', () => {
    for (const s of odinInputs) {
      const snap = readFileSync(join(odin, s.name.replace('__input.txt', '__result.snap')), 'utf8');
      if (!VALID.includes(s.name)) {
        expect(() => parseStatement(s.bytes), s.name).toThrow(BankParseError);
        expect(snap.trimStart().split('\n').some((l) => l.startsWith('Err('))).toBe(true);
        continue;
      }
      const st = parseStatement(s.bytes);
      const theirs = [...snap.matchAll(/doc_number: "([^"]*)",[\s\S]*?doc_date: (\d{4}-\d{2}-\d{2}),[\s\S]*?\n\s+amount: ([\d.]+),/g)].map((m) => ({
        number: m[1],
        date: m[2],
        amountKopecks: Math.round(Number(m[3]) * 100),
      }));
      expect(st.documents.map((d) => ({ number: d.number, date: d.date, amountKopecks: d.amountKopecks })), s.name).toEqual(theirs);
    }
  });

  it('every invalid seed (corpus and our broken-* fixtures) is a BankParseError, never a partial Statement', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(10);
    for (const s of invalid) expect(outcome(s.bytes), s.name).toBe('error');
  });

  it('1–4 mutations (one line re-encoded, key/value split damaged, byte flips, cuts) of these seeds: a Statement or a BankParseError', () => {
    const seen = { ok: 0, error: 0 };
    // valid seeds three times as often: their mutants are the ones that can still parse, i.e. reach deep code
    const valid = odinInputs.filter((s) => VALID.includes(s.name)).map((s) => s.bytes);
    const seed = fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 3 }, { arbitrary: fc.constantFrom(...seeds.map((s) => s.bytes)), weight: 1 });
    fc.assert(
      fc.property(seed, fc.array(mutation, { minLength: 1, maxLength: 4 }), (s, ms) => {
        seen[outcome(ms.reduce(apply, s))]++;
      }),
      { numRuns: RUNS },
    );
    console.log(`bank corpus fuzz: ${seeds.length} seeds, ${RUNS} mutants → ${seen.ok} statements, ${seen.error} BankParseError`);
    expect(seen.ok).toBeGreaterThan(100); // the mutations must not only produce garbage
    expect(seen.error).toBeGreaterThan(100);
  });
});
