/**
 * What the route definitions cannot say about themselves, added to the generated OpenAPI document in one place:
 * the answers and headers that middleware gives every operation (issue 15). A route declares its own outcomes
 * (200, 404, 409 …); the rate limit (429), the request timeout (504), the body limit and charset check (413, 415),
 * the password check's back-pressure (503 auth_busy) and the headers every answer carries (X-Request-Id,
 * RateLimit, Retry-After, ETag …) come from middleware in app.ts, so they are declared here, next to nothing else,
 * and test/api-contract/declared.test.ts holds the server's real answers against this document.
 */

type Json = Record<string, any>;

/** Response headers, declared once under components.headers and referenced from each answer that sends them. */
export const HEADERS: Record<string, Json> = {
  'X-Request-Id': {
    description:
      'Идентификатор запроса (тот же — в requestId тела ошибки): назовите его администратору ReGate. Нет только в ответах на запросы, ' +
      'которые не дошли до приложения (некорректный HTTP)',
    schema: { type: 'string', maxLength: 64 },
    example: 'e2bce890-394a-4013-9a88-76a7b32fbb5c',
  },
  'Retry-After': {
    description: 'Через сколько секунд повторить запрос',
    schema: { type: 'integer', minimum: 1 },
    example: 30,
  },
  ETag: {
    description: 'Версия ответа каталога: передайте её в If-None-Match, и пока зеркало не обновилось, ответ будет 304 без тела',
    schema: { type: 'string' },
    example: 'W/"42-3q2hGx0fM1RyD5kK"',
  },
  'X-Mirror-Time': {
    description: 'Время последнего обновления остатков и цен в зеркале каталога (ISO 8601, UTC); нет, пока зеркало не загружено',
    schema: { type: 'string', format: 'date-time' },
    example: '2026-11-29T05:58:00.000Z',
  },
  'Cache-Control': {
    description: 'Правила кэширования: ответы каталога — private, no-cache (перепроверять по ETag), картинки — public, max-age=86400',
    schema: { type: 'string' },
    example: 'private, no-cache',
  },
  'WWW-Authenticate': {
    description: 'Схема авторизации: Basic, логин и пароль в UTF-8',
    schema: { type: 'string' },
    example: 'Basic realm="ReGate", charset="UTF-8"',
  },
  RateLimit: {
    description:
      'Остаток лимита запросов (IETF draft-ietf-httpapi-ratelimit-headers): по политике — r запросов осталось, t секунд до полного ' +
      'восстановления. Политика "user" — на пользователя API, "address" — на адрес клиента',
    schema: { type: 'string' },
    example: '"address";r=49999;t=1, "user";r=49999;t=1',
  },
  'RateLimit-Policy': {
    description:
      'Политики лимита (IETF draft-ietf-httpapi-ratelimit-headers): q запросов за окно w секунд; лимит восстанавливается непрерывно ' +
      '(маркерная корзина), поэтому q — это и допустимый всплеск',
    schema: { type: 'string' },
    example: '"address";q=50000;w=10, "user";q=50000;w=10',
  },
  'X-Content-Type-Options': { description: 'nosniff: браузер не угадывает тип картинки по содержимому', schema: { type: 'string', enum: ['nosniff'] } },
  'Content-Security-Policy': {
    description: 'Картинка (в том числе SVG), открытая с адреса ReGate, не выполняет скриптов',
    schema: { type: 'string' },
    example: "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  },
};

const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });
const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** Answers middleware can give any operation, under components.responses. */
const responses = (limits: Json): Record<string, Json> => ({
  TooManyRequests: {
    description:
      'Слишком много запросов с этого адреса или от этого пользователя (rate_limited), либо слишком много неудачных входов (locked_out): ' +
      'повторите через Retry-After секунд',
    headers: { 'Retry-After': ref('Retry-After'), 'X-Request-Id': ref('X-Request-Id'), ...limits },
    content: errorContent,
  },
  Timeout: {
    description: 'Запрос не обработан за server.requestTimeoutMs (timeout): повторите позже',
    headers: { 'X-Request-Id': ref('X-Request-Id'), ...limits },
    content: errorContent,
  },
  PayloadTooLarge: {
    description: 'Тело запроса больше server.bodyLimitBytes (payload_too_large); соединение после ответа закрывается',
    headers: { 'X-Request-Id': ref('X-Request-Id'), ...limits },
    content: errorContent,
  },
  UnsupportedMediaType: {
    description: 'Тело не application/json (unsupported_media_type) или объявлено не в UTF-8 (unsupported_charset)',
    headers: { 'X-Request-Id': ref('X-Request-Id'), ...limits },
    content: errorContent,
  },
});

