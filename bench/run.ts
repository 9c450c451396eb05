/**
 * The benchmark harness: `npm run bench` (= `regate bench`, = `npx tsx bench/run.ts`).
 *
 *   npm run bench                      every benchmark; writes bench/results/latest.json, the table in
 *                                      docs/benchmarks.md (between its markers) and docs/bench-latency.svg
 *   npm run bench -- --only read,sync  some of them (the others keep their last figures in latest.json)
 *   npm run bench -- --quick           a short smoke run (small bases, 2 s loads); writes bench/results/quick.json
 *                                      only, never the docs — its figures are not comparable
 *   --profile                          CPU-profile the server during the 64-connection read measurement and the
 *                                      booking burst (a few per cent of their throughput; the 256-connection
 *                                      headline is never profiled) and print where the time goes
 *   --strict                           exit 1 when a target is not met
 *   --verbose                          show the children's output
 *   --render                           run nothing; write the docs table and the picture again from latest.json
 *   npm run bench -- --scale           reads at 20k, 100k and 300k items (cold page at every depth, search, barcode,
 *                                      changedSince; cached and all-pages-cycled rates against healthz), and the
 *                                      "cost growth" table in docs/benchmarks.md; --quick: 2k and 5k. Takes ~15 min.
 *   npm run bench -- --only stall      the API probed every 25 ms during full and stock syncs (20k, 100k items), the
 *                                      syncs on the API thread (before) and in the worker thread (now)
 *
 * Every figure with a baseline is divided by a baseline measured in the same run on the same machine (healthz,
 * an echo server, the request lower bound, a decode-and-walk pass), so a ratio means something on a busy or a
 * different machine even when the absolute figure moves.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, REPO_ROOT } from './lib/proc.js';
import { latencySvg, markdownTable, splice, terminalTable, type Figure } from './lib/report.js';
import type { ProfileSummary } from './lib/profile.js';
import type { SuiteContext, SuiteResult } from './suites/types.js';
import { runRead, READ_TARGET } from './suites/read.js';
import { runSync } from './suites/sync.js';
import { runBooking } from './suites/booking.js';
import { runBank, runDemo, runOutbox } from './suites/scripts.js';
import { runReadFix } from './suites/readfix.js';
import { costGrowthMarkdown, runScale, syncGrowthMarkdown, type MillionSync, type ScalePoint, type StallFigure } from './suites/scale.js';
import { runStall } from './suites/stall.js';

export const SUITES: Record<string, { title: string; run: (ctx: SuiteContext) => Promise<SuiteResult>; optional?: boolean }> = {
  read: { title: 'Read API under load (assortment vs healthz)', run: runRead },
  sync: { title: 'Cold catalogue sync of a 20,000-item base', run: runSync },
  booking: { title: 'Booking burst and delivery into a slow 1C', run: runBooking },
  bank: { title: 'Bank statement parse (100 MB)', run: runBank },
  demo: { title: 'Demo base generation (100k items)', run: runDemo },
  outbox: { title: 'Outbox on disk', run: runOutbox },
  scale: { title: 'Reads at 20k, 100k and 300k items (only with --scale or --only scale)', run: runScale, optional: true },
  stall: { title: 'API latency during a full and a stock sync at 20k and 100k items, on the API thread and in the worker (only with --only stall)', run: runStall, optional: true },
  readfix: { title: 'PROTOTYPE of the next proposed read fix, state() narrowed (not product code; only with --only readfix)', run: runReadFix, optional: true },
};

export interface BenchOptions {
  /** Run nothing: write the table, the docs and the picture again from latest.json. */
  render?: boolean;
  only?: string[];
  quick?: boolean;
  profile?: boolean;
  strict?: boolean;
  verbose?: boolean;
  /** The scale suite (reads at 20k / 100k / 300k items) and the cost-growth table. */
  scale?: boolean;
}

interface StoredSuite {
  at: string;
  seconds: number;
  figures: Figure[];
  /** The points of the latency picture (read). */
  latency?: SuiteResult['latency'];
  details: Record<string, unknown>;
  error?: string;
}

interface Results {
  machine: Record<string, unknown>;
  suites: Record<string, StoredSuite>;
  /** The last CPU profile summary per suite (kept when a later run is not profiled). */
  profiles?: Record<string, { at: string; summary: ProfileSummary }>;
}

const RESULTS_DIR = join(BENCH_DIR, 'results');
const DOC = join(REPO_ROOT, 'docs', 'benchmarks.md');
const SVG = join(REPO_ROOT, 'docs', 'bench-latency.svg');

