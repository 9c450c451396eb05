import { toNaive } from './time.js';

/**
 * URL building for the 1C standard OData interface. Facts behind the choices (shared/reference/onec-odata):
 * - `+` for a space was refused by a live base: spaces are always `%20`;
 * - Cyrillic set names and keys are percent-encoded UTF-8;
 * - literals: guid'…', datetime'yyyy-mm-ddThh:mm:ss' (no zone), '…' with '' doubling, true/false, numbers;
 * - every data request carries $format=json (without it 1C answers Atom XML).
 */

export const EMPTY_REF = '00000000-0000-0000-0000-000000000000';
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const BASE_SUFFIX = '/odata/standard.odata';

/** A literal already in OData text form (from guid(), datetime(), cast(), raw()). */
export class ODataLiteral {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type LiteralValue = string | number | boolean | Date | null | ODataLiteral;

export function guid(value: string): ODataLiteral {
  if (!GUID.test(value)) throw new TypeError(`not a GUID: ${JSON.stringify(value)}`);
  return new ODataLiteral(`guid'${value.toLowerCase()}'`);
}

/** datetime'…' as the wall clock of the base's zone. */
export function datetime(value: Date, timezone: string): ODataLiteral {
  return new ODataLiteral(`datetime'${toNaive(value, timezone)}'`);
}

/** cast(guid'…','Catalog_X'): the only way to compare a composite field with a reference (a bare guid matches nothing). */
export function cast(ref: string, setName: string): ODataLiteral {
  return new ODataLiteral(`cast(${guid(ref).text}, ${quote(setName)})`);
}

export function raw(text: string): ODataLiteral {
  return new ODataLiteral(text);
}

export function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`not a finite number: ${n}`);
  const s = String(n);
  // 1C's parser knows no exponent form; 1e-7 must go out as 0.0000001.
  if (!/e/i.test(s)) return s;
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/**
 * A JS value as an OData literal. `field` lets a plain GUID string bound for a reference field (`…_Key`,
 * `Ref_Key`, `Recorder_Key`) become guid'…' without ceremony; anywhere else a string is a string.
 */
