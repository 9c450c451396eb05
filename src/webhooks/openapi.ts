import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { OrderStatusEnum, PaymentStatusEnum } from '../api/schemas/orders.js';
import { EVENT_TYPES, EVENT_TYPE_NAMES, type EventType } from './events.js';
import { EVENT_ID_PATTERN } from './ids.js';
import { CATALOG_EVENT } from '../catalog/webhooks.js';

/**
 * The events of an order as the OpenAPI document shows them (issue 15): `Event` (what GET /api/v1/events lists),
 * `WebhookEvent` (the webhook body: the event plus the 0.1 fields for one more version), and one entry of the
 * `webhooks` section per event type, so a generator makes receiver stubs and the contract test checks every example.
 */
export const EXAMPLE_EVENT_ID = 'evt_01JDQ8Z5X4N6R2K9T3V7W0Y1AB';

export const EventId = (description: string) =>
  z.string().regex(new RegExp(EVENT_ID_PATTERN), 'идентификатор события вида evt_01JDQ8Z5X4N6R2K9T3V7W0Y1AB').openapi({ description, example: EXAMPLE_EVENT_ID });

const EventType = z.enum(EVENT_TYPE_NAMES as [EventType, ...EventType[]]).openapi({
  description: `Тип события: ${EVENT_TYPE_NAMES.map((t) => `${t} — ${EVENT_TYPES[t]}`).join('; ')}`,
  example: 'booking.confirmed',
});

const EventData = z
  .object({
    orderId: z.string().openapi({ description: 'Идентификатор заказа в Richest.store', example: 'RS-O-5001' }),
    number: z.string().nullable().openapi({ description: 'Номер заказа в 1С на момент события (null, пока 1С не создала заказ)', example: 'ТД00-000123' }),
    status: OrderStatusEnum,
    statusName: z.string().openapi({ example: 'создан, не оплачен' }),
    paymentStatus: PaymentStatusEnum,
    paymentStatusName: z.string().openapi({ example: 'оплата не выполнена' }),
  })
  .openapi('OrderEventData');

export const EventSchema = z
  .object({
    id: EventId('Идентификатор события: не повторяется никогда (и после восстановления ReGate из копии), растёт со временем; тот же, что в заголовке webhook-id'),
    type: EventType,
    timestamp: z.string().openapi({ description: 'Когда произошло событие (ISO 8601, UTC)', format: 'date-time', example: '2026-11-29T09:00:00.000Z' }),
    data: EventData,
  })
  .openapi('OrderEvent');

const deprecated = (description: string) => ({ description: `Устарело (формат 0.1, будет убрано в следующей версии): ${description}`, deprecated: true });

export const WebhookEventSchema = EventSchema.extend({
  eventId: z.number().int().openapi({ ...deprecated('номер строки истории в базе ReGate; повторяется после восстановления из копии — используйте id'), example: 17 }),
  orderId: z.string().openapi({ ...deprecated('то же, что data.orderId'), example: 'RS-O-5001' }),
  number: z.string().nullable().openapi({ ...deprecated('то же, что data.number'), example: 'ТД00-000123' }),
  event: EventType.openapi(deprecated('то же, что type')),
  at: z.string().openapi({ ...deprecated('то же, что timestamp'), format: 'date-time', example: '2026-11-29T09:00:00.000Z' }),
  status: OrderStatusEnum.openapi(deprecated('то же, что data.status')),
  statusName: z.string().openapi({ ...deprecated('то же, что data.statusName'), example: 'создан, не оплачен' }),
  paymentStatus: PaymentStatusEnum.openapi(deprecated('то же, что data.paymentStatus')),
  paymentStatusName: z.string().openapi({ ...deprecated('то же, что data.paymentStatusName'), example: 'оплата не выполнена' }),
}).openapi('WebhookEvent');

/** One plausible body per event type (statuses as the writers set them). */
const EXAMPLE_STATUS: Record<EventType, [number, number]> = {
  'booking.accepted': [0, 0],
  'booking.confirmed': [1, 0],
  'payment.card': [2, 1],
  'payment.bank': [3, 2],
  'payment.bank.partial': [1, 0],
  'payment.bank.undone': [1, 0],
  refund: [7, 1],
  'refund.partial': [2, 1],
  expired: [5, 0],
  'reconcile.cash': [4, 3],
  'reconcile.cancelled': [6, 0],
  'fulfilment.partial': [2, 1],
  'fulfilment.shipped': [2, 1],
  'fulfilment.closed': [2, 1],
  'booking.updated': [1, 0],
  'booking.cancelled': [6, 0],
};

export function exampleEvent(type: EventType, status: Record<number, string>, payment: Record<number, string>) {
  const [s, p] = EXAMPLE_STATUS[type];
  const data = { orderId: 'RS-O-5001', number: type === 'booking.accepted' ? null : 'ТД00-000123', status: s, statusName: status[s], paymentStatus: p, paymentStatusName: payment[p] };
  const event = { id: EXAMPLE_EVENT_ID, type, timestamp: '2026-11-29T09:00:00.000Z', data };
  return { event, webhook: { ...event, eventId: 17, ...data, event: type, at: event.timestamp } };
}

const camel = (type: string) => type.split(/[._]/).map((w) => w[0].toUpperCase() + w.slice(1)).join('');

