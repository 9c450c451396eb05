/**
 * Read benchmark: GET /api/v1/assortment, 100-item pages, every (store, page) of the mirror in a shuffled cycle
 * — how Richest.store pulls a store's assortment — against GET /healthz (no auth, no work: the floor of this
 * HTTP stack on this machine) in the same run, at 16, 64 and 256 connections.
 *
 * Before measuring, every page is fetched once ("cold pass"): the first request for a page computes it in SQLite,
 * later ones are answered from CatalogService's per-generation cache, as between two syncs on a live server.
 */
import { join } from 'node:path';
import { forkChild } from '../lib/proc.js';
import { basic, fmtLoad, load, type LoadResult } from '../lib/load.js';
import { finish, type Figure, type LatencyPoint } from '../lib/report.js';
import type { ProfileSummary } from '../lib/profile.js';
import { API_USER, ONEC_USER, type SuiteContext, type SuiteResult } from './types.js';

export const READ_TARGET = { rps: 2000, p99: 250, connections: 256 };

function shuffle<T>(xs: T[], seed = 7): T[] {
  let a = seed;
  const rnd = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

export async function runRead(ctx: SuiteContext): Promise<SuiteResult> {
  const items = ctx.quick ? 2000 : 20_000;
  const levels = [16, 64, READ_TARGET.connections];
  const dur = (c: number) => (ctx.quick ? 2 : c === READ_TARGET.connections ? 10 : 5);
  ctx.log(`read: demo base of ${items} items; emulator and ReGate in their own processes`);
  const em = await forkChild<{ url: string }>('emulator.ts', { items, user: ONEC_USER }, { verbose: ctx.verbose });
  const rg = await forkChild<{ url: string; stores: string[]; sync: { items: number; ms: number } }>(
    'regate.ts',
    // BENCH_READ_ENV='REGATE_K=V,…': the server's config for an A/B of one switch (bench/proc/regate.ts reads no other).
    { onecUrl: em.ready.url, onecUser: ONEC_USER, apiUser: API_USER, dbPath: join(ctx.tmpDir, 'read.sqlite'), env: Object.fromEntries((process.env.BENCH_READ_ENV ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string])) },
    { verbose: ctx.verbose, readyTimeoutMs: 900_000 }, // the child syncs the 20k demo base first: 281 s at load 10 (docs/benchmarks.md), past 300 s at load 9 on 2026-12-03
  );
  try {
    const auth = basic(API_USER);
    const headers = { authorization: auth };
    // The headline client asks for gzip, as the HTTP libraries a store back end uses do by default (Node's fetch,
    // Go's net/http, Python requests); one run without it shows the other case.
    const gzHeaders = { ...headers, 'accept-encoding': 'gzip' };
    const { paths, coldMs, bytes } = await preparePages(rg.ready.url, rg.ready.stores, headers);
    const gzBytes = Number((await fetch(rg.ready.url + paths[0], { headers: gzHeaders })).headers.get('content-length') ?? NaN);
    const plainBytes = Number((await fetch(rg.ready.url + paths[0], { headers: { ...headers, 'accept-encoding': 'identity' } })).headers.get('content-length') ?? NaN);
    ctx.log(`read: ${paths.length} pages over ${rg.ready.stores.length} stores, cold pass ${(coldMs / 1000).toFixed(1)} s (${(coldMs / paths.length).toFixed(1)} ms/page, ${(bytes / paths.length / 1024).toFixed(0)} KB/page; one page ${plainBytes} bytes, ${gzBytes} with gzip)`);

    let k = 0;
    const next = () => ({ path: paths[k++ % paths.length] });
    const series: (LatencyPoint & { raw: LoadResult })[] = [];
    const baseline: (LatencyPoint & { raw: LoadResult })[] = [];
    let profile: ProfileSummary | undefined;
    const point = (r: LoadResult) => ({ connections: r.connections, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, rps: r.rps, raw: r });
    const pause = () => new Promise((r) => setTimeout(r, 1000)); // let the previous run's sockets and GC settle
    let city: LoadResult | undefined;
    let identity: LoadResult | undefined;
    for (const c of levels) {
      await pause();
      const hz = await load({ url: `${rg.ready.url}/healthz`, connections: c, durationS: dur(c) });
      ctx.log(fmtLoad('read: GET /healthz (baseline)', hz));
      baseline.push(point(hz));
      if (c === READ_TARGET.connections) {
        // The floor of an authenticated API request (request id, log line, rate limit, auth cache, ETag, a tiny
        // kept answer): what is left when the 100-item page is taken out.
        await pause();
        city = await load({ url: `${rg.ready.url}/api/v1/city`, connections: c, durationS: dur(c) / 2, headers: gzHeaders });
        ctx.log(fmtLoad('read: GET /api/v1/city (auth floor)', city));
        await pause();
        identity = await load({ url: rg.ready.url, connections: c, durationS: dur(c) / 2, headers, next });
        ctx.log(fmtLoad('read: assortment, client without gzip', identity));
      }
      await pause();
      // Profiled at 64 connections, not at the headline 256: the sampler costs a few per cent, and the per-request
      // costs it shows are the same at any concurrency once the process is saturated (it is from 16 up).
      const main = c === 64 && ctx.profile;
      if (main) await rg.call('profileStart');
      const as = await load({ url: rg.ready.url, connections: c, durationS: dur(c), headers: gzHeaders, next });
      if (main) {
        profile = await rg.call<ProfileSummary>('profileStop', join(ctx.resultsDir, 'read-assortment.cpuprofile'));
      }
      ctx.log(fmtLoad('read: GET /api/v1/assortment (gzip)', as));
      series.push(point(as));
    }
    const memory = await rg.call<NodeJS.MemoryUsage>('memory');
    const usage = await rg.stop();
    const top = series[series.length - 1];
    const hz = baseline[baseline.length - 1];
    const C = READ_TARGET.connections;
    const figures: Figure[] = [
      finish({ bench: 'read', name: `assortment req/s at ${C} connections (gzip)`, value: top.rps, unit: 'req/s', baseline: { name: 'healthz', value: hz.rps }, target: { on: 'value', op: '>=', value: READ_TARGET.rps } }),
      finish({ bench: 'read', name: `assortment p99 at ${C} connections (gzip)`, value: top.p99, unit: 'ms', baseline: { name: 'healthz p99', value: hz.p99 }, target: { on: 'value', op: '<=', value: READ_TARGET.p99 } }),
      finish({ bench: 'read', name: `assortment req/s at ${C}, client without gzip`, value: identity?.rps ?? null, unit: 'req/s', baseline: { name: 'healthz', value: hz.rps } }),
      finish({ bench: 'read', name: `assortment p99 at ${C}, client without gzip`, value: identity?.latency.p99 ?? null, unit: 'ms', baseline: { name: 'healthz p99', value: hz.p99 } }),
      finish({ bench: 'read', name: `authenticated floor: GET /api/v1/city at ${C} connections`, value: city?.rps ?? null, unit: 'req/s', baseline: { name: 'healthz', value: hz.rps } }),
      finish({ bench: 'read', name: `assortment p50 at ${C} connections`, value: top.p50, unit: 'ms', baseline: { name: 'healthz p50', value: hz.p50 } }),
      finish({ bench: 'read', name: 'cold page (first request for a page, computed in SQLite)', value: coldMs / paths.length, unit: 'ms', note: `${paths.length} pages` }),
      finish({ bench: 'read', name: 'server peak RSS (20k mirror, all pages cached)'.replace('20k', items >= 1000 ? `${items / 1000}k` : String(items)), value: usage?.maxRssMB ?? null, unit: 'MB' }),
    ];
    const strip = (p: LatencyPoint & { raw: LoadResult }) => ({ connections: p.connections, p50: p.p50, p90: p.p90, p99: p.p99, rps: p.rps });
    return {
      figures,
      details: { items, stores: rg.ready.stores.length, pages: paths.length, coldMs, bytesPerPage: bytes / paths.length, onePage: { plainBytes, gzBytes }, identity, sweep: series.map((s) => s.raw), healthz: baseline.map((s) => s.raw), city, profile, memory, usage, sync: rg.ready.sync },
      latency: {
        series: series.map(strip),
        baseline: baseline.map(strip),
        subtitle: `GET /api/v1/assortment with gzip (100-item pages, ${paths.length} distinct pages, ${items.toLocaleString('en-US')}-item base) vs GET /healthz; ${ctx.quick ? 'quick run' : '5–10 s per point'}`,
      },
    };
  } finally {
    await rg.stop();
    await em.stop();
  }
}

