/**
 * Demo base generation cost: `npx tsx bench/demo-generate.ts --items 100000 [--seed 1] [--variant ut11.4]`.
 * Prints wall time, row counts and memory: the true RSS high-water mark (getrusage maxRSS) and heapUsed at the
 * end (the base is still referenced, so that is what it retains). Generation is synchronous, so an interval
 * sampler could not see inside it; maxRSS covers transient peaks. Run with `node --expose-gc --import tsx` to
 * start from a collected heap.
 */
import { generateDemoBase } from '../src/emulator/demo/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const items = Number(arg('items', '100000'));
const seed = arg('seed', '1');
const variant = arg('variant', 'ut11.5') as 'ut11.5' | 'ut11.4';
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

global.gc?.();
const before = process.memoryUsage();
let peakRss = before.rss;
let peakHeap = before.heapUsed;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
// Generation is synchronous, so the timer only fires afterwards; sampling at the end catches the retained peak
// (the rows are still referenced), and rss never shrinks much within the run.
const timer = setInterval(sample, 20);
const t0 = performance.now();
const base = generateDemoBase({ seed, items, variant });
const ms = performance.now() - t0;
sample();
clearInterval(timer);

const counts = Object.entries(base.rows)
  .filter(([, r]) => r.length)
  .map(([set, r]) => `${set}=${r.length}`);
const total = Object.values(base.rows).reduce((s, r) => s + r.length, 0);
console.log(`demo base: ${items} items, seed ${seed}, ${variant}`);
console.log(`time: ${(ms / 1000).toFixed(2)} s`);
console.log(`rows: ${total} in ${counts.length} sets`);
console.log(`  ${counts.join('\n  ')}`);
const maxRss = process.resourceUsage().maxRSS * 1024;
console.log(`memory: rss ${mb(before.rss)} → ${mb(peakRss)} (high-water maxRSS ${mb(maxRss)}); heapUsed ${mb(before.heapUsed)} → ${mb(peakHeap)} retained`);
