import { z } from '@hono/zod-openapi';
import { expect } from 'vitest';
import { createApp, type App } from '../../src/api/app.js';
import { ErrorSchema } from '../../src/api/errors.js';
import { BankService } from '../../src/bank/import/service.js';
import { CatalogService } from '../../src/catalog/service.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { parseConfig } from '../../src/config/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { OrdersService } from '../../src/orders/service.js';
import { I1, S1, snapshot } from '../fixtures/mirror.js';

/**
 * A ReGate app over an in-memory SQLite with the hand-made mirror, for driving with app.request (no sockets).
 * `unhandled` collects what the app logged as an unhandled error: a fuzz run must end with it empty.
 */
/** Pictures in the fuzz mirror: one cached, one still waiting for its bytes from 1C (answers 503 Retry-After). */
export const PIC_READY = 'dddddddd-0000-4000-8000-000000000001';
export const PIC_PENDING = 'dddddddd-0000-4000-8000-000000000002';

export const USER = { name: 'rs', password: 'p' };
export const AUTH = 'Basic ' + Buffer.from(`${USER.name}:${USER.password}`).toString('base64');
const passwordHash = await hashPassword(USER.password);

export interface Harness {
  app: App;
  db: Db;
  unhandled: unknown[];
  /** Rows inserted, updated or deleted in any table and committed or not yet rolled back (temp triggers). */
  changes(): number;
}

/**
 * `counter: 'rows'` counts rows (all tables) instead of installing TEMP triggers: a trigger makes SQLite keep a
 * statement journal, which changes how it answers SQLITE_FULL (statement rollback instead of a whole-transaction
 * rollback), so disk-fault tests must not have them. Row counts miss in-place UPDATEs; those tests send none.
 */
export function buildHarness(opts: { db?: Db; lockoutAfterFailures?: number; counter?: 'triggers' | 'rows' } = {}): Harness {
  const db = opts.db ?? openDb(':memory:');
  if (!opts.db) {
    const pictures = [
      { id: PIC_READY, itemId: I1, extension: 'png' },
      { id: PIC_PENDING, itemId: I1, extension: 'jpg' },
    ];
    writeSnapshot(db, { ...snapshot, pictures, stock: [{ storeId: S1, itemId: I1, quantity: 50 }] });
    db.prepare(`UPDATE catalog_pictures SET data = ?, fetched_at = ? WHERE id = ?`).run(Buffer.from('89504e470d0a1a0a', 'hex'), new Date().toISOString(), PIC_READY);
  }
  const config = parseConfig({
    auth: {
      users: [{ name: USER.name, passwordHash, role: 'bank' }], // bank: the fuzzer reaches the review list too
      // thousands of requests a second from one in-process "address": the rate limits are tested elsewhere
      rateLimitPerMinute: 1e9,
      rateLimitPerAddressPerMinute: 1e9,
      ...(opts.lockoutAfterFailures ? { lockoutAfterFailures: opts.lockoutAfterFailures } : {}),
    },
  });
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  // maxDepth far above what a run enqueues: backpressure 503s are tested elsewhere and would mask real 5xx here.
  // webhooks on: every status change also enqueues a webhook job, the longest write path
  const orders = new OrdersService(db, catalog, { confirmWindowMs: 0, maxDepth: 1_000_000, webhooks: true });
  const unhandled: unknown[] = [];
  const logger = recordingLogger(unhandled);
  const bank = new BankService(db);
  const app = createApp({ config, logger, services: { catalog, orders, bank, health: { ready: async () => ({ ready: true, checks: [] }) } } });
  return { app, db, unhandled, changes: opts.counter === 'rows' ? rowCounter(db) : installChangeCounter(db) };
}

function recordingLogger(sink: unknown[]): Logger {
  const l: any = Object.create(silentLogger);
  // Only thrown errors count: request logging also reports expected 4xx/503 answers at error level.
  l.error = (o: { err?: unknown }, msg?: string) => {
    if (o?.err instanceof Error) sink.push({ msg, err: o.err });
  };
  l.child = () => l;
  return l as Logger;
}

/**
 * TEMP triggers on every table count row changes into a TEMP table. The temp database takes part in the same
 * transaction, so a rolled-back write leaves the count as it was: "count unchanged" is exactly "nothing written".
 * Cheaper than hashing every table after each of thousands of requests, and it cannot miss a column.
 */
