import { z } from 'zod';

/**
 * The one configuration schema of ReGate. Everything configurable lives here; nothing else reads process.env
 * (see ./load.ts for the file + REGATE_* environment overlay). Every key has a default that suits the demo,
 * so an empty file is a valid configuration.
 */

/** Env values arrive as strings: "false" must mean false (z.coerce.boolean would make it true). */
const bool = z.preprocess(
  (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
  z.boolean(),
);
const cron = z.string().min(9, 'a cron expression such as "*/5 * * * *"');

/** Where a field without a standard УТ 11 place is read from (minimal quantity, multiplicity, X1/X2, sold to order). */
export const FieldSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('extension'), attribute: z.string().min(1) }),
  z.strictObject({ kind: z.literal('additionalAttribute'), name: z.string().min(1) }),
  z.strictObject({ kind: z.literal('none') }),
]);
export type FieldSource = z.infer<typeof FieldSourceSchema>;

export const ConfigSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.coerce.number().int().min(0).max(65535).default(8443),
        /** Plain HTTP is only served on loopback unless this is set: Basic credentials must not cross a network in clear. */
        allowPlainHttp: bool.default(false),
        tls: z
          .strictObject({
            cert: z.string().optional(),
            key: z.string().optional(),
            minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
          })
          .prefault({}),
        /** The address Richest.store sees (used in picture URLs and the OpenAPI servers list). */
        publicUrl: z.string().url().optional(),
        bodyLimitBytes: z.coerce.number().int().positive().default(256 * 1024),
        requestTimeoutMs: z.coerce.number().int().positive().default(30_000),
        /** Believe X-Forwarded-For from a loopback peer (Apache/IIS in front): the client's address for logs, rate
         *  limits and lockout. Never believed from any other peer. */
        trustProxy: bool.default(true),
        /**
         * Extra copies of the listening socket (src/api/accept.ts): a busy event loop accepts one connection per copy
         * per turn (libuv ≥ 1.45), so with one a reconnect storm of 500 connections waited seconds for its first
         * answers. 0 = only the server's own descriptor.
         */
        listenCopies: z.coerce.number().int().min(0).max(256).default(31),
      })
      .prefault({}),
    auth: z
      .strictObject({
        /** Users of the REST API; passwordHash is written by `regate user add` (scrypt). */
        users: z
          .array(
            z.strictObject({
              name: z.string().min(1),
              passwordHash: z.string().startsWith('scrypt$'),
              /** store: catalogue and orders (Richest.store); bank: also the bank review list (payer names, INNs, accounts). */
              role: z.enum(['store', 'bank']).default('store'),
            }),
          )
          .default([]),
        lockoutAfterFailures: z.coerce.number().int().positive().default(10),
        lockoutMs: z.coerce.number().int().positive().default(5 * 60_000),
        /**
         * Requests per minute per API user. Richest.store is typically ONE user relaying hundreds of shoppers, so the
         * default (5,000/s) sits above the measured capacity of a 2-core host (docs/benchmarks.md): it stops a runaway
         * client, not the store. Lower it when several smaller clients share ReGate.
         */
        rateLimitPerMinute: z.coerce.number().int().positive().default(300_000),
        /** Requests per minute from one client address (before auth: guards the 40 ms scrypt check too). */
        rateLimitPerAddressPerMinute: z.coerce.number().int().positive().default(300_000),
      })
      .prefault({}),
    onec: z
      .strictObject({
        /** Base of the standard OData interface, ending in /odata/standard.odata */
        url: z.string().url().default('http://127.0.0.1:8081/demo/odata/standard.odata'),
        user: z.string().default('odata'),
        password: z.string().default(''),
        profile: z.enum(['ut11.5', 'ut11.4', 'erp', 'unf', 'bp', 'roznica']).default('ut11.5'),
        /** 1C sessions ReGate may hold at once (default.vrd poolSize minus what others need). */
        sessions: z.coerce.number().int().min(1).max(64).default(4),
        timeoutMs: z.coerce.number().int().positive().default(60_000),
        readRetries: z.coerce.number().int().min(0).max(10).default(3),
        /** IIS answers an HTML 404 above 2048 bytes of query string; stay under it. */
        maxUrlLength: z.coerce.number().int().min(256).default(2000),
        /** 1C dates are naive server-local time. */
        timezone: z.string().default('Europe/Moscow'),
        /** Ref_Key of the organisation whose orders ReGate creates; empty = the first one with an ИНН. */
        organisationKey: z.string().uuid().optional(),
        /**
         * Ref_Key of the acquiring terminal (Catalog_ЭквайринговыеТерминалы) card payments go through; in 11.5 its
         * owner is the acquiring contract (ДоговорЭквайринга). Empty = the one terminal the base has (several: set it).
         */
        acquiringTerminalKey: z.string().uuid().optional(),
        /**
         * Ref_Key of the customer agreement (Catalog_СоглашенияСКлиентами) web orders are made under: it gives
         * ЦенаВключаетНДС (and, in 11.4, НалогообложениеНДС) as УТ's order form takes them (WRITE-RULES §1.2). Empty =
         * the organisation's one typical agreement in force, if it has exactly one; else none, and prices' VAT
         * inclusion comes from the price kind (УТ without agreements does the same).
         */
        agreementKey: z.string().uuid().optional(),
        /**
         * Ref_Key of the reason (Catalog_ПричиныОтменыЗаказовКлиентов) the lines of an expired or cancelled order are
         * cancelled with (WRITE-RULES §1.7). Empty = the only reason the base has; several: set it.
         */
        cancelReasonKey: z.string().uuid().optional(),
        /**
         * НалогообложениеНДС of orders (a member of ТипыНалогообложенияНДС). УТ takes it from the contract, the
         * activity direction or the organisation's accounting policy (УчетНДСУП 1825-1940), which the standard
         * interface of a trimmed base may not publish; empty = the agreement's (11.4), else ПродажаОблагаетсяНДС.
         * An organisation on УСН sets ПродажаНеОблагаетсяНДС. `regate check` verifies the member exists.
         */
        vatTaxation: z.string().min(1).optional(),
        /**
         * Cash-flow items (Catalog_СтатьиДвиженияДенежныхСредств) of payment lines: a client's payment and a refund to
         * the client. Empty = the configuration's predefined items (УТ: ПоступлениеОплатыОтКлиента,
         * ВозвратОплатыКлиенту), as УТ's documents fill them by operation (WRITE-RULES §3, §4).
         */
        cashFlowItems: z.strictObject({ receipt: z.string().uuid().optional(), refund: z.string().uuid().optional() }).prefault({}),
        /** Whether the ReGate extension (onec/extension) is installed in the base. */
        extension: bool.default(true),
      })
      .prefault({}),
    catalog: z
      .strictObject({
        retailPriceKind: z.string().default('Розничная'),
        tier1PriceKind: z.string().default('Мелкооптовая'),
        tier2PriceKind: z.string().default('Оптовая'),
        /** Issue 17: more price kinds (by name) whose prices the assortment lists per item in prices[], beside the three above. */
        extraPriceKinds: z.array(z.string().min(1)).default([]),
        /** Issue 17: the item properties exported (by Имя or Заголовок); absent = every property items have, [] = none. */
        exportProperties: z.array(z.string().min(1)).optional(),
        /**
         * Issue 14.7: where the assortment's shortDescription and description (full) come from — УТ's text description
         * (Номенклатура.Описание: 'description'), the item's site description file (ФайлОписанияДляСайта, its text:
         * 'siteFile') or nothing. Never the item's name: an item without the source leaves the field empty. The two may
         * not name the same source (the same text twice is what the shop complained of).
         */
        descriptions: z
          .strictObject({
            short: z.enum(['description', 'siteFile', 'none']).default('description'),
            full: z.enum(['siteFile', 'description', 'none']).default('siteFile'),
          })
          .prefault({})
          .refine((d) => d.short === 'none' || d.short !== d.full, { message: 'short and full description cannot come from the same source' }),
        /**
         * Icon URLs in the assortment carry ?expires=&signature= (HMAC-SHA256 over id and expiry) and open without Basic
         * credentials until then, so a shop can put them in <img>. Hours a link lives (0 = unsigned links that need
         * Basic, as before); the secret, when not set, is made once and kept in the database (meta).
         */
        pictureLinkTtlHours: z.coerce.number().min(0).max(24 * 366).default(168),
        pictureLinkSecret: z.string().min(16).optional(),
        minQuantity: FieldSourceSchema.default({ kind: 'extension', attribute: 'ReGate_МинимальноеКоличество' }),
        multiplicity: FieldSourceSchema.default({ kind: 'extension', attribute: 'ReGate_Кратность' }),
        soldToOrder: FieldSourceSchema.default({ kind: 'extension', attribute: 'ReGate_ПродажаПодЗаказ' }),
        tier1Threshold: FieldSourceSchema.default({ kind: 'extension', attribute: 'ReGate_ПорогЦены1' }),
        tier2Threshold: FieldSourceSchema.default({ kind: 'extension', attribute: 'ReGate_ПорогЦены2' }),
        /**
         * Pictures kept in 1C file volumes (ВТомахНаДиске) are read from disk: the volume's path as 1C records it
         * (ТомаХраненияФайлов.ПолныйПутьWindows / ПолныйПутьLinux) → where this machine sees it, e.g.
         * { "\\\\fs\\1c-files\\": "/mnt/1c-files/" }. Empty: the volume path is used as is (ReGate on the 1C server).
         */
        volumeRoots: z.record(z.string(), z.string()).default({}),
        /** Megabytes of gzip catalogue answers kept between two syncs (least recently used go first). A 100-item page
         *  is ~18 KB of gzip (the 20k demo base's, 2026-12-05): a 300k-item base at 7 warehouses is 8,173 pages,
         *  ~150 MB, and with 128 a store cycling through all of them missed one in ten and got 0.26 of the cached rate
         *  (docs/benchmarks.md). Kept only as pages are asked for: a small base never fills it. */
        responseCacheMB: z.coerce.number().int().min(1).max(16_384).default(256),
        defaults: z
          .strictObject({
            minQuantity: z.coerce.number().positive().default(1),
            multiplicity: z.coerce.number().positive().default(1),
            tier1Threshold: z.coerce.number().positive().default(10),
            tier2Threshold: z.coerce.number().positive().default(100),
          })
          .prefault({}),
      })
      .prefault({}),
    database: z.strictObject({ path: z.string().default('./data/regate.sqlite') }).prefault({}),
    sync: z
      .strictObject({
        catalogCron: cron.default('*/30 * * * *'),
        stockCron: cron.default('*/2 * * * *'),
        pageSize: z.coerce.number().int().min(10).max(5000).default(1000),
        /** /readyz reports not ready when the mirror is older than this. */
        maxAgeMinutes: z.coerce.number().positive().default(60),
      })
      .prefault({}),
    outbox: z
      .strictObject({
        maxAttempts: z.coerce.number().int().min(1).default(12),
        backoffBaseMs: z.coerce.number().int().positive().default(1_000),
        backoffMaxMs: z.coerce.number().int().positive().default(5 * 60_000),
        leaseMs: z.coerce.number().int().positive().default(120_000),
        /** How long booking waits for 1C before answering 202. */
        confirmWindowMs: z.coerce.number().int().min(0).default(3_000),
        /** Above this many pending jobs new writes get 503 + Retry-After instead of unbounded growth. */
        maxDepth: z.coerce.number().int().positive().default(100_000),
        /** Done and dropped jobs are deleted this many days after they finished (dead ones are kept). */
        retainDoneDays: z.coerce.number().positive().default(30),
        purgeCron: cron.default('30 3 * * *'),
      })
      .prefault({}),
    /**
     * Benchmark and diagnostic switches (issue 19): the defaults are what production runs; the booking bench turns
     * one off in its same-run "before" (REGATE_TUNING_WRITE_LOCK=0 and so on). Not for administrators to tune.
     */
    tuning: z
      .strictObject({
        /** The API's and the delivery thread's connections take turns at writing through a lock shared by the
         *  threads (src/workers/write-lock.ts); false leaves it to SQLite's busy handler. */
        writeLock: bool.default(true),
        /** The API thread waits its turn at that lock without blocking its event loop, letting a waiting delivery
         *  write go first (write-lock.ts turn()); false: it blocks for the lock. */
        writeTurn: bool.default(true),
        /** A finished outbox job's outcome and the claim of the next job in one transaction (src/outbox/worker.ts);
         *  false: two. */
        claimWithOutcome: bool.default(true),
        /** A file: the delivery thread writes a CPU profile of itself there, from its start to its stop. */
        deliveryProfile: z.string().min(1).optional(),
        /** The delivery thread's nice where the process may raise a thread's priority (root, CAP_SYS_NICE, systemd
         *  LimitNICE=; src/workers/priority.ts DELIVERY_NICE says why -5); 0 keeps the process's priority. */
        deliveryNice: z.coerce.number().int().min(-20).max(0).default(-5),
        /** The delivery thread's connection: synchronous=NORMAL (its commits reach the WAL, fsynced with the API's
         *  next commit or the checkpoint) or FULL (each one waits for the disk). src/workers/outbox-worker.ts says
         *  why NORMAL loses nothing there. The API's connection stays FULL whatever this says. */
        deliverySynchronous: z.enum(['normal', 'full']).default('normal'),
        /** At most this much of the API's request work per turn of the event loop, first come first served
         *  (src/api/turns.ts), so a busy loop still polls for new connections; 0: every request at once. */
        turnBudgetMs: z.coerce.number().min(0).max(1000).default(25),
        /** Accepted bookings are written by a thread of their own (src/workers/booking.ts), the transaction and its
         *  fsync off the API's event loop; false: on the API's thread, as before. */
        bookingThread: bool.default(true),
        /** The most bookings the booking thread writes in one transaction (one COMMIT, one fsync). */
        bookingBatch: z.coerce.number().int().min(1).max(1024).default(256),
        /** WAL checkpoints on a thread of their own, PASSIVE, every second (src/workers/checkpoint.ts), and none inside
         *  the commits of the API's, the booking and the delivery threads' connections; false: SQLite's autocheckpoint
         *  in those commits, as before. */
        checkpointThread: bool.default(true),
      })
      .prefault({}),
    orders: z
      .strictObject({
        expireAfterHours: z.coerce.number().positive().default(72),
        expiryCron: cron.default('*/15 * * * *'),
        reconcileCron: cron.default('*/5 * * * *'),
      })
      .prefault({}),
    bank: z
      .strictObject({
        watchDir: z.string().optional(),
        /** Sub-folders of watchDir (or absolute paths) that imported and rejected files are moved to. */
        processedDir: z.string().min(1).default('processed'),
        failedDir: z.string().min(1).default('failed'),
        /** A file changed less than this long ago may still be being written by the bank client: next run. */
        settleMs: z.coerce.number().int().min(0).default(5000),
        cron: cron.default('*/10 * * * *'),
        /** Our settlement accounts (20 digits). When set, a statement of any other account is refused. */
        ownAccounts: z
          .preprocess((v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : v), z.array(z.string().regex(/^\d{20}$/, '20 digits')))
          .default([]),
        api: z
          .strictObject({
            kind: z.enum(['none', 'tochka']).default('none'),
            /** Tochka: https://enter.tochka.com/uapi/open-banking/v1.0 when not set. */
            url: z.string().url().optional(),
            token: z.string().optional(),
            /** Tochka's accountId: "<20-digit account>/<BIC>". */
            accountId: z.string().optional(),
            /** Each run asks for this many past days (statements overlap; each payment is applied once). */
            lookbackDays: z.coerce.number().int().min(0).max(31).default(3),
            /** How long to wait for the bank to prepare a statement before giving up until the next run. */
            readyTimeoutMs: z.coerce.number().int().min(0).default(60_000),
          })
          .prefault({}),
      })
      .prefault({}),
    webhooks: z
      .strictObject({
        url: z.string().url().optional(),
        /** Signs webhooks (Standard Webhooks): `whsec_<base64>` — the key is the decoded bytes; any other string is the key as UTF-8. */
        secret: z.string().optional(),
        /** How many days back GET /api/v1/events serves events (order_history keeps them all; this bounds the feed). */
        eventsRetentionDays: z.coerce.number().int().min(1).max(3650).default(30),
        /**
         * Issue 17: also send catalog.changed (one webhook per sync that changed what a shop sees, items per
         * warehouse). Off by default: a receiver written for order events only must not get a new event type unasked.
         */
        catalogEvents: bool.default(false),
      })
      .prefault({}),
    /** The web console at /console: its own users (admin, accountant), never the API's. */
    console: z
      .strictObject({
        enabled: bool.default(true),
        users: z
          .array(
            z.strictObject({
              name: z.string().min(1),
              /** Shown in the console and written into the audit (who resolved a payment). */
              fullName: z.string().optional(),
              passwordHash: z.string().startsWith('scrypt$'),
              role: z.enum(['admin', 'accountant']),
            }),
          )
          .default([]),
        sessionHours: z.coerce.number().positive().default(12),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        /** One JSON line per HTTP request (id, method, route, status, duration, user, address). */
        requests: bool.default(true),
      })
      .prefault({}),
    metrics: z
      .strictObject({
        /** Prometheus text at /metrics. */
        enabled: bool.default(true),
        /** loopback: no auth from 127.0.0.1/::1 when not proxied, Basic auth otherwise; auth: always Basic; open: never. */
        access: z.enum(['loopback', 'auth', 'open']).default('loopback'),
      })
      .prefault({}),
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Keys whose values never leave the process: masked by `config check`, redacted from logs. */
export const SECRET_KEY = /password|secret|token|hash|^key$/i;
