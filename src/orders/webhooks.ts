import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open.js';
import { enqueue, PermanentError, type ClaimedJob, type Json } from '../outbox/index.js';
import { JOB } from './jobs.js';
import { VERSION } from '../version.js';
import { historyEvent, newEventId, type OrderEvent } from '../webhooks/feed.js';
import { sign, WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP } from '../webhooks/standard.js';

/**
 * Status changes of an order: one history row, and — when config.webhooks.url is set — one webhook job, written in
 * the caller's transaction so Richest.store hears of exactly the changes that were committed (a crash loses both
 * or neither). OrdersService (API writes) and the delivery handlers (1C confirmations, expiry, reconciliation)
 * both go through recordHistory.
 *
 * Webhook jobs are keyed `webhook:<orderId>`, not `order:<orderId>`: a receiver that is down must not hold back the
 * order's deliveries to 1C, while its own notifications still arrive in the order they happened.
 */
export interface HistoryEntry {
  orderId: string;
  status: number;
  paymentStatus: number;
  event: string;
  detail?: unknown;
  at?: Date;
}

export const webhookKey = (orderId: string) => `webhook:${orderId}`;

/** Prepared once per connection: compiling it for every booking was 4.6% of the booking burst (2026-12-03 profile). */
const historyInsert = new WeakMap<Db, Statement>();

export function recordHistory(db: Db, entry: HistoryEntry, webhooks: boolean): number {
  const at = entry.at ?? new Date();
  // The event id (time-ordered, never repeating: webhooks/ids.ts) and the 1C number as it is now ('' = none yet),
  // so the webhook and GET /api/v1/events carry the same body for this id whenever they are read.
  let insert = historyInsert.get(db);
  if (!insert) {
    historyInsert.set(
      db,
      (insert = db.prepare(
        `INSERT INTO order_history (order_id, at, status, payment_status, event, detail, event_id, number)
         VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(onec_number, '') FROM orders WHERE id = ?))`,
      )),
    );
  }
  const id = Number(
    insert
      .run(entry.orderId, at.toISOString(), entry.status, entry.paymentStatus, entry.event, entry.detail === undefined ? null : JSON.stringify(entry.detail), newEventId(db), entry.orderId)
      .lastInsertRowid,
  );
  if (webhooks) {
    enqueue(db, { kind: JOB.webhook, key: webhookKey(entry.orderId), payload: { orderId: entry.orderId, historyId: id }, dedupeKey: `webhook:${id}` });
  }
  return id;
}

// ---- signing ------------------------------------------------------------------------------------------------

/**
 * The headers of 0.1 (X-ReGate-*), sent alongside the Standard Webhooks ones for one more version so a receiver
 * written against them keeps working while it moves to webhook-id / webhook-signature; removed in the version
 * after this one (docs/ru/api.md says so).
 */
export const SIGNATURE_HEADER = 'X-ReGate-Signature';
export const TIMESTAMP_HEADER = 'X-ReGate-Timestamp';
export const EVENT_HEADER = 'X-ReGate-Event-Id';

/** The 0.1 scheme: HMAC-SHA256 over `<timestamp>.<raw body>` with webhooks.secret as it is, hex, `t=<ts>,v1=<hex>`. */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** Receiver side of the 0.1 scheme (deprecated: use verify() of webhooks/standard.ts). */
export function verifyWebhook(secret: string, body: string, header: string | null | undefined, opts: { toleranceSec?: number; now?: number } = {}): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const ts = Number(parts.t);
  if (!Number.isFinite(ts) || !parts.v1) return false;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (opts.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, body, ts).split('v1=')[1], 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// ---- delivery -----------------------------------------------------------------------------------------------

/**
 * The body POSTed: the event (id, type, timestamp, data — the same as GET /api/v1/events gives) and, for one more
 * version, the flat fields of 0.1 (eventId was the local history counter: it repeats after a restore from backup).
 */
export interface WebhookBody extends OrderEvent {
  /** @deprecated the local history row number; use id. */
  eventId: number;
  orderId: string;
  number: string | null;
  event: string;
  at: string;
  status: number;
  statusName: string;
  paymentStatus: number;
  paymentStatusName: string;
}

export function webhookBody(db: Db, historyId: number): WebhookBody | undefined {
  const found = historyEvent(db, historyId);
  if (!found) return undefined;
  const { event } = found;
  return { ...event, eventId: historyId, orderId: event.data.orderId, number: event.data.number, event: event.type, at: event.timestamp, status: event.data.status, statusName: event.data.statusName, paymentStatus: event.data.paymentStatus, paymentStatusName: event.data.paymentStatusName };
}

export const USER_AGENT = `ReGate/${VERSION}`;

/**
 * The outbox handler of JOB.webhook. Each attempt is signed afresh (a retry an hour later carries a current
 * timestamp) under the same webhook-id, so the receiver can drop the repeat. 2xx = delivered;
 * 408/429/5xx/network = retried by the outbox; any other 4xx = the receiver refuses this request for good (dead
 * letter, visible in `regate outbox list`).
 */
export function webhookHandler(db: Db, cfg: { url?: string; secret?: string; timeoutMs?: number }) {
  return async (job: ClaimedJob, ctx: { signal: AbortSignal }): Promise<Json> => {
    if (!cfg.url) throw new PermanentError('webhooks.url is not configured');
    const { historyId, event } = job.payload as { orderId?: string; historyId?: number; event?: { id: string } };
    // Issue 17: a catalogue event (catalog/webhooks.ts) carries its body in the job; it is signed and sent as these are.
    const body = event ?? webhookBody(db, historyId!);
    if (!body) throw new PermanentError(`order_history #${historyId} not found`);
    const raw = JSON.stringify(body);
    const ts = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': USER_AGENT,
      [WEBHOOK_ID]: body.id,
      [WEBHOOK_TIMESTAMP]: String(ts),
      [EVENT_HEADER]: String(historyId ?? body.id),
      [TIMESTAMP_HEADER]: String(ts),
    };
    if (cfg.secret) {
      headers[WEBHOOK_SIGNATURE] = sign(cfg.secret, body.id, ts, raw);
      headers[SIGNATURE_HEADER] = signWebhook(cfg.secret, raw, ts);
    }
    // fetch refuses a URL with user:password@ (and puts the whole URL, password included, in its error): send the
    // credentials as Basic authorization instead. Messages name the URL without credentials or query (a token
    // there would reach last_error and the retry/dead log lines, which are plain strings pino cannot redact).
    const u = new URL(cfg.url);
    if (u.username || u.password) {
      headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
      u.username = '';
      u.password = '';
    }
    const where = `${u.origin}${u.pathname}`;
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(cfg.timeoutMs ?? 15_000)]);
    let res: Response;
    try {
      res = await fetch(u, { method: 'POST', headers, body: raw, signal });
    } catch (e) {
      throw new Error(`webhook ${where}: ${(e as Error).message.split(u.toString()).join(where)}`, { cause: e });
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return { status: res.status, id: body.id };
    const msg = `webhook ${where}: HTTP ${res.status} ${text.slice(0, 200)}`;
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentError(msg);
    throw new Error(msg);
  };
}