/** 503 reasons any /api/v1 operation can answer, added to a route's own 503 description. */
const API_503 =
  'Проверка паролей перегружена (auth_busy) или хранилище ReGate недоступно (storage_unavailable): запрос не выполнен, повторите через Retry-After секунд';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export interface FinishOptions {
  /** Paths under this prefix pass auth, the per-user rate limit and the body checks. */
  apiPrefix: string;
  /** RateLimit/RateLimit-Policy on answers: the rate-limit middleware sends them (on every path it limits). */
  rateLimitHeaders: boolean;
  /** Tags in display order, with descriptions. */
  tags: { name: string; description: string }[];
}

/** Adds middleware's answers and headers to every operation of `doc` (mutates and returns it). */
export function finishDocument(doc: Json, opts: FinishOptions): Json {
  doc.components ??= {};
  const headers = Object.entries(HEADERS).filter(([name]) => opts.rateLimitHeaders || !name.startsWith('RateLimit'));
  doc.components.headers = { ...(doc.components.headers ?? {}), ...Object.fromEntries(headers) };
  const limits = opts.rateLimitHeaders ? { RateLimit: ref('RateLimit'), 'RateLimit-Policy': ref('RateLimit-Policy') } : {};
  doc.components.responses = { ...(doc.components.responses ?? {}), ...responses(limits) };
  doc.tags = opts.tags;
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    const api = path.startsWith(`${opts.apiPrefix}/`);
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const responses: Json = op.responses;
      // Every answer that reaches the app carries X-Request-Id (hono/request-id on '*') and passes the per-address
      // limit (/api/v1 also the per-user one), which announces itself.
      const common = (r: Json) => {
        if ('$ref' in r) return;
        r.headers = { ...(r.headers ?? {}), 'X-Request-Id': ref('X-Request-Id'), ...limits };
      };
      for (const r of Object.values<Json>(responses)) common(r);
      if (responses['401']) responses['401'].headers = { ...responses['401'].headers, 'WWW-Authenticate': { ...ref('WWW-Authenticate') } };
      // Catalogue answers are conditional (routes/catalog.ts `conditional`): ETag, Cache-Control and the mirror's time,
      // set before the handler looks the store or city up — so its 404 carries them too.
      if (responses['304']) {
        for (const code of ['200', '304', '404']) {
          if (!responses[code]) continue;
          responses[code].headers = { ...responses[code].headers, ETag: ref('ETag'), 'Cache-Control': ref('Cache-Control'), 'X-Mirror-Time': ref('X-Mirror-Time') };
        }
      }
      if (api) {
        const r503 = (responses['503'] ??= { description: API_503, content: errorContent });
        if (!r503.description.includes('auth_busy')) r503.description = `${r503.description}. Также: ${API_503}`;
        common(r503);
        r503.headers = { ...r503.headers, 'Retry-After': ref('Retry-After') };
      }
      responses['429'] ??= { $ref: '#/components/responses/TooManyRequests' };
      responses['504'] ??= { $ref: '#/components/responses/Timeout' };
      if (op.requestBody) {
        responses['413'] ??= { $ref: '#/components/responses/PayloadTooLarge' };
        responses['415'] ??= { $ref: '#/components/responses/UnsupportedMediaType' };
      }
      op.responses = sortResponses(responses);
    }
  }
  return doc;
}

/** Responses in status order (2xx first), as a reader scans them; object keys keep insertion order. */
function sortResponses(r: Json): Json {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}
