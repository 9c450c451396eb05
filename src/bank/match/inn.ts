/**
 * INN (taxpayer number) checks. 10 digits: legal entities; 12: individuals and sole traders. The last one/two
 * digits are check digits (weighted sums mod 11 mod 10), which catches most typos and the placeholders banks
 * write (`0000000000` is rejected separately: its check digit happens to be valid).
 */
const W10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

function check(d: string, w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (d.charCodeAt(i) - 48) * w[i];
  return (s % 11) % 10;
}

export function isValidInn(inn: string): boolean {
  if (!/^\d{10}$|^\d{12}$/.test(inn) || /^0+$/.test(inn)) return false;
  if (inn.length === 10) return check(inn, W10) === inn.charCodeAt(9) - 48;
  return check(inn, W11) === inn.charCodeAt(10) - 48 && check(inn, W12) === inn.charCodeAt(11) - 48;
}

/** `ИНН 7718123456\771801001 ООО ...`, `ИНН: 7718...`, or the INN leading the name: `6154569327 ООО ...`, `7777777777, ООО`. */
const INN_LABELLED = /ИНН\s*[:№N]?\s*(\d{12}|\d{10})(?!\d)/iu;
const INN_LEADING = /^\s*(\d{12}|\d{10})(?!\d)/u;

/** A valid INN found in free text (a payer's name line), or null. */
export function innFromText(text: string | null | undefined): string | null {
  if (!text) return null;
  for (const re of [INN_LABELLED, INN_LEADING]) {
    const m = re.exec(text);
    if (m && isValidInn(m[1])) return m[1];
  }
  return null;
}

/**
 * Accounts of transit/settlement kinds (balance-sheet account prefixes of the Bank of Russia chart): 30232/30233
 * (settlements with individuals / card transfers in transit), 47422 (bank's own settlements), 40911 (transfers in
 * transit). Money arriving from them carries the bank's or acquirer's INN, not the customer's.
 */
export const TRANSIT_PREFIXES = ['30233', '30232', '47422', '40911'] as const;

export function isTransitAccount(account: string | null | undefined): boolean {
  return !!account && TRANSIT_PREFIXES.some((p) => account.startsWith(p));
}

export interface PayerLike {
  account: string | null;
  settlementAccount: string | null;
  inn: string | null;
  name: string | null;
  nameLines?: string[];
}

export type PayerInn =
  | { inn: string; source: 'field' | 'name' }
  | { inn: null; source: 'none' | 'invalid'; invalid?: string };

/** ПлательщикИНН when it is a valid INN; when empty or `0`, the INN inside `Плательщик`/`Плательщик1..`. */
export function payerInn(p: PayerLike): PayerInn {
  const field = p.inn?.trim() ?? '';
  if (field !== '' && !/^0+$/.test(field)) {
    return isValidInn(field) ? { inn: field, source: 'field' } : { inn: null, source: 'invalid', invalid: field };
  }
  for (const t of [p.name, ...(p.nameLines ?? [])]) {
    const inn = innFromText(t);
    if (inn) return { inn, source: 'name' };
  }
  return { inn: null, source: 'none' };
}
