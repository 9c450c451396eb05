import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankService } from '../../src/bank/import/service.js';
import { G1, G2, I1, I2, I3, S1, S2 } from '../fixtures/mirror.js';
import { AUTH, buildHarness, PIC_PENDING, PIC_READY, checkAnswer, operationsOf, Tally, type Op } from './harness.js';

/**
 * Property-based fuzzing of every route the app registers (taken from its OpenAPI registry, so a new route is
 * fuzzed without editing this file), in process through app.request.
 *
 * For any input — random query strings, bodies that are near-valid, wrong-typed, huge, unicode, nested garbage,
 * missing or extra fields, malformed JSON text, wrong content types, oversized, junk paths and methods — ReGate
 * answers a 2xx that matches its declared schema or a 4xx JSON error in the one shape, never a 5xx, and a
 * rejected request changes no row in any table (counted by TEMP triggers, see harness.ts).
 *
 * Inputs per route: FUZZ_RUNS (default 250); e.g. `FUZZ_RUNS=5000 npx vitest run test/fuzz` for a long local run.
 * Measured: ~5,000 inputs in total take a few seconds on one core.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);

const h = buildHarness();
const ops = operationsOf(h.app);
const tally = new Tally();

// Orders the generators aim at, so that payments, refunds and replays reach the services' logic (not only zod).
const CLIENTS = ['C-1', 'C-2', 'C-3'];
const ORDERS = ['O-1', 'O-2', 'O-3', 'O-4', 'O-5', 'O-6'];
const AMOUNTS = [100, 200, 1080, 90, 0.01, 199.99];

beforeAll(async () => {
  // a real statement whose payments match no order: the bank review list has rows to page through
  const { readFileSync } = await import('node:fs');
  const bank = new BankService(h.db);
  bank.importBytes(readFileSync(new URL('../fixtures/bank/cp1251-crlf.txt', import.meta.url)), { source: 'fuzz', name: 'cp1251-crlf.txt' });
  expect(bank.unmatched({ limit: 10 }).total).toBeGreaterThan(0);
  const post = (path: string, body: unknown) =>
    h.app.request(`/api/v1/${path}`, { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect((await post('client', { clientId: 'C-1', name: 'Иванов' })).status).toBe(202);
  const line = (q: number) => ({ orderId: '', clientId: 'C-1', store: S1, deliveryAddress: 'Москва', items: [{ itemId: I1, quantity: q }] });
  for (const [id, q] of [['O-1', 2], ['O-2', 1], ['O-3', 12]] as const) expect((await post('booking', { ...line(q), orderId: id })).status).toBe(202);
  // Unpaid orders of their own for bookingcancel and bookingupd (issue 14.2), out of the paycard generators' reach.
  for (const id of ['O-c1', 'O-c2', 'O-u1', 'O-u2', 'O-u3', 'O-u4']) expect((await post('booking', { ...line(1), orderId: id })).status).toBe(202);
});

afterAll(() => {
  tally.print('API fuzz (status × error code per route)');
});

// ---- value generators ---------------------------------------------------------------------------------------------

const guid = fc.uuid();
const huge = fc.integer({ min: 1_000, max: 300_000 }).chain((n) => fc.constantFrom('x', 'Ж', '😀', '\u0000', '"', '\\').map((c) => c.repeat(n)));
const edgeNumber = fc.constantFrom(0, -0, -1, 1, 0.5, 1e-7, 0.001, 1e9, 1e9 + 1, 1e12, 1e15, 2 ** 53, 2 ** 53 + 2, 1e308, 5e-324, -1e308, 0.1 + 0.2);
const junkText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates, control characters
  fc.constantFrom('', ' ', '0', '-1', '1e400', 'NaN', 'Infinity', 'null', 'true', '[]', '{}', '%', '%00', '%ZZ', '\u0000', '../..', '<script>', "' OR 1=1 --", '\u202e', '\ufeff'),
  fc.integer().map(String),
  fc.double().map(String),
  { arbitrary: huge, weight: 1 },
);
/** Any JSON value, from scalars to nested garbage. */
const junkJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 4 },
  { arbitrary: junkText, weight: 3 },
  { arbitrary: edgeNumber, weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 200 }).map((d) => nest(d)), weight: 1 }, // deeper: the 'deep' encoding
  { arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { '': '' }), weight: 1 },
);
function nest(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const externalId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:\-/]{1,64}$/), fc.constantFrom('Заказ-№1', 'a'.repeat(64), 'a'.repeat(65)));
const money = fc.oneof(fc.constantFrom(...AMOUNTS), fc.double({ min: -10, max: 1e13, noNaN: true }), fc.integer({ min: 1, max: 100_000 }).map((k) => k / 100));
const isoTime = fc.oneof(
  fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2026-11-29T08:15:00+03:00', '2026-11-29', '29.11.2026', '2026-02-30T00:00:00Z', '2026-11-29T25:00:00Z'),
);

