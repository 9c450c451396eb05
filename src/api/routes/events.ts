import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import { API_PREFIX } from '../app.js';
import type { EventFeed } from '../../webhooks/feed.js';
import { errorResponses, nextAfter, nextField } from '../schemas/common.js';
import { EventSchema, EventsQuery, exampleEvent } from '../../webhooks/openapi.js';
import { ORDER_STATUS, PAYMENT_STATUS } from '../../orders/statuses.js';

const EventsList = z
  .object({
    items: z.array(EventSchema),
    next: nextField,
  })
  .openapi('OrderEvents', {
    example: {
      items: [exampleEvent('booking.confirmed', ORDER_STATUS, PAYMENT_STATUS).event],
      next: null,
    },
  });

/**
 * GET /api/v1/events: the events webhooks carry, for a receiver to catch up on what it missed (Stripe's `GET
 * /events`): it stores the id of the last event it processed and asks for what came after. Webhooks need not be
 * configured — polling this alone is a way to follow orders.
 */
export function registerEventRoutes(app: App, feed: EventFeed, retentionDays: number) {
  app.openapi(
    createRoute({
      method: 'get',
      path: `${API_PREFIX}/events`,
      operationId: 'listEvents',
      tags: ['Уведомления'],
      summary: 'События заказов по порядку: чтобы забрать пропущенные уведомления',
      description:
        'События (те же, что приходят на webhooks.url) от старых к новым. Храните id последнего обработанного события и запрашивайте after=<id>; ' +
        `пустой items — новых нет. Отдаются события за последние ${retentionDays} дн. (webhooks.eventsRetentionDays); более старые — через bookingstate. ` +
        'Идентификаторы растут со временем и не повторяются, поэтому after работает и с id, полученным до восстановления ReGate из резервной копии.',
      request: { query: EventsQuery },
      responses: {
        200: { description: 'События после after', content: { 'application/json': { schema: EventsList } } },
        ...errorResponses,
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const items = feed.list(q);
      // the feed types its rows loosely (event and status codes as stored); the schema above is what they are
      return c.json({ items, next: nextAfter(c.req.url, q.limit, items) } as z.infer<typeof EventsList>, 200);
    },
  );
}
