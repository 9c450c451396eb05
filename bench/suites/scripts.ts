/**
 * The stand-alone benchmark scripts (bench/bank-parse.ts, bench/bank-stream.ts, bench/demo-generate.ts, bench/outbox-throughput.ts),
 * each run as its own process exactly as documented in its header; their printed lines are parsed into figures.
 * A line that no longer matches makes the figure "—" with the reason, rather than a wrong number.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, REPO_ROOT } from '../lib/proc.js';
import { finish, type Figure } from '../lib/report.js';
import type { SuiteContext, SuiteResult } from './types.js';

export const BANK_TARGET_MBS = 50;

export function runScript(ctx: SuiteContext, nodeArgs: string[], script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const cp = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(BENCH_DIR, script), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    cp.stdout.on('data', (d) => {
      out += d;
      if (ctx.verbose) process.stderr.write(d);
    });
    cp.stderr.on('data', (d) => (err += d));
    cp.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}\n${err || out}`))));
  });
}

const num = (text: string, re: RegExp): number | null => {
  const m = re.exec(text);
  return m ? Number(m[1].replace(/\s/g, '')) : null;
};

export async function runBank(ctx: SuiteContext): Promise<SuiteResult> {
  const mb = ctx.quick ? 10 : 100;
  const out = await runScript(ctx, [], 'bank-parse.ts', [String(mb)]);
  for (const l of out.trim().split('\n')) ctx.log(`bank: ${l}`);
  const parse = num(out, /^parse\s+\d+ ms\s+(\d+) MB\/s/m);
  const base = num(out, /^baseline\s+\d+ ms\s+(\d+) MB\/s/m);
  const peak = num(out, /peak RSS (\d+) MB/);
  const held = num(out, /statement holds (\d+) MB/);
  const size = num(out, /^generated ([\d.]+) MB/m);
  const missing = 'output format of bench/bank-parse.ts changed';
  // regate bank parse on a statement twice the size, read in pieces (issue 19.4: ≤ 150 MB RSS at 200 MB)
  const streamMb = ctx.quick ? 20 : 200;
  const sout = await runScript(ctx, [], 'bank-stream.ts', [String(streamMb)]);
  for (const l of sout.trim().split('\n')) ctx.log(`bank stream: ${l}`);
  const sPeak = num(sout, /peak RSS (\d+) MB/);
  const sRate = num(sout, /^stream\s+\d+ ms\s+(\d+) MB\/s/m);
  const sLoad = /^load\s+(\S+)/m.exec(sout)?.[1];
  const sMissing = 'output format of bench/bank-stream.ts changed';
  const streamed = [
    finish({ bench: 'bank', name: `regate bank parse ${streamMb} MB (streamed, JSON out): peak RSS${sLoad ? `, load ${sLoad}` : ''}`, value: sPeak, unit: 'MB', target: { on: 'value', op: '<=', value: 150 }, note: sPeak == null ? sMissing : undefined }),
    finish({ bench: 'bank', name: `regate bank parse ${streamMb} MB (two passes + JSON out)`, value: sRate, unit: 'MB/s', note: sRate == null ? sMissing : undefined }),
  ];
  return {
    figures: [
      finish({ bench: 'bank', name: `statement parse, ${size ?? mb} MB cp1251`, value: parse, unit: 'MB/s', baseline: { name: 'decode + walk lines', value: base }, target: { on: 'value', op: '>=', value: BANK_TARGET_MBS }, note: parse == null ? missing : undefined }),
      finish({ bench: 'bank', name: 'peak RSS during the first parse', value: peak, unit: 'MB', note: peak == null ? missing : undefined }),
      finish({ bench: 'bank', name: 'memory held by the parsed statement', value: held, unit: 'MB', note: held == null ? missing : undefined }),
      ...streamed,
    ],
    details: { mb, output: out, stream: { mb: streamMb, output: sout } },
  };
}

export async function runDemo(ctx: SuiteContext): Promise<SuiteResult> {
  const items = ctx.quick ? 10_000 : 100_000;
  const out = await runScript(ctx, ['--expose-gc'], 'demo-generate.ts', ['--items', String(items)]);
  for (const l of out.trim().split('\n')) if (!l.startsWith('  ')) ctx.log(`demo: ${l}`);
  const seconds = num(out, /^time: ([\d.]+) s/m);
  const maxRss = num(out, /high-water maxRSS ([\d.]+) MB/);
  const heap = num(out, /heapUsed [\d.]+ MB → ([\d.]+) MB retained/);
  const rows = num(out, /^rows: (\d+)/m);
  const missing = 'output format of bench/demo-generate.ts changed';
  const label = `${items / 1000}k`;
  return {
    figures: [
      finish({ bench: 'demo', name: `generate demo base, ${label} items${rows ? ` (${rows.toLocaleString('en-US')} rows)` : ''}`, value: seconds, unit: 's', note: seconds == null ? missing : undefined }),
      finish({ bench: 'demo', name: `peak RSS generating ${label} items`, value: maxRss, unit: 'MB', note: maxRss == null ? missing : undefined }),
      finish({ bench: 'demo', name: `heap retained by the ${label} base`, value: heap, unit: 'MB', note: heap == null ? missing : undefined }),
    ],
    details: { items, output: out },
  };
}

export async function runOutbox(ctx: SuiteContext): Promise<SuiteResult> {
  const cycles = ctx.quick ? 500 : 2000;
  const out = await runScript(ctx, [], 'outbox-throughput.ts', [String(cycles)]);
  for (const l of out.trim().split('\n')) ctx.log(`outbox: ${l}`);
  const full = num(out, /^enqueue \+ claim \+ complete, 3 commits each \(FULL\)\s+(\d+) cycles\/s/m);
  const normal = num(out, /^same, synchronous=NORMAL.*?\s(\d+) cycles\/s/m);
  const worker = num(out, /^worker drains a backlog.*?\s(\d+) jobs\/s/m);
  const missing = 'output format of bench/outbox-throughput.ts changed';
  const figures: Figure[] = [
    finish({ bench: 'outbox', name: 'enqueue + claim + complete (3 commits, synchronous=FULL)', value: full, unit: 'cycles/s', baseline: { name: 'synchronous=NORMAL', value: normal }, note: full == null ? missing : undefined }),
    finish({ bench: 'outbox', name: 'worker drains a backlog (no-op handler, 4 at a time)', value: worker, unit: 'jobs/s', note: worker == null ? missing : undefined }),
  ];
  return { figures, details: { cycles, output: out } };
}