/** Plausible values by parameter name, so that generated requests get past validation into the services. */
const hints: Record<string, fc.Arbitrary<unknown>> = {
  store: fc.constantFrom(S1, S2),
  group: fc.constantFrom(G1, G2),
  city: fc.constantFrom('Москва', 'Казань', 'Тверь'),
  q: fc.constantFrom('Гречка', 'греч', '4600000000017', 'A-Рис'),
  changedSince: isoTime,
  page: fc.integer({ min: 1, max: 3 }),
  pageSize: fc.integer({ min: 1, max: 1000 }),
  orderId: fc.constantFrom(...ORDERS),
  clientId: fc.constantFrom(...CLIENTS),
  id: guid,
  limit: fc.integer({ min: 1, max: 500 }),
  after: fc.integer({ min: 0, max: 100 }),
};

/** A field's value: mostly a hint or a good value, sometimes anything at all. */
const valueFor = (name: string, good?: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: good ?? hints[name] ?? junkText, weight: 6 }, { arbitrary: junkJson, weight: 1 });

/** Near-valid bodies for the routes we know; any other route starts from its OpenAPI example. */
const goodBodies: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  '/api/v1/client': fc.record(
    {
      clientId: fc.oneof(fc.constantFrom(...CLIENTS), externalId),
      name: fc.oneof(fc.constant('Иванов Иван'), fc.string({ minLength: 1, maxLength: 160 })),
      inn: fc.constantFrom('7707083893', '500100732259', '12345'),
      kpp: fc.constantFrom('770701001', '77070100'),
      phone: fc.string({ maxLength: 60 }),
      email: fc.oneof(fc.emailAddress(), fc.string()),
      address: fc.string({ maxLength: 600 }),
    },
    { requiredKeys: ['clientId', 'name'] },
  ),
  '/api/v1/clientupd': fc.record(
    {
      clientId: fc.oneof(fc.constantFrom(...CLIENTS), externalId),
      name: fc.string({ minLength: 0, maxLength: 160 }),
      inn: fc.constantFrom('7707083893', '500100732259'),
      phone: fc.string({ maxLength: 60 }),
      email: fc.emailAddress(),
    },
    { requiredKeys: ['clientId'] },
  ),
  '/api/v1/booking': fc.oneof(
    // Valid as far as the generator knows (new or known order ids, the stocked item): reaches pricing, stock
    // checks, replays and conflicts. Three times as often as the wild shape below, which zod mostly stops.
    {
      weight: 3,
      arbitrary: fc.record(
      {
        orderId: fc.oneof({ arbitrary: fc.constantFrom(...ORDERS), weight: 1 }, { arbitrary: fc.stringMatching(/^[A-Za-z0-9]{1,20}$/).map((s) => `F-${s}`), weight: 4 }),
        clientId: fc.constantFrom('C-1', 'C-1', 'C-1', 'C-2'),
        store: fc.constantFrom(S1, S1, S1, S1, S2),
        deliveryAddress: fc.constantFrom('Москва, ул. 1', 'Казань'),
        comment: fc.string({ maxLength: 50 }),
        items: fc.array(
          fc.oneof(
            { arbitrary: fc.record({ itemId: fc.constant(I1), quantity: fc.constantFrom(1, 2, 3, 11, 12) }), weight: 6 },
            { arbitrary: fc.record({ itemId: fc.constantFrom(I1, I2, I3), quantity: fc.constantFrom(1, 50, 51, 0.5) }), weight: 1 },
          ),
          { minLength: 1, maxLength: 3 },
        ),
      },
      { requiredKeys: ['orderId', 'clientId', 'store', 'deliveryAddress', 'items'] },
      ),
    },
    fc.record(
      {
        orderId: fc.oneof(fc.constantFrom(...ORDERS), externalId),
        clientId: fc.oneof(fc.constantFrom(...CLIENTS), externalId),
        store: fc.oneof(fc.constantFrom(S1, S1, S2), guid),
        deliveryAddress: fc.oneof(fc.constant('Москва, ул. 1'), fc.string({ maxLength: 520 })),
        comment: fc.string({ maxLength: 1100 }),
        items: fc.array(
          fc.record({
            itemId: fc.oneof(fc.constantFrom(I1, I1, I2, I3), guid),
            quantity: fc.oneof(fc.constantFrom(1, 2, 12, 50, 51, 101, 1000, 0.5), edgeNumber, fc.double({ noNaN: true })),
          }),
          { minLength: 0, maxLength: 6 },
        ),
      },
      { requiredKeys: ['orderId', 'clientId', 'store', 'deliveryAddress', 'items'] },
    ),
  ),
  '/api/v1/paycard': fc.oneof(
    // The right amount for a seeded order: the first pays it, repeats are no-ops, other transactions conflict.
    fc
      .record({
        pair: fc.constantFrom(['O-1', 200], ['O-2', 100], ['O-3', 1080]),
        transactionId: fc.constantFrom('t-1', 't-2', 't-3', 't-4'),
        paidAt: isoTime,
        provider: fc.constant('ЮKassa'),
      })
      .map(({ pair, ...r }) => ({ ...r, orderId: pair[0], amount: pair[1] }) as Record<string, unknown>),
    fc.record(
      {
        orderId: fc.oneof(fc.constantFrom(...ORDERS), externalId),
        provider: fc.oneof(fc.constant('ЮKassa'), fc.string({ maxLength: 60 })),
        transactionId: fc.oneof(fc.constantFrom('t-1', 't-2', 't-3'), fc.string({ maxLength: 70 })),
        rrn: fc.constantFrom('412345678901', '1'),
        authCode: fc.constantFrom('123456', 'ab'),
        maskedCard: fc.constantFrom('220220******1234', '2202'),
        amount: money,
        paidAt: isoTime,
      },
      { requiredKeys: ['orderId', 'provider', 'transactionId', 'amount', 'paidAt'] },
    ),
  ),
  '/api/v1/bookingcancel': fc.record(
    { orderId: fc.oneof({ arbitrary: fc.constantFrom('O-c1', 'O-c2'), weight: 2 }, { arbitrary: fc.constantFrom(...ORDERS), weight: 1 }, { arbitrary: externalId, weight: 1 }), reason: fc.string({ maxLength: 210 }) },
    { requiredKeys: ['orderId'] },
  ),
  '/api/v1/bookingupd': fc.record(
    {
      // Several unpaid orders, revisions near where they are: edits that apply, stale ones (409) and replays.
      orderId: fc.oneof({ arbitrary: fc.constantFrom('O-u1', 'O-u2', 'O-u3', 'O-u4'), weight: 4 }, { arbitrary: fc.constantFrom(...ORDERS), weight: 1 }),
      revision: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 4 }, { arbitrary: edgeNumber, weight: 1 }),
      deliveryAddress: fc.oneof({ arbitrary: fc.constantFrom('Казань', 'Москва, ул. 2'), weight: 3 }, { arbitrary: fc.string({ maxLength: 520 }), weight: 1 }),
      comment: fc.oneof({ arbitrary: fc.constantFrom('', 'позвонить'), weight: 3 }, { arbitrary: fc.string({ maxLength: 50 }), weight: 1 }),
      items: fc.array(fc.record({ itemId: fc.constantFrom(I1, I1, I1, I2, I3), quantity: fc.constantFrom(1, 1, 2, 3, 51, 0.5) }), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ['orderId', 'revision'] },
  ),
  '/api/v1/refund': fc.record(
    { orderId: fc.oneof(fc.constantFrom(...ORDERS), externalId), amount: money, reason: fc.string({ maxLength: 520 }) },
    { requiredKeys: ['orderId'] },
  ),
};

