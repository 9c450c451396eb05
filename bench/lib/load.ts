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
  /** 2xx answers, each from when its request's bytes could leave (first requests: see `stamped`). */
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  /**
   * autocannon's own figures, where a connection's first request counts from when the load generator built its
   * client, before the socket connected; and how long that was for the first requests (p50 / max, ms).
   */
  stamped?: { p50: number; p90: number; p99: number; max: number; unsentP50: number; unsentMax: number };
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

/** What setupClient is handed: autocannon's Client (lib/httpClient.js), its socket set once the constructor has run. */
interface AutocannonClient {
  conn?: import('node:net').Socket;
  once(event: 'response', cb: () => void): void;
  on(event: 'response', cb: (status: number, bytes: number, ms: number) => void): void;
}

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
  // Every 2xx answer's latency as this load counts it (autocannon's histogram, like it, keeps 2xx only), and the
  // part of the first requests' autocannon figure spent before their connection was up (see setupClient).
  const answered: number[] = [];
  const unsent: number[] = [];
  const r = await autocannon({
    setupClient: (client: AutocannonClient) => {
      client.once('response', () => firsts.push(performance.now() - started));
      const connection = ++clients;
      let nth = 0;
      // autocannon stamps a request's start when it writes it, except the first of each connection: that one is
      // stamped when the client is built, before its socket exists, and run() builds all `connections` clients in
      // one synchronous loop before any socket connects. So every first request carried the load generator's time
      // to build the clients after it (and to connect them): nothing the server could see. Its latency here runs
      // from the socket's 'connect' (the request's bytes leave then, as every later request's do when stamped):
      // the handshake and the wait in the server's accept queue stay in it (the kernel completes the handshake
      // before the server's accept()).
      const built = performance.now();
      let connectedAt: number | undefined;
      queueMicrotask(() => client.conn?.once('connect', () => (connectedAt = performance.now())));
      client.on('response', (status, _bytes, ms) => {
        const t = performance.now() - started;
        nth++;
        if (nth === 1 && connectedAt !== undefined && connectedAt > built) {
          unsent.push(connectedAt - built);
          ms -= connectedAt - built;
        }
        if (process.env.BENCH_TIMELINE) timeline.push([t, ms, connection, nth]);
        if (status >= 200 && status < 300) answered.push(ms);
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
  const gaps = ascending(unsent);
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries((r as any).statusCodeStats ?? {})) statusCodes[code] = (v as { count: number }).count;
  return {
    connections: spec.connections,
    seconds,
    requests: r.requests.total,
    ok: r['2xx'],
    rps: r['2xx'] / seconds,
    latency: latencies(answered),
    stamped: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, unsentP50: quantile(gaps, 0.5), unsentMax: quantile(gaps, 1) },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    firstAnswer: firstAnswers(firsts, spec.connections),
    afterFirstSecond: quantiles(steady),
  };
}

/** The nearest-rank quantile of ascending `sorted`, rounded to the ms as autocannon's histogram reports them; NaN of
 *  none. Every figure of this file is taken this way. */
function quantile(sorted: number[], q: number): number {
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]) : NaN;
}

const ascending = (ms: number[]) => [...ms].sort((a, b) => a - b);

function latencies(ms: number[]): LoadResult['latency'] {
  const sorted = ascending(ms);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN;
  return { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: quantile(sorted, 1), mean: Math.round(mean * 100) / 100 };
}

function quantiles(ms: number[]): LoadResult['afterFirstSecond'] {
  const sorted = ascending(ms);
  return { answered: sorted.length, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: quantile(sorted, 1) };
}

function firstAnswers(ms: number[], connections: number): LoadResult['firstAnswer'] {
  const sorted = ascending(ms);
  return { answered: sorted.length, unanswered: Math.max(0, connections - sorted.length), p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), max: quantile(sorted, 1) };
}

export const basic = (user: { name: string; password: string }) => `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;

export function fmtLoad(label: string, r: LoadResult): string {
  const codes = Object.entries(r.statusCodes).map(([c, n]) => `${c}×${n}`).join(' ');
  const f = r.firstAnswer;
  const first = f.unanswered || f.max > 1000 ? `  first answers: ${f.answered} connections, p50 ${f.p50} / max ${f.max} ms${f.unanswered ? `, ${f.unanswered} never answered` : ''}` : '';
  const s = r.stamped;
  const stamped = s && (s.p99 !== r.latency.p99 || s.max !== r.latency.max) ? `  (as autocannon stamps first requests: p99 ${s.p99}, max ${s.max} ms; their clients built ${s.unsentP50} / ${s.unsentMax} ms before connecting)` : '';
  return `${label.padEnd(34)} c=${String(r.connections).padStart(3)}  ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.latency.p50} ms  p90 ${r.latency.p90} ms  p99 ${r.latency.p99} ms  max ${r.latency.max} ms  [${codes}${r.errors ? ` errors×${r.errors}` : ''}${r.timeouts ? ` timeouts×${r.timeouts}` : ''}]${first}${stamped}`;
}
