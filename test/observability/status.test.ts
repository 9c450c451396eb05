import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { createApp } from '../../src/api/app.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { enqueue } from '../../src/outbox/index.js';
import { silentLogger } from '../../src/log.js';
import { ago, collectStatus, renderStatus } from '../../src/cli/commands/status.js';
import { snapshot } from '../fixtures/mirror.js';

const repo = resolve(import.meta.dirname, '../..');
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A database file as the daemon leaves it: a synced mirror, orders today and yesterday, the outbox, a bank import. */
function seed(dir: string, now: Date, opts: { dead?: boolean; review?: boolean } = {}): string {
  const path = join(dir, 'regate.sqlite');
  const db: Db = openDb(path);
  writeSnapshot(db, snapshot);
  const iso = (ms: number) => new Date(now.getTime() + ms).toISOString();
  db.prepare(`INSERT INTO clients (id, name, created_at, updated_at) VALUES ('C-1', 'Иванов', ?, ?)`).run(iso(0), iso(0));
  const order = db.prepare(
    `INSERT INTO orders (id, request_hash, client_id, store_id, delivery_address, amount_kopecks, status, created_at, updated_at) VALUES (?, 'h', 'C-1', 's', 'a', ?, ?, ?, ?)`,
  );
  order.run('O-1', 10_000, 1, iso(-1_000), iso(0));
  order.run('O-2', 25_050, 1, iso(-2_000), iso(0));
  order.run('O-3', 5_000, 2, iso(-3_000), iso(0));
  order.run('O-old', 99_900, 6, iso(-3 * 86_400_000), iso(0)); // not today
  enqueue(db, { kind: 'booking.create', key: 'order:O-1', payload: {} }, now.getTime() - 30_000);
  if (opts.dead) {
    enqueue(db, { kind: 'booking.create', key: 'order:O-2', payload: {} }, now.getTime());
    db.prepare(`UPDATE outbox_jobs SET state = 'dead' WHERE key = 'order:O-2'`).run();
  }
  const st = db
    .prepare(
      `INSERT INTO bank_statements (file_hash, source, name, documents, incoming, new_payments, matched, partial, review, imported_at) VALUES ('f', 'folder', 'kl_to_1c.txt', 3, 2, 2, 1, 0, 1, ?)`,
    )
    .run(iso(-3_600_000));
  if (opts.review)
    db.prepare(
      `INSERT INTO bank_payments (payment_key, key_hash, statement_id, number, date, amount_kopecks, purpose, result, review, created_at) VALUES ('k', 'kh', ?, '17', '2026-11-29', 100, 'за что-то', 'unmatched', 'open', ?)`,
    ).run(st.lastInsertRowid, iso(0));
  db.close();
  return path;
}

function configFor(dbPath: string, port: number, over: Record<string, unknown> = {}): Config {
  return parseConfig({ database: { path: dbPath }, server: { port }, bank: { watchDir: '/srv/bank' }, ...over });
}

async function daemon(config: Config, onecOk = true) {
  const db = openDb(config.database.path);
  const checks = [{ name: 'onec', ok: onecOk, detail: onecOk ? '1С отвечает' : '1С недоступна: 503 от IIS' }];
  if (!onecOk) checks.push({ name: 'storage', ok: false, detail: 'на диске с базой осталось 80 МБ' }, { name: 'mirror', ok: false, detail: 'старое' });
  const app = createApp({
    config,
    logger: silentLogger,
    services: { health: { ready: async () => ({ ready: onecOk, checks }) } },
  });
  server = await startServer(app, config, { host: '127.0.0.1', port: 0 });
  return { db, url: server.url };
}