async function exampleOf(op: Op): Promise<Record<string, unknown>> {
  const doc = (await (await h.app.request('/openapi.json')).json()) as any;
  let s = doc.paths?.[op.path]?.[op.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
  if (s?.$ref) s = doc.components.schemas[s.$ref.split('/').pop()];
  return (s?.example ?? {}) as Record<string, unknown>;
}

// ---- body mutations -----------------------------------------------------------------------------------------------

type Mut =
  | { op: 'set'; key: string; value: unknown }
  | { op: 'delete'; pick: number }
  | { op: 'setLine'; line: number; key: string; value: unknown }
  | { op: 'replace'; value: unknown }
  | { op: 'wrap' };

const mutation = (keys: string[]): fc.Arbitrary<Mut> =>
  fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('set' as const), key: fc.oneof(fc.constantFrom(...keys, '__proto__', 'constructor', 'extra'), fc.string()), value: junkJson }), weight: 6 },
    { arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('setLine' as const), line: fc.nat(3), key: fc.constantFrom('itemId', 'quantity', 'price', ''), value: junkJson }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('replace' as const), value: junkJson }), weight: 1 },
    { arbitrary: fc.constant({ op: 'wrap' as const }), weight: 1 },
  );

function mutate(body: unknown, m: Mut): unknown {
  if (m.op === 'replace') return m.value;
  if (m.op === 'wrap') return [body];
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = { ...(body as Record<string, unknown>) };
  if (m.op === 'set') Object.defineProperty(b, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  else if (m.op === 'delete') {
    const ks = Object.keys(b);
    if (ks.length) delete b[ks[m.pick % ks.length]];
  } else if (Array.isArray(b.items) && b.items.length) {
    const items = [...b.items];
    const i = m.line % items.length;
    items[i] = items[i] && typeof items[i] === 'object' ? { ...items[i], [m.key]: m.value } : m.value;
    b.items = items;
  }
  return b;
}

/** JSON text, or broken JSON text, or raw bytes. */
type Encoding =
  | { kind: 'json' }
  | { kind: 'truncate'; frac: number }
  | { kind: 'trailing'; tail: string }
  | { kind: 'corrupt'; at: number; ch: string }
  | { kind: 'bom' }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'text'; text: string }
  | { kind: 'empty' }
  | { kind: 'deep'; depth: number; open: string };

