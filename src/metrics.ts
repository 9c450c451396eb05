import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TransportAttempt } from './onec/transport.js';
import type { OutboxStats } from './outbox/admin.js';

/**
 * Prometheus metrics of the daemon (prom-client: the de-facto Prometheus client for Node, maintained under the
 * siimon/prom-client project for a decade, no native parts). One Registry per Metrics object rather than the
 * library's global one, so tests (and the demo, which runs two apps) never see each other's counts.
 *
 * Cheap on the hot path: a request costs one counter increment and one histogram observation (~1 µs together);
 * everything that needs the database (outbox depth, mirror age) is read at scrape time, not per request.
 */

/** What a scrape reads at scrape time. Each source is optional: the app may run without the feature. */
export interface MetricsSources {
  outbox?: () => OutboxStats;
  mirror?: () => { generation: number; syncedAt: string | null; stockSyncedAt: string | null };
  /** The checkpoint thread's counts since the daemon started (src/workers/checkpoint.ts), taken structurally. */
  checkpoints?: () => { runs: number; frames: number; failed: number; locked: { ms: number } };
  /** The WAL file's size in bytes (null when there is none). */
  walBytes?: () => number | null;
}

export interface SyncObservation {
  ms: number;
  requests: number;
  ok: boolean;
}

export type BankImportResult = 'imported' | 'duplicate' | 'failed';
export type BankPaymentOutcome = 'matched' | 'partial' | 'review';

const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// 1C answers in tens of milliseconds for a key read and tens of seconds for a cold virtual table.
const ONEC_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

// Bank imports are counted from wherever the importer runs (the daemon's schedule, or `regate bank import` in the
// same process), so their metrics live at module level and every Metrics registry exposes them.
const bankImports = new Counter({
  name: 'regate_bank_imports_total',
  help: 'Bank statements processed, by result (imported, duplicate: the same file again, failed)',
  labelNames: ['source', 'result'] as const,
  registers: [],
});
const bankPayments = new Counter({
  name: 'regate_bank_payments_total',
  help: 'New incoming bank payments recorded, by outcome (matched to an order, partial, left for review)',
  labelNames: ['outcome'] as const,
  registers: [],
});
const bankLastImport = new Gauge({
  name: 'regate_bank_last_import_timestamp_seconds',
  help: 'Unix time of the last successful bank statement import in this process',
  registers: [],
});

/**
 * For the bank importer: call once per statement processed. `source` is the bank_statements.source value
 * ('cli', 'folder', 'tochka'); `payments` counts the statement's new payments by outcome.
 */
export function countBankImport(
  source: string,
  result: BankImportResult,
  payments: Partial<Record<BankPaymentOutcome, number>> = {},
  at: Date = new Date(),
): void {
  bankImports.inc({ source, result });
  for (const [outcome, n] of Object.entries(payments)) if (n) bankPayments.inc({ outcome }, n);
  if (result !== 'failed') bankLastImport.set(at.getTime() / 1000);
}

/**
 * The same from an importer's report (src/bank/import ImportReport, taken structurally so metrics do not depend on
 * the bank feature): `matched` there includes the partial ones.
 */
export function countBankImportReport(r: { source: string; duplicate: boolean; matched: number; partial: number; review: number }, at?: Date): void {
  countBankImport(r.source, r.duplicate ? 'duplicate' : 'imported', { matched: r.matched - r.partial, partial: r.partial, review: r.review }, at);
}

export interface MetricsOptions {
  sources?: MetricsSources;
  /** Process metrics (CPU, memory, event loop lag, GC): on by default; tests that build many apps turn them off. */
  processMetrics?: boolean;
  now?: () => number;
}

export class Metrics {
  readonly registry = new Registry();
  private sources: MetricsSources;
  private readonly now: () => number;
  private readonly http = new HttpRequestSeries();
  private readonly onecTotal;
  private readonly onecErrors;
  private readonly onecSeconds;
  private readonly syncRuns;
  private readonly syncSeconds;
  private readonly syncRequests;
  private readonly syncLastSuccess;
  private readonly outboxEvents;

