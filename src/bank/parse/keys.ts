/**
 * The keys 1C and banks write, by section. Lookup is exact first (the common case, one Map hit); on a miss the
 * key is lower-cased with ё→е and looked up again, which catches the case variants real files carry
 * (`ПлательщикКорСчет`, `Расчсчет`) without paying for toLowerCase on every line.
 */

/** Document keys lifted into the typed shape; the index is the slot in the per-document value array. */
export const D = {
  Номер: 0,
  Дата: 1,
  Сумма: 2,
  ДатаСписано: 3,
  ДатаПоступило: 4,
  НазначениеПлатежа: 5,
  Плательщик: 6,
  Плательщик1: 7,
  Плательщик2: 8,
  Плательщик3: 9,
  Плательщик4: 10,
  ПлательщикСчет: 11,
  ПлательщикРасчСчет: 12,
  ПлательщикИНН: 13,
  ПлательщикКПП: 14,
  ПлательщикБанк1: 15,
  ПлательщикБанк2: 16,
  ПлательщикБИК: 17,
  ПлательщикКорсчет: 18,
  Получатель: 19,
  Получатель1: 20,
  Получатель2: 21,
  Получатель3: 22,
  Получатель4: 23,
  ПолучательСчет: 24,
  ПолучательРасчСчет: 25,
  ПолучательИНН: 26,
  ПолучательКПП: 27,
  ПолучательБанк1: 28,
  ПолучательБанк2: 29,
  ПолучательБИК: 30,
  ПолучательКорсчет: 31,
} as const;
export const D_SLOTS = 32;
/** Slot → canonical key, for messages. */
export const D_NAMES: string[] = Object.entries(D).sort((a, b) => a[1] - b[1]).map(([k]) => k);
/** Offset between a payer slot and the matching payee slot. */
export const PAYEE_SHIFT = D.Получатель - D.Плательщик;

/** Known document keys kept as-is in `fields` (canonical spelling). */
export const DOC_OTHER_KEYS = [
  'НазначениеПлатежа1',
  'НазначениеПлатежа2',
  'НазначениеПлатежа3',
  'НазначениеПлатежа4',
  'НазначениеПлатежа5',
  'НазначениеПлатежа6',
  'ВидПлатежа',
  'ВидОплаты',
  'Код',
  'КодНазПлатежа',
  'Очередность',
  'СтатусСоставителя',
  'ПоказательКБК',
  'ОКАТО',
  'ПоказательОснования',
  'ПоказательПериода',
  'ПоказательНомера',
  'ПоказательДаты',
  'ПоказательТипа',
  'СрокПлатежа',
  'СрокАкцепта',
  'ВидАккредитива',
  'УсловиеОплаты1',
  'УсловиеОплаты2',
  'УсловиеОплаты3',
  'ПлатежПоПредст',
  'ДополнУсловия',
  'НомерСчетаПоставщика',
  'ДатаОтсылкиДок',
  'КвитанцияДата',
  'КвитанцияВремя',
  'КвитанцияСодержание',
] as const;

export const H = {
  ВерсияФормата: 0,
  Кодировка: 1,
  Отправитель: 2,
  Получатель: 3,
  ДатаСоздания: 4,
  ВремяСоздания: 5,
  ДатаНачала: 6,
  ДатаКонца: 7,
  РасчСчет: 8,
  Документ: 9,
} as const;

export const A = {
  ДатаНачала: 0,
  ДатаКонца: 1,
  РасчСчет: 2,
  НачальныйОстаток: 3,
  ВсегоПоступило: 4,
  ВсегоСписано: 5,
  КонечныйОстаток: 6,
} as const;

/** A document key resolves to a slot (number) or to its canonical name (string, kept in `fields`). */
export type DocKey = number | string;

function fold(k: string): string {
  return k.toLowerCase().replaceAll('ё', 'е');
}

/**
 * A key table readable straight from the decoded text, without slicing the key out first: the bucket is chosen
 * from the key's length and two of its characters, and the candidate confirmed with `startsWith` (which does not
 * allocate). Measured on the 100 MB bench: slicing every key and hashing it through a Map took ~30% of the parse.
 * Returns `undefined` on a miss; the caller then slices and tries `folded` (case variants).
 */
export interface KeyTable<T> {
  /** Exact spelling, read from text[start, end). */
  at(text: string, start: number, end: number): T | undefined;
  /** Any letter case, ё = е. */
  get(key: string): T | undefined;
}

const BUCKETS = 1024;

function sig(len: number, last: number, mid: number): number {
  return (len * 31 + last * 7 + mid) & (BUCKETS - 1);
}

function table<T>(entries: [string, T][]): KeyTable<T> {
  const buckets: [string, T][][] = Array.from({ length: BUCKETS }, () => []);
  for (const e of entries) {
    const k = e[0];
    buckets[sig(k.length, k.charCodeAt(k.length - 1), k.charCodeAt(k.length >> 1))].push(e);
  }
  const exact = new Map(entries);
  const folded = new Map(entries.map(([k, v]) => [fold(k), v] as [string, T]));
  return {
    at(text, start, end) {
      const len = end - start;
      const b = buckets[sig(len, text.charCodeAt(end - 1), text.charCodeAt(start + (len >> 1)))];
      for (let i = 0; i < b.length; i++) {
        const e = b[i];
        if (e[0].length === len && text.startsWith(e[0], start)) return e[1];
      }
      return undefined;
    },
    get(key) {
      const v = exact.get(key);
      return v !== undefined ? v : folded.get(fold(key));
    },
  };
}

export const docKeys = table<DocKey>([
  ...Object.entries(D),
  ...DOC_OTHER_KEYS.map((k) => [k, k] as [string, string]),
]);
export const headerKeys = table<number>(Object.entries(H));
export const accountKeys = table<number>(Object.entries(A));

export const Marker = {
  SectionAccount: 1,
  EndAccount: 2,
  SectionDocument: 3,
  EndDocument: 4,
  EndFile: 5,
} as const;
export type Marker = (typeof Marker)[keyof typeof Marker];

/** Markers are lines without `=` (except `СекцияДокумент=<kind>`, handled by the key path). */
export const markers = table<Marker>([
  ['СекцияРасчСчет', Marker.SectionAccount],
  ['КонецРасчСчет', Marker.EndAccount],
  ['СекцияДокумент', Marker.SectionDocument],
  ['КонецДокумента', Marker.EndDocument],
  ['КонецФайла', Marker.EndFile],
]);

/** Key lookups by string (errors, tests, the rare case-variant path). */
export const docKey = (k: string) => docKeys.get(k);
export const headerKey = (k: string) => headerKeys.get(k);
export const accountKey = (k: string) => accountKeys.get(k);
export const marker = (k: string) => markers.get(k);