function installChangeCounter(db: Db): () => number {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS fuzz_changes (n INTEGER NOT NULL); INSERT INTO temp.fuzz_changes VALUES (0);`);
  const tables = db.prepare(`SELECT t.name FROM main.sqlite_master t WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.sql NOT LIKE 'CREATE VIRTUAL TABLE%'
       AND NOT EXISTS (SELECT 1 FROM main.sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%' AND substr(t.name, 1, length(v.name) + 1) = v.name || '_')`).pluck().all() as string[];
  for (const t of tables) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS "fuzz_${t}_${op}" AFTER ${op} ON main."${t}" BEGIN UPDATE temp.fuzz_changes SET n = n + 1; END;`);
    }
  }
  const q = db.prepare(`SELECT n FROM temp.fuzz_changes`).pluck();
  return () => q.get() as number;
}

function rowCounter(db: Db): () => number {
  const tables = db.prepare(`SELECT t.name FROM main.sqlite_master t WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.sql NOT LIKE 'CREATE VIRTUAL TABLE%'
       AND NOT EXISTS (SELECT 1 FROM main.sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%' AND substr(t.name, 1, length(v.name) + 1) = v.name || '_')`).pluck().all() as string[];
  const q = db.prepare(`SELECT ${tables.map((t) => `(SELECT COUNT(*) FROM main."${t}")`).join(' + ')}`).pluck();
  return () => q.get() as number;
}

// ---- the routes as registered ---------------------------------------------------------------------------------

export interface Op {
  method: string;
  /** OpenAPI path, `{id}` style. */
  path: string;
  query?: z.ZodObject;
  params?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** status → JSON schema of the answer (undefined for non-JSON answers such as a picture). */
  responses: Record<string, z.ZodType | undefined>;
}

export function operationsOf(app: App): Op[] {
  const ops: Op[] = [];
  for (const d of app.openAPIRegistry.definitions as any[]) {
    if (d.type !== 'route') continue;
    const r = d.route;
    const responses: Record<string, z.ZodType | undefined> = {};
    for (const [status, resp] of Object.entries<any>(r.responses ?? {})) responses[status] = resp?.content?.['application/json']?.schema;
    ops.push({
      method: r.method.toUpperCase(),
      path: r.path,
      query: r.request?.query,
      params: r.request?.params,
      headers: r.request?.headers,
      body: r.request?.body?.content?.['application/json']?.schema,
      responses,
    });
  }
  return ops;
}

// ---- checking one answer ----------------------------------------------------------------------------------------

/** Statuses where the error must name at least one field of the request. */
const MUST_NAME_FIELD = new Set([400, 404, 409, 413, 415, 422]);


export interface Seen {
  status: number;
  code?: string;
}

/**
 * The contract for any answer to any input: a 2xx that matches its declared schema, a 3xx (304, the / redirect),
 * or a 4xx JSON error in the one shape. Never a 5xx, except a 503 the route declares (a transient state such as a
 * picture not yet fetched from 1C), which must then carry Retry-After and the one error shape.
 * Returns the status and error code for the tallies.
 */
export async function checkAnswer(res: Response, req: { method: string; url: string }, op?: Op): Promise<Seen> {
  const where = `${req.method} ${req.url.slice(0, 300)} → ${res.status}`;
  const text = req.method === 'HEAD' ? '' : await res.text();
  const declared503 = res.status === 503 && op && '503' in op.responses && res.headers.get('retry-after');
  if (res.status >= 500 && !declared503) throw new Error(`5xx: ${where}: ${text.slice(0, 500)}`);
  if (res.status >= 200 && res.status < 300) {
    if (op && req.method !== 'HEAD') {
      expect(Object.keys(op.responses), `${where}: status not declared`).toContain(String(res.status));
      const schema = op.responses[String(res.status)];
      if (schema) {
        const parsed = schema.safeParse(JSON.parse(text));
        if (!parsed.success) throw new Error(`${where}: 2xx body does not match its schema: ${parsed.error.message}\n${text.slice(0, 500)}`);
      }
    }
    return { status: res.status };
  }
  if (res.status >= 300 && res.status < 400) {
    expect([301, 302, 304, 307, 308], where).toContain(res.status);
    return { status: res.status };
  }
  expect(res.status, where).toBeGreaterThanOrEqual(400);
  if (req.method === 'HEAD') return { status: res.status };
  expect(res.headers.get('content-type') ?? '', where).toMatch(/^application\/json/);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${where}: error body is not JSON: ${text.slice(0, 300)}`);
  }
  const parsed = ErrorSchema.strict().safeParse(body);
  if (!parsed.success) throw new Error(`${where}: error body not in the one shape: ${text.slice(0, 500)}`);
  const e = parsed.data.error;
  if (!e.code || !e.message || !e.requestId) throw new Error(`${where}: empty code/message/requestId: ${text.slice(0, 300)}`);
  expect(res.headers.get('x-request-id'), where).toBe(e.requestId);
  if (MUST_NAME_FIELD.has(res.status) && e.fields.length === 0) throw new Error(`${where}: error names no field: ${text.slice(0, 300)}`);
  for (const f of e.fields) if (!f.field) throw new Error(`${where}: empty field name: ${text.slice(0, 300)}`);
  return { status: res.status, code: e.code };
}

// ---- tallies for the CI log -------------------------------------------------------------------------------------

export class Tally {
  private rows = new Map<string, { inputs: number; statuses: Map<string, number> }>();

  add(name: string, seen: Seen) {
    const row = this.rows.get(name) ?? { inputs: 0, statuses: new Map() };
    row.inputs += 1;
    const key = seen.code ? `${seen.status} ${seen.code}` : String(seen.status);
    row.statuses.set(key, (row.statuses.get(key) ?? 0) + 1);
    this.rows.set(name, row);
  }

  get(name: string) {
    return this.rows.get(name);
  }

  total() {
    return [...this.rows.values()].reduce((s, r) => s + r.inputs, 0);
  }

  print(title: string) {
    const lines = [`${title}: ${this.total()} inputs`];
    for (const [name, r] of [...this.rows].sort()) {
      const st = [...r.statuses].sort().map(([k, v]) => `${k}×${v}`).join(', ');
      lines.push(`  ${name.padEnd(34)} ${String(r.inputs).padStart(5)}  ${st}`);
    }
    console.log(lines.join('\n'));
  }
}
