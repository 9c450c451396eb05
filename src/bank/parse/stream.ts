import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { headerEncoding, singleByteDecoder } from './encoding.js';
import { BankParseError } from './errors.js';
import { Parser, ownAccounts } from './parse.js';
import type { AccountSection, StatementDocument, StatementEncoding, StatementHeader, StatementWarning } from './types.js';

/**
 * A statement read in pieces (issue 19.4): parseStatement holds the file, its decoded text and every document at
 * once (about 5× the file: a 300 MB statement took 1.5 GB), and a bank export of a busy year can be larger than
 * the memory the daemon should use. Here the file is read twice, 1 MiB at a time:
 *
 *   1. scanStatement: decodes and parses everything, keeping only the header, the account sections, the warnings
 *      and the counts — so a damaged file is refused before anything is written out, as parseStatement refuses
 *      it, with the same error and line;
 *   2. statementDocuments: parses again and hands out the documents one by one, each with its direction from the
 *      own accounts pass 1 found.
 *
 * Memory: one piece of bytes and its text, the documents of one piece (a document is ~1–3 KB, so a piece of
 * text is the constant), plus what pass 1 keeps (header, one section per account and day, the warnings). The
 * result is the one parseStatement gives for the same bytes — the same detection, line numbers and errors (test:
 * test/bank/stream.test.ts cuts every fixture and corpus file into pieces of 1 byte up). That costs restarts in
 * rare files, because parseStatement decides two things from the whole text:
 *   - the encoding: UTF-8 unless a byte sequence anywhere is not UTF-8. A file whose first non-UTF-8 byte comes
 *     after the first piece is started again as cp1251/cp866; a parse error found before the end is held until
 *     the bytes are known to be valid (an encoding error is reported first, as parseStatement reports it);
 *   - lone-CR line ends: used only when there is no '\n' anywhere. A file whose first line end is a lone CR is
 *     read with CR line ends, and started again with LF ones if a '\n' turns up later.
 */

/**
 * A re-readable byte source (a file: the statement is read twice). A piece is valid until the next one is asked
 * for (fileSource reads every piece into the same buffer); whoever keeps bytes longer copies them.
 */
export type Source = () => AsyncIterable<Uint8Array>;

/** 1 MiB pieces: reading costs ~1 ms each, and the text of one piece (2 MB of UTF-16) is the memory constant. */
const PIECE = 1 << 20;
/** headerEncoding looks at the first 64 KiB (encoding.ts). */
const HEADER_WINDOW = 64 * 1024;

export function fileSource(path: string, pieceBytes = PIECE): Source {
  return async function* () {
    const fh = await open(path, 'r');
    // One buffer for every piece: decoded text never points into it, and a fresh 1 MiB buffer per read is
    // external memory that waits for a collection to be freed.
    const buf = Buffer.allocUnsafe(pieceBytes);
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, pieceBytes, null);
        if (bytesRead === 0) return;
        yield bytesRead === pieceBytes ? buf : buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  };
}

/** A byte array as a source, cut into pieces of `pieceBytes` (tests; a statement already in memory). */
export function bytesSource(bytes: Uint8Array, pieceBytes = PIECE): Source {
  return async function* () {
    for (let i = 0; i < bytes.length; i += pieceBytes) yield bytes.subarray(i, Math.min(bytes.length, i + pieceBytes));
  };
}

/**
 * A stream that cannot be read twice (stdin) copied to a temporary file first; `dispose` removes it. The copy is
 * what keeps memory flat: holding stdin in memory is the file's size.
 */
export async function spool(stream: NodeJS.ReadableStream): Promise<{ source: Source; path: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'regate-statement-'));
  const path = join(dir, 'statement.txt');
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await pipeline(stream, createWriteStream(path));
  } catch (e) {
    await dispose();
    throw e;
  }
  return { source: fileSource(path), path, dispose };
}

export interface StatementSummary {
  documents: number;
  incoming: number;
  incomingKopecks: number;
  outgoing: number;
  internal: number;
  unknown: number;
}

/** How pass 2 decodes the bytes (settled by pass 1). */
export interface ReadPlan {
  encoding: StatementEncoding;
  /** Bytes of a BOM to skip. */
  skip: number;
  lineEnds: 'lf' | 'cr';
}

