import type { Command } from 'commander';
import type { Config } from '../../config/index.js';
import { configOf } from '../context.js';

/**
 * `regate status`: the administrator's one-screen answer to "is everything all right?", in Russian. Reads the
 * configuration and the database file (read-only, so it runs next to the daemon), asks the daemon's /readyz if it
 * answers (otherwise asks 1C itself), and lists what needs attention. Exit code 0: all well; 1: something needs
 * attention (listed); 2: the configuration or the database could not be read.
 */

/** Thresholds for "needs attention". Outbox: the worker's backoff tops out at 5 min, so a job pending for 15 has
 *  failed several times in a row. Bank: statements come every business day; 3 days covers a weekend. */
export const ATTENTION = { outboxOldestMs: 15 * 60_000, outboxDepthShare: 0.8, bankQuietMs: 72 * 3_600_000 };

export interface StatusOptions {
  now?: Date;
  /** The daemon's base URL; default from server.host/port/tls. */
  url?: string;
  /** Ask 1C directly when the daemon does not answer (default true). */
  pingOneC?: boolean;
  timeoutMs?: number;
}

export interface StatusReport {
  at: string;
  timezone: string;
  daemon: { url: string; running: boolean; ready: boolean | null; checks: { name: string; ok: boolean; detail: string }[]; error?: string };
  onec: { reachable: boolean | null; via: 'daemon' | 'direct' | 'none'; detail: string };
  database: { path: string; ok: boolean; error?: string };
  mirror: { syncedAt: string | null; stockSyncedAt: string | null; ageMs: number | null; stockAgeMs: number | null; generation: number; counts: Record<string, number> } | null;
  outbox: { pending: number; running: number; dead: number; retrying: number; oldestPendingAgeMs: number; maxAttempts: number; maxDepth: number } | null;
  bank: { configured: boolean; lastImportAt: string | null; lastImportAgeMs: number | null; lastImportName: string | null; openReview: number } | null;
  ordersToday: { status: number; name: string; count: number; amount: number }[] | null;
  /** Goods returns the accountant has still to make in 1C (regate orders returns). */
  goodsReturnsOpen?: number;
  attention: string[];
  ok: boolean;
}

