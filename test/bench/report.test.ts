import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { finish, latencySvg, markdownTable, MARK_BEGIN, MARK_END, splice } from '../../bench/lib/report.js';
import { summarise } from '../../bench/lib/profile.js';

describe('bench report', () => {
  it('computes the ratio to the baseline and judges the target on the value or on the ratio', () => {
    const rps = finish({ bench: 'read', name: 'req/s', value: 1500, unit: 'req/s', baseline: { name: 'healthz', value: 20000 }, target: { on: 'value', op: '>=', value: 2000 } });
    expect(rps.ratio).toBeCloseTo(0.075);
    expect(rps.met).toBe(false);
    const sync = finish({ bench: 'sync', name: 'requests', value: 80, unit: 'requests', baseline: { name: 'bound', value: 79 }, target: { on: 'ratio', op: '<=', value: 1.2 } });
    expect(sync.met).toBe(true);
    const over = finish({ ...sync, value: 100 });
    expect(over.met).toBe(false);
    // No figure (e.g. nothing delivered) never counts as met.
    expect(finish({ bench: 'b', name: 'delivery', value: null, unit: 'orders/s', target: { on: 'value', op: '>=', value: 1 } }).met).toBe(false);
    expect(finish({ bench: 'b', name: 'info', value: 3, unit: 's' }).met).toBeNull();
  });

  it('replaces only what is between the markers, and appends them when absent', () => {
    const doc = `# T\n\nbefore\n${MARK_BEGIN}\nold table\n${MARK_END}\nafter\n`;
    const out = splice(doc, 'new table');
    expect(out).toBe(`# T\n\nbefore\n${MARK_BEGIN}\nnew table\n${MARK_END}\nafter\n`);
    expect(splice(out, 'newer')).toContain(`${MARK_BEGIN}\nnewer\n${MARK_END}\nafter`);
    const appended = splice('# T\n', 'x');
    expect(appended).toContain(`${MARK_BEGIN}\nx\n${MARK_END}`);
  });

  it('writes a markdown row per figure with the verdict', () => {
    const md = markdownTable([finish({ bench: 'read', name: 'p99', value: 300, unit: 'ms', baseline: { name: 'healthz p99', value: 30 }, target: { on: 'value', op: '<=', value: 250 } })]);
    expect(md.split('\n')).toHaveLength(3);
    expect(md).toContain('| read | p99 | 300 | ms | healthz p99: 30 | 10× | ≤ 250 | **no** |');
  });

  it('draws well-formed SVG with one path per percentile and series', () => {
    const pts = (k: number) => [16, 64, 256].map((c) => ({ connections: c, p50: c / 8 * k, p90: c / 4 * k, p99: c / 2 * k, rps: 1000 }));
    const svg = latencySvg({ title: 'T & <x>', subtitle: 's', series: pts(1), baseline: pts(0.1), targetP99Ms: 250 });
    expect(XMLValidator.validate(svg)).toBe(true);
    const paths = (new XMLParser({ ignoreAttributes: false }).parse(svg).svg.path as unknown[]).length;
    expect(paths).toBe(6);
  });

  it('charges native samples to the nearest src/ frame', () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: 0 }, children: [2, 4] },
        { id: 2, callFrame: { functionName: 'state', url: 'file:///r/src/catalog/service.ts', lineNumber: 89 }, children: [3] },
        { id: 3, callFrame: { functionName: 'all', url: '', lineNumber: 0 } },
        { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: 0 } },
      ],
      samples: [3, 3, 3, 2, 4],
      timeDeltas: [1000, 1000, 1000, 1000, 6000],
      startTime: 0,
      endTime: 10000,
    };
    const s = summarise(profile);
    expect(s.busyMs).toBe(4);
    expect(s.bySrcFrame[0]).toMatchObject({ frame: 'state src/catalog/service.ts', pct: 100 });
    expect(s.functions[0]).toMatchObject({ fn: 'all', pct: 75 });
  });
});
