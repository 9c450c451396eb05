/**
 * OData errors as 1C answers them: `{"odata.error":{"code":"9","message":{"lang":"ru","value":"…"}}}` with the code
 * as a STRING (see ../shared/reference/onec-odata/samples/errors.md for the status/code pairs seen live).
 */
export class ODataError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const INTERNAL_MESSAGE =
  'Произошла внутренняя ошибка OData сервиса. Дополнительные сведения можно найти в технологическом журнале.';

export const err = {
  segment: (name: string) => new ODataError(400, '6', `Сегмент пути ${name} не найден!`),
  methodNotFound: (name: string) => new ODataError(400, '6', `Метод не найден: ${name}`),
  notFound: (what: string) => new ODataError(404, '9', `Экземпляр сущности "${what}" не найден по переданному ключу. Экземпляр сущности не найден`),
  unknownSet: (name: string) => new ODataError(404, '6', `Сегмент пути ${name} не найден!`),
  filter: (detail?: string) => new ODataError(400, '14', `Ошибка при разборе опции запроса $filter${detail ? `: ${detail}` : ''}`),
  option: (option: string) => new ODataError(400, '14', `Ошибка при разборе опции запроса ${option}`),
  parseValue: (value: string, type: string) => new ODataError(400, '1', `Не удалось разобрать строку '${value}' как значение типа ${type}!`),
  tabularPost: () => new ODataError(400, '13', 'Cоздание строк табличной части напрямую не поддерживается'),
  badJson: () => new ODataError(500, '-1', 'Непредвиденный символ при чтении JSON'),
  internal: (message = INTERNAL_MESSAGE) => new ODataError(500, '-1', message),
  duplicate: () => new ODataError(400, '15', 'Запись с такими значениями уже существует'),
  lineNumbers: () => new ODataError(400, '8', 'Нарушена последовательность номеров строк табличной части (LineNumber должен идти с 1)'),
  notSupported: (what: string) => new ODataError(501, '7', `${what} не поддерживается`),
};

export function errorJson(e: ODataError): string {
  return JSON.stringify({ 'odata.error': { code: e.code, message: { lang: 'ru', value: e.message } } });
}

export function errorXml(e: ODataError): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    '<m:error xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">\r\n' +
    `<m:code>${escapeXml(e.code)}</m:code>\r\n<m:message>${escapeXml(e.message)}</m:message>\r\n</m:error>`
  );
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