export async function collectStatus(config: Config, opts: StatusOptions = {}): Promise<StatusReport> {
  const now = opts.now ?? new Date();
  const tz = config.onec.timezone;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const attention: string[] = [];
  const url = opts.url ?? daemonUrl(config);
  const r: StatusReport = {
    at: now.toISOString(),
    timezone: tz,
    daemon: { url, running: false, ready: null, checks: [] },
    onec: { reachable: null, via: 'none', detail: '' },
    database: { path: config.database.path, ok: false },
    mirror: null,
    outbox: null,
    bank: null,
    ordersToday: null,
    attention,
    ok: false,
  };

  // The daemon: /healthz says it runs (fast), /readyz says whether 1C answers and the mirror is fresh.
  const { fetch, Agent } = await import('undici');
  // Our own daemon on this machine, often with a self-signed certificate; nothing secret is sent to it.
  const dispatcher = url.startsWith('https:') ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined;
  try {
    const h = await fetch(`${url}/healthz`, { dispatcher, signal: AbortSignal.timeout(Math.min(timeoutMs, 3_000)) });
    r.daemon.running = h.ok;
    if (!h.ok) r.daemon.error = `/healthz ответил ${h.status}`;
  } catch (e) {
    r.daemon.error = causeOf(e);
  }
  if (r.daemon.running) {
    try {
      const res = await fetch(`${url}/readyz`, { dispatcher, signal: AbortSignal.timeout(timeoutMs) });
      const body = (await res.json()) as { ready?: boolean; checks?: { name: string; ok: boolean; detail: string }[] };
      r.daemon.ready = body.ready ?? res.ok;
      r.daemon.checks = body.checks ?? [];
      const onec = r.daemon.checks.find((c) => c.name === 'onec');
      if (onec) r.onec = { reachable: onec.ok, via: 'daemon', detail: onec.detail.replace(/^1С недоступна: /, '') };
      // 1C and the mirror are judged below from their own data; anything else the daemon finds wrong (the
      // database file not writable, low disk space) is listed as the daemon says it.
      for (const c of r.daemon.checks)
        if (!c.ok && c.name !== 'onec' && c.name !== 'mirror') attention.push(`Демон не готов (${c.name}): ${c.detail}`);
    } catch (e) {
      r.daemon.error = `/readyz: ${causeOf(e)}`;
    }
  } else {
    attention.push(`Демон ReGate не отвечает на ${url} (${r.daemon.error ?? 'нет ответа'}): запущена ли служба regate?`);
  }
  await dispatcher?.close();
  if (r.onec.via === 'none' && (opts.pingOneC ?? true)) {
    const { ODataClient } = await import('../../onec/index.js');
    const client = new ODataClient({ ...config.onec, timeoutMs: Math.min(timeoutMs, config.onec.timeoutMs), readRetries: 0, sessions: 1 });
    try {
      await client.count('Catalog_Организации');
      r.onec = { reachable: true, via: 'direct', detail: '1С отвечает' };
    } catch (e) {
      // "GET <long encoded URL>: no response: …" → the part an administrator acts on, with the base's address.
      const { redactUrl } = await import('../../onec/index.js');
      r.onec = { reachable: false, via: 'direct', detail: `${redactUrl(config.onec.url)}: ${(e as Error).message.replace(/^[A-Z]+ \S+: /, '')}` };
    } finally {
      await client.close();
    }
  }
  if (r.onec.reachable === false) attention.push(`1С недоступна: ${r.onec.detail}`);

  // The database: read-only, never migrated from here.
  const { existsSync } = await import('node:fs');
  if (config.database.path !== ':memory:' && !existsSync(config.database.path)) {
    r.database.error = 'файла базы данных нет (демон ещё не запускался, или database.path указывает не туда)';
    attention.push(`База данных ${config.database.path}: ${r.database.error}`);
    r.ok = false;
    return r;
  }
  const { openDb } = await import('../../db/open.js');
  let db;
  try {
    db = openDb(config.database.path, { readonly: true });
    r.database.ok = true;
  } catch (e) {
    r.database.error = (e as Error).message;
    throw new StatusError(`База данных ${config.database.path} не читается: ${r.database.error}`);
  }
  try {
    const has = (table: string) => Boolean(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table));
    const count = (table: string) => (has(table) ? (db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number) : 0);

    if (has('meta')) {
      const meta = Object.fromEntries(
        (db.prepare(`SELECT key, value FROM meta WHERE key LIKE 'mirror.%'`).all() as { key: string; value: string }[]).map((m) => [m.key, m.value]),
      );
      const syncedAt = meta['mirror.syncedAt'] ?? null;
      const stockSyncedAt = meta['mirror.stockSyncedAt'] ?? syncedAt;
      r.mirror = {
        syncedAt,
        stockSyncedAt,
        ageMs: syncedAt ? now.getTime() - Date.parse(syncedAt) : null,
        stockAgeMs: stockSyncedAt ? now.getTime() - Date.parse(stockSyncedAt) : null,
        generation: Number(meta['mirror.generation'] ?? 0),
        counts: {
          items: count('catalog_items'),
          stores: count('catalog_stores'),
          groups: count('catalog_groups'),
          prices: count('catalog_prices'),
          stock: count('catalog_stock'),
          pictures: count('catalog_pictures'),
        },
      };
      const maxAgeMs = config.sync.maxAgeMinutes * 60_000;
      if (r.mirror.ageMs === null) attention.push('Зеркало каталога пусто: ни одной синхронизации с 1С (regate sync)');
      else if (r.mirror.ageMs > maxAgeMs)
        attention.push(`Зеркало каталога устарело: последняя синхронизация ${ago(r.mirror.ageMs)} назад (порог sync.maxAgeMinutes = ${config.sync.maxAgeMinutes} мин)`);
    }

    if (has('outbox_jobs')) {
      const { stats } = await import('../../outbox/index.js');
      const s = stats(db, now.getTime());
      r.outbox = { ...s, maxDepth: config.outbox.maxDepth };
      if (s.dead > 0) attention.push(`В очереди в 1С ${s.dead} «мёртвых» заданий: regate outbox list -s dead, затем retry или drop`);
      if (s.oldestPendingAgeMs > ATTENTION.outboxOldestMs) attention.push(`Самое старое задание ждёт доставки в 1С ${ago(s.oldestPendingAgeMs)}`);
      if (s.pending >= config.outbox.maxDepth * ATTENTION.outboxDepthShare)
        attention.push(`Очередь в 1С почти полна: ${s.pending} из ${config.outbox.maxDepth} (при заполнении запись заказов получает 503)`);
    }

    const bankConfigured = Boolean(config.bank.watchDir) || config.bank.api.kind !== 'none';
    if (has('bank_statements')) {
      const last = db.prepare(`SELECT imported_at AS at, name FROM bank_statements ORDER BY imported_at DESC LIMIT 1`).get() as { at: string; name: string } | undefined;
      const openReview = has('bank_payments') ? (db.prepare(`SELECT COUNT(*) FROM bank_payments WHERE review = 'open'`).pluck().get() as number) : 0;
      r.bank = {
        configured: bankConfigured,
        lastImportAt: last?.at ?? null,
        lastImportAgeMs: last ? now.getTime() - Date.parse(last.at) : null,
        lastImportName: last?.name ?? null,
        openReview,
      };
      if (bankConfigured && (r.bank.lastImportAgeMs === null || r.bank.lastImportAgeMs > ATTENTION.bankQuietMs))
        attention.push(r.bank.lastImportAt ? `Банковских выписок не было ${ago(r.bank.lastImportAgeMs!)}` : 'Импорт банковских выписок настроен, но ни одной выписки ещё не загружено');
      if (openReview > 0) attention.push(`${openReview} банковских платежей ждут ручного разбора (regate bank unmatched)`);
    } else {
      r.bank = { configured: bankConfigured, lastImportAt: null, lastImportAgeMs: null, lastImportName: null, openReview: 0 };
    }

    if (has('orders')) {
      const { ORDER_STATUS } = await import('../../orders/statuses.js');
      const { fromNaive, toNaive } = await import('../../onec/time.js');
      // "Today" is the shop's day in the 1C server's zone, not UTC's.
      const midnight = fromNaive(`${toNaive(now, tz).slice(0, 10)}T00:00:00`, tz).toISOString();
      const rows = db
        .prepare(`SELECT status, COUNT(*) AS n, SUM(amount_kopecks) AS k FROM orders WHERE created_at >= ? GROUP BY status ORDER BY status`)
        .all(midnight) as { status: number; n: number; k: number }[];
      r.ordersToday = rows.map((x) => ({ status: x.status, name: ORDER_STATUS[x.status as keyof typeof ORDER_STATUS] ?? `статус ${x.status}`, count: x.n, amount: x.k / 100 }));
      // Shipped goods that came back with a refund: the accountant makes the return in 1C (issue 14.4).
      const hasGoods = (db.prepare(`SELECT 1 FROM pragma_table_info('refunds') WHERE name = 'goods_state'`).get() as unknown) !== undefined;
      r.goodsReturnsOpen = hasGoods ? (db.prepare(`SELECT COUNT(*) FROM refunds WHERE goods_state = 'to_prepare'`).pluck().get() as number) : 0;
      if (r.goodsReturnsOpen > 0) attention.push(`${r.goodsReturnsOpen} возвратов отгруженного товара нужно оформить в 1С (regate orders returns)`);
    }
  } catch (e) {
    // A database that opens but fails on reading (a damaged page, a file replaced under us) is "cannot read the
    // database": exit 2 as documented, with the file named, not an unhandled error and exit 1.
    if (typeof (e as { code?: unknown }).code === 'string' && String((e as { code: string }).code).startsWith('SQLITE_')) {
      r.database.error = (e as Error).message;
      throw new StatusError(`База данных ${config.database.path} не читается: ${r.database.error} (${(e as { code: string }).code}); что делать — docs/ru/troubleshooting.md`);
    }
    throw e;
  } finally {
    db.close();
  }
  r.ok = attention.length === 0;
  return r;
}

