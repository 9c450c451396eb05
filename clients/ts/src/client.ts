import type * as T from './types.js';
import { OPERATIONS, type Operations } from './types.js';

/**
 * A thin client of the ReGate API over fetch: one method per operation, typed from the OpenAPI document
 * (types.ts is generated from it), errors as ReGateError with the server's code, fields and request id. No
 * dependencies: Node 18+, browsers, Deno, Bun.
 */
export interface ClientOptions {
  /** e.g. https://regate.example.ru (without /api/v1) */
  baseUrl: string;
  user: string;
  password: string;
  /** Another fetch (a proxy agent, a test double). */
  fetch?: typeof fetch;
}

/** An answer of the API that is not a success: the one error shape (RFC 9457-like) plus the HTTP details. */
export class ReGateError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: { field: string; message: string }[],
    readonly requestId: string,
    /** Seconds, for 429 and 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ReGateError';
  }
}

/** A conditional catalogue read: with the ETag of the last answer, an unchanged mirror answers 304 and no body. */
export interface Conditional<B> {
  notModified: boolean;
  etag: string | null;
  /** When the mirror's stock and prices were last taken from 1C. */
  mirrorTime: string | null;
  body: B | null;
}

type Args<K extends keyof Operations> = {
  path?: Partial<Record<string, string>>;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string | undefined>;
  body?: unknown;
};

export interface Answer<K extends keyof Operations> {
  status: number;
  headers: Headers;
  body: Operations[K]['responses'][keyof Operations[K]['responses']];
}

export class ReGateClient {
  private readonly base: string;
  private readonly auth: string;
  private readonly doFetch: typeof fetch;

  constructor(opts: ClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    // Basic credentials in UTF-8 (ReGate accepts Cyrillic logins): btoa takes Latin-1 only, so encode first.
    const bytes = new TextEncoder().encode(`${opts.user}:${opts.password}`);
    this.auth = `Basic ${btoa(String.fromCharCode(...bytes))}`;
    this.doFetch = opts.fetch ?? fetch;
  }

