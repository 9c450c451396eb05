import { z } from '@hono/zod-openapi';
import { nextField, RefId, text } from './common.js';

export const StateSchema = z
  .object({
    regate: z.object({ version: z.string() }).openapi({ description: 'Версия ReGate' }),
    platform: z.string().nullable().openapi({ description: 'Версия платформы 1С:Предприятие' }),
    configuration: z
      .object({ name: z.string(), version: z.string() })
      .nullable()
      .openapi({ description: 'Конфигурация 1С и её версия (из регистра ВерсииПодсистем)' }),
    organisation: z
      .object({
        id: z.string(),
        name: z.string(),
        fullName: z.string(),
        inn: z.string().openapi({ description: 'ИНН' }),
        kpp: z.string().openapi({ description: 'КПП' }),
        ogrn: z.string().openapi({ description: 'ОГРН' }),
        address: z.string().openapi({ description: 'Юридический адрес' }),
        bankAccount: z
          .object({ account: z.string(), bank: z.string(), bik: z.string(), correspondentAccount: z.string() })
          .nullable()
          .openapi({ description: 'Расчётный счёт' }),
      })
      .nullable()
      .openapi({ description: 'Организация и её реквизиты' }),
    mirror: z
      .object({ syncedAt: z.string().nullable(), stockSyncedAt: z.string().nullable(), generation: z.number() })
      .openapi({ description: 'Свежесть локального зеркала каталога' }),
  })
  .openapi('State', {
    example: {
      regate: { version: '0.1.0' },
      platform: '8.3.27.1644',
      configuration: { name: 'УправлениеТорговлей', version: '11.5.18.41' },
      organisation: {
        id: '5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b',
        name: 'ООО "Ромашка"',
        fullName: 'Общество с ограниченной ответственностью "Ромашка"',
        inn: '7707083893',
        kpp: '770701001',
        ogrn: '1027700132195',
        address: '101000, г. Москва, ул. Мясницкая, д. 1',
        bankAccount: { account: '40702810900000000001', bank: 'ПАО Сбербанк', bik: '044525225', correspondentAccount: '30101810400000000225' },
      },
      mirror: { syncedAt: '2026-11-29T05:30:00.000Z', stockSyncedAt: '2026-11-29T05:58:00.000Z', generation: 42 },
    },
  });

export const CitiesSchema = z
  .object({ cities: z.array(z.object({ name: z.string(), stores: z.number().int() })) })
  .openapi('Cities', { example: { cities: [{ name: 'Москва', stores: 2 }, { name: 'Казань', stores: 1 }] } });

export const CityQuery = z.object({
  city: text({ min: 1, max: 200 }).openapi({ description: 'Название города (как в ответе city)', example: 'Москва' }),
});

export const StoresSchema = z
  .object({
    city: z.string(),
    stores: z.array(z.object({ id: z.string(), name: z.string(), address: z.string() })),
  })
  .openapi('CityStores', {
    example: { city: 'Москва', stores: [{ id: '5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b', name: 'Склад Москва-Север', address: '127000, Москва, ул. Складская, д. 5' }] },
  });

export const StoreQuery = z.object({ store: RefId('Идентификатор склада (из citystore)') });

// Recursive: named so the OpenAPI generator emits a $ref instead of recursing forever.
const GroupNode: z.ZodType<any> = z
  .object({
    id: z.string(),
    name: z.string(),
    itemCount: z.number().int().openapi({ description: 'Товаров непосредственно в группе' }),
    totalCount: z.number().int().openapi({ description: 'Товаров в группе и подгруппах' }),
    children: z.array(z.lazy(() => GroupNode)),
  })
  .openapi('GroupNode');

