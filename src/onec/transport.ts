import pLimit, { type LimitFunction } from 'p-limit';
import { Agent, request, type Dispatcher } from 'undici';
import { errorFromNetwork, errorFromResponse, isHtml, ODataError, ODataUnavailable } from './errors.js';
import { redactUrl } from './url.js';

/**
 * HTTP to 1C. One client = one concurrency limit (onec.sessions): every request of the instance waits for a
 * slot, because each concurrent request holds a 1C session from the publication's pool (default.vrd poolSize).
 * Reads (GET) are retried on 502/503/504 and connection errors with jittered capped exponential backoff;
 * writes never are: a POST whose answer was lost may already have been applied in 1C.
 */

export interface TransportOptions {
  user: string;
  password: string;
  sessions: number;
  timeoutMs: number;
  readRetries: number;
  maxUrlLength: number;
  /** First retry delay (ms); doubles per attempt, capped by retryMaxMs, full jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** For tests or a shared pool; by default a keep-alive Agent of `sessions` connections per origin. */
  dispatcher?: Dispatcher;
  /** Random source for the jitter (tests). */
  random?: () => number;
  /** Told about every HTTP attempt once it ends (metrics); must not throw, and should be cheap. */
  observer?: TransportObserver;
}

/** One HTTP attempt to 1C, as metrics see it: retries are separate attempts. */
export interface TransportAttempt {
  method: string;
  /** HTTP status, or 'network' when no answer came (refused, reset, timed out, aborted). */
  status: number | 'network';
  ms: number;
  /** The URL with credentials removed; the observer picks what it labels by (the entity set, not the query). */
  url: string;
}
export type TransportObserver = (attempt: TransportAttempt) => void;

export interface TransportStats {
  /** HTTP attempts sent (retries included). */
  total: number;
  /** By HTTP status, 'network' for attempts that got no answer. */
  byStatus: Record<string, number>;
  retries: number;
  /** By method. */
  byMethod: Record<string, number>;
  /** The most attempts in flight at once (1C sessions held together), since the last reset. */
  peakActive: number;
}

export interface RequestInit {
  body?: unknown;
  headers?: Record<string, string>;
  /** What to Accept; JSON unless told. */
  accept?: string;
  /** Statuses that are success (default: any 2xx). */
  ok?: (status: number) => boolean;
  /** This request's deadline instead of onec.timeoutMs (a cold Balance can take 20 s). */
  timeoutMs?: number;
  /** The caller's cancellation (e.g. the outbox aborting a hung job): rejects with its reason, no retry. */
  signal?: AbortSignal;
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  url: string;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', stop);
      resolve();
    }
    function stop() {
      clearTimeout(t);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', stop, { once: true });
  });

