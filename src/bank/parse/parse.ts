import { decodeStatement } from './encoding.js';
import { BankParseError } from './errors.js';
import { A, D, D_NAMES, D_SLOTS, H, Marker, PAYEE_SHIFT, accountKey, docKey, docKeys, headerKey, marker } from './keys.js';
import type {
  AccountSection,
  Direction,
  Party,
  Statement,
  StatementDocument,
  StatementHeader,
  StatementWarning,
} from './types.js';
import { parseDate, parseKopecks, parseTime } from './values.js';

/**
 * 1CClientBankExchange → Statement. PURE: bytes in, statement out, no I/O, so it can be fuzzed and benchmarked.
 * Throws only BankParseError (with the line number), never returns a partial statement: a truncated file is an
 * error even when every document in it is complete, because the missing tail may hold more money.
 *
 * Speed (bench/bank-parse.ts): the buffer is decoded once into one string; lines are found with indexOf('\n')
 * and fields with one cached indexOf('='), so there is no regex and no split() per line; keys are resolved with
 * one Map lookup. Values are sliced only for keys we store.
 *
 * The same Parser also takes the text in pieces (stream.ts: a statement larger than memory, issue 19.4), so there
 * is one line machine for both; parseStatement feeds it the whole text as one piece.
 */
export function parseStatement(bytes: Uint8Array): Statement {
  const { text: decoded, encoding } = decodeStatement(bytes);
  // Files with lone CR line ends (classic Mac tools) would otherwise be one giant line.
  const text = decoded.indexOf('\n') === -1 && decoded.indexOf('\r') !== -1 ? decoded.replaceAll('\r', '\n') : decoded;
  const p = new Parser(encoding);
  p.push(text);
  return p.end();
}

/** Whether an account is one of the statement's own. */
export type OwnAccounts = (account: string) => boolean;

export interface ParserOptions {
  /**
   * Each document as it closes, instead of keeping it (Statement.documents is then empty). Its direction is
   * decided with `own` when given, else with the own accounts seen so far (the header's and the account sections'
   * before it: see `ownGrewAfterDocument`).
   */
  sink?: (doc: StatementDocument) => void;
  own?: OwnAccounts;
}

const S_START = 0;
const S_HEADER = 1;
const S_BODY = 2;
const S_ACCOUNT = 3;
const S_DOC = 4;
const S_END = 5;

interface OpenDoc {
  kind: string;
  line: number;
  v: (string | undefined)[];
  vLine: number[];
  amount: number;
  date: string | null;
  writtenOffAt: string | null;
  receivedAt: string | null;
  fields: Record<string, string>;
  extra: Record<string, string>;
}

interface OpenAccount {
  line: number;
  v: (string | undefined)[];
  vLine: number[];
  extra: Record<string, string>;
}

export class Parser {
  private readonly warnings: StatementWarning[] = [];
  private readonly header: (string | undefined)[] = [];
  private readonly headerLine: number[] = [];
  private readonly headerAccounts: string[] = [];
  private readonly headerKinds: string[] = [];
  private readonly headerExtra: Record<string, string> = bag();
  private readonly accounts: AccountSection[] = [];
  private readonly docs: StatementDocument[] = [];
  private doc: OpenDoc | null = null;
  /** One value/line array pair reused by every document: they die at КонецДокумента, so there is no point in
   *  allocating (and promoting) a pair per document. */
  private readonly dv: (string | undefined)[] = new Array(D_SLOTS).fill(undefined);
  private readonly dvLine: number[] = new Array(D_SLOTS).fill(0);
  /** dd.mm.yyyy → ISO, shared: a statement has few distinct dates and many documents per date. */
  private readonly dates = new Map<string, string | null | undefined>();
  private acc: OpenAccount | null = null;
  /** Which section was closed by the previous non-blank line: lets a duplicated end marker pass with a warning. */
  private justClosed: 0 | typeof Marker.EndAccount | typeof Marker.EndDocument | typeof Marker.EndFile = 0;