const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'json' as const }), weight: 20 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), frac: fc.double({ min: 0, max: 0.999, noNaN: true }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('trailing' as const), tail: fc.constantFrom(',', '}', ']]', 'x', '\u0000', ' // c', '{}', '\n{"a":1}') }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('corrupt' as const), at: fc.nat(), ch: fc.constantFrom('"', "'", '\\', '{', ']', ':', ',', '\u0000', 'NaN') }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'bom' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 300 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('text' as const), text: junkText }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'empty' as const }), weight: 1 },
  // Nesting far deeper than a value can be built here (JSON.stringify would overflow the stack): raw text, up to
  // 120k levels inside the 256 KB limit, for the server's JSON.parse and validators.
  { arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 1_000, max: 120_000 }), open: fc.constantFrom('[', '{"a":') }), weight: 1 },
);

function encode(value: unknown, e: Encoding): string | Uint8Array {
  const json = JSON.stringify(value) ?? 'null';
  switch (e.kind) {
    case 'json':
      return json;
    case 'truncate':
      return json.slice(0, Math.floor(e.frac * json.length));
    case 'trailing':
      return json + e.tail;
    case 'corrupt': {
      const at = e.at % (json.length + 1);
      return json.slice(0, at) + e.ch + json.slice(at + 1);
    }
    case 'bom':
      return '\ufeff' + json;
    case 'bytes':
      return e.bytes;
    case 'text':
      return e.text;
    case 'empty':
      return '';
    case 'deep':
      return e.open.repeat(e.depth) + '1' + (e.open === '[' ? ']' : '}').repeat(e.depth);
  }
}

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 20 },
  {
    arbitrary: fc.constantFrom(
      undefined,
      '',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-8',
      'application/json; charset=koi8-r',
      'APPLICATION/JSON',
      'application/problem+json',
      'application/xml',
      'json',
      '*/*',
    ),
    weight: 3,
  },
);

