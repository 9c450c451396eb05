/**
 * A small configuration for the engine's own tests (independent of the УТ 11 schema another session writes):
 * catalogs (one hierarchical with an auto code prefix), a document with a tabular part and a posting hook, a balance
 * and a turnovers accumulation register, a periodic recorder-subordinate and an independent information register.
 */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import type { ConfigurationDef } from '../../src/emulator/schema/types.js';

export const G = {
  item1: '11111111-1111-1111-1111-000000000001',
  item2: '11111111-1111-1111-1111-000000000002',
  item3: '11111111-1111-1111-1111-000000000003',
  folder: '11111111-1111-1111-1111-0000000000f0',
  unit: '22222222-2222-2222-2222-000000000001',
  wh1: '33333333-3333-3333-3333-000000000001',
  wh2: '33333333-3333-3333-3333-000000000002',
  client: '44444444-4444-4444-4444-000000000001',
  order1: '55555555-5555-5555-5555-000000000001',
  priceKind: '66666666-6666-6666-6666-000000000001',
  receipt: '77777777-7777-7777-7777-000000000001',
};

/** The 8-byte PNG signature plus a few bytes: enough to be recognised as image/png. */
export const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

export const testConfig: ConfigurationDef = {
  name: 'ТестоваяКонфигурация',
  synonym: 'Тест',
  version: '1.0.0.1',
  platformVersion: '8.3.27.1000',
  enums: { ТипыНоменклатуры: ['Товар', 'Услуга'], СтатусыЗаказовКлиентов: ['НеСогласован', 'КОбеспечению', 'Закрыт'] },
  sets: [
    {
      name: 'Catalog_Номенклатура',
      kind: 'Catalog',
      hierarchical: true,
      codeLength: 11,
      codePrefix: 'УТ-',
      descriptionLength: 100,
      fields: [
        { name: 'Артикул', type: 'Edm.String', maxLength: 25 },
        { name: 'НаименованиеПолное', type: 'Edm.String' },
        { name: 'ЕдиницаИзмерения_Key', type: 'Edm.Guid', ref: 'Catalog_УпаковкиЕдиницыИзмерения' },
        { name: 'ТипНоменклатуры', type: 'Edm.String', enumType: 'ТипыНоменклатуры' },
        { name: 'СрокГодности', type: 'Edm.Int64' },
        { name: 'Вес', type: 'Edm.Double' },
      ],
      tabular: [{ name: 'ДополнительныеРеквизиты', fields: [{ name: 'Значение', type: 'Edm.String' }] }],
    },
    {
      name: 'InformationRegister_ДвоичныеДанныеФайлов',
      kind: 'InformationRegister',
      register: { dimensions: [{ name: 'Файл', type: 'Edm.String', composite: true }], resources: [{ name: 'ДвоичныеДанныеФайла', type: 'Edm.Binary' }] },
    },
    { name: 'Catalog_УпаковкиЕдиницыИзмерения', kind: 'Catalog', codeLength: 9, fields: [] },
    { name: 'Catalog_Склады', kind: 'Catalog', codeLength: 9, fields: [{ name: 'Город', type: 'Edm.String', maxLength: 50 }] },
    {
      name: 'Catalog_Контрагенты',
      kind: 'Catalog',
      codeLength: 9,
      fields: [
        { name: 'ИНН', type: 'Edm.String', maxLength: 12 },
        { name: 'Комментарий', type: 'Edm.String', maxLength: 10 },
      ],
    },
    {
      name: 'Document_ЗаказКлиента',
      kind: 'Document',
      numberLength: 11,
      numberPrefix: 'ТД00-',
      fields: [
        { name: 'Контрагент_Key', type: 'Edm.Guid', ref: 'Catalog_Контрагенты' },
        { name: 'Склад_Key', type: 'Edm.Guid', ref: 'Catalog_Склады' },
        { name: 'СуммаДокумента', type: 'Edm.Double' },
        { name: 'Статус', type: 'Edm.String', enumType: 'СтатусыЗаказовКлиентов' },
        { name: 'Основание', type: 'Edm.String', composite: true },
        { name: 'Комментарий', type: 'Edm.String' },
      ],
      tabular: [
        {
          name: 'Товары',
          fields: [
            { name: 'Номенклатура_Key', type: 'Edm.Guid', ref: 'Catalog_Номенклатура' },
            { name: 'Количество', type: 'Edm.Double' },
            { name: 'Цена', type: 'Edm.Double' },
            { name: 'Сумма', type: 'Edm.Double' },
          ],
        },
      ],
      onPost: (doc) => {
        const lines = doc.Товары as Record<string, unknown>[];
        if (!lines.length) throw new Error('Не заполнена табличная часть Товары');
        return {
          AccumulationRegister_ТоварыНаСкладах: lines.map((l) => ({
            RecordType: 'Expense',
            Номенклатура_Key: l.Номенклатура_Key,
            Склад_Key: doc.Склад_Key,
            ВНаличии: l.Количество,
          })),
          AccumulationRegister_Продажи: lines.map((l) => ({ Номенклатура_Key: l.Номенклатура_Key, Сумма: l.Сумма })),
        };
      },
    },
    { name: 'Document_ПриходТоваров', kind: 'Document', numberLength: 9, fields: [] },
    {
      name: 'AccumulationRegister_ТоварыНаСкладах',
      kind: 'AccumulationRegister',
      register: {
        accumulation: 'balance',
        dimensions: [
          { name: 'Номенклатура_Key', type: 'Edm.Guid', ref: 'Catalog_Номенклатура' },
          { name: 'Склад_Key', type: 'Edm.Guid', ref: 'Catalog_Склады' },
        ],
        resources: [{ name: 'ВНаличии', type: 'Edm.Double' }],
      },
    },
    {
      name: 'AccumulationRegister_Продажи',
      kind: 'AccumulationRegister',
      register: {
        accumulation: 'turnovers',
        dimensions: [{ name: 'Номенклатура_Key', type: 'Edm.Guid', ref: 'Catalog_Номенклатура' }],
        resources: [{ name: 'Сумма', type: 'Edm.Double' }],
      },
    },
    {
      name: 'InformationRegister_ЦеныНоменклатуры25',
      kind: 'InformationRegister',
      register: {
        periodic: true,
        recorderSubordinate: true,
        dimensions: [
          { name: 'Номенклатура_Key', type: 'Edm.Guid', ref: 'Catalog_Номенклатура' },
          { name: 'ВидЦены_Key', type: 'Edm.Guid' },
        ],
        resources: [{ name: 'Цена', type: 'Edm.Double' }],
      },
    },
    {
      name: 'InformationRegister_ReGate_СтатусыЗаказов',
      kind: 'InformationRegister',
      register: {
        periodic: true,
        dimensions: [{ name: 'Заказ_Key', type: 'Edm.Guid', ref: 'Document_ЗаказКлиента' }],
        resources: [
          { name: 'СтатусЗаказа', type: 'Edm.Int64' },
          { name: 'СуммаОплаты', type: 'Edm.Double' },
        ],
        attributes: [{ name: 'Комментарий', type: 'Edm.String', maxLength: 200 }],
      },
    },
  ],
};