export function basicAuth(user: string, password: string): string {
  // UTF-8, not latin1: IIS answered 401.5 to a Cyrillic login sent in cp1251 (probe P4).
  return 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

export class Transport {
  readonly stats: TransportStats = { total: 0, byStatus: {}, retries: 0, byMethod: {}, peakActive: 0 };
  private readonly limit: LimitFunction;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly auth: string;
  private readonly random: () => number;

  constructor(private readonly opts: TransportOptions) {
    this.limit = pLimit(opts.sessions);
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher =
      opts.dispatcher ??
      new Agent({
        // Twice the sessions: a request given the slot of one that just finished finds a socket free at once
        // instead of waiting for undici to hand that one back. Concurrency in 1C is still `sessions` (the limit
        // above); an idle keep-alive socket holds no 1C session (the publication's pool serves requests, not
        // connections).
        connections: opts.sessions * 2,
        // Idle sockets are dropped after 30 s when the server gives no Keep-Alive hint (IIS keeps them 120 s);
        // Apache sends `timeout=5`, which undici honours. Reusing a socket the server already closed would fail a
        // POST that never reached 1C — and writes are not retried.
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        // The per-request AbortSignal enforces onec.timeoutMs; undici's own timers must not fire first.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    this.auth = basicAuth(opts.user, opts.password);
    this.random = opts.random ?? Math.random;
  }

  /** Requests waiting for a session slot right now. */
  get pending(): number {
    return this.limit.pendingCount;
  }
  get active(): number {
    return this.limit.activeCount;
  }

  resetStats(): void {
    this.stats.total = 0;
    this.stats.retries = 0;
    this.stats.byStatus = {};
    this.stats.byMethod = {};
    this.stats.peakActive = 0;
  }

  async request(method: string, url: string, init: RequestInit = {}): Promise<Response> {
    const retries = method === 'GET' ? this.opts.readRetries : 0;
    for (let attempt = 0; ; attempt++) {
      init.signal?.throwIfAborted();
      try {
        // Each attempt takes its own slot, so a backoff sleep does not hold a 1C session.
        const res = await this.limit(() => {
          init.signal?.throwIfAborted();
          if (this.limit.activeCount > this.stats.peakActive) this.stats.peakActive = this.limit.activeCount;
          return this.once(method, url, init);
        });
        // The slot is free now and the next request waiting for it is on its way to 1C: let it be written before the
        // caller's own work on this answer (parsing, the next step, a commit) takes the event loop. Without this
        // turn, a request dispatched behind a busy loop waited 3-9 ms for its headers to be written in one case of
        // ten, with 1C's session idle meanwhile (undici's request:create → client:sendHeaders, booking bench
        // 2026-12-03): with it, and the spare connections below, p90 0.3-2.8 ms instead of 3-9 ms.
        await new Promise((r) => setImmediate(r));
        return res;
      } catch (e) {
        if (!(e instanceof ODataUnavailable) || attempt >= retries || init.signal?.aborted) throw e;
        this.stats.retries++;
        await sleep(this.backoff(attempt, e), init.signal);
      }
    }
  }

  private backoff(attempt: number, e: ODataUnavailable & { retryAfterMs?: number }): number {
    const base = this.opts.retryBaseMs ?? 250;
    const max = this.opts.retryMaxMs ?? 10_000;
    const cap = Math.min(max, base * 2 ** attempt);
    const jittered = cap / 2 + (this.random() * cap) / 2;
    return Math.min(max, Math.max(jittered, e.retryAfterMs ?? 0));
  }

  private async once(method: string, url: string, init: RequestInit): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: this.auth,
      accept: init.accept ?? 'application/json',
      'accept-charset': 'utf-8',
      ...init.headers,
    };
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json;charset=utf-8';
    } else if (method !== 'GET' && method !== 'HEAD') {
      // IIS answers 411 to a bodyless POST without Content-Length (DIALECT.md).
      body = '';
      headers['content-length'] = '0';
    }
    this.stats.total++;
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
    const deadline = AbortSignal.timeout(init.timeoutMs ?? this.opts.timeoutMs);
    const signal = init.signal ? AbortSignal.any([deadline, init.signal]) : deadline;
    let status: number;
    let text: string;
    let resHeaders: Response['headers'];
    const started = performance.now();
    try {
      const res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, signal, dispatcher: this.dispatcher });
      status = res.statusCode;
      resHeaders = res.headers;
      text = await res.body.text();
    } catch (e) {
      this.count('network');
      this.observe(method, 'network', started, url);
      // The caller's own abort is theirs to recognise (its reason, usually an AbortError), not a 1C failure.
      if (init.signal?.aborted) throw init.signal.reason;
      throw errorFromNetwork(e, method, url, deadline.aborted);
    }
    this.count(String(status));
    this.observe(method, status, started, url);
    const contentType = String(resHeaders['content-type'] ?? '');
    const ok = init.ok ? init.ok(status) : status >= 200 && status < 300;
    const html = !/html/i.test(init.accept ?? '') && isHtml(text, contentType);
    if (!ok || html) {
      const err = errorFromResponse({ status, body: text, contentType, method, url, maxUrlLength: this.opts.maxUrlLength });
      const ra = resHeaders['retry-after'];
      if (err instanceof ODataUnavailable && typeof ra === 'string' && /^\d+$/.test(ra)) {
        (err as ODataUnavailable & { retryAfterMs?: number }).retryAfterMs = Number(ra) * 1000;
      }
      throw err;
    }
    return { status, headers: resHeaders, text, url: redactUrl(url) };
  }

  private observe(method: string, status: number | 'network', started: number, url: string): void {
    const observer = this.opts.observer;
    if (!observer) return;
    try {
      observer({ method, status, ms: performance.now() - started, url: redactUrl(url) });
    } catch {
      // A metrics bug must not turn into a failed 1C call.
    }
  }

  private count(status: string): void {
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

export { ODataError };