/** Header values a client can actually send (ByteStrings without CR/LF/NUL). */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
  fc.string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom('W/"1-abc"', '*', ''),
);
const extraHeaders = fc.record(
  { 'Idempotency-Key': headerValue, 'If-None-Match': headerValue, 'X-Request-Id': headerValue, Accept: fc.constantFrom('application/json', 'text/html', '*/*', 'image/png') },
  { requiredKeys: [] },
);

// ---- query strings and paths --------------------------------------------------------------------------------------

type QueryPart = { key: string; value: unknown; raw?: string };
const queryOf = (op: Op) => {
  const keys = Object.keys(op.query?.shape ?? {});
  const known = keys.map((k) => fc.record({ key: fc.constant(k), value: valueFor(k) }));
  const extra = fc.record({ key: fc.oneof(fc.constantFrom(...keys, 'extra', '', '__proto__'), fc.string({ maxLength: 20 })), value: junkJson });
  const raw = fc.record({ key: fc.constant(''), value: fc.constant(null), raw: fc.constantFrom('%', '%zz', '&&', '=', '==', '&=x', '%E0%A4%A', '%C0%AE%C0%AE', 'a[b]=1', 'a=%00', '+') });
  return fc
    .tuple(fc.subarray(keys), fc.array(fc.oneof({ arbitrary: extra, weight: 2 }, { arbitrary: raw, weight: 1 }), { maxLength: 3 }))
    .chain(([present, extras]) =>
      fc.tuple(fc.tuple(...present.map((k) => known[keys.indexOf(k)])), fc.constant(extras)).map(([a, b]) => [...(a as QueryPart[]), ...b]),
    );
};

function queryString(parts: QueryPart[]): string {
  const sp = new URLSearchParams();
  const raws: string[] = [];
  for (const p of parts) {
    if (p.raw !== undefined) raws.push(p.raw);
    else if (Array.isArray(p.value)) for (const v of p.value) sp.append(p.key, typeof v === 'string' ? v : JSON.stringify(v) ?? '');
    else sp.append(p.key, typeof p.value === 'string' ? p.value : JSON.stringify(p.value) ?? '');
  }
  const s = [sp.toString(), ...raws].filter(Boolean).join('&');
  return s ? `?${s}` : '';
}

const pathValue = fc.oneof(
  { arbitrary: guid, weight: 2 },
  { arbitrary: fc.constantFrom(PIC_READY, PIC_READY, PIC_PENDING), weight: 3 },
  { arbitrary: junkText.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))), weight: 3 },
  { arbitrary: fc.constantFrom('%', '%2e%2e', '..%2F..', '%00', '.', '..', '%E0%A4%A', ';', '%2F'), weight: 1 },
);

function urlOf(op: Op, params: Record<string, string>, query: string) {
  return op.path.replace(/\{(\w+)\}/g, (_m, k) => params[k] ?? '') + query;
}

