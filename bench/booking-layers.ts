/**
 * Where a booking's CPU goes, layer by layer, repeatable in a minute (issue 19.5): the booking suite's cost figures
 * without its burst and delivery window, in rounds, so a change to one layer can be judged against noise.
 *
 *   npx tsx bench/booking-layers.ts [rounds=3] [bookings=3000]
 *
 * Per round: the same number of fresh bookings through the service alone, through the app without sockets, and over
 * HTTP (autocannon, 64 connections, 3 s), each as API-thread CPU per booking (/proc, so it holds on a loaded host).
 * Prints every round and the least per layer (the least is the one least disturbed by the rest of the machine).
 * BENCH_REGATE_ENV='REGATE_TUNING_BOOKING_THREAD=0' sets config in the ReGate child (a same-machine before/after).
 * BENCH_PROFILE=1 writes CPU profiles of the last round into bench/results/ (booking-layers-<layer>.cpuprofile).
 * BENCH_WARMUP_S=2: 2 s at 64 connections over HTTP before each burst (the HTTP path compiled); BENCH_IDLE_S=8: the
 * server idle 8 s before it, as in the booking suite while its echo baseline runs.
 */
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { forkChild } from './lib/proc.js';
import { basic, load } from './lib/load.js';
import { API_USER, ONEC_USER } from './suites/types.js';
import { prepareBookings } from './lib/bookings.js';
import { gcBetween, type GcTotals } from './lib/profile.js';

const rounds = Number(process.argv[2] ?? 3);
const perRound = Number(process.argv[3] ?? 3000);
const profile = process.env.BENCH_PROFILE === '1';
const dir = mkdtempSync(join(tmpdir(), 'regate-layers-'));
const em = await forkChild<{ url: string }>('emulator.ts', { items: 2000, user: ONEC_USER });
// BENCH_DELIVERY=1: the delivery thread runs meanwhile into a 1C of 50 ms a call and 4 sessions, as in the booking
// suite's burst (its commits reset the API connection's page cache, and it competes for the write lock); else none.
const delivery = process.env.BENCH_DELIVERY === '1';
const rg = await forkChild<{ url: string; stores: string[] }>('regate.ts', { onecUrl: em.ready.url, onecUser: ONEC_USER, apiUser: API_USER, dbPath: join(dir, 'layers.sqlite'), confirmWindowMs: 0, worker: delivery, sessions: 4, env: Object.fromEntries((process.env.BENCH_REGATE_ENV ?? '').split(',').filter(Boolean).map((kv) => kv.split('='))) }, { readyTimeoutMs: 300_000, verbose: process.env.BENCH_VERBOSE === '1', execArgv: (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean) });
if (delivery) await em.call('setFaults', { latencyMs: 50, poolSize: 4 });
const auth = basic(API_USER);
const headers = { authorization: auth, 'content-type': 'application/json' };
try {
  // Lines with stock for a hundred orders each: the rounds book the same lines thousands of times.
  const { order } = await prepareBookings({ url: rg.ready.url, headers, stores: rg.ready.stores, clientPrefix: 'layers-client-', stockFactor: 100 });
  type Cost = { n: number; cpuMs: number; statuses: Record<string, number> };
  type Cpu = { mainMs: number | null; processMs: number; answered: number; gc?: GcTotals };
  const best: Record<string, number> = {};
  for (let round = 1; round <= rounds; round++) {
    const last = profile && round === rounds;
    const row: Record<string, number> = {};
    for (const layer of ['service', 'app'] as const) {
      const bodies = Array.from({ length: perRound }, () => order(`layers-${layer[0]}-`));
      const c = await rg.call<Cost>('bookingCost', { layer, bodies, inFlight: 64, auth, profile: last ? join(process.cwd(), `bench/results/booking-layers-${layer}.cpuprofile`) : undefined });
      if (!c.statuses['202'] || c.statuses['202'] < c.n * 0.9) throw new Error(`${layer}: ${JSON.stringify(c.statuses)}`);
      row[layer] = c.cpuMs / c.n;
    }
    // BENCH_WARMUP_S: that long at 64 connections over HTTP first (a server that has served before), then the burst on
    // new connections.
    if (Number(process.env.BENCH_WARMUP_S ?? 0) > 0) await load({ url: rg.ready.url, method: 'POST', connections: 64, durationS: Number(process.env.BENCH_WARMUP_S), headers, next: () => ({ path: '/api/v1/booking', body: order('layers-w-') }) });
    // BENCH_IDLE_S: the server idle that long before the burst (the booking suite's echo baseline runs meanwhile).
    if (Number(process.env.BENCH_IDLE_S ?? 0) > 0) await new Promise((res) => setTimeout(res, Number(process.env.BENCH_IDLE_S) * 1000));
    const c0 = await rg.call<Cpu>('cpu');
    // BENCH_TIMELINE with BENCH_VERBOSE: the daemon's clock at the burst's start, for its --trace-gc lines.
    if (process.env.BENCH_TIMELINE) console.error(`burst starts at the daemon's ${(await rg.call<number>('clock')).toFixed(0)} ms`);
    if (last) await rg.call('profileStart');
    const r = await load({ url: rg.ready.url, method: 'POST', connections: Number(process.env.BENCH_CONNECTIONS ?? 64), durationS: Number(process.env.BENCH_DURATION_S ?? 3), headers, next: () => ({ path: '/api/v1/booking', body: order('layers-h-') }) });
    if (last) await rg.call('profileStop', join(process.cwd(), 'bench/results/booking-layers-http.cpuprofile'));
    await new Promise((res) => setTimeout(res, 300));
    const c1 = await rg.call<Cpu>('cpu');
    if (r.non2xx > r.requests * 0.1) throw new Error(`http: ${JSON.stringify(r.statusCodes)}`);
    row.http = (c1.mainMs! - c0.mainMs!) / (c1.answered - c0.answered);
    row.process = (c1.processMs - c0.processMs) / (c1.answered - c0.answered);
    row.rps = r.rps;
    console.log(`round ${round}: service ${row.service.toFixed(3)} ms, app ${row.app.toFixed(3)} ms, http ${row.http.toFixed(3)} ms CPU per booking on the API thread, ${row.process.toFixed(3)} ms in the whole process (${r.rps.toFixed(0)}/s at ${process.env.BENCH_CONNECTIONS ?? 64} connections, p50 ${r.latency.p50}, p90 ${r.latency.p90}, p99 ${r.latency.p99}, max ${r.latency.max} ms (as autocannon stamps first requests p99 ${r.stamped?.p99}, max ${r.stamped?.max}; clients built ${r.stamped?.unsentP50} / ${r.stamped?.unsentMax} ms before connecting); first answers p50 ${r.firstAnswer.p50}, max ${r.firstAnswer.max} ms; after the first second p50 ${r.afterFirstSecond?.p50}, p99 ${r.afterFirstSecond?.p99}, max ${r.afterFirstSecond?.max} ms), load ${loadavg()[0].toFixed(2)}`);
    console.log(`  API thread GC in the burst: ${gcBetween(c0.gc, c1.gc) ?? 'not counted'}`);
    for (const [k, v] of Object.entries(row)) best[k] = k === 'rps' ? Math.max(best[k] ?? 0, v) : Math.min(best[k] ?? Infinity, v);
  }
  console.log(`least: service ${best.service.toFixed(3)}, app ${best.app.toFixed(3)}, http ${best.http.toFixed(3)} ms (process ${best.process.toFixed(3)}); most ${best.rps.toFixed(0)}/s`);
} finally {
  await rg.stop();
  await em.stop();
  rmSync(dir, { recursive: true, force: true });
}
