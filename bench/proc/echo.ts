/**
 * Benchmark child: the same-run baseline for the write benchmark. Hono on @hono/node-server (ReGate's own stack),
 * one POST route that parses the JSON body and answers it back with 201, and GET /healthz. Whatever ReGate's
 * booking costs above this is ReGate's: validation, pricing from the mirror, the SQLite transaction and its fsync.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { argsOf, serveParent } from '../lib/proc.js';

argsOf<Record<string, never>>();
const app = new Hono();
app.post('/echo', async (c) => c.json(await c.req.json(), 201));
app.get('/healthz', (c) => c.json({ status: 'ok' }));
const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
});
const { port } = server.address() as AddressInfo;
serveParent({ url: `http://127.0.0.1:${port}` }, {}, () => new Promise<void>((r) => server.close(() => r())));
