/** The importer: statement → match → one transaction of payments, order states and outbox jobs (see importer.ts). */
export { importStatement, importStatementBytes, sha256, type ImportOptions } from './importer.js';
export { openOrders, openOrderLookup } from './lookup.js';
export {
  listReview,
  resolveReview,
  undoDecision,
  undoPreview,
  standingDecision,
  ReviewError,
  REVIEW_REASON,
  type ReviewItem,
  type ReviewQuery,
  type Resolution,
  type ResolveResult,
  type UndoResult,
  type Decision,
} from './review.js';
export { applyToOrder, type Application } from './apply.js';
export { BankService, type BankServiceOptions, type BankRunReport } from './service.js';
export { bankServiceFromConfig, wireBank } from './wire.js';
export { ImportRefused, type ImportReport, type ImportedPayment, type SourcedStatement, type StatementMeta } from './types.js';