  private state = S_START;
  private lineNo = 0;
  /** The unfinished last line of the pieces pushed so far (pieces without a line end are kept apart, not
   *  concatenated one by one: a long line would otherwise be copied once per piece). */
  private tail: string[] = [];
  private readonly sink: ((doc: StatementDocument) => void) | undefined;
  private readonly fixedOwn: OwnAccounts | undefined;
  /** Own accounts seen so far, in the order finish() lists them (header's first, then the sections'). */
  private readonly ownSoFar: string[] = [];
  private liveOwn: OwnAccounts = () => false;
  private docsSeen = 0;
  /** An account section added an own account after a document had been given a direction with the smaller set
   *  (real files put the sections first; a file that does not needs a second look, see stream.ts). */
  ownGrewAfterDocument = false;

  constructor(
    private readonly encoding: Statement['header']['encoding'],
    opts: ParserOptions = {},
  ) {
    this.sink = opts.sink;
    this.fixedOwn = opts.own;
  }

  /** Takes the next piece of the decoded text; complete lines are parsed at once, the unfinished one is kept. */
  push(piece: string): void {
    const nl = piece.lastIndexOf('\n');
    if (nl === -1) {
      if (piece) this.tail.push(piece);
      return;
    }
    const text = this.tail.length ? this.tail.join('') + piece : piece;
    this.tail = nl === piece.length - 1 ? [] : [piece.slice(nl + 1)];
    this.lines(text, text.length - (piece.length - nl - 1), false);
  }

  /** The end of the text: parses the last line and returns the statement (or throws). */
  end(): Statement {
    const text = this.tail.join('');
    this.tail = [];
    this.lines(text, text.length, true);
    return this.close();
  }