export function literal(value: LiteralValue, timezone: string, field?: string): string {
  if (value instanceof ODataLiteral) return value.text;
  if (value === null) return 'null';
  if (value instanceof Date) return datetime(value, timezone).text;
  switch (typeof value) {
    case 'number':
      return numberLiteral(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      if (field && /(^|_)Key$/.test(field) && GUID.test(value)) return guid(value).text;
      return quote(value);
    default:
      throw new TypeError(`cannot write ${typeof value} as an OData literal`);
  }
}

/** An entity key: a GUID string (objects) or named fields (rows, register records). */
export type EntityKey = string | Record<string, LiteralValue>;

/** `(guid'…')`, `(Ref_Key=guid'…',LineNumber=1)`, `(Period=datetime'…',Валюта_Key=guid'…')`. */
export function keyText(key: EntityKey, timezone: string): string {
  if (typeof key === 'string') return `(${guid(key).text})`;
  const parts = Object.entries(key).map(([k, v]) => `${k}=${literal(v, timezone, k)}`);
  if (parts.length === 0) throw new TypeError('empty key');
  return `(${parts.join(',')})`;
}

// RFC 3986 unreserved plus sub-delims 1C reads literally. Everything else, Cyrillic included, is %XX of UTF-8.
const PATH_SAFE = /[A-Za-z0-9\-._~!$'()*,=:@]/;
// No `'` in queries: the WHATWG URL parser (undici) turns it into %27 in http(s) queries anyway, so we do it
// ourselves and the length we measure against maxUrlLength is the length that goes on the wire.
const QUERY_SAFE = /[A-Za-z0-9\-._~!$()*,:@/]/;

function encodeWith(text: string, safe: RegExp): string {
  let out = '';
  for (const ch of text) {
    if (ch.length === 1 && safe.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** One path segment: a set name, `Set(key)`, `Balance(Period=…,Condition='…')`. Never produces `+`. */
export const encodePath = (s: string) => encodeWith(s, PATH_SAFE);
/** A query-option value: spaces → %20, `&`, `+`, `#`, `=` and non-ASCII escaped. */
export const encodeQuery = (s: string) => encodeWith(s, QUERY_SAFE);

export interface QueryOptions {
  select?: string | string[];
  expand?: string | string[];
  /** Already-rendered $filter text (see filter.ts renderFilter). */
  filter?: string;
  orderby?: string | string[];
  top?: number;
  skip?: number;
  /** $inlinecount=allpages; 1C then ignores $top/$skip (vendor guide 17.4.6.2). */
  inlinecount?: boolean;
  /** allowedOnly=true: rows hidden by record-level security are skipped instead of failing with code 20. */
  allowedOnly?: boolean;
  /** $format=json (default true; $count and $metadata are not JSON). */
  json?: boolean;
  /** Extra query parameters, e.g. PostingModeOperational. */
  params?: Record<string, string | number | boolean>;
}

const list = (v: string | string[]) => (Array.isArray(v) ? v.join(',') : v);

function checkCount(name: string, n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new RangeError(`${name} must be a non-negative integer`);
}

export function queryString(q: QueryOptions = {}): string {
  checkCount('$top', q.top);
  checkCount('$skip', q.skip);
  const parts: string[] = [];
  const add = (k: string, v: string) => parts.push(`${k}=${encodeQuery(v)}`);
  if (q.select !== undefined && list(q.select) !== '') add('$select', list(q.select));
  if (q.expand !== undefined && list(q.expand) !== '') add('$expand', list(q.expand));
  if (q.filter) add('$filter', q.filter);
  if (q.orderby !== undefined && list(q.orderby) !== '') add('$orderby', list(q.orderby));
  if (q.top !== undefined) add('$top', String(q.top));
  if (q.skip) add('$skip', String(q.skip));
  if (q.inlinecount) add('$inlinecount', 'allpages');
  for (const [k, v] of Object.entries(q.params ?? {})) add(encodeQuery(k), String(v));
  if (q.json !== false) add('$format', 'json');
  if (q.allowedOnly) add('allowedOnly', 'true');
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Credentials never travel in the URL: strip userinfo and return it separately. */
export function splitBaseUrl(url: string): { base: string; user?: string; password?: string } {
  const u = new URL(url);
  const user = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  const base = u.toString().replace(/\/+$/, '');
  if (!base.endsWith(BASE_SUFFIX)) {
    throw new TypeError(`the 1C OData URL must end in ${BASE_SUFFIX} (got ${base})`);
  }
  return { base, user, password };
}

/** The URL with any user:password@ removed, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

export interface VirtualParams {
  [name: string]: LiteralValue | undefined;
}

/**
 * `Balance(Period=datetime'…',Condition='Склад_Key eq guid'…'',Dimensions='Номенклатура,Склад')`.
 * Condition/Dimensions go in single quotes WITHOUT doubling the inner ones: that is what live bases parse
 * (DIALECT.md, vendor guide 17.4 example `Condition='Валюта_Key eq guid'value''`).
 */
export function functionCall(name: string, params: VirtualParams, timezone: string): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if ((k === 'Condition' || k === 'Dimensions' || k === 'AccountCondition' || k === 'ExtraDimensions') && typeof v === 'string') {
      parts.push(`${k}='${v}'`);
    } else parts.push(`${k}=${literal(v, timezone, k)}`);
  }
  return `${name}(${parts.join(',')})`;
}

export class UrlBuilder {
  readonly base: string;
  constructor(
    base: string,
    readonly timezone: string,
  ) {
    this.base = splitBaseUrl(base).base;
  }

  /** base + '/' + encoded segments + query. Segments are given raw (Cyrillic, quotes) and encoded here. */
  build(segments: string[], q?: QueryOptions): string {
    return `${this.base}/${segments.map(encodePath).join('/')}${queryString(q)}`;
  }

  collection(set: string, q?: QueryOptions): string {
    return this.build([set], q);
  }

  entity(set: string, key: EntityKey, q?: QueryOptions): string {
    return this.build([set + keyText(key, this.timezone)], q);
  }

  count(set: string, q?: QueryOptions): string {
    return this.build([set, '$count'], { ...q, json: false });
  }

  virtual(set: string, fn: string, params: VirtualParams, q?: QueryOptions): string {
    return this.build([set, functionCall(fn, params, this.timezone)], q);
  }

  action(set: string, key: EntityKey, action: string, params?: Record<string, string | number | boolean>): string {
    return this.build([set + keyText(key, this.timezone), action], { params });
  }

  metadata(): string {
    return `${this.base}/$metadata`;
  }
}
