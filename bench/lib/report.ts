/**
 * Figures, the results table (terminal and markdown), the docs/benchmarks.md splice and the latency SVG.
 */
export interface Target {
  /** Which number the target is about: the figure itself or its ratio to the baseline. */
  on: 'value' | 'ratio';
  op: '>=' | '<=';
  value: number;
}

export interface Figure {
  bench: string;
  name: string;
  value: number | null;
  unit: string;
  baseline?: { name: string; value: number | null };
  /** value / baseline.value (computed when both are numbers). */
  ratio?: number | null;
  target?: Target;
  /** Computed from the target; null when there is no target or no value. */
  met?: boolean | null;
  note?: string;
}

export function finish(f: Figure): Figure {
  const b = f.baseline?.value;
  const ratio = f.value != null && b != null && b !== 0 ? f.value / b : null;
  let met: boolean | null = null;
  if (f.target) {
    const x = f.target.on === 'value' ? f.value : ratio;
    met = x == null ? false : f.target.op === '>=' ? x >= f.target.value : x <= f.target.value;
  }
  return { ...f, ratio: f.baseline ? ratio : undefined, met };
}

export function fmtNum(v: number | null | undefined): string {
  if (v == null || Number.isNaN(v)) return '—';
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }).replace(/,/g, ' ');
}

const fmtTarget = (t?: Target) => (t ? `${t.on === 'ratio' ? 'ratio ' : ''}${t.op === '>=' ? '≥' : '≤'} ${fmtNum(t.value)}` : '');
const fmtMet = (f: Figure) => (f.met == null ? '' : f.met ? 'yes' : '**no**');

export function markdownTable(figures: Figure[]): string {
  const rows = [
    '| benchmark | figure | value | unit | baseline (same run) | ratio | target | met? |',
    '|---|---|--:|---|---|--:|---|---|',
  ];
  for (const f of figures) {
    const base = f.baseline ? `${f.baseline.name}: ${fmtNum(f.baseline.value)}` : '';
    const ratio = f.ratio == null ? '' : `${fmtNum(f.ratio)}×`;
    const value = f.value == null ? `— ${f.note ? `(${f.note})` : ''}` : fmtNum(f.value);
    rows.push(`| ${f.bench} | ${f.name} | ${value} | ${f.unit} | ${base} | ${ratio} | ${fmtTarget(f.target)} | ${fmtMet(f)} |`);
  }
  return rows.join('\n');
}

export function terminalTable(figures: Figure[]): string {
  const cells = figures.map((f) => [
    f.bench,
    f.name,
    f.value == null ? '—' : fmtNum(f.value),
    f.unit,
    f.baseline ? `${f.baseline.name}: ${fmtNum(f.baseline.value)}` : '',
    f.ratio == null ? '' : `${fmtNum(f.ratio)}×`,
    fmtTarget(f.target),
    f.met == null ? '' : f.met ? 'met' : 'NOT MET',
  ]);
  const head = ['bench', 'figure', 'value', 'unit', 'baseline (same run)', 'ratio', 'target', 'met?'];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 2 || i === 5 ? x.padStart(w[i]) : x.padEnd(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...cells.map(line)].join('\n');
}

export const MARK_BEGIN = '<!-- bench:results:begin -->';
export const MARK_END = '<!-- bench:results:end -->';

/** Replaces what is between the markers (appends a section with them when absent). */
export function splice(doc: string, body: string): string {
  const i = doc.indexOf(MARK_BEGIN);
  const j = doc.indexOf(MARK_END);
  const block = `${MARK_BEGIN}\n${body}\n${MARK_END}`;
  if (i >= 0 && j > i) return doc.slice(0, i) + block + doc.slice(j + MARK_END.length);
  return `${doc.trimEnd()}\n\n## Latest results\n\n${block}\n`;
}

export interface LatencyPoint {
  connections: number;
  p50: number;
  p90: number;
  p99: number;
  rps: number;
}

/**
 * Latency percentiles against concurrency (log2 x axis), solid for the endpoint under test, dashed for the
 * healthz baseline, with the p99 target as a red line. Hand-written SVG: no chart dependency for three lines.
 */