  /**
   * Parses text[0, limit): whole lines when not `final` (limit is just past a line end), else everything, the
   * part after the last line end being the file's last line (the original whole-text loop, unchanged).
   */
  private lines(text: string, limit: number, final: boolean): void {
    const len = final ? text.length : limit;
    let state = this.state;
    let pos = 0;
    let lineNo = this.lineNo;
    let eq = -1; // position of the next '=' at or after the current line start (cached: O(n) over the text)
    // Not final: every line ends with '\n' before `limit`, so `nl === len` (the file's unterminated last line)
    // never holds; final: the loop runs once more over the empty rest after a trailing '\n', as it always did.
    while (final ? pos <= len : pos < len) {
      let nl = text.indexOf('\n', pos);
      if (nl === -1 || nl > len) nl = len;
      lineNo++;
      let start = pos;
      let end = nl;
      pos = nl + 1;
      // trim: spaces, tabs, CR (CRLF and stray CRs), Ctrl-Z/NUL padding left by DOS-era tools
      let c: number;
      while (end > start && ((c = text.charCodeAt(end - 1)) === 13 || c === 32 || c === 9 || c === 26 || c === 0)) end--;
      while (start < end && ((c = text.charCodeAt(start)) === 32 || c === 9 || c === 0xfeff)) start++;
      if (start === end) continue;

      if (eq < start) {
        eq = text.indexOf('=', start);
        if (eq === -1) eq = len + 1;
      }
      let key: string;
      let value: string | null;
      let ke = end; // key end (exclusive)
      if (eq < end) {
        ke = eq;
        while (ke > start && ((c = text.charCodeAt(ke - 1)) === 32 || c === 9)) ke--;
        if (ke === start) throw new BankParseError(lineNo, 'CORRUPT_LINE', `нет ключа перед «=»: "${clip(text.slice(start, end))}"`);
        let vs = eq + 1;
        while (vs < end && ((c = text.charCodeAt(vs)) === 32 || c === 9)) vs++;
        value = vs === end ? '' : text.slice(vs, end);
        if (state === S_DOC) {
          // The hot path (most lines of a statement): resolve the key in place, no slice unless it is unknown.
          const hit = docKeys.at(text, start, ke);
          if (hit !== undefined) {
            this.docField(hit, value, lineNo);
            continue;
          }
        }
        key = text.slice(start, ke);
      } else {
        key = text.slice(start, end);
        value = null;
      }

      if (state === S_DOC) {
        if (value !== null) {
          const code = docKey(key);
          if (code === undefined) {
            if (key.length > 6 && key.startsWith('Секция')) this.structureInDoc(lineNo, key);
            setOnce(this.doc!.extra, key, value, lineNo);
          } else this.docField(code, value, lineNo);
          continue;
        }
        const m = marker(key);
        if (m === Marker.EndDocument) {
          this.closeDoc();
          state = S_BODY;
          this.justClosed = Marker.EndDocument;
          continue;
        }
        if (m !== undefined) this.structureInDoc(lineNo, key);
        if (nl === len) {
          throw new BankParseError(lineNo, 'TRUNCATED', `файл обрывается посреди строки ("${clip(key)}") внутри документа, начатого в строке ${this.doc!.line}: файл обрезан?`);
        }
        throw corrupt(lineNo, key);
      }

      if (state === S_ACCOUNT) {
        if (value !== null) {
          const code = accountKey(key);
          const a = this.acc!;
          if (code === undefined) {
            if (key.startsWith('Секция')) throw this.unclosedAccount(lineNo, key);
            setOnce(a.extra, key, value, lineNo);
          } else setSlot(a.v, a.vLine, code, value, lineNo, key);
          continue;
        }
        const m = marker(key);
        if (m === Marker.EndAccount) {
          this.closeAccount(lineNo);
          state = S_BODY;
          this.justClosed = Marker.EndAccount;
          continue;
        }
        if (m !== undefined) throw this.unclosedAccount(lineNo, key);
        if (nl === len) {
          throw new BankParseError(lineNo, 'TRUNCATED', `файл обрывается посреди строки ("${clip(key)}") внутри СекцияРасчСчет, начатой в строке ${this.acc!.line}: файл обрезан?`);
        }
        throw corrupt(lineNo, key);
      }

      if (state === S_START) {
        if (value === null && key.toLowerCase() === '1cclientbankexchange') {
          state = S_HEADER;
          continue;
        }
        throw new BankParseError(lineNo, 'NOT_1C', `это не файл 1CClientBankExchange: первая строка "${clip(key)}"`);
      }

      if (state === S_END) {
        if (value === null && marker(key) === Marker.EndFile) {
          this.warn(lineNo, 'повторный КонецФайла пропущен');
          continue;
        }
        throw new BankParseError(lineNo, 'STRUCTURE', `текст после КонецФайла: "${clip(key)}"`);
      }

      // S_HEADER or S_BODY
      const closedBefore = this.justClosed;
      this.justClosed = 0;
      if (value !== null) {
        if (marker(key) === Marker.SectionDocument) {
          this.doc = {
            kind: value.replaceAll('ё', 'е').replaceAll('Ё', 'Е'),
            line: lineNo,
            v: this.dv.fill(undefined),
            vLine: this.dvLine,
            amount: -1,
            date: null,
            writtenOffAt: null,
            receivedAt: null,
            fields: bag(),
            extra: bag(),
          };
          state = S_DOC;
          continue;
        }
        if (state === S_HEADER) {
          this.headerField(key, value, lineNo);
          continue;
        }
        // Real Bank-Client exports write the header's `Документ=` (the kinds of documents inside) after the
        // СекцияРасчСчет block. Its meaning does not depend on where it stands: taken as the header's, with a warning.
        if (headerKey(key) === H.Документ) {
          this.headerField(key, value, lineNo);
          this.warn(lineNo, `Документ=${clip(value)} после секции счёта (его место в заголовке): принят как вид документов выписки`);
          continue;
        }
        throw new BankParseError(
          lineNo,
          'STRUCTURE',
          `поле "${clip(key)}" вне секций (пропущена строка СекцияДокумент или СекцияРасчСчет?)`,
        );
      }
      const m = marker(key);
      if (m === Marker.SectionAccount) {
        this.acc = { line: lineNo, v: new Array(7), vLine: new Array(7), extra: bag() };
        state = S_ACCOUNT;
      } else if (m === Marker.EndFile) {
        state = S_END;
        this.justClosed = Marker.EndFile;
      } else if ((m === Marker.EndDocument || m === Marker.EndAccount) && closedBefore === m) {
        // Seen in real exports: `КонецДокумента` written twice. Harmless when nothing sits between the two.
        this.warn(lineNo, `повторный ${key} пропущен`);
        this.justClosed = m;
      } else if (m === Marker.EndDocument || m === Marker.EndAccount) {
        throw new BankParseError(lineNo, 'STRUCTURE', `${key} без открытой секции`);
      } else if (m === Marker.SectionDocument) {
        throw new BankParseError(lineNo, 'STRUCTURE', 'СекцияДокумент без вида документа (ожидается СекцияДокумент=<вид>)');
      } else if (nl === len) {
        // "КонецФа" as the very last bytes: a cut download, not a corrupt line
        throw new BankParseError(lineNo, 'TRUNCATED', `файл обрывается посреди строки ("${clip(key)}") без КонецФайла: файл обрезан?`);
      } else {
        throw corrupt(lineNo, key);
      }
    }

    this.state = state;
    this.lineNo = lineNo;
  }

