/**
 * NOT a product figure: what the next read fix proposed in docs/benchmarks.md would buy, measured with a
 * prototype in the bench child (bench/lib/state-fix.ts: CatalogService.state() reading only the three meta keys it
 * returns). Same base, pages, client (gzip) and healthz baseline as `read` at 256 connections, with the product
 * code unchanged otherwise. Run it with `--only readfix` (not part of the default set; its figures say
 * "prototype"). History: the first prototype here (kept bytes + gzip) measured 2,586 req/s p99 243 ms and is now
 * product code (src/api/response-cache.ts).
 */
import { join } from 'node:path';
import { forkChild } from '../lib/proc.js';
import { basic, fmtLoad, load } from '../lib/load.js';
import { finish } from '../lib/report.js';
import { preparePages, READ_TARGET } from './read.js';
import { API_USER, ONEC_USER, type SuiteContext, type SuiteResult } from './types.js';

export async function runReadFix(ctx: SuiteContext): Promise<SuiteResult> {
  const items = ctx.quick ? 2000 : 20_000;
  const C = READ_TARGET.connections;
  const durationS = ctx.quick ? 2 : 10;
  const em = await forkChild<{ url: string }>('emulator.ts', { items, user: ONEC_USER }, { verbose: ctx.verbose });
  const rg = await forkChild<{ url: string; stores: string[] }>(
    'regate.ts',
    { onecUrl: em.ready.url, onecUser: ONEC_USER, apiUser: API_USER, dbPath: join(ctx.tmpDir, 'readfix.sqlite'), prototype: true },
    { verbose: ctx.verbose, readyTimeoutMs: 300_000 },
  );
  try {
    const headers = { authorization: basic(API_USER), 'accept-encoding': 'gzip' };
    const { paths } = await preparePages(rg.ready.url, rg.ready.stores, { authorization: headers.authorization });
    let k = 0;
    const next = () => ({ path: paths[k++ % paths.length] });
    const pause = () => new Promise((r) => setTimeout(r, 1000));
    const hz = await load({ url: `${rg.ready.url}/healthz`, connections: C, durationS });
    ctx.log(fmtLoad('readfix: GET /healthz (baseline)', hz));
    await pause();
    const city = await load({ url: `${rg.ready.url}/api/v1/city`, connections: C, durationS: durationS / 2, headers });
    ctx.log(fmtLoad('readfix: GET /api/v1/city (auth floor)', city));
    await pause();
    const as = await load({ url: rg.ready.url, connections: C, durationS, headers, next });
    ctx.log(fmtLoad('readfix: assortment (gzip), narrow state()', as));
    const bench = 'readfix (prototype)';
    return {
      figures: [
        finish({ bench, name: `assortment req/s at ${C} (gzip), state() narrowed`, value: as.rps, unit: 'req/s', baseline: { name: 'healthz', value: hz.rps }, target: { on: 'value', op: '>=', value: READ_TARGET.rps } }),
        finish({ bench, name: `assortment p99 at ${C} (gzip), state() narrowed`, value: as.latency.p99, unit: 'ms', baseline: { name: 'healthz p99', value: hz.latency.p99 }, target: { on: 'value', op: '<=', value: READ_TARGET.p99 } }),
        finish({ bench, name: `authenticated floor (city) at ${C}, state() narrowed`, value: city.rps, unit: 'req/s', baseline: { name: 'healthz', value: hz.rps } }),
      ],
      details: { items, pages: paths.length, healthz: hz, city, assortment: as },
    };
  } finally {
    await rg.stop();
    await em.stop();
  }
}
