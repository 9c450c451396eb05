import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/open.js';
import { enqueue, PermanentError, type ClaimedJob, type Json } from '../outbox/index.js';
import { JOB } from './jobs.js';
import { ORDER_STATUS, PAYMENT_STATUS, type OrderStatus, type PaymentStatus } from './statuses.js';

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

export function recordHistory(db: Db, entry: HistoryEntry, webhooks: boolean): number {
  const at = (entry.at ?? new Date()).toISOString();
  const id = Number(
    db
      .prepare(`INSERT INTO order_history (order_id, at, status, payment_status, event, detail) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(entry.orderId, at, entry.status, entry.paymentStatus, entry.event, entry.detail === undefined ? null : JSON.stringify(entry.detail)).lastInsertRowid,
  );
  if (webhooks) {
    enqueue(db, { kind: JOB.webhook, key: webhookKey(entry.orderId), payload: { orderId: entry.orderId, historyId: id }, dedupeKey: `webhook:${id}` });
  }
  return id;
}

// ---- signing ------------------------------------------------------------------------------------------------

/** Header names of a signed webhook. */
export const SIGNATURE_HEADER = 'X-ReGate-Signature';
export const TIMESTAMP_HEADER = 'X-ReGate-Timestamp';
export const EVENT_HEADER = 'X-ReGate-Event-Id';

/**
 * HMAC-SHA256 over `<timestamp>.<raw body>` with webhooks.secret, hex; sent as `t=<ts>,v1=<hex>` (the Stripe
 * scheme: the timestamp inside the MAC lets a receiver refuse replays older than its tolerance).
 */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** Receiver side (for Richest.store's developers and tests): true when the header matches and is fresh. */
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

export interface WebhookBody {
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
  const h = db
    .prepare(`SELECT h.*, o.onec_number FROM order_history h JOIN orders o ON o.id = h.order_id WHERE h.id = ?`)
    .get(historyId) as Record<string, any> | undefined;
  if (!h) return undefined;
  return {
    eventId: h.id,
    orderId: h.order_id,
    number: h.onec_number ?? null,
    event: h.event,
    at: h.at,
    status: h.status,
    statusName: ORDER_STATUS[h.status as OrderStatus],
    paymentStatus: h.payment_status,
    paymentStatusName: PAYMENT_STATUS[h.payment_status as PaymentStatus],
  };
}

/**
 * The outbox handler of JOB.webhook. Each attempt is signed afresh (a retry an hour later carries a current
 * timestamp). 2xx = delivered; 408/429/5xx/network = retried by the outbox; any other 4xx = the receiver refuses
 * this request for good (dead letter, visible in `regate outbox list`).
 */
export function webhookHandler(db: Db, cfg: { url?: string; secret?: string; timeoutMs?: number }) {
  return async (job: ClaimedJob, ctx: { signal: AbortSignal }): Promise<Json> => {
    if (!cfg.url) throw new PermanentError('webhooks.url is not configured');
    const { historyId } = job.payload as { orderId: string; historyId: number };
    const body = webhookBody(db, historyId);
    if (!body) throw new PermanentError(`order_history #${historyId} not found`);
    const raw = JSON.stringify(body);
    const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', [EVENT_HEADER]: String(historyId) };
    const ts = Math.floor(Date.now() / 1000);
    headers[TIMESTAMP_HEADER] = String(ts);
    if (cfg.secret) headers[SIGNATURE_HEADER] = signWebhook(cfg.secret, raw, ts);
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
    if (res.ok) return { status: res.status };
    const msg = `webhook ${where}: HTTP ${res.status} ${text.slice(0, 200)}`;
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentError(msg);
    throw new Error(msg);
  };
}