  /** Any operation by its operationId; answers other than 2xx/304 throw ReGateError. */
  async call<K extends keyof Operations>(op: K, args: Args<K> = {}): Promise<Answer<K>> {
    const { method, path } = OPERATIONS[op];
    const url = new URL(this.base + path.replace(/\{(\w+)\}/g, (_m, k: string) => encodeURIComponent(args.path?.[k] ?? '')));
    for (const [k, v] of Object.entries(args.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return this.send(method, url.toString(), args.body, args.headers);
  }

  /** Follows a `next` link of a list answer (relative to the server). */
  async follow<K extends keyof Operations>(next: string, _op?: K): Promise<Answer<K>> {
    return this.send('GET', new URL(next, this.base + '/').toString());
  }

  private async send<K extends keyof Operations>(method: string, url: string, body?: unknown, extra: Record<string, string | undefined> = {}): Promise<Answer<K>> {
    const headers: Record<string, string> = { Authorization: this.auth, Accept: 'application/json' };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) headers[k] = v;
    if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    const res = await this.doFetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const type = res.headers.get('content-type') ?? '';
    const parsed = res.status === 304 ? undefined : type.includes('json') ? await res.json() : await res.blob();
    if (res.status >= 400) {
      const e = (parsed as T.Error | undefined)?.error;
      const retry = res.headers.get('retry-after');
      throw new ReGateError(res.status, e?.code ?? 'http_error', e?.message ?? `HTTP ${res.status}`, e?.fields ?? [], e?.requestId ?? res.headers.get('x-request-id') ?? '', retry ? Number(retry) : undefined);
    }
    return { status: res.status, headers: res.headers, body: parsed as never };
  }

  private async conditional<K extends keyof Operations, B>(op: K, query: Args<K>['query'], etag?: string | null): Promise<Conditional<B>> {
    const a = await this.call(op, { query, headers: { 'If-None-Match': etag ?? undefined } });
    return { notModified: a.status === 304, etag: a.headers.get('etag'), mirrorTime: a.headers.get('x-mirror-time'), body: a.status === 304 ? null : (a.body as B) };
  }

  // ---- catalogue --------------------------------------------------------------------------------------------

  async state(): Promise<T.State> {
    return (await this.call('getState')).body as T.State;
  }
  async cities(): Promise<T.Cities> {
    return (await this.call('listCities')).body as T.Cities;
  }
  async stores(city: string): Promise<T.CityStores> {
    return (await this.call('listCityStores', { query: { city } })).body as T.CityStores;
  }
  async storeTable(store: string): Promise<T.StoreTable> {
    return (await this.call('getStoreTable', { query: { store } })).body as T.StoreTable;
  }
  /** One page; pass the previous answer's etag to get notModified instead of the same page again. */
  assortment(query: Operations['listAssortment']['query'], etag?: string | null): Promise<Conditional<T.Assortment>> {
    return this.conditional('listAssortment', query as Record<string, string | number | undefined>, etag);
  }
  /** Every item of a store (or a group, a search), page after page by `next`. */
  async *assortmentItems(query: Omit<Operations['listAssortment']['query'], 'after' | 'page'>): AsyncGenerator<T.AssortmentItem> {
    let page = (await this.call('listAssortment', { query: query as Record<string, string | number | undefined> })).body as T.Assortment;
    for (;;) {
      yield* page.items;
      if (!page.next) return;
      page = (await this.follow(page.next, 'listAssortment')).body as T.Assortment;
    }
  }
  async picture(id: string): Promise<Blob> {
    return (await this.call('getPicture', { path: { id } })).body as Blob;
  }

  // ---- clients and orders -----------------------------------------------------------------------------------

  /** 200 found, 201 created in 1C, 202 accepted (1C will create it). */
  async client(body: T.ClientRequest): Promise<{ status: number; body: T.ClientAnswer }> {
    const a = await this.call('findOrCreateClient', { body });
    return { status: a.status, body: a.body as T.ClientAnswer };
  }
  async updateClient(body: T.ClientUpdateRequest): Promise<T.ClientUpdateAnswer> {
    return (await this.call('updateClient', { body })).body as T.ClientUpdateAnswer;
  }
  /**
   * 201 created in 1C (number known), 202 accepted (number later, in bookingState). Repeating with the same orderId
   * and Idempotency-Key returns the same order: safe to retry after a timeout.
   */
  async booking(body: T.BookingRequest, idempotencyKey?: string): Promise<{ status: number; body: T.BookingAnswer }> {
    const a = await this.call('createBooking', { body, headers: { 'Idempotency-Key': idempotencyKey } });
    return { status: a.status, body: a.body as T.BookingAnswer };
  }
  async payCard(body: T.PayCardRequest): Promise<T.OrderBrief> {
    return (await this.call('recordCardPayment', { body })).body as T.OrderBrief;
  }
  async bookingState(orderId: string): Promise<T.OrderState> {
    return (await this.call('getBookingState', { query: { orderId } })).body as T.OrderState;
  }
  async refund(body: T.RefundRequest): Promise<T.OrderBrief> {
    return (await this.call('createRefund', { body })).body as T.OrderBrief;
  }

  /** Cancels an unpaid order (status 6; 1C closes it and releases the reserve); a paid one is a 409 refund_first. */
  async cancel(body: T.BookingCancelRequest): Promise<T.OrderBrief> {
    return (await this.call('cancelBooking', { body })).body as T.OrderBrief;
  }

  // ---- events -----------------------------------------------------------------------------------------------

  /** Events after `after` (the id of the last one you processed), oldest first. */
  async events(after?: string, limit?: number): Promise<T.OrderEvents> {
    return (await this.call('listEvents', { query: { after, limit } })).body as T.OrderEvents;
  }
  async unmatchedPayments(limit?: number, after?: number): Promise<T.UnmatchedPayments> {
    return (await this.call('listUnmatchedBankPayments', { query: { limit, after } })).body as T.UnmatchedPayments;
  }
}
