import type { Db } from '../../db/open.js';
import { countBankImport } from '../../metrics.js';
import { runFolder, type FolderOptions, type FolderRunReport } from '../sources/folder.js';
import { lookbackRange, type BankStatementApi } from '../sources/api.js';
import { importStatement, importStatementBytes, type ImportOptions } from './importer.js';
import { listReview, resolveReview, undoDecision, undoPreview, type Resolution, type ReviewQuery } from './review.js';
import type { ImportReport, SourcedStatement } from './types.js';

export interface BankServiceOptions {
  ownAccounts?: readonly string[];
  /** The watched folder (config.bank.watchDir and friends); absent = no folder source. */
  folder?: FolderOptions;
  /** A bank's statement API; absent = none. */
  api?: { client: BankStatementApi; lookbackDays: number; timeZone?: string };
  now?: () => Date;
  /** config.webhooks.url is set: bank status changes are also sent to Richest.store. */
  webhooks?: boolean;
  /** After each recorded statement (logs). */
  onRecorded?: (report: ImportReport) => void;
}

export interface BankRunReport {
  folder?: FolderRunReport;
  /** The folder could not be read at all (missing, no rights); the API part still ran. */
  folderError?: string;
  api?: { source: string; report?: ImportReport; error?: string };
}

/** What the CLI, the API routes and the schedule call. Holds no state beyond its options. */
export class BankService {
  constructor(
    private readonly db: Db,
    private readonly opts: BankServiceOptions = {},
  ) {}

  private importOpts(dryRun = false): ImportOptions {
    return { ownAccounts: this.opts.ownAccounts, now: this.opts.now, dryRun, webhooks: this.opts.webhooks, onRecorded: this.opts.onRecorded };
  }

  importBytes(bytes: Uint8Array, meta: { source: string; name: string }, opts: { dryRun?: boolean } = {}): ImportReport {
    return this.counted(meta.source, opts.dryRun, () => importStatementBytes(this.db, bytes, meta, this.importOpts(opts.dryRun)));
  }

  importStatement(s: SourcedStatement, opts: { dryRun?: boolean } = {}): ImportReport {
    return this.counted(s.source, opts.dryRun, () => importStatement(this.db, s, this.importOpts(opts.dryRun)));
  }

  /** regate_bank_imports_total / regate_bank_payments_total (src/metrics.ts); dry runs are not imports. */
  private counted(source: string, dryRun: boolean | undefined, fn: () => ImportReport): ImportReport {
    if (dryRun) return fn();
    let r: ImportReport;
    try {
      r = fn();
    } catch (e) {
      countBankImport(source, 'failed');
      throw e;
    }
    if (r.duplicate) countBankImport(source, 'duplicate');
    else countBankImport(source, 'imported', { matched: r.matched - r.partial, partial: r.partial, review: r.review });
    return r;
  }

  unmatched(q: ReviewQuery = {}) {
    return listReview(this.db, q);
  }

  /** A person's decision on a review item: apply to an order, or dismiss with a note. */
  resolve(id: number, r: Omit<Resolution, 'now' | 'webhooks'>) {
    return resolveReview(this.db, id, { ...r, now: this.opts.now?.(), webhooks: this.opts.webhooks });
  }

  /** Takes back a person's latest standing decision on a payment (an application only while not yet in 1C). */
  undo(id: number, r: { by: string; note?: string }) {
    return undoDecision(this.db, id, { ...r, now: this.opts.now?.(), webhooks: this.opts.webhooks });
  }

  /** The decision an undo would take back, and why it cannot (null when there is none). */
  undoPreview(id: number) {
    return undoPreview(this.db, id);
  }

  /** One scheduled pass: the folder, then the bank API. A failing source is reported, the other still runs. */
  async run(signal?: AbortSignal): Promise<BankRunReport> {
    const out: BankRunReport = {};
    if (this.opts.folder) {
      try {
        out.folder = await runFolder(this.opts.folder, (bytes, name) => this.importBytes(bytes, { source: 'folder', name }));
      } catch (e) {
        out.folderError = (e as Error).message ?? String(e);
      }
    }
    const api = this.opts.api;
    if (api) {
      const source = api.client.source;
      let fetched: SourcedStatement | undefined;
      try {
        fetched = await api.client.fetchStatement(lookbackRange(this.opts.now?.() ?? new Date(), api.lookbackDays, api.timeZone), signal);
      } catch (e) {
        countBankImport(source, 'failed'); // not fetched (import failures are counted by importStatement)
        out.api = { source, error: (e as Error).message ?? String(e) };
      }
      if (fetched) {
        try {
          out.api = { source, report: this.importStatement(fetched) };
        } catch (e) {
          out.api = { source, error: (e as Error).message ?? String(e) };
        }
      }
    }
    return out;
  }
}