const webhookHeaders = z.object({
  'webhook-id': EventId('Идентификатор события (= id в теле)'),
  'webhook-timestamp': z.string().regex(/^[0-9]+$/).openapi({ description: 'Время отправки этой попытки, секунды Unix', example: '1796029200' }),
  'webhook-signature': z.string().optional().openapi({
    description: 'v1,<base64 HMAC-SHA256 по строке "<webhook-id>.<webhook-timestamp>.<тело>"> с ключом из webhooks.secret (whsec_<base64 ключа>); только если секрет задан',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  }),
  'user-agent': z.string().openapi({ description: 'ReGate/<версия>', example: 'ReGate/0.1.0' }),
  'X-ReGate-Event-Id': z.string().optional().openapi({ ...deprecated('равен eventId'), example: '17' }),
  'X-ReGate-Timestamp': z.string().optional().openapi({ ...deprecated('равен webhook-timestamp'), example: '1796029200' }),
  'X-ReGate-Signature': z.string().optional().openapi({ ...deprecated('t=<время>,v1=<hex HMAC-SHA256(webhooks.secret, "<время>.<тело>")>'), example: 't=1796029200,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd' }),
});

export function registerWebhookDocs(registry: OpenAPIHono['openAPIRegistry'], names: { status: Record<number, string>; payment: Record<number, string> }) {
  for (const type of EVENT_TYPE_NAMES) {
    registry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `on${camel(type)}`,
      tags: ['Уведомления'],
      summary: EVENT_TYPES[type],
      description:
        `ReGate отправляет POST на webhooks.url при событии ${type} по схеме Standard Webhooks: по порядку для каждого заказа, с повторами, ` +
        'пока получатель не ответит 2xx. Повтор несёт тот же webhook-id — отбрасывайте уже обработанные. Проверяйте подпись по сырым байтам ' +
        'тела до разбора JSON (готовые проверки Standard Webhooks для PHP и JS принимают секрет whsec_… как есть). Пропущенное забирайте GET /api/v1/events?after=<последний id>.',
      security: [],
      request: {
        headers: webhookHeaders,
        body: { required: true, content: { 'application/json': { schema: WebhookEventSchema, example: exampleEvent(type, names.status, names.payment).webhook } } },
      },
      responses: {
        200: { description: 'Принято (подходит любой ответ 2xx)' },
        400: { description: 'Любой 4xx, кроме 408 и 429: получатель отказывается от события навсегда; задание останавливается (regate outbox list)' },
        429: { description: '408, 429, 5xx и сетевые ошибки: ReGate повторит отправку с растущей паузой' },
      },
    });
  }
  // The catalogue's push (issue 17, src/catalog/webhooks.ts): not an order event, so not in GET /api/v1/events.
  registry.registerWebhook({
    method: 'post',
    path: CATALOG_EVENT,
    operationId: 'onCatalogChanged',
    tags: ['Уведомления'],
    summary: 'Каталог изменился: по складам — товары, у которых изменились карточка, цены, остатки или варианты',
    description:
      'Отправляется после синхронизации, изменившей то, что видит магазин, если включено webhooks.catalogEvents; те же заголовки и подпись Standard Webhooks, ' +
      'что у событий заказов, по порядку синхронизаций. Получив его, заберите assortment?store=<склад>&changedSince=<data.changedAt> по названным складам ' +
      '(itemIds: null — изменилось слишком много, заберите весь changedSince склада). В GET /api/v1/events не попадает: пропущенное восполняет changedSince.',
    security: [],
    request: {
      headers: webhookHeaders,
      body: { required: true, content: { 'application/json': { schema: CatalogEventSchema, example: CATALOG_EVENT_EXAMPLE } } },
    },
    responses: {
      200: { description: 'Принято (подходит любой ответ 2xx)' },
      400: { description: 'Любой 4xx, кроме 408 и 429: получатель отказывается от события навсегда' },
      429: { description: '408, 429, 5xx и сетевые ошибки: ReGate повторит отправку с растущей паузой' },
    },
  });
}

const CatalogEventSchema = z
  .object({
    id: EventId('Идентификатор события (= webhook-id)'),
    type: z.literal(CATALOG_EVENT),
    timestamp: z.string().openapi({ format: 'date-time', example: '2026-11-29T09:00:00.000Z' }),
    data: z.object({
      generation: z.number().int().openapi({ description: 'Поколение зеркала с этими изменениями (GET /api/v1/state: mirror.generation)' }),
      sync: z.enum(['full', 'stock']).openapi({ description: 'Какая синхронизация: полная или остатков и цен' }),
      changedAt: z.string().openapi({ description: 'У изменённых товаров changedAt не раньше этого: передайте его в changedSince', format: 'date-time' }),
      stores: z.array(
        z.object({
          storeId: z.string().openapi({ description: 'Склад (store)' }),
          itemIds: z.array(z.string()).nullable().openapi({ description: 'Изменившиеся товары склада (и ушедшие с него, с остатком 0); null — слишком много, заберите весь changedSince' }),
        }),
      ),
    }),
  })
  .openapi('CatalogChangedEvent');

const CATALOG_EVENT_EXAMPLE = {
  id: EXAMPLE_EVENT_ID,
  type: CATALOG_EVENT,
  timestamp: '2026-11-29T09:00:00.000Z',
  data: { generation: 42, sync: 'stock', changedAt: '2026-11-29T08:59:58.000Z', stores: [{ storeId: '77707bb1-b7dd-4f51-b8d0-47c3a8047d3a', itemIds: ['9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a'] }] },
};

export const EventsQuery = z.object({
  after: EventId('Вернуть события после этого (id последнего обработанного события; можно и id, которого нет в этой базе — например, полученный до восстановления из копии)').optional(),
  limit: z.coerce.number().int('целое число').min(1, 'от 1').max(1000, 'не больше 1000').default(100).openapi({ description: 'Сколько событий вернуть (до 1000)', example: 100 }),
});