  private close(): Statement {
    const state = this.state;
    const lineNo = this.lineNo;
    if (state === S_START) throw new BankParseError(1, 'EMPTY', 'пустой файл');
    if (state === S_DOC)
      throw new BankParseError(lineNo, 'TRUNCATED', `файл кончается внутри документа, начатого в строке ${this.doc!.line} (нет КонецДокумента): файл обрезан?`);
    if (state === S_ACCOUNT)
      throw new BankParseError(lineNo, 'TRUNCATED', `файл кончается внутри СекцияРасчСчет, начатой в строке ${this.acc!.line}: файл обрезан?`);
    if (state !== S_END) throw new BankParseError(lineNo, 'TRUNCATED', 'файл кончается без КонецФайла: файл обрезан?');
    return this.finish();
  }

  private warn(line: number, message: string) {
    this.warnings.push({ line, message: this.sink ? detach(message) : message });
  }

  private structureInDoc(line: number, key: string): never {
    throw new BankParseError(line, 'STRUCTURE', `${clip(key)} внутри документа, начатого в строке ${this.doc!.line} (пропущен КонецДокумента?)`);
  }

  private unclosedAccount(line: number, key: string): BankParseError {
    return new BankParseError(line, 'STRUCTURE', `${clip(key)} внутри СекцияРасчСчет, начатой в строке ${this.acc!.line} (пропущен КонецРасчСчет?)`);
  }

  private headerField(key: string, value: string, line: number) {
    const code = headerKey(key);
    if (code === undefined) {
      setOnce(this.headerExtra, key, value, line);
    } else if (code === H.РасчСчет) {
      if (value !== '' && !this.headerAccounts.includes(value)) {
        this.headerAccounts.push(value);
        this.addOwn(value);
      }
    } else if (code === H.Документ) {
      if (value !== '' && !this.headerKinds.includes(value)) this.headerKinds.push(value);
    } else {
      setSlot(this.header, this.headerLine, code, value, line, key);
    }
  }

  private docField(code: number | string, value: string, line: number) {
    const d = this.doc!;
    if (typeof code === 'string') {
      if (value !== '') setOnce(d.fields, code, value, line);
      return;
    }
    const key = D_NAMES[code];
    if (!setSlot(d.v, d.vLine, code, value, line, key)) return; // identical duplicate
    switch (code) {
      case D.Сумма:
        if (value === '') throw new BankParseError(line, 'MISSING_FIELD', 'Сумма пуста');
        d.amount = parseKopecks(value, line, 'Сумма');
        break;
      case D.Дата: {
        const date = this.date(value);
        if (date === undefined) throw new BankParseError(line, 'BAD_DATE', `Дата: "${clip(value)}" — не дата вида дд.мм.гггг`);
        d.date = date;
        break;
      }
      case D.ДатаСписано:
      case D.ДатаПоступило: {
        const date = this.date(value);
        if (date === undefined) this.warn(line, `${key}: "${clip(value)}" — не дата вида дд.мм.гггг; оставлено пустым`);
        if (code === D.ДатаСписано) d.writtenOffAt = date ?? null;
        else d.receivedAt = date ?? null;
        break;
      }
    }
  }

