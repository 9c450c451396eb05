import { z } from '@hono/zod-openapi';
import { nextField } from './common.js';

export const UnmatchedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ description: 'Сколько платежей вернуть (1–1000)', example: 100 }),
  after: z.coerce.number().int().min(0).optional().openapi({ description: 'Вернуть платежи с id больше этого (следующая страница: id последнего полученного)', example: 0 }),
});

const Candidate = z
  .object({
    orderId: z.string().openapi({ description: 'Идентификатор заказа в Richest.store', example: 'RS-O-5001' }),
    number: z.string().openapi({ description: 'Номер заказа в 1С (пусто, если ещё не создан)', example: 'ТД00-000123' }),
    amount: z.number().openapi({ description: 'Сумма заказа, руб.', example: 12500 }),
    paid: z.number().openapi({ description: 'Уже оплачено, руб.', example: 0 }),
  })
  .openapi('BankCandidate');

export const UnmatchedPayment = z
  .object({
    id: z.number().int().openapi({ description: 'Номер записи в ReGate (для постраничного чтения)', example: 17 }),
    result: z.enum(['ambiguous', 'unmatched', 'matched']).openapi({
      description: 'ambiguous — подходит несколько заказов; unmatched — заказ не найден; matched — зачтён, но есть переплата (reason = overpayment)',
    }),
    reason: z.string().openapi({
      description:
        'Код причины: several-orders-in-purpose, purpose-names-other-client, several-orders-same-amount, no-reference-no-inn, unknown-client, no-order-with-amount, overpayment, zero-amount',
      example: 'no-order-with-amount',
    }),
    reasonText: z.string().openapi({ description: 'Причина по-русски', example: 'у клиента нет открытого заказа на эту сумму' }),
    detail: z.string().nullable().openapi({ description: 'Подробности от сопоставления', example: 'INN 7707083893 has 2 open orders, none due exactly this amount' }),
    number: z.string().openapi({ description: 'Номер платёжного поручения', example: '512' }),
    date: z.string().openapi({ description: 'Дата платёжного поручения (ГГГГ-ММ-ДД)', example: '2026-11-27' }),
    paidAt: z.string().nullable().openapi({ description: 'Дата поступления на счёт', example: '2026-11-28' }),
    amount: z.number().openapi({ description: 'Сумма, руб.', example: 4999.5 }),
    account: z.string().nullable().openapi({ description: 'Наш расчётный счёт', example: '40702810900000000001' }),
    payer: z
      .object({
        name: z.string().nullable().openapi({ example: 'ООО "Ромашка"' }),
        inn: z.string().nullable().openapi({ example: '7707083893' }),
        kpp: z.string().nullable().openapi({ example: '770701001' }),
        account: z.string().nullable().openapi({ example: '40702810400000000002' }),
        bik: z.string().nullable().openapi({ example: '044525225' }),
      })
      .openapi({ description: 'Плательщик' }),
    purpose: z.string().openapi({ description: 'Назначение платежа', example: 'Оплата по счёту 123 от 25.11.2026, в т.ч. НДС' }),
    candidates: z.array(Candidate).openapi({ description: 'Заказы, которые подходят (для ambiguous)' }),
    orderId: z.string().nullable().openapi({ description: 'Заказ, на который зачтён платёж (для переплаты)', example: null }),
    statement: z
      .object({
        name: z.string().openapi({ example: 'kl_to_1c.txt' }),
        source: z.string().openapi({ description: 'cli — загружена командой; folder — из папки; tochka — из API банка Точка', example: 'folder' }),
        importedAt: z.string().openapi({ example: '2026-11-28T07:10:00.000Z' }),
      })
      .openapi({ description: 'Выписка, из которой прочитан платёж' }),
  })
  .openapi('UnmatchedPayment');

export const UnmatchedList = z
  .object({
    total: z.number().int().openapi({ description: 'Всего платежей, ждущих решения', example: 1 }),
    items: z.array(UnmatchedPayment),
    next: nextField,
  })
  .openapi('UnmatchedPayments', {
    example: {
      total: 1,
      next: null,
      items: [
        {
          id: 17,
          result: 'unmatched',
          reason: 'no-order-with-amount',
          reasonText: 'у клиента нет открытого заказа на эту сумму',
          detail: 'INN 7707083893 has 2 open orders, none due exactly this amount',
          number: '512',
          date: '2026-11-27',
          paidAt: '2026-11-28',
          amount: 4999.5,
          account: '40702810900000000001',
          payer: { name: 'ООО "Ромашка"', inn: '7707083893', kpp: '770701001', account: '40702810400000000002', bik: '044525225' },
          purpose: 'Оплата за товар, в т.ч. НДС',
          candidates: [],
          orderId: null,
          statement: { name: 'kl_to_1c.txt', source: 'folder', importedAt: '2026-11-28T07:10:00.000Z' },
        },
      ],
    },
  });
