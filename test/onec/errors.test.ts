import { describe, expect, it } from 'vitest';
import {
  errorFromNetwork,
  isEntityNotFound,
  errorFromResponse,
  HtmlErrorPage,
  ODataAuth,
  ODataBadRequest,
  ODataBusinessError,
  ODataError,
  ODataNotFound,
  ODataRights,
  ODataTimeout,
  ODataUnavailable,
  parseODataError,
} from '../../src/onec/index.js';

const URL = 'http://srv/ut/odata/standard.odata/Catalog_X?$format=json';
const json = (code: string, value: string) => JSON.stringify({ 'odata.error': { code, message: { lang: 'ru', value } } });
const res = (status: number, body: string, contentType = 'application/json;charset=utf-8') =>
  errorFromResponse({ status, body, contentType, method: 'GET', url: URL, maxUrlLength: 2000 });

describe('parsing 1C error bodies', () => {
  it('JSON with a string code and {lang, value}', () => {
    expect(parseODataError(json('13', 'Создание строк табличной части напрямую не поддерживается'))).toEqual({
      code: '13',
      lang: 'ru',
      message: 'Создание строк табличной части напрямую не поддерживается',
    });
    expect(parseODataError('\uFEFF' + json('-1', 'Ошибка'))?.code).toBe('-1');
    expect(parseODataError('{"odata.error":{"code":9,"message":"plain"}}')).toEqual({ code: '9', message: 'plain' });
  });
  it('Atom XML <m:error>', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<m:error xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<m:code>9</m:code>
<m:message>Экземпляр сущности "Накладная" не найден по переданному ключу.</m:message>
</m:error>`;
    expect(parseODataError(xml)).toEqual({ code: '9', message: 'Экземпляр сущности "Накладная" не найден по переданному ключу.' });
    expect(parseODataError('<m:error xmlns:m="x"><m:code>-1</m:code><m:message xml:lang="ru">Ошибка при выполнении обработчика</m:message></m:error>')).toEqual({
      code: '-1',
      message: 'Ошибка при выполнении обработчика',
    });
  });
  it('not an error body → undefined', () => {
    expect(parseODataError('{"value":[]}')).toBeUndefined();
    expect(parseODataError('{broken')).toBeUndefined();
    expect(parseODataError('<html><body>x</body></html>')).toBeUndefined();
    expect(parseODataError('')).toBeUndefined();
  });
});

describe('status/code → typed error', () => {
  it('maps the pairs seen on live bases', () => {
    const nf = res(404, json('9', 'Экземпляр сущности не найден'));
    expect(nf).toBeInstanceOf(ODataNotFound);
    expect((nf as ODataNotFound).what).toBe('entity');
    const seg = res(400, json('6', 'Сегмент пути НетТакогоПоля не найден!'));
    expect(seg).toBeInstanceOf(ODataNotFound);
    expect((seg as ODataNotFound).what).toBe('segment');
    expect(isEntityNotFound(nf)).toBe(true);
    expect(isEntityNotFound(seg)).toBe(false);
    expect(res(400, json('14', 'Ошибка при разборе опции запроса $filter'))).toBeInstanceOf(ODataBadRequest);
    expect(res(400, json('15', 'запись с такими значениями уже существует'))).toBeInstanceOf(ODataBadRequest);
    expect(res(403, json('20', 'Недостаточно прав'))).toBeInstanceOf(ODataRights);
    expect(res(500, json('20', 'Ошибка прав доступа'))).toBeInstanceOf(ODataRights);
    const biz = res(500, json('-1', "Ошибка при выполнении обработчика - 'ПриЗаписи'"));
    expect(biz).toBeInstanceOf(ODataBusinessError);
    expect(biz.transient).toBe(false);
    expect(res(401, '')).toBeInstanceOf(ODataAuth);
    expect(res(501, json('21', 'Параметр EndDate не поддерживается'))).toBeInstanceOf(ODataBadRequest);
    for (const s of [502, 503, 504]) {
      const e = res(s, 'Service Unavailable', 'text/plain');
      expect(e).toBeInstanceOf(ODataUnavailable);
      expect(e.transient).toBe(true);
    }
  });
  it('carries status, code, 1C text, method and the URL', () => {
    const e = res(400, json('14', 'Ошибка при разборе опции запроса $filter'));
    expect(e).toMatchObject({ status: 400, code: '14', detail: 'Ошибка при разборе опции запроса $filter', method: 'GET', url: URL });
    expect(e.message).toBe(`GET ${URL}: HTTP 400 [код 14]: Ошибка при разборе опции запроса $filter`);
    expect(e).toBeInstanceOf(ODataError);
    expect(e).toBeInstanceOf(Error);
  });
  it('an HTML page is HtmlErrorPage, named "URL too long?" when the URL is over the limit', () => {
    const page = '<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head><body></body></html>';
    const short = res(404, page, 'text/html');
    expect(short).toBeInstanceOf(HtmlErrorPage);
    expect((short as HtmlErrorPage).urlTooLong).toBe(false);
    expect(short.message).toContain('404 - File or directory not found.');
    const longUrl = URL + '&$filter=' + 'x'.repeat(2100);
    const long = errorFromResponse({ status: 404, body: page, contentType: 'text/html', method: 'GET', url: longUrl, maxUrlLength: 2000 });
    expect(long).toBeInstanceOf(HtmlErrorPage);
    expect((long as HtmlErrorPage).urlTooLong).toBe(true);
    expect(long.message).toContain('слишком длинный URL?');
    // Sniffed even with a wrong content type.
    expect(res(200, page, 'application/octet-stream')).toBeInstanceOf(HtmlErrorPage);
  });
  it('never carries credentials', () => {
    const e = errorFromResponse({ status: 404, body: '', method: 'GET', url: 'http://odata:S3cret@srv/ut/odata/standard.odata/X' });
    expect(e.url).toBe('http://srv/ut/odata/standard.odata/X');
    expect(e.message).not.toContain('S3cret');
  });
});

describe('network failures', () => {
  it('connection refused/reset → ODataUnavailable, abort by timeout → ODataTimeout', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(errorFromNetwork(refused, 'GET', URL, false)).toBeInstanceOf(ODataUnavailable);
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' }) });
    expect(errorFromNetwork(reset, 'POST', URL, false)).toBeInstanceOf(ODataUnavailable);
    expect(errorFromNetwork(new DOMException('aborted', 'TimeoutError'), 'GET', URL, true)).toBeInstanceOf(ODataTimeout);
    const other = errorFromNetwork(new Error('weird'), 'GET', URL, false);
    expect(other).toBeInstanceOf(ODataError);
    expect(other).not.toBeInstanceOf(ODataUnavailable);
  });
});
