import { statSync } from 'node:fs';
import type { Config } from './config/index.js';
import { openDb, probeStorage, type Db } from './db/open.js';
import type { Logger } from './log.js';
import { ODataClient } from './onec/index.js';
import { CatalogService } from './catalog/service.js';
import { OrdersService } from './orders/service.js';
import { OutboxWorker, newHolder, type WorkerEvent } from './outbox/index.js';
import { createApp, type App } from './api/app.js';
import { healthService } from './api/health.js';
import type { ApiServices } from './api/services.js';
import { lockOf } from './workers/write-lock.js';
import { bookingThread, checkpointThread, outboxThread, syncJobs, type BookingThread, type CheckpointThread } from './workers/index.js';
import { scheduleJob } from './schedule.js';
import { createMetrics, type Metrics } from './metrics.js';
import { purgeFinished, stats as outboxStats } from './outbox/index.js';
import { wireBank } from './bank/import/wire.js';
import { EventFeed } from './webhooks/feed.js';
import { pictureLinks } from './api/middleware/picture-links.js';
import { registerDelivery } from './orders/delivery/index.js';
import { mountConsole } from './console/index.js';
import { detectFeatures, familyOf, getProfile, type Profile, type Ut11Features } from './onec/profiles/index.js';
import type { ODataMetadata } from './onec/metadata.js';

/**
 * Everything `regate serve` (and the demo) runs, wired in one place: the database, the 1C client, the services,
 * the outbox worker, the schedules and the HTTP app. This file is the map of the daemon: each feature is one call.
 */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: Db;
  onec: ODataClient;
  catalog: CatalogService;
  orders: OrdersService;
  worker: OutboxWorker;
  /** Where accepted bookings are written once started (issue 19.5); null: on the API thread (in-memory db, or off). */
  bookingThread: BookingThread | null;
  /** The thread that checkpoints the WAL once started (src/workers/checkpoint.ts); null: SQLite's autocheckpoint. */
  checkpoints: CheckpointThread | null;
  services: ApiServices;
  metrics: Metrics;
  app: App;
  /** The profile for this base: by onec.profile at first, then as the base's $metadata shows it (adaptToBase). */
  readonly profile: Profile;
  profileOf(): Profile;
  /**
   * Reads the base's $metadata and refines the profile to what it publishes (VAT catalog or enum, where file bytes
   * live, settlement by ОбъектРасчетов or Заказ, …). Keeps the previous profile when 1C cannot be read.
   */
  adaptToBase(): Promise<Ut11Features | undefined>;
  /** Start background work (worker, schedules). */
  start(): void;
  /** Graceful: stop schedules, let running deliveries finish (bounded), close the database. */
  stop(): Promise<void>;
  onStop(fn: () => void | Promise<void>): void;
}

