import fc from 'fast-check';
import iconv from 'iconv-lite';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BankParseError,
  bytesSource,
  parseStatement,
  scanStatement,
  statementDocuments,
  type Statement,
  type StatementDocument,
} from '../../src/bank/parse/index.js';

/**
 * The streamed reader (src/bank/parse/stream.ts) must give what parseStatement gives for the same bytes — the
 * statement, or the same error at the same line — however the bytes are cut into pieces. Checked on every fixture
 * and third-party corpus file (broken ones included) at piece sizes from 1 byte up, on mutated files, and on the
 * cases where the whole file decides what the first piece means (a late non-UTF-8 byte, a late '\n' in a CR file,
 * an account section after the documents).
 */
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const fixtures = join(root, 'test/fixtures/bank');
const corpus = join(resolve(root, '../shared'), 'corpus/bank');
if (!existsSync(corpus)) console.warn(`[bank stream] ${corpus} not found: corpus files skipped`);

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.txt')) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

type Outcome = { ok: Statement } | { error: { code: string; line: number; reason: string } };

function whole(bytes: Uint8Array): Outcome {
  try {
    return { ok: parseStatement(bytes) };
  } catch (e) {
    if (!(e instanceof BankParseError)) throw e;
    return { error: { code: e.code, line: e.line, reason: e.reason } };
  }
}

async function streamed(bytes: Uint8Array, piece: number): Promise<Outcome & { summary?: unknown }> {
  const source = bytesSource(bytes, piece);
  try {
    const scan = await scanStatement(source);
    const documents: StatementDocument[] = [];
    for await (const d of statementDocuments(source, scan)) documents.push(d);
    return { ok: { header: scan.header, accounts: scan.accounts, documents, warnings: scan.warnings }, summary: scan.summary };
  } catch (e) {
    if (!(e instanceof BankParseError)) throw e;
    return { error: { code: e.code, line: e.line, reason: e.reason } };
  }
}

function summaryOf(st: Statement) {
  const by = (d: string) => st.documents.filter((x) => x.direction === d);
  return {
    documents: st.documents.length,
    incoming: by('incoming').length,
    incomingKopecks: by('incoming').reduce((s, d) => s + d.amountKopecks, 0),
    outgoing: by('outgoing').length,
    internal: by('internal').length,
    unknown: by('unknown').length,
  };
}

async function same(bytes: Uint8Array, pieces: number[], label: string) {
  const want = whole(bytes);
  for (const p of pieces) {
    const got = await streamed(bytes, p);
    if ('ok' in want) {
      expect(got, `${label}, pieces of ${p}`).toEqual({ ok: want.ok, summary: summaryOf(want.ok) });
    } else expect(got, `${label}, pieces of ${p}`).toEqual(want);
  }
  return want;
}

