import type { Statement } from 'better-sqlite3';
import { hash } from 'node:crypto';
import type { Db } from '../db/open.js';
import { applyClientPriceKind, orderableItems, orderableVariants, type AssortmentItem, type CatalogService } from '../catalog/service.js';
import { departedItems } from './departed.js';
import { enqueue, noteEnqueued, stats as outboxStats, waitFor } from '../outbox/index.js';
import { lineAmountKopecks, priceLines, toKopecks, toRoubles } from './pricing.js';
import { FULFILMENT, ORDER_STATUS, PAYMENT_STATUS, OrderStatusCode, PaymentStatusCode, paymentStatusOf, type FulfilmentState, type OrderStatus, type PaymentStatus, type PayMethod } from './statuses.js';
import { JOB, orderKey, clientKey } from './jobs.js';
import { GroupCommit } from '../db/group-commit.js';
import { lockOf, turn } from '../workers/write-lock.js';
import { recordHistory } from './webhooks.js';
import { insertOrderLines, inPacks, shortOf, writeBooking } from './booking-write.js';
import { notify } from '../outbox/events.js';
import { clientConflict, DomainError, type DomainField } from './errors.js';
import { holdsOf } from './promise.js';
import { goodsReturnsOf, type GoodsReturn } from './goods-returns.js';
import { answerOf, bookingAnswerOf, checkBooking, guardDepth, replayOf, unitsOf, type BookingRequest, type BookingWritten } from './booking-check.js';

export interface ClientInput {
  clientId: string;
  /** Required to create a client; a lookup of a known client by its id alone needs none (issue 14.6). */
  name?: string;
  inn?: string;
  kpp?: string;
  phone?: string;
  email?: string;
  address?: string;
}

export interface BookingInput {
  orderId: string;
  clientId: string;
  store: string;
  deliveryAddress: string;
  comment?: string;
  /**
   * variantId (issue 17): the characteristic of an item sold in variants (required for those, refused for others).
   * packagingId (issue 17): a packaging of the item (assortment packagings[]); quantity is then in packagings.
   */
  items: BookingLineInput[];
}

/** A booking line as the shop sends it (booking, bookingupd). */
export interface BookingLineInput {
  itemId: string;
  variantId?: string;
  packagingId?: string;
  quantity: number;
}

export interface CardPaymentInput {
  orderId: string;
  provider: string;
  transactionId: string;
  rrn?: string;
  authCode?: string;
  maskedCard?: string;
  amount: number;
  paidAt: string;
  /**
   * How the shopper paid through the payment system (issue 14.5): card, СБП, or an electronic wallet (ЮMoney and
   * the like). A wallet is electronic money — payment status 4 of the specification; card and СБП are 1.
   */
  method?: PayMethod;
}

export interface RefundInput {
  orderId: string;
  /** The shop's id of this refund: several refunds per order need one each (issue 14.4). */
  refundId?: string;
  amount?: number;
  /** A refund by lines: the amount is theirs at the order's prices. */
  items?: { itemId: string; quantity: number }[];
  reason?: string;
}

export interface BookingUpdateInput {
  orderId: string;
  /** The order's revision the change is made against (bookingstate.revision): another one is 409. */
  revision: number;
  deliveryAddress?: string;
  comment?: string;
  /** The order's new lines, all of them (re-priced at today's prices); absent = lines unchanged. */
  items?: BookingLineInput[];
}

export interface BookingUpdateAnswer extends BookingAnswer {
  revision: number;
}

export interface CancelInput {
  orderId: string;
  reason?: string;
}

export interface OrdersOptions {
  confirmWindowMs: number;
  maxDepth: number;
  now?: () => Date;
  /** Enqueue a webhook job with every status change (config.webhooks.url set). */
  webhooks?: boolean;
  /**
   * What the connected base's profile can write, by write name (Profile.writes: cardPaymentDocument,
   * cardRefundDocument…; 'orderUpdate': the profile builds a changed order, Builders.orderUpdatePatch). A payment the configuration has no document for (Розница 2.2: no card payment rules) is
   * refused with 422 before it is accepted: a 2xx for a job that can only die would tell the shop it was recorded.
   * Absent: everything (tests, the УТ default).
   */
  canWrite?: (write: string) => boolean;
  /** The configuration's name for those messages (e.g. «Розница 2.2»). */
  configurationName?: () => string;
  /**
   * Issue 17: whether a line may be sold by a packaging (packagingId): the profile's sellsByPackaging (УТ, ERP: the
   * line keeps Упаковка_Key, КоличествоУпаковок, Количество in units); the other profiles count Количество in the
   * line's unit. Absent: allowed (a service without a profile, as in tests).
   */
  sellsByPackaging?: () => boolean;
  /**
   * Issue 19.5: a booking's check and write on the booking thread (src/workers/booking.ts); null while it cannot take
   * one (not started, restarting, stopped): they then run on this connection, the write in its group commit. Absent:
   * always here.
   */
  bookingWriter?: { book(request: BookingRequest): Promise<BookingWritten> | null };
}

export type Answer<T> = { status: 200 | 201 | 202; body: T };

/**
 * JSON with every object's keys in sorted order, so the same request hashes the same whatever order its fields came
 * in. Written out directly: a JSON.stringify replacer that rebuilt each object sorted (Object.fromEntries of sorted
 * entries) was ~6 % of the API thread's allocations in the booking burst (sampling heap profile, 2026-12-04). The text
 * is the replacer's, byte for byte, for the JSON a request parses to (test/orders/request-hash.test.ts): orders stored
 * before keep matching their replays.
 */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const json = (v as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return stableJson(json.call(v));
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      out += (i ? ',' : '') + (item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : stableJson(item));
    }
    return out + ']';
  }
  let out = '{';
  let first = true;
  for (const key of sortedKeys(v)) {
    const item = (v as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + stableJson(item);
    first = false;
  }
  return out + '}';
}

