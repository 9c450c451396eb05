import { z } from '@hono/zod-openapi';
import { ErrorSchema } from '../errors.js';
// zod's own messages in Russian for every schema of the API (imported for its effect; see locale.ts).
import './locale.js';

/**
 * Patterns reach the OpenAPI document as text (zod-to-openapi copies `regex.source` and appended the flags as
 * `/i`, `/u`: issue 15), and Swagger UI (`new RegExp(p)`), Ajv (`new RegExp(p, 'u')`) and PHP generators
 * (`preg_match("/p/")`) all compile that text their own way. So: no flags, character classes spelled out
 * ([0-9a-fA-F] instead of /i, [0-9] instead of \d, which PCRE with UCP widens to other scripts' digits), nothing
 * but what ECMA-262 and PCRE read alike.
 */
export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A 1C reference (Ref_Key), the id of stores, groups and items in this API. */
export const RefId = (description: string, example = '5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b') =>
  z
    .string()
    .regex(GUID, 'ожидается GUID вида 5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b')
    // 1C's OData and the mirror spell GUIDs in lower case; the pattern takes either case, so the lookup must too
    // (an upper-case store id passed validation and then answered 404).
    .toLowerCase()
    .openapi({ description, example });

/**
 * Free text that reaches 1C (names, addresses, comments, ids of other systems), normalised or refused (issue
 * 13.5): NFC (a decomposed «й» is the same name), trimmed, and refused with a message naming the character when
 * it holds what 1C stores as garbage or shows misleadingly — NUL and other control characters (line breaks only
 * where the field is multi-line), bidi overrides and isolates (U+202A–202E, U+2066–2069, U+200E/200F, U+061C: they
 * make «Иванов» display as someone else), lone UTF-16 surrogates (not Unicode; SQLite stored them as invalid
 * UTF-8) — and a value of whitespace alone where a value is required.
 */
const CONTROL_LINE = /[\u0000-\u001F\u007F-\u009F]/u;
const CONTROL_MULTI = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
const SURROGATE = /\p{Cs}/u;
const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

export function textProblem(v: string, multiline = false): string | undefined {
  const control = (multiline ? CONTROL_MULTI : CONTROL_LINE).exec(v);
  if (control) return `управляющий символ ${codePoint(control[0])} недопустим${multiline ? ' (разрешены только перевод строки и табуляция)' : ''}: уберите его`;
  const bidi = BIDI.exec(v);
  if (bidi) return `символ управления направлением текста ${codePoint(bidi[0])} недопустим: уберите его`;
  const lone = SURROGATE.exec(v);
  if (lone) return `непарный суррогат ${codePoint(lone[0])}: строка не является корректным текстом Unicode (проверьте кодировку)`;
  return undefined;
}

export const text = (o: { max: number; min?: number; multiline?: boolean }) =>
  z
    .string()
    .normalize('NFC')
    .trim()
    .min(o.min ?? 0, o.min ? 'Обязательное поле (не может состоять из одних пробелов)' : undefined)
    .max(o.max, `не длиннее ${o.max} символов`)
    .superRefine((v, ctx) => {
      const problem = textProblem(v, o.multiline);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

export const errorResponses = {
  400: { description: 'Неверные параметры: в fields названы поля с ошибками', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Нет или неверная Basic-авторизация', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export const notFound = (what: string) => ({
  404: { description: `${what} не найден(а): в fields названо поле и значение`, content: { 'application/json': { schema: ErrorSchema } } },
});

export const notModified = { 304: { description: 'Не изменилось с прошлого запроса (If-None-Match совпал с ETag)' } } as const;

/** `next` of every list answer (the one paging convention: limit, after, next). */
export const nextField = z
  .string()
  .nullable()
  .openapi({ description: 'Адрес следующей страницы относительно сервера (тот же запрос с limit и after) или null на последней', example: null });

/** The next page of a keyset list (after = the last item's id) when this page was full; else null. */
export function nextAfter(requestUrl: string, limit: number, items: { id: number | string }[]): string | null {
  if (items.length < limit || !items.length) return null;
  const url = new URL(requestUrl);
  url.searchParams.set('limit', String(limit));
  url.searchParams.set('after', String(items[items.length - 1].id));
  return `${url.pathname}?${url.searchParams}`;
}
