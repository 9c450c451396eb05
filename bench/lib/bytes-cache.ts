/**
 * PROTOTYPE for the readfix benchmark, not product code: what the read path would cost if an assortment answer
 * were kept as bytes (and gzip bytes) per (mirror generation, URL) instead of being re-serialised from the cached
 * object on every request. It wraps the app's fetch: the first request for a URL goes through the whole app (auth,
 * middleware, route) and its 200 body is kept; later requests with the same, already verified Authorization header
 * are answered from the kept bytes. So it is an upper bound — a real implementation keeps the middleware (request
 * id, log line, rate limit, auth cache lookup) in front of the kept bytes; the `city` figure of the read benchmark
 * (an authenticated request with a tiny cached answer) measures that middleware floor.
 */
import { gzipSync } from 'node:zlib';
import type { Runtime } from '../../src/runtime.js';

export function bytesCache(rt: Runtime) {
  const inner = rt.app.fetch.bind(rt.app);
  const verified = new Set<string>();
  let generation = -1;
  const kept = new Map<string, { plain: Uint8Array; gzip: Uint8Array; type: string; etag: string | null }>();
  return async (req: Request, env?: unknown): Promise<Response> => {
    const isAssortment = req.method === 'GET' && req.url.includes('/api/v1/assortment?');
    if (!isAssortment) return inner(req, env as never);
    const auth = req.headers.get('authorization') ?? '';
    const g = rt.catalog.state().generation;
    if (g !== generation) {
      kept.clear();
      generation = g;
    }
    const hit = verified.has(auth) ? kept.get(req.url) : undefined;
    if (hit) {
      const gz = /\bgzip\b/.test(req.headers.get('accept-encoding') ?? '');
      const headers: Record<string, string> = { 'content-type': hit.type, 'cache-control': 'private, no-cache', vary: 'Accept-Encoding' };
      if (hit.etag) headers.etag = hit.etag;
      if (gz) headers['content-encoding'] = 'gzip';
      return new Response(gz ? hit.gzip : hit.plain, { status: 200, headers });
    }
    const res = await inner(req, env as never);
    if (res.status !== 200) return res;
    verified.add(auth);
    const plain = new Uint8Array(await res.arrayBuffer());
    kept.set(req.url, { plain, gzip: gzipSync(plain, { level: 6 }), type: res.headers.get('content-type') ?? 'application/json', etag: res.headers.get('etag') });
    return new Response(plain, { status: 200, headers: res.headers });
  };
}