export class StatusError extends Error {}

export function renderStatus(r: StatusReport): string {
  const tz = r.timezone;
  const L: string[] = [];
  const row = (label: string, text: string) => L.push(`${label.padEnd(16)}${text}`);
  L.push(`ReGate: состояние на ${local(r.at, tz)} (${tz})`);
  L.push('');
  const d = r.daemon;
  row('Демон', d.running ? `работает, ${d.url}${d.ready === true ? ', готов' : d.ready === false ? ', НЕ готов' : ''}` : `не отвечает (${d.url})`);
  for (const c of d.checks.filter((c) => !c.ok)) row('', `✗ ${c.name}: ${c.detail}`);
  row('1С', r.onec.reachable === null ? 'не проверялась' : `${r.onec.reachable ? 'доступна' : 'НЕДОСТУПНА'} (${r.onec.via === 'daemon' ? 'по /readyz демона' : 'проверено напрямую'})${r.onec.reachable ? '' : ': ' + r.onec.detail}`);
  if (!r.database.ok) row('База данных', `${r.database.path}: ${r.database.error}`);
  if (r.mirror) {
    const m = r.mirror;
    const c = m.counts;
    row('Зеркало', m.ageMs === null ? 'пусто (синхронизаций ещё не было)' : `синхронизировано ${ago(m.ageMs)} назад (${local(m.syncedAt!, tz)}), остатки и цены ${ago(m.stockAgeMs ?? m.ageMs)} назад`);
    row('', `товаров ${c.items}, групп ${c.groups}, складов ${c.stores}, цен ${c.prices}, остатков ${c.stock}, картинок ${c.pictures}`);
  }
  if (r.outbox) {
    const o = r.outbox;
    row('Очередь в 1С', `ждут ${o.pending} (из ${o.maxDepth} допустимых), выполняются ${o.running}, с повторами ${o.retrying}, «мёртвых» ${o.dead}`);
    if (o.pending) row('', `самое старое ждёт ${ago(o.oldestPendingAgeMs)}, наибольшее число попыток ${o.maxAttempts}`);
  }
  if (r.bank) {
    const b = r.bank;
    const last = b.lastImportAt ? `последняя выписка ${local(b.lastImportAt, tz)} (${ago(b.lastImportAgeMs!)} назад, ${b.lastImportName})` : 'выписок ещё не было';
    row('Банк', `${b.configured ? '' : 'импорт не настроен; '}${last}${b.openReview ? `; ждут разбора ${b.openReview}` : ''}`);
  }
  if (r.ordersToday) {
    if (!r.ordersToday.length) row('Заказы сегодня', 'нет');
    else {
      const total = r.ordersToday.reduce((s, x) => s + x.count, 0);
      row('Заказы сегодня', `${total}:`);
      for (const x of r.ordersToday) row('', `${String(x.count).padStart(5)}  ${x.status} ${x.name} (${money(x.amount)} ₽)`);
    }
  }
  L.push('');
  if (r.attention.length) {
    L.push('Требует внимания:');
    for (const a of r.attention) L.push(`  - ${a}`);
  } else L.push('Всё в порядке.');
  return L.join('\n');
}

