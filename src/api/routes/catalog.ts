import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { App } from '../app.js';
import { API_PREFIX } from '../app.js';
import type { AssortmentItem, CatalogService } from '../../catalog/service.js';
import { promisedFigure } from '../../orders/promise.js';
import { VERSION } from '../../version.js';
import { ApiError, ErrorSchema } from '../errors.js';
import { isLoopback, peerAddress } from '../middleware/client.js';
import { ResponseCache } from '../response-cache.js';
import type { PictureLinks } from '../middleware/picture-links.js';
import { errorResponses, notFound, notModified, RefId } from '../schemas/common.js';
import {
  assortmentPage,
  AssortmentQuery,
  AssortmentSchema,
  nextPage,
  CitiesSchema,
  CityQuery,
  PropertiesSchema,
  StateSchema,
  StoreQuery,
  StoresSchema,
  StoreTableSchema,
} from '../schemas/catalog.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const tags = ['Каталог'];

/**
 * Every catalogue answer carries the mirror's time (X-Mirror-Time) and an ETag. The answer is a pure function of
 * the mirror generation and the request URL, so the ETag is derived from those two without serialising anything,
 * and a matching If-None-Match costs one meta lookup and answers 304.
 */
/** How this ReGate is reached: server.publicUrl, and whether to believe a loopback proxy's X-Forwarded-Proto. */
interface Where {
  publicUrl?: string;
  trustProxy?: boolean;
  /** catalog.responseCacheMB: bytes of gzip answers kept (api/response-cache.ts); the ResponseCache's default when not given. */
  responseCacheMB?: number;
  /**
   * Our own orders the mirror does not show yet, per warehouse (orders/promise.ts holdsOf): the assortment's stock
   * is the mirror's less these (issue 14.1), the figure a booking is checked against. `version` changes with them
   * and goes into the ETag and the kept answer's key; '' when there are none.
   */
  holds?: (store: string) => { version: string; held: Map<string, number>; variants?: Map<string, number> };
  /**
   * Items that left the warehouse after changedSince (orders/departed.ts): 1C drops a zero balance, so a sold-out
   * item is no longer carried and changedSince alone never said so (issue 14.7). Answered with stock 0 after the
   * carried items of a changedSince query, paged with them.
   */
  departed?: (q: { store: string; changedSince: string; group?: string; q?: string }) => AssortmentItem[];
  /** Signs icon URLs (middleware/picture-links.ts); their time slot is part of the ETag and the kept answer's key. */
  pictureLinks?: PictureLinks;
}

/**
 * Issue 17: each variant's stock less our own lines of that variant the mirror does not show yet (holdsOf().variants,
 * keyed item#variant), as the item's figure is — what a booking of that variant is checked against.
 */
function promisedVariants(i: AssortmentItem, held: Map<string, number> | undefined): Pick<AssortmentItem, 'variants'> | undefined {
  if (!i.variants || !held?.size) return undefined;
  return { variants: i.variants.map((v) => ({ ...v, stock: promisedFigure(v.stock, held.get(`${i.id}#${v.id}`)) })) };
}

function conditional(c: Context, catalog: CatalogService, where: Where, extra = ''): Response | undefined {
  const state = catalog.state();
  c.set('mirrorGeneration' as never, state.generation as never);
  const url = new URL(c.req.url);
  // The origin is part of the answer (absolute icon URLs), so it is part of the ETag: an ETag got through one Host
  // must not earn a 304 through another whose icons differ.
  const slot = where.pictureLinks ? `-${where.pictureLinks.slot()}` : '';
  const etag = `W/"${state.generation}${slot}-${createHash('sha1').update(originOf(c, where) + url.pathname + url.search + extra).digest('base64url').slice(0, 16)}"`;
  c.header('ETag', etag);
  c.header('Cache-Control', 'private, no-cache');
  if (state.stockSyncedAt) c.header('X-Mirror-Time', state.stockSyncedAt);
  const inm = c.req.header('if-none-match');
  if (inm && inm.split(',').some((t) => t.trim() === etag)) return c.body(null, 304);
  return undefined;
}

/**
 * Where Richest.store reaches us: server.publicUrl, else the request's own origin — the Host the proxy forwards
 * (ProxyPreserveHost) and, from our loopback proxy only, X-Forwarded-Proto: Apache/IIS terminate TLS and talk plain
 * http to us, and an http:// icon URL would have the store send its Basic credentials in clear.
 */
