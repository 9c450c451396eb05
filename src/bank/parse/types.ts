/**
 * What `parseStatement` returns. Money is an integer number of kopecks (a JS `number`, always a safe integer):
 * exact, JSON-serialisable and SQLite-friendly; `Number.MAX_SAFE_INTEGER` kopecks is ~90 trillion roubles, far
 * beyond any statement, and the parser rejects anything larger rather than lose precision. Dates are ISO
 * `yyyy-mm-dd` strings (calendar dates without a zone, as 1C writes them), or null when the file leaves them empty.
 */
export type StatementEncoding = 'utf-8' | 'cp1251' | 'cp866' | 'utf-16le';

export interface StatementHeader {
  /** `ВерсияФормата` as written (1.01, 1.02, 1.03 occur). */
  formatVersion: string;
  /** The encoding the bytes were decoded with (detected; see encoding.ts). */
  encoding: StatementEncoding;
  /** `Кодировка` exactly as the file claims it (it lies often; kept for diagnostics). */
  declaredEncoding: string | null;
  sender: string | null; // Отправитель
  receiver: string | null; // Получатель
  createdAt: string | null; // ДатаСоздания + ВремяСоздания → `yyyy-mm-ddThh:mm:ss` (or just the date)
  dateFrom: string | null; // ДатаНачала
  dateTo: string | null; // ДатаКонца
  /** `РасчСчет` lines of the header, in order, deduplicated. */
  accounts: string[];
  /** `Документ` lines of the header (the document kinds the file may hold). */
  documentKinds: string[];
  /** Header keys this parser does not know, by the key as written. */
  extra: Record<string, string>;
}

/** One `СекцияРасчСчет`. Sber writes one per account PER DAY; they are kept one entry per section, in file order. */
export interface AccountSection {
  account: string; // РасчСчет
  dateFrom: string | null; // ДатаНачала
  dateTo: string | null; // ДатаКонца
  openingBalance: number | null; // НачальныйОстаток, kopecks (may be negative: overdraft)
  /** ВсегоСписано: money that left the account (a debit in the bank's books). */
  debitTurnover: number | null;
  /** ВсегоПоступило: money that came in (a credit in the bank's books). */
  creditTurnover: number | null;
  closingBalance: number | null; // КонечныйОстаток
  line: number; // line of `СекцияРасчСчет`
  extra: Record<string, string>;
}

export interface PartyBank {
  name: string | null; // ...Банк1
  city: string | null; // ...Банк2
  bik: string | null; // ...БИК
  corrAccount: string | null; // ...Корсчет
}

export interface Party {
  /** ...Счет: the account the money moved on (for indirect settlements, the bank's account). */
  account: string | null;
  /** ...РасчСчет: the party's own settlement account. */
  settlementAccount: string | null;
  inn: string | null; // ...ИНН, trimmed; '' and '0' become null
  kpp: string | null; // ...КПП
  /** `Плательщик`/`Получатель` when present, else `...1`. Often starts with the INN: `7810011111 ООО "X"`. */
  name: string | null;
  /** `...1`..`...4` as written (indirect settlements put the account and bank there). */
  nameLines: string[];
  bank: PartyBank;
}

/**
 * incoming: the payee account is one of the statement's own accounts; outgoing: the payer's is; internal: both;
 * unknown: neither (anonymised files, or a statement without `РасчСчет`). Never derived from ДатаСписано/
 * ДатаПоступило: Tinkoff fills ДатаСписано on incoming documents too.
 */
export type Direction = 'incoming' | 'outgoing' | 'internal' | 'unknown';

export interface StatementDocument {
  /** `СекцияДокумент=<kind>`, trimmed, `ё` → `е` (so «Платёжное поручение» = «Платежное поручение»). */
  kind: string;
  number: string; // Номер (may hold letters); '' when absent
  date: string; // Дата, required
  amountKopecks: number; // Сумма, required, ≥ 0
  payer: Party;
  payee: Party;
  /** НазначениеПлатежа, or НазначениеПлатежа1..6 joined with a space when the former is empty. */
  purpose: string;
  direction: Direction;
  /** The statement's own account this document moved money on (payee's for incoming/internal, payer's for outgoing). */
  ownAccount: string | null;
  writtenOffAt: string | null; // ДатаСписано
  receivedAt: string | null; // ДатаПоступило
  /** When the money moved on the own account: ДатаПоступило for incoming (else ДатаСписано), the reverse otherwise. */
  paidAt: string | null;
  /** Known 1C keys not lifted into the fields above (ВидОплаты, Код, Очередность, Показатель..., ...), non-empty only. */
  fields: Record<string, string>;
  /** Keys this parser does not know, by the key as written. */
  extra: Record<string, string>;
  /** Line of `СекцияДокумент`. */
  line: number;
}

export interface StatementWarning {
  line: number;
  message: string;
}

export interface Statement {
  header: StatementHeader;
  accounts: AccountSection[];
  documents: StatementDocument[];
  /** Oddities tolerated on purpose (duplicated end markers, balances that do not add up…), never silently. */
  warnings: StatementWarning[];
}