export function createRuntime(config: Config, logger: Logger): Runtime {
  const db = openDb(config.database.path, { busyTimeoutMs: 250 });
  const metrics = createMetrics();
  const onec = new ODataClient({ ...config.onec, observer: metrics.observeOneC });
  const priceKindNames = { retail: config.catalog.retailPriceKind, tier1: config.catalog.tier1PriceKind, tier2: config.catalog.tier2PriceKind };
  const catalog = new CatalogService(db, priceKindNames);
  // Issue 19.5: bookings' writes on a thread of their own once started (rt.start), after the delivery thread has given
  // this connection the write lock they share.
  // Checkpoints on a thread of their own once started, none inside this process's writers' commits (issue 19).
  const checkpoints = config.database.path === ':memory:' || !config.tuning.checkpointThread ? null : checkpointThread({ path: config.database.path, logger, writeLock: () => lockOf(db) });
  const bookingWriter =
    config.database.path === ':memory:' || !config.tuning.bookingThread ? null : bookingThread({ db, path: config.database.path, logger, autocheckpoint: !checkpoints, priceKindNames, maxBatch: config.tuning.bookingBatch });
  const orders = new OrdersService(db, catalog, {
    bookingWriter: bookingWriter ?? undefined,
    confirmWindowMs: config.outbox.confirmWindowMs,
    maxDepth: config.outbox.maxDepth,
    // The profile as adapted to the base (below): a payment its configuration cannot record is 422, not a dead job.
    canWrite: (write) => (write === 'orderUpdate' ? Boolean(profile.build.orderUpdatePatch) : Boolean(profile.writes[write])),
    configurationName: () => familyOf(profile.id),
    sellsByPackaging: () => profile.sellsByPackaging === true,
  });
  // The outbox workers' events (this thread's and the delivery thread's): metrics and the log.
  const onOutboxEvent = (e: Pick<WorkerEvent, 'type'> & { job?: { id: number; kind: string; key: string | null; attempts?: number }; error?: unknown }) => {
    metrics.observeOutboxEvent(e.type);
    if (e.type === 'dead') logger.error({ job: e.job?.id, kind: e.job?.kind, key: e.job?.key, error: e.error }, 'outbox job dead');
    else if (e.type === 'retry') logger.warn({ job: e.job?.id, kind: e.job?.kind, key: e.job?.key, error: e.error, attempt: e.job?.attempts }, 'outbox job retry');
    else if (e.type === 'error') logger.error({ err: e.error }, 'outbox worker error');
  };
  const worker = new OutboxWorker(db, {
    policy: config.outbox,
    // Twice the 1C sessions: a job spends part of its time on local SQLite work and between its 1C calls; with only
    // `sessions` jobs in flight the sessions idled then (delivery measured 0.75 of the sessions/latency bound). The
    // 1C limit itself is the client's: it never has more than onec.sessions requests open at once.
    concurrency: config.onec.sessions * 2,
    holder: newHolder(),
    onEvent: (e) => onOutboxEvent(e),
  });
  const health = healthService({
    mirrorSyncedAt: () => catalog.state().syncedAt,
    maxAgeMinutes: config.sync.maxAgeMinutes,
    pingOneC: async () => {
      await onec.count('Catalog_Организации');
    },
    probeStorage: () => {
      const p = probeStorage(db);
      return { ok: p.ok, detail: p.ok ? '' : p.detail };
    },
  });
  metrics.setSources({
    outbox: () => outboxStats(db),
    mirror: () => catalog.state(),
    checkpoints: checkpoints ? () => checkpoints.stats() : undefined,
    walBytes: config.database.path === ':memory:' ? undefined : () => walBytes(config.database.path),
  });
  // events: GET /api/v1/events, the feed a webhook receiver catches up from (webhooks/feed.ts).
  // pictureLinks: signed icon URLs that open without Basic credentials (api/middleware/picture-links.ts).
  const services: ApiServices = { health, catalog, orders, metrics, events: new EventFeed(db, { retentionDays: config.webhooks.eventsRetentionDays }), pictureLinks: pictureLinks(db, config.catalog) };
  let profile = getProfile(config.onec.profile, config);
  let adapted = false;
  const stoppers: (() => void | Promise<void>)[] = [];
  const rt: Runtime = {
    config,
    logger,
    db,
    onec,
    catalog,
    orders,
    worker,
    bookingThread: bookingWriter,
    checkpoints,
    services,
    metrics,
    app: undefined as unknown as App,
    get profile() {
      return profile;
    },
    profileOf: () => profile,
    async adaptToBase() {
      let md: ODataMetadata;
      try {
        md = await onec.metadata();
      } catch (e) {
        logger.warn({ err: (e as Error).message }, '1C $metadata not read: the profile stays as configured until the next sync');
        return undefined;
      }
      const features = detectFeatures(metadataView(md));
      if (features.extension !== config.onec.extension) {
        logger.warn({ configured: config.onec.extension, published: features.extension }, config.onec.extension ? 'onec.extension is on but the base publishes no ReGate extension objects: install the extension or set onec.extension: false' : 'the base publishes the ReGate extension but onec.extension is off');
      }
      profile = getProfile(config.onec.profile, config, features);
      deliveryThread?.profile(features);
      adapted = true;
      logger.info({ features }, '1C profile adapted to what the base publishes');
      return features;
    },
    start() {
      worker.start();
    },
    async stop() {
      for (const fn of stoppers.reverse()) await fn();
      await Promise.all([worker.stop(10_000), deliveryThread?.stop(10_000), bookingWriter?.stop()]);
      await checkpoints?.stop();
      await onec.close();
      db.close();
    },
    onStop(fn) {
      stoppers.push(fn);
    },
  };
  // Features wire themselves here, explicitly, in the order they depend on each other.

  // Catalogue mirror: full sync on its schedule (and at start when the mirror is empty), stock and prices more often,
  // in a worker thread with its own connection and 1C client (src/workers: the API's loop never runs a sync).
  const syncs = syncJobs({ config, logger, observeOneC: metrics.observeOneC, db, onec });
  rt.onStop(() => syncs.close());
  // Warehouses' orders for q= read into memory before the first search needs them (CatalogService.warmSearch).
  const warmSearch = () => {
    try {
      catalog.warmSearch();
    } catch (e) {
      logger.warn({ err: e }, 'search orders not read into memory');
    }
  };
  const timed = async <T extends { requests: number }>(kind: 'full' | 'stock', run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      const r = await run();
      metrics.observeSync(kind, { ms: Date.now() - started, requests: r.requests, ok: true });
      warmSearch();
      return r;
    } catch (e) {
      metrics.observeSync(kind, { ms: Date.now() - started, requests: 0, ok: false });
      throw e;
    }
  };
  // The full and the stock sync never overlap: a full sync that read stock before a stock sync must not write it
  // after, stamping older stock with a newer time. Each waits for the other.
  let syncing: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = syncing.then(fn, fn);
    syncing = run.catch(() => undefined);
    return run;
  };
  const fullSync = scheduleJob('catalog sync', config.sync.catalogCron, logger, async () => {
    if (!adapted) await rt.adaptToBase();
    await oneAtATime(() => timed('full', () => syncs.full(profile.features)));
    const pics = await syncs.pictures(profile.features).catch((e) => logger.warn({ err: e }, 'pictures not fetched'));
    if (pics) logger.info(pics, 'pictures fetched');
  });
  const stockSync = scheduleJob('stock sync', config.sync.stockCron, logger, () => oneAtATime(() => timed('stock', () => syncs.stock(profile.features))));
  rt.onStop(() => {
    fullSync.stop();
    stockSync.stop();
  });
  // The outbox keeps finished jobs for audit, then forgets them: without this the table (and its dedupe index) grows
  // by a few rows per order forever.
  const purge = scheduleJob('outbox purge', config.outbox.purgeCron, logger, async () => {
    const n = purgeFinished(db, config.outbox.retainDoneDays * 86_400_000);
    if (n) logger.info({ purged: n, retainDoneDays: config.outbox.retainDoneDays }, 'outbox purged');
  });
  rt.onStop(() => purge.stop());
  // Write path to 1C: outbox handlers for every order/client job kind, order expiry and reconciliation schedules.
  registerDelivery(rt);
  // Delivery runs in a thread of its own (src/workers/outbox.ts: a booking burst no longer starves it); this thread's
  // worker keeps the job kinds registered by others. The outbox rows are still written with their orders, here.
  const deliveryThread =
    config.database.path === ':memory:' ? null : outboxThread({ config, db, logger, features: () => profile.features, holder: worker.holder, onEvent: onOutboxEvent, observeOneC: metrics.observeOneC });
  if (deliveryThread) worker.handOff(worker.kinds());
  rt.start = () => {
    // From now on the checkpoint thread copies the WAL back; the delivery and booking threads' connections are
    // opened the same way (their workerData). It starts after the delivery thread, which creates the writers' lock.
    if (checkpoints) db.pragma('wal_autocheckpoint = 0');
    worker.start();
    deliveryThread?.start();
    checkpoints?.start();
    bookingWriter?.start();
    if (!catalog.state().syncedAt) void fullSync.runNow();
    else {
      syncs.warm().catch((e) => logger.error({ err: e }, 'sync worker not started'));
      warmSearch();
    }
  };
  // Bank statements: the review list for the API, and the folder / bank API import on config.bank.cron.
  wireBank(rt);
  rt.app = createApp({ config, services, logger });
  // The web console (/console): status, sync now, dead jobs, the accountant's payments; its own users.
  mountConsole(rt, { syncNow: () => fullSync.runNow() });
  return rt;
}

/** The detection view over a live $metadata: sets, their properties and their tabular parts' columns (`Part/Field`). */
export function metadataView(md: ODataMetadata): import('./onec/profiles/index.js').PublishedView {
  const props = (set: string) => md.entitySet(set)?.properties ?? [];
  return {
    hasSet: (set) => md.hasSet(set),
    hasField(set, field) {
      const slash = field.indexOf('/');
      if (slash < 0) return props(set).some((p) => p.name === field) || props(`${set}_RecordType`).some((p) => p.name === field);
      return props(`${set}_${field.slice(0, slash)}`).some((p) => p.name === field.slice(slash + 1));
    },
  };
}

/** The WAL file's size, null when there is none (after a clean stop, or not in WAL mode). */
function walBytes(path: string): number | null {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return null;
  }
}
