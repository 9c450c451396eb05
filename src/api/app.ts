import { OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import { basicAuth } from './auth.js';
import { reloading, requireApiRole } from '../console/users.js';
import { ApiError, errorBody, errorResponse, fieldsOf } from './errors.js';
import type { ApiServices } from './services.js';
import { registerRoutes } from './routes/index.js';
import { isDirectLoopback } from './middleware/client.js';
import { registerMetricsRoute, isMetricsEndpoint } from './middleware/metrics-route.js';
import { observe, type RequestLogger } from './middleware/observe.js';
import { rateLimit, TokenBuckets } from './middleware/rate-limit.js';
import { requestTimeout } from './middleware/timeout.js';
import { jsonCharset, utf8Body, utf8Query } from './middleware/charset.js';
import { finishDocument } from './schemas/document.js';
import type { PictureLinks } from './middleware/picture-links.js';
import { registerWebhookDocs } from '../webhooks/openapi.js';
import { addConfigurationNotes } from './schemas/configurations.js';
import { ORDER_STATUS, PAYMENT_STATUS } from '../orders/statuses.js';

/** Sections of the document, in the order Swagger UI shows them. */
const TAGS = [
  { name: 'Каталог', description: 'Склады, группы, номенклатура, цены и остатки из локального зеркала 1С (ETag и 304)' },
  { name: 'Заказы', description: 'Клиенты, заказы, оплата картой, возвраты: записываются на диск и доставляются в 1С очередью' },
  { name: 'Банк', description: 'Платежи из банковских выписок, которые ждут решения оператора (роль bank)' },
  { name: 'Уведомления', description: 'Что ReGate отправляет на webhooks.url при каждом изменении статуса заказа' },
  { name: 'Служебные', description: 'Проверки живости и готовности для мониторинга' },
];

export type AppEnv = { Variables: { requestId: string; user: string; logger: RequestLogger; clientAddress: string } };
export type App = OpenAPIHono<AppEnv>;

export const API_PREFIX = '/api/v1';

export function createApp(deps: { config: Config; services: ApiServices; logger: Logger }): App {
  const { config, services, logger } = deps;
  const app: App = new OpenAPIHono<AppEnv>({
    // Every zod validation failure (query, params, body) becomes the one error shape, naming the fields.
    defaultHook: (result, c) => {
      if (!result.success) {
        const where = (result as { target?: string }).target;
        return c.json(
          errorBody(c, 'validation_failed', 'Неверные параметры запроса', fieldsOf(result.error, where === 'json' ? undefined : undefined)),
          400,
        );
      }
    },
  });

  // The request id is answered in X-Request-Id (and in every error body), so a client's report finds the log line.
  app.use('*', requestId({ headerName: 'X-Request-Id', limitLength: 64 }));
  // Outermost after the id: every JSON answer, errors from any layer included, says charset=utf-8.
  app.use('*', jsonCharset());
  app.use('*', observe({ logger, metrics: services.metrics, logRequests: config.log.requests, trustProxy: config.server.trustProxy }));
  app.onError((err, c) => errorResponse(err, c));
  app.notFound((c) => c.json(errorBody(c, 'not_found', `Нет такого адреса: ${c.req.path}`, [{ field: 'path', message: c.req.path }]), 404));

  // Per client address, before auth: a flood of made-up credentials must not buy 40 ms of scrypt each. Processes on
  // this machine talking to it directly (a local Prometheus, `regate status`) are not limited.
  const perAddress = new TokenBuckets(config.auth.rateLimitPerAddressPerMinute);
  app.use('*', rateLimit(perAddress, (c) => (isDirectLoopback(c) ? undefined : c.get('clientAddress')), 'с этого адреса', 'address'));
  app.use('*', requestTimeout(config.server.requestTimeoutMs));

  const tooLarge = () => {
    throw new ApiError(413, 'payload_too_large', `Тело запроса больше ${config.server.bodyLimitBytes} байт`, [{ field: 'body', message: 'слишком большое' }]);
  };
  const streamedLimit = bodyLimit({ maxSize: config.server.bodyLimitBytes, onError: tooLarge });
  // hono's bodyLimit asks c.req.raw.body first, and @hono/node-server builds a whole web Request for that (~10 % of the
  // API thread in the booking burst's profile, 2026-12-03) — for every GET too. A GET or HEAD has no body here, and a
  // sized body is judged by its Content-Length (server.ts has read it off the socket already); only a chunked body is
  // counted as it streams, by hono's middleware.
  app.use(`${API_PREFIX}/*`, (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) return Number(length) > config.server.bodyLimitBytes ? tooLarge() : next();
    return streamedLimit(c, next);
  });
  // Rebuilt when `regate user` changes the file (console/users.ts watches it): a removed user stops at once.
  const auth = reloading(config.auth.users, () =>
    basicAuth({ users: config.auth.users, lockoutAfterFailures: config.auth.lockoutAfterFailures, lockoutMs: config.auth.lockoutMs }),
  );
  // A picture URL signed by ReGate (icons of the assortment: middleware/picture-links.ts) opens without Basic
  // credentials until it expires, so a shop can use it in <img>; everything else authenticates.
  const links = services.pictureLinks as PictureLinks | undefined;
  app.use(`${API_PREFIX}/*`, (c, next) => (links?.allows(c, API_PREFIX) ? next() : auth(c, next)));
  // The review list shows payers' names, INNs and accounts: only API users with the role bank.
  app.use(`${API_PREFIX}/bank/*`, requireApiRole(config.auth.users, ['bank']));
  const perUser = new TokenBuckets(config.auth.rateLimitPerMinute);
  app.use(`${API_PREFIX}/*`, rateLimit(perUser, (c) => c.get('user'), 'от этого пользователя', 'user'));
  // Bodies are UTF-8: another declared charset is a 415, bytes that are not UTF-8 a 400 (middleware/charset.ts);
  // so are the query's percent-escapes (a windows-1251 city name is a 400 saying so, not a 404).
  app.use(`${API_PREFIX}/*`, utf8Body());
  app.use(`${API_PREFIX}/*`, utf8Query());
  if (config.metrics.enabled && isMetricsEndpoint(services.metrics)) registerMetricsRoute(app, services.metrics, config.metrics.access, auth);

  app.openAPIRegistry.registerComponent('securitySchemes', 'basicAuth', {
    type: 'http',
    scheme: 'basic',
    description: 'HTTP Basic: пользователь и пароль из конфигурации ReGate (regate user add)',
  });

  registerRoutes(app, services, config);

  registerWebhookDocs(app.openAPIRegistry, { status: ORDER_STATUS, payment: PAYMENT_STATUS });

  // Generated once, on first request (the routes are all registered by then), from the same zod schemas the server
  // validates with, then completed with what middleware adds to every operation (schemas/document.ts).
  let document: string | undefined;
  app.get('/openapi.json', (c) => {
    document ??= JSON.stringify(
      // What a configuration other than УТ leaves empty or refuses, per method (issue 18.5).
      addConfigurationNotes(finishDocument(
        app.getOpenAPI31Document({
          openapi: '3.1.0',
          info: {
            title: 'ReGate API',
            version: VERSION,
            description:
              'REST API шлюза ReGate между Richest.store и базой 1С (УТ 11, КА 2 / ERP 2, УНФ 3.0, БП 3.0, Розница 2.2: что метод делает в каждой — «По конфигурациям 1С» в его описании). Все методы /api/v1 требуют Basic-авторизации. ' +
              'Каталог отдаётся из локального зеркала; заказы и оплаты принимаются в надёжную очередь и доставляются в 1С ровно один раз.',
          },
          // Not the request's Host (a client could make the document point anywhere): the configured public URL, else
          // '/' — relative to wherever the document was fetched from (OpenAPI 3.1 §4.8.5).
          servers: [{ url: config.server.publicUrl ?? '/', description: 'этот сервер ReGate' }],
          security: [{ basicAuth: [] }],
        }),
        { apiPrefix: API_PREFIX, rateLimitHeaders: true, tags: TAGS },
      ), config.onec.profile),
    );
    return c.body(document, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });

  // Swagger UI with its assets served locally: the demo and customer servers may have no internet access.
  app.get('/docs', swaggerUI({ url: '/openapi.json', baseUrl: '/docs/assets', title: 'ReGate API', persistAuthorization: true }));
  const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  app.get('/docs/assets/swagger-ui-dist/:file', async (c) => {
    const file = normalize(c.req.param('file'));
    if (file.includes('/') || file.includes('..')) return c.notFound();
    try {
      const body = await readFile(join(swaggerDir, file));
      const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.js') ? 'application/javascript' : 'application/octet-stream';
      return c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
    } catch {
      return c.notFound();
    }
  });
  app.get('/', (c) => c.redirect('/docs'));

  return app;
}