export async function runBench(opts: BenchOptions = {}): Promise<number> {
  const names = opts.render ? [] : opts.only?.length ? [...opts.only, ...(opts.scale && !opts.only.includes('scale') ? ['scale'] : [])] : opts.scale ? ['scale'] : Object.keys(SUITES).filter((n) => !SUITES[n].optional);
  const unknown = names.filter((n) => !SUITES[n]);
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
  const quick = !!opts.quick;
  const file = join(RESULTS_DIR, quick ? 'quick.json' : 'latest.json');
  // One directory per run: a second run started meanwhile (another suite) removed the shared .tmp/bench at its end,
  // under the first run's databases.
  const tmpDir = join(REPO_ROOT, '.tmp', `bench-${process.pid}`);
  mkdirSync(tmpDir, { recursive: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    at: new Date().toISOString(),
  };
  const log = (line: string) => console.log(line);
  log(`ReGate benchmarks${quick ? ' (quick smoke run)' : ''}: ${names.join(', ')} — ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}, load ${machine.loadavgAtStart.join(' ')}`);
  const previous: Results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { machine, suites: {} };
  // The machine line above the table describes the full run; a subset (--only, --scale) run on another machine
  // must not relabel the other suites' figures (each suite keeps its own machine in details.machine).
  const full = names.length > 0 && Object.keys(SUITES).filter((n) => !SUITES[n].optional).every((n) => names.includes(n));
  const results: Results = { machine: opts.render || (!full && previous.machine) ? previous.machine : machine, suites: { ...previous.suites }, profiles: { ...previous.profiles } };
  const ctx: SuiteContext = { quick, tmpDir, resultsDir: RESULTS_DIR, profile: !!opts.profile, verbose: !!opts.verbose, log };
  let svgData: SuiteResult['latency'] = opts.render ? previous.suites.read?.latency ?? latencyFromDetails(previous.suites.read) : undefined;
  for (const name of names) {
    log(`\n== ${name}: ${SUITES[name].title}`);
    const t0 = performance.now();
    try {
      const r = await SUITES[name].run(ctx);
      results.suites[name] = { at: new Date().toISOString(), seconds: Math.round((performance.now() - t0) / 100) / 10, figures: r.figures, latency: r.latency, details: { ...r.details, machine } };
      if (name === 'scale') keepOtherSizes(previous.suites.scale, results.suites.scale);
      if (r.latency) svgData = r.latency;
      const profile = r.details.profile as ProfileSummary | undefined;
      if (profile) {
        log(profileText(profile));
        results.profiles![name] = { at: results.suites[name].at, summary: profile };
      }
      const delivery = r.details.profileDelivery as { regate: ProfileSummary; emulator: ProfileSummary } | undefined;
      if (delivery) {
        results.profiles![`${name}-delivery`] = { at: results.suites[name].at, summary: delivery.regate };
        results.profiles![`${name}-delivery-emulator`] = { at: results.suites[name].at, summary: delivery.emulator };
      }
    } catch (e) {
      const error = e instanceof Error ? e.stack ?? e.message : String(e);
      log(`${name} FAILED: ${error}`);
      results.suites[name] = { at: new Date().toISOString(), seconds: Math.round((performance.now() - t0) / 100) / 10, figures: [], details: { machine }, error };
    }
  }
  rmSync(tmpDir, { recursive: true, force: true });
  if (!opts.render) writeFileSync(file, JSON.stringify(results, null, 2) + '\n');

  const figures = Object.keys(SUITES).flatMap((n) => results.suites[n]?.figures ?? []);
  const ran = opts.render ? figures : names.flatMap((n) => results.suites[n]?.figures ?? []);
  log(`\n${terminalTable(ran)}\n`);
  if (!opts.render) log(`wrote ${file}`);
  if (!quick) {
    if (svgData) {
      writeFileSync(SVG, latencySvg({ title: 'ReGate read API: latency percentiles against concurrency', subtitle: svgData.subtitle, series: svgData.series, baseline: svgData.baseline, targetP99Ms: READ_TARGET.p99 }));
      log(`wrote ${SVG}`);
    }
    if (existsSync(DOC)) {
      writeFileSync(DOC, splice(readFileSync(DOC, 'utf8'), resultsMarkdown(results, figures)));
      log(`wrote the table into ${DOC}`);
      const scale = results.suites.scale;
      const points = scale?.details.points as ScalePoint[] | undefined;
      if (points?.length) {
        const stall = results.suites.stall;
        const syncs = syncGrowthMarkdown(points, stallFigures(stall?.details), scale!.details.million as MillionSync | undefined, stall?.at);
        writeFileSync(DOC, spliceScale(readFileSync(DOC, 'utf8'), `${costGrowthMarkdown(points, scale!.at, scale!.details.machine as { cpus: number; cpu: string; node: string } | undefined)}\n\n${syncs}`));
        log(`wrote the cost growth table into ${DOC}`);
      }
    }
  }
  const failed = names.filter((n) => results.suites[n]?.error);
  const missed = ran.filter((f) => f.met === false);
  if (missed.length) log(`targets not met: ${missed.map((f) => `${f.bench}: ${f.name}`).join('; ')}`);
  if (failed.length) log(`benchmarks that failed to run: ${failed.join(', ')}`);
  return failed.length || (opts.strict && missed.length) ? 1 : 0;
}

/**
 * A scale run of some sizes (BENCH_SCALE_SIZES) keeps the previous run's points and figures of the other sizes, and
 * its 1M sync when this run skipped it (BENCH_SCALE_MILLION=0); each point carries the time it was measured.
 */
function keepOtherSizes(prev: StoredSuite | undefined, now: StoredSuite) {
  if (!prev || prev.error) return;
  const label = (items: number) => (items >= 1_000_000 ? `${items / 1_000_000}M` : items >= 1000 ? `${items / 1000}k` : String(items));
  const points = (now.details.points ?? []) as ScalePoint[];
  const ran = new Set(points.map((p) => p.items));
  const kept = ((prev.details.points ?? []) as ScalePoint[]).filter((p) => !ran.has(p.items)).map((p) => ({ ...p, at: p.at ?? prev.at }));
  const keptNames = new Set(kept.map((p) => `${label(p.items)}:`));
  const million = now.details.million ?? prev.details.million;
  const millionPrefix = million ? `${label((million as MillionSync).items)}:` : undefined;
  const keepFigure = (f: Figure) => keptNames.has(f.name.split(' ')[0]) || (!now.details.million && millionPrefix !== undefined && f.name.startsWith(millionPrefix));
  now.figures = [...prev.figures.filter(keepFigure), ...now.figures];
  now.details = { ...now.details, points: [...kept, ...points].sort((a, b) => a.items - b.items), million };
}

/** The worker-mode stall runs (the daemon as it runs now) as the cost-growth table lists them. */
function stallFigures(details?: Record<string, unknown>): StallFigure[] {
  type Run = { kind: 'full' | 'stock'; mode: string; idle?: { p99: number }; probe: { p99: number; max: number; load: number } };
  const points = (details?.points ?? []) as { items: number; idle: { p99: number }; runs: Run[] }[];
  return points.flatMap((p) => p.runs.filter((r) => r.mode === 'worker').map((r) => ({ items: p.items, kind: r.kind, p99: r.probe.p99, max: r.probe.max, idleP99: r.idle?.p99 ?? p.idle.p99, load: r.probe.load })));
}

const SCALE_BEGIN = '<!-- bench:scale:begin -->';
const SCALE_END = '<!-- bench:scale:end -->';

/** The cost-growth table between its own markers (a "Cost growth" section appended when absent). */
export function spliceScale(doc: string, body: string): string {
  const i = doc.indexOf(SCALE_BEGIN);
  const j = doc.indexOf(SCALE_END);
  const block = `${SCALE_BEGIN}\n${body}\n${SCALE_END}`;
  if (i >= 0 && j > i) return doc.slice(0, i) + block + doc.slice(j + SCALE_END.length);
  return `${doc.trimEnd()}\n\n## Cost growth\n\n${block}\n`;
}

/** Results written before the picture's points were stored: rebuild them from the raw load results. */
function latencyFromDetails(read?: StoredSuite): SuiteResult['latency'] {
  type Raw = { connections: number; rps: number; latency: { p50: number; p90: number; p99: number } };
  const d = read?.details as { sweep?: Raw[]; healthz?: Raw[]; items?: number; pages?: number } | undefined;
  if (!d?.sweep || !d.healthz) return undefined;
  const pt = (r: Raw) => ({ connections: r.connections, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, rps: r.rps });
  return {
    series: d.sweep.map(pt),
    baseline: d.healthz.map(pt),
    subtitle: `GET /api/v1/assortment with gzip (100-item pages, ${d.pages} distinct pages, ${(d.items ?? 0).toLocaleString('en-US')}-item base) vs GET /healthz; 5–10 s per point`,
  };
}

function profileText(p: ProfileSummary): string {
  const lines = [`CPU profile of the server during the measurement (${p.busyMs} ms busy of ${p.totalMs} ms; ${p.file}):`, '  by area (self time):'];
  for (const a of p.areas.slice(0, 10)) lines.push(`    ${String(a.pct).padStart(5)}%  ${a.area}`);
  lines.push('  top functions (self time):');
  for (const f of p.functions.slice(0, 15)) lines.push(`    ${String(f.pct).padStart(5)}%  ${f.fn}  ${f.where}`);
  lines.push('  charged to the nearest src/ frame (native work lands on the ReGate code that asked for it):');
  for (const f of p.bySrcFrame.slice(0, 12)) lines.push(`    ${String(f.pct).padStart(5)}%  ${f.frame}`);
  return lines.join('\n');
}

function resultsMarkdown(results: Results, figures: Figure[]): string {
  const out: string[] = [];
  const runs = Object.entries(results.suites).filter(([n]) => SUITES[n]);
  const m = results.machine as { cpus: number; cpu: string; node: string; memoryGB: number };
  // A suite run alone (--only) on another processor than the full run's says which.
  const when = runs.map(([n, s]) => {
    const sm = s.details.machine as { cpus: number; cpu?: string; node: string; loadavgAtStart: number[] } | undefined;
    const other = sm?.cpu && sm.cpu !== m.cpu ? `, ${sm.cpu}` : '';
    return `${n} ${s.at.slice(0, 16).replace('T', ' ')} UTC${sm ? ` (load ${sm.loadavgAtStart[0]}${other})` : ''}${s.error ? ' — FAILED, see latest.json' : ''}`;
  });
  out.push(`Machine: ${m.cpus} cores (${m.cpu}), ${m.memoryGB} GB, Node ${m.node}. Measured: ${when.join('; ')}.`);
  out.push('');
  out.push(markdownTable(figures));
  out.push('');
  out.push('![Read API latency percentiles against concurrency](bench-latency.svg)');
  const what: Record<string, string> = {
    read: 'the 64-connection assortment run (the headline 256-connection run is not profiled)',
    booking: 'the booking burst',
    'booking-delivery': 'the delivery phase after the burst (10 s)',
  };
  for (const [name, { at, summary: profile }] of Object.entries(results.profiles ?? {})) {
    out.push('');
    if (name === 'booking-delivery-emulator') {
      out.push(`CPU profile of the emulator process during the same delivery phase (${profile.busyMs} ms busy of ${profile.totalMs} ms), by nearest src/ frame:`);
      out.push('');
      out.push('| share | charged to the nearest src/ frame |');
      out.push('|--:|---|');
      for (const f of (profile.bySrcFrame ?? []).slice(0, 8)) out.push(`| ${f.pct}% | \`${f.frame}\` |`);
      continue;
    }
    out.push(`CPU profile of the ReGate process during ${what[name] ?? name} (${at.slice(0, 16).replace('T', ' ')} UTC; self time, ${profile.busyMs} ms busy of ${profile.totalMs} ms):`);
    out.push('');
    out.push('| share | area |');
    out.push('|--:|---|');
    for (const a of profile.areas.slice(0, 8)) out.push(`| ${a.pct}% | ${a.area} |`);
    out.push('');
    out.push('| share | function | where |');
    out.push('|--:|---|---|');
    for (const f of profile.functions.slice(0, 12)) out.push(`| ${f.pct}% | \`${f.fn}\` | ${f.where.replace(/\|/g, '\\|')} |`);
    out.push('');
    out.push('| share | charged to the nearest src/ frame |');
    out.push('|--:|---|');
    for (const f of (profile.bySrcFrame ?? []).slice(0, 10)) out.push(`| ${f.pct}% | \`${f.frame}\` |`);
  }
  // Profiles stored before line numbers of tsx-compiled files were dropped: drop them here too.
  return out.join('\n').replace(/((?:src|bench)\/[\w/.-]+\.ts):\d+/g, '$1');
}

function parseArgs(argv: string[]): BenchOptions {
  const opts: BenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--profile') opts.profile = true;
    else if (a === '--strict') opts.strict = true;
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--render') opts.render = true;
    else if (a === '--scale') opts.scale = true;
    else if (a === '--only') opts.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) opts.only = a.slice(7).split(',').filter(Boolean);
    else if (a === '-h' || a === '--help') {
      console.log(readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]);
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runBench(parseArgs(process.argv.slice(2))).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
