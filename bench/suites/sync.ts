/**
 * Cold sync: an empty database filled from a 20,000-item emulator base by runFullSync, in a process of its own
 * (its peak RSS is the sync's). The baseline is the lower bound on requests: Σ over paged sets ⌈rows / page
 * size⌉ + ⌈rows / VIRTUAL_ROWS⌉ per virtual table (SyncReport.lowerBound, recomputed here from rowsBySet as a cross-check). The
 * emulator counts the requests it served, so the figure does not rest on the client's own counter alone.
 */
import { join } from 'node:path';
import { forkChild } from '../lib/proc.js';
import { VIRTUAL_ROWS } from '../../src/catalog/sync.js';
import { HEAP_MB } from '../../src/workers/index.js';
import { finish } from '../lib/report.js';
import { ONEC_USER, type SuiteContext, type SuiteResult } from './types.js';

export const SYNC_TARGET_RATIO = 1.2;

interface SyncRun {
  report: { items: number; requests: number; lowerBound: number; keyed: number; rowsBySet: Record<string, number>; ms: number };
  onecStats: { total: number; retries: number };
  rssBeforeMB: number;
  maxRssBeforeMB: number;
  maxRssAfterMB: number;
  cpuMs: number;
}

export async function runSync(ctx: SuiteContext): Promise<SuiteResult> {
  const items = ctx.quick ? 2000 : 20_000;
  const em = await forkChild<{ url: string }>('emulator.ts', { items, user: ONEC_USER }, { verbose: ctx.verbose });
  try {
    // Heap capped as the daemon's sync worker's (src/workers HEAP_MB): uncapped, V8 grows rather than collects.
    const sy = await forkChild<{ pageSize: number; sessions: number }>('sync.ts', { onecUrl: em.ready.url, onecUser: ONEC_USER, dbPath: join(ctx.tmpDir, 'sync.sqlite') }, { verbose: ctx.verbose, execArgv: [`--max-old-space-size=${HEAP_MB}`] });
    const callsBefore = (await em.call<{ calls: number }>('stats', '')).calls;
    const run = await sy.call<SyncRun>('run');
    const served = (await em.call<{ calls: number }>('stats', '')).calls - callsBefore;
    const usage = await sy.stop();
    const { report } = run;
    const pageSize = sy.ready.pageSize;
    // Paged sets: ⌈rows / page⌉; virtual tables: ⌈rows / VIRTUAL_ROWS⌉ (no answer may be larger: src/catalog/sync.ts).
    const bound = Object.entries(report.rowsBySet).reduce((s, [set, rows]) => s + Math.max(1, Math.ceil(rows / (set.includes('/') ? VIRTUAL_ROWS : pageSize))), 0);
    if (bound !== report.lowerBound) ctx.log(`sync: WARNING lower bound recomputed from rowsBySet = ${bound}, report says ${report.lowerBound}`);
    const rows = Object.values(report.rowsBySet).reduce((a, b) => a + b, 0);
    ctx.log(`sync: ${report.items} items, ${rows} rows in ${Object.keys(report.rowsBySet).length} sets, ${report.requests} requests (emulator served ${served}; ${report.keyed} of them by key) vs bound ${report.lowerBound}, ${report.ms} ms, peak RSS ${run.maxRssAfterMB.toFixed(0)} MB (${run.rssBeforeMB.toFixed(0)} MB before)`);
    return {
      figures: [
        // The paging requests against their bound; the reads by key (description files, packagings) apart.
        finish({ bench: 'sync', name: `OData requests, cold sync of ${items.toLocaleString('en-US')} items (page ${pageSize}), reads by key apart`, value: served - report.keyed, unit: 'requests', baseline: { name: 'lower bound', value: report.lowerBound }, target: { on: 'ratio', op: '<=', value: SYNC_TARGET_RATIO } }),
        finish({ bench: 'sync', name: 'OData reads by key in the cold sync (description files, packagings)', value: report.keyed, unit: 'requests', note: 'one-time on a cold mirror: later syncs read only the files that changed' }),
        finish({ bench: 'sync', name: 'cold sync time', value: report.ms / 1000, unit: 's', note: `${rows} rows` }),
        finish({ bench: 'sync', name: 'sync process peak RSS', value: run.maxRssAfterMB, unit: 'MB', baseline: { name: 'RSS before sync', value: run.rssBeforeMB } }),
      ],
      details: { items, pageSize, sessions: sy.ready.sessions, served, rows, ...run, usage },
    };
  } finally {
    await em.stop();
  }
}
