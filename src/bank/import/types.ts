import type { Statement } from '../parse/index.js';

/** Where a statement came from: recorded with it, shown to the accountant. */
export interface StatementMeta {
  /** 'cli', 'folder', 'tochka', ... */
  source: string;
  /** File name, or the bank's statement id. */
  name: string;
  /** sha256 hex of the content: the same content twice is imported once. */
  hash: string;
}

export interface SourcedStatement extends StatementMeta {
  statement: Statement;
}

export interface ImportReport {
  /** bank_statements.id; null when the same content was imported before (duplicate) or in a dry run. */
  statementId: number | null;
  duplicate: boolean;
  source: string;
  name: string;
  documents: number;
  /** Incoming documents with distinct identities. */
  incoming: number;
  /** Of those, seen in an earlier statement (overlap): left as they were. */
  known: number;
  /** Incoming documents of an account that is not ours (bank.ownAccounts): not imported. */
  foreign: number;
  newPayments: number;
  matched: number;
  partial: number;
  /** Orders that became fully paid (status 3, payment status 2). */
  paidOrders: string[];
  /** New payments a person must look at: ambiguous, unmatched, overpaid. */
  review: number;
  /** How many things the parser accepted but noted (e.g. `Документ=` after the account section). */
  warnings: number;
  /** Those notes, with their lines: shown in the import report, kept with the statement. */
  notes: { line: number; message: string }[];
  payments: ImportedPayment[];
}

export interface ImportedPayment {
  key: string;
  number: string;
  date: string;
  amountKopecks: number;
  payerInn: string | null;
  result: 'matched' | 'ambiguous' | 'unmatched';
  method: 'purpose-number' | 'inn-amount' | null;
  coverage: 'full' | 'partial' | 'over' | null;
  reason: string | null;
  orderId: string | null;
}

export class ImportRefused extends Error {
  constructor(
    readonly code: 'foreign-account',
    message: string,
  ) {
    super(message);
    this.name = 'ImportRefused';
  }
}
