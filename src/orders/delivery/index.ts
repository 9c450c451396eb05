import type { Config } from '../../config/index.js';
import type { Db } from '../../db/open.js';
import type { Logger } from '../../log.js';
import type { ODataClient } from '../../onec/index.js';
import type { Profile } from '../../onec/profiles/index.js';
import type { ClaimedJob, HandlerContext, Json, OutboxWorker } from '../../outbox/index.js';
import { scheduleJob } from '../../schedule.js';
import { expireOrders } from '../expiry.js';
import { JOB } from '../jobs.js';
import { reconcileOrders } from '../reconcile.js';
import { reconcileFulfilment } from '../fulfilment.js';
import type { OrdersService } from '../service.js';
import { webhookHandler } from '../webhooks.js';
import { handleBookingCreate } from './booking.js';
import { handleBookingUpdate } from './booking-update.js';
import { handleClientEnsure, handleClientUpdate } from './clients.js';
import { classify, DeliveryContext } from './context.js';
import { handleOrderStatus } from './order-status.js';
import { handleBankPayment, handlePaymentCard, handleRefundCreate } from './payments.js';
import { reviveUnavailable, tagUnavailable } from './revive.js';

export { DeliveryContext, classify, isDuplicate, type DeliveryDeps } from './context.js';
export { ensureClient, refreshBalance } from './clients.js';
export { closeOrderInOneC } from './order-status.js';
export { lastStatus, writeStatus } from './status.js';
export { reviveUnavailable, UNAVAILABLE_TAG } from './revive.js';

/** What registerDelivery needs; the daemon's Runtime has all of it. */
export interface DeliveryHost {
  db: Db;
  onec: ODataClient;
  config: Config;
  logger: Logger;
  worker: OutboxWorker;
  orders?: OrdersService;
  onStop?(fn: () => void | Promise<void>): void;
  /** The runtime's current profile (refined from the base's $metadata). */
  profileOf?: () => Profile;
}

export interface DeliveryOptions {
  profile?: Profile;
  /** Install the node-cron schedules of expiry and reconciliation (default true; tests call the functions). */
  schedules?: boolean;
  now?: () => Date;
}

export interface Delivery {
  ctx: DeliveryContext;
  expire(): { expired: string[] };
  reconcile(): ReturnType<typeof reconcileOrders>;
  /** What 1C shipped of the orders still to ship (fulfilment.ts), on the reconciliation schedule. */
  fulfil(): ReturnType<typeof reconcileFulfilment>;
  /** Dead jobs that only ran out of attempts while 1C was unreachable get fresh attempts (see revive.ts). */
  revive(): Promise<number[]>;
}

type KindHandler = (ctx: DeliveryContext, job: ClaimedJob, hc: HandlerContext) => Promise<Json>;

/**
 * The delivery half of the write path: one outbox handler per JOB kind, plus the expiry and reconciliation
 * schedules. Handlers are at-least-once and each looks 1C up by the external id before creating anything.
 * Errors: 1C unavailable / timeout / 500 are thrown as they are (the outbox retries with backoff; unavailable and
 * timeouts are tagged so that revive() can bring back jobs an outage outlasted); a request 1C refuses as malformed
 * (400), a missing right or published name becomes a PermanentError (dead letter at once).
 */
export function registerDelivery(host: DeliveryHost, opts: DeliveryOptions = {}): Delivery {
  const ctx = new DeliveryContext({ db: host.db, onec: host.onec, config: host.config, logger: host.logger, profile: opts.profile, profileOf: host.profileOf, now: opts.now });
  const webhooks = !!host.config.webhooks.url;
  host.orders?.enableWebhooks(webhooks);
  const kinds: Record<string, KindHandler> = {
    [JOB.clientEnsure]: handleClientEnsure,
    [JOB.clientUpdate]: handleClientUpdate,
    [JOB.bookingCreate]: handleBookingCreate,
    [JOB.bookingUpdate]: handleBookingUpdate,
    [JOB.paymentCard]: handlePaymentCard,
    [JOB.refundCreate]: handleRefundCreate,
    [JOB.orderStatus]: handleOrderStatus,
    [JOB.bankPayment]: handleBankPayment,
  };
  for (const [kind, fn] of Object.entries(kinds)) {
    host.worker.handle(kind, async (job, hc) => {
      const orderId = (job.payload as { orderId?: unknown } | null)?.orderId;
      const run = () => fn(ctx.forJob(hc.signal), job, hc);
      try {
        // The worker runs one job per key at a time; the lock also covers a job re-claimed in this process after
        // its lease was lost while the first run is still inside 1C.
        return await (typeof orderId === 'string' ? ctx.exclusive(`order:${orderId}`, run) : run());
      } catch (e) {
        throw tagUnavailable(classify(e));
      }
    });
  }
  // Registered even without webhooks.url: jobs left from a configuration that had one become dead letters with a
  // clear message instead of waiting forever.
  host.worker.handle(JOB.webhook, webhookHandler(host.db, host.config.webhooks));

  const delivery: Delivery = {
    ctx,
    expire: () => expireOrders(host.db, { expireAfterHours: host.config.orders.expireAfterHours, webhooks, now: ctx.now() }),
    reconcile: () => reconcileOrders(ctx),
    fulfil: () => reconcileFulfilment(ctx),
    // An outage longer than the order's life is the administrator's to look at, not ours to retry forever.
    revive: () =>
      reviveUnavailable(host.db, {
        maxAgeHours: host.config.orders.expireAfterHours,
        ping: () => ctx.ping(),
      }),
  };
  if (opts.schedules !== false) {
    const expiry = scheduleJob('order expiry', host.config.orders.expiryCron, host.logger, async () => {
      const r = delivery.expire();
      if (r.expired.length) host.logger.info({ expired: r.expired.length }, 'orders expired');
    });
    const reconcile = scheduleJob('order reconciliation', host.config.orders.reconcileCron, host.logger, async () => {
      const revived = await delivery.revive();
      if (revived.length) host.logger.warn({ jobs: revived }, 'outbox jobs that died while 1C was unreachable get fresh attempts');
      const r = await delivery.reconcile();
      if (r.cancelled.length || r.paidInCash.length) host.logger.info({ cancelled: r.cancelled, paidInCash: r.paidInCash, checked: r.checked }, 'orders reconciled with 1C');
      const f = await delivery.fulfil();
      if (f.changed.length) host.logger.info({ shipped: f.changed, checked: f.checked }, 'shipments read from 1C');
    });
    host.onStop?.(() => {
      expiry.stop();
      reconcile.stop();
    });
  }
  return delivery;
}
