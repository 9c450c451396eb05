import type { Config } from '../config/index.js';
import { HtmlErrorPage, isHtml, ODataProtocolError } from './errors.js';
import { renderFilter, splitKeyFilter, type Filter } from './filter.js';
import { ODataMetadata, parseMetadata } from './metadata.js';
import { pages } from './paging.js';
import { assertTimeZone } from './time.js';
import { Transport, type TransportObserver, type TransportStats } from './transport.js';
import { splitBaseUrl, UrlBuilder, type EntityKey, type LiteralValue, type QueryOptions, type VirtualParams } from './url.js';
import { normaliseRow, toWire, type FieldTypes, type Row } from './values.js';

export interface ODataClientOptions {
  /** …/odata/standard.odata */
  url: string;
  user?: string;
  password?: string;
  /** Concurrent requests (= 1C sessions) for this client; default 4. */
  sessions?: number;
  timeoutMs?: number;
  readRetries?: number;
  maxUrlLength?: number;
  /** IANA zone of the 1C server's wall clock; default Europe/Moscow. */
  timezone?: string;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Told about every HTTP attempt (metrics: latency and errors by method and status). */
  observer?: TransportObserver;
}

/** Read options: like QueryOptions, but $filter may be a builder Filter and $select/$orderby lists. */
export interface ReadOptions {
  select?: string | string[];
  expand?: string | string[];
  filter?: Filter | string;
  orderby?: string | string[];
  top?: number;
  skip?: number;
  /** allowedOnly=true on collections (default true): rows hidden by RLS are skipped instead of a code-20 error. */
  allowedOnly?: boolean;
  /** Return rows as 1C sent them (no number/date/null normalisation). */
  raw?: boolean;
  /** This call's deadline instead of onec.timeoutMs. */
  timeoutMs?: number;
  /** Cancels the call (rejects with the signal's reason; no further retries). */
  signal?: AbortSignal;
}

/** Per-call controls every method accepts. */
export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface StreamOptions extends Omit<ReadOptions, 'top' | 'skip' | 'orderby'> {
  /** Rows per request; default 1000 (config sync.pageSize). */
  pageSize?: number;
  /** Key fields the pages are ordered by; default ['Ref_Key']. Must identify a row, or pages overlap. */
  keyFields?: string[];
}

export interface WriteOptions extends CallOptions {
  /** Header 1C_OData-DataLoadMode: true (ОбменДанными.Загрузка: handlers and checks skipped). */
  dataLoadMode?: boolean;
  /** Leave LineNumber as given (default: renumber 1..n). */
  keepLineNumbers?: boolean;
  /**
   * DataVersion read before the change: sent as If-Match, so a base that honours it answers 412 instead of
   * overwriting a concurrent edit (vendor guide 17.4 «оптимистическая блокировка»; DIALECT.md: live bases were seen
   * applying stale writes anyway, so this narrows the risk, it does not remove it).
   */
  ifMatch?: string;
}

export interface BalanceParams {
  period?: Date;
  condition?: Filter | string;
  dimensions?: string[];
  /**
   * Accounting registers only (AccountingRegister_X/Balance): the accounts to sum (`Account_Key eq guid'…'`, or-ed)
   * and the subconto kinds (ВидыСубконто… refs) whose values ExtDimension1..N then hold, in that order. Vendor
   * chapter 17.4 (Balance of an accounting register: Period, AccountCondition, Condition, ExtraDimensions).
   */
  accountCondition?: Filter | string;
  extraDimensions?: string[];
}
export interface TurnoversParams {
  start?: Date;
  end?: Date;
  condition?: Filter | string;
  dimensions?: string[];
}
export interface SliceParams {
  period?: Date;
  condition?: Filter | string;
  /** Append `_RecordType` to the register name (recorder-subordinate registers). */
  recordType?: boolean;
}

export type VirtualReadOptions = Omit<ReadOptions, 'allowedOnly' | 'skip'>;

export interface ClientStats extends TransportStats {}

/**
 * The typed client of the 1C standard OData interface. One instance holds one connection pool and one
 * concurrency limit (onec.sessions) for everything it does. Rows come back normalised (values.ts): numbers for
 * Edm.Int64, Dates for 1C dates (read in `timezone`), null for empty dates/refs/Undefined. Once metadata() has
 * been read, its types drive that normalisation; it is never fetched implicitly (a УТ 11 $metadata is ~17 MB, 23 s).
 */
export class ODataClient {
  readonly urls: UrlBuilder;
  readonly timezone: string;
  readonly maxUrlLength: number;
  private readonly transport: Transport;
  private md?: ODataMetadata;

