import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { OrderStatusEnum, PaymentStatusEnum } from '../api/schemas/orders.js';
import { EVENT_TYPES, EVENT_TYPE_NAMES, type EventType } from './events.js';

/**
 * The webhooks ReGate POSTs to webhooks.url, one per event type, for the OpenAPI `webhooks` section (issue 15): a
 * generator makes receiver stubs from it, and the contract test checks every example against the schema.
 */
export const WebhookEventSchema = z
  .object({
    eventId: z.number().int().openapi({ description: 'Номер события (строка истории заказа)', example: 17 }),
    orderId: z.string().openapi({ description: 'Идентификатор заказа в Richest.store', example: 'RS-O-5001' }),
    number: z.string().nullable().openapi({ description: 'Номер заказа в 1С (null, пока 1С не создала заказ)', example: 'ТД00-000123' }),
    event: z.enum(EVENT_TYPE_NAMES as [EventType, ...EventType[]]).openapi({ description: 'Тип события', example: 'booking.confirmed' }),
    at: z.string().openapi({ description: 'Когда произошло событие (ISO 8601, UTC)', format: 'date-time', example: '2026-11-29T09:00:00.000Z' }),
    status: OrderStatusEnum,
    statusName: z.string().openapi({ example: 'создан, не оплачен' }),
    paymentStatus: PaymentStatusEnum,
    paymentStatusName: z.string().openapi({ example: 'оплата не выполнена' }),
  })
  .openapi('WebhookEvent');

/** One plausible body per event type (statuses as the writers set them). */
const EXAMPLE_STATUS: Record<EventType, [number, number]> = {
  'booking.accepted': [0, 0],
  'booking.confirmed': [1, 0],
  'payment.card': [2, 1],
  'payment.bank': [3, 2],
  'payment.bank.partial': [1, 0],
  'payment.bank.undone': [1, 0],
  refund: [7, 1],
  expired: [5, 0],
  'reconcile.cash': [4, 3],
  'reconcile.cancelled': [6, 0],
};

export function exampleEvent(type: EventType, status: Record<number, string>, payment: Record<number, string>) {
  const [s, p] = EXAMPLE_STATUS[type];
  return {
    eventId: 17,
    orderId: 'RS-O-5001',
    number: type === 'booking.accepted' ? null : 'ТД00-000123',
    event: type,
    at: '2026-11-29T09:00:00.000Z',
    status: s,
    statusName: status[s],
    paymentStatus: p,
    paymentStatusName: payment[p],
  };
}

const camel = (type: string) => type.split(/[._]/).map((w) => w[0].toUpperCase() + w.slice(1)).join('');

export function registerWebhookDocs(registry: OpenAPIHono['openAPIRegistry'], names: { status: Record<number, string>; payment: Record<number, string> }) {
  for (const type of EVENT_TYPE_NAMES) {
    registry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `on${camel(type)}`,
      tags: ['Уведомления'],
      summary: EVENT_TYPES[type],
      description:
        `ReGate отправляет POST на webhooks.url при событии ${type}: по порядку для каждого заказа, с повторами, пока получатель не ответит 2xx. ` +
        'Проверяйте подпись по сырым байтам тела до разбора JSON.',
      security: [],
      request: {
        headers: z.object({
          'X-ReGate-Event-Id': z.string().openapi({ description: 'Равен eventId', example: '17' }),
          'X-ReGate-Timestamp': z.string().openapi({ description: 'Время отправки, секунды Unix', example: '1796029200' }),
          'X-ReGate-Signature': z.string().optional().openapi({ description: 't=<время>,v1=<hex HMAC-SHA256(webhooks.secret, "<время>.<тело>")>; только если задан webhooks.secret', example: 't=1796029200,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd' }),
        }),
        body: { required: true, content: { 'application/json': { schema: WebhookEventSchema, example: exampleEvent(type, names.status, names.payment) } } },
      },
      responses: {
        200: { description: 'Принято (подходит любой ответ 2xx)' },
        400: { description: 'Любой 4xx, кроме 408 и 429: получатель отказывается от события навсегда; задание останавливается (regate outbox list)' },
        429: { description: '408, 429, 5xx и сетевые ошибки: ReGate повторит отправку с растущей паузой' },
      },
    });
  }
}
