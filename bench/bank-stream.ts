/**
 * `regate bank parse` on a large statement: `npx tsx bench/bank-stream.ts [MB]` (default 200).
 * Generates a cp1251 statement of ~MB megabytes (bench/lib/statement.ts, as bench/bank-parse.ts), then runs the
 * real CLI (node bin/regate.mjs bank parse FILE) under /usr/bin/time, its JSON read by this process and counted
 * (nothing kept). Prints the CLI's peak RSS (the target: ≤ 150 MB for 200 MB), its time, the bytes of
 * JSON and the document count the output's summary gives against the generator's. The load average is printed
 * with the figures (the machine is shared).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generate } from './lib/statement.js';

const targetMB = Number(process.argv[2] ?? 200);
const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'regate-bank-stream-'));
const file = join(dir, 'statement.txt');
try {
  const gen = generate(file, targetMB * 1024 * 1024);
  const MB = statSync(file).size / (1024 * 1024);
  console.log(`generated ${MB.toFixed(1)} MB cp1251: ${gen.docs} documents`);
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  const t0 = performance.now();
  const r = await new Promise<{ code: number | null; out: number; head: string; err: string }>((done) => {
    const cp = spawn('/usr/bin/time', ['-f', 'TIME %M %e', process.execPath, join(root, 'bin/regate.mjs'), 'bank', 'parse', file], { cwd: root });
    let out = 0;
    let head = '';
    let err = '';
    cp.stdout.on('data', (d: Buffer) => {
      if (head.length < 4096) head += d.toString('utf8');
      out += d.length;
    });
    cp.stderr.on('data', (d) => (err += d));
    cp.on('exit', (code) => done({ code, out, head, err }));
  });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`bank parse exited ${r.code}: ${r.err}`);
  const m = /TIME (\d+) ([\d.]+)/.exec(r.err);
  const peak = m ? Number(m[1]) / 1024 : NaN;
  const docs = Number(/"documents": (\d+)/.exec(r.head)?.[1]);
  console.log(`stream    ${ms.toFixed(0).padStart(6)} ms  ${(MB / (ms / 1000)).toFixed(0).padStart(5)} MB/s   (regate bank parse, both passes, JSON out ${(r.out / 1024 / 1024).toFixed(0)} MB)`);
  console.log(`memory    peak RSS ${peak.toFixed(0)} MB for a ${MB.toFixed(0)} MB statement (target ≤ 150 MB at 200 MB: ${peak <= 150 ? 'met' : 'NOT met'})`);
  console.log(`documents ${docs} in the summary, ${gen.docs} generated: ${docs === gen.docs ? 'same' : 'DIFFERENT'}`);
  console.log(`load      ${load} (1/5/15 min, at the start)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
