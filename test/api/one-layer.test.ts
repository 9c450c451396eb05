import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { oneLayer } from '../../src/api/middleware/one-layer.js';

// Middlewares mounted as one layer (src/api/middleware/one-layer.ts) run as hono runs them as layers of their own: in
// order, one may answer or throw without the rest running, one may act after the rest, and what an outer layer sees
// afterwards is the same answer.
function app() {
  const seen: string[] = [];
  const a = new Hono();
  a.onError((err, c) => c.json({ error: err.message }, 429));
  // An outer layer that reads the answer, as observe does.
  a.use('*', async (c, next) => {
    await next();
    seen.push(`outer saw ${c.res.status}`);
  });
  a.use(
    '*',
    oneLayer(
      async (c, next) => {
        seen.push('first');
        await next();
        seen.push('first after');
        c.header('X-First', 'after');
      },
      (c, next) => {
        seen.push('second');
        if (c.req.query('answer')) return Promise.resolve(c.json({ answered: 'by second' }, 401));
        if (c.req.query('throw')) throw new Error('limited');
        return next();
      },
      (c, next) => {
        seen.push('third');
        return next();
      },
    ),
  );
  a.get('/x', (c) => {
    seen.push('handler');
    return c.json({ ok: true });
  });
  return { a, seen };
}

describe('oneLayer', () => {
  it('runs the middlewares in order around the handler, and each one after the next as it would as layers', async () => {
    const { a, seen } = app();
    const r = await a.request('/x');
    expect(r.status).toBe(200);
    expect(r.headers.get('X-First')).toBe('after');
    expect(seen).toEqual(['first', 'second', 'third', 'handler', 'first after', 'outer saw 200']);
  });

  it('a middleware that answers stops the rest; one that throws reaches the error handler, and the outer layer sees that answer', async () => {
    const answered = app();
    const r = await answered.a.request('/x?answer=1');
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ answered: 'by second' });
    expect(answered.seen).toEqual(['first', 'second', 'first after', 'outer saw 401']);

    const thrown = app();
    const t = await thrown.a.request('/x?throw=1');
    expect(t.status).toBe(429);
    expect(await t.json()).toEqual({ error: 'limited' });
    // The error left the layer: the first middleware's code after next() did not run. As layers of their own it would
    // have (hono turns the error into the answer at the layer that threw), which is why only checks that do nothing
    // after an error go in one layer (app.ts).
    expect(thrown.seen).toEqual(['first', 'second', 'outer saw 429']);
  });
});
