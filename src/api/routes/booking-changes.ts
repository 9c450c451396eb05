import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import { API_PREFIX } from '../app.js';
import type { OrdersService } from '../../orders/service.js';
import { ErrorSchema } from '../errors.js';
import { errorResponses, notFound } from '../schemas/common.js';
import { OrderBrief } from '../schemas/orders.js';
import { CancelBody, cancelExamples, refundFirstExample, revisionMismatchExample, UpdateAnswer, UpdateBody } from '../schemas/booking-changes.js';
import { ApiError } from '../errors.js';

const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const busy = { 503: { description: 'Очередь в 1С переполнена; повторите после Retry-After', content: { 'application/json': { schema: ErrorSchema } } } };
const tags = ['Заказы'];

/** What a shop changes in an order after booking it (issue 14): cancellation, edits of an unpaid order. */
export function registerBookingChangeRoutes(app: App, orders: OrdersService) {
  app.openapi(
    createRoute({
      method: 'post',
      path: `${API_PREFIX}/bookingcancel`,
      operationId: 'cancelBooking',
      tags,
      summary: 'Отменить неоплаченный заказ: статус 6, в 1С строки отменены с причиной и заказ закрыт (резерв снят)',
      description:
        'Статус 6 записывается сразу, в 1С изменение уходит очередью: все строки заказа клиента отмечаются «Отменено» с причиной отмены, ' +
        'заказ получает статус «Закрыт» и проводится заново — так УТ снимает резерв. Заказ, ещё не созданный в 1С, сначала создаётся, затем закрывается. ' +
        'Оплаченный заказ (картой, по счёту, наличными, хотя бы частично) — 409 refund_first: сначала возврат денег. Истёкший (5) — 409. ' +
        'Повтор запроса по отменённому заказу отвечает 200 и ничего не меняет.',
      request: body(CancelBody),
      responses: {
        200: { description: 'Заказ аннулирован', content: { 'application/json': { schema: OrderBrief, examples: cancelExamples } } },
        ...errorResponses,
        ...notFound('Заказ'),
        409: { description: 'Заказ оплачен (refund_first) или уже истёк', content: { 'application/json': { schema: ErrorSchema, examples: refundFirstExample } } },
        ...busy,
      },
    }),
    async (c) => c.json((await orders.cancel(c.req.valid('json'))).body, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${API_PREFIX}/bookingupd`,
      operationId: 'updateBooking',
      tags,
      summary: 'Изменить неоплаченный заказ: строки, адрес доставки, комментарий (по версии заказа); в 1С заказ перезаписывается и перепроводится',
      description:
        'Изменение делается к версии заказа (revision из bookingstate или заголовок If-Match): если заказ изменён после неё, ответ 409 revision_mismatch с текущей версией — ' +
        'два изменения не могут наложиться. items — все строки заказа заново (цены на сегодня, проверка как в booking, variantId и packagingId — тоже; остаток — с учётом строк самого заказа), ' +
        'без items строки не меняются. Статус заказа не меняется; в 1С очередью перезаписываются строки, сумма, адрес и комментарий «Заказа клиента», и он проводится заново (резерв следует новым строкам). ' +
        'Оплаченный (хотя бы частично), истёкший или аннулированный заказ — 409. Повтор того же запроса, уже применённого, отвечает 200 тем же состоянием.',
      request: {
        ...body(UpdateBody),
        headers: z.object({
          'if-match': z.string().max(20).optional().openapi({ description: 'Версия заказа вместо поля revision: "2" (кавычки необязательны)', example: '"1"' }),
        }),
      },
      responses: {
        200: { description: 'Изменение принято (номер версии вырос на 1)', content: { 'application/json': { schema: UpdateAnswer } } },
        ...errorResponses,
        ...notFound('Заказ'),
        409: { description: 'Заказ изменён после указанной версии (revision_mismatch), оплачен или закрыт', content: { 'application/json': { schema: ErrorSchema, examples: revisionMismatchExample } } },
        422: { description: 'Строки не приняты: в fields названы строки и причины (остаток, минимальный объём, кратность, цена); код not_supported — конфигурация базы 1С не изменяет заказ (bookingupd есть для УТ 11 и КА/ERP; УНФ, БП, Розница — отмените и создайте заказ заново)', content: { 'application/json': { schema: ErrorSchema } } },
        ...busy,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const header = c.req.valid('header')['if-match'];
      const fromHeader = header === undefined ? undefined : /^\s*(?:W\/)?"?([0-9]{1,9})"?\s*$/.exec(header)?.[1];
      if (header !== undefined && fromHeader === undefined) throw ApiError.badRequest('Неверные параметры запроса', [{ field: 'If-Match', message: 'ожидается номер версии заказа, например "2"' }]);
      if (fromHeader !== undefined && input.revision !== undefined && Number(fromHeader) !== input.revision) {
        throw ApiError.badRequest('Неверные параметры запроса', [{ field: 'revision', message: `не совпадает с If-Match (${fromHeader})` }]);
      }
      const revision = input.revision ?? (fromHeader !== undefined ? Number(fromHeader) : undefined);
      if (revision === undefined) throw ApiError.badRequest('Неверные параметры запроса', [{ field: 'revision', message: 'укажите версию заказа (revision из bookingstate) или заголовок If-Match' }]);
      return c.json((await orders.update({ ...input, revision })).body, 200);
    },
  );
}
