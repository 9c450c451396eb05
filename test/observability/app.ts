import { Writable } from 'node:stream';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { createApp, type App } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { OrdersService } from '../../src/orders/service.js';
import { stats } from '../../src/outbox/index.js';
import { hashPassword } from '../../src/install/password.js';
import { createLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import type { ApiServices } from '../../src/api/services.js';
import { S1, snapshot } from '../fixtures/mirror.js';

// A real createApp over an in-memory database with the fixture mirror, one hashed user, a logger whose lines are
// captured, and real metrics. Tests override config keys and services.
export const PASSWORD = 'Pa55-w0rd-Секрет';
export const USER = 'rs';
const hash = await hashPassword(PASSWORD);

export const basic = (user = USER, password = PASSWORD) => 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
/** `env` for app.request(): the socket address the Node server would give. */
export const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

export interface TestApp {
  app: App;
  db: Db;
  config: Config;
  metrics: Metrics;
  lines: Record<string, unknown>[];
  raw: string[];
}

export function buildApp(over: Record<string, unknown> = {}, services: Partial<ApiServices> = {}, maxDepth = 1000): TestApp {
  const db = openDb(':memory:');
  writeSnapshot(db, { ...snapshot, stock: [{ storeId: S1, itemId: snapshot.items[0]!.id, quantity: 50 }] });
  const config = parseConfig(merge({ auth: { users: [{ name: USER, passwordHash: hash }] } }, over));
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const orders = new OrdersService(db, catalog, { confirmWindowMs: 0, maxDepth });
  const metrics = createMetrics({ processMetrics: false, sources: { outbox: () => stats(db), mirror: () => catalog.state() } });
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      raw.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger('info', sink);
  const app = createApp({
    config,
    logger,
    services: { catalog, orders, metrics, health: { ready: async () => ({ ready: true, checks: [] }) }, ...services } as ApiServices,
  });
  return {
    app,
    db,
    config,
    metrics,
    raw,
    get lines() {
      return raw.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' ? merge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** Prometheus text → samples. Enough of the format for our own output: `name{a="b",…} value`. */
export function parseProm(text: string): { types: Map<string, string>; samples: { name: string; labels: Record<string, string>; value: number }[] } {
  const types = new Map<string, string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) {
      types.set(t[1]!, t[2]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_s, ch: string) => (ch === 'n' ? '\n' : ch));
    const v = m[3]!;
    samples.push({ name: m[1]!, labels, value: v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v) });
  }
  return { types, samples };
}

export function sample(parsed: ReturnType<typeof parseProm>, name: string, labels: Record<string, string> = {}): number | undefined {
  return parsed.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