  private date(s: string): string | null | undefined {
    let r = this.dates.get(s);
    if (r === undefined && !this.dates.has(s)) {
      r = parseDate(s);
      if (this.dates.size < 10_000) this.dates.set(s, r);
    }
    return r;
  }

  private closeDoc() {
    const d = this.doc!;
    this.doc = null;
    if (d.amount < 0) throw new BankParseError(d.line, 'MISSING_FIELD', 'документ без Сумма');
    if (d.date === null) {
      throw new BankParseError(d.v[D.Дата] !== undefined ? d.vLine[D.Дата] : d.line, 'MISSING_FIELD', 'документ без Дата');
    }
    const v = d.v;
    const number = v[D.Номер] ?? '';
    if (number === '') this.warn(d.line, 'документ без Номер');
    let purpose = v[D.НазначениеПлатежа] ?? '';
    if (purpose === '') {
      const parts: string[] = [];
      for (let i = 1; i <= 6; i++) {
        const p = d.fields[`НазначениеПлатежа${i}`];
        if (p) parts.push(p);
      }
      purpose = parts.join(' ');
    }
    const doc: StatementDocument = {
      kind: d.kind,
      number,
      date: d.date,
      amountKopecks: d.amount,
      payer: party(v, 0),
      payee: party(v, PAYEE_SHIFT),
      purpose,
      direction: 'unknown',
      ownAccount: null,
      writtenOffAt: d.writtenOffAt,
      receivedAt: d.receivedAt,
      paidAt: null,
      fields: d.fields,
      extra: d.extra,
      line: d.line,
    };
    if (this.sink) {
      this.docsSeen++;
      settle(doc, this.fixedOwn ?? this.liveOwn);
      this.sink(doc);
    } else this.docs.push(doc);
  }

  private addOwn(account: string) {
    if (this.ownSoFar.includes(account)) return;
    this.ownSoFar.push(account);
    if (this.docsSeen > 0) this.ownGrewAfterDocument = true;
    this.liveOwn = ownAccounts(this.ownSoFar.slice());
  }

  private closeAccount(endLine: number) {
    const a = this.acc!;
    this.acc = null;
    const v = a.v;
    const account = v[A.РасчСчет] ?? '';
    if (account === '') throw new BankParseError(a.line, 'MISSING_FIELD', 'СекцияРасчСчет без РасчСчет');
    const money = (code: number, key: string) => {
      const s = v[code];
      return s === undefined || s === '' ? null : parseKopecks(s, a.vLine[code], key, true);
    };
    const date = (code: number, key: string) => {
      const s = v[code] ?? '';
      const r = parseDate(s);
      if (r === undefined) throw new BankParseError(a.vLine[code], 'BAD_DATE', `${key}: "${clip(s)}" — не дата вида дд.мм.гггг`);
      return r;
    };
    const section: AccountSection = {
      account,
      dateFrom: date(A.ДатаНачала, 'ДатаНачала'),
      dateTo: date(A.ДатаКонца, 'ДатаКонца'),
      openingBalance: money(A.НачальныйОстаток, 'НачальныйОстаток'),
      debitTurnover: money(A.ВсегоСписано, 'ВсегоСписано'),
      creditTurnover: money(A.ВсегоПоступило, 'ВсегоПоступило'),
      closingBalance: money(A.КонечныйОстаток, 'КонечныйОстаток'),
      line: a.line,
      extra: this.sink ? detachBag(a.extra) : a.extra,
    };
    if (this.sink) section.account = detach(account);
    const { openingBalance: o, debitTurnover: dt, creditTurnover: ct, closingBalance: cl } = section;
    if (o !== null && dt !== null && ct !== null && cl !== null && o + ct - dt !== cl) {
      this.warn(endLine, `счёт ${account}: НачальныйОстаток + ВсегоПоступило − ВсегоСписано ≠ КонечныйОстаток`);
    }
    this.accounts.push(section);
    this.addOwn(section.account);
  }

