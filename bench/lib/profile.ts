/**
 * CPU profiles of the server under test, taken with the inspector around the measured window only (not the
 * start-up sync), and summarised by self time: per function and per area (a package under node_modules, a
 * src/ folder, node internals, GC). Loaded in the child; the parent gets the summary and the file path.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Busy = not (idle). */
  busyMs: number;
  areas: { area: string; ms: number; pct: number }[];
  functions: { fn: string; where: string; area: string; ms: number; pct: number }[];
  /**
   * Every sample charged to the nearest frame in src/ above it (native work such as SQLite, JSON.stringify or a
   * socket write lands on the ReGate function that asked for it); samples with no src/ frame stay by area.
   */
  bySrcFrame: { frame: string; ms: number; pct: number }[];
}

let session: Session | undefined;

export async function startProfile(intervalUs = 200): Promise<void> {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  // BENCH_HEAP_PROFILE=1: where the measured window allocates too (a sampling heap profile beside the CPU one, every
  // 32 KiB allocated), to find what fills the young generation.
  if (process.env.BENCH_HEAP_PROFILE === '1') await session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
}

export async function stopProfile(file: string): Promise<ProfileSummary> {
  if (!session) throw new Error('profiler not started');
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  if (process.env.BENCH_HEAP_PROFILE === '1') {
    const heap = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: unknown };
    writeFileSync(file.replace(/\.cpuprofile$/, '') + '.heapprofile', JSON.stringify(heap.profile));
  }
  session.disconnect();
  session = undefined;
  writeFileSync(file, JSON.stringify(profile));
  return summarise(profile, file);
}

export function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/V8)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const src = /\/(src|bench)\/([^/]+)/.exec(url);
  if (src) return src[2].includes('.') ? `${src[1]}/${src[2]}` : `${src[1]}/${src[2]}/`;
  return url.replace(/^file:\/\//, '');
}

export function summarise(p: Profile, file = ''): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nearest = new Map<number, string>();
  const srcFrameOf = (id: number): string => {
    const known = nearest.get(id);
    if (known !== undefined) return known;
    let cur: number | undefined = id;
    let found = '';
    while (cur !== undefined) {
      const f = byId.get(cur)!.callFrame;
      const m = /\/(src\/.+)$/.exec(f.url);
      if (m && !f.url.includes('node_modules')) {
        // No line number: tsx compiles each file on load and the profile's lines are the compiled ones.
        found = `${f.functionName || '(anonymous)'} ${m[1]}`;
        break;
      }
      cur = parent.get(cur);
    }
    if (!found) found = `(no src/ frame) ${areaOf(byId.get(id)!.callFrame.url, byId.get(id)!.callFrame.functionName)}`;
    nearest.set(id, found);
    return found;
  };
  const bySrc = new Map<string, number>();
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; area: string; us: number }>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const fn = functionName || '(anonymous)';
    total += us;
    if (fn === '(idle)') {
      idle += us;
      continue;
    }
    const frame = srcFrameOf(id);
    bySrc.set(frame, (bySrc.get(frame) ?? 0) + us);
    const area = areaOf(url, fn);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const short = url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/');
    const where = url ? (/^(src|bench)\//.test(short) ? short : `${short}:${lineNumber + 1}`) : '';
    const key = `${fn}@${where}`;
    const f = fns.get(key) ?? { fn, where, area, us: 0 };
    f.us += us;
    fns.set(key, f);
  }
  const busy = total - idle;
  const pct = (us: number) => Math.round((us / busy) * 1000) / 10;
  return {
    file,
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    areas: [...areas].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([area, us]) => ({ area, ms: Math.round(us / 1000), pct: pct(us) })),
    bySrcFrame: [...bySrc].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([frame, us]) => ({ frame, ms: Math.round(us / 1000), pct: pct(us) })),
    functions: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, 25).map((f) => ({ fn: f.fn, where: f.where, area: f.area, ms: Math.round(f.us / 1000), pct: pct(f.us) })),
  };
}

/** GC totals by kind as the daemon child's 'cpu' call answers them (bench/proc/regate.ts). */
export type GcTotals = Record<string, { n: number; ms: number }>;

/** What a stretch cost in collections, from two 'cpu' answers: "minor 55× 576 ms, incremental 2× 25 ms", or null when
 *  either has none (a tree from before the daemon child counted them). */
export function gcBetween(before: GcTotals | undefined, after: GcTotals | undefined): string | null {
  if (!before || !after) return null;
  const parts = Object.entries(after)
    .map(([kind, t]) => ({ kind, n: t.n - (before[kind]?.n ?? 0), ms: t.ms - (before[kind]?.ms ?? 0) }))
    .filter((d) => d.n > 0)
    .map((d) => `${d.kind} ${d.n}× ${d.ms.toFixed(0)} ms`);
  return parts.join(', ') || 'none';
}
