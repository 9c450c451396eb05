import { literal, ODataLiteral, type LiteralValue } from './url.js';

/**
 * A small $filter builder for the 1C dialect. It deliberately has no `in`: 1C answers 400 code 14 to it
 * (live УТ 11), so key lists become `or` chains, split so each URL fits under onec.maxUrlLength
 * (IIS returns an HTML 404 above 2048 bytes of query string).
 */

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type Filter =
  | { kind: 'cmp'; op: CompareOp; field: string; value: LiteralValue }
  | { kind: 'and' | 'or'; items: Filter[] }
  | { kind: 'not'; item: Filter }
  | { kind: 'call'; fn: 'substringof' | 'startswith' | 'endswith'; field: string; value: string }
  | { kind: 'raw'; text: string };

const cmp =
  (op: CompareOp) =>
  (field: string, value: LiteralValue): Filter => ({ kind: 'cmp', op, field, value });

export const eq = cmp('eq');
export const ne = cmp('ne');
export const gt = cmp('gt');
export const ge = cmp('ge');
export const lt = cmp('lt');
export const le = cmp('le');

type Maybe = Filter | undefined | null | false;
const present = (items: Maybe[]) => items.filter((x): x is Filter => !!x);

/** and(a, b, …): undefined items are dropped, so optional conditions compose without ifs. */
export function and(...items: Maybe[]): Filter {
  const list = present(items);
  if (list.length === 0) throw new TypeError('and() of nothing');
  return list.length === 1 ? list[0] : { kind: 'and', items: list };
}

export function or(...items: Maybe[]): Filter {
  const list = present(items);
  if (list.length === 0) throw new TypeError('or() of nothing');
  return list.length === 1 ? list[0] : { kind: 'or', items: list };
}

export function not(item: Filter): Filter {
  return { kind: 'not', item };
}

/** substringof('needle', Field): 1C's "contains" (case-insensitive on live bases). */
export function substringof(needle: string, field: string): Filter {
  return { kind: 'call', fn: 'substringof', field, value: needle };
}

export function startswith(field: string, prefix: string): Filter {
  return { kind: 'call', fn: 'startswith', field, value: prefix };
}

export function endswith(field: string, suffix: string): Filter {
  return { kind: 'call', fn: 'endswith', field, value: suffix };
}

export function rawFilter(text: string): Filter {
  return { kind: 'raw', text };
}

/** field eq v1 or field eq v2 …: the `in` 1C lacks. */
export function anyOf(field: string, values: LiteralValue[]): Filter {
  return or(...values.map((v) => eq(field, v)));
}

export interface RenderContext {
  timezone: string;
}

// Binding strength: or < and < not < primary. A child weaker than its parent gets parentheses.
const strength = (f: Filter) => (f.kind === 'or' ? 1 : f.kind === 'and' ? 2 : f.kind === 'raw' ? 0 : 4);

function child(f: Filter, parent: number, ctx: RenderContext): string {
  const s = renderFilter(f, ctx);
  return strength(f) < parent ? `(${s})` : s;
}

export function renderFilter(f: Filter | string, ctx: RenderContext): string {
  if (typeof f === 'string') return f;
  switch (f.kind) {
    case 'cmp':
      return `${f.field} ${f.op} ${literal(f.value, ctx.timezone, f.field)}`;
    case 'and':
      return f.items.map((x) => child(x, 2, ctx)).join(' and ');
    case 'or':
      return f.items.map((x) => child(x, 1, ctx)).join(' or ');
    case 'not':
      // `not` always with parentheses: `not A eq 1` is read by some parsers as `(not A) eq 1`.
      return `not (${renderFilter(f.item, ctx)})`;
    case 'call': {
      const v = literal(f.value, ctx.timezone);
      return f.fn === 'substringof' ? `substringof(${v}, ${f.field})` : `${f.fn}(${f.field}, ${v})`;
    }
    case 'raw':
      return f.text;
  }
}

export class FilterTooLong extends Error {
  override name = 'FilterTooLong';
}

/**
 * Split `field eq k1 or field eq k2 …` into as few filters as keep each URL within the limit.
 * `urlLength(filter)` returns the length of the whole URL the caller will send with that filter (so the set
 * name, $select and any `extra` condition are all counted). `extra` is and-ed to every chunk.
 * Throws FilterTooLong when even one key does not fit.
 */
export function splitKeyFilter(
  field: string,
  keys: LiteralValue[],
  urlLength: (filter: Filter) => number,
  maxUrlLength: number,
  extra?: Filter,
): Filter[] {
  const unique = [...new Map(keys.map((k) => [k instanceof ODataLiteral ? k.text : k instanceof Date ? k.toISOString() : JSON.stringify(k), k])).values()];
  const make = (chunk: LiteralValue[]) => and(anyOf(field, chunk), extra);
  const out: Filter[] = [];
  let i = 0;
  while (i < unique.length) {
    // Gallop then bisect: length is monotonic in the number of keys, so ~log2(n) renders per chunk.
    let lo = 1;
    if (urlLength(make(unique.slice(i, i + 1))) > maxUrlLength) {
      throw new FilterTooLong(`one key of ${field} alone makes a URL longer than ${maxUrlLength}`);
    }
    let hi = 2;
    while (i + lo < unique.length && urlLength(make(unique.slice(i, i + Math.min(hi, unique.length - i)))) <= maxUrlLength) {
      lo = Math.min(hi, unique.length - i);
      hi *= 2;
    }
    hi = Math.min(hi, unique.length - i + 1);
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (urlLength(make(unique.slice(i, i + mid))) <= maxUrlLength) lo = mid;
      else hi = mid;
    }
    out.push(make(unique.slice(i, i + lo)));
    i += lo;
  }
  return out;
}
