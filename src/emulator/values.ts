/**
 * Native values (what the store keeps: numbers for every number type, naive 'YYYY-MM-DDTHH:mm:ss' strings for dates,
 * lowercase guid strings) ↔ the wire dialect (Int64 as a JSON string, etc.), and coercion of written values the way
 * the platform does it (probe P8/P9: a string into Edm.Int64 is silently ignored, a bad guid/boolean is 400 code 1,
 * an array into a string field is 500 code -1, over-long strings are truncated).
 */
import { randomUUID } from 'node:crypto';
import { err } from './errors.js';
import { EMPTY_DATE, type Prop } from './model.js';

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?)?$/;

export function newGuid(): string {
  return randomUUID();
}

/** DataVersion: 8 bytes, big-endian write counter, base64 — `AAAAAAAAAAA=` after creation (probe P8). */
export function dataVersionOf(counter: number): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(counter));
  return b.toString('base64');
}

export function counterOf(dataVersion: unknown): number {
  if (typeof dataVersion !== 'string' || !dataVersion) return -1;
  const b = Buffer.from(dataVersion, 'base64');
  return b.length === 8 ? Number(b.readBigUInt64BE()) : -1;
}

/** Normalises a date to the naive second-precision form 1C uses. */
export function normDate(v: string): string {
  let s = v.replace(/Z$|[+-]\d{2}:\d{2}$/, '');
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00';
  if (/T\d{2}:\d{2}$/.test(s)) s += ':00';
  return s.slice(0, 19);
}

function emptyStorage(prop: Prop): string {
  return prop.storage?.part === 'type' ? 'application/octet-stream' : '';
}

export function toWire(prop: Prop, v: unknown): unknown {
  if (v === undefined || v === null) {
    if (prop.type === 'Edm.Int64') return '0';
    return v ?? null;
  }
  if (prop.type === 'Edm.Int64' && !prop.composite && !prop.typeOf) return String(v);
  return v;
}

/**
 * Coerces one written value. Returns `undefined` when the platform would silently ignore it (keep the old value).
 */
export function fromWire(prop: Prop, v: unknown): unknown {
  if (prop.typeOf) return typeof v === 'string' ? v : undefined;
  if (prop.storage) {
    if (v === null) return emptyStorage(prop);
    if (typeof v !== 'string') throw err.internal();
    if (prop.storage.part === 'data' && !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw err.parseValue(v.slice(0, 40), 'Edm.Binary');
    return v;
  }
  if (Array.isArray(v) || (v !== null && typeof v === 'object')) throw err.internal();
  if (prop.composite) return v === null ? '' : v;
  switch (prop.type) {
    case 'Edm.Guid': {
      if (v === null || v === '') return '00000000-0000-0000-0000-000000000000';
      if (typeof v !== 'string' || !GUID_RE.test(v)) throw err.parseValue(String(v), 'Edm.Guid');
      return v.toLowerCase();
    }
    case 'Edm.Boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      throw err.parseValue(String(v), 'Edm.Boolean');
    case 'Edm.Int16':
    case 'Edm.Int32':
    case 'Edm.Int64':
    case 'Edm.Double': {
      if (typeof v === 'number') return v;
      // Numbers arrive as strings too (Int64 is written back as it is read); a non-number string is ignored.
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      return undefined;
    }
    case 'Edm.DateTime':
      if (v === null || v === '') return EMPTY_DATE;
      if (typeof v !== 'string' || !DATE_RE.test(v.replace(/Z$|[+-]\d{2}:\d{2}$/, ''))) throw err.parseValue(String(v), 'Edm.DateTime');
      return normDate(v);
    default: {
      const s = v === null ? '' : String(v);
      return prop.maxLength && s.length > prop.maxLength ? s.slice(0, prop.maxLength) : s;
    }
  }
}