  private finish(): Statement {
    if (this.sink) {
      // Read in pieces: what the statement keeps must not hold its piece of text (see detach).
      for (let i = 0; i < this.header.length; i++) if (this.header[i] !== undefined) this.header[i] = detach(this.header[i]!);
      for (const list of [this.headerAccounts, this.headerKinds]) for (let i = 0; i < list.length; i++) list[i] = detach(list[i]);
      detachBag(this.headerExtra);
    }
    const h = this.header;
    const hl = this.headerLine;
    const hdate = (code: number, key: string) => {
      const s = h[code] ?? '';
      const r = parseDate(s);
      if (r === undefined) {
        this.warn(hl[code], `${key}: "${clip(s)}" — не дата вида дд.мм.гггг; оставлено пустым`);
        return null;
      }
      return r;
    };
    const createdDate = hdate(H.ДатаСоздания, 'ДатаСоздания');
    const createdTime = h[H.ВремяСоздания] ? parseTime(h[H.ВремяСоздания]!) : undefined;
    const own = [...this.headerAccounts];
    for (const a of this.accounts) if (!own.includes(a.account)) own.push(a.account);
    const ownSet = ownAccounts(own);
    for (const doc of this.docs) settle(doc, ownSet);
    const header: StatementHeader = {
      formatVersion: h[H.ВерсияФормата] ?? '',
      encoding: this.encoding,
      declaredEncoding: h[H.Кодировка] ?? null,
      sender: nonEmpty(h[H.Отправитель]),
      receiver: nonEmpty(h[H.Получатель]),
      createdAt: createdDate && createdTime ? `${createdDate}T${createdTime}` : createdDate,
      dateFrom: hdate(H.ДатаНачала, 'ДатаНачала'),
      dateTo: hdate(H.ДатаКонца, 'ДатаКонца'),
      accounts: own,
      documentKinds: this.headerKinds,
      extra: this.headerExtra,
    };
    return { header, accounts: this.accounts, documents: this.docs, warnings: this.warnings };
  }
}

/** The own-account test for a list of accounts. */
export function ownAccounts(own: string[]): OwnAccounts {
  // Usually a handful of own accounts: === on 20-char strings beats hashing every freshly sliced account into
  // a Set (~6% of the parse); a Set only when a file lists many (no quadratic blow-up on odd files).
  return own.length > 16 ? ((set) => (a: string) => set.has(a))(new Set(own)) : (a: string) => own.includes(a);
}

/** Direction, own account and payment date of a document, from the statement's own accounts. */
function settle(doc: StatementDocument, own: OwnAccounts) {
  const direction = directionOf(doc.payer, doc.payee, own);
  doc.direction = direction;
  doc.ownAccount = direction === 'outgoing' ? ownOf(doc.payer, own) : direction === 'unknown' ? null : ownOf(doc.payee, own);
  doc.paidAt = direction === 'outgoing' ? (doc.writtenOffAt ?? doc.receivedAt) : (doc.receivedAt ?? doc.writtenOffAt);
}

function directionOf(payer: Party, payee: Party, own: OwnAccounts): Direction {
  const out = ownOf(payer, own) !== null;
  const inc = ownOf(payee, own) !== null;
  return out && inc ? 'internal' : inc ? 'incoming' : out ? 'outgoing' : 'unknown';
}

function ownOf(p: Party, own: OwnAccounts): string | null {
  if (p.account !== null && own(p.account)) return p.account;
  if (p.settlementAccount !== null && own(p.settlementAccount)) return p.settlementAccount;
  return null;
}

