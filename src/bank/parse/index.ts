export { parseStatement } from './parse.js';
export {
  scanStatement,
  statementDocuments,
  fileSource,
  bytesSource,
  spool,
  type Source,
  type StatementScan,
  type StatementSummary,
  type ReadPlan,
} from './stream.js';
export { BankParseError, type BankParseErrorCode } from './errors.js';
export { decodeStatement, headerEncoding, type Decoded } from './encoding.js';
export { parseKopecks, parseDate } from './values.js';
export type * from './types.js';