  constructor(opts: MetricsOptions = {}) {
    this.sources = { ...opts.sources };
    this.now = opts.now ?? Date.now;
    const registers = [this.registry];
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'regate_' });

    this.registry.registerMetric(this.http.counter() as never);
    this.registry.registerMetric(this.http.histogram() as never);

    this.onecTotal = new Counter({
      name: 'regate_onec_requests_total',
      help: 'HTTP attempts to 1C OData (retries counted separately), by method, target entity set and status',
      labelNames: ['method', 'target', 'status'] as const,
      registers,
    });
    this.onecErrors = new Counter({
      name: 'regate_onec_errors_total',
      help: 'HTTP attempts to 1C that failed: status 4xx/5xx, or "network" when no answer came',
      labelNames: ['method', 'target', 'status'] as const,
      registers,
    });
    this.onecSeconds = new Histogram({
      name: 'regate_onec_request_duration_seconds',
      help: 'Latency of one HTTP attempt to 1C (queueing for a session slot excluded), by method and status',
      labelNames: ['method', 'status'] as const,
      buckets: ONEC_BUCKETS,
      registers,
    });

    this.syncRuns = new Counter({
      name: 'regate_sync_runs_total',
      help: 'Catalogue sync runs, by kind (full, stock) and result (ok, failed)',
      labelNames: ['kind', 'result'] as const,
      registers,
    });
    this.syncSeconds = new Gauge({
      name: 'regate_sync_last_duration_seconds',
      help: 'Duration of the last catalogue sync run, by kind',
      labelNames: ['kind'] as const,
      registers,
    });
    this.syncRequests = new Gauge({
      name: 'regate_sync_last_requests',
      help: 'OData requests the last successful catalogue sync sent, by kind',
      labelNames: ['kind'] as const,
      registers,
    });
    this.syncLastSuccess = new Gauge({
      name: 'regate_sync_last_success_timestamp_seconds',
      help: 'Unix time the last successful catalogue sync of this kind finished',
      labelNames: ['kind'] as const,
      registers,
    });
    this.outboxEvents = new Counter({
      name: 'regate_outbox_events_total',
      help: 'Outbox worker events: done (delivered), retry, dead, stale (lease lost), error',
      labelNames: ['type'] as const,
      registers,
    });

    // Read at scrape time: the outbox stats query is ~2 ms at 100,000 pending jobs (outbox/admin.ts), far too much
    // per request but nothing per scrape (every 15-60 s).
    const self = this;
    const outboxGauge = (name: string, help: string, pick: (s: OutboxStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const s = self.outboxStats();
          if (s) this.set(pick(s));
        },
      });
    outboxGauge('regate_outbox_pending_jobs', 'Jobs waiting for delivery to 1C (the queue depth)', (s) => s.pending);
    outboxGauge('regate_outbox_running_jobs', 'Jobs being delivered right now', (s) => s.running);
    outboxGauge('regate_outbox_dead_jobs', 'Dead letters waiting for an administrator (regate outbox list -s dead)', (s) => s.dead);
    outboxGauge('regate_outbox_retrying_jobs', 'Pending jobs that failed at least once and wait for their retry', (s) => s.retrying);
    outboxGauge('regate_outbox_oldest_pending_age_seconds', 'Age of the oldest pending job (0 when none): alert on this', (s) => s.oldestPendingAgeMs / 1000);
    outboxGauge('regate_outbox_max_attempts', 'Highest attempt count among pending jobs (near outbox.maxAttempts: dead letters are coming)', (s) => s.maxAttempts);

    const mirrorGauge = (name: string, help: string, pick: (m: NonNullable<ReturnType<NonNullable<MetricsSources['mirror']>>>) => number | undefined) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          let m;
          try {
            m = self.sources.mirror?.();
          } catch {
            return; // as for the outbox: a closed database keeps the last value rather than failing the scrape
          }
          if (!m) return;
          // No sync yet: +Inf, so that an "older than an hour" alert fires (0 would say "fresh", and the time since
          // 1970 would be a number nobody reads right).
          this.set(pick(m) ?? Infinity);
        },
      });
    // The WAL (issue 19): copied back by the checkpoint thread. Totals since the daemon started, read at scrape time.
    const checkpointCounter = (name: string, help: string, pick: (c: NonNullable<ReturnType<NonNullable<MetricsSources['checkpoints']>>>) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          const c = self.sources.checkpoints?.();
          if (!c) return;
          this.reset();
          this.inc(pick(c));
        },
      });
    checkpointCounter('regate_wal_checkpoints_total', 'WAL checkpoints that copied pages back into the database file', (c) => c.runs);
    checkpointCounter('regate_wal_checkpoint_pages_total', 'Pages the WAL checkpoints copied back', (c) => c.frames);
    checkpointCounter('regate_wal_checkpoint_failures_total', 'WAL checkpoints that failed (the disk; logged once per thread start): alert on any', (c) => c.failed);
    checkpointCounter('regate_wal_checkpoint_lock_seconds_total', "Time the writers' lock was held to finish a large WAL", (c) => c.locked.ms / 1000);
    new Gauge({
      name: 'regate_wal_bytes',
      help: 'Size of the WAL file (-wal) next to the database',
      registers,
      collect() {
        let b: number | null | undefined;
        try {
          b = self.sources.walBytes?.();
        } catch {
          return;
        }
        if (b != null) this.set(b);
      },
    });

    const age = (iso: string | null) => (iso ? Math.max(0, (this.now() - Date.parse(iso)) / 1000) : undefined);
    mirrorGauge('regate_mirror_age_seconds', 'Seconds since the last full catalogue sync committed', (m) => age(m.syncedAt));
    mirrorGauge('regate_mirror_stock_age_seconds', 'Seconds since stock and prices were last refreshed', (m) => age(m.stockSyncedAt));
    mirrorGauge('regate_mirror_generation', 'Mirror generation (increments with every committed sync)', (m) => m.generation);

    this.registry.registerMetric(bankImports);
    this.registry.registerMetric(bankPayments);
    this.registry.registerMetric(bankLastImport);
  }

  /** Sources that exist only once the runtime is wired (the database, the catalogue). */
  setSources(sources: MetricsSources): void {
    Object.assign(this.sources, sources);
  }

  private outboxStats(): OutboxStats | undefined {
    try {
      return this.sources.outbox?.();
    } catch {
      // A closed or busy database must not fail the whole scrape; the gauge keeps its last value.
      return undefined;
    }
  }

  /** Called by the app's request middleware; `route` is the route template (/api/v1/assortment), never the URL. */
  observeRequest(route: string, method: string, status: number, ms: number): void {
    this.http.observe(route, method, status, ms / 1000);
  }

  /** The 1C transport's observer (ODataClientOptions.observer). */
  readonly observeOneC = (a: TransportAttempt): void => {
    const target = targetOf(a.url);
    const status = String(a.status);
    this.onecTotal.inc({ method: a.method, target, status });
    if (a.status === 'network' || a.status >= 400) this.onecErrors.inc({ method: a.method, target, status });
    this.onecSeconds.observe({ method: a.method, status }, a.ms / 1000);
  };

  observeSync(kind: 'full' | 'stock', o: SyncObservation): void {
    this.syncRuns.inc({ kind, result: o.ok ? 'ok' : 'failed' });
    this.syncSeconds.set({ kind }, o.ms / 1000);
    if (o.ok) {
      this.syncRequests.set({ kind }, o.requests);
      this.syncLastSuccess.set({ kind }, this.now() / 1000);
    }
  }

  observeOutboxEvent(type: string): void {
    if (type === 'claimed') return;
    this.outboxEvents.inc({ type });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * The per-request series, kept by hand rather than with prom-client's Counter and Histogram: those hash a label
 * object on every call, which measured 8 µs per request for the pair on this 2-core box (a third of what /healthz
 * costs in all); this is one Map lookup on a string key and a scan of 14 bucket bounds, well under 1 µs.
 * Exposed to the Registry as two metric objects with `get()`, in the shape prom-client formats.
 */
class HttpRequestSeries {
  private readonly series = new Map<string, { labels: { route: string; method: string; status: string }; count: number; sum: number; buckets: number[] }>();

  observe(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { route, method, status: String(status) }, count: 0, sum: 0, buckets: new Array<number>(HTTP_BUCKETS.length).fill(0) };
      this.series.set(key, s);
    }
    s.count++;
    s.sum += seconds;
    for (let i = 0; i < HTTP_BUCKETS.length; i++) {
      if (seconds <= HTTP_BUCKETS[i]!) {
        s.buckets[i]!++;
        break;
      }
    }
  }

  counter() {
    const name = 'regate_http_requests_total';
    const help = 'HTTP requests answered, by route template, method and status';
    return {
      name,
      help,
      type: 'counter',
      get: () => ({ name, help, type: 'counter', aggregator: 'sum', values: [...this.series.values()].map((s) => ({ labels: s.labels, value: s.count })) }),
    };
  }

  histogram() {
    const name = 'regate_http_request_duration_seconds';
    const help = 'Time from the request reaching ReGate to its response being ready, by route template, method and status';
    return {
      name,
      help,
      type: 'histogram',
      get: () => {
        const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
        for (const s of this.series.values()) {
          let cumulative = 0;
          HTTP_BUCKETS.forEach((le, i) => {
            cumulative += s.buckets[i]!;
            values.push({ labels: { ...s.labels, le }, value: cumulative, metricName: `${name}_bucket` });
          });
          values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${name}_bucket` });
          values.push({ labels: s.labels, value: s.sum, metricName: `${name}_sum` });
          values.push({ labels: s.labels, value: s.count, metricName: `${name}_count` });
        }
        return { name, help, type: 'histogram', aggregator: 'sum', values };
      },
    };
  }
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  return new Metrics(opts);
}

/**
 * The entity set or function a 1C URL addresses, as a bounded label: `Catalog_Номенклатура`,
 * `AccumulationRegister_ТоварыНаСкладах/Balance`, `$metadata`. Keys `(guid'…')` and the query are dropped, so the
 * label has one value per set, never one per row.
 */
export function targetOf(url: string): string {
  const at = url.indexOf('.odata/');
  if (at < 0) return 'other';
  let path = url.slice(at + 7);
  const q = path.indexOf('?');
  if (q >= 0) path = path.slice(0, q);
  try {
    path = decodeURIComponent(path);
  } catch {
    // leave it encoded
  }
  path = path.replace(/\([^)]*\)/g, '');
  return path.slice(0, 100) || 'root';
}
