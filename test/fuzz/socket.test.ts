import fc from 'fast-check';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { parseConfig } from '../../src/config/index.js';
import { I1, S1 } from '../fixtures/mirror.js';
import { AUTH, buildHarness, Tally } from './harness.js';

/**
 * The in-process fuzz (api.test.ts) cannot send what a Request object refuses to build: broken request lines,
 * header names with spaces, NUL bytes, Content-Length and Transfer-Encoding together, bad chunk sizes, header
 * floods, HTTP/2 prefaces. Here raw bytes go to a running server (startServer) over TCP: any answer must be a 4xx
 * or a 2xx/3xx, never a 5xx, and the server must serve normally afterwards.
 *
 * Node's HTTP parser answers malformed requests itself (bare `400 Bad Request`/`431`, no JSON body) before ReGate
 * sees them; the tally counts those as "parser" so the CI log shows how many never reached the app.
 */
const RUNS = Math.max(100, Math.floor(Number(process.env.FUZZ_RUNS ?? 250)));
const h = buildHarness();
let server: RunningServer;
const tally = new Tally();

beforeAll(async () => {
  server = await startServer(h.app, parseConfig({}), { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  tally.print('socket fuzz (status, and whether the answer came from ReGate or from Node\'s HTTP parser)');
  await server?.close();
});

/** Writes the bytes, half-closes, and reads until the server closes or 3 s pass. */
function exchange(bytes: Buffer): Promise<{ head: string; body: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = connect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      sock.destroy();
    }, 3000);
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
    sock.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks).toString('latin1');
      const at = all.indexOf('\r\n\r\n');
      resolve({ head: at === -1 ? all : all.slice(0, at), body: at === -1 ? '' : all.slice(at + 4), timedOut });
    });
    sock.end(bytes);
  });
}

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/);
const anyBytes = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u).toString('latin1'));
const method = fc.oneof(fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PRI', 'get', 'G ET', ''), token);
const target = fc.oneof(
  fc.constantFrom('/healthz', '/api/v1/city', '/api/v1/client', '/api/v1/booking', `/api/v1/storetable?store=${S1}`, '/docs', '*', 'http://x/healthz', '//', '/%', '/\u0000', '/a b', ''),
  fc.constantFrom('/api/v1/', '/docs/assets/swagger-ui-dist/').chain((p) => anyBytes(40).map((s) => p + s)),
  fc.constantFrom('/api/v1/picture/').chain((p) => fc.nat(100_000).map((n) => p + 'a'.repeat(n))),
);
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1 extra', 'HTTP/9.9', 'http/1.1', '');
const header = fc.oneof(
  { arbitrary: fc.tuple(token, anyBytes(30).map((s) => s.replace(/[\r\n]/g, ''))).map(([k, v]) => `${k}: ${v}`), weight: 3 },
  {
    arbitrary: fc.constantFrom(
      'Content-Length: 5',
      'Content-Length: -1',
      'Content-Length: 99999999999999999999',
      'Content-Length: 1, 2',
      'Transfer-Encoding: chunked',
      'Transfer-Encoding: gzip, chunked',
      'Transfer-Encoding: identity',
      'Content-Type: application/json',
      'Content-Type: text/plain',
      `Authorization: ${AUTH}`,
      'Authorization: Basic \u00ff\u00fe',
      'Expect: 100-continue',
      'Upgrade: h2c',
      'Connection: upgrade',
      'Host:',
      ' leading-space: x',
      'no colon',
      'bad name: x',
      'X-Null: a\u0000b',
    ),
    weight: 3,
  },
  { arbitrary: fc.nat(40_000).map((n) => `X-Big: ${'a'.repeat(n)}`), weight: 1 },
);
const body = fc.oneof(
  fc.constant(''),
  fc.constantFrom('{}', '{"clientId":"C-s","name":"x"}', '0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\nxx\r\n0\r\n\r\n', 'ffffffffffffffff\r\n'),
  anyBytes(200),
);

const cleanTarget = fc.oneof(
  fc.constantFrom('/healthz', '/readyz', '/api/v1/city', '/api/v1/client', '/api/v1/booking', '/api/v1/paycard', `/api/v1/storetable?store=${S1}`, '/api/v1/citystore?city=%D0%9C', '/docs', '/openapi.json', '/'),
  fc.tuple(fc.constantFrom('/api/v1/', '/api/v1/picture/', '/api/v1/assortment?q=', '/docs/assets/swagger-ui-dist/'), fc.string({ maxLength: 30 })).map(([p, s]) => p + encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))),
);
const goodHeader = fc.oneof(
  fc.constantFrom(`Authorization: ${AUTH}`, 'Content-Type: application/json', 'Content-Type: text/plain', 'Accept: */*', 'If-None-Match: *', 'Idempotency-Key: k', 'X-Request-Id: abc'),
  fc.tuple(token, fc.stringMatching(/^[\x20-\x7e]{0,40}$/)).map(([k, v]) => `${k}: ${v}`),
);
const wellFormed = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'),
    target: cleanTarget,
    headers: fc.array(goodHeader, { maxLength: 5 }),
    body: fc.oneof(fc.constantFrom('', '{}', '{"clientId":"C-s","name":"x"}', '{"orderId":'), fc.stringMatching(/^[\x20-\x7e]{0,80}$/)),
    chunked: fc.boolean(),
  })
  .map(({ method, target, headers, body, chunked }) => {
    const framing = chunked ? ['Transfer-Encoding: chunked'] : [`Content-Length: ${Buffer.byteLength(body)}`];
    const payload = chunked ? (body ? `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n` : '') + '0\r\n\r\n' : body;
    return [`${method} ${target} HTTP/1.1`, 'Host: x', `Authorization: ${AUTH}`, ...headers, ...framing, 'Connection: close'].join('\r\n') + '\r\n\r\n' + payload;
  });

