import { z } from '@hono/zod-openapi';
import { FULFILMENT, ORDER_STATUS, PAY_METHODS, PAYMENT_STATUS, type FulfilmentState } from '../../orders/statuses.js';
import { RefId, text } from './common.js';

/**
 * Ids of other systems: letters, digits and `. _ : - /`. The letters are spelled out — Latin, Latin-1 and Latin
 * Extended-A letters (À-Ö, Ø-ö, ø-ſ) and the Cyrillic block's letters (Ѐ-ҁ, Ҋ-ӿ: U+0482–0489 are a sign and
 * combining marks) — where `\p{L}\p{N}` needed the /u flag no client honours (see GUID in common.ts). Every id
 * Richest.store sends (Latin, Cyrillic, digits) passes as before; letters of other scripts and non-ASCII digits no
 * longer do. The characters stand literally (not \uXXXX, which PCRE does not read): in UTF-8 byte mode PCRE
 * still compiles the class and accepts every Cyrillic byte pair, and with /u it is exact.
 */
export const EXTERNAL_ID = /^[0-9A-Za-zÀ-ÖØ-öø-ſЀ-ҁҊ-ӿ._:\/-]+$/;

const ExternalId = (description: string, example: string) =>
  z
    .string()
    .normalize('NFC') // a decomposed «й» (и + U+0306) is the same id, and passes the letters-only rule
    .min(1, 'Обязательное поле')
    .max(64, 'не длиннее 64 символов')
    .regex(EXTERNAL_ID, 'латинские и русские буквы, цифры и . _ : - /')
    .openapi({ description, example });

const orderStatusDescription = `Статус заказа: ${Object.entries(ORDER_STATUS).map(([k, v]) => `${k} — ${v}`).join('; ')}`;
const paymentStatusDescription = `Статус оплаты: ${Object.entries(PAYMENT_STATUS).map(([k, v]) => `${k} — ${v}`).join('; ')}`;
export const OrderStatusEnum = z.union(Object.keys(ORDER_STATUS).map((k) => z.literal(Number(k))) as any).openapi({ description: orderStatusDescription, enum: Object.keys(ORDER_STATUS).map(Number) } as never);
export const PaymentStatusEnum = z.union(Object.keys(PAYMENT_STATUS).map((k) => z.literal(Number(k))) as any).openapi({ description: paymentStatusDescription, enum: Object.keys(PAYMENT_STATUS).map(Number) } as never);

const inn = z.string().regex(/^([0-9]{10}|[0-9]{12})$/, 'ИНН: 10 или 12 цифр').openapi({ description: 'ИНН', example: '7707083893' });
const money = (description: string) => z.number().positive('больше нуля').max(1e12).multipleOf(0.01, 'не больше двух знаков после запятой').openapi({ description, example: 1299 });

export const ClientBody = z
  .object({
    clientId: ExternalId('Идентификатор клиента в Richest.store', 'RS-C-1001'),
    name: text({ min: 1, max: 150 })
      .optional()
      .openapi({ description: 'Наименование или ФИО: обязательно для нового клиента; известного клиента можно найти по одному clientId', example: 'Иванов Иван Иванович' }),
    inn: inn.optional(),
    kpp: z.string().regex(/^[0-9]{9}$/, 'КПП: 9 цифр').optional().openapi({ description: 'КПП', example: '770701001' }),
    phone: text({ max: 50 }).optional().openapi({ description: 'Телефон', example: '+7 900 000-00-00' }),
    email: z.email('неверный адрес e-mail').max(100).optional().openapi({ description: 'E-mail', example: 'ivanov@example.ru' }),
    address: text({ max: 500, multiline: true }).optional().openapi({ description: 'Адрес', example: 'Москва, ул. Тверская, д. 1' }),
  })
  .strict()
  .openapi('ClientRequest', {
    example: { clientId: 'RS-C-1001', name: 'Иванов Иван Иванович', inn: '500100732259', phone: '+7 900 000-00-00', email: 'ivanov@example.ru', address: 'Москва, ул. Тверская, д. 1' },
  });

export const ClientUpdBody = ClientBody.partial().required({ clientId: true }).strict().openapi('ClientUpdateRequest', {
  example: { clientId: 'RS-C-1001', phone: '+7 900 111-22-33' },
});

