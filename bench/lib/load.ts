/**
 * The load generator: autocannon (HdrHistogram latencies, keep-alive connections, one request in flight per
 * connection — a closed loop, so `connections` is the concurrency). It runs in the parent process while the
 * server under test runs in a child, so they do not share an event loop (they do share the 2 cores: a load
 * generator costs CPU, and the healthz baseline measured the same way carries the same cost).
 */
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  connections: number;
  durationS: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Called for every request: the path (with query) and, for POST, the body. */
  next?: () => { path: string; body?: string };
  timeoutS?: number;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  ok: number;
  /** 2xx per second over the measured wall time. */
  rps: number;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /**
   * Per connection: when it got its first answer, in ms from the start of the run. A connection that got none is in
   * none of the latencies above (autocannon times answered requests only), so a server that leaves connections
   * unaccepted looks faster than one that serves them all: `unanswered` says how many it left.
   */
  firstAnswer: { answered: number; unanswered: number; p50: number; p90: number; max: number };
  /**
   * The latencies of the answers that came after the first second, when every connection has had its first answer
   * in most runs: the steady state without the storm of connections opened at once (a 5 s burst of ~7,000 bookings
   * has 500 first requests in it, 7 %: its p99 can be theirs alone).
   */
  afterFirstSecond?: { answered: number; p50: number; p90: number; p99: number; max: number };
}

let timelines = 0;

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const next = spec.next;
  const started = performance.now();
  const firsts: number[] = [];
  const steady: number[] = [];
  // BENCH_TIMELINE=<file>: every answer as [ms since the start, its latency in ms], written when the load ends — to see
  // whether a tail is a few stalls or a spread (answers arrive in clumps, one per commit of the booking thread).
  // With the answer's place on its connection: [ms, latency, connection, nth answer on it (1 = its first request)].
  const timeline: [number, number, number, number][] = [];
  let clients = 0;
  const r = await autocannon({
    setupClient: (client: { once(event: 'response', cb: () => void): void; on(event: 'response', cb: (status: number, bytes: number, ms: number) => void): void }) => {
      client.once('response', () => firsts.push(performance.now() - started));
      const connection = ++clients;
      let nth = 0;
      client.on('response', (_status, _bytes, ms) => {
        const t = performance.now() - started;
        if (process.env.BENCH_TIMELINE) timeline.push([t, ms, connection, ++nth]);
        if (t > 1000) steady.push(ms);
      });
    },
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    timeout: spec.timeoutS ?? 30,
    method: spec.method ?? 'GET',
    headers: spec.headers,
    requests: next
      ? [
          {
            setupRequest: (req: any) => {
              const n = next();
              return { ...req, path: n.path, ...(n.body !== undefined ? { body: n.body } : {}) };
            },
          },
        ]
      : undefined,
  } as autocannon.Options);
  // Every load of a run in a file of its own (<file>.1, .2, …: a suite runs several), the last one also as <file>.
  if (process.env.BENCH_TIMELINE) {
    timelines++;
    writeFileSync(`${process.env.BENCH_TIMELINE}.${timelines}`, JSON.stringify(timeline));
    writeFileSync(process.env.BENCH_TIMELINE, JSON.stringify(timeline));
  }
  const seconds = (new Date(r.finish).getTime() - new Date(r.start).getTime()) / 1000;
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries((r as any).statusCodeStats ?? {})) statusCodes[code] = (v as { count: number }).count;
  return {
    connections: spec.connections,
    seconds,
    requests: r.requests.total,
    ok: r['2xx'],
    rps: r['2xx'] / seconds,
    latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.mean },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    firstAnswer: firstAnswers(firsts, spec.connections),
    afterFirstSecond: quantiles(steady),
  };
}

function quantiles(ms: number[]): LoadResult['afterFirstSecond'] {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]) : NaN);
  return { answered: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.length ? Math.round(sorted[sorted.length - 1]) : NaN };
}

function firstAnswers(ms: number[], connections: number): LoadResult['firstAnswer'] {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]) : NaN);
  return { answered: sorted.length, unanswered: Math.max(0, connections - sorted.length), p50: at(0.5), p90: at(0.9), max: sorted.length ? Math.round(sorted[sorted.length - 1]) : NaN };
}

export const basic = (user: { name: string; password: string }) => `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;

export function fmtLoad(label: string, r: LoadResult): string {
  const codes = Object.entries(r.statusCodes).map(([c, n]) => `${c}×${n}`).join(' ');
  const f = r.firstAnswer;
  const first = f.unanswered || f.max > 1000 ? `  first answers: ${f.answered} connections, p50 ${f.p50} / max ${f.max} ms${f.unanswered ? `, ${f.unanswered} never answered` : ''}` : '';
  return `${label.padEnd(34)} c=${String(r.connections).padStart(3)}  ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.latency.p50} ms  p90 ${r.latency.p90} ms  p99 ${r.latency.p99} ms  max ${r.latency.max} ms  [${codes}${r.errors ? ` errors×${r.errors}` : ''}${r.timeouts ? ` timeouts×${r.timeouts}` : ''}]${first}`;
}
