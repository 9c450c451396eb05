import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import { API_PREFIX } from '../app.js';
import type { OrdersService } from '../../orders/service.js';
import { ErrorSchema } from '../errors.js';
import { errorResponses, notFound } from '../schemas/common.js';
import {
  BookingAnswer,
  BookingBody,
  ClientAnswer,
  ClientBody,
  ClientUpdAnswer,
  ClientUpdBody,
  OrderBrief,
  OrderIdQuery,
  OrderStateSchema,
  PayCardBody,
  RefundBody,
} from '../schemas/orders.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const conflict = { 409: json(ErrorSchema, 'Конфликт: повтор с другим содержимым или недопустимый статус') };
const unprocessable = { 422: json(ErrorSchema, 'Заказ не принят: в fields названы строки и причины (остаток, минимальный объём, кратность, цена)') };
const busy = { 503: json(ErrorSchema, 'Очередь в 1С переполнена; повторите после Retry-After') };
const tags = ['Заказы'];

export function registerOrderRoutes(app: App, orders: OrdersService) {
  app.openapi(
    createRoute({
      method: 'post',
      path: `${API_PREFIX}/client`,
      operationId: 'findOrCreateClient',
      tags,
      summary: 'Найти клиента по идентификатору Richest.store или создать его в 1С',
      description: 'Ищет партнёра и контрагента по внешнему идентификатору (хранится в 1С), затем — по ИНН среди контрагентов, не связанных с другим клиентом магазина. Найден — 200 и баланс предоплат (для поиска известного клиента достаточно clientId; неизвестный без name — 404); создан — 201; 1С не ответила за окно подтверждения — 202 (клиент будет создан). ИНН, уже связанный с другим clientId, — 409 client_conflict.',
      request: body(ClientBody),
      responses: {
        200: json(ClientAnswer, 'Клиент найден'),
        201: json(ClientAnswer, 'Клиент создан в 1С'),
        202: json(ClientAnswer, 'Принят, будет создан в 1С'),
        ...errorResponses,
        ...notFound('Клиент (запрос без name по неизвестному clientId)'),
        409: json(ErrorSchema, 'ИНН уже принадлежит другому клиенту магазина (client_conflict): клиент не связан с чужим контрагентом'),
        ...busy,
      },
    }),
    async (c) => {
      const r = await orders.client(c.req.valid('json'));
      return c.json(r.body, r.status);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${API_PREFIX}/clientupd`,
      operationId: 'updateClient',
      tags,
      summary: 'Изменить реквизиты клиента (наименование, ИНН/КПП, телефон, e-mail, адрес)',
      request: body(ClientUpdBody),
      responses: { 202: json(ClientUpdAnswer, 'Изменения приняты и будут записаны в 1С'), ...errorResponses, ...notFound('Клиент'), 409: json(ErrorSchema, 'ИНН уже принадлежит другому клиенту магазина (client_conflict)'), ...busy },
    }),
    async (c) => {
      const r = await orders.clientUpdate(c.req.valid('json'));
      return c.json(r.body, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${API_PREFIX}/booking`,
      operationId: 'createBooking',
      tags,
      summary: 'Создать заказ (счёт) с адресом доставки; статус «создан, не оплачен»',
      description:
        'Проверяет строки по зеркалу (продаётся на складе, минимальный объём, кратность, остаток) и считает сумму по ценам с порогами X1/X2. ' +
        'Строку можно продать упаковкой товара (packagingId из packagings[] ассортимента, quantity — в упаковках): проверки — в единицах товара (упаковок × ratio), сумма — цена упаковки × упаковок, как считает 1С. ' +
        'Заказ и задание на доставку в 1С записываются на диск одной транзакцией. 201 — 1С подтвердила за окно ожидания (есть номер); ' +
        '202 — принят (статус 0), номер появится в bookingstate. Повтор с тем же orderId (и Idempotency-Key) возвращает тот же заказ; с другим телом — 409.',
      request: {
        ...body(BookingBody),
        headers: z.object({
          // min(1): an empty key would be stored as '' and collide with the next empty key as a UNIQUE violation (500)
          'idempotency-key': z.string().min(1, 'пустой ключ: уберите заголовок или передайте значение').max(128).optional().openapi({ description: 'Ключ идемпотентности (необязательно)', example: '3f1c9e2a-booking-5001' }),
        }),
      },
      responses: {
        201: json(BookingAnswer, 'Заказ создан в 1С'),
        202: json(BookingAnswer, 'Заказ принят, 1С ещё не подтвердила'),
        ...errorResponses,
        ...notFound('Клиент или склад'),
        ...conflict,
        ...unprocessable,
        ...busy,
      },
    }),
    async (c) => {
      const r = await orders.book(c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      return c.json(r.body, r.status as 201 | 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${API_PREFIX}/paycard`,
      operationId: 'recordCardPayment',
      tags,
      summary: 'Отметить оплату через платёжную систему (карта, СБП, электронный кошелёк): статус 2, статус оплаты 1 или 4, данные платёжной системы в 1С',
      request: body(PayCardBody),
      responses: {
        200: json(OrderBrief, 'Оплата записана'),
        ...errorResponses,
        ...notFound('Заказ'),
        ...conflict,
        422: json(ErrorSchema, 'Оплата не принята: сумма не та, что к оплате; либо (код not_supported) конфигурация базы 1С не записывает оплату картой (docs/ru/configurations.md)'),
        ...busy,
      },
    }),
    async (c) => c.json((await orders.payCard(c.req.valid('json'))).body, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${API_PREFIX}/bookingstate`,
      operationId: 'getBookingState',
      tags,
      summary: 'Статус заказа и оплаты, суммы, номер в 1С, история изменений',
      request: { query: OrderIdQuery },
      responses: { 200: json(OrderStateSchema, 'Состояние заказа'), ...errorResponses, ...notFound('Заказ') },
    }),
    (c) => c.json(orders.state(c.req.valid('query').orderId), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${API_PREFIX}/refund`,
      operationId: 'createRefund',
      tags,
      summary: 'Возврат денег на карту (суммой или по строкам, несколько раз до суммы оплаты): подготовленный (непроведённый) документ возврата в 1С; статус 7, когда возвращена вся оплата',
      request: body(RefundBody),
      responses: { 200: json(OrderBrief, 'Возврат принят'), ...errorResponses, ...notFound('Заказ'), 409: json(ErrorSchema, 'Больше остатка оплаты, заказ не оплачен картой или повтор refundId с другими данными'), 422: json(ErrorSchema, 'Строки возврата не приняты (нет в заказе, больше оставшегося) или amount не равен сумме строк; код not_supported — конфигурация базы 1С не записывает возврат на карту (docs/ru/configurations.md)'), ...busy },
    }),
    async (c) => c.json((await orders.refund(c.req.valid('json'))).body, 200),
  );
}
