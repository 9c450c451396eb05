/**
 * NOT a product figure: what the read fix proposed in docs/benchmarks.md would buy, measured with a prototype in
 * the bench child (bench/lib/bytes-cache.ts: an assortment answer kept as bytes and gzip bytes per mirror
 * generation and URL). Same base, pages, concurrency and healthz baseline as `read`; run it with
 * `--only readfix` (it is not part of the default set, and its figures say "prototype").
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
    const headers = { authorization: basic(API_USER) };
    const { paths } = await preparePages(rg.ready.url, rg.ready.stores, headers);
    let k = 0;
    const next = () => ({ path: paths[k++ % paths.length] });
    const hz = await load({ url: `${rg.ready.url}/healthz`, connections: C, durationS });
    ctx.log(fmtLoad('readfix: GET /healthz (baseline)', hz));
    const plain = await load({ url: rg.ready.url, connections: C, durationS, headers, next });
    ctx.log(fmtLoad('readfix: assortment, kept bytes', plain));
    const gz = await load({ url: rg.ready.url, connections: C, durationS, headers: { ...headers, 'accept-encoding': 'gzip' }, next });
    ctx.log(fmtLoad('readfix: assortment, kept gzip bytes', gz));
    const bench = 'readfix (prototype)';
    return {
      figures: [
        finish({ bench, name: `assortment from kept bytes, req/s at ${C}`, value: plain.rps, unit: 'req/s', baseline: { name: 'healthz', value: hz.rps }, target: { on: 'value', op: '>=', value: READ_TARGET.rps } }),
        finish({ bench, name: `assortment from kept bytes, p99 at ${C}`, value: plain.latency.p99, unit: 'ms', baseline: { name: 'healthz p99', value: hz.latency.p99 }, target: { on: 'value', op: '<=', value: READ_TARGET.p99 } }),
        finish({ bench, name: `assortment from kept gzip bytes, req/s at ${C}`, value: gz.rps, unit: 'req/s', baseline: { name: 'healthz', value: hz.rps }, target: { on: 'value', op: '>=', value: READ_TARGET.rps } }),
        finish({ bench, name: `assortment from kept gzip bytes, p99 at ${C}`, value: gz.latency.p99, unit: 'ms', baseline: { name: 'healthz p99', value: hz.latency.p99 }, target: { on: 'value', op: '<=', value: READ_TARGET.p99 } }),
      ],
      details: { items, pages: paths.length, healthz: hz, plain, gzip: gz },
    };
  } finally {
    await rg.stop();
    await em.stop();
  }
}
