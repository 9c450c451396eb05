/**
 * Check digits of Russian requisites and EAN-13, used by the demo generator (to make valid values) and by the
 * tests (to verify them). Algorithms: ФНС (ИНН), ОГРН/ОГРНИП (mod 11 / mod 13), ЦБ РФ 1997 account key
 * (weights 7-1-3 over БИК tail + account), GS1 (EAN-13).
 */

const digits = (s: string) => Array.from(s, (c) => c.charCodeAt(0) - 48);
const weighted = (ds: number[], w: number[]) => ds.reduce((sum, d, i) => sum + d * w[i], 0);

const INN10_W = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN11_W = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_W = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/** Completes the first 9 digits of a legal entity's ИНН with its check digit. */
export function inn10(first9: string): string {
  return first9 + ((weighted(digits(first9), INN10_W) % 11) % 10);
}

/** Completes the first 10 digits of a person's / ИП's ИНН with its two check digits. */
export function inn12(first10: string): string {
  const n11 = (weighted(digits(first10), INN11_W) % 11) % 10;
  const with11 = first10 + n11;
  return with11 + ((weighted(digits(with11), INN12_W) % 11) % 10);
}

export function isValidInn(inn: string): boolean {
  if (/^\d{10}$/.test(inn)) return inn10(inn.slice(0, 9)) === inn;
  if (/^\d{12}$/.test(inn)) return inn12(inn.slice(0, 10)) === inn;
  return false;
}

/**
 * КПП has no check digit; validity is its structure: 4 digits of the tax office (region + inspection), 2 of the
 * reason (digits, or Latin A-Z for some reasons since 2019), 3 digits of the serial.
 */
export function isValidKpp(kpp: string): boolean {
  return /^\d{4}[\dA-Z]{2}\d{3}$/.test(kpp) && kpp.slice(0, 4) !== '0000';
}

/** ОГРН (13): check = (first 12 mod 11) mod 10. ОГРНИП (15): (first 14 mod 13) mod 10. */
export function ogrn(first12: string): string {
  return first12 + Number((BigInt(first12) % 11n) % 10n);
}

export function isValidOgrn(value: string): boolean {
  if (/^\d{13}$/.test(value)) return ogrn(value.slice(0, 12)) === value;
  if (/^\d{15}$/.test(value)) return value === value.slice(0, 14) + Number((BigInt(value.slice(0, 14)) % 13n) % 10n);
  return false;
}

const ACCOUNT_W = [7, 1, 3];

/** The 3 digits the ЦБ key is computed over: БИК tail for a settlement account, "0"+БИК[4..5] for a corr. account. */
function bikTail(bik: string, correspondent: boolean): string {
  return correspondent ? '0' + bik.slice(4, 6) : bik.slice(6, 9);
}

function accountSum(bik: string, account: string, correspondent: boolean): number {
  const ds = digits(bikTail(bik, correspondent) + account);
  return ds.reduce((sum, d, i) => sum + d * ACCOUNT_W[i % 3], 0);
}

/** Sets the control key (9th digit) of a 20-digit account against a БИК. */
export function withAccountKey(bik: string, account: string, correspondent = false): string {
  const zeroed = account.slice(0, 8) + '0' + account.slice(9);
  const key = ((accountSum(bik, zeroed, correspondent) % 10) * 3) % 10;
  return zeroed.slice(0, 8) + key + zeroed.slice(9);
}

export function isValidAccount(bik: string, account: string, correspondent = false): boolean {
  return /^\d{9}$/.test(bik) && /^\d{20}$/.test(account) && accountSum(bik, account, correspondent) % 10 === 0;
}

/** Completes 12 digits with the GS1 check digit. */
export function ean13(first12: string): string {
  const sum = digits(first12).reduce((s, d, i) => s + d * (i % 2 ? 3 : 1), 0);
  return first12 + ((10 - (sum % 10)) % 10);
}

export function isValidEan13(code: string): boolean {
  return /^\d{13}$/.test(code) && ean13(code.slice(0, 12)) === code;
}
