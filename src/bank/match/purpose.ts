/**
 * Order/invoice references in a payment purpose. Real shapes (FORMAT-NOTES.md and the corpus):
 * «Оплата по счету N 1024 от 01.01.23г», «по счету № Ек2Тюм003221 от 18 Апреля 2019г.», «заказ 123», «сч. 45»,
 * «по сч.34 от 31.03.2022», «Оплата по счету №6 от 12.01.2015», «по заказу ТД00-000123».
 *
 * A reference is STRONG when a keyword (счет/счёт/сч./заказ/инвойс/invoice/order) precedes it, WEAK when only a
 * bare № or N does (e.g. «Оплата № 123»): a weak one may name a contract, so the matcher uses it only to pick among
 * the payer's own orders, never alone.
 */
export interface OrderRef {
  /** The token as written after the keyword ("ТД00-000123", "1024"). */
  token: string;
  /** orderNumberKey(token): the trailing digits without leading zeros ("123"). */
  key: string;
  strength: 'strong' | 'weak';
}

const TOKEN = String.raw`([0-9a-zа-яё][0-9a-zа-яё\-\/]*)`;
const STRONG = new RegExp(
  String.raw`(?:^|[^0-9a-zа-яё])(?:сч[её]т(?:у|а|ом)?|сч|заказ(?:у|а|ом)?|инвойс(?:у|а)?|invoice|order)\.?` +
    String.raw`(?:\s+на\s+оплату)?\s*(?:(?:№|n|#|no\.?)\s*)?` +
    TOKEN,
  'giu',
);
const WEAK = new RegExp(String.raw`(?:^|[^0-9a-zа-яё])(?:№|n)\s*` + TOKEN, 'giu');
/** A bare № right after these names a contract or an account, not an order. */
const NOT_ORDER = /(?:договор[а-яё]*|дог\.?|контракт[а-яё]*|л\/?с|лс|пп|п\/п|пл\.?\s*пор[а-яё.]*|пор\.)\s*$/iu;

/** The trailing run of digits without leading zeros ("ТД00-000123" → "123", "007" → "7"); null when no digit. */
export function orderNumberKey(number: string): string | null {
  const m = /(\d+)\D*$/.exec(number);
  if (!m) return null;
  const k = m[1].replace(/^0+(?=\d)/, '');
  return k;
}

export function extractOrderRefs(purpose: string): OrderRef[] {
  const out: OrderRef[] = [];
  const seen = new Set<string>();
  const push = (token: string, strength: OrderRef['strength']) => {
    const key = orderNumberKey(token);
    if (key === null) return;
    const id = token.toUpperCase();
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ token, key, strength });
  };
  for (const m of purpose.matchAll(STRONG)) {
    const token = trimToken(m[1]);
    if (isDateLike(purpose, m.index! + m[0].length, token)) continue;
    if (/\d/.test(token)) push(token, 'strong');
  }
  for (const m of purpose.matchAll(WEAK)) {
    const token = trimToken(m[1]);
    const before = purpose.slice(Math.max(0, m.index! - 30), m.index! + m[0].length - m[1].length);
    if (NOT_ORDER.test(before.replace(/\s*(?:№|n)\s*$/iu, ''))) continue;
    if (isDateLike(purpose, m.index! + m[0].length, token)) continue;
    if (/\d/.test(token)) push(token, 'weak');
  }
  return out;
}

function trimToken(t: string): string {
  return t.replace(/[-/]+$/, '');
}

/** "счет 01.02.2023": the token is the day of a date, not a number. */
function isDateLike(s: string, after: number, token: string): boolean {
  return /^\d{1,2}$/.test(token) && /^\.\d/.test(s.slice(after, after + 2));
}

/** Prefix before the trailing digits, normalised: "ТД00-000123" → "ТД00"; "123" → "". */
export function orderNumberPrefix(number: string): string {
  const m = /^(.*?)(\d+)\D*$/.exec(number.toUpperCase().replace(/\s+/g, ''));
  return m ? m[1].replace(/[-/]+$/, '') : number.toUpperCase();
}

/**
 * Does the reference name this order? Same key, and when BOTH carry a prefix the prefixes agree, so
 * "ТД00-123" names "ТД00-000123" and "123" names it too, but "ТД01-000123" does not.
 */
export function refNamesOrder(ref: OrderRef, orderNumber: string): boolean {
  return refStrength(ref, orderNumber) > 0;
}

/**
 * How closely a reference names an order: 3 the same text (case and spaces aside), 2 the same non-empty prefix
 * and number, 1 the same number with a prefix on one side only, 0 not this order. The matcher keeps, per
 * reference, only the best-scoring orders: "ТД01-555" picks "ТД01-000555" over a bare "555".
 */
export function refStrength(ref: OrderRef, orderNumber: string): 0 | 1 | 2 | 3 {
  if (orderNumberKey(orderNumber) !== ref.key) return 0;
  const norm = (x: string) => x.toUpperCase().replace(/\s+/g, '');
  if (norm(ref.token) === norm(orderNumber)) return 3;
  const a = orderNumberPrefix(ref.token);
  const b = orderNumberPrefix(orderNumber);
  if (a !== '' && a === b) return 2;
  return a === '' || b === '' ? 1 : 0;
}
