import { describe, expect, it } from 'vitest';
import {
  cast,
  datetime,
  encodePath,
  encodeQuery,
  fromNaive,
  functionCall,
  guid,
  keyText,
  literal,
  queryString,
  redactUrl,
  splitBaseUrl,
  toNaive,
  UrlBuilder,
} from '../../src/onec/index.js';

const TZ = 'Europe/Moscow';
const G = '0d4a79cb-9843-4147-bcd9-80ac3ca2b9c7';
const BASE = 'http://srv/trade/odata/standard.odata';

describe('time', () => {
  it('formats a Date as Moscow wall time (UTC+3) without zone', () => {
    expect(toNaive(new Date('2016-12-26T13:00:52Z'), TZ)).toBe('2016-12-26T16:00:52');
    expect(toNaive(new Date('2024-01-01T00:00:00.999Z'), 'UTC')).toBe('2024-01-01T00:00:00');
  });
  it('reads naive time back in the zone', () => {
    expect(fromNaive('2016-12-26T16:00:52', TZ).toISOString()).toBe('2016-12-26T13:00:52.000Z');
    expect(fromNaive('2016-07-01T12:00:00', 'Europe/Berlin').toISOString()).toBe('2016-07-01T10:00:00.000Z');
    expect(fromNaive('2016-01-01T12:00:00', 'Europe/Berlin').toISOString()).toBe('2016-01-01T11:00:00.000Z');
  });
  it('round-trips across years, including DST zones', () => {
    for (const iso of ['1999-03-28T01:30:00Z', '2021-10-31T00:30:00Z', '2021-10-31T02:30:00Z', '2030-06-15T23:59:59Z']) {
      for (const tz of [TZ, 'Europe/Berlin', 'America/New_York', 'Asia/Vladivostok']) {
        const d = new Date(iso);
        expect(fromNaive(toNaive(d, tz), tz).getTime()).toBe(d.getTime());
      }
    }
  });
  it('rejects garbage and unknown zones', () => {
    expect(() => fromNaive('26.12.2016', TZ)).toThrow(RangeError);
    expect(() => toNaive(new Date('x'), TZ)).toThrow(RangeError);
    expect(() => toNaive(new Date(), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('literals', () => {
  it('writes each kind the way 1C parses it', () => {
    expect(guid(G.toUpperCase()).text).toBe(`guid'${G}'`);
    expect(() => guid('abc')).toThrow(TypeError);
    expect(datetime(new Date('2008-02-04T21:00:00Z'), TZ).text).toBe("datetime'2008-02-05T00:00:00'");
    expect(literal("O'Brien", TZ)).toBe("'O''Brien'");
    expect(literal(12.5, TZ)).toBe('12.5');
    expect(literal(1e-7, TZ)).toBe('0.0000001');
    expect(literal(-3, TZ)).toBe('-3');
    expect(() => literal(NaN, TZ)).toThrow(TypeError);
    expect(literal(true, TZ)).toBe('true');
    expect(literal(false, TZ)).toBe('false');
    expect(literal(null, TZ)).toBe('null');
    expect(cast(G, 'Catalog_Контрагенты').text).toBe(`cast(guid'${G}', 'Catalog_Контрагенты')`);
  });
  it('turns a GUID string into guid literal only for reference fields', () => {
    expect(literal(G, TZ, 'Склад_Key')).toBe(`guid'${G}'`);
    expect(literal(G, TZ, 'Ref_Key')).toBe(`guid'${G}'`);
    expect(literal(G, TZ, 'Штрихкод')).toBe(`'${G}'`);
    expect(literal('not-a-guid', TZ, 'Склад_Key')).toBe("'not-a-guid'");
  });
  it('builds keys of objects, rows and register records', () => {
    expect(keyText(G, TZ)).toBe(`(guid'${G}')`);
    expect(keyText({ Ref_Key: G, LineNumber: 1 }, TZ)).toBe(`(Ref_Key=guid'${G}',LineNumber=1)`);
    expect(keyText({ Period: new Date('2008-02-04T21:00:00Z'), Валюта_Key: G }, TZ)).toBe(
      `(Period=datetime'2008-02-05T00:00:00',Валюта_Key=guid'${G}')`,
    );
    expect(keyText({ Штрихкод: '4600 12' }, TZ)).toBe("(Штрихкод='4600 12')");
    expect(() => keyText({}, TZ)).toThrow();
  });
});

describe('encoding', () => {
  it('percent-encodes Cyrillic as UTF-8 and spaces as %20, never +', () => {
    expect(encodePath('Catalog_Номенклатура')).toBe('Catalog_%D0%9D%D0%BE%D0%BC%D0%B5%D0%BD%D0%BA%D0%BB%D0%B0%D1%82%D1%83%D1%80%D0%B0');
    expect(encodeQuery("Description eq 'a b+c&d#'")).toBe('Description%20eq%20%27a%20b%2Bc%26d%23%27');
    expect(encodePath("X(Штрихкод='a/b')")).toBe("X(%D0%A8%D1%82%D1%80%D0%B8%D1%85%D0%BA%D0%BE%D0%B4='a%2Fb')");
    expect(decodeURIComponent(encodeQuery('Ёлка € 𝄞'))).toBe('Ёлка € 𝄞');
  });
  it('builds query strings with $format=json always and allowedOnly on request', () => {
    expect(queryString({})).toBe('?$format=json');
    expect(
      queryString({ select: ['Ref_Key', 'Description'], filter: 'IsFolder eq false', orderby: 'Ref_Key', top: 10, skip: 20, inlinecount: true, allowedOnly: true }),
    ).toBe('?$select=Ref_Key,Description&$filter=IsFolder%20eq%20false&$orderby=Ref_Key&$top=10&$skip=20&$inlinecount=allpages&$format=json&allowedOnly=true');
    expect(queryString({ json: false })).toBe('');
    expect(queryString({ expand: 'Контрагент', select: 'Контрагент/Description' })).toBe(
      '?$select=%D0%9A%D0%BE%D0%BD%D1%82%D1%80%D0%B0%D0%B3%D0%B5%D0%BD%D1%82/Description&$expand=%D0%9A%D0%BE%D0%BD%D1%82%D1%80%D0%B0%D0%B3%D0%B5%D0%BD%D1%82&$format=json',
    );
    expect(() => queryString({ top: -1 })).toThrow(RangeError);
    expect(() => queryString({ skip: 1.5 })).toThrow(RangeError);
  });
});

describe('base URL and credentials', () => {
  it('requires …/odata/standard.odata and strips a trailing slash', () => {
    expect(splitBaseUrl(BASE + '/').base).toBe(BASE);
    expect(() => splitBaseUrl('http://srv/trade/odata')).toThrow(/standard\.odata/);
  });
  it('takes credentials out of the URL', () => {
    const s = splitBaseUrl('http://%D0%98%D0%B2%D0%B0%D0%BD:p%40ss@srv/trade/odata/standard.odata');
    expect(s).toEqual({ base: BASE, user: 'Иван', password: 'p@ss' });
    expect(redactUrl('https://u:secret@srv/x/odata/standard.odata/Catalog_X')).toBe('https://srv/x/odata/standard.odata/Catalog_X');
  });
});

describe('UrlBuilder', () => {
  const u = new UrlBuilder(BASE, TZ);
  it('collection, entity, row, count, metadata', () => {
    expect(u.collection('Catalog_Валюты', { top: 1 })).toBe(`${BASE}/Catalog_%D0%92%D0%B0%D0%BB%D1%8E%D1%82%D1%8B?$top=1&$format=json`);
    expect(u.entity('Document_X', G)).toBe(`${BASE}/Document_X(guid'${G}')?$format=json`);
    expect(u.entity('Document_X_Goods', { Ref_Key: G, LineNumber: 2 })).toBe(`${BASE}/Document_X_Goods(Ref_Key=guid'${G}',LineNumber=2)?$format=json`);
    expect(u.count('Catalog_X', { filter: 'Цена gt 500' })).toBe(`${BASE}/Catalog_X/$count?$filter=%D0%A6%D0%B5%D0%BD%D0%B0%20gt%20500`);
    expect(u.metadata()).toBe(`${BASE}/$metadata`);
  });
  it('Post with PostingModeOperational', () => {
    expect(u.action('Document_X', G, 'Post', { PostingModeOperational: false })).toBe(
      `${BASE}/Document_X(guid'${G}')/Post?PostingModeOperational=false&$format=json`,
    );
  });
  it('virtual tables keep inner quotes undoubled', () => {
    const call = functionCall(
      'Balance',
      { Period: new Date('2024-01-31T21:00:00Z'), Condition: `Склад_Key eq guid'${G}'`, Dimensions: 'Номенклатура,Склад' },
      TZ,
    );
    expect(call).toBe(`Balance(Period=datetime'2024-02-01T00:00:00',Condition='Склад_Key eq guid'${G}'',Dimensions='Номенклатура,Склад')`);
    expect(functionCall('SliceLast', {}, TZ)).toBe('SliceLast()');
    const url = u.virtual('InformationRegister_ЦеныНоменклатуры25_RecordType', 'SliceLast', { Condition: `ВидЦены_Key eq guid'${G}'` }, { select: 'Цена' });
    expect(decodeURIComponent(url)).toBe(
      `${BASE}/InformationRegister_ЦеныНоменклатуры25_RecordType/SliceLast(Condition='ВидЦены_Key eq guid'${G}'')?$select=Цена&$format=json`,
    );
    expect(url).not.toMatch(/[ +]/);
  });
});
