import { createRoute } from '@hono/zod-openapi';
import type { App } from '../app.js';
import { API_PREFIX } from '../app.js';
import type { BankService } from '../../bank/import/service.js';
import { REVIEW_REASON } from '../../bank/import/review.js';
import { toRoubles } from '../../orders/pricing.js';
import { ErrorSchema } from '../errors.js';
import { errorResponses, nextAfter } from '../schemas/common.js';
import { UnmatchedList, UnmatchedQuery } from '../schemas/bank.js';

export function registerBankRoutes(app: App, bank: BankService) {
  app.openapi(
    createRoute({
      method: 'get',
      path: `${API_PREFIX}/bank/unmatched`,
      operationId: 'listUnmatchedBankPayments',
      tags: ['Банк'],
      summary: 'Платежи из банковских выписок, которые ждут решения оператора',
      description:
        'Поступления, которые ReGate не зачёл сам: не найден заказ (unmatched), подходит несколько заказов (ambiguous) или заказ оплачен с переплатой (matched, reason = overpayment). ' +
        'ReGate никогда не угадывает: такие платежи решает человек. Сначала самые старые; для следующей страницы передайте after = id последнего платежа. ' +
        'Список содержит имена, ИНН и счета плательщиков, поэтому доступен только пользователям API с ролью bank (regate user add ИМЯ --role bank); остальным — 403.',
      request: { query: UnmatchedQuery },
      responses: {
        200: { description: 'Список платежей', content: { 'application/json': { schema: UnmatchedList } } },
        ...errorResponses,
        403: { description: 'У пользователя API нет роли bank', content: { 'application/json': { schema: ErrorSchema } } },
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const r = bank.unmatched({ limit: q.limit, afterId: q.after });
      return c.json(
        {
          total: r.total,
          next: nextAfter(c.req.url, q.limit, r.items),
          items: r.items.map((i) => ({
            id: i.id,
            result: i.result,
            reason: i.reason,
            reasonText: REVIEW_REASON[i.reason] ?? i.reason,
            detail: i.detail,
            number: i.number,
            date: i.date,
            paidAt: i.paidAt,
            amount: toRoubles(i.amountKopecks),
            account: i.ownAccount,
            payer: i.payer,
            purpose: i.purpose,
            candidates: i.candidates.map((cd) => ({ orderId: cd.orderId, number: cd.number, amount: toRoubles(cd.amountKopecks), paid: toRoubles(cd.paidKopecks) })),
            orderId: i.orderId,
            statement: { name: i.statement.name, source: i.statement.source, importedAt: i.statement.importedAt },
          })),
        },
        200,
      );
    },
  );
}