/** Slots are laid out payer-then-payee with the same order, so one function reads both sides. */
function party(v: (string | undefined)[], shift: number): Party {
  const nameLines: string[] = [];
  for (let i = D.Плательщик1; i <= D.Плательщик4; i++) {
    const s = v[i + shift];
    if (s !== undefined) nameLines.push(s);
  }
  let inn = nonEmpty(v[D.ПлательщикИНН + shift]);
  if (inn !== null && isZeros(inn)) inn = null;
  return {
    account: nonEmpty(v[D.ПлательщикСчет + shift]),
    settlementAccount: nonEmpty(v[D.ПлательщикРасчСчет + shift]),
    inn,
    kpp: nonEmpty(v[D.ПлательщикКПП + shift]),
    name: nonEmpty(v[D.Плательщик + shift]) ?? nonEmpty(v[D.Плательщик1 + shift]),
    nameLines,
    bank: {
      name: nonEmpty(v[D.ПлательщикБанк1 + shift]),
      city: nonEmpty(v[D.ПлательщикБанк2 + shift]),
      bik: nonEmpty(v[D.ПлательщикБИК + shift]),
      corrAccount: nonEmpty(v[D.ПлательщикКорсчет + shift]),
    },
  };
}

function isZeros(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 48) return false;
  return true;
}

/**
 * Key bags are plain objects (fast properties: Object.create(null) puts them in dictionary mode, measured ~15%
 * slower on the 100 MB bench); a key named `__proto__` is still stored as data, see setOnce.
 */
function bag(): Record<string, string> {
  return {};
}

/**
 * A copy of a string that does not keep the text it was sliced from alive. V8 makes a slice of 13 characters or
 * more a view into its parent: an account number kept from each 1 MiB piece of a streamed statement held every
 * piece (measured: 202 MB of heap after scanning a 100 MB file, 8 MB with this). Only used when reading in pieces:
 * in one piece the whole text is alive anyway.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

function detachBag(rec: Record<string, string>): Record<string, string> {
  for (const k of Object.keys(rec)) Object.defineProperty(rec, k, { value: detach(rec[k]), enumerable: true, writable: true, configurable: true });
  return rec;
}

function nonEmpty(s: string | undefined): string | null {
  return s === undefined || s === '' ? null : s;
}

/** Returns false for an identical duplicate (a repeated line changes nothing); throws when the value differs. */
function setSlot(v: (string | undefined)[], vLine: number[], code: number, value: string, line: number, key: string): boolean {
  const prev = v[code];
  if (prev !== undefined) {
    if (prev === value) return false;
    // An empty placeholder followed by a real value (or the reverse) is not a conflict worth failing on.
    if (prev === '') {
      v[code] = value;
      vLine[code] = line;
      return true;
    }
    if (value === '') return false;
    throw new BankParseError(line, 'DUPLICATE_KEY', `${key} указан дважды с разными значениями (впервые в строке ${vLine[code]})`);
  }
  v[code] = value;
  vLine[code] = line;
  return true;
}

function setOnce(rec: Record<string, string>, key: string, value: string, line: number) {
  if (key === '__proto__') {
    // plain assignment would try to set the prototype (and drop the value): define it as data instead
    const had = Object.prototype.hasOwnProperty.call(rec, key);
    if (had && rec[key] !== value && rec[key] !== '' && value !== '') {
      throw new BankParseError(line, 'DUPLICATE_KEY', `${clip(key)} указан дважды с разными значениями`);
    }
    if (!had || value !== '') Object.defineProperty(rec, key, { value, enumerable: true, writable: true, configurable: true });
    return;
  }
  const prev = Object.prototype.hasOwnProperty.call(rec, key) ? rec[key] : undefined;
  if (prev !== undefined && prev !== value) {
    if (prev === '') rec[key] = value;
    else if (value !== '') throw new BankParseError(line, 'DUPLICATE_KEY', `${clip(key)} указан дважды с разными значениями`);
    return;
  }
  rec[key] = value;
}

function corrupt(line: number, text: string): BankParseError {
  return new BankParseError(line, 'CORRUPT_LINE', `строка не вида «Ключ=Значение» и не метка секции: "${clip(text)}"`);
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
