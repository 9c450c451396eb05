import { z } from '@hono/zod-openapi';
import { ErrorSchema } from '../errors.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A 1C reference (Ref_Key), the id of stores, groups and items in this API. */
export const RefId = (description: string, example = '5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b') =>
  z.string().regex(GUID, 'ожидается GUID вида 5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b').openapi({ description, example });

export const errorResponses = {
  400: { description: 'Неверные параметры: в fields названы поля с ошибками', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Нет или неверная Basic-авторизация', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export const notFound = (what: string) => ({
  404: { description: `${what} не найден(а): в fields названо поле и значение`, content: { 'application/json': { schema: ErrorSchema } } },
});

export const notModified = { 304: { description: 'Не изменилось с прошлого запроса (If-None-Match совпал с ETag)' } } as const;