/** Everything of a statement but its documents (Statement without `documents`), the counts and how to read it. */
export interface StatementScan {
  header: StatementHeader;
  accounts: AccountSection[];
  warnings: StatementWarning[];
  summary: StatementSummary;
  plan: ReadPlan;
  /** Size of the bytes read, to notice a file changed between the passes. */
  bytes: number;
}

interface Attempt {
  encoding: StatementEncoding;
  skip: number;
  /** UTF-8 without a BOM: the guess until a byte says otherwise; then this encoding. */
  fallback?: 'cp1251' | 'cp866';
  lineEnds: 'auto' | 'lf';
}

class Restart {
  constructor(readonly attempt: Attempt) {}
}

const UTF8_EVIDENCE = 8; // as encoding.ts: 8+ valid multi-byte sequences before the failure mean a damaged UTF-8 file

/** Pass 1: validates the whole statement, keeps all but its documents. Throws BankParseError like parseStatement. */
export async function scanStatement(source: Source): Promise<StatementScan> {
  const head = await firstBytes(source, HEADER_WINDOW);
  let attempt: Attempt =
    head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf
      ? { encoding: 'utf-8', skip: 3, lineEnds: 'auto' }
      : head.length >= 2 && head[0] === 0xff && head[1] === 0xfe
        ? { encoding: 'utf-16le', skip: 2, lineEnds: 'auto' }
        : { encoding: 'utf-8', skip: 0, fallback: headerEncoding(head), lineEnds: 'auto' };
  for (;;) {
    try {
      return await scanOnce(source, attempt);
    } catch (e) {
      if (!(e instanceof Restart)) throw e;
      attempt = e.attempt;
    }
  }
}

async function scanOnce(source: Source, attempt: Attempt): Promise<StatementScan> {
  const summary: StatementSummary = { documents: 0, incoming: 0, incomingKopecks: 0, outgoing: 0, internal: 0, unknown: 0 };
  const parser = new Parser(attempt.encoding, { sink: (d) => count(summary, d) });
  let held: BankParseError | undefined;
  const feed = (text: string) => {
    if (held) return;
    try {
      parser.push(text);
    } catch (e) {
      if (!(e instanceof BankParseError)) throw e;
      held = e;
    }
  };
  // Line ends: 'u' no line end seen yet, 'l' LF (a '\n' was seen: final), 'c' lone CR so far (until a '\n').
  let ends: 'u' | 'l' | 'c' = attempt.lineEnds === 'lf' ? 'l' : 'u';
  const text = (t: string) => {
    if (ends === 'l') return feed(t);
    if (ends === 'c') {
      if (t.indexOf('\n') !== -1) throw new Restart({ ...attempt, lineEnds: 'lf' });
      return feed(t.replaceAll('\r', '\n'));
    }
    if (t.indexOf('\n') !== -1) {
      ends = 'l';
      return feed(t);
    }
    if (t.indexOf('\r') !== -1) {
      ends = 'c';
      return feed(t.replaceAll('\r', '\n'));
    }
    feed(t);
  };
  // (a function: TypeScript does not see `text` change `ends` and would narrow it here)
  const crSoFar = () => ends === 'c';
  const decode = validatingDecoder(attempt);
  let bytes = 0;
  for await (const piece of skipped(source, attempt.skip)) {
    bytes += piece.length;
    let t: string;
    try {
      t = decode.piece(piece);
    } catch {
      throw await utf8Refused(source, attempt);
    }
    text(t);
    // A held error is final once nothing later can overrule it: no encoding left to check, line ends settled.
    if (held && !decode.validating && !crSoFar()) throw held;
  }
  let last: string;
  try {
    last = decode.end();
  } catch {
    throw await utf8Refused(source, attempt);
  }
  text(last);
  const bad = decode.verdict(bytes);
  if (bad) throw bad;
  if (held) throw held;
  const st = parser.end();
  if (parser.ownGrewAfterDocument) {
    // An account section after a document: the earlier documents' directions were decided with fewer own accounts.
    // Count again with all of them (rare; real exports put the sections first).
    const own = ownAccounts(st.header.accounts);
    const again: StatementSummary = { documents: 0, incoming: 0, incomingKopecks: 0, outgoing: 0, internal: 0, unknown: 0 };
    const plan: ReadPlan = { encoding: attempt.encoding, skip: attempt.skip, lineEnds: crSoFar() ? 'cr' : 'lf' };
    const p = new Parser(attempt.encoding, { sink: (d) => count(again, d), own });
    for await (const t of texts(source, plan)) p.push(t);
    p.end();
    Object.assign(summary, again);
  }
  return {
    header: st.header,
    accounts: st.accounts,
    warnings: st.warnings,
    summary,
    plan: { encoding: attempt.encoding, skip: attempt.skip, lineEnds: crSoFar() ? 'cr' : 'lf' },
    bytes: bytes + attempt.skip,
  };

  /** The strict UTF-8 decoder refused a byte: a damaged UTF-8 file, or not UTF-8 at all (start again). */
  async function utf8Refused(src: Source, a: Attempt): Promise<BankParseError | Restart> {
    const f = await utf8Failure(src, a.skip);
    if (a.skip === 3) return new BankParseError(f.line, 'BAD_ENCODING', `недопустимая последовательность UTF-8 на байте ${f.offset - 3} в файле с меткой UTF-8 (BOM)`);
    if (f.multibyte >= UTF8_EVIDENCE) return new BankParseError(f.line, 'BAD_ENCODING', `недопустимая последовательность UTF-8 на байте ${f.offset} файла в UTF-8 (файл повреждён?)`);
    return new Restart({ encoding: a.fallback!, skip: 0, lineEnds: a.lineEnds });
  }
}