/** The registered operation a raw method + URL lands on, if any (so junk that hits a real route is held to its schema). */
function opFor(method: string, url: string): Op | undefined {
  // as app.request resolves it: 'http://localhost' + path, so dot segments collapse (/picture/./x → /picture/x)
  let path: string;
  try {
    path = new URL(`http://localhost${url}`).pathname;
  } catch {
    path = url.split(/[?#]/)[0];
  }
  return ops.find((o) => (o.method === method || (o.method === 'GET' && method === 'HEAD')) && new RegExp(`^${o.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path));
}

// ---- one request ---------------------------------------------------------------------------------------------------

interface Req {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

async function send(name: string, req: Req, op?: Op) {
  const before = h.changes();
  const res = await h.app.request(req.url, { method: req.method, headers: req.headers, body: req.body });
  const seen = await checkAnswer(res, req, op);
  tally.add(name, seen);
  if (seen.status >= 300 || req.method === 'GET' || req.method === 'HEAD') {
    // Rejected, or a read: not a single row may have changed anywhere.
    if (h.changes() !== before) throw new Error(`${req.method} ${req.url.slice(0, 200)} → ${seen.status} changed ${h.changes() - before} row(s)`);
  }
  if (h.unhandled.length) throw new Error(`unhandled error logged: ${String((h.unhandled[0] as any)?.err?.stack ?? JSON.stringify(h.unhandled[0]))}`);
  return seen;
}

const requestFor = (op: Op, goodBody?: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Req> => {
  const params = fc.record(Object.fromEntries(Object.keys(op.params?.shape ?? {}).map((k) => [k, pathValue])) as Record<string, fc.Arbitrary<string>>);
  const query = op.query ? queryOf(op).map(queryString) : fc.oneof({ arbitrary: fc.constant(''), weight: 5 }, { arbitrary: fc.constantFrom('?x=1', '?%', '?a=%zz&&'), weight: 1 });
  const body = goodBody
    ? fc.tuple(
        goodBody,
        fc.oneof(fc.constant([] as Mut[]), fc.array(mutation(Object.keys(op.body && 'shape' in op.body ? (op.body as any).shape : {})), { minLength: 1, maxLength: 3 })),
        encoding,
      ).map(([b, ms, e]) => encode(ms.reduce(mutate, b), e))
    : fc.constant(undefined);
  const auth = fc.oneof({ arbitrary: fc.constant(AUTH), weight: 30 }, { arbitrary: fc.constantFrom(undefined, 'Bearer x', 'Basic', 'Basic !!!'), weight: 1 });
  return fc.record({ params, query, body, ct: contentType, extra: extraHeaders, auth }).map(({ params, query, body, ct, extra, auth }) => {
    const headers: Record<string, string> = { ...extra };
    if (auth) headers.Authorization = auth;
    if (body !== undefined && ct !== undefined) headers['Content-Type'] = ct;
    return { method: op.method, url: urlOf(op, params, query), headers, body };
  });
};

// ---- the properties -----------------------------------------------------------------------------------------------

describe('API fuzz: every registered route, any input → 2xx by schema or 4xx in the one error shape', () => {
  it('the registry lists the routes we expect to fuzz (at least the catalogue and orders ones)', () => {
    const names = ops.map((o) => `${o.method} ${o.path}`);
    for (const must of ['GET /api/v1/assortment', 'POST /api/v1/booking', 'POST /api/v1/paycard', 'GET /api/v1/picture/{id}', 'GET /api/v1/bank/unmatched', 'GET /readyz']) expect(names).toContain(must);
  });

  for (const op of ops) {
    it(`${op.method} ${op.path}`, async () => {
      const good = op.body ? (goodBodies[op.path] ?? fc.constant(await exampleOf(op))) : undefined;
      await fc.assert(
        fc.asyncProperty(requestFor(op, good), async (req) => {
          await send(`${op.method} ${op.path}`, req, op);
        }),
        { numRuns: RUNS },
      );
      const row = tally.get(`${op.method} ${op.path}`)!;
      expect(row.inputs).toBeGreaterThanOrEqual(RUNS);
      // The generators must reach past validation: a route fuzzed only into 400s tests zod, not ReGate.
      const statuses = [...row.statuses.keys()];
      // A 409 client_conflict is the domain answering too (an ИНН claimed from another store client, issue 13.1): the
      // generators pick ИНН from two values, so clientupd reaches it often. So is a 409 revision_mismatch: bookingupd
      // made against a revision another edit moved past (issue 14.2) — the generator cannot know the current one.
      expect(statuses.some((s) => s.startsWith('2') || s === '409 client_conflict' || s === '409 revision_mismatch'), `${op.method} ${op.path}: no 2xx among ${statuses.join(', ')}`).toBe(true);
      if (op.body || op.query || op.params) expect(statuses.some((s) => s.startsWith('400')), `${op.method} ${op.path}: no 400`).toBe(true);
    });
  }

  it('oversized bodies are 413 on every write route, with or without a declared length, and write nothing', async () => {
    for (const op of ops.filter((o) => o.body)) {
      for (const body of ['x'.repeat(300_000), JSON.stringify({ orderId: 'O-9', name: 'Ж'.repeat(200_000) }), new Uint8Array(1_000_000)]) {
        const seen = await send(`oversize ${op.path}`, { method: op.method, url: op.path, headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body });
        expect(seen).toEqual({ status: 413, code: 'payload_too_large' });
        const declared = await send(`oversize ${op.path}`, {
          method: op.method,
          url: op.path,
          headers: { Authorization: AUTH, 'Content-Type': 'application/json', 'Content-Length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length) },
          body,
        });
        expect(declared.status).toBe(413);
      }
    }
  });

  it('a body that is not declared JSON is 415 naming Content-Type; malformed JSON is 400 naming body', async () => {
    const r = await h.app.request('/api/v1/client', { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'text/plain' }, body: '{"clientId":"C-9","name":"x"}' });
    expect(r.status).toBe(415);
    expect(((await r.json()) as any).error).toMatchObject({ code: 'unsupported_media_type', fields: [{ field: 'Content-Type', message: 'text/plain' }] });
    const m = await h.app.request('/api/v1/client', { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: '{"clientId":' });
    expect(((await m.json()) as any).error).toMatchObject({ code: 'malformed_body', fields: [{ field: 'body' }] });
    const extra = await h.app.request('/api/v1/client', { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: '{"clientId":"C-9","name":"x","vip":true}' });
    expect(((await extra.json()) as any).error.fields).toEqual([{ field: 'vip', message: 'неизвестное поле' }]);
  });

  it('an empty Idempotency-Key is a 400 naming it (found by this fuzz: two empty keys collided in a UNIQUE index → 500)', async () => {
    const before = h.changes();
    for (const orderId of ['O-empty-1', 'O-empty-2']) {
      const r = await h.app.request('/api/v1/booking', {
        method: 'POST',
        headers: { Authorization: AUTH, 'Content-Type': 'application/json', 'Idempotency-Key': '' },
        body: JSON.stringify({ orderId, clientId: 'C-1', store: S1, deliveryAddress: 'x', items: [{ itemId: I1, quantity: 1 }] }),
      });
      expect(r.status).toBe(400);
      expect(((await r.json()) as any).error.fields.map((f: { field: string }) => f.field)).toEqual(['idempotency-key']);
    }
    expect(h.changes()).toBe(before);
  });

  it('junk paths and methods: 404/4xx in the one shape, never 5xx', async () => {
    const segment = fc.oneof(fc.constantFrom('api', 'v1', 'v2', 'docs', 'assets', 'swagger-ui-dist', 'booking', 'picture', 'openapi.json', '..', '.', '%2e%2e', '%00', '%', ''), pathValue);
    const prefix = fc.constantFrom('/api/v1/', '/docs/assets/swagger-ui-dist/', '/docs/', '/', '/api/v1/picture/', '//', '/api/v1//');
    await fc.assert(
      fc.asyncProperty(
        prefix,
        fc.array(segment, { maxLength: 4 }),
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
        fc.option(junkText.map((s) => s.replace(/[\ud800-\udfff]/g, '')), { nil: undefined }),
        async (pre, segs, method, body) => {
          const withBody = method !== 'GET' && method !== 'HEAD';
          const url = pre + segs.join('/');
          await send('junk path/method', { method, url, headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: withBody ? body : undefined }, opFor(method, url));
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('random Authorization headers: 401/429 in the one shape (a separate app: failures lock the address out)', async () => {
    const other = buildHarness({ lockoutAfterFailures: 5 });
    const creds = fc.oneof(
      headerValue,
      fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([u, p]) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64')),
      fc.constantFrom('Basic', 'Basic ', 'basic Og==', 'Basic ' + '='.repeat(5000), 'Digest x', 'Basic cnM6cA==garbage'),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(creds, async (a) => {
        const res = await other.app.request('/api/v1/city', { headers: { Authorization: a } });
        const seen = await checkAnswer(res, { method: 'GET', url: '/api/v1/city' });
        tally.add('auth junk', seen);
        n++;
        expect([200, 401, 429]).toContain(seen.status);
      }),
      { numRuns: 40 }, // each failure with a colon costs one scrypt (~40 ms)
    );
    expect(n).toBe(40);
    expect(other.unhandled).toEqual([]);
  });

  it('concurrent identical and conflicting bookings: one order, answers agree, nothing half-written', async () => {
    // The fuzzed bookings before hold the item's stock (available to promise, issue 14.1): this is about the race.
    h.db.prepare(`UPDATE catalog_stock SET quantity = 1000000 WHERE item_id = ?`).run(I1);
    const body = { orderId: 'O-race', clientId: 'C-1', store: S1, deliveryAddress: 'Москва', items: [{ itemId: I1, quantity: 3 }] };
    const post = (b: unknown) => h.app.request('/api/v1/booking', { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => post(i % 3 === 2 ? { ...body, deliveryAddress: 'другой' } : body)));
    const statuses = answers.map((r) => r.status);
    for (const r of answers) tally.add('concurrent booking', await checkAnswer(r, { method: 'POST', url: '/api/v1/booking' }));
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    expect(h.db.prepare(`SELECT COUNT(*) FROM orders WHERE id = 'O-race'`).pluck().get()).toBe(1);
    expect(h.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE kind = 'booking.create' AND key = 'order:O-race'`).pluck().get()).toBe(1);
  });

  it('afterwards: the server is alive, a valid booking still works, and every stored record is whole', async () => {
    expect((await h.app.request('/healthz')).status).toBe(200);
    const post = (path: string, b: unknown) =>
      h.app.request(`/api/v1/${path}`, { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    expect((await post('client', { clientId: 'C-after', name: 'После' })).status).toBe(202);
    expect((await post('booking', { orderId: 'O-after', clientId: 'C-after', store: S1, deliveryAddress: 'x', items: [{ itemId: I1, quantity: 1 }] })).status).toBe(202);

    const db = h.db;
    const one = (sql: string) => db.prepare(sql).pluck().get();
    expect(one(`PRAGMA integrity_check`)).toBe('ok');
    expect(db.prepare(`PRAGMA foreign_key_check`).all()).toEqual([]);
    // Every order whole: lines, its acceptance in history, its delivery job; amounts add up.
    expect(one(`SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)`)).toBe(0);
    expect(one(`SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_history x WHERE x.order_id = o.id AND x.event = 'booking.accepted')`)).toBe(0);
    expect(one(`SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM outbox_jobs j WHERE j.kind = 'booking.create' AND j.key = 'order:' || o.id)`)).toBe(0);
    expect(one(`SELECT COUNT(*) FROM orders o WHERE amount_kopecks != (SELECT SUM(amount_kopecks) FROM order_lines l WHERE l.order_id = o.id)`)).toBe(0);
    expect(one(`SELECT COUNT(*) FROM orders WHERE amount_kopecks <= 0`)).toBe(0);
    // Every client has its ensure job; every payment and refund its job and the matching order status.
    expect(one(`SELECT COUNT(*) FROM clients c WHERE NOT EXISTS (SELECT 1 FROM outbox_jobs j WHERE j.kind = 'client.ensure' AND j.key = 'client:' || c.id)`)).toBe(0);
    expect(one(`SELECT COUNT(*) FROM payments p WHERE NOT EXISTS (SELECT 1 FROM outbox_jobs j WHERE j.kind = 'payment.card' AND json_extract(j.payload, '$.paymentId') = p.id)`)).toBe(0);
    expect(one(`SELECT COUNT(*) FROM refunds r WHERE NOT EXISTS (SELECT 1 FROM outbox_jobs j WHERE j.kind = 'refund.create' AND json_extract(j.payload, '$.refundId') = r.id)`)).toBe(0);
    expect(one(`SELECT COUNT(*) FROM orders o WHERE status = 2 AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id)`)).toBe(0);
    expect(one(`SELECT COUNT(*) FROM orders o WHERE status = 7 AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id)`)).toBe(0);
    expect(one(`SELECT COUNT(*) FROM orders o WHERE paid_kopecks != (SELECT COALESCE(SUM(amount_kopecks), 0) FROM payments p WHERE p.order_id = o.id)`)).toBe(0);
    // webhooks on: one webhook job per history row, nothing more or less
    expect(one(`SELECT COUNT(*) FROM order_history x WHERE NOT EXISTS (SELECT 1 FROM outbox_jobs j WHERE j.kind = 'webhook' AND json_extract(j.payload, '$.historyId') = x.id)`)).toBe(0);
    expect(one(`SELECT COUNT(*) FROM outbox_jobs WHERE kind = 'webhook'`)).toBe(one(`SELECT COUNT(*) FROM order_history`));
    console.log(
      `API fuzz: stored afterwards — ${one('SELECT COUNT(*) FROM clients')} clients, ${one('SELECT COUNT(*) FROM orders')} orders, ` +
        `${one('SELECT COUNT(*) FROM payments')} payments, ${one('SELECT COUNT(*) FROM refunds')} refunds, ${one('SELECT COUNT(*) FROM outbox_jobs')} jobs`,
    );
    expect(tally.total()).toBeGreaterThanOrEqual(RUNS * ops.length);
    expect(h.unhandled).toEqual([]);
  });
});
