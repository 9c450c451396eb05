import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import { API_PREFIX } from '../app.js';
import type { OrdersService } from '../../orders/service.js';
import { ErrorSchema } from '../errors.js';
import { errorResponses, notFound } from '../schemas/common.js';
import { OrderBrief } from '../schemas/orders.js';
import { CancelBody, cancelExamples, refundFirstExample } from '../schemas/booking-changes.js';

const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const busy = { 503: { description: 'Очередь в 1С переполнена; повторите после Retry-After', content: { 'application/json': { schema: ErrorSchema } } } };
const tags = ['Заказы'];

/** What a shop changes in an order after booking it (issue 14): cancellation; edits of an unpaid order. */
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
}
