import type { Db } from '../../db/open.js';
import { runFolder, type FolderOptions, type FolderRunReport } from '../sources/folder.js';
import { lookbackRange, type BankStatementApi } from '../sources/api.js';
import { importStatement, importStatementBytes, type ImportOptions } from './importer.js';
import { listReview, type ReviewQuery } from './review.js';
import type { ImportReport, SourcedStatement } from './types.js';

export interface BankServiceOptions {
  ownAccounts?: readonly string[];
  /** The watched folder (config.bank.watchDir and friends); absent = no folder source. */
  folder?: FolderOptions;
  /** A bank's statement API; absent = none. */
  api?: { client: BankStatementApi; lookbackDays: number; timeZone?: string };
  now?: () => Date;
  /** After each recorded statement (metrics, logs). */
  onRecorded?: (report: ImportReport) => void;
}

export interface BankRunReport {
  folder?: FolderRunReport;
  api?: { source: string; report?: ImportReport; error?: string };
}

/** What the CLI, the API routes and the schedule call. Holds no state beyond its options. */
export class BankService {
  constructor(
    private readonly db: Db,
    private readonly opts: BankServiceOptions = {},
  ) {}

  private importOpts(dryRun = false): ImportOptions {
    return { ownAccounts: this.opts.ownAccounts, now: this.opts.now, dryRun, onRecorded: this.opts.onRecorded };
  }

  importBytes(bytes: Uint8Array, meta: { source: string; name: string }, opts: { dryRun?: boolean } = {}): ImportReport {
    return importStatementBytes(this.db, bytes, meta, this.importOpts(opts.dryRun));
  }

  importStatement(s: SourcedStatement, opts: { dryRun?: boolean } = {}): ImportReport {
    return importStatement(this.db, s, this.importOpts(opts.dryRun));
  }

  unmatched(q: ReviewQuery = {}) {
    return listReview(this.db, q);
  }

  /** One scheduled pass: the folder, then the bank API. A failing source is reported, the other still runs. */
  async run(signal?: AbortSignal): Promise<BankRunReport> {
    const out: BankRunReport = {};
    if (this.opts.folder) {
      out.folder = await runFolder(this.opts.folder, (bytes, name) => this.importBytes(bytes, { source: 'folder', name }));
    }
    const api = this.opts.api;
    if (api) {
      try {
        const range = lookbackRange(this.opts.now?.() ?? new Date(), api.lookbackDays, api.timeZone);
        const s = await api.client.fetchStatement(range, signal);
        out.api = { source: api.client.source, report: this.importStatement(s) };
      } catch (e) {
        out.api = { source: api.client.source, error: (e as Error).message ?? String(e) };
      }
    }
    return out;
  }
}
