import type { IncomingMessage, ServerResponse } from 'node:http';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

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
 */
export function servedInTurns(listener: Listener, budgetMs: number): Listener {
  if (budgetMs <= 0) return listener;
  let queue: [IncomingMessage, ServerResponse][] = [];
  let head = 0;
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
    while (head < queue.length) {
      const [req, res] = queue[head];
      queue[head++] = undefined as never;
      serve(req, res);
      // The request's synchronous part and the continuations it queued run before the clock is read.
      await undefined;
      if (performance.now() - started >= budgetMs) break;
    }
    if (head < queue.length) {
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
    queue.push([req, res]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };
}