/**
 * An object's keys in the order Array.prototype.sort gives them (UTF-16 code units), sorted in place where they are a
 * handful, as a request's objects' are: sort() copies them into a work array of its own first, 3.6 % of what the API
 * thread allocated in the booking burst (sampling heap profile, 2026-12-05).
 */
function sortedKeys(v: object): string[] {
  const keys = Object.keys(v);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
    keys[j + 1] = k;
  }
  return keys;
}

// crypto.hash: one call, no Hash object per request (0.4 against 0.9 µs for ~300 bytes; the same hex as createHash's).
const hashOf = (v: unknown) => hash('sha256', stableJson(v), 'hex');

/**
 * The write side. Every method writes its state change and the outbox job that carries it to 1C in ONE SQLite
 * transaction (synchronous=FULL), so a 2xx means it is on disk, and a crash at any point either loses the whole
 * request (no 2xx was sent) or nothing. Only booking and client wait for 1C, and only for the bounded confirmation
 * window: 1C takes seconds per document, Richest.store's shoppers should not.
 */
export class OrdersService {
  private readonly now: () => Date;
  /** Every write of the API goes through here: concurrent requests share one COMMIT (one fsync), see db/group-commit.ts. */
  private readonly writes: GroupCommit;
  private readonly statements = new Map<string, Statement<unknown[]>>();

  /** Statements are compiled once: db.prepare on every call was ~8–10% of a booking (bench profile). */
  private q(sql: string) {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }
  private webhooks: boolean;

  constructor(
    private readonly db: Db,
    private readonly catalog: CatalogService,
    private readonly opts: OrdersOptions,
  ) {
    // The write lock shared with the delivery thread (src/workers/write-lock.ts), once guardWrites has given this
    // connection one: a batch waits its turn without blocking the event loop, and lets a waiting delivery write first.
    this.writes = new GroupCommit(db, 256, () => {
      const lock = lockOf(db);
      return lock ? turn(lock) : null;
    });
    this.now = opts.now ?? (() => new Date());
    this.webhooks = opts.webhooks ?? false;
  }

  /** Called by the delivery wiring (orders/delivery) when config.webhooks.url is set. */
  enableWebhooks(on = true): void {
    this.webhooks = on;
  }

  /** Backpressure: beyond maxDepth pending jobs, refuse new writes (503 + Retry-After) instead of growing forever. */
  private guardDepth() {
    guardDepth(this.db, this.opts.maxDepth);
  }

  /** History row + (when configured) the webhook job, in the caller's transaction. */
  private history(orderId: string, status: number, paymentStatus: number, event: string, detail?: unknown) {
    recordHistory(this.db, { orderId, status, paymentStatus, event, detail, at: this.now() }, this.webhooks);
  }

  // ---- clients -------------------------------------------------------------------------------------------------