export function latencySvg(opts: { title: string; subtitle: string; series: LatencyPoint[]; baseline: LatencyPoint[]; targetP99Ms?: number }): string {
  const W = 720;
  const H = 420;
  const m = { l: 64, r: 170, t: 72, b: 56 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xs = [...new Set([...opts.series, ...opts.baseline].map((p) => p.connections))].sort((a, b) => a - b);
  const lx0 = Math.log2(xs[0]);
  const lx1 = Math.log2(xs[xs.length - 1]);
  const x = (c: number) => m.l + (lx1 === lx0 ? pw / 2 : ((Math.log2(c) - lx0) / (lx1 - lx0)) * pw);
  const all = [...opts.series, ...opts.baseline].flatMap((p) => [p.p50, p.p90, p.p99]);
  const ymaxRaw = Math.max(opts.targetP99Ms ?? 0, ...all, 1) * 1.1;
  const step = niceStep(ymaxRaw / 5);
  const ymax = Math.ceil(ymaxRaw / step) * step;
  const y = (v: number) => m.t + ph - (v / ymax) * ph;
  const colors = { p50: '#2b7bb9', p90: '#e08a00', p99: '#c0392b' } as const;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${m.l}" y="22" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  // The subtitle on two lines at its '; ' (it names the endpoint, the pages and the base: too long for one).
  const cut = opts.subtitle.indexOf('; ');
  const sub = cut > 0 ? [opts.subtitle.slice(0, cut + 1), opts.subtitle.slice(cut + 2)] : [opts.subtitle];
  sub.forEach((line, i) => out.push(`<text x="${m.l}" y="${40 + i * 15}" fill="#555" font-size="11">${esc(line)}</text>`));
  for (let v = 0; v <= ymax + 1e-9; v += step) {
    out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.l - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#333">${fmtNum(v)}</text>`);
  }
  for (const c of xs) {
    out.push(`<line x1="${x(c).toFixed(1)}" x2="${x(c).toFixed(1)}" y1="${m.t}" y2="${m.t + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x(c).toFixed(1)}" y="${m.t + ph + 18}" text-anchor="middle" fill="#333">${c}</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#333"/>`);
  out.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" stroke="#333"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="${H - 14}" text-anchor="middle">concurrent connections (log scale)</text>`);
  out.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">latency, ms</text>`);
  if (opts.targetP99Ms) {
    out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y(opts.targetP99Ms).toFixed(1)}" y2="${y(opts.targetP99Ms).toFixed(1)}" stroke="#c0392b" stroke-width="1" stroke-dasharray="2 4"/>`);
    out.push(`<text x="${m.l + pw - 4}" y="${(y(opts.targetP99Ms) - 5).toFixed(1)}" text-anchor="end" fill="#c0392b">p99 target ${opts.targetP99Ms} ms</text>`);
  }
  const line = (pts: LatencyPoint[], k: 'p50' | 'p90' | 'p99', dashed: boolean) => {
    const sorted = [...pts].sort((a, b) => a.connections - b.connections);
    const d = sorted.map((p, i) => `${i ? 'L' : 'M'}${x(p.connections).toFixed(1)} ${y(p[k]).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${colors[k]}" stroke-width="${dashed ? 1.5 : 2.5}"${dashed ? ' stroke-dasharray="6 4" opacity="0.8"' : ''}/>`);
    if (!dashed) for (const p of sorted) out.push(`<circle cx="${x(p.connections).toFixed(1)}" cy="${y(p[k]).toFixed(1)}" r="3.5" fill="${colors[k]}"><title>${k} ${p[k]} ms at ${p.connections} connections (${Math.round(p.rps)} req/s)</title></circle>`);
  };
  for (const k of ['p50', 'p90', 'p99'] as const) {
    line(opts.baseline, k, true);
    line(opts.series, k, false);
  }
  // Legend and the req/s each point achieved.
  let ly = m.t + 6;
  const lx = m.l + pw + 16;
  for (const k of ['p99', 'p90', 'p50'] as const) {
    out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${colors[k]}" stroke-width="2.5"/><text x="${lx + 32}" y="${ly + 4}">assortment ${k}</text>`);
    ly += 18;
  }
  out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="#777" stroke-width="1.5" stroke-dasharray="6 4"/><text x="${lx + 32}" y="${ly + 4}">/healthz (baseline)</text>`);
  ly += 30;
  out.push(`<text x="${lx}" y="${ly}" font-weight="bold">req/s achieved</text>`);
  ly += 16;
  for (const p of [...opts.series].sort((a, b) => a.connections - b.connections)) {
    const b = opts.baseline.find((q) => q.connections === p.connections);
    out.push(`<text x="${lx}" y="${ly}" fill="#333">c=${p.connections}: ${fmtNum(Math.round(p.rps))}${b ? ` (hz ${fmtNum(Math.round(b.rps))})` : ''}</text>`);
    ly += 16;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
