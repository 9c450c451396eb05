import { XMLParser } from 'fast-xml-parser';
import { decodeUrlText } from '../log.js';
import { redactUrl } from './url.js';

/**
 * Typed errors of the 1C OData interface. 1C's body: {"odata.error":{"code":"9","message":{"lang":"ru","value":"…"}}}
 * (code is a STRING) or, without $format=json, Atom XML <m:error><m:code>9</m:code><m:message>…</m:message></m:error>.
 * Codes (vendor guide 17.4.10): 6 segment not found, 9 entity not found, 13 tabular rows directly, 14 option parse
 * error (also `in`), 15 duplicate key, 19 method forbidden, 20 rights, 21 function call; -1 + HTTP 500 = a
 * business handler refused (ПриЗаписи, ОбработкаПроведения) or an internal error.
 */

export interface ODataErrorInit {
  status: number;
  code?: string;
  /** 1C's own text (Russian), or what went wrong on the wire. */
  message: string;
  method: string;
  url: string;
  cause?: unknown;
}

export class ODataError extends Error {
  override name = 'ODataError';
  readonly status: number;
  readonly code: string | undefined;
  /** 1C's text alone, without the method/URL prefix of `message`. */
  readonly detail: string;
  readonly method: string;
  /** Without credentials. */
  readonly url: string;
  /** Whether the same request may succeed later (used by read retries and by the outbox). */
  readonly transient: boolean = false;

  constructor(init: ODataErrorInit) {
    // Russian for the administrator (CLI, outbox list, console), the URL readable (Cyrillic decoded, src/log.ts).
    const url = decodeUrlText(redactUrl(init.url));
    const code = init.code !== undefined ? ` [код ${init.code}]` : '';
    const status = init.status ? `HTTP ${init.status}` : 'нет ответа';
    super(`${init.method} ${url}: ${status}${code}: ${init.message}`, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.detail = init.message;
    this.method = init.method;
    this.url = url;
  }
}

/** 404, or code 9 (no entity with that key) / code 6 (path segment — set, field, function — not found). */
export class ODataNotFound extends ODataError {
  override name = 'ODataNotFound';
  /** 'entity' = nothing under that key; 'segment' = a name in the URL does not exist (set, field, function). */
  get what(): 'entity' | 'segment' {
    return this.code === '6' ? 'segment' : 'entity';
  }
}
/** 403, or code 20. */
export class ODataRights extends ODataError {
  override name = 'ODataRights';
}
/** 400 and other 4xx/501: the request itself is wrong (code 14 for a $filter parse error or `in`, 15 duplicate). */
export class ODataBadRequest extends ODataError {
  override name = 'ODataBadRequest';
}
/** 500 (code -1): a configuration handler refused, or 1C failed internally. Not transient: retrying repeats it. */
export class ODataBusinessError extends ODataError {
  override name = 'ODataBusinessError';
}
/** 502/503/504 or no connection (refused, reset): 1C or its web server is down or overloaded. */
export class ODataUnavailable extends ODataError {
  override name = 'ODataUnavailable';
  override readonly transient = true;
}
/** No answer within onec.timeoutMs. Transient, but a write may still have been applied. */
export class ODataTimeout extends ODataError {
  override name = 'ODataTimeout';
  override readonly transient = true;
}
/** 401: wrong login or password (a Cyrillic login must be sent as UTF-8). */
export class ODataAuth extends ODataError {
  override name = 'ODataAuth';
}
/** An HTML page instead of OData: a web-server error page (IIS over its URL limit answers an HTML 404). */
export class HtmlErrorPage extends ODataError {
  override name = 'HtmlErrorPage';
  constructor(
    init: ODataErrorInit,
    readonly urlTooLong: boolean,
  ) {
    super(init);
  }
}
/** Paging got the same page twice: the order is not stable or 1C ignored $skip; stopping beats looping forever. */
export class ODataRepeatedPage extends ODataError {
  override name = 'ODataRepeatedPage';
}
/** The answer is not what the protocol promises (unparseable JSON, no `value`). */
export class ODataProtocolError extends ODataError {
  override name = 'ODataProtocolError';
}

/** Nothing exists under that key (code 9 / 404) — as opposed to a misspelt set or field name (code 6). */
export function isEntityNotFound(e: unknown): e is ODataNotFound {
  return e instanceof ODataNotFound && e.what === 'entity';
}

export interface ParsedODataError {
  code?: string;
  message: string;
  lang?: string;
}

const xml = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, trimValues: true });

function textOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (typeof v === 'object' && '#text' in (v as object)) return String((v as Record<string, unknown>)['#text']);
  return undefined;
}

/** The 1C error inside a body (JSON or Atom XML), or undefined when the body is not an OData error. */
export function parseODataError(body: string): ParsedODataError | undefined {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      const e = (j['odata.error'] ?? j.error) as Record<string, unknown> | undefined;
      if (!e || typeof e !== 'object') return undefined;
      const m = e.message;
      const code = e.code === undefined || e.code === null ? undefined : String(e.code);
      if (m && typeof m === 'object') {
        const mm = m as Record<string, unknown>;
        return { code, message: String(mm.value ?? ''), lang: mm.lang === undefined ? undefined : String(mm.lang) };
      }
      return { code, message: m === undefined ? '' : String(m) };
    } catch {
      return undefined;
    }
  }
  if (text.startsWith('<') && /<(\w+:)?error[\s>]/.test(text) && !isHtml(text)) {
    try {
      const doc = xml.parse(text) as Record<string, unknown>;
      const e = doc.error as Record<string, unknown> | undefined;
      if (!e) return undefined;
      return { code: textOf(e.code), message: textOf(e.message) ?? '' };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function isHtml(body: string, contentType = ''): boolean {
  if (/text\/html/i.test(contentType)) return true;
  return /^\s*(<!doctype html|<html[\s>])/i.test(body);
}

function htmlTitle(body: string): string {
  const m = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body) ?? /<h[12][^>]*>([\s\S]*?)<\/h[12]>/i.exec(body);
  return (m?.[1] ?? '').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim().slice(0, 200);
}

export interface ResponseInfo {
  status: number;
  body: string;
  contentType?: string;
  method: string;
  url: string;
  maxUrlLength?: number;
}

/** The typed error for a non-2xx answer (or a 2xx HTML page where OData was expected). */
export function errorFromResponse(r: ResponseInfo): ODataError {
  const base = { status: r.status, method: r.method, url: r.url };
  if (isHtml(r.body, r.contentType)) {
    const tooLong = r.maxUrlLength !== undefined && r.url.length > r.maxUrlLength;
    const title = htmlTitle(r.body) || 'HTML-страница';
    const message = tooLong
      ? `слишком длинный URL? ${r.url.length} символов больше onec.maxUrlLength ${r.maxUrlLength}; веб-сервер ответил HTML-страницей (${title})`
      : `веб-сервер ответил HTML-страницей вместо OData (${title})`;
    return new HtmlErrorPage({ ...base, message }, tooLong);
  }
  const parsed = parseODataError(r.body);
  const init: ODataErrorInit = {
    ...base,
    code: parsed?.code,
    message: parsed?.message || r.body.trim().slice(0, 300) || `HTTP ${r.status}`,
  };
  const code = parsed?.code;
  if (r.status === 401) return new ODataAuth(init);
  if (r.status === 403 || code === '20') return new ODataRights(init);
  if (r.status === 502 || r.status === 503 || r.status === 504) return new ODataUnavailable(init);
  if (r.status === 404 || code === '9' || code === '6') return new ODataNotFound(init);
  if (r.status === 500) return new ODataBusinessError(init);
  if (r.status >= 400 && r.status < 600) return new ODataBadRequest(init);
  return new ODataProtocolError(init);
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function codesOf(err: unknown): string[] {
  const out: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') out.push(c);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/** A thrown network error → ODataUnavailable / ODataTimeout (or the error itself wrapped as ODataError). */
export function errorFromNetwork(err: unknown, method: string, url: string, timedOut: boolean): ODataError {
  const codes = codesOf(err);
  const name = (err as { name?: string })?.name;
  const msg = (err as { message?: string })?.message ?? String(err);
  if (timedOut || name === 'TimeoutError' || codes.includes('UND_ERR_HEADERS_TIMEOUT') || codes.includes('UND_ERR_BODY_TIMEOUT')) {
    return new ODataTimeout({ status: 0, method, url, message: 'нет ответа за отведённое время (onec.timeoutMs)', cause: err });
  }
  if (codes.some((c) => CONNECTION_CODES.has(c))) {
    return new ODataUnavailable({ status: 0, method, url, message: `нет соединения (${codes[0]}): ${msg}`, cause: err });
  }
  return new ODataError({ status: 0, method, url, message: msg, cause: err });
}