  constructor(opts: ODataClientOptions) {
    const { base, user, password } = splitBaseUrl(opts.url);
    this.timezone = opts.timezone ?? 'Europe/Moscow';
    assertTimeZone(this.timezone);
    this.urls = new UrlBuilder(base, this.timezone);
    this.maxUrlLength = opts.maxUrlLength ?? 2000;
    this.transport = new Transport({
      user: opts.user ?? user ?? '',
      password: opts.password ?? password ?? '',
      sessions: opts.sessions ?? 4,
      timeoutMs: opts.timeoutMs ?? 60_000,
      readRetries: opts.readRetries ?? 3,
      maxUrlLength: this.maxUrlLength,
      retryBaseMs: opts.retryBaseMs,
      retryMaxMs: opts.retryMaxMs,
      observer: opts.observer,
    });
  }

  static fromConfig(onec: Config['onec']): ODataClient {
    return new ODataClient(onec);
  }

  /** Requests sent (retries included), by status and method, and retries. */
  get stats(): ClientStats {
    return this.transport.stats;
  }
  resetStats(): void {
    this.transport.resetStats();
  }
  close(): Promise<void> {
    return this.transport.close();
  }

  // ---- reading ----------------------------------------------------------------------------------------------

  private query(o: ReadOptions, collection: boolean): QueryOptions {
    return {
      select: o.select,
      expand: o.expand,
      filter: o.filter === undefined ? undefined : renderFilter(o.filter, this),
      orderby: o.orderby,
      top: o.top,
      skip: o.skip,
      allowedOnly: collection ? o.allowedOnly !== false : undefined,
    };
  }

  private async getJson(url: string, c: CallOptions = {}): Promise<Record<string, unknown>> {
    const res = await this.transport.request('GET', url, { timeoutMs: c.timeoutMs, signal: c.signal });
    return this.json(res.text, 'GET', url, res.status);
  }

  private json(text: string, method: string, url: string, status: number): Record<string, unknown> {
    try {
      const j = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
      if (j && typeof j === 'object' && !Array.isArray(j)) return j as Record<string, unknown>;
    } catch {
      if (isHtml(text)) throw new HtmlErrorPage({ status, method, url, message: 'HTML-страница вместо OData JSON' }, false);
    }
    throw new ODataProtocolError({ status, method, url, message: `not an OData JSON object: ${text.slice(0, 120)}` });
  }

  private rows(j: Record<string, unknown>, url: string, types: FieldTypes | undefined, raw?: boolean): Row[] {
    if (!Array.isArray(j.value)) {
      throw new ODataProtocolError({ status: 200, method: 'GET', url, message: 'answer has no "value" array' });
    }
    return raw ? (j.value as Row[]) : (j.value as Row[]).map((r) => normaliseRow(r, { timezone: this.timezone, types }));
  }

  private types(setOrType: string | undefined): FieldTypes | undefined {
    return setOrType && this.md ? this.md.fieldTypes(setOrType) : undefined;
  }

  /** GET a collection: one request, rows normalised. */
  async list(set: string, o: ReadOptions = {}): Promise<Row[]> {
    const url = this.urls.collection(set, this.query(o, true));
    return this.rows(await this.getJson(url, o), url, this.types(set), o.raw);
  }

  /** GET a collection with $inlinecount=allpages (1C then ignores $top/$skip; the count arrives as a string). */
  async listCounted(set: string, o: ReadOptions = {}): Promise<{ rows: Row[]; count: number }> {
    const url = this.urls.collection(set, { ...this.query(o, true), inlinecount: true });
    const j = await this.getJson(url, o);
    return { rows: this.rows(j, url, this.types(set), o.raw), count: Number(j['odata.count']) };
  }

  /** GET one entity by key; ODataNotFound (what='entity') when there is none. */
  async get(set: string, key: EntityKey, o: Pick<ReadOptions, 'select' | 'expand' | 'raw'> & CallOptions = {}): Promise<Row> {
    const url = this.urls.entity(set, key, this.query(o, false));
    const j = await this.getJson(url, o);
    return o.raw ? j : normaliseRow(j, { timezone: this.timezone, types: this.types(set) });
  }

  /** GET Set/$count: a plain number. */
  async count(set: string, o: Pick<ReadOptions, 'filter' | 'allowedOnly'> & CallOptions = {}): Promise<number> {
    const url = this.urls.count(set, this.query(o, true));
    const res = await this.transport.request('GET', url, { accept: 'text/plain, application/json', timeoutMs: o.timeoutMs, signal: o.signal });
    const n = Number(res.text.replace(/^\uFEFF/, '').trim().replace(/^"|"$/g, ''));
    if (!Number.isInteger(n)) throw new ODataProtocolError({ status: res.status, method: 'GET', url, message: `$count is not a number: ${res.text.slice(0, 80)}` });
    return n;
  }

