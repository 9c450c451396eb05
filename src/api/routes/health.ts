import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import type { ApiServices } from '../services.js';

const Check = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });
const Ready = z
  .object({ ready: z.boolean(), checks: z.array(Check) })
  .openapi('Readiness', { example: { ready: true, checks: [{ name: 'onec', ok: true, detail: '1С отвечает' }] } });

export function registerHealthRoutes(app: App, services: ApiServices) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'getLiveness',
      tags: ['Служебные'],
      summary: 'Процесс ReGate жив',
      security: [],
      responses: {
        200: { description: 'Процесс отвечает', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }).openapi({ example: { status: 'ok' } }) } } },
      },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'getReadiness',
      tags: ['Служебные'],
      summary: 'Готовность: 1С доступна, зеркало каталога свежее',
      security: [],
      responses: {
        200: { description: 'Готов обслуживать', content: { 'application/json': { schema: Ready } } },
        503: { description: 'Не готов (причины в checks)', content: { 'application/json': { schema: Ready } } },
      },
    }),
    async (c) => {
      const r = await services.health.ready();
      return c.json(r, r.ready ? 200 : 503);
    },
  );
}