/**
 * Every page of every store (100 items a page), shuffled, each fetched once: the cold pass that fills the
 * per-generation cache, timed (the server computes one page at a time, so time / pages ≈ the cost of a page).
 */
export async function preparePages(url: string, stores: string[], headers: Record<string, string>): Promise<{ paths: string[]; coldMs: number; bytes: number }> {
  const paths: string[] = [];
  for (const store of stores) {
    const r = await fetch(`${url}/api/v1/assortment?store=${store}&page=1&pageSize=100`, { headers });
    if (r.status !== 200) throw new Error(`assortment for ${store}: ${r.status} ${await r.text()}`);
    const { total } = (await r.json()) as { total: number };
    for (let p = 1; p <= Math.max(1, Math.ceil(total / 100)); p++) paths.push(`/api/v1/assortment?store=${store}&page=${p}&pageSize=100`);
  }
  shuffle(paths);
  // 4 in flight, no Accept-Encoding (as autocannon sends): the byte count is the uncompressed answer.
  const t0 = performance.now();
  let bytes = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (i < paths.length) {
        const r = await fetch(url + paths[i++], { headers: { ...headers, 'accept-encoding': 'identity' } });
        bytes += (await r.arrayBuffer()).byteLength;
        if (r.status !== 200) throw new Error(`cold pass: ${r.status}`);
      }
    }),
  );
  return { paths, coldMs: performance.now() - t0, bytes };
}