describe('regate status', () => {
  it('all well: daemon ready, 1C reachable (via /readyz), fresh mirror, quiet outbox → ok, summary in Russian', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regate-status-'));
    const now = new Date();
    const path = seed(dir, now);
    const config = configFor(path, 0);
    const { url } = await daemon(config);
    const r = await collectStatus(config, { url, now });
    expect(r.attention).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.onec).toMatchObject({ reachable: true, via: 'daemon' });
    expect(r.mirror!.counts).toMatchObject({ items: 3, stores: 2, groups: 2 });
    expect(r.outbox).toMatchObject({ pending: 1, dead: 0 });
    expect(r.outbox!.oldestPendingAgeMs).toBeGreaterThanOrEqual(30_000);
    expect(r.bank).toMatchObject({ configured: true, lastImportName: 'kl_to_1c.txt', openReview: 0 });
    expect(r.ordersToday).toEqual([
      { status: 1, name: 'создан, не оплачен', count: 2, amount: 350.5 },
      { status: 2, name: 'оплачен картой', count: 1, amount: 50 },
    ]);
    const text = renderStatus(r);
    expect(text).toContain('Демон           работает');
    expect(text).toContain('1С              доступна (по /readyz демона)');
    expect(text).toMatch(/Зеркало\s+синхронизировано \d+ с назад/);
    expect(text).toContain('товаров 3, групп 2, складов 2');
    expect(text).toContain('ждут 1 (из 100000 допустимых)');
    expect(text).toMatch(/последняя выписка .* \(1 ч назад, kl_to_1c\.txt\)/);
    expect(text).toContain('Заказы сегодня  3:');
    expect(text).toContain('2  1 создан, не оплачен (350,50 ₽)');
    expect(text).toContain('Всё в порядке.');
  });

  it('needs attention: 1C down and low disk (per the daemon), a dead job, payments to review, stale mirror', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regate-status-'));
    const now = new Date();
    const path = seed(dir, now, { dead: true, review: true });
    const config = configFor(path, 0, { sync: { maxAgeMinutes: 60 } });
    const { url } = await daemon(config, false);
    const later = new Date(now.getTime() + 2 * 3_600_000); // the mirror is now 2 h old
    const r = await collectStatus(config, { url, now: later });
    expect(r.ok).toBe(false);
    expect(r.attention).toEqual([
      'Демон не готов (storage): на диске с базой осталось 80 МБ',
      '1С недоступна: 503 от IIS',
      'Зеркало каталога устарело: последняя синхронизация 2 ч назад (порог sync.maxAgeMinutes = 60 мин)',
      'В очереди в 1С 1 «мёртвых» заданий: regate outbox list -s dead, затем retry или drop',
      'Самое старое задание ждёт доставки в 1С 2 ч 1 мин', // enqueued 30 s before the seed's now
      '1 банковских платежей ждут ручного разбора (regate bank unmatched)',
    ]);
    expect(renderStatus(r)).toContain('Требует внимания:\n  - Демон не готов (storage): на диске с базой осталось 80 МБ\n  - 1С недоступна: 503 от IIS');
  });

  it('CLI: daemon not running → says so, exit 1; no database file → exit 1 with the path; JSON on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regate-status-'));
    const path = seed(dir, new Date());
    const file = join(dir, 'regate.yaml');
    // A port nothing listens on (taken and released), so the daemon is "not running".
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    writeFileSync(file, `database:\n  path: ${path}\nserver:\n  port: ${port}\n`);
    const run = (args: string[]) =>
      promisify(execFile)('node', [join(repo, 'bin/regate.mjs'), '-c', file, 'status', '--no-onec', '--timeout', '2000', ...args], { cwd: repo }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    const down = await run([]);
    expect(down.code).toBe(1);
    expect(down.out).toContain(`Демон           не отвечает (http://127.0.0.1:${port})`);
    expect(down.out).toContain('1С              не проверялась');
    expect(down.out).toContain(`Демон ReGate не отвечает на http://127.0.0.1:${port} (ECONNREFUSED)`);
    const json = await run(['--json']);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, mirror: { counts: { items: 3 } }, daemon: { running: false } });
    writeFileSync(file, `database:\n  path: ${join(dir, 'nope', 'x.sqlite')}\nserver:\n  port: ${port}\n`);
    const nodb = await run([]);
    expect(nodb.code).toBe(1);
    expect(nodb.out).toContain('файла базы данных нет');
  });

  it('ages read as an administrator says them', () => {
    expect([ago(5_000), ago(12 * 60_000), ago(185 * 60_000), ago(120 * 60_000), ago(5 * 86_400_000)]).toEqual(['5 с', '12 мин', '3 ч 5 мин', '2 ч', '5 дн']);
  });
});