describe('streamed statement = parseStatement', () => {
  const all = [...files(fixtures), ...files(corpus)];

  it('every fixture and corpus file, pieces of 1, 3, 64 bytes and whole', async () => {
    expect(all.length).toBeGreaterThan(15);
    let errors = 0;
    for (const f of all) {
      const bytes = readFileSync(f);
      const want = await same(bytes, [1, 3, 64, bytes.length + 1], f);
      if ('error' in want) errors++;
    }
    expect(errors).toBeGreaterThan(5); // the broken fixtures and the corpus' broken files are in the set
  });

  it('a UTF-8-looking file whose first non-UTF-8 byte is past the first piece is read again as cp1251', async () => {
    const text = [
      '1CClientBankExchange',
      'VersiyaFormata=1.03',
      ...Array.from({ length: 200 }, (_, i) => `X${i}=padding line that is plain ASCII`),
      'Кодировка=Windows',
      'КонецФайла',
      '',
    ].join('\r\n');
    const bytes = iconv.encode(text, 'cp1251');
    const want = await same(bytes, [1, 100, 4096], 'late cp1251');
    // the extra header keys make it an odd statement but a valid one, decoded as cp1251 by both
    expect('ok' in want && [want.ok.header.encoding, want.ok.header.declaredEncoding]).toEqual(['cp1251', 'Windows']);
  });

  it('UTF-8 with a damaged byte far into the file is BAD_ENCODING at that line, before a parse error earlier', async () => {
    const good = readFileSync(join(fixtures, 'utf8-bom.txt')).subarray(3);
    const lines = good.toString('utf8').split('\n');
    // a parse error early (a corrupt line), then a damaged byte near the end: the encoding error wins
    lines.splice(3, 0, 'not a key value line');
    const bytes = Buffer.from(lines.join('\n'), 'utf8');
    const at = bytes.lastIndexOf(Buffer.from('КонецФайла'));
    const damaged = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xd0, 0x41]), bytes.subarray(at)]);
    const want = await same(damaged, [1, 50, 4096], 'damaged late');
    expect('error' in want && want.error.code).toBe('BAD_ENCODING');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), damaged]);
    const wantBom = await same(bom, [1, 50, 4096], 'damaged late with BOM');
    expect('error' in wantBom && wantBom.error.code).toBe('BAD_ENCODING');
    // cut inside a multi-byte sequence at the very end
    await same(Buffer.concat([bom, Buffer.from([0xd0])]), [1, 4096], 'cut sequence');
  });

  it('lone-CR line ends, and a CR file with one late "\\n" (read with LF ends, as the whole text would be)', async () => {
    const cr = readFileSync(join(fixtures, 'cr-only.txt'));
    const want = await same(cr, [1, 10, 4096], 'cr-only');
    expect('ok' in want).toBe(true);
    const lf = Buffer.concat([cr, Buffer.from('\n')]);
    const wantLf = await same(lf, [1, 10, 4096], 'cr with a late LF');
    expect('error' in wantLf).toBe(true); // one giant line with LF ends
  });

  it('an account section after the documents changes the earlier documents\' direction: counted again', async () => {
    const src = readFileSync(join(fixtures, 'several-accounts.txt'), 'utf8');
    const secStart = src.indexOf('СекцияРасчСчет');
    const secEnd = src.lastIndexOf('КонецРасчСчет') + 'КонецРасчСчет'.length;
    const end = src.indexOf('КонецФайла');
    // header without РасчСчет lines, then documents, then the sections
    const head = src.slice(0, secStart).replace(/^РасчСчет=.*\r?\n/gm, '');
    const moved = head + src.slice(secEnd, end).replace(/^\s+/, '') + src.slice(secStart, secEnd) + '\n' + src.slice(end);
    const want = await same(Buffer.from(moved, 'utf8'), [1, 64, 100_000], 'sections last');
    expect('ok' in want && want.ok.documents.some((d) => d.direction !== 'unknown')).toBe(true);
  });

  it('UTF-16LE, whole and damaged (odd byte count, lone surrogate)', async () => {
    const u16 = readFileSync(join(fixtures, 'utf16le-bom.txt'));
    await same(u16, [1, 3, 64, 4096], 'utf16');
    await same(Buffer.concat([u16, Buffer.from([0x41])]), [1, 3, 4096], 'utf16 odd');
    const surrogate = Buffer.from(u16);
    const at = surrogate.length - 40;
    surrogate[at - (at % 2)] = 0x00;
    surrogate[at - (at % 2) + 1] = 0xd8;
    const want = await same(surrogate, [1, 3, 4096], 'utf16 surrogate');
    expect('error' in want && want.error.code).toBe('BAD_ENCODING');
  });

  it('mutated statements (fast-check): the same outcome, cut at random piece sizes', async () => {
    const seeds = files(fixtures)
      .filter((f) => !f.includes('broken-'))
      .map((f) => readFileSync(f));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.record({ at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }), drop: fc.nat({ max: 6 }) }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 300 }),
        async (i, muts, piece) => {
          let b: Buffer = seeds[i];
          for (const m of muts) {
            const at = m.at % (b.length + 1);
            b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(Math.min(b.length, at + m.drop))]);
          }
          await same(b, [piece], `seed ${i}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('regate bank parse streams', () => {
  const cli = (args: string[], input?: Buffer) =>
    spawnSync(process.execPath, [join(root, 'bin/regate.mjs'), 'bank', 'parse', ...args], { cwd: root, input, timeout: 60_000, maxBuffer: 1 << 28 });

  it('writes exactly JSON.stringify of the parsed statement, from a file and from stdin', () => {
    const f = join(fixtures, 'per-day-sections.txt');
    const bytes = readFileSync(f);
    const st = parseStatement(bytes);
    for (const [args, input] of [[[f]], [['-'], bytes]] as [string[], Buffer?][]) {
      const r = cli(args, input);
      expect(r.status, r.stderr.toString()).toBe(0);
      const file = args[0];
      expect(r.stdout.toString('utf8')).toBe(JSON.stringify({ file, summary: summaryOf(st), ...st }, null, 2) + '\n');
    }
  });

  it('a damaged file from stdin: exit 2, the line on stderr, nothing on stdout', () => {
    const bytes = readFileSync(join(fixtures, 'broken-cut-mid-document.txt'));
    const r = cli(['-'], bytes);
    expect(r.status).toBe(2);
    expect(r.stdout.toString()).toBe('');
    expect(r.stderr.toString().trim()).toBe('-:80: файл обрывается посреди строки ("Назначение") внутри документа, начатого в строке 52: файл обрезан? [TRUNCATED]');
  });
});