  /** A whole set as key-ordered pages ($orderby key, $top, $skip): `for await (const page of client.stream(set))`. */
  stream(set: string, o: StreamOptions = {}): AsyncGenerator<Row[], void, undefined> {
    const keyFields = o.keyFields ?? ['Ref_Key'];
    const base = this.query(o, true);
    const urlOf = (p: { top: number; skip: number }) => this.urls.collection(set, { ...base, orderby: keyFields, top: p.top, skip: p.skip });
    const types = this.types(set);
    return pages(
      async (p) => {
        const url = urlOf(p);
        return this.rows(await this.getJson(url, o), url, types, o.raw);
      },
      { pageSize: o.pageSize ?? 1000, keyFields, urlOf },
    );
  }

  /** Every row of a stream in one array (for small sets). */
  async all(set: string, o: StreamOptions = {}): Promise<Row[]> {
    const out: Row[] = [];
    for await (const page of this.stream(set, o)) out.push(...page);
    return out;
  }

  /**
   * Rows whose `field` is one of `keys`: `field eq k1 or field eq k2 …` (1C has no `in`), split into as many
   * requests as keep each URL within maxUrlLength. `o.filter` is and-ed to every chunk. Requests run in
   * parallel under the session limit; rows keep chunk order.
   */
  async listByKeys(set: string, field: string, keys: LiteralValue[], o: Omit<ReadOptions, 'top' | 'skip'> = {}): Promise<Row[]> {
    if (keys.length === 0) return [];
    const chunks = this.keyFilters(set, field, keys, o);
    const results = await Promise.all(chunks.map((filter) => this.list(set, { ...o, filter })));
    return results.flat();
  }

  /** The filters listByKeys would send (exposed for callers that page or count per chunk). */
  keyFilters(set: string, field: string, keys: LiteralValue[], o: Omit<ReadOptions, 'top' | 'skip'> = {}): Filter[] {
    const extra = typeof o.filter === 'string' ? ({ kind: 'raw', text: o.filter } as Filter) : o.filter;
    const urlLength = (filter: Filter) => this.urls.collection(set, this.query({ ...o, filter }, true)).length;
    return splitKeyFilter(field, keys, urlLength, this.maxUrlLength, extra);
  }

  // ---- virtual tables ---------------------------------------------------------------------------------------

  /**
   * The URL balance() / sliceLast() / sliceFirst() would send: the Condition sits in the path, so a long key list
   * can outgrow maxUrlLength (onec/read.ts splits it by this).
   */
  virtualUrl(fn: 'Balance' | 'SliceLast' | 'SliceFirst', register: string, p: BalanceParams & SliceParams = {}, o: VirtualReadOptions = {}): string {
    if (fn === 'Balance') return this.urls.virtual(register, fn, this.balanceParams(p), this.query(o, false));
    return this.urls.virtual(this.sliceSet(register, p), fn, { Period: p.period, Condition: this.cond(p.condition) }, this.query(o, false));
  }

  private async virtual(set: string, fn: string, params: VirtualParams, o: VirtualReadOptions): Promise<Row[]> {
    const url = this.urls.virtual(set, fn, params, this.query(o, false));
    const resultType = this.md?.functionResultType(set, fn);
    return this.rows(await this.getJson(url, o), url, this.types(resultType), o.raw);
  }

  private cond(c: Filter | string | undefined): string | undefined {
    return c === undefined ? undefined : renderFilter(c, this);
  }

  /** AccumulationRegister_X/Balance(Period=…,Condition='…',Dimensions='…'): rows of dimensions + `<Resource>Balance`. */
  balance(register: string, p: BalanceParams = {}, o: VirtualReadOptions = {}): Promise<Row[]> {
    return this.virtual(register, 'Balance', this.balanceParams(p), o);
  }

  private balanceParams(p: BalanceParams): VirtualParams {
    // An accounting register's Balance takes no Dimensions; its parameters in the vendor chapter's order.
    if (p.accountCondition !== undefined || p.extraDimensions !== undefined) {
      return { Period: p.period, AccountCondition: this.cond(p.accountCondition), Condition: this.cond(p.condition), ExtraDimensions: p.extraDimensions?.join(',') };
    }
    return { Period: p.period, Condition: this.cond(p.condition), Dimensions: p.dimensions?.join(',') };
  }

  turnovers(register: string, p: TurnoversParams = {}, o: VirtualReadOptions = {}): Promise<Row[]> {
    return this.virtual(
      register,
      'Turnovers',
      { StartPeriod: p.start, EndPeriod: p.end, Condition: this.cond(p.condition), Dimensions: p.dimensions?.join(',') },
      o,
    );
  }

