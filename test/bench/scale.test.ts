import { describe, expect, it } from 'vitest';
import { spliceScale } from '../../bench/run.js';
import { costGrowthMarkdown, type ScalePoint } from '../../bench/suites/scale.js';

// The cost growth table of docs/benchmarks.md: written between its own markers, with the load of every figure.
const lr = (rps: number, p99: number, load: number) => ({ connections: 64, seconds: 8, requests: rps * 8, ok: rps * 8, rps, latency: { p50: 1, p90: 2, p99, max: 3, mean: 1 }, non2xx: 0, errors: 0, timeouts: 0, statusCodes: { 200: rps * 8 }, firstAnswer: { answered: 64, unanswered: 0, p50: 1, p90: 2, max: 3 }, load });
const point = (items: number): ScalePoint => ({
  items,
  stores: 7,
  pages: 548,
  syncMs: 1000,
  coldPage: { ms: [10, 30, 20], depthMs: { 'last (page 79)': 12.5 }, load: 3.3 },
  coldSearch: { ms: [5, 45], queries: ['a', 'b'], load: 3.4 },
  barcode: { ms: [2, 4, 3], load: 3.5 },
  changedSince: { ms: [1, 2], load: 3.6 },
  coldPass: { ms: 9000, load: 3.7 },
  cached: lr(900, 100, 3.8),
  cycled: lr(450, 200, 3.9),
  healthz: lr(6000, 20, 4.1),
  rssMB: 500,
  clientRoundTripMs: [],
});

describe('cost growth table', () => {
  it('has a row per size with its figures, the issue\'s before figures and the load of each', () => {
    const md = costGrowthMarkdown([point(20_000), point(100_000)], '2026-12-02T21:13:00.000Z', { cpus: 2, cpu: 'X', node: 'v20' });
    const rows = md.split('\n').filter((l) => l.startsWith('| 20,000') || l.startsWith('| 100,000'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('20.0 / 30.0 ms, load 3.3 (36)');
    expect(rows[0]).toContain('45.0 ms, load 3.4 (99)');
    expect(rows[0]).toContain('3.00 ms, load 3.5 (153)');
    expect(rows[1]).toContain('(16, p99 9.7 s)');
    expect(rows[1]).toMatch(/\| 0\.50 \|$/);
    expect(md).toContain('2026-12-02 21:13 UTC on 2 cores (X)');
  });

  it('replaces what is between its markers and appends the section once', () => {
    const once = spliceScale('# Benchmarks\n', 'T1');
    expect(once).toContain('## Cost growth\n\n<!-- bench:scale:begin -->\nT1\n<!-- bench:scale:end -->');
    const twice = spliceScale(once + '\nafter\n', 'T2');
    expect(twice).toContain('<!-- bench:scale:begin -->\nT2\n<!-- bench:scale:end -->');
    expect(twice).not.toContain('T1');
    expect(twice.match(/## Cost growth/g)).toHaveLength(1);
    expect(twice.endsWith('after\n')).toBe(true);
  });
});
