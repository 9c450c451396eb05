import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

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

/** zod issues → field errors: `items.0.quantity` style paths, as a client would address them. */
export function fieldsOf(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || (prefix ?? 'body'),
    message: i.message,
  }));
}

export function errorBody(c: Context, code: string, message: string, fields: FieldError[] = []) {
  return { error: { code, message, fields, requestId: (c.get('requestId' as never) as string | undefined) ?? '' } };
}

/** The one mapping from anything thrown to an HTTP answer. */
export function errorResponse(err: unknown, c: Context): Response {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    if (err.status === 401) c.header('WWW-Authenticate', 'Basic realm="ReGate", charset="UTF-8"');
    return c.json(errorBody(c, err.code, err.message, err.fields), err.status);
  }
  if (err instanceof z.ZodError) {
    return c.json(errorBody(c, 'validation_failed', 'Неверные параметры запроса', fieldsOf(err)), 400);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    // Hono raises these for malformed bodies (bad JSON) and size limits: client errors, named as such.
    const code = status === 413 ? 'payload_too_large' : status === 400 ? 'malformed_body' : 'http_error';
    const message = status === 413 ? 'Тело запроса слишком большое' : status === 400 ? 'Тело запроса не является корректным JSON' : err.message;
    return c.json(errorBody(c, code, message, status === 400 ? [{ field: 'body', message }] : []), status as 400);
  }
  if (err instanceof SyntaxError) {
    return c.json(errorBody(c, 'malformed_body', 'Тело запроса не является корректным JSON', [{ field: 'body', message: err.message }]), 400);
  }
  const logger = c.get('logger' as never) as { error: (o: object, m: string) => void } | undefined;
  logger?.error({ err }, 'unhandled error');
  return c.json(errorBody(c, 'internal', 'Внутренняя ошибка ReGate'), 500);
}
