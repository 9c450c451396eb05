import type { IncomingMessage, ServerResponse } from 'node:http';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** Connections taken since the last turn, counted by the server's 'connection' listener (src/api/server.ts). */
export interface AcceptCount {
  accepted: number;
}

/**
 * A turn's budget while connections are coming in. The loop takes at most one connection per listening descriptor
 * per turn (32: src/api/accept.ts), so with 25 ms turns a storm of new connections was taken 32 per ~30 ms: in the
 * booking suite 500 connections opened at once were all in only after ~500 ms, and the first requests of the last
 * ones, queued behind the second and third requests of the first, were all of the burst's answers over 300 ms (276 of
 * 12,764; a trace of the burst, 2026-12-04 22:59, with another process taking half a core). While the last poll took
 * any, a turn serves ~3 ms of requests and polls again.
 */
const ACCEPTING_BUDGET_MS = 3;

/**
 * Requests are served first come, first served, at most `budgetMs` of work per turn of the event loop.
 *
 * Node hands the app every request that arrived during a turn before it polls again, and a busy loop accepts a new
 * connection only between turns (one per listening descriptor, src/api/accept.ts). During a booking burst at 500
 * connections a turn was ~500 requests × 1-2 ms: new connections waited that long per 32 accepted, and 19-183 of
 * 500 got no answer at all in 5 s (docs/benchmarks.md). Queued here and served for at most `budgetMs` per turn, the
 * loop polls every ~budget: new connections are taken within a fraction of a second and every request waits its
 * place in one queue. Throughput is the same work in the same order; what a request waits is the queue ahead of
 * it, whether its connection is old or new.
 *
 * Measured with a server burning 1.5 ms per request, 500 connections opened at once, 32 descriptors (load 1-2):
 * p99 4.2 s → 1.8 s, connections answered 416 → 500 of 500, slowest first answer 4.3 s → 1.9 s; 20 and 50 ms budgets
 * within noise of each other. A request's own time (the log's and the metrics') starts when the app takes it.
 *
 * A connection's first request goes ahead of the queue. It has waited already, where this queue cannot see it: in
 * the kernel's accept queue, until a turn took its connection (500 connections opened at once were all taken only
 * ~240 ms in). Queued behind the second and third requests of the connections taken first, those first requests
 * were all of a burst's answers over 300 ms (91 of 16,467 in the booking suite, half a core taken by another
 * process; first-second max 333 ms). Served first: none over 300 ms in the first second, max 278 ms (same run).
 * They cannot starve the rest: each came with a connection a turn took, at most one per listening descriptor per
 * turn, and every turn still serves at least one queued request after them.
 */
export function servedInTurns(listener: Listener, budgetMs: number, connections?: AcceptCount): Listener {
  if (budgetMs <= 0) return listener;
  let queue: [IncomingMessage, ServerResponse][] = [];
  let head = 0;
  /** First requests of their connections (sockets not seen before), served ahead of `queue`. */
  let firsts: [IncomingMessage, ServerResponse][] = [];
  const seen = new WeakSet<object>();
  let scheduled = false;
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    try {
      listener(req, res);
    } catch (err) {
      // The adapter catches the app's errors; this would be a bug in it. One request lost, not the queue.
      res.destroy(err as Error);
    }
  };
  const drain = async () => {
    const started = performance.now();
    const budget = connections?.accepted ? Math.min(budgetMs, ACCEPTING_BUDGET_MS) : budgetMs;
    if (connections) connections.accepted = 0;
    if (firsts.length) {
      const now = firsts;
      firsts = [];
      for (const [req, res] of now) {
        serve(req, res);
        await undefined;
      }
    }
    while (head < queue.length) {
      const [req, res] = queue[head];
      queue[head++] = undefined as never;
      serve(req, res);
      // The request's synchronous part and the continuations it queued run before the clock is read.
      await undefined;
      if (performance.now() - started >= budget) break;
    }
    if (firsts.length || head < queue.length) {
      if (head > 1024) {
        queue = queue.slice(head);
        head = 0;
      }
      setImmediate(drain);
    } else {
      queue = [];
      head = 0;
      scheduled = false;
    }
  };
  return (req, res) => {
    const socket = req.socket as object | undefined;
    if (socket && !seen.has(socket)) {
      seen.add(socket);
      firsts.push([req, res]);
    } else queue.push([req, res]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };
}
