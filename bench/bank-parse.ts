/**
 * Statement parser throughput: `npx tsx bench/bank-parse.ts [MB]` (default 100).
 * Writes a cp1251 1CClientBankExchange file of ~MB megabytes to a temp dir (Sber style: one account section per
 * day, ~1 KB documents, CRLF), then measures in the same process:
 *   - read:     readFileSync of the file (the I/O an importer pays anyway);
 *   - baseline: decode cp1251 once + walk the lines with indexOf (the floor for any line parser in JS);
 *   - parse:    parseStatement(bytes) — decoding included.
 * Five rounds; prints median MB/s for each, the parse/baseline ratio, peak RSS of the first parse (getrusage
 * maxRSS) and the memory the parsed statement holds.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseStatement } from '../src/bank/parse/index.js';
import { generate } from './lib/statement.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const targetMB = Number(process.argv[2] ?? 100);

/** The floor: one decode + one pass over the lines, touching each line's first char (so nothing is optimised away). */
function baseline(bytes: Uint8Array): number {
  const text = new TextDecoder('windows-1251').decode(bytes);
  let pos = 0;
  let n = 0;
  let sum = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) break;
    sum += text.charCodeAt(pos);
    pos = nl + 1;
    n++;
  }
  return n + (sum & 1);
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

const dir = mkdtempSync(join(tmpdir(), 'regate-bank-bench-'));
const file = join(dir, 'statement.txt');
try {
  const [gen, genMs] = time(() => generate(file, targetMB * 1024 * 1024));
  const size = statSync(file).size;
  const MB = size / (1024 * 1024);
  console.log(`generated ${MB.toFixed(1)} MB cp1251: ${gen.docs} documents, ${gen.days} day sections (${(genMs / 1000).toFixed(1)} s)`);

  // Each round runs in its own function so nothing from a previous round stays reachable.
  const round = (first: boolean) => {
    gc();
    const [bytes, readMs] = time(() => readFileSync(file));
    gc();
    const m0 = process.memoryUsage();
    const [st, parseMs] = time(() => parseStatement(bytes));
    // The first parse runs before anything else big has been allocated, so the process peak so far is its peak.
    const peak = first ? process.resourceUsage().maxRSS / 1024 : 0;
    gc();
    const m1 = process.memoryUsage();
    // heap + external: the decoded text is an external string that the values (V8 slices of it) keep alive
    const held = m1.heapUsed + m1.external - (m0.heapUsed + m0.external);
    const docs = st.documents.length;
    const [, baseMs] = time(() => baseline(bytes));
    return { readMs, parseMs, baseMs, peak, held, docs };
  };
  const runs = [round(true), round(false), round(false), round(false), round(false)];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const best = {
    read: median(runs.map((r) => r.readMs)),
    base: median(runs.map((r) => r.baseMs)),
    parse: median(runs.map((r) => r.parseMs)),
  };
  const { peak: parsePeakRss, held, docs } = runs[0];
  const cold = runs[0].parseMs;
  const rate = (ms: number) => MB / (ms / 1000);
  console.log(`read      ${best.read.toFixed(0).padStart(6)} ms  ${rate(best.read).toFixed(0).padStart(5)} MB/s`);
  console.log(`baseline  ${best.base.toFixed(0).padStart(6)} ms  ${rate(best.base).toFixed(0).padStart(5)} MB/s   (decode cp1251 + walk lines)`);
  console.log(`parse     ${best.parse.toFixed(0).padStart(6)} ms  ${rate(best.parse).toFixed(0).padStart(5)} MB/s   (${docs} documents; median of ${runs.length}, first run ${cold.toFixed(0)} ms)`);
  console.log(`ratio     parse takes ${(best.parse / best.base).toFixed(2)}× the baseline time (${((rate(best.parse) / rate(best.base)) * 100).toFixed(0)}% of its speed)`);
  console.log(`memory    peak RSS ${parsePeakRss.toFixed(0)} MB during the first parse (file buffer + text + statement + node itself);`);
  console.log(`          the parsed statement holds ${(held / 1024 / 1024).toFixed(0)} MB (heap + external), ${(held / size).toFixed(1)}× the file`);
  console.log(`target    ≥ 50 MB/s: ${rate(best.parse) >= 50 ? 'met' : 'NOT met'}`);
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); else console.log(file);
}