  balanceAndTurnovers(register: string, p: TurnoversParams = {}, o: VirtualReadOptions = {}): Promise<Row[]> {
    return this.virtual(
      register,
      'BalanceAndTurnovers',
      { StartPeriod: p.start, EndPeriod: p.end, Condition: this.cond(p.condition), Dimensions: p.dimensions?.join(',') },
      o,
    );
  }

  private sliceSet(register: string, p: SliceParams): string {
    return p.recordType && !register.endsWith('_RecordType') ? `${register}_RecordType` : register;
  }

  private slice(fn: 'SliceLast' | 'SliceFirst', register: string, p: SliceParams, o: VirtualReadOptions): Promise<Row[]> {
    return this.virtual(this.sliceSet(register, p), fn, { Period: p.period, Condition: this.cond(p.condition) }, o);
  }

  /** InformationRegister_X/SliceLast(Period=…,Condition='…'); recordType: true for recorder-subordinate registers. */
  sliceLast(register: string, p: SliceParams = {}, o: VirtualReadOptions = {}): Promise<Row[]> {
    return this.slice('SliceLast', register, p, o);
  }

  sliceFirst(register: string, p: SliceParams = {}, o: VirtualReadOptions = {}): Promise<Row[]> {
    return this.slice('SliceFirst', register, p, o);
  }

  // ---- writing (never retried) ------------------------------------------------------------------------------

  private writeHeaders(o: WriteOptions): Record<string, string> {
    const h: Record<string, string> = o.dataLoadMode ? { '1C_OData-DataLoadMode': 'true' } : {};
    if (o.ifMatch) h['If-Match'] = o.ifMatch;
    return h;
  }

  private async write(method: string, url: string, body: Row | undefined, o: WriteOptions, entityOf?: string): Promise<Row | undefined> {
    const res = await this.transport.request(method, url, {
      body: body === undefined ? undefined : toWire(body, { timezone: this.timezone, renumber: !o.keepLineNumbers }),
      headers: this.writeHeaders(o),
      timeoutMs: o.timeoutMs,
      signal: o.signal,
    });
    if (entityOf === undefined || res.text.trim() === '') return undefined;
    return normaliseRow(this.json(res.text, method, url, res.status), { timezone: this.timezone, types: this.types(entityOf) });
  }

  /** POST Set → 201 with the whole entity (Ref_Key, DataVersion, assigned Code/Number). Independent registers answer 200. */
  async create(set: string, body: Row, o: WriteOptions = {}): Promise<Row> {
    const row = await this.write('POST', this.urls.collection(set), body, o, set);
    return row ?? {};
  }

  /** PATCH Set(key) → 200 with the whole entity. A tabular part in `patch` replaces the whole part in 1C. */
  async update(set: string, key: EntityKey, patch: Row, o: WriteOptions = {}): Promise<Row> {
    const row = await this.write('PATCH', this.urls.entity(set, key), patch, o, set);
    return row ?? {};
  }

  /** DELETE Set(key) → 204: physical deletion. Objects are normally only marked (setDeletionMark). */
  async delete(set: string, key: EntityKey, o: WriteOptions = {}): Promise<void> {
    await this.write('DELETE', this.urls.entity(set, key), undefined, o);
  }

  setDeletionMark(set: string, key: EntityKey, mark = true, o: WriteOptions = {}): Promise<Row> {
    return this.update(set, key, { DeletionMark: mark }, o);
  }

  /** POST Document_X(guid'…')/Post?PostingModeOperational=false (bodyless, Content-Length: 0). */
  async post(set: string, key: EntityKey, p: { operational?: boolean } & WriteOptions = {}): Promise<void> {
    await this.write('POST', this.urls.action(set, key, 'Post', { PostingModeOperational: p.operational ?? false }), undefined, p);
  }

  async unpost(set: string, key: EntityKey, o: WriteOptions = {}): Promise<void> {
    await this.write('POST', this.urls.action(set, key, 'Unpost'), undefined, o);
  }

  // ---- metadata ---------------------------------------------------------------------------------------------

  /** GET $metadata (XML), parsed and cached; from then on its types drive row normalisation. */
  async metadata(o: { refresh?: boolean } & CallOptions = {}): Promise<ODataMetadata> {
    if (this.md && !o.refresh) return this.md;
    const url = this.urls.metadata();
    const res = await this.transport.request('GET', url, { accept: 'application/xml', timeoutMs: o.timeoutMs, signal: o.signal });
    this.md = parseMetadata(res.text);
    return this.md;
  }

  /** Use metadata read elsewhere (a cached file), without a request. */
  useMetadata(md: ODataMetadata | undefined): void {
    this.md = md;
  }
}