export const StoreTableSchema = z
  .object({
    store: z.object({ id: z.string(), name: z.string() }),
    groups: z.array(GroupNode).openapi({ description: 'Дерево групп и подгрупп товаров, которые есть на складе' }),
    ungroupedCount: z.number().int(),
  })
  .openapi('StoreTable', {
    example: {
      store: { id: '5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b', name: 'Склад Москва-Север' },
      groups: [{ id: '1a2b3c4d-0000-4000-8000-000000000001', name: 'Бакалея', itemCount: 0, totalCount: 12, children: [{ id: '1a2b3c4d-0000-4000-8000-000000000002', name: 'Крупы', itemCount: 12, totalCount: 12, children: [] }] }],
      ungroupedCount: 0,
    },
  });

export const AssortmentQuery = z.object({
  store: RefId('Идентификатор склада'),
  property: z
    .string()
    .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}:.{1,200}$/, 'ожидается <id свойства>:<значение> из GET /api/v1/properties')
    .optional()
    .openapi({ description: 'Новое (v1, добавлено): только товары с этим значением свойства — <id свойства>:<id значения> из GET /api/v1/properties. Товар подходит, если значение есть у него самого (properties) или у одного из его вариантов (variants[].properties — у каких именно, видно там); варианты в ответе не отбрасываются', example: '81629aec-bcf7-4310-802e-a18c02349a18:1367ae8c-a9c7-4d47-ab98-b6323b42d04f' }),
  group: RefId('Группа товаров (включая подгруппы)').optional(),
  q: text({ min: 1, max: 200 }).optional().openapi({ description: 'Поиск по наименованию, артикулу или точному штрихкоду (товара, его варианта или упаковки)', example: 'гречка' }),
  changedSince: z.iso
    .datetime({ offset: true, message: 'ожидается дата и время ISO 8601, например 2026-11-29T00:00:00Z' })
    .optional()
    .openapi({ description: 'Только товары, изменившиеся после этого момента (ISO 8601): карточка, цены или остатки', example: '2026-11-28T00:00:00Z' }),
  // One paging convention for every list (issue 15): `limit`, `after` (a cursor: take it from `next`) and `next` in the
  // answer. page/pageSize stay as aliases for clients written before it.
  limit: z.coerce.number().int('целое число').min(1, 'от 1').max(1000, 'не больше 1000').optional().openapi({ description: 'Товаров на странице (до 1000, по умолчанию 100)', example: 100 }),
  after: z.coerce
    .number()
    .int('целое число')
    .min(0, 'от 0')
    .max(100_000_000)
    .optional()
    // no example: Swagger UI's "Try it out" sends every example, and a cursor next to page= is a 400
    .openapi({ description: 'Курсор следующей страницы: берите готовый адрес из поля next предыдущего ответа' }),
  page: z.coerce.number().int('целое число').min(1, 'от 1').max(100_000).optional().openapi({ description: 'Номер страницы, с 1 (прежний способ; новый — after из next)', default: 1 }),
  pageSize: z.coerce.number().int('целое число').min(1, 'от 1').max(1000, 'не больше 1000').optional().openapi({ description: 'Товаров на странице (прежнее имя limit)', default: 100 }),
}).superRefine((q, ctx) => {
  if (q.after !== undefined && q.page !== undefined) ctx.addIssue({ code: 'custom', path: ['after'], message: 'after и page вместе не передаются: следующая страница — адрес из next' });
  if (q.limit !== undefined && q.pageSize !== undefined && q.limit !== q.pageSize) ctx.addIssue({ code: 'custom', path: ['limit'], message: 'limit и pageSize — одно и то же: передайте одно' });
  const size = q.limit ?? q.pageSize ?? 100;
  if (q.after !== undefined && q.after % size !== 0) ctx.addIssue({ code: 'custom', path: ['after'], message: `after должен быть кратен limit (${size}): берите адрес из next` });
});

/** The service's page of an assortment query, from either paging style. */
export function assortmentPage(q: { limit?: number; after?: number; page?: number; pageSize?: number }): { page: number; pageSize: number } {
  const pageSize = q.limit ?? q.pageSize ?? 100;
  return { pageSize, page: q.after !== undefined ? q.after / pageSize + 1 : (q.page ?? 1) };
}

