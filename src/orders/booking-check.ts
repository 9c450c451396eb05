import type { Db } from '../db/open.js';
import { applyClientPriceKind, orderableItems, orderableVariants, type CatalogService } from '../catalog/service.js';
import { unitsOfPacks } from '../catalog/packagings.js';
import { pendingDepth } from '../outbox/index.js';
import { priceLines, toRoubles, type LinePackaging } from './pricing.js';
import { ORDER_STATUS, type OrderStatus } from './statuses.js';
import { inPacks, preparedOn, type BookingRecord } from './booking-write.js';
import { clientConflict, DomainError, type DomainField } from './errors.js';
import { promisedVariants } from './promise.js';
import type { Answer, BookingAnswer, BookingInput, BookingLineInput } from './service.js';

/**
 * A booking as the API thread hands it over to be checked and written (on the booking thread, or on the API's own
 * connection while that thread cannot take it): the request, its hash, and what the check needs from the daemon's
 * settings. Plain data, so it crosses to a worker thread as it is.
 */
export interface BookingRequest {
  input: BookingInput;
  requestHash: string;
  idempotencyKey: string | null;
  /** When the API accepted it (the order's created_at). */
  at: string;
  webhooks: boolean;
  /** Issue 17: whether a line may name a packaging (the profile's sellsByPackaging), and the base's name for the 422. */
  sellsByPackaging: boolean;
  configurationName: string;
  /** config.outbox.maxDepth: beyond it a new booking is 503 (a replay is still answered). */
  maxDepth: number;
}

/** What the check made of a booking: the answer of an order already accepted, or the record to write. */
export type BookingChecked = { replay: Answer<BookingAnswer> } | { record: BookingRecord };

/** What became of it: written (its outbox job and the amount answered), or answered as before (a replay). */
export type BookingWritten = { replay: Answer<BookingAnswer> } | { jobId: number; amountKopecks: number };

/**
 * Everything a booking is checked for before it is written, in the order the answer needs it: a retry of an accepted
 * order is answered as it was (before anything else: the goods may be gone since); the client; every line against the
 * mirror and our other orders (carried, minimum, multiplicity, variant, packaging, price, the stock that can be
 * promised) — all of a request's errors in one 422; the outbox's depth. The stock that counts is checked again inside
 * the write (booking-write.ts writeBooking), where no other order can come between.
 *
 * It runs where the write runs (issue 19.5). SQLite empties a connection's page cache when another connection has
 * committed since its last read: on the API thread the booking thread's commits did that before most bookings' reads.
 * On the booking thread its own commits leave the cache, and they come once per batch. A booking's reads (the replay
 * lookup, the client, the items) took 38 µs with nothing committed between them, 113 µs with another connection
 * committing before each, and 38 µs with this connection committing before every 64th (bench/orderable-items.ts,
 * load 1.0). In the 500-connection burst (bench/booking-layers.ts, 3 interleaved pairs, load 2.5-3.2) the API thread's
 * CPU per booking went 0.210-0.226 → 0.124-0.136 ms, and the whole process's 0.403-0.442 → 0.353-0.399 ms.
 */
export function checkBooking(db: Db, catalog: CatalogService, r: BookingRequest): BookingChecked {
  const { input } = r;
  const replay = replayOf(db, input.orderId, r.requestHash, r.idempotencyKey ?? undefined);
  if (replay) return { replay };
  const client = preparedOn(db, `SELECT id, inn, conflict FROM clients WHERE id = ?`).get(input.clientId) as { id: string; inn: string | null; conflict: string | null } | undefined;
  if (!client) throw new DomainError('not_found', 'not_found', `Клиент не найден: ${input.clientId}; сначала вызовите client`, [{ field: 'clientId', message: 'нет такого клиента' }]);
  if (client.conflict) {
    const e = clientConflict(input.clientId, client.inn ?? '', client.conflict);
    throw new DomainError('conflict', e.code, `${e.message}; заказ не принят`, [{ field: 'clientId', message: `ИНН клиента занят клиентом ${client.conflict}` }]);
  }
  // Stock as the mirror's free stock less our orders it does not show yet (promise.ts): what the lines are checked
  // against here, for the whole answer at once.
  const items = orderableItems(db, catalog, input.store, input.items.map((i) => i.itemId), { promised: true });
  const variantErrors = orderableVariants(catalog, input.store, input.items, items);
  const packed = unitsOf(db, input.items, items, r);
  if (variantErrors.length || packed.errors.length) throw new DomainError('unprocessable', 'order_rejected', 'Заказ не может быть принят', [...variantErrors, ...packed.errors]);
  // A variant takes what is left of its own stock after our lines of that variant (issue 17), within the item's.
  const pairs = input.items.flatMap((l) => (l.variantId ? [{ itemId: l.itemId, variantId: l.variantId }] : []));
  for (const [key, p] of promisedVariants(db, input.store, pairs)) {
    const it = items.get(key);
    if (it) it.stock = Math.min(it.stock, p.available);
  }
  // Issue 17: the client's own price kind, if 1C gives one (one kept statement asks; most clients have none).
  applyClientPriceKind(db, input.clientId, items);
  const priced = priceLines(packed.lines, items);
  if (priced.errors.length) throw new DomainError('unprocessable', 'order_rejected', 'Заказ не может быть принят', inPacks(priced.errors, packed.lines));
  guardDepth(db, r.maxDepth);
  return {
    record: {
      orderId: input.orderId,
      idempotencyKey: r.idempotencyKey,
      requestHash: r.requestHash,
      clientId: input.clientId,
      store: input.store,
      deliveryAddress: input.deliveryAddress,
      comment: input.comment ?? '',
      amountKopecks: priced.lines.reduce((s, l) => s + l.amountKopecks, 0),
      at: r.at,
      lines: priced.lines,
      webhooks: r.webhooks,
    },
  };
}