export const ClientAnswer = z
  .object({
    clientId: z.string(),
    result: z.enum(['found', 'created', 'accepted']).openapi({ description: 'found — найден в 1С; created — создан в 1С; accepted — принят, 1С ещё не ответила' }),
    balance: z.number().nullable().openapi({ description: 'Сумма на балансе клиента (предоплаты), руб.' }),
    balanceAt: z.string().nullable(),
  })
  .openapi('ClientAnswer', { example: { clientId: 'RS-C-1001', result: 'found', balance: 1500, balanceAt: '2026-11-29T05:00:00.000Z' } });

export const ClientUpdAnswer = z.object({ clientId: z.string(), result: z.literal('updated') }).openapi('ClientUpdateAnswer', { example: { clientId: 'RS-C-1001', result: 'updated' } });

export const BookingBody = z
  .object({
    orderId: ExternalId('Идентификатор заказа в Richest.store (повтор с тем же id возвращает тот же заказ)', 'RS-O-5001'),
    clientId: ExternalId('Идентификатор клиента (сначала вызовите client)', 'RS-C-1001'),
    store: RefId('Склад (из citystore)'),
    deliveryAddress: text({ min: 1, max: 500, multiline: true }).openapi({ description: 'Адрес доставки этого заказа', example: 'Москва, ул. Ленина, д. 5, кв. 12' }),
    comment: text({ max: 1000, multiline: true }).optional().openapi({ description: 'Комментарий', example: 'Позвонить за час' }),
    items: z
      .array(
        z
          .object({
            itemId: RefId('Товар (id из assortment)'),
            variantId: RefId('Новое (v1, добавлено): вариант товара (variants[].id из assortment) — обязателен для товаров с вариантами, для остальных не передаётся; в 1С становится характеристикой строки заказа').optional(),
            packagingId: RefId(
              'Новое (v1, добавлено): упаковка, которой продаётся строка (packagings[].id товара из assortment, например «Коробка (12 шт)»); quantity — тогда в упаковках. ' +
                'Остаток, минимальный объём, кратность и пороги оптовых цен X1/X2 проверяются в единицах товара (упаковок × ratio); цена строки — как в 1С: цена упаковки = цена единицы × ratio (до копеек), сумма = цена упаковки × количество упаковок. ' +
                'В 1С строка заказа получает эту упаковку, «Количество упаковок» = quantity и «Количество» = quantity × ratio. Чужая упаковка — 422 с полем items.N.packagingId',
            ).optional(),
            quantity: z.number().positive('больше нуля').max(1e9).openapi({ description: 'Количество в единицах измерения товара; с packagingId — в упаковках', example: 2 }),
          })
          .strict(),
      )
      .min(1, 'хотя бы одна строка')
      .max(500, 'не больше 500 строк')
      .openapi({ description: 'Строки заказа' }),
  })
  .strict()
  .openapi('BookingRequest', {
    example: {
      orderId: 'RS-O-5001',
      clientId: 'RS-C-1001',
      store: '5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b',
      deliveryAddress: 'Москва, ул. Ленина, д. 5, кв. 12',
      comment: 'Позвонить за час',
      items: [
        { itemId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', quantity: 2 },
        { itemId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', packagingId: '6f5e4d3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f', quantity: 2 },
      ],
    },
  });

export const BookingAnswer = z
  .object({
    orderId: z.string(),
    number: z.string().nullable().openapi({ description: 'Номер заказа в 1С (null, пока 1С не подтвердила)' }),
    status: OrderStatusEnum,
    statusName: z.string(),
    amount: z.number().openapi({ description: 'Сумма заказа, руб.' }),
  })
  .openapi('BookingAnswer', { example: { orderId: 'RS-O-5001', number: 'ТД00-000123', status: 1, statusName: 'создан, не оплачен', amount: 259.8 } });

export const OrderIdQuery = z.object({ orderId: ExternalId('Идентификатор заказа в Richest.store', 'RS-O-5001') });

export const PayCardBody = z
  .object({
    orderId: ExternalId('Заказ', 'RS-O-5001'),
    provider: text({ min: 1, max: 50 }).openapi({ description: 'Платёжная система', example: 'ЮKassa' }),
    transactionId: text({ min: 1, max: 64 }).openapi({ description: 'Идентификатор транзакции', example: '2c7e1a9f-000f-5000-9000-1b6d3f2a8e11' }),
    rrn: z.string().regex(/^[0-9]{12}$/, 'RRN: 12 цифр').optional().openapi({ description: 'RRN', example: '412345678901' }),
    authCode: z.string().regex(/^[0-9A-Z]{6}$/, 'код авторизации: 6 символов').optional().openapi({ description: 'Код авторизации', example: '123456' }),
    maskedCard: z.string().regex(/^[0-9]{6}[*]{2,9}[0-9]{4}$/, 'маска карты вида 220220******1234').optional().openapi({ description: 'Маска карты', example: '220220******1234' }),
    method: z
      .enum(PAY_METHODS)
      .optional()
      .openapi({ description: 'Способ оплаты через платёжную систему: card — картой (по умолчанию), sbp — через СБП, wallet — электронным кошельком. Статус заказа — 2; статус оплаты — 4 (электронные деньги) для wallet, иначе 1', example: 'card' }),
    amount: money('Сумма оплаты, руб. (должна равняться сумме заказа)'),
    paidAt: z.iso
      .datetime({ offset: true, message: 'ожидается дата и время ISO 8601 с часовым поясом, например 2026-11-29T08:15:00+03:00' })
      // Years 0000 and 9999 parse as ISO 8601 too; 1C's dates start at 0001 and nothing paid here predates 2000.
      .refine((v) => {
        const t = Date.parse(v);
        return t >= Date.UTC(2000, 0, 1) && t < Date.UTC(2100, 0, 1);
      }, 'от 2000-01-01 до 2099-12-31')
      .openapi({ description: 'Время оплаты (не раньше 2000 года и не позже чем через сутки)', example: '2026-11-29T08:15:00+03:00' }),
  })
  .strict()
  .openapi('PayCardRequest', {
    example: {
      orderId: 'RS-O-5001', provider: 'ЮKassa', transactionId: '2c7e1a9f-000f-5000-9000-1b6d3f2a8e11', rrn: '412345678901',
      authCode: '123456', maskedCard: '220220******1234', amount: 259.8, paidAt: '2026-11-29T08:15:00+03:00',
    },
  });

export const RefundBody = z
  .object({
    orderId: ExternalId('Заказ', 'RS-O-5001'),
    refundId: ExternalId('Идентификатор этого возврата в Richest.store: нужен для нескольких возвратов по заказу (повтор с тем же refundId ничего не меняет); без него у заказа один возврат', 'RS-R-7001').optional(),
    amount: money('Сумма возврата, руб. (по умолчанию — вся оплата; с refundId — весь остаток оплаты)').optional(),
    items: z
      .array(
        z
          .object({
            itemId: RefId('Товар заказа'),
            quantity: z.number().positive('больше нуля').max(1e9).openapi({ description: 'Сколько возвращается, в единицах товара (и у строки, проданной упаковкой)', example: 1 }),
          })
          .strict(),
      )
      .min(1)
      .max(500)
      .optional()
      .openapi({ description: 'Возврат по строкам: сумма — по ценам заказа (amount, если передан, должен с ней совпасть)' }),
    reason: text({ max: 500, multiline: true }).optional().openapi({ description: 'Причина возврата', example: 'Клиент отказался от заказа' }),
  })
  .strict()
  .openapi('RefundRequest', { example: { orderId: 'RS-O-5001', refundId: 'RS-R-7001', amount: 100, reason: 'Клиент вернул часть товара' } });

export const OrderBrief = z
  .object({
    orderId: z.string(),
    number: z.string().nullable(),
    status: OrderStatusEnum,
    statusName: z.string(),
    paymentStatus: PaymentStatusEnum,
    paymentStatusName: z.string(),
  })
  .openapi('OrderBrief', {
    example: { orderId: 'RS-O-5001', number: 'ТД00-000123', status: 2, statusName: 'оплачен картой', paymentStatus: 1, paymentStatusName: 'оплачено картой' },
  });

export const OrderStateSchema = OrderBrief.extend({
  amount: z.number(),
  paid: z.number().openapi({ description: 'Оплачено, руб.' }),
  refunded: z.number().openapi({ description: 'Возвращено клиенту, руб. (статус 7 — когда возвращена вся оплата)' }),
  revision: z.number().int().openapi({ description: 'Версия заказа: 1 при создании, +1 с каждым bookingupd (изменение делается к ней)' }),
  fulfilment: z
    .object({
      state: z.enum(Object.keys(FULFILMENT) as [FulfilmentState, ...FulfilmentState[]]).openapi({ description: `Отгрузка по документам 1С: ${Object.entries(FULFILMENT).map(([k, v]) => `${k} — ${v}`).join('; ')}` }),
      stateName: z.string(),
      lines: z.array(
        z.object({
          itemId: z.string(),
          variantId: z.string().optional().openapi({ description: 'Новое (v1, добавлено): вариант товара, если строка его называет' }),
          quantity: z.number().openapi({ description: 'Заказано, в единицах товара (строка по упаковке — упаковок × ratio)' }),
          shipped: z.number().openapi({ description: 'Отгружено (реализации в 1С), в единицах товара' }),
          packaging: z
            .object({
              id: z.string().openapi({ description: 'packagingId строки' }),
              name: z.string().nullable().openapi({ description: 'Наименование упаковки в 1С (null, если её больше нет в каталоге)' }),
              ratio: z.number().openapi({ description: 'Единиц товара в одной упаковке (на момент заказа)' }),
              quantity: z.number().openapi({ description: 'Заказано упаковок (quantity строки booking)' }),
            })
            .optional()
            .openapi({ description: 'Новое (v1, добавлено): упаковка, которой продана строка (booking с packagingId); у строк в единицах поля нет' }),
        }),
      ),
    })
    .openapi({ description: 'Что отгружено: состояние и количество по строкам (читается из документов реализации 1С)' }),
  goodsReturns: z
    .array(
      z.object({
        refundId: z.string().openapi({ description: 'refundId возврата (пусто — единственный возврат заказа без refundId)' }),
        state: z.enum(['to_prepare', 'done']).openapi({ description: 'to_prepare — документ возврата товаров оформляет бухгалтер в 1С; done — оформлен (отмечен командой regate orders returns done)' }),
        lines: z.array(z.object({ itemId: z.string(), quantity: z.number().openapi({ description: 'Возвращается товара (из отгруженного)' }) })),
        sales: z.array(z.string()).openapi({ description: 'Номера документов реализации 1С, которыми товар был отгружен (возврат оформляется на их основании)' }),
      }),
    )
    .openapi({ description: 'Возвраты отгруженного товара: возврат по строкам (refund с items) товара, который 1С уже отгрузила. Деньги возвращаются документом возврата оплаты; товар — документом возврата от клиента, который оформляет человек. Поле добавлено в v1, прежние поля не менялись' }),
  createdAt: z.string(),
  updatedAt: z.string(),
  history: z.array(
    z.object({ at: z.string(), status: OrderStatusEnum, statusName: z.string(), paymentStatus: PaymentStatusEnum, paymentStatusName: z.string(), event: z.string() }),
  ),
}).openapi('OrderState', {
  example: {
    orderId: 'RS-O-5001', number: 'ТД00-000123', status: 2, statusName: 'оплачен картой', paymentStatus: 1, paymentStatusName: 'оплачено картой',
    amount: 259.8, paid: 259.8, refunded: 0, revision: 1,
    fulfilment: {
      state: 'partial',
      stateName: 'отгружен частично',
      lines: [
        { itemId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', quantity: 2, shipped: 1 },
        { itemId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', quantity: 24, shipped: 0, packaging: { id: '6f5e4d3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f', name: 'Коробка (12 шт)', ratio: 12, quantity: 2 } },
      ],
    }, goodsReturns: [], createdAt: '2026-11-29T05:10:00.000Z', updatedAt: '2026-11-29T05:15:00.000Z',
    history: [
      { at: '2026-11-29T05:10:00.000Z', status: 0, statusName: 'принят ReGate, ещё не в 1С', paymentStatus: 0, paymentStatusName: 'оплата не выполнена', event: 'booking.accepted' },
      { at: '2026-11-29T05:10:01.000Z', status: 1, statusName: 'создан, не оплачен', paymentStatus: 0, paymentStatusName: 'оплата не выполнена', event: 'booking.confirmed' },
      { at: '2026-11-29T05:15:00.000Z', status: 2, statusName: 'оплачен картой', paymentStatus: 1, paymentStatusName: 'оплачено картой', event: 'payment.card' },
    ],
  },
});