function count(s: StatementSummary, d: StatementDocument) {
  s.documents++;
  if (d.direction === 'incoming') {
    s.incoming++;
    s.incomingKopecks += d.amountKopecks;
  } else s[d.direction]++;
}

/**
 * Pass 2: the documents in file order, each with its direction from the own accounts of the whole statement
 * (the same objects parseStatement(bytes).documents holds). The source must be the bytes pass 1 read.
 */
export async function* statementDocuments(source: Source, scan: StatementScan): AsyncGenerator<StatementDocument> {
  const queue: StatementDocument[] = [];
  const parser = new Parser(scan.plan.encoding, { sink: (d) => queue.push(d), own: ownAccounts(scan.header.accounts) });
  let n = 0;
  let bytes = scan.plan.skip;
  for await (const t of texts(source, scan.plan, (b) => (bytes += b))) {
    parser.push(t);
    for (const d of queue) yield d;
    n += queue.length;
    queue.length = 0;
  }
  parser.end();
  for (const d of queue) yield d;
  n += queue.length;
  if (n !== scan.summary.documents || bytes !== scan.bytes) throw new Error('the statement changed while it was being read: read it again');
}

/** The decoded text of an already validated statement, piece by piece, line ends made '\n'. */
async function* texts(source: Source, plan: ReadPlan, counted?: (bytes: number) => void): AsyncGenerator<string> {
  const dec =
    plan.encoding === 'cp1251' || plan.encoding === 'cp866'
      ? ((d) => ({ piece: d, end: () => '' }))(singleByteDecoder(plan.encoding))
      : ((td) => ({ piece: (b: Uint8Array) => td.decode(b, { stream: true }), end: () => td.decode() }))(
          new TextDecoder(plan.encoding, { ignoreBOM: true }),
        );
  const cr = plan.lineEnds === 'cr';
  for await (const piece of skipped(source, plan.skip)) {
    counted?.(piece.length);
    const t = dec.piece(piece);
    yield cr ? t.replaceAll('\r', '\n') : t;
  }
  const t = dec.end();
  if (t) yield cr ? t.replaceAll('\r', '\n') : t;
}

interface ValidatingDecoder {
  /** Throws when strict UTF-8 decoding fails. */
  piece(b: Uint8Array): string;
  end(): string;
  /** Whether a later byte can still refuse the file (a held parse error must wait for the end). */
  readonly validating: boolean;
  /** After end(): the encoding error, if any (UTF-16: known only at the end). */
  verdict(bytes: number): BankParseError | null;
}

/**
 * parseStatement's decodeStatement, piece by piece: strict UTF-8 (BOM or guessed), UTF-16LE with its
 * damaged-file check, or a single-byte code page.
 */
