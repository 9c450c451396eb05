import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { DomainError, type DomainErrorKind } from '../orders/errors.js';

/**
 * One JSON shape for every error ReGate answers, documented in OpenAPI and mapped in exactly one place
 * (`errorResponse`). Routes and services throw `ApiError`; anything else becomes a 500 without internals.
 */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ description: 'Машиночитаемый код ошибки', example: 'validation_failed' }),
      message: z.string().openapi({ description: 'Описание ошибки для человека', example: 'Неверные параметры запроса' }),
      fields: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .openapi({ description: 'Поля запроса, в которых ошибка', example: [{ field: 'store', message: 'Обязательное поле' }] }),
      requestId: z.string().openapi({ description: 'Идентификатор запроса (для журнала)', example: 'req-3f9c2a' }),
    }),
  })
  .openapi('Error');

export type FieldError = { field: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503 | 504,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static badRequest(message: string, fields: FieldError[] = []) {
    return new ApiError(400, 'validation_failed', message, fields);
  }
  static notFound(what: string, field: string, value: string) {
    return new ApiError(404, 'not_found', `${what} не найден: ${value}`, [{ field, message: `нет такого значения: ${value}` }]);
  }
  static conflict(message: string, fields: FieldError[] = []) {
    return new ApiError(409, 'conflict', message, fields);
  }
  static unavailable(message: string, retryAfterSeconds: number) {
    return new ApiError(503, 'unavailable', message, [], { 'Retry-After': String(retryAfterSeconds) });
  }
}

/**
 * zod issues → field errors: `items.0.quantity` style paths, as a client would address them. An unknown key is
 * reported under its own name (`items.0.price`), not under the object that holds it: the client must learn which
 * field to drop.
 */
export function fieldsOf(error: z.ZodError, prefix?: string): FieldError[] {
  const name = (path: PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join('.') || (prefix ?? 'body');
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' && i.keys.length
      ? i.keys.map((k) => ({ field: name([...i.path, k]), message: 'неизвестное поле' }))
      : [{ field: name(i.path), message: i.message }],
  );
}

/**
 * SQLite result codes that mean "the disk, not the request": full disk or max_page_count (SQLITE_FULL), a read-only
 * file or file system (SQLITE_READONLY*), I/O failures (SQLITE_IOERR*), another writer holding the lock past
 * busy_timeout (SQLITE_BUSY*, SQLITE_LOCKED*), a file that cannot be opened (SQLITE_CANTOPEN*), a damaged file
 * (SQLITE_CORRUPT*, SQLITE_NOTADB). In every case the transaction was rolled back, nothing was acknowledged, and
 * the same request may succeed later, so the answer is 503 with Retry-After rather than a 500.
 */
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|BUSY|LOCKED|CANTOPEN|CORRUPT|NOTADB|PROTOCOL|NOLFS)(_|$)/;
const STORAGE_RETRY_AFTER_S = 30;

export function storageFault(err: unknown): { code: string; message: string } | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !STORAGE_CODES.test(code)) return undefined;
  const reason = code.startsWith('SQLITE_FULL')
    ? 'диск или база данных заполнены'
    : code.startsWith('SQLITE_READONLY')
      ? 'база данных доступна только для чтения'
      : code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
        ? 'база данных занята другим процессом'
        : code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'
          ? 'файл базы данных повреждён'
          : 'ошибка ввода-вывода базы данных';
  return { code, message: `Хранилище ReGate недоступно (${reason}, ${code}); запрос не записан, повторите позже` };
}

export function errorBody(c: Context, code: string, message: string, fields: FieldError[] = []) {
  return { error: { code, message, fields, requestId: (c.get('requestId' as never) as string | undefined) ?? '' } };
}

function clientAborted(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === 'ECONNRESET' && e.message === 'aborted';
}

/** Domain error kinds → HTTP status: the services say what went wrong, this says how HTTP spells it. */
export const DOMAIN_STATUS: Record<DomainErrorKind, 400 | 404 | 409 | 422 | 503> = { invalid: 400, not_found: 404, conflict: 409, unprocessable: 422, unavailable: 503 };

/** The one mapping from anything thrown to an HTTP answer. */
export function errorResponse(err: unknown, c: Context): Response {
  if (err instanceof DomainError) {
    if (err.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.retryAfterSeconds));
    return c.json(errorBody(c, err.code, err.message, err.fields), DOMAIN_STATUS[err.kind]);
  }
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    // The rest of a too-large body is still on the wire: say the connection ends here rather than keep it alive and
    // then drop it under the client (issue 13.8); Node closes the socket after this answer.
    if (err.status === 413) c.header('Connection', 'close');
    if (err.status === 401) c.header('WWW-Authenticate', 'Basic realm="ReGate", charset="UTF-8"');
    return c.json(errorBody(c, err.code, err.message, err.fields), err.status);
  }
  if (err instanceof z.ZodError) {
    return c.json(errorBody(c, 'validation_failed', 'Неверные параметры запроса', fieldsOf(err)), 400);
  }
  if (clientAborted(err)) {
    // The client closed the connection before sending the whole body (Node: Error 'aborted', ECONNRESET). Nobody
    // reads this answer; it is a 400 so that logs and metrics do not count the client's hang-up as our 500.
    return c.json(errorBody(c, 'request_aborted', 'Клиент закрыл соединение, не передав тело запроса целиком', [{ field: 'body', message: 'получено не полностью' }]), 400);
  }
  const storage = storageFault(err);
  if (storage) {
    const logger = c.get('logger' as never) as { error: (o: object, m: string) => void } | undefined;
    logger?.error({ err, sqlite: storage.code }, 'storage unavailable');
    c.header('Retry-After', String(STORAGE_RETRY_AFTER_S));
    return c.json(errorBody(c, 'storage_unavailable', storage.message, [{ field: 'storage', message: storage.code }]), 503);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    // Hono raises these for malformed bodies (bad JSON), size limits and a body that is not declared JSON (the
    // zod-openapi validator answers 415): client errors, named as such, with the part of the request at fault.
    const known: Record<number, [string, string, FieldError[]]> = {
      400: ['malformed_body', 'Тело запроса не является корректным JSON', [{ field: 'body', message: 'не JSON' }]],
      413: ['payload_too_large', 'Тело запроса слишком большое', [{ field: 'body', message: 'слишком большое' }]],
      415: ['unsupported_media_type', 'Тело запроса должно быть JSON (Content-Type: application/json)', [{ field: 'Content-Type', message: c.req.header('content-type') || 'не указан' }]],
    };
    const [code, message, fields] = known[status] ?? ['http_error', err.message, []];
    if (status >= 500) return c.json(errorBody(c, 'internal', 'Внутренняя ошибка ReGate'), 500);
    return c.json(errorBody(c, code, message, fields), status as 400);
  }
  if (err instanceof SyntaxError) {
    return c.json(errorBody(c, 'malformed_body', 'Тело запроса не является корректным JSON', [{ field: 'body', message: err.message }]), 400);
  }
  const logger = c.get('logger' as never) as { error: (o: object, m: string) => void } | undefined;
  logger?.error({ err }, 'unhandled error');
  return c.json(errorBody(c, 'internal', 'Внутренняя ошибка ReGate'), 500);
}