function originOf(c: Context, where: Where): string {
  if (where.publicUrl) return where.publicUrl.replace(/\/+$/, '');
  const url = new URL(c.req.url);
  if (where.trustProxy !== false && isLoopback(peerAddress(c))) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0].trim().toLowerCase();
    if (proto === 'https' || proto === 'http') url.protocol = `${proto}:`;
  }
  return url.origin;
}

const PICTURE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jpe: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  ico: 'image/x-icon',
  svg: 'image/svg+xml',
  avif: 'image/avif',
};

function absolute(c: Context, path: string, where: Where) {
  return `${originOf(c, where)}${path}`;
}

export function registerCatalogRoutes(app: App, catalog: CatalogService, opts: Where = {}) {
  // The mirror's change log as the cache's feed (issue 19.3): a stock sync drops only the pages it changed.
  const cache = new ResponseCache(opts.responseCacheMB !== undefined ? opts.responseCacheMB * 1024 * 1024 : undefined, (a, b) => catalog.changesBetween(a, b));
  /** The answer for this URL from kept bytes, computing it once per mirror generation (icons carry the origin). */
  const kept = (c: Context, compute: () => unknown, extra = '') => {
    const url = new URL(c.req.url);
    const generation = c.get('mirrorGeneration' as never) as number;
    const slot = opts.pictureLinks ? `${opts.pictureLinks.slot()} ` : '';
    return cache.answer(c, generation, `${slot}${originOf(c, opts)}${url.pathname}${url.search}${extra ? `#${extra}` : ''}`, compute) as never;
  };
  app.openapi(
    createRoute({
      method: 'get',
      path: `${API_PREFIX}/state`,
      operationId: 'getState',
      tags,
      summary: 'Версия 1С и конфигурации, реквизиты организации, свежесть зеркала',
      responses: { 200: json(StateSchema, 'Состояние'), ...notModified, ...errorResponses },
    }),
    (c) => {
      const early = conditional(c, catalog, opts);
      if (early) return early as never;
      const { organisation, configuration } = catalog.organisation();
      const state = catalog.state();
      return c.json(
        {
          regate: { version: VERSION },
          platform: configuration?.platform ?? null,
          configuration: configuration ? { name: configuration.name, version: configuration.version } : null,
          organisation,
          mirror: { syncedAt: state.syncedAt, stockSyncedAt: state.stockSyncedAt, generation: state.generation },
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${API_PREFIX}/city`,
      operationId: 'listCities',
      tags,
      summary: 'Города, в которых есть склады',
      responses: { 200: json(CitiesSchema, 'Список городов'), ...notModified, ...errorResponses },
    }),
    (c) => conditional(c, catalog, opts) ?? kept(c, () => ({ cities: catalog.cities() })),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${API_PREFIX}/citystore`,
      operationId: 'listCityStores',
      tags,
      summary: 'Склады в городе',
      request: { query: CityQuery },
      responses: { 200: json(StoresSchema, 'Склады города'), ...notModified, ...errorResponses, ...notFound('Город') },
    }),
    (c) => {
      const { city } = c.req.valid('query');
      return conditional(c, catalog, opts) ?? kept(c, () => ({ city, stores: catalog.storesInCity(city) }));
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${API_PREFIX}/storetable`,
      operationId: 'getStoreTable',
      tags,
      summary: 'Группы и подгруппы товаров на складе (дерево с количеством товаров)',
      request: { query: StoreQuery },
      responses: { 200: json(StoreTableSchema, 'Дерево групп'), ...notModified, ...errorResponses, ...notFound('Склад') },
    }),
    (c) => conditional(c, catalog, opts) ?? kept(c, () => catalog.storeTable(c.req.valid('query').store)),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${API_PREFIX}/properties`,
      operationId: 'listProperties',
      tags,
      summary: 'Свойства товаров и их значения — для фильтров магазина (новое в v1)',
      description: 'Дополнительные реквизиты номенклатуры из 1С, которые выгружаются (catalog.exportProperties), со значениями, которые есть у товаров. Отбор: assortment?property=<id свойства>:<id значения>.',
      responses: { 200: json(PropertiesSchema, 'Свойства'), ...notModified, ...errorResponses },
    }),
    (c) => conditional(c, catalog, opts) ?? kept(c, () => ({ properties: catalog.properties() })),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${API_PREFIX}/assortment`,
      operationId: 'listAssortment',
      tags,
      summary: 'Номенклатура склада постранично: цены, остатки, штрихкоды, иконки',
      request: { query: AssortmentQuery },
      responses: { 200: json(AssortmentSchema, 'Страница ассортимента'), ...notModified, ...errorResponses, ...notFound('Склад или группа') },
    }),
    (c) => {
      const holds = opts.holds?.(c.req.valid('query').store);
      const early = conditional(c, catalog, opts, holds?.version);
      if (early) return early as never;
      return kept(
        c,
        () => {
          const { limit: _l, after: _a, page: _p, pageSize: _s, ...filters } = c.req.valid('query');
          const at = assortmentPage(c.req.valid('query'));
          // The generation conditional() read for the ETag: the page is computed against it without reading meta again.
          const result = catalog.assortment({ ...filters, ...at }, c.get('mirrorGeneration' as never) as number);
          // A changedSince query lists the carried items that changed, then those that left the warehouse since
          // (stock 0), paged as one list: this page takes the departures its room and offset reach.
          let gone: AssortmentItem[] = [];
          let total = result.total;
          if (filters.changedSince && opts.departed) {
            const all = opts.departed({ ...filters, changedSince: filters.changedSince });
            total += all.length;
            const start = Math.max(0, (at.page - 1) * at.pageSize - result.total);
            gone = all.slice(start, start + Math.max(0, at.pageSize - result.items.length));
          }
          const icons = (i: AssortmentItem) => i.icons.map((p) => (opts.pictureLinks ? opts.pictureLinks.sign(absolute(c, p, opts)) : absolute(c, p, opts)));
          return {
            ...result,
            total,
            items: [...result.items.map((i) => ({ ...i, stock: promisedFigure(i.stock, holds?.held.get(i.id)), ...promisedVariants(i, holds?.variants), icons: icons(i) })), ...gone.map((i) => ({ ...i, icons: icons(i) }))],
            next: nextPage(c.req.url, { ...result, total }),
          };
        },
        holds?.version,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${API_PREFIX}/picture/{id}`,
      operationId: 'getPicture',
      tags,
      summary: 'Картинка товара (из 1С, кэшируется в ReGate)',
      description:
        'Адреса из icons подписаны (expires и signature) и открываются без Basic-авторизации до expires — их можно ставить прямо в <img>. ' +
        'Без подписи (или с истёкшей) нужна Basic-авторизация, как у остальных методов.',
      // either credential: Basic, or the signed link's query (no OpenAPI security scheme describes an HMAC in the query)
      security: [{ basicAuth: [] }, {}] as { basicAuth?: string[] }[],
      request: {
        params: z.object({ id: RefId('Идентификатор файла картинки (из icons)') }),
        query: z.object({
          expires: z.string().regex(/^[0-9]{1,12}$/, 'время Unix в секундах').optional().openapi({ description: 'До какого времени действует подписанный адрес (секунды Unix): часть адреса из icons', example: '1796630400' }),
          signature: z.string().max(64).optional().openapi({ description: 'Подпись адреса (base64url HMAC-SHA256): часть адреса из icons', example: 'q7bD1cVw2o0n6f3Y1uQk8m4xJz9sR5tE0aLhPgW2NcI' }),
        }),
      },
      responses: {
        200: {
          description: 'Картинка: тип по расширению файла в 1С (image/jpeg, image/png, …), неизвестный — application/octet-stream',
          headers: {
            'Cache-Control': { $ref: '#/components/headers/Cache-Control' },
            'X-Content-Type-Options': { $ref: '#/components/headers/X-Content-Type-Options' },
            'Content-Security-Policy': { $ref: '#/components/headers/Content-Security-Policy' },
          },
          content: {
            'image/*': { schema: z.any().openapi({ type: 'string', format: 'binary' }) },
            'application/octet-stream': { schema: z.any().openapi({ type: 'string', format: 'binary' }) },
          },
        },
        ...errorResponses,
        ...notFound('Картинка'),
        503: { description: 'Картинка ещё не загружена из 1С; повторите после Retry-After', content: { 'application/json': { schema: ErrorSchema } } },
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const pic = catalog.picture(id);
      if (!pic) throw ApiError.notFound('Картинка', 'id', id);
      if (!pic.data) throw ApiError.unavailable('Картинка ещё не загружена из 1С; повторите позже', 30);
      // The extension is whatever file a user attached in 1C: known image types by name, anything else as bytes
      // (`image/<ext>` put a Cyrillic extension into a header — a 500 — and gave svg as image/svg).
      const type = PICTURE_TYPES[pic.extension.toLowerCase()] ?? 'application/octet-stream';
      return c.body(new Uint8Array(pic.data), 200, {
        'Content-Type': type,
        'Cache-Control': 'public, max-age=86400',
        'X-Content-Type-Options': 'nosniff',
        // An SVG opened from our origin must not run script.
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      }) as never;
    },
  );
}
