import { z } from '@hono/zod-openapi';

/**
 * zod's own messages in Russian (issue 15): the fields a schema gives no message for answered «Invalid input:
 * expected string, received undefined» inside a Russian error body. zod 4 ships a Russian locale (z.locales.ru);
 * its wording («ожидалось, что string будет иметь <=64 символов») keeps zod's type names, so the common cases are
 * said here the way the schemas' own messages say them («Обязательное поле», «не длиннее 64 символов»), and the
 * rest falls through to zod's locale.
 *
 * z.config is process-wide: it only sets the messages of checks that carry none of their own, so every explicit
 * message stays as written; the configuration's messages (src/config) come out Russian too, which is what the CLI
 * translated them to anyway (cli/main.ts translateConfigError).
 */
const TYPE: Record<string, string> = {
  string: 'строка',
  number: 'число',
  int: 'целое число',
  bigint: 'целое число',
  boolean: 'true или false',
  object: 'объект',
  array: 'массив',
  date: 'дата',
  null: 'null',
  undefined: 'ничего',
  nan: 'не число',
};
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && Number.isNaN(v) ? 'nan' : typeof v);
const said = (t: string) => TYPE[t] ?? t;

function plural(n: number, one: string, few: string, many: string) {
  const d = Math.abs(n) % 100;
  if (d >= 11 && d <= 19) return many;
  if (d % 10 === 1) return one;
  return d % 10 >= 2 && d % 10 <= 4 ? few : many;
}

const zodRussian = z.locales.ru().localeError;

type Issue = Parameters<NonNullable<typeof zodRussian>>[0];

export function russian(issue: Issue): string | undefined {
  const i = issue as Issue & Record<string, any>;
  switch (i.code) {
    case 'invalid_type':
      if (i.input === undefined) return 'Обязательное поле';
      return `ожидается ${said(i.expected)}, получено: ${said(typeOf(i.input))}`;
    case 'too_small': {
      const n = Number(i.minimum);
      if (i.origin === 'string') return n === 1 ? 'Обязательное поле' : `не короче ${n} ${plural(n, 'символа', 'символов', 'символов')}`;
      if (i.origin === 'array') return `не меньше ${n} ${plural(n, 'элемента', 'элементов', 'элементов')}`;
      return i.inclusive ? `от ${n}` : `больше ${n}`;
    }
    case 'too_big': {
      const n = Number(i.maximum);
      if (i.origin === 'string') return `не длиннее ${n} ${plural(n, 'символа', 'символов', 'символов')}`;
      if (i.origin === 'array') return `не больше ${n} ${plural(n, 'элемента', 'элементов', 'элементов')}`;
      return i.inclusive ? `не больше ${n}` : `меньше ${n}`;
    }
    case 'invalid_value':
      return i.values.length === 1 ? `допустимое значение: ${JSON.stringify(i.values[0])}` : `допустимые значения: ${i.values.map((v: unknown) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `должно быть кратно ${i.divisor}`;
    case 'unrecognized_keys':
      return `неизвестное поле: ${i.keys.join(', ')}`;
    case 'invalid_union':
      return 'значение не подходит ни под один из допустимых видов';
    case 'invalid_format':
      if (i.format === 'datetime') return 'ожидается дата и время ISO 8601, например 2026-11-29T08:15:00+03:00';
      if (i.format === 'email') return 'неверный адрес e-mail';
      if (i.format === 'regex') return `не соответствует шаблону ${i.pattern}`;
      return undefined;
    default:
      return undefined;
  }
}

z.config({ localeError: (issue) => russian(issue) ?? zodRussian?.(issue) });
