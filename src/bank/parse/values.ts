import { BankParseError } from './errors.js';

/**
 * Exact decimal → integer kopecks, without ever going through a float: "1234.5" → 123450, "700" → 70000,
 * "22.9" → 2290. Accepts a comma as the decimal separator (some exporters write one) and, when `signed`, a
 * leading minus (balances can be negative). More than two decimals are accepted only when the extra ones are
 * zeros ("10.100"); anything else is an error, never a rounding.
 */
const MAX_RUB = Math.floor(Number.MAX_SAFE_INTEGER / 100);

export function parseKopecks(raw: string, line: number, key: string, signed = false): number {
  const s = raw;
  const n = s.length;
  let i = 0;
  let neg = false;
  if (signed && n > 0 && s.charCodeAt(0) === 45 /* - */) {
    neg = true;
    i = 1;
  }
  let rub = 0;
  let intDigits = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    rub = rub * 10 + c;
    intDigits++;
  }
  let kop = 0;
  if (i < n) {
    const sep = s.charCodeAt(i);
    if (sep !== 46 /* . */ && sep !== 44 /* , */) throw bad(raw, line, key);
    i++;
    let frac = 0;
    for (; i < n; i++, frac++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) throw bad(raw, line, key);
      if (frac === 0) kop += c * 10;
      else if (frac === 1) kop += c;
      else if (c !== 0) throw new BankParseError(line, 'BAD_AMOUNT', `${key}: "${raw}" — больше двух значащих знаков после точки`);
    }
    if (frac === 0 && intDigits === 0) throw bad(raw, line, key);
  }
  if (intDigits === 0 && i === (neg ? 1 : 0)) throw bad(raw, line, key);
  // Checked on the value, not the digit count, so zero-padded amounts pass. `rub` stays exact while it is below
  // 2^53, and anything that passes this check is, so the kopeck total is exact too (or rejected).
  const total = rub * 100 + kop;
  if (rub > MAX_RUB || !Number.isSafeInteger(total)) throw new BankParseError(line, 'BAD_AMOUNT', `${key}: "${raw}" — слишком большая сумма`);
  return neg ? -total : total;
}

function bad(raw: string, line: number, key: string): BankParseError {
  return new BankParseError(line, 'BAD_AMOUNT', `${key}: "${raw}" — не сумма (ожидаются цифры, необязательная точка и до двух знаков после неё)`);
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `dd.mm.yyyy` → `yyyy-mm-dd`. Empty and `..` (seen in ПоказательДаты-style fields) → null.
 * Returns undefined for anything else that is not a real calendar date, so the caller decides whether that is
 * fatal (Дата of a document) or a warning (ДатаСписано).
 */
export function parseDate(s: string): string | null | undefined {
  if (s === '' || s === '..' || s === '00.00.0000') return null;
  if (s.length !== 10 || s.charCodeAt(2) !== 46 || s.charCodeAt(5) !== 46) return undefined;
  const d = num2(s, 0);
  const m = num2(s, 3);
  const yHi = num2(s, 6);
  const yLo = num2(s, 8);
  if (yHi < 0 || yLo < 0) return undefined; // found by the fuzz test: "20 5" once passed as 1999
  const y = yHi * 100 + yLo;
  if (d < 1 || m < 1 || m > 12 || y < 1900 || y > 2200 || d > DAYS[m - 1]) return undefined;
  if (m === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return undefined;
  return `${s.slice(6, 10)}-${s.slice(3, 5)}-${s.slice(0, 2)}`;
}

function num2(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/** `hh:mm:ss` or `hh:mm` → `hh:mm:ss`; anything else → undefined. */
export function parseTime(s: string): string | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const se = m[3] ? Number(m[3]) : 0;
  if (h > 23 || mi > 59 || se > 59) return undefined;
  return `${String(h).padStart(2, '0')}:${m[2]}:${m[3] ?? '00'}`;
}