export function register(program: Command) {
  program
    .command('status')
    .description('сводка для администратора: 1С, зеркало каталога, очередь в 1С, банк, заказы за сегодня; код 1 — что-то требует внимания, 2 — база не читается')
    .option('--json', 'вывести JSON')
    .option('--url <url>', 'адрес работающего ReGate (по умолчанию: из server.host и server.port)')
    .option('--no-onec', 'не обращаться к 1С, если ReGate не запущен')
    .option('--timeout <ms>', 'сколько ждать ответа ReGate и 1С, мс', '15000')
    .action(async (opts: { json?: boolean; url?: string; onec: boolean; timeout: string }, cmd: Command) => {
      const config = configOf(cmd);
      let report: StatusReport;
      try {
        report = await collectStatus(config, { url: opts.url, pingOneC: opts.onec, timeoutMs: Number(opts.timeout) });
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
        console.error(e.message);
        process.exitCode = 2;
        return;
      }
      console.log(opts.json ? JSON.stringify(report, null, 2) : renderStatus(report));
      process.exitCode = report.ok ? 0 : 1;
    });
}

export function daemonUrl(config: Config): string {
  const tls = Boolean(config.server.tls.cert && config.server.tls.key);
  const h = config.server.host;
  const host = h === '0.0.0.0' || h === '' ? '127.0.0.1' : h === '::' ? '[::1]' : h.includes(':') ? `[${h}]` : h;
  return `${tls ? 'https' : 'http'}://${host}:${config.server.port}`;
}

function causeOf(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'нет ответа за отведённое время';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

/** 90 с, 12 мин, 3 ч 5 мин, 4 дн. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} с`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} мин`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} ч${m % 60 ? ` ${m % 60} мин` : ''}`;
  return `${Math.floor(h / 24)} дн`;
}

function local(iso: string, tz: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('ru-RU', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
}

function money(n: number): string {
  return n.toLocaleString('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).replace(/\u00a0/g, ' ');
}