export function testRows(): Record<string, Record<string, unknown>[]> {
  return {
    Catalog_УпаковкиЕдиницыИзмерения: [{ Ref_Key: G.unit, Code: '000000001', Description: 'шт' }],
    Catalog_Номенклатура: [
      { Ref_Key: G.folder, Code: 'УТ-00000001', Description: 'Инструменты', IsFolder: true },
      {
        Ref_Key: G.item1, Code: 'УТ-00000002', Description: 'Молоток', Parent_Key: G.folder, Артикул: 'M-1',
        ЕдиницаИзмерения_Key: G.unit, ТипНоменклатуры: 'Товар', СрокГодности: 12, Вес: 0.5,
        ДополнительныеРеквизиты: [{ LineNumber: 1, Значение: 'синий' }],
      },
      { Ref_Key: G.item2, Code: 'УТ-00000003', Description: 'Отвёртка', Parent_Key: G.folder, Артикул: 'O-2', ЕдиницаИзмерения_Key: G.unit, ТипНоменклатуры: 'Товар', Вес: 0.2 },
      { Ref_Key: G.item3, Code: 'УТ-00000004', Description: "Доставка 'срочная'", Артикул: 'D-3', ТипНоменклатуры: 'Услуга' },
    ],
    Catalog_Склады: [
      { Ref_Key: G.wh1, Code: '000000001', Description: 'Основной склад', Город: 'Москва' },
      { Ref_Key: G.wh2, Code: '000000002', Description: 'Склад СПб', Город: 'Санкт-Петербург' },
    ],
    Catalog_Контрагенты: [{ Ref_Key: G.client, Code: '000000001', Description: 'ООО Ромашка', ИНН: '7701234567' }],
    Document_ЗаказКлиента: [
      {
        Ref_Key: G.order1, Number: 'ТД00-000041', Date: '2026-01-15T10:00:00', Контрагент_Key: G.client, Склад_Key: G.wh1,
        СуммаДокумента: 300, Статус: 'КОбеспечению', Основание: G.client, Основание_Type: 'StandardODATA.Catalog_Контрагенты',
        Товары: [
          { LineNumber: 1, Номенклатура_Key: G.item1, Количество: 2, Цена: 100, Сумма: 200 },
          { LineNumber: 2, Номенклатура_Key: G.item2, Количество: 1, Цена: 100, Сумма: 100 },
        ],
      },
    ],
    Document_ПриходТоваров: [{ Ref_Key: G.receipt, Number: '000000001', Date: '2026-01-01T09:00:00', Posted: true }],
    AccumulationRegister_ТоварыНаСкладах: [
      { Recorder_Key: G.receipt, Period: '2026-01-01T09:00:00', RecordType: 'Receipt', Номенклатура_Key: G.item1, Склад_Key: G.wh1, ВНаличии: 10 },
      { Recorder_Key: G.receipt, Period: '2026-01-01T09:00:00', RecordType: 'Receipt', Номенклатура_Key: G.item2, Склад_Key: G.wh1, ВНаличии: 5 },
      { Recorder_Key: G.receipt, Period: '2026-01-01T09:00:00', RecordType: 'Receipt', Номенклатура_Key: G.item1, Склад_Key: G.wh2, ВНаличии: 7 },
    ],
    InformationRegister_ЦеныНоменклатуры25: [
      { Recorder_Key: G.receipt, Period: '2026-01-01T00:00:00', Номенклатура_Key: G.item1, ВидЦены_Key: G.priceKind, Цена: 100 },
      { Recorder_Key: G.receipt, Period: '2026-01-01T00:00:00', Номенклатура_Key: G.item2, ВидЦены_Key: G.priceKind, Цена: 50 },
      { Recorder_Key: G.order1, Period: '2026-02-01T00:00:00', Номенклатура_Key: G.item1, ВидЦены_Key: G.priceKind, Цена: 120 },
    ],
    InformationRegister_ДвоичныеДанныеФайлов: [
      { Файл: G.item1, Файл_Type: 'StandardODATA.Catalog_Номенклатура', ДвоичныеДанныеФайла: PNG },
    ],
    InformationRegister_ReGate_СтатусыЗаказов: [
      { Period: '2026-01-15T10:00:00', Заказ_Key: G.order1, СтатусЗаказа: 1, СуммаОплаты: 0 },
    ],
  };
}

export function startTest(extra: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  return startEmulator({ base: { config: testConfig, rows: testRows() }, ...extra });
}

/** GET JSON helper: `path` is relative to the OData root and already contains its query. */
export async function getJson(em: Emulator, path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const sep = path.includes('?') ? '&' : '?';
  const res = await fetch(`${em.url}/${path}${sep}$format=json`, init);
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* plain text */
  }
  return { status: res.status, body, headers: res.headers };
}

export function u(s: string): string {
  return encodeURI(s).replace(/'/g, '%27');
}
