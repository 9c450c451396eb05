import { describe, expect, it } from 'vitest';
import { EMPTY_REF, fromNaive, normaliseRow, toWire, type FieldTypes } from '../../src/onec/index.js';

const TZ = 'Europe/Moscow';
const G = '6a3d1a2c-1b1e-11e6-80c4-005056bf0b3c';

// A document row shaped as 1C sends it (minimal metadata, Int64 as strings, naive dates).
const wire = {
  'odata.metadata': 'http://srv/ut/odata/standard.odata/$metadata#Document_ЗаказКлиента/@Element',
  Ref_Key: G,
  DataVersion: 'AAAAAAAAAAE=',
  Number: 'УТ-000123',
  Date: '2016-12-26T16:00:52',
  ДатаОтгрузки: '0001-01-01T00:00:00',
  Posted: true,
  Склад_Key: EMPTY_REF,
  'Склад@navigationLinkUrl': "Document_ЗаказКлиента(guid'…')/Склад",
  СуммаДокумента: 1500.5,
  Статус: 'КОтгрузке',
  ДокументОснование: G,
  ДокументОснование_Type: 'StandardODATA.Document_КоммерческоеПредложениеКлиенту',
  Объект: '',
  Объект_Type: 'StandardODATA.Undefined',
  Пустая: EMPTY_REF,
  Пустая_Type: 'StandardODATA.Catalog_Контрагенты',
  СрокГодности: '30',
  Товары: [
    { Ref_Key: G, LineNumber: '1', Номенклатура_Key: G, Количество: 2, ДатаОтгрузки: '2017-01-10T00:00:00' },
    { Ref_Key: G, LineNumber: '2', Номенклатура_Key: EMPTY_REF, Количество: 1, ДатаОтгрузки: '0001-01-01T00:00:00' },
  ],
};

describe('normaliseRow without metadata', () => {
  const row = normaliseRow(wire, { timezone: TZ });
  it('drops annotations, keeps data', () => {
    expect(row['odata.metadata']).toBeUndefined();
    expect(row['Склад@navigationLinkUrl']).toBeUndefined();
    expect(row.Number).toBe('УТ-000123');
    expect(row.СуммаДокумента).toBe(1500.5);
    expect(row.Posted).toBe(true);
  });
  it('dates in the base zone; empty date and empty ref → null', () => {
    expect(row.Date).toEqual(new Date('2016-12-26T13:00:52Z'));
    expect(row.ДатаОтгрузки).toBeNull();
    expect(row.Склад_Key).toBeNull();
  });
  it('composites: type without namespace, Undefined → null, empty ref of a type → null', () => {
    expect(row.ДокументОснование).toBe(G);
    expect(row.ДокументОснование_Type).toBe('Document_КоммерческоеПредложениеКлиенту');
    expect(row.Объект).toBeNull();
    expect(row.Объект_Type).toBeNull();
    expect(row.Пустая).toBeNull();
    expect(row.Пустая_Type).toBe('Catalog_Контрагенты');
  });
  it('LineNumber → number; an Int64 without metadata stays a string (no guessing)', () => {
    const rows = row.Товары as Record<string, unknown>[];
    expect(rows.map((r) => r.LineNumber)).toEqual([1, 2]);
    expect(rows[1].Номенклатура_Key).toBeNull();
    expect(rows[0].ДатаОтгрузки).toEqual(new Date('2017-01-09T21:00:00Z'));
    expect(row.СрокГодности).toBe('30');
  });
  it('does not modify its input', () => {
    expect(wire.Товары[0].LineNumber).toBe('1');
    expect(wire.Date).toBe('2016-12-26T16:00:52');
  });
});

describe('normaliseRow with metadata types', () => {
  const rowTypes: FieldTypes = new Map([
    ['LineNumber', { type: 'Edm.Int64' }],
    ['ДатаОтгрузки', { type: 'Edm.DateTime' }],
  ]);
  const types: FieldTypes = new Map([
    ['СрокГодности', { type: 'Edm.Int64' }],
    ['Number', { type: 'Edm.String' }],
    ['Комментарий', { type: 'Edm.String' }],
    ['Date', { type: 'Edm.DateTime' }],
    ['Товары', { type: 'Collection(StandardODATA.Document_ЗаказКлиента_Товары_RowType)', row: rowTypes }],
    ['Big', { type: 'Edm.Int64' }],
  ]);
  it('converts declared Int64 strings, leaves strings that look like dates alone', () => {
    const row = normaliseRow({ ...wire, Комментарий: '2016-12-26T16:00:52', Big: '9007199254740993' }, { timezone: TZ, types });
    expect(row.СрокГодности).toBe(30);
    expect(row.Комментарий).toBe('2016-12-26T16:00:52');
    expect(row.Big).toBe('9007199254740993');
    expect((row.Товары as Record<string, unknown>[])[1]).toMatchObject({ LineNumber: 2, ДатаОтгрузки: null });
  });
});

describe('toWire', () => {
  it('writes Dates as naive base-zone time, null refs as the zero GUID, renumbers tabular parts as strings', () => {
    const body = toWire(
      {
        Date: fromNaive('2024-03-01T09:30:00', TZ),
        Склад_Key: null,
        Комментарий: null,
        Skip: undefined,
        Товары: [
          { LineNumber: 7, Номенклатура_Key: G, Количество: 2 },
          { Номенклатура_Key: G, Количество: 1, ДатаОтгрузки: new Date('2024-03-01T21:00:00Z') },
        ],
        Пусто: [],
        Теги: ['a', 'b'],
      },
      { timezone: TZ },
    );
    expect(body).toEqual({
      Date: '2024-03-01T09:30:00',
      Склад_Key: EMPTY_REF,
      Комментарий: null,
      Товары: [
        { LineNumber: '1', Номенклатура_Key: G, Количество: 2 },
        { LineNumber: '2', Номенклатура_Key: G, Количество: 1, ДатаОтгрузки: '2024-03-02T00:00:00' },
      ],
      Пусто: [],
      Теги: ['a', 'b'],
    });
    expect(JSON.stringify(body)).not.toContain('Skip');
  });
  it('keeps LineNumber when asked', () => {
    expect(toWire({ T: [{ LineNumber: '5' }] }, { timezone: TZ, renumber: false })).toEqual({ T: [{ LineNumber: '5' }] });
  });
  it('in a DST overlap reads the earlier instant', () => {
    expect(fromNaive('2021-10-31T02:30:00', 'Europe/Berlin').toISOString()).toBe('2021-10-31T00:30:00.000Z');
  });
});