const rawRequest = fc.oneof(
  // well-formed HTTP carrying junk: reaches ReGate
  { arbitrary: wellFormed, weight: 6 },
  // junk anywhere in the request: mostly stopped by the HTTP parser
  {
    arbitrary: fc
      .record({ method, target, version, headers: fc.array(header, { maxLength: 6 }), body, sep: fc.constantFrom('\r\n', '\n', '\r') })
      .map(({ method, target, version, headers, body, sep }) => [`${method} ${target} ${version}`.trim(), 'Host: x', ...headers, 'Connection: close'].join(sep) + sep + sep + body),
    weight: 6,
  },
  { arbitrary: anyBytes(300), weight: 1 },
  { arbitrary: fc.constant('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), weight: 1 },
  // two pipelined requests, the second malformed
  { arbitrary: anyBytes(60).map((junk) => `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n${junk}\r\n\r\n`), weight: 1 },
);

describe('raw HTTP over TCP to a running ReGate', () => {
  let previous = '';
  it('any bytes: a 4xx (from ReGate in the one JSON shape, or from the HTTP parser) or a normal answer; never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, async (req) => {
        if (h.unhandled.length) throw new Error(`unhandled error after ${JSON.stringify(previous.slice(0, 300))}: ${String((h.unhandled[0] as any).err)}`);
        previous = req;
        const before = h.changes();
        const r = await exchange(Buffer.from(req, 'latin1'));
        expect(r.timedOut, `no close within 3 s for ${JSON.stringify(req.slice(0, 120))}`).toBe(false);
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(r.head);
        if (!m) {
          tally.add('closed without an answer', { status: 0 });
          return;
        }
        const status = Number(m[1]);
        const fromApp = /x-request-id:/i.test(r.head);
        tally.add(fromApp ? 'answered by ReGate' : 'answered by the HTTP parser', { status });
        if (status >= 500) throw new Error(`5xx for ${JSON.stringify(req.slice(0, 200))}:\n${r.head}\n${r.body.slice(0, 300)}`);
        if (fromApp && status >= 400 && !/^HEAD /.test(req)) {
          const json = JSON.parse(Buffer.from(r.body.replace(/^[0-9a-f]+\r\n/i, ''), 'latin1').toString('utf8').split('\r\n')[0]) as { error?: { code?: string } };
          expect(json.error?.code, r.head).toBeTruthy();
        }
        if (status >= 400) expect(h.changes(), 'a refused request wrote rows').toBe(before);
      }),
      { numRuns: RUNS },
    );
    expect(h.unhandled).toEqual([]);
  });

  it('a client that hangs up mid-body is not logged as our crash (found by this fuzz: Error "aborted" became a 500)', async () => {
    const before = h.changes();
    // found as: PUT /api/v1/picture/… with `Transfer-Encoding: chunked` and a cut chunk — bodyLimit reads the stream
    for (const path of ['/api/v1/client', '/api/v1/booking', '/api/v1/nowhere']) {
      for (const framing of ['Content-Length: 100\r\n\r\n{"clientId":', 'Transfer-Encoding: chunked\r\n\r\n64\r\n{"clientId":']) {
        const r = await exchange(Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\n${framing}`));
        expect(r.timedOut).toBe(false);
      }
    }
    await new Promise((r) => setTimeout(r, 50)); // the server side notices the hang-up asynchronously
    expect(h.unhandled).toEqual([]);
    expect(h.changes()).toBe(before);
  });

  it('afterwards the same server answers normally: healthz, and a booking over a fresh connection', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const post = (path: string, b: unknown) =>
      fetch(`${server.url}/api/v1/${path}`, { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    expect((await post('client', { clientId: 'C-sock', name: 'x' })).status).toBe(202);
    expect((await post('booking', { orderId: 'O-sock', clientId: 'C-sock', store: S1, deliveryAddress: 'x', items: [{ itemId: I1, quantity: 1 }] })).status).toBe(202);
  });
});
