import { z } from '@hono/zod-openapi';
import { BookingAnswer, BookingBody, EXTERNAL_ID } from './orders.js';
import { text } from './common.js';

/** Schemas of the order changes a shop makes after booking (issue 14): cancellation, later edits. */

const OrderId = z
  .string()
  .normalize('NFC')
  .min(1, 'Обязательное поле')
  .max(64, 'не длиннее 64 символов')
  .regex(EXTERNAL_ID, 'латинские и русские буквы, цифры и . _ : - /')
  .openapi({ description: 'Идентификатор заказа в Richest.store', example: 'RS-O-5001' });

export const CancelBody = z
  .object({
    orderId: OrderId,
    reason: text({ max: 200, multiline: true }).optional().openapi({ description: 'Причина отмены (попадает в комментарий записи статуса в 1С)', example: 'Клиент передумал' }),
  })
  .strict()
  .openapi('BookingCancelRequest', { example: { orderId: 'RS-O-5001', reason: 'Клиент передумал' } });

export const cancelExamples = {
  cancelled: {
    summary: 'Заказ аннулирован (и при повторе того же запроса)',
    value: { orderId: 'RS-O-5001', number: 'ТД00-000123', status: 6, statusName: 'аннулирован', paymentStatus: 0, paymentStatusName: 'оплата не выполнена' },
  },
};

export const refundFirstExample = {
  refund_first: {
    summary: 'Заказ оплачен: сначала возврат денег',
    value: {
      error: {
        code: 'refund_first',
        message: 'Заказ RS-O-5001 оплачен (259.8 руб.): сначала верните деньги (refund), затем отменяйте',
        fields: [{ field: 'orderId', message: 'статус 2, оплачено 259.8' }],
        requestId: '7b0c4f3e-…',
      },
    },
  },
};

export const UpdateBody = z
  .object({
    orderId: OrderId,
    revision: z
      .number()
      .int('целое число')
      .min(1, 'от 1')
      .optional()
      .openapi({ description: 'Версия заказа, к которой сделано изменение (revision из bookingstate; или заголовок If-Match). Заказ изменён после неё — 409 revision_mismatch', example: 1 }),
    deliveryAddress: text({ min: 1, max: 500, multiline: true }).optional().openapi({ description: 'Новый адрес доставки', example: 'Москва, ул. Ленина, д. 7, кв. 3' }),
    comment: text({ max: 1000, multiline: true }).optional().openapi({ description: 'Новый комментарий', example: 'Домофон не работает' }),
    items: BookingBody.shape.items.optional().openapi({ description: 'Новые строки заказа — все (заменяют прежние, цены на сегодня); без поля строки не меняются' }),
  })
  .strict()
  .refine((b) => b.deliveryAddress !== undefined || b.comment !== undefined || b.items !== undefined, { message: 'нечего менять: укажите items, deliveryAddress или comment', path: ['items'] })
  .openapi('BookingUpdateRequest', {
    example: {
      orderId: 'RS-O-5001',
      revision: 1,
      deliveryAddress: 'Москва, ул. Ленина, д. 7, кв. 3',
      items: [{ itemId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', quantity: 3 }],
    },
  });

export const UpdateAnswer = BookingAnswer.extend({
  revision: z.number().int().openapi({ description: 'Новая версия заказа (следующее изменение делается к ней)' }),
}).openapi('BookingUpdateAnswer', { example: { orderId: 'RS-O-5001', number: 'ТД00-000123', status: 1, statusName: 'создан, не оплачен', amount: 389.7, revision: 2 } });

export const revisionMismatchExample = {
  revision_mismatch: {
    summary: 'Заказ уже изменён другим запросом',
    value: {
      error: {
        code: 'revision_mismatch',
        message: 'Заказ RS-O-5001 уже изменён: текущая версия 2, изменение сделано к версии 1. Прочитайте заказ (bookingstate) и повторите',
        fields: [{ field: 'revision', message: 'текущая версия 2' }],
        requestId: '7b0c4f3e-…',
      },
    },
  },
  paid: {
    summary: 'Заказ оплачен: изменять нельзя',
    value: { error: { code: 'conflict', message: 'Заказ RS-O-5001 в статусе «оплачен картой»: изменять можно только неоплаченный заказ', fields: [{ field: 'orderId', message: 'статус 2' }], requestId: '7b0c4f3e-…' } },
  },
};
