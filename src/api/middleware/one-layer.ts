import type { Context, MiddlewareHandler, Next } from 'hono';

/**
 * Several middlewares mounted as one layer of the app, run in order as hono would run them: each one's `next` is the
 * one after it, the last one's is the layer's own. One middleware can answer without calling `next` (a 401), can
 * throw (a 429), or can await `next` and act after it (the request timeout). Its error goes out of the layer, and
 * hono's error handler turns it into the answer there.
 *
 * Why: hono runs every app-level middleware through an async `dispatch` of its own, which stays suspended with its
 * promise until the answer is ready. A booking waits for the booking thread ~120 ms, and in a 500-connection burst ~500
 * of them are in flight, so every suspended frame is copied by each scavenge of the API thread. A heap snapshot 1.5 s
 * into the burst had 27 suspended async functions per request, 14 of them hono's `dispatch`: most of the ~18 KB that
 * each request in flight kept alive, ~9 MB copied every ~175 ms (docs/benchmarks.md, thirteenth pass).
 *
 * Only for middlewares that do not need to see the answer an error inside the group becomes: that error is turned into
 * an answer outside the group (observe and jsonCharset, which read the answer, stay layers of their own).
 */
export function oneLayer(...middlewares: MiddlewareHandler[]): MiddlewareHandler {
  return (c: Context, next: Next) => {
    let i = 0;
    // A middleware's answer becomes the context's as soon as it returns, before the one around it goes on after its
    // next(): what hono's dispatch does at each layer (a 401 returned inside stays the answer).
    const kept = (res: unknown) => {
      if (res && !c.finalized) c.res = res as Response;
      return res;
    };
    const step = (): Promise<void> => {
      const m = middlewares[i++];
      if (!m) return next();
      const out = m(c, step) as unknown;
      return (out instanceof Promise ? out.then(kept) : Promise.resolve(kept(out))) as Promise<void>;
    };
    return step();
  };
}