/** Backpressure: beyond maxDepth pending jobs, refuse new writes (503 + Retry-After) instead of growing forever. */
export function guardDepth(db: Db, maxDepth: number): void {
  const pending = pendingDepth(db);
  if (pending >= maxDepth) throw DomainError.unavailable(`Очередь в 1С переполнена (${pending} заданий); повторите позже`, 30);
}

/**
 * The answer already given to this order, if it was accepted before: the same request again (a retry after a lost
 * answer) gets it; the same orderId or Idempotency-Key with another body is 409.
 */
export function replayOf(db: Db, orderId: string, requestHash: string, idempotencyKey?: string): Answer<BookingAnswer> | undefined {
  if (idempotencyKey) {
    const byKey = preparedOn(db, `SELECT id, request_hash FROM orders WHERE idempotency_key = ?`).get(idempotencyKey) as { id: string; request_hash: string } | undefined;
    if (byKey && (byKey.id !== orderId || byKey.request_hash !== requestHash)) {
      throw DomainError.conflict('Idempotency-Key уже использован для другого запроса', [{ field: 'Idempotency-Key', message: `занят заказом ${byKey.id}` }]);
    }
  }
  const existing = preparedOn(db, `SELECT request_hash FROM orders WHERE id = ?`).get(orderId) as { request_hash: string } | undefined;
  if (!existing) return undefined;
  if (existing.request_hash !== requestHash) {
    throw DomainError.conflict(`Заказ ${orderId} уже принят с другим содержимым`, [{ field: 'orderId', message: 'повтор с другим телом запроса' }]);
  }
  return bookingAnswerOf(db, orderId);
}

export function bookingAnswerOf(db: Db, orderId: string): Answer<BookingAnswer> {
  const o = preparedOn(db, `SELECT onec_number, status, amount_kopecks FROM orders WHERE id = ?`).get(orderId) as { onec_number: string | null; status: OrderStatus; amount_kopecks: number };
  return answerOf(orderId, o.onec_number, o.status, o.amount_kopecks);
}

/** A booking's answer: 201 once 1C has numbered the order, 202 while it is accepted by ReGate only. */
export function answerOf(orderId: string, number: string | null, status: OrderStatus, amountKopecks: number): Answer<BookingAnswer> {
  return { status: number ? 201 : 202, body: { orderId, number, status, statusName: ORDER_STATUS[status], amount: toRoubles(amountKopecks) } };
}

/**
 * Issue 17: the lines in the item's units. A line with a packagingId counts packagings of the item (its own
 * Catalog_УпаковкиЕдиницыИзмерения or its packaging set's, catalog/packagings.ts): it is checked and held as
 * packs × ratio units — what УТ's form puts in Количество (ОбработкаТабличнойЧастиКлиентСервер 1008-1029:
 * Количество = КоличествоУпаковок × Коэффициент; work1cblackbird/ut11 @cdf1be4f) — and priced per packaging
 * (pricing.ts packPriceKopecks). A packaging that is not the item's is 422 naming items.N.packagingId. Lines of
 * unknown items pass through for priceLines to name.
 */
export function unitsOf(
  db: Db,
  lines: BookingLineInput[],
  items: Map<string, { name: string }>,
  base: { sellsByPackaging: boolean; configurationName: string },
): { lines: (Omit<BookingLineInput, 'packagingId'> & { packaging?: LinePackaging })[]; errors: DomainField[] } {
  const errors: DomainField[] = [];
  const out = lines.map(({ packagingId, ...l }, i) => {
    if (packagingId === undefined) return l;
    const field = `items.${i}.packagingId`;
    if (!base.sellsByPackaging) {
      errors.push({ field, message: `в базе ${base.configurationName} строки заказа по упаковкам не записываются: укажите количество в единицах товара без packagingId` });
      return l;
    }
    const item = items.get(l.itemId);
    if (!item) return l;
    const p = preparedOn(db, `SELECT id, name, ratio FROM catalog_item_packagings WHERE item_id = ? AND id = ?`).get(l.itemId, packagingId) as { id: string; name: string; ratio: number } | undefined;
    if (!p || !(p.ratio > 0)) {
      const own = preparedOn(db, `SELECT name FROM catalog_item_packagings WHERE item_id = ? ORDER BY ratio, name`).pluck().all(l.itemId) as string[];
      errors.push({ field, message: `у товара «${item.name}» нет упаковки ${packagingId}${own.length ? ` (его упаковки: ${own.join(', ')})` : ': товар продаётся только в единицах'}` });
      return l;
    }
    // КоличествоУпаковок is Number(15, 3) in 1C, as Количество.
    const packs = Math.round(l.quantity * 1000) / 1000;
    return { ...l, quantity: unitsOfPacks(packs, p.ratio), packaging: { id: p.id, ratio: p.ratio, packs } };
  });
  return { lines: out, errors };
}
