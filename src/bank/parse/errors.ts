/**
 * The one error the statement parser throws. Anything else escaping `parseStatement` is a bug (the fuzz test in
 * test/bank/fuzz.test.ts holds us to that).
 */
export type BankParseErrorCode =
  | 'EMPTY' // 0 bytes, or only whitespace
  | 'BAD_ENCODING' // UTF-8 (BOM, or plenty of valid UTF-8 before it) with an invalid byte sequence
  | 'NOT_1C' // first line is not `1CClientBankExchange`
  | 'TRUNCATED' // the file ends inside a section or without `КонецФайла`
  | 'CORRUPT_LINE' // a line that is neither `Key=Value` nor a section marker
  | 'STRUCTURE' // a marker or field in the wrong place (section opened inside a section, field outside a section…)
  | 'BAD_AMOUNT'
  | 'BAD_DATE'
  | 'DUPLICATE_KEY' // the same key twice in one section with different values
  | 'MISSING_FIELD'; // a document without `Дата` or `Сумма`

export class BankParseError extends Error {
  override readonly name = 'BankParseError';
  constructor(
    /** 1-based line number in the file (after the BOM); the line that shows the problem. */
    readonly line: number,
    readonly code: BankParseErrorCode,
    /** Human-readable reason, without the line number. */
    readonly reason: string,
  ) {
    super(`строка ${line}: ${reason}`);
  }
}