/**
 * The next page's address (path and query, relative to the server) or null on the last page: the request's own
 * filters, with limit and after instead of page/pageSize.
 */
export function nextPage(requestUrl: string, at: { page: number; pageSize: number; total: number }): string | null {
  if (at.page * at.pageSize >= at.total) return null;
  const url = new URL(requestUrl);
  for (const k of ['page', 'pageSize', 'limit', 'after']) url.searchParams.delete(k);
  url.searchParams.set('limit', String(at.pageSize));
  url.searchParams.set('after', String(at.page * at.pageSize));
  return `${url.pathname}?${url.searchParams}`;
}

/** Issue 17 (additive: API v1, new optional fields; a client that ignores them sees the answer it always saw). */
const BarcodeSchema = z
  .object({
    barcode: z.string().openapi({ example: '4607001771234' }),
    type: z.enum(['EAN-13', 'EAN-8', 'UPC-A', 'GTIN-14', 'Code128', 'other']).openapi({
      description: 'Тип штрихкода: по длине и контрольной цифре GS1 (1С тип не хранит): EAN-13, EAN-8, UPC-A, GTIN-14; иначе печатные ASCII — Code128; прочее — other',
    }),
  })
  .openapi('Barcode');

/** An exported property with its value, as items and variants show it (issue 17). */
const PropertyValueSchema = z.object({ id: z.string().openapi({ description: 'Свойство' }), name: z.string().openapi({ example: 'Материал' }), value: z.string().openapi({ example: 'Хлопок' }), valueId: z.string().nullable().openapi({ description: 'Id значения (для property=), null — значение-строка/число/да-нет (тогда в property= передаётся само значение)' }) });

export const VariantSchema = z
  .object({
    id: z.string().openapi({ description: 'Идентификатор характеристики (Справочник.ХарактеристикиНоменклатуры, Ref_Key): передаётся в booking как variantId' }),
    name: z.string().openapi({ description: 'Наименование характеристики (размер, цвет…)', example: '70×140 см' }),
    fullName: z.string().openapi({ description: 'Полное наименование характеристики' }),
    typedBarcodes: z.array(BarcodeSchema).openapi({ description: 'Штрихкоды этой характеристики с типом' }),
    stock: z.union([z.number(), z.literal('без ограничения')]).openapi({ description: 'Остаток характеристики на складе' }),
    price: z.number().nullable().openapi({ description: 'Розничная цена характеристики; если в 1С у характеристики своей цены нет — цена товара' }),
    priceOverX1: z.number().nullable().openapi({ description: 'Цена при объёме больше X1 (своя или товара)' }),
    priceOverX2: z.number().nullable().openapi({ description: 'Цена при объёме больше X2 (своя или товара)' }),
    properties: z.array(PropertyValueSchema).optional().openapi({
      description:
        'Новое (v1, добавлено): свойства самой характеристики (ДополнительныеРеквизиты характеристики в 1С, например Цвет) — в том же виде, что properties товара; ' +
        'какие выгружаются — catalog.exportProperties; поля нет, если их нет. assortment?property= находит товар, если значение есть у него или у одного из его вариантов: у каких — видно здесь',
    }),
  })
  .openapi('Variant');

export const PropertiesSchema = z
  .object({
    properties: z.array(
      z.object({
        id: z.string().openapi({ description: 'Свойство (ПланВидовХарактеристик.ДополнительныеРеквизитыИСведения)' }),
        name: z.string().openapi({ description: 'Заголовок свойства', example: 'Материал' }),
        values: z.array(z.object({ id: z.string().openapi({ description: 'Для assortment?property=<id свойства>:<id>' }), name: z.string(), items: z.number().int().openapi({ description: 'Сколько товаров (на всех складах) с этим значением — у самого товара или у одного из его вариантов (характеристик); товар считается один раз' }) })),
      }),
    ),
  })
  .openapi('Properties', {
    example: { properties: [{ id: '81629aec-bcf7-4310-802e-a18c02349a18', name: 'Материал', values: [{ id: '1367ae8c-a9c7-4d47-ab98-b6323b42d04f', name: 'Хлопок', items: 7 }] }, { id: '4217749d-c395-43d7-92ac-e870923bc55f', name: 'Гипоаллергенный', values: [{ id: 'false', name: 'false', items: 5 }, { id: 'true', name: 'true', items: 2 }] }, { id: '5c1e7a20-3f4b-4d8e-9a61-0b2d7c9e4f13', name: 'Цвет', values: [{ id: '9d3f2b61-7c4e-4a15-8e02-6b1a5c7d3e28', name: 'Графит', items: 4 }] }] },
  });