  async client(input: ClientInput): Promise<Answer<{ clientId: string; result: 'found' | 'created' | 'accepted'; balance: number | null; balanceAt: string | null }>> {
    const existing = this.q(`SELECT * FROM clients WHERE id = ?`).get(input.clientId) as Record<string, any> | undefined;
    if (existing?.conflict) throw clientConflict(input.clientId, existing.inn ?? '', existing.conflict);
    if (!existing && input.inn) this.guardInn(input.clientId, input.inn);
    if (existing) {
      // The answer carries the client's prepayment, which changes in 1C (payments, shipments): refresh it through
      // the same job (at most once a minute per client) and wait the confirmation window for it. When 1C is slow
      // or down the last known balance is answered, with balanceAt saying how old it is.
      if (this.opts.confirmWindowMs > 0 && existing.partner_key && outboxStats(this.db).pending < this.opts.maxDepth) {
        const minute = Math.floor(this.now().getTime() / 60_000);
        let jobId: number | undefined;
        try {
          jobId = enqueue(this.db, { kind: JOB.clientEnsure, key: clientKey(input.clientId), payload: { clientId: input.clientId }, dedupeKey: `balance:${input.clientId}:${minute}` }).id;
        } catch {
          jobId = undefined; // a full disk must not fail a read-mostly call
        }
        if (jobId !== undefined) await waitFor(this.db, jobId, this.opts.confirmWindowMs);
      }
      const row = this.q(`SELECT balance_kopecks, balance_at FROM clients WHERE id = ?`).get(input.clientId) as Record<string, any>;
      return {
        status: 200,
        body: { clientId: input.clientId, result: 'found', balance: row.balance_kopecks == null ? null : toRoubles(row.balance_kopecks), balanceAt: row.balance_at },
      };
    }
    const name = input.name;
    if (!name) {
      throw new DomainError('not_found', 'not_found', `Клиент не найден: ${input.clientId}; чтобы создать клиента, передайте name`, [
        { field: 'clientId', message: 'нет такого клиента' },
        { field: 'name', message: 'обязательно для нового клиента' },
      ]);
    }
    this.guardDepth();
    const ts = this.now().toISOString();
    const jobId = await this.writes.run(() => {
      // Re-checked inside the write: an identical request earlier in the same group-commit batch (or since the
      // read above) has inserted the client, and a second INSERT would fail on the primary key (a 500).
      if (this.q(`SELECT 1 FROM clients WHERE id = ?`).get(input.clientId)) return undefined;
      if (input.inn) this.guardInn(input.clientId, input.inn); // another client with this ИНН in the same batch
      this
        .q(`INSERT INTO clients (id, name, inn, kpp, phone, email, address, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(input.clientId, name, input.inn ?? null, input.kpp ?? null, input.phone ?? null, input.email ?? null, input.address ?? null, ts, ts);
      return enqueue(this.db, { kind: JOB.clientEnsure, key: clientKey(input.clientId), payload: { clientId: input.clientId }, dedupeKey: `client:${input.clientId}` }).id;
    });
    if (jobId === undefined) return this.client(input); // answered as the existing client it now is
    // 1C decides found/created: after a lost local database the client may already be there (by external id).
    const outcome = await waitFor(this.db, jobId, this.opts.confirmWindowMs);
    if (outcome.status === 'done') {
      const r = outcome.result as { found: boolean; balanceKopecks?: number | null; conflict?: string; inn?: string } | undefined;
      if (r?.conflict) throw clientConflict(input.clientId, r.inn ?? input.inn ?? '', r.conflict);
      const row = this.q(`SELECT balance_kopecks, balance_at FROM clients WHERE id = ?`).get(input.clientId) as Record<string, any>;
      return {
        status: r?.found ? 200 : 201,
        body: { clientId: input.clientId, result: r?.found ? 'found' : 'created', balance: row.balance_kopecks == null ? null : toRoubles(row.balance_kopecks), balanceAt: row.balance_at },
      };
    }
    return { status: 202, body: { clientId: input.clientId, result: 'accepted', balance: null, balanceAt: null } };
  }

  async clientUpdate(input: Partial<ClientInput> & { clientId: string }): Promise<Answer<{ clientId: string; result: 'updated' }>> {
    this.guardDepth();
    const ts = this.now().toISOString();
    await this.writes.run(() => {
      const existing = this.q(`SELECT id FROM clients WHERE id = ?`).get(input.clientId);
      if (!existing) throw DomainError.notFound('Клиент', 'clientId', input.clientId);
      if (input.inn) this.guardInn(input.clientId, input.inn);
      const cols: Record<string, string | null | undefined> = { name: input.name, inn: input.inn, kpp: input.kpp, phone: input.phone, email: input.email, address: input.address };
      // A new ИНН is a new claim: the conflict recorded for the old one no longer applies (1C is asked again).
      if (input.inn !== undefined) cols.conflict = null;
      const set = Object.entries(cols).filter(([, v]) => v !== undefined);
      if (set.length === 0) throw DomainError.invalid('Нечего менять: укажите хотя бы одно поле', [{ field: 'body', message: 'нет изменяемых полей' }]);
      this
        .q(`UPDATE clients SET ${set.map(([k]) => `${k} = @${k}`).join(', ')}, updated_at = @ts WHERE id = @id`)
        .run({ ...Object.fromEntries(set), ts, id: input.clientId });
      enqueue(this.db, { kind: JOB.clientUpdate, key: clientKey(input.clientId), payload: { clientId: input.clientId } });
    });
    return { status: 202, body: { clientId: input.clientId, result: 'updated' } };
  }

  /** An ИНН already held by another local store client is not shared (issue 13.1): 409 before 1C is asked. */
  private guardInn(clientId: string, inn: string): void {
    const owner = this.q(`SELECT id FROM clients WHERE inn = ? AND id != ? LIMIT 1`).pluck().get(inn, clientId) as string | undefined;
    if (owner) throw clientConflict(clientId, inn, owner);
  }

  // ---- booking -------------------------------------------------------------------------------------------------

  async book(input: BookingInput, idempotencyKey?: string): Promise<Answer<BookingAnswer>> {
    const request: BookingRequest = {
      input,
      requestHash: hashOf(input),
      idempotencyKey: idempotencyKey ?? null,
      at: this.now().toISOString(),
      webhooks: this.webhooks,
      ...this.packagingRules(),
      maxDepth: this.opts.maxDepth,
    };
    let written: BookingWritten;
    try {
      // The booking thread checks and writes it when it runs (src/workers/booking.ts: the check's reads on a connection
      // whose page cache its own commits keep, the transaction and its fsync off this event loop), else this
      // connection does, the same way (booking-check.ts, booking-write.ts).
      const inThread = this.opts.bookingWriter?.book(request);
      written = await (inThread ?? this.bookHere(request));
      if (inThread && 'jobId' in written) {
        // Its enqueue woke nobody here and counted on its own connection: the delivery thread listens on this one.
        noteEnqueued(this.db);
        notify(this.db, 'enqueued');
      }
    } catch (e) {
      // Two identical requests racing: the loser sees the winner's row and answers like a replay.
      if (String((e as Error).message).includes('UNIQUE')) {
        const again = replayOf(this.db, input.orderId, request.requestHash, idempotencyKey);
        if (again) return again;
      }
      throw e;
    }
    if ('replay' in written) return written.replay;
    if (this.opts.confirmWindowMs > 0) {
      await waitFor(this.db, written.jobId, this.opts.confirmWindowMs);
      return bookingAnswerOf(this.db, input.orderId);
    }
    // No window, nothing to wait for: the order as just written (status 0, no number yet). Reading it back was 2 % of
    // the API thread in the booking burst; a delivery that got in first shows in bookingstate a moment later.
    return answerOf(input.orderId, null, 0, written.amountKopecks);
  }

  /** The booking checked and written on this connection (its group commit): while the booking thread cannot. */
  private async bookHere(request: BookingRequest): Promise<BookingWritten> {
    const checked = checkBooking(this.db, this.catalog, request);
    if ('replay' in checked) return checked;
    const jobId = await this.writes.run(() => writeBooking(this.db, checked.record));
    return { jobId, amountKopecks: checked.record.amountKopecks };
  }

  /** Whether lines may name a packaging in the connected base, and its name for the 422 when not (unitsOf). */
  private packagingRules(): { sellsByPackaging: boolean; configurationName: string } {
    return { sellsByPackaging: this.opts.sellsByPackaging?.() ?? true, configurationName: this.opts.configurationName?.() ?? '' };
  }

  /**
   * The shop changes an unpaid order (issue 14.2): its lines, delivery address, comment. Compare-and-set on the
   * revision the shop read, in the serialised write (group commit), so two edits cannot cross: the one made against
   * an older revision is 409 naming the current one. New lines are priced as a booking is, and checked against what
   * the warehouse can promise with this order's own lines given back. The status stays; a booking.update job
   * re-writes the ЗаказКлиента (lines, address, comment, sum) and posts it again, so its reserve follows. Repeating
   * the change that made the current revision answers it again (a lost answer), changing nothing.
   */
  async update(input: BookingUpdateInput): Promise<Answer<BookingUpdateAnswer>> {
    this.requireWrite('orderUpdate', 'Изменение заказа', 'orderId');
    const requestHash = hashOf(input);
    const pre = this.requireOrder(input.orderId);
    let priced: ReturnType<typeof priceLines> | undefined;
    if (input.items) {
      const items = orderableItems(this.db, this.catalog, pre.store_id, input.items.map((i) => i.itemId));
      // Only the rules of a line here (carried, minimum, multiplicity, price); the stock is checked in the write.
      for (const it of items.values()) it.stock = Number.MAX_SAFE_INTEGER;
      const variantErrors = orderableVariants(this.catalog, pre.store_id, input.items, items);
      const packed = unitsOf(this.db, input.items, items, this.packagingRules());
      if (variantErrors.length || packed.errors.length) throw new DomainError('unprocessable', 'order_rejected', 'Изменение не может быть принято', [...variantErrors, ...packed.errors]);
      for (const it of items.values()) it.stock = Number.MAX_SAFE_INTEGER;
      applyClientPriceKind(this.db, pre.client_id, items); // issue 17: the client's own price kind, if 1C gives one
      priced = priceLines(packed.lines, items);
      if (priced.errors.length) throw new DomainError('unprocessable', 'order_rejected', 'Изменение не может быть принято', inPacks(priced.errors, packed.lines));
    }
    this.guardDepth();
    const ts = this.now().toISOString();
    await this.writes.run(() => {
      const o = this.requireOrder(input.orderId);
      if (o.update_hash === requestHash && o.revision === input.revision + 1) return; // the same change again
      if (![OrderStatusCode.accepted, OrderStatusCode.created].includes(o.status) || o.paid_kopecks > 0) {
        throw DomainError.conflict(`Заказ ${input.orderId} в статусе «${ORDER_STATUS[o.status as OrderStatus]}»${o.paid_kopecks > 0 ? `, оплачено ${toRoubles(o.paid_kopecks)} руб.` : ''}: изменять можно только неоплаченный заказ`, [
          { field: 'orderId', message: `статус ${o.status}` },
        ]);
      }
      if (o.revision !== input.revision) {
        throw new DomainError('conflict', 'revision_mismatch', `Заказ ${input.orderId} уже изменён: текущая версия ${o.revision}, изменение сделано к версии ${input.revision}. Прочитайте заказ (bookingstate) и повторите`, [
          { field: 'revision', message: `текущая версия ${o.revision}` },
        ]);
      }
      let amount = o.amount_kopecks;
      if (priced) {
        const own = new Map<string, number>();
        for (const l of this.q(`SELECT item_id, variant_id, quantity FROM order_lines WHERE order_id = ?`).all(input.orderId) as { item_id: string; variant_id: string | null; quantity: number }[]) {
          own.set(l.item_id, (own.get(l.item_id) ?? 0) + l.quantity);
          if (l.variant_id) own.set(`${l.item_id}#${l.variant_id}`, (own.get(`${l.item_id}#${l.variant_id}`) ?? 0) + l.quantity);
        }
        const short = shortOf(this.db, o.store_id, priced.lines, undefined, own);
        if (short.length) throw new DomainError('unprocessable', 'order_rejected', 'Изменение не может быть принято: товара недостаточно', inPacks(short, priced.lines));
        amount = priced.lines.reduce((sum, l) => sum + l.amountKopecks, 0);
        this.q(`DELETE FROM order_lines WHERE order_id = ?`).run(input.orderId);
        insertOrderLines(this.db, input.orderId, priced.lines);
      }
      const revision = o.revision + 1;
      // New lines are reserved in 1C only once the job re-posts the order: until then the order counts whole
      // against the warehouse (reserved_at NULL), the old reserve still in the mirror — under-promised, never over.
      this
        .q(
          `UPDATE orders SET delivery_address = ?, comment = ?, amount_kopecks = ?, revision = ?, update_hash = ?, updated_at = ?,
             reserved_at = CASE WHEN ? THEN NULL ELSE reserved_at END WHERE id = ?`,
        )
        .run(input.deliveryAddress ?? o.delivery_address, input.comment ?? o.comment, amount, revision, requestHash, ts, priced ? 1 : 0, input.orderId);
      this.history(input.orderId, o.status, o.payment_status, 'booking.updated', { revision, amount: toRoubles(amount), lines: !!priced, deliveryAddress: input.deliveryAddress !== undefined, comment: input.comment !== undefined });
      enqueue(this.db, { kind: JOB.bookingUpdate, key: orderKey(input.orderId), payload: { orderId: input.orderId, revision }, dedupeKey: `update:${input.orderId}:${revision}` });
    });
    const { body } = bookingAnswerOf(this.db, input.orderId);
    const o = this.requireOrder(input.orderId);
    return { status: 200, body: { ...body, revision: o.revision } };
  }

  /**
   * The shop cancels an unpaid order (issue 14.2): status 6 at once, and an order.status job that closes the
   * ЗаказКлиента in 1C the УТ way — every line Отменено with a reason, Статус Закрыт, posted again, so its reserve is
   * released (closeOrderInOneC, WRITE-RULES §1.7). The job rides the order's key: an order whose booking is still
   * on its way is created first, then closed. Money must go back first: an order with any payment is 409 (a
   * refund, then the cancellation). Idempotent: a cancelled order answers as it is.
   */
  async cancel(input: CancelInput): Promise<Answer<OrderStateBrief>> {
    const pre = this.requireOrder(input.orderId);
    if (pre.status !== OrderStatusCode.cancelled) this.guardDepth();
    const ts = this.now().toISOString();
    await this.writes.run(() => {
      const o = this.requireOrder(input.orderId);
      if (o.status === OrderStatusCode.cancelled) return;
      if (o.status === OrderStatusCode.expired) {
        throw DomainError.conflict(`Заказ ${input.orderId} уже истёк (статус 5): резерв в 1С снят, отменять нечего`, [{ field: 'orderId', message: 'статус 5' }]);
      }
      const refunded = (this.q(`SELECT coalesce(sum(amount_kopecks), 0) FROM refunds WHERE order_id = ?`).pluck().get(input.orderId) as number) ?? 0;
      if (o.paid_kopecks > refunded) {
        throw new DomainError(
          'conflict',
          'refund_first',
          `Заказ ${input.orderId} оплачен (${toRoubles(o.paid_kopecks - refunded)} руб.): сначала верните деньги (refund), затем отменяйте`,
          [{ field: 'orderId', message: `статус ${o.status}, оплачено ${toRoubles(o.paid_kopecks)}` }],
        );
      }
      this.q(`UPDATE orders SET status = ?, updated_at = ? WHERE id = ?`).run(OrderStatusCode.cancelled, ts, input.orderId);
      this.history(input.orderId, OrderStatusCode.cancelled, o.payment_status, 'booking.cancelled', { reason: input.reason ?? '' });
      enqueue(this.db, {
        kind: JOB.orderStatus,
        key: orderKey(input.orderId),
        payload: { orderId: input.orderId, status: OrderStatusCode.cancelled },
        dedupeKey: `status:${input.orderId}:${OrderStatusCode.cancelled}`,
      });
    });
    return { status: 200, body: this.brief(input.orderId) };
  }

  // ---- payments and refunds ------------------------------------------------------------------------------------

  /** 422 not_supported when the base's configuration has no document for this write (OrdersOptions.canWrite). */
  private requireWrite(write: string, what: string, field: string): void {
    if (!this.opts.canWrite || this.opts.canWrite(write)) return;
    const name = this.opts.configurationName?.() ?? 'этой конфигурации';
    throw new DomainError('unprocessable', 'not_supported', `${what} не записывается в базу 1С ${name}: в профиле ReGate для неё нет такого документа (regate check, docs/ru/configurations.md)`, [
      { field, message: `не поддерживается конфигурацией ${name}` },
    ]);
  }

  async payCard(input: CardPaymentInput): Promise<Answer<OrderStateBrief>> {
    this.requireWrite('cardPaymentDocument', 'Оплата картой', 'orderId');
    // A payment time more than a day ahead of our clock is a wrong clock or a wrong field, not a payment.
    if (Date.parse(input.paidAt) > this.now().getTime() + 86_400_000) {
      throw new DomainError('invalid', 'validation_failed', `Время оплаты ${input.paidAt} позже текущего больше чем на сутки`, [{ field: 'paidAt', message: 'в будущем' }]);
    }
    this.guardDepth();
    const ts = this.now().toISOString();
    await this.writes.run(() => {
      const o = this.requireOrder(input.orderId);
      const dup = this.q(`SELECT order_id, amount_kopecks, paid_at, data FROM payments WHERE kind = 'card' AND external_id = ?`).get(input.transactionId) as
        | { order_id: string; amount_kopecks: number; paid_at: string; data: string }
        | undefined;
      if (dup) {
        if (dup.order_id !== input.orderId) throw DomainError.conflict('Транзакция уже записана по другому заказу', [{ field: 'transactionId', message: `заказ ${dup.order_id}` }]);
        // A repeated notification of the same payment is a no-op; the same transaction with another amount, time or
        // card data is not the same payment, and answering 200 would tell the store it was recorded.
        const d = JSON.parse(dup.data) as { provider?: string; rrn?: string | null; authCode?: string | null; maskedCard?: string | null; method?: PayMethod };
        const same =
          dup.amount_kopecks === toKopecks(input.amount) && Date.parse(dup.paid_at) === Date.parse(input.paidAt) && d.provider === input.provider &&
          (d.method ?? 'card') === (input.method ?? 'card') &&
          (d.rrn ?? null) === (input.rrn ?? null) && (d.authCode ?? null) === (input.authCode ?? null) && (d.maskedCard ?? null) === (input.maskedCard ?? null);
        if (!same) throw DomainError.conflict(`Транзакция ${input.transactionId} уже записана с другими данными`, [{ field: 'transactionId', message: 'повтор с другим телом запроса' }]);
        return;
      }
      if (![0, 1].includes(o.status)) {
        throw DomainError.conflict(`Заказ в статусе «${ORDER_STATUS[o.status as OrderStatus]}» нельзя оплатить`, [{ field: 'orderId', message: `статус ${o.status}` }]);
      }
      const amount = toKopecks(input.amount);
      // What is due, not the order's amount: after a partial bank payment the card pays the rest (issue 13.4),
      // and asking for the whole sum would make the customer pay twice.
      const due = o.amount_kopecks - o.paid_kopecks;
      if (due <= 0) throw DomainError.conflict(`Заказ ${input.orderId} уже оплачен`, [{ field: 'orderId', message: `оплачено ${toRoubles(o.paid_kopecks)}` }]);
      if (amount !== due) {
        const paidPart = o.paid_kopecks > 0 ? ` (сумма заказа ${toRoubles(o.amount_kopecks)}, уже оплачено ${toRoubles(o.paid_kopecks)})` : '';
        throw new DomainError('unprocessable', 'amount_mismatch', `Сумма оплаты ${input.amount} не равна сумме к оплате ${toRoubles(due)}${paidPart}`, [{ field: 'amount', message: `к оплате ${toRoubles(due)}` }]);
      }
      const method = input.method ?? 'card';
      const data = { provider: input.provider, transactionId: input.transactionId, rrn: input.rrn ?? null, authCode: input.authCode ?? null, maskedCard: input.maskedCard ?? null, method };
      // Every method goes through the payment system's acquiring (kind 'card': one document in 1C, one refund path);
      // the order is «оплачен картой» (2), the only status of the specification for a payment made online, and the
      // payment status says how: 4 for electronic money, else 1.
      const paymentStatus = paymentStatusOf(method);
      const paymentId = this
        .q(`INSERT INTO payments (order_id, kind, external_id, amount_kopecks, paid_at, data, created_at) VALUES (?, 'card', ?, ?, ?, ?, ?)`)
        .run(input.orderId, input.transactionId, amount, input.paidAt, JSON.stringify(data), ts).lastInsertRowid;
      this
        .q(`UPDATE orders SET status = ?, payment_status = ?, paid_kopecks = paid_kopecks + ?, updated_at = ? WHERE id = ?`)
        .run(OrderStatusCode.paidByCard, paymentStatus, amount, ts, input.orderId);
      this.history(input.orderId, OrderStatusCode.paidByCard, paymentStatus, 'payment.card', { ...data, amount: input.amount });
      enqueue(this.db, { kind: JOB.paymentCard, key: orderKey(input.orderId), payload: { orderId: input.orderId, paymentId: Number(paymentId) }, dedupeKey: `card:${input.transactionId}` });
    });
    return { status: 200, body: this.brief(input.orderId) };
  }

  /**
   * Money back to the card (issue 14.4): by amount or by lines, several refunds per order up to what the card paid.
   * `refundId` (the shop's id of the refund) tells refunds apart; without it there is the order's one refund as
   * before — its repeat is a no-op, another amount 409. With it, a repeat of the same request is a no-op and the
   * same id with another body 409. Beyond what is left of the payment: 409 naming it. Status 7 once the whole
   * payment is back; until then the order keeps its status and bookingstate.refunded says how much went back.
   * Each refund is its own unposted card refund document in 1C, for the accountant to confirm.
   */
  async refund(input: RefundInput): Promise<Answer<OrderStateBrief>> {
    this.requireWrite('cardRefundDocument', 'Возврат на карту', 'orderId');
    this.guardDepth();
    const ts = this.now().toISOString();
    const key = input.refundId ?? '';
    const requestHash = hashOf({ ...input, orderId: undefined });
    await this.writes.run(() => {
      const o = this.requireOrder(input.orderId);
      const payment = this.q(`SELECT id, amount_kopecks FROM payments WHERE order_id = ? AND kind = 'card' ORDER BY id DESC LIMIT 1`).get(input.orderId) as { id: number; amount_kopecks: number } | undefined;
      const done = this.q(`SELECT amount_kopecks, request_hash FROM refunds WHERE order_id = ? AND refund_key = ?`).get(input.orderId, key) as { amount_kopecks: number; request_hash: string | null } | undefined;
      if (done) {
        // The order's refund without an id: a repeat asks for the same amount (none = the whole payment, as on the
        // first request). With an id: the same request.
        const same =
          done.request_hash === requestHash || (!key && !input.items && (input.amount === undefined ? payment?.amount_kopecks : toKopecks(input.amount)) === done.amount_kopecks);
        if (same) return;
        throw DomainError.conflict(
          key
            ? `Возврат ${key} по заказу ${input.orderId} уже оформлен на ${toRoubles(done.amount_kopecks)} руб. с другими данными`
            : `По заказу ${input.orderId} уже оформлен возврат ${toRoubles(done.amount_kopecks)} руб.; для следующего возврата передайте refundId`,
          [{ field: key ? 'refundId' : 'amount', message: `возврат уже оформлен на ${toRoubles(done.amount_kopecks)}` }],
        );
      }
      if (o.status === OrderStatusCode.refunded) {
        throw DomainError.conflict(`По заказу ${input.orderId} уже возвращена вся оплата (${toRoubles(o.refunded_kopecks)} руб.)`, [{ field: 'amount', message: 'возвращать больше нечего' }]);
      }
      if (o.status !== OrderStatusCode.paidByCard || !payment) {
        throw DomainError.conflict('Возврат на карту возможен только для заказа, оплаченного картой', [{ field: 'orderId', message: `статус ${o.status}` }]);
      }
      const before = (this.q(`SELECT coalesce(sum(amount_kopecks), 0) FROM refunds WHERE payment_id = ?`).pluck().get(payment.id) as number) ?? 0;
      const left = payment.amount_kopecks - before;
      const amount = input.amount === undefined && !input.items ? left : this.refundAmount(input, o);
      if (amount <= 0 || amount > left) {
        throw DomainError.conflict(`Сумма возврата ${toRoubles(amount)} руб. больше остатка оплаты: оплачено картой ${toRoubles(payment.amount_kopecks)}, уже возвращено ${toRoubles(before)}`, [
          { field: 'amount', message: `можно вернуть не больше ${toRoubles(left)}` },
        ]);
      }
      const refundLines = input.items ? this.refundLines(input, o) : null;
      const lines = refundLines ? JSON.stringify(refundLines) : null;
      const goods = refundLines ? this.returnedGoods(input.orderId, refundLines) : [];
      const refundId = this
        .q(`INSERT INTO refunds (order_id, refund_key, amount_kopecks, reason, payment_id, lines, request_hash, created_at, goods, goods_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(input.orderId, key, amount, input.reason ?? '', payment.id, lines, requestHash, ts, goods.length ? JSON.stringify(goods) : null, goods.length ? 'to_prepare' : null).lastInsertRowid;
      const refunded = o.refunded_kopecks + amount;
      // 7 «возврат денег» once everything paid went back; a part keeps the order as it is.
      const status = refunded >= o.paid_kopecks ? OrderStatusCode.refunded : o.status;
      this.q(`UPDATE orders SET status = ?, refunded_kopecks = ?, updated_at = ? WHERE id = ?`).run(status, refunded, ts, input.orderId);
      this.history(input.orderId, status, o.payment_status, status === OrderStatusCode.refunded ? 'refund' : 'refund.partial', {
        amount: toRoubles(amount),
        refunded: toRoubles(refunded),
        reason: input.reason ?? '',
        ...(key ? { refundId: key } : {}),
        ...(lines ? { lines: JSON.parse(lines) } : {}),
        ...(goods.length ? { goodsReturn: goods } : {}),
      });
      enqueue(this.db, {
        kind: JOB.refundCreate,
        key: orderKey(input.orderId),
        payload: { orderId: input.orderId, refundId: Number(refundId) },
        dedupeKey: key ? `refund:${input.orderId}:${key}` : `refund:${input.orderId}`,
      });
    });
    return { status: 200, body: this.brief(input.orderId) };
  }

  /**
   * The goods a refund by lines takes back (issue 14.4): of each refunded line, what 1C had shipped of it and no
   * earlier refund took back. The rest never left the warehouse: money only. УТ records a return of shipped goods
   * as ВозвратТоваровОтКлиента against the sale (WRITE-RULES: it references the sale, not the order), which ReGate
   * does not write: its fields are not in the reference dumps, so the emulator cannot hold it (docs/ru/api.md). The
   * refund carries them as a goods return to prepare, listed with its sales for the accountant.
   */
  private returnedGoods(orderId: string, lines: { itemId: string; quantity: number }[]): { itemId: string; quantity: number }[] {
    const shipped = new Map((this.q(`SELECT item_id, shipped FROM order_lines WHERE order_id = ?`).all(orderId) as { item_id: string; shipped: number }[]).map((l) => [l.item_id, l.shipped]));
    const back = new Map<string, number>();
    for (const g of this.q(`SELECT goods FROM refunds WHERE order_id = ? AND goods IS NOT NULL`).pluck().all(orderId) as string[]) {
      for (const l of JSON.parse(g) as { itemId: string; quantity: number }[]) back.set(l.itemId, (back.get(l.itemId) ?? 0) + l.quantity);
    }
    const out: { itemId: string; quantity: number }[] = [];
    for (const l of lines) {
      const open = Math.round(((shipped.get(l.itemId) ?? 0) - (back.get(l.itemId) ?? 0)) * 1000) / 1000;
      const quantity = Math.min(l.quantity, Math.max(0, open));
      if (quantity > 1e-6) out.push({ itemId: l.itemId, quantity });
    }
    return out;
  }

  /** The amount a refund asks for: its amount, or the sum of its lines at the prices of the order. */
  private refundAmount(input: RefundInput, o: Record<string, any>): number {
    if (!input.items) return toKopecks(input.amount!);
    const sum = this.refundLines(input, o).reduce((s, l) => s + l.amountKopecks, 0);
    if (input.amount !== undefined && toKopecks(input.amount) !== sum) {
      throw new DomainError('unprocessable', 'amount_mismatch', `Сумма возврата ${input.amount} не равна сумме строк ${toRoubles(sum)}`, [{ field: 'amount', message: `по строкам ${toRoubles(sum)}` }]);
    }
    return sum;
  }

  /**
   * Refunded lines, priced as the order was (a line's amount for its quantity, kopecks half up), each no more than
   * what is left of it after earlier refunds by lines.
   */
  private refundLines(input: RefundInput, o: Record<string, any>): { itemId: string; quantity: number; amountKopecks: number }[] {
    const ordered = new Map((this.q(`SELECT item_id, quantity, price_kopecks, amount_kopecks FROM order_lines WHERE order_id = ?`).all(o.id) as { item_id: string; quantity: number; price_kopecks: number; amount_kopecks: number }[]).map((l) => [l.item_id, l]));
    const back = new Map<string, number>();
    for (const r of this.q(`SELECT lines FROM refunds WHERE order_id = ? AND lines IS NOT NULL`).pluck().all(o.id) as string[]) {
      for (const l of JSON.parse(r) as { itemId: string; quantity: number }[]) back.set(l.itemId, (back.get(l.itemId) ?? 0) + l.quantity);
    }
    const errors: DomainField[] = [];
    const out = (input.items ?? []).map((it, i) => {
      const line = ordered.get(it.itemId);
      if (!line) {
        errors.push({ field: `items.${i}.itemId`, message: 'нет в заказе' });
        return { itemId: it.itemId, quantity: it.quantity, amountKopecks: 0 };
      }
      const left = Math.round((line.quantity - (back.get(it.itemId) ?? 0)) * 1000) / 1000;
      if (it.quantity > left + 1e-6) errors.push({ field: `items.${i}.quantity`, message: `можно вернуть не больше ${left}` });
      // The whole line back is its amount exactly; a part at the line's price.
      const amountKopecks = Math.abs(it.quantity - line.quantity) < 1e-6 ? line.amount_kopecks : lineAmountKopecks(line.price_kopecks, it.quantity);
      return { itemId: it.itemId, quantity: it.quantity, amountKopecks };
    });
    if (errors.length) throw new DomainError('unprocessable', 'refund_rejected', 'Возврат по строкам не может быть принят', errors);
    return out;
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  /**
   * Our orders the mirror does not show yet at this warehouse (what the assortment subtracts from its stock): per item,
   * and per variant keyed item#variant (issue 17).
   */
  holds(store: string): { version: string; held: Map<string, number>; variants: Map<string, number> } {
    return holdsOf(this.db, store);
  }

  /** Items that left the warehouse after changedSince (sold out in 1C), for the assortment to answer with stock 0. */
  departed(q: { store: string; changedSince: string; group?: string; q?: string }): AssortmentItem[] {
    return departedItems(this.db, this.catalog, q);
  }

  private requireOrder(orderId: string): Record<string, any> {
    const o = this.q(`SELECT * FROM orders WHERE id = ?`).get(orderId) as Record<string, any> | undefined;
    if (!o) throw DomainError.notFound('Заказ', 'orderId', orderId);
    return o;
  }

  private brief(orderId: string): OrderStateBrief {
    const o = this.requireOrder(orderId);
    return {
      orderId,
      number: o.onec_number,
      status: o.status,
      statusName: ORDER_STATUS[o.status as OrderStatus],
      paymentStatus: o.payment_status,
      paymentStatusName: PAYMENT_STATUS[o.payment_status as PaymentStatus],
    };
  }

  state(orderId: string): OrderState {
    const o = this.requireOrder(orderId);
    const history = this.q(`SELECT at, status, payment_status, event FROM order_history WHERE order_id = ? ORDER BY id`).all(orderId) as Record<string, any>[];
    return {
      ...this.brief(orderId),
      amount: toRoubles(o.amount_kopecks),
      paid: toRoubles(o.paid_kopecks),
      refunded: toRoubles(o.refunded_kopecks),
      revision: o.revision,
      fulfilment: {
        state: o.fulfilment as FulfilmentState,
        stateName: FULFILMENT[o.fulfilment as FulfilmentState],
        // Issue 17: a line's variant and the packaging it was sold by (the name as the mirror has it now).
        lines: (
          this.q(
            `SELECT l.item_id, l.variant_id, l.quantity, l.shipped, l.packaging_id, l.packaging_ratio, l.packs, p.name AS packaging_name
               FROM order_lines l LEFT JOIN catalog_item_packagings p ON p.item_id = l.item_id AND p.id = l.packaging_id WHERE l.order_id = ? ORDER BY l.line_no`,
          ).all(orderId) as { item_id: string; variant_id: string | null; quantity: number; shipped: number; packaging_id: string | null; packaging_ratio: number | null; packs: number | null; packaging_name: string | null }[]
        ).map((l) => ({
          itemId: l.item_id,
          ...(l.variant_id ? { variantId: l.variant_id } : {}),
          quantity: l.quantity,
          shipped: l.shipped,
          ...(l.packaging_id ? { packaging: { id: l.packaging_id, name: l.packaging_name, ratio: l.packaging_ratio!, quantity: l.packs! } } : {}),
        })),
      },
      goodsReturns: goodsReturnsOf(this.db, orderId),
      createdAt: o.created_at,
      updatedAt: o.updated_at,
      history: history.map((h) => ({
        at: h.at,
        status: h.status,
        statusName: ORDER_STATUS[h.status as OrderStatus],
        paymentStatus: h.payment_status,
        paymentStatusName: PAYMENT_STATUS[h.payment_status as PaymentStatus],
        event: h.event,
      })),
    };
  }
}

export interface BookingAnswer {
  orderId: string;
  number: string | null;
  status: number;
  statusName: string;
  amount: number;
}

export interface OrderStateBrief {
  orderId: string;
  number: string | null;
  status: number;
  statusName: string;
  paymentStatus: number;
  paymentStatusName: string;
}

export interface OrderStateLine {
  itemId: string;
  /** Issue 17: the variant sold, when the line names one. */
  variantId?: string;
  /** Units of the item ordered (a line by a packaging: packs × ratio). */
  quantity: number;
  shipped: number;
  /** Issue 17: the packaging the line was sold by: its name (null once gone from the mirror), ratio, packs ordered. */
  packaging?: { id: string; name: string | null; ratio: number; quantity: number };
}

export interface OrderState extends OrderStateBrief {
  amount: number;
  paid: number;
  /** Money returned to the customer so far (refunds), roubles. */
  refunded: number;
  /** The order's version (1 when booked, +1 with each bookingupd): what the next bookingupd names. */
  revision: number;
  /** What 1C shipped (issue 14.3): the state and each line's shipped quantity, from УТ's shipment documents. */
  fulfilment: { state: FulfilmentState; stateName: string; lines: OrderStateLine[] };
  /** Shipped goods that came back with a refund by lines, and the sales they were shipped by (issue 14.4). */
  goodsReturns: GoodsReturn[];
  createdAt: string;
  updatedAt: string;
  history: { at: string; status: number; statusName: string; paymentStatus: number; paymentStatusName: string; event: string }[];
}