function validatingDecoder(a: Attempt): ValidatingDecoder {
  if (a.encoding === 'cp1251' || a.encoding === 'cp866') {
    const d = singleByteDecoder(a.encoding);
    return { piece: d, end: () => '', validating: false, verdict: () => null };
  }
  if (a.encoding === 'utf-8') {
    const td = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    return { piece: (b) => td.decode(b, { stream: true }), end: () => td.decode(), validating: true, verdict: () => null };
  }
  // UTF-16LE: decodeStatement decodes leniently, and refuses the file when it has a U+FFFD and either an odd byte
  // count or a sequence the strict decoder refuses; the line is that of the first U+FFFD.
  const lenient = new TextDecoder('utf-16le', { ignoreBOM: true });
  const strict = new TextDecoder('utf-16le', { ignoreBOM: true, fatal: true });
  let strictOk = true;
  let lines = 1;
  let badLine = 0;
  const watch = (t: string, b: Uint8Array | null) => {
    if (strictOk) {
      try {
        if (b) strict.decode(b, { stream: true });
        else strict.decode();
      } catch {
        strictOk = false;
      }
    }
    if (badLine) return t;
    const bad = t.indexOf('\ufffd');
    const upTo = bad === -1 ? t.length : bad;
    for (let i = t.indexOf('\n'); i !== -1 && i < upTo; i = t.indexOf('\n', i + 1)) lines++;
    if (bad !== -1) badLine = lines;
    return t;
  };
  return {
    piece: (b) => watch(lenient.decode(b, { stream: true }), b),
    end: () => watch(lenient.decode(), null),
    validating: true,
    verdict: (bytes) =>
      badLine && (bytes % 2 === 1 || !strictOk)
        ? new BankParseError(badLine, 'BAD_ENCODING', 'недопустимый UTF-16 (одиночный суррогат или нечётное число байт) в файле с меткой UTF-16LE')
        : null,
  };
}

/**
 * The source without its first `skip` bytes (a BOM), in slices of at most 32 KiB to decode. The decoded text of a
 * whole 1 MiB piece is a 2 MB string, which V8 puts in its large-object space, freed only by a full collection:
 * a 200 MB statement then peaked at 262 MB RSS in `regate bank parse`. Text of 32 KiB slices stays in the young
 * generation and dies there; the reads stay 1 MiB (one read per slice was slower).
 */
const SLICE = 32 * 1024;
async function* skipped(source: Source, skip: number): AsyncGenerator<Uint8Array> {
  let left = skip;
  for await (const piece of source()) {
    if (left >= piece.length) {
      left -= piece.length;
      continue;
    }
    for (let i = left; i < piece.length; i += SLICE) yield piece.subarray(i, Math.min(piece.length, i + SLICE));
    left = 0;
  }
}

async function firstBytes(source: Source, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let have = 0;
  for await (const piece of source()) {
    parts.push(Uint8Array.prototype.slice.call(piece, 0, n - have)); // a copy: the source reuses its buffer
    have += parts[parts.length - 1].length;
    if (have >= n) break;
  }
  return Buffer.concat(parts);
}

/**
 * encoding.ts's utf8Failure and lineAt over a source: the offset of the first invalid sequence (from the file's
 * start), the valid multi-byte sequences before it and its 1-based line counted from `skip`. A byte loop in JS,
 * run only once a file has been refused.
 */
async function utf8Failure(source: Source, skip: number): Promise<{ offset: number; multibyte: number; line: number }> {
  let multibyte = 0;
  let line = 1;
  let base = 0; // file offset of b[0]
  let carry: Uint8Array | null = null;
  for await (const piece of source()) {
    const b: Uint8Array = carry ? Buffer.concat([carry, piece]) : piece;
    carry = null;
    let i = Math.max(0, skip - base);
    while (i < b.length) {
      const c = b[i];
      if (c < 0x80) {
        if (c === 10) line++;
        i++;
        continue;
      }
      const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
      if (n < 0) return { offset: base + i, multibyte, line };
      if (i + n >= b.length) {
        carry = Uint8Array.prototype.slice.call(b, i); // a copy (the source reuses its buffer); maybe completed by the next piece
        break;
      }
      for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return { offset: base + i, multibyte, line };
      multibyte++;
      i += n + 1;
    }
    base += carry ? b.length - carry.length : b.length;
  }
  // A sequence cut by the end of the file fails where it starts; otherwise the whole file is structurally valid
  // and the decoder refused an overlong form or a surrogate: blame the end, as utf8Failure does.
  return { offset: base, multibyte, line };
}