export const AssortmentItemSchema = z
  .object({
    id: z.string().openapi({ description: 'Идентификатор номенклатуры (Ref_Key)' }),
    article: z.string().openapi({ description: 'Артикул' }),
    name: z.string().openapi({ description: 'Наименование' }),
    fullName: z.string().openapi({ description: 'Полное наименование' }),
    groupId: z.string().nullable().openapi({ description: 'Группа товаров' }),
    country: z.string().nullable().openapi({ description: 'Страна происхождения' }),
    brand: z.string().nullable().openapi({ description: 'Бренд (марка)' }),
    barcodes: z.array(z.string()).openapi({ description: 'Штрихкоды товара, как и раньше в v1 — вместе со штрихкодами его упаковок (коробки, порции: какой упаковке принадлежит штрихкод и её коэффициент — в packagings[].typedBarcodes); штрихкоды характеристик — в variants[]' }),
    shortDescription: z.string().openapi({
      description:
        'Краткое описание: текстовое описание товара в 1С (Номенклатура.Описание). Пустая строка, если в 1С его нет — наименование сюда не подставляется. ' +
        'Источник настраивается (catalog.descriptions.short: description | siteFile | none)',
      example: 'Гречневая крупа ядрица первого сорта, пачка 900 г.',
    }),
    description: z.string().openapi({
      description:
        'Полное описание: текст файла описания для сайта, присоединённого к товару в 1С (Номенклатура.ФайлОписанияДляСайта). HTML-файл отдаётся разметкой ' +
        'содержимого <body>, текстовый — текстом. Пустая строка, если файла нет. Источник настраивается (catalog.descriptions.full: siteFile | description | none); ' +
        'краткое и полное описание никогда не берутся из одного источника',
      example: '<h2>Крупа гречневая «Агро-Альянс»</h2>\n<p>Ядрица первого сорта. Производство: Россия.</p>',
    }),
    icons: z.array(z.string()).openapi({ description: 'Адреса иконок товара на этом сервере ReGate: подписаны и открываются без авторизации до expires (catalog.pictureLinkTtlHours, по умолчанию 7 суток) — их можно ставить в <img>; при pictureLinkTtlHours: 0 — без подписи, с Basic-авторизацией' }),
    unit: z.string().openapi({ description: 'Единица измерения: кг, л или шт' }),
    portion: z
      .object({ size: z.number(), unit: z.string() })
      .nullable()
      .openapi({ description: 'Объём порции с единицей (например 0.170 кг)' }),
    minQuantity: z.number().openapi({ description: 'Минимальный объём заказа, в единицах измерения' }),
    multiplicity: z.number().openapi({ description: 'Кратность увеличения объёма при заказе' }),
    stock: z
      .union([z.number(), z.literal('без ограничения')])
      .openapi({ description: 'Сколько склад ещё может обещать: остаток из последней синхронизации с 1С за вычетом заказов ReGate, которых 1С ещё не учёл; для товаров под заказ — строка «без ограничения». Сразу после бронирования при высокой нагрузке цифра может отставать до 1 с; бронирование всегда проверяет точный остаток' }),
    price: z.number().nullable().openapi({ description: 'Розничная цена за единицу по отпускному прайс-листу' }),
    priceOverX1: z.number().nullable().openapi({ description: 'Цена за единицу, если объём больше X1 единиц' }),
    x1: z.number().openapi({ description: 'Порог X1, единиц' }),
    priceOverX2: z.number().nullable().openapi({ description: 'Цена за единицу, если объём больше X2 единиц' }),
    x2: z.number().openapi({ description: 'Порог X2, единиц' }),
    changedAt: z.string().openapi({ description: 'Когда товар последний раз изменился в зеркале' }),
    typedBarcodes: z.array(BarcodeSchema).optional().openapi({ description: 'Новое (v1, добавлено): штрихкоды единицы товара с типом. Штрихкоды характеристик — в variants[].typedBarcodes, штрихкоды упаковок — только в packagings[].typedBarcodes (в barcodes они остаются, как было в v1; поиск q= по ним находит товар)' }),
    vatRate: z.number().nullable().optional().openapi({ description: 'Новое (v1, добавлено): ставка НДС товара в процентах — из регистра СтавкиНДСНоменклатуры, где база его публикует (УТ 11.5.20: последняя запись для страны организации или без страны), иначе Номенклатура.СтавкаНДС; null — без НДС или неизвестна', example: 20 }),
    pricesIncludeVat: z.boolean().nullable().optional().openapi({ description: 'Новое (v1, добавлено): цены включают НДС (ВидыЦен.ЦенаВключаетНДС розничного вида цены); null — ещё неизвестно' }),
    properties: z
      .array(PropertyValueSchema)
      .optional()
      .openapi({ description: 'Новое (v1, добавлено): дополнительные реквизиты товара (ДополнительныеРеквизиты в 1С), какие выгружаются — настройка catalog.exportProperties; поля нет, если их нет. Свойства характеристик — в variants[].properties' }),
    packagings: z
      .array(
        z.object({
          id: z.string().openapi({ description: 'Упаковка (Ref_Key справочника УпаковкиЕдиницыИзмерения)' }),
          name: z.string().openapi({ example: 'Коробка (12 шт)' }),
          ratio: z.number().openapi({ description: 'Сколько единиц товара (unit) в одной упаковке', example: 12 }),
          price: z.number().nullable().openapi({ description: 'Розничная цена одной упаковки: price × ratio', example: 7080 }),
          typedBarcodes: z.array(BarcodeSchema).openapi({
            description: 'Штрихкоды самой упаковки с типом (в 1С — штрихкод с заполненной Упаковкой: GTIN-14 коробки, EAN порции); их нет в typedBarcodes товара (в barcodes они есть, как было в v1), поиск q= по ним находит товар',
          }),
        }),
      )
      .optional()
      .openapi({
        description:
          'Новое (v1, добавлено): упаковки, которыми товар можно продавать (коробка по 12 шт) — упаковки товара в 1С (УпаковкиЕдиницыИзмерения, владелец — товар) ' +
          'с коэффициентом ratio. stock, price и x1/x2 остаются в единицах товара; поля нет, если упаковок нет',
      }),
    prices: z
      .array(z.object({ priceKindId: z.string(), name: z.string().openapi({ example: 'Розничная' }), price: z.number() }))
      .optional()
      .openapi({ description: 'Новое (v1, добавлено): цены товара по видам цен — розничный, оптовые и дополнительные из настройки catalog.extraPriceKinds' }),
    variants: z.array(VariantSchema).optional().openapi({
      description:
        'Новое (v1, добавлено): варианты — характеристики, в которых товар продаётся (размеры, цвета), со своими остатком, ценами и штрихкодами. ' +
        'Есть только у товаров с характеристиками (ИспользованиеХарактеристик в 1С); у остальных поля нет. stock товара — сумма по вариантам',
    }),
  })
  .openapi('AssortmentItem');

