import { z } from '@hono/zod-openapi';
import { EXTERNAL_ID } from './orders.js';
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
