import { fromNaive, NAIVE_DATE, toNaive } from './time.js';
import { EMPTY_REF } from './url.js';

/**
 * Values as 1C sends them → values a program can use, and back.
 * Wire facts (DIALECT.md): Edm.Int64 is a JSON string ("LineNumber":"1"); dates are naive server-local time;
 * the empty date is 0001-01-01T00:00:00; the empty reference is the zero GUID; a composite field is `X` plus
 * `X_Type` ("StandardODATA.Catalog_Контрагенты" / "StandardODATA.Undefined").
 */

export const EMPTY_DATE = '0001-01-01T00:00:00';
const TYPE_PREFIX = 'StandardODATA.';

/** Field → Edm type, with the row types of tabular parts nested (built from $metadata, see metadata.ts). */
export interface FieldType {
  type: string;
  nullable?: boolean;
  row?: FieldTypes;
}
export type FieldTypes = Map<string, FieldType>;

export interface ValueOptions {
  timezone: string;
  /** Types from $metadata. Without them: LineNumber → number, naive-date strings → Date, zero GUID → null. */
  types?: FieldTypes;
}

export type Row = Record<string, unknown>;

const INT_TYPES = new Set(['Edm.Int64', 'Edm.Int32', 'Edm.Int16', 'Edm.Byte', 'Edm.SByte']);
const DIGITS = /^-?\d+$/;

function toInt(v: unknown): unknown {
  if (typeof v !== 'string' || !DIGITS.test(v)) return v;
  const n = Number(v);
  // Past 2^53 a number would silently change the value: keep the string.
  return Number.isSafeInteger(n) ? n : v;
}

function toDate(v: unknown, tz: string): unknown {
  if (typeof v !== 'string') return v;
  if (v.startsWith('0001-01-01T00:00:00')) return null;
  return NAIVE_DATE.test(v) ? fromNaive(v, tz) : v;
}

function isAnnotation(k: string): boolean {
  return k === 'odata.metadata' || k.includes('@');
}

/** One row read from 1C → normalised copy (the input is not modified). */
export function normaliseRow(row: Row, opts: ValueOptions): Row {
  const { timezone: tz, types } = opts;
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (isAnnotation(k)) continue;
    const t = types?.get(k);
    if (Array.isArray(v)) {
      out[k] = v.map((item) =>
        item && typeof item === 'object' && !Array.isArray(item)
          ? normaliseRow(item as Row, { timezone: tz, types: t?.row })
          : item,
      );
      continue;
    }
    if (t) {
      if (INT_TYPES.has(t.type)) out[k] = toInt(v);
      else if (t.type === 'Edm.DateTime') out[k] = toDate(v, tz);
      else if (t.type === 'Edm.Guid') out[k] = v === EMPTY_REF ? null : v;
      else out[k] = v;
      continue;
    }
    if (k === 'LineNumber') out[k] = toInt(v);
    else if (v === EMPTY_REF) out[k] = null;
    else if (typeof v === 'string' && NAIVE_DATE.test(v) && !k.endsWith('_Type')) out[k] = toDate(v, tz);
    else out[k] = v;
  }
  // Composite fields: X + X_Type. Undefined → both null; a reference keeps its GUID, the type loses the
  // namespace ("Catalog_Контрагенты"); an empty reference of a known type becomes null with the type kept.
  for (const k of Object.keys(out)) {
    if (!k.endsWith('_Type')) continue;
    const field = k.slice(0, -5);
    if (!(field in out)) continue;
    const t = out[k];
    if (typeof t !== 'string') continue;
    if (t === `${TYPE_PREFIX}Undefined` || t === '') {
      out[field] = null;
      out[k] = null;
      continue;
    }
    const type = t.startsWith(TYPE_PREFIX) ? t.slice(TYPE_PREFIX.length) : t;
    out[k] = type;
    const v = row[field];
    if (v === EMPTY_REF) out[field] = null;
    else if (type === 'Edm.DateTime') out[field] = toDate(v, tz);
  }
  return out;
}


export function normaliseRows(rows: Row[], opts: ValueOptions): Row[] {
  return rows.map((r) => normaliseRow(r, opts));
}

export interface WireOptions {
  timezone: string;
  /** Renumber LineNumber 1..n in every array of rows (tabular parts); default true. */
  renumber?: boolean;
}

function wireValue(k: string, v: unknown, tz: string): unknown {
  if (v instanceof Date) return toNaive(v, tz);
  if (v === null && /(^|_)Key$/.test(k)) return EMPTY_REF;
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/**
 * A body for POST/PATCH: Dates → naive time in the base's zone; null references → the zero GUID; every array
 * of objects is a tabular part, replaced whole by 1C, whose LineNumber must run 1..n (else 400, missing → 500
 * on a live base, probe P9-7) — so we number it ourselves, as strings like 1C does.
 */
export function toWire(body: Row, opts: WireOptions): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.every((x) => x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Date))) {
      out[k] = v.map((row, i) => {
        const w = toWire(row as Row, opts);
        if (opts.renumber !== false) {
          delete w.LineNumber;
          return { LineNumber: String(i + 1), ...w };
        }
        return w;
      });
    } else out[k] = wireValue(k, v, opts.timezone);
  }
  return out;
}

export { EMPTY_REF };