export const AssortmentSchema = z
  .object({
    store: z.object({ id: z.string(), name: z.string() }),
    total: z.number().int().openapi({ description: 'Всего товаров по запросу' }),
    page: z.number().int(),
    pageSize: z.number().int(),
    items: z.array(AssortmentItemSchema),
    next: nextField,
  })
  .openapi('Assortment', {
    example: {
      store: { id: '5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b', name: 'Склад Москва-Север' },
      total: 250,
      page: 1,
      pageSize: 100,
      next: '/api/v1/assortment?store=5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b&limit=100&after=100',
      items: [
        {
          id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
          article: 'KR-0012',
          name: 'Крупа гречневая 900 г',
          fullName: 'Крупа гречневая ядрица, 900 г',
          groupId: '1a2b3c4d-0000-4000-8000-000000000002',
          country: 'Россия',
          brand: 'Агро-Альянс',
          barcodes: ['4607001771234'],
          shortDescription: 'Гречневая крупа ядрица первого сорта, пачка 900 г.',
          description: '<h2>Крупа гречневая «Агро-Альянс»</h2>\n<p>Ядрица первого сорта. Производство: Россия.</p>',
          icons: ['https://regate.example.ru/api/v1/picture/0b1c2d3e-4f50-4a6b-8c7d-8e9f0a1b2c3d'],
          unit: 'шт',
          portion: { size: 0.9, unit: 'кг' },
          minQuantity: 1,
          multiplicity: 1,
          stock: 120,
          price: 129.9,
          priceOverX1: 119.9,
          x1: 10,
          priceOverX2: 109.9,
          x2: 100,
          changedAt: '2026-11-29T05:30:00.000Z',
          typedBarcodes: [{ barcode: '4607001771234', type: 'EAN-13' }],
          vatRate: 10,
          pricesIncludeVat: true,
          packagings: [{ id: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918', name: 'Коробка (12 шт)', ratio: 12, price: 1558.8, typedBarcodes: [{ barcode: '14607001771231', type: 'GTIN-14' }] }],
        },
        {
          id: '3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b',
          article: 'ТД-000102',
          name: 'Полотенце махровое «Уют» хлопок 100%',
          fullName: 'Полотенце махровое, хлопок 100%',
          groupId: '1a2b3c4d-0000-4000-8000-000000000009',
          country: 'Россия',
          brand: 'Уют',
          barcodes: ['4601234000109'],
          shortDescription: 'Полотенце махровое торговой марки «Уют».',
          description: '',
          icons: [],
          unit: 'шт',
          portion: null,
          minQuantity: 1,
          multiplicity: 1,
          stock: 42,
          price: 590,
          priceOverX1: null,
          x1: 10,
          priceOverX2: null,
          x2: 100,
          changedAt: '2026-11-29T05:30:00.000Z',
          typedBarcodes: [{ barcode: '4601234000109', type: 'EAN-13' }],
          vatRate: 20,
          pricesIncludeVat: true,
          variants: [
            { id: 'a1b2c3d4-0000-4000-8000-000000000301', name: '30×50 см', fullName: 'Полотенце махровое, 30×50 см', typedBarcodes: [{ barcode: '2000000001029', type: 'EAN-13' }], stock: 15, price: 590, priceOverX1: null, priceOverX2: null, properties: [{ id: '5c1e7a20-3f4b-4d8e-9a61-0b2d7c9e4f13', name: 'Цвет', value: 'Белый', valueId: '2a7c9e14-6b3d-4f58-a0c2-8e1d5b7f9a36' }] },
            { id: 'a1b2c3d4-0000-4000-8000-000000000302', name: '50×90 см', fullName: 'Полотенце махровое, 50×90 см', typedBarcodes: [{ barcode: '2010000001028', type: 'EAN-13' }], stock: 12, price: 590, priceOverX1: null, priceOverX2: null },
            { id: 'a1b2c3d4-0000-4000-8000-000000000303', name: '70×140 см', fullName: 'Полотенце махровое, 70×140 см', typedBarcodes: [{ barcode: '2020000001027', type: 'EAN-13' }], stock: 15, price: 790, priceOverX1: null, priceOverX2: null },
          ],
        },
      ],
    },
  });
