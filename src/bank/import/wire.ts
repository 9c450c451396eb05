import { mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/open.js';
import type { Logger } from '../../log.js';
import type { Runtime } from '../../runtime.js';
import { scheduleJob } from '../../schedule.js';
import { apiFromConfig } from '../sources/index.js';
import { BankService } from './service.js';
import type { ImportReport } from './types.js';

export function bankServiceFromConfig(
  db: Db,
  config: Config,
  deps: { fetch?: typeof fetch; onRecorded?: (r: ImportReport) => void; now?: () => Date } = {},
): BankService {
  const b = config.bank;
  const client = apiFromConfig(b.api, { fetch: deps.fetch });
  return new BankService(db, {
    ownAccounts: b.ownAccounts,
    folder: b.watchDir ? { dir: b.watchDir, processedDir: b.processedDir, failedDir: b.failedDir, settleMs: b.settleMs } : undefined,
    api: client ? { client, lookbackDays: b.api.lookbackDays, timeZone: config.onec.timezone } : undefined,
    webhooks: !!config.webhooks.url,
    onRecorded: deps.onRecorded,
    now: deps.now,
  });
}

/**
 * The daemon's bank feature, one call from runtime.ts: the service for the API and, when a folder or a bank API
 * is configured, the import on config.bank.cron (node-cron; a run slower than the interval is skipped, not
 * stacked). Every run logs what it did; a failing source is logged and retried next run.
 */
export function wireBank(rt: Pick<Runtime, 'db' | 'config' | 'logger' | 'services' | 'onStop'>): BankService {
  const { config, logger } = rt;
  const service = bankServiceFromConfig(rt.db, config, {
    onRecorded: (r) => {
      logger.info({ source: r.source, name: r.name, newPayments: r.newPayments, matched: r.matched, partial: r.partial, review: r.review, paid: r.paidOrders, warnings: r.notes }, 'bank statement imported');
    },
  });
  rt.services.bank = service;
  const b = config.bank;
  if (b.watchDir) {
    // Created at start, so the administrator sees where to put statements before the first run.
    try {
      for (const d of [b.watchDir, ...[b.processedDir, b.failedDir].map((x) => (isAbsolute(x) ? x : join(b.watchDir!, x)))]) mkdirSync(d, { recursive: true });
    } catch (e) {
      logger.warn({ err: e, dir: b.watchDir }, 'bank.watchDir cannot be created; the scheduled run will retry');
    }
  }
  if (b.watchDir || b.api.kind !== 'none') {
    const job = scheduleJob('bank import', config.bank.cron, logger, async () => {
      const r = await service.run();
      logBankRun(logger, r);
    });
    rt.onStop(() => job.stop());
  }
  return service;
}

function logBankRun(logger: Logger, r: Awaited<ReturnType<BankService['run']>>) {
  if (r.folderError) logger.error({ error: r.folderError }, 'bank.watchDir not read');
  for (const f of r.folder?.failed ?? []) logger.error({ file: f.file, movedTo: f.movedTo, error: f.error }, 'bank statement file rejected');
  for (const f of r.folder?.retry ?? []) logger.error({ file: f.file, error: f.error }, 'bank statement file left for the next run: ReGate storage failed');
  if (r.api?.error) logger.error({ source: r.api.source, error: r.api.error }, 'bank API statement not fetched');
}
