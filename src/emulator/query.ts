/**
 * Query options over a list of native rows — $filter, $orderby, $skip, $top, $select, $expand — and serialisation
 * of rows to the dialect's JSON values. Unknown names in $select/$orderby/$expand are 400 code 6 echoing the name
 * (probe P7); $expand only happens for navigation properties that are also in $select (probe P4).
 */
import { err } from './errors.js';
import { compileFilter, type FilterContext } from './filter.js';
import { EMPTY_GUID, type Shape } from './model.js';
import type { Row } from './store.js';
import { toWire } from './values.js';

export interface Selection {
  all: boolean;
  /** `$select=**`: every property but the tabular parts. */
  noCollections?: boolean;
  fields: Set<string>;
  /** Navigation name → fields of the target ('*' for all). Only expanded when also in $expand. */
  navs: Map<string, Set<string> | '*'>;
  collections: Map<string, Set<string> | '*'>;
  expand: Set<string>;
}

export interface QueryOptions {
  filter?: string;
  orderby?: string;
  top?: string;
  skip?: string;
  select?: string;
  expand?: string;
}

function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

export function parseSelection(shape: Shape, ctx: FilterContext, select?: string, expand?: string): Selection {
  const sel: Selection = { all: !select, fields: new Set(), navs: new Map(), collections: new Map(), expand: new Set() };
  for (const item of select ? splitList(select) : []) {
    if (item === '*' || item === '**') {
      sel.all = true;
      if (item === '**') sel.noCollections = true;
      continue;
    }
    const [head, ...rest] = item.split('/');
    if (rest.length === 0) {
      if (shape.propByName.has(head)) sel.fields.add(head);
      else if (shape.navByName.has(head)) sel.navs.set(head, '*');
      else if (shape.collections.has(head)) sel.collections.set(head, '*');
      else throw err.segment(head);
      continue;
    }
    const sub = rest.join('/');
    const nav = shape.navByName.get(head);
    const coll = shape.collections.get(head);
    const target = nav ? ctx.shapeOf(nav.target) : coll;
    if (!target) throw err.segment(head);
    if (sub !== '*' && !target.propByName.has(sub) && !target.navByName.has(sub)) throw err.segment(sub);
    const map = nav ? sel.navs : sel.collections;
    const cur = map.get(head);
    if (cur === '*') continue;
    const set = cur ?? new Set<string>();
    if (sub === '*') map.set(head, '*');
    else map.set(head, set.add(sub));
  }
  for (const item of expand ? splitList(expand) : []) {
    const head = item.split('/')[0];
    if (!shape.navByName.has(head)) throw err.segment(head);
    sel.expand.add(head);
  }
  return sel;
}

export interface SerializeOptions {
  /** Minimal metadata: `"Поле@navigationLinkUrl"` per reference (DIALECT.md); off for odata=nometadata and Atom. */
  links?: boolean;
}

function keyPath(shape: Shape, row: Row): string | undefined {
  if (shape.kind === 'object') return `${shape.name}(guid'${row.Ref_Key}')`;
  if (shape.kind === 'tabular') return `${shape.name}(Ref_Key=guid'${row.Ref_Key}',LineNumber=${row.LineNumber})`;
  return undefined;
}

export function serialize(shape: Shape, row: Row, sel: Selection | null, ctx: FilterContext, opts: SerializeOptions = {}): Row {
  const out: Row = {};
  for (const p of shape.props) {
    if (sel && !sel.all && !sel.fields.has(p.name) && !(p.typeOf && sel.fields.has(p.typeOf))) continue;
    out[p.name] = toWire(p, row[p.name]);
  }
  for (const [name, cs] of shape.collections) {
    const want = !sel || (sel.all && !sel.noCollections) ? '*' : sel.collections.get(name);
    if (!want) continue;
    const lines = (row[name] as Row[] | undefined) ?? [];
    out[name] = lines.map((l) => serialize(cs, l, want === '*' ? null : { ...emptySel(), fields: want }, ctx, opts));
  }
  if (opts.links && shape.navs.length) {
    const base = keyPath(shape, row);
    if (base) for (const nav of shape.navs) if (nav.field in out) out[`${nav.name}@navigationLinkUrl`] = `${base}/${nav.name}`;
  }
  if (sel) {
    for (const [name, want] of sel.navs) {
      if (!sel.expand.has(name)) continue;
      const nav = shape.navByName.get(name)!;
      const key = String(row[nav.field] ?? EMPTY_GUID);
      const target = ctx.shapeOf(nav.target);
      const trow = key === EMPTY_GUID ? undefined : ctx.getRow(nav.target, key);
      out[name] = target && trow ? serialize(target, trow, want === '*' ? null : { ...emptySel(), fields: want }, ctx) : null;
    }
  }
  return out;
}

function emptySel(): Selection {
  return { all: false, fields: new Set(), navs: new Map(), collections: new Map(), expand: new Set() };
}

type Getter = (r: Row) => unknown;

export function parseOrderBy(shape: Shape, ctx: FilterContext, orderby: string): { get: Getter; dir: number }[] {
  return splitList(orderby).map((item) => {
    const m = /^(\S+)(?:\s+(asc|desc))?$/i.exec(item);
    if (!m) throw err.option('$orderby');
    const path = m[1].split('/');
    const dir = m[2]?.toLowerCase() === 'desc' ? -1 : 1;
    if (path.length === 1) {
      if (!shape.propByName.has(path[0])) throw err.segment(path[0]);
      const f = path[0];
      return { get: (r: Row) => r[f], dir };
    }
    const nav = shape.navByName.get(path[0]);
    if (!nav) throw err.segment(path[0]);
    const target = ctx.shapeOf(nav.target);
    if (!target?.propByName.has(path[1])) throw err.segment(path[1]);
    const [field, sub] = [nav.field, path[1]];
    return { get: (r: Row) => ctx.getRow(nav.target, String(r[field]))?.[sub], dir };
  });
}

/**
 * Sorts by decorated keys: values are read once per row, not once per comparison (100,000 items by Ref_Key:
 * 1.2 s with per-comparison reads and String() → ~0.15 s decorated).
 */
function sortRows(rows: Row[], keys: { get: Getter; dir: number }[]): Row[] {
  const n = keys.length;
  const dec = rows.map((r) => {
    const k: (string | number)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = keys[i].get(r);
      k[i] = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : v == null ? '' : String(v);
    }
    return { k, r };
  });
  dec.sort((a, b) => {
    for (let i = 0; i < n; i++) {
      const x = a.k[i];
      const y = b.k[i];
      if (x === y) continue;
      return (x < y ? -1 : 1) * keys[i].dir;
    }
    return 0;
  });
  return dec.map((d) => d.r);
}

/**
 * Filtered + ordered lists per (set, $filter, $orderby), valid while the store has not been written: clients page
 * with `$orderby=Ref_Key&$top=N&$skip=M` (no server paging in 1C), so every page after the first costs O(page).
 */
export class QueryCache {
  private readonly entries = new Map<string, { version: number; list: Row[] }>();
  constructor(private readonly max = 32) {}
  get(key: string, version: number): Row[] | undefined {
    const e = this.entries.get(key);
    if (!e || e.version !== version) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.list;
  }
  set(key: string, version: number, list: Row[]): void {
    this.entries.set(key, { version, list });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

function intOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw err.option(name);
  return Number(v);
}

/** One `F eq guid'…'` or `F eq cast(guid'…', 'T')` term of a key lookup. */
const KEY_TERM = /^\s*([\p{L}\p{N}_]+)\s+eq\s+(?:cast\(\s*guid'([0-9a-fA-F-]{36})'\s*,\s*'[^']+'\s*\)|guid'([0-9a-fA-F-]{36})')\s*$/u;
/** Per query cache and set: the rows of one store version by the lower-cased guid of a field, in list order. */
const keyIndexes = new WeakMap<QueryCache, Map<string, { version: number; index: Map<string, Row[]> | null; pos: Map<Row, number> }>>();

/**
 * Candidate rows of a key lookup — `F eq <guid> or F eq <guid> …` on one field, what ReGate's listByKeys sends (a
 * chunk of description files' or pictures' keys, items by code) — from an index of F built once per store version,
 * in the order a scan would give them; the compiled filter still decides each one. A scan evaluated the whole `or`
 * chain (15-30 terms) on every row: a 100k-item base's first sync spent 25+ minutes of the emulator's CPU on the
 * description files' reads (issue 14.7), ~1.5 s a request. undefined: not such a filter (or F holds something other
 * than a guid string somewhere): scan.
 */
function byKeys(shape: Shape, rows: Row[] | (() => Row[]), filter: string, cache: { cache: QueryCache; version: number }): Row[] | undefined {
  let field: string | undefined;
  const keys: string[] = [];
  for (const term of filter.split(/\s+or\s+/)) {
    const m = KEY_TERM.exec(term);
    if (!m || (field !== undefined && m[1] !== field)) return undefined;
    field = m[1];
    keys.push((m[2] ?? m[3]).toLowerCase());
  }
  if (field === undefined || !shape.propByName.has(field)) return undefined;
  let perSet = keyIndexes.get(cache.cache);
  if (!perSet) keyIndexes.set(cache.cache, (perSet = new Map()));
  const id = `${shape.name}\u0001${field}`;
  let entry = perSet.get(id);
  if (!entry || entry.version !== cache.version) {
    let index: Map<string, Row[]> | null = new Map();
    const pos = new Map<Row, number>();
    for (const row of typeof rows === 'function' ? rows() : rows) {
      const v = row[field];
      pos.set(row, pos.size);
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string') {
        index = null;
        break;
      }
      const k = v.toLowerCase();
      const at = index.get(k);
      if (at) at.push(row);
      else index.set(k, [row]);
    }
    perSet.set(id, (entry = { version: cache.version, index, pos }));
  }
  if (!entry.index) return undefined;
  const out = new Set<Row>();
  for (const k of keys) for (const row of entry.index.get(k) ?? []) out.add(row);
  // The scan's order: the list's.
  const pos = entry.pos;
  return [...out].sort((a, b) => pos.get(a)! - pos.get(b)!);
}

/** Filters, orders and pages; returns the page and the filtered count (for $inlinecount). */
export function runQuery(
  shape: Shape,
  rows: Row[] | (() => Row[]),
  q: QueryOptions,
  ctx: FilterContext,
  cache?: { cache: QueryCache; version: number },
): { page: Row[]; count: number } {
  const top = intOption('$top', q.top);
  const skip = intOption('$skip', q.skip) ?? 0;
  const hasFilter = q.filter !== undefined && q.filter.trim() !== '';
  const f = hasFilter ? compileFilter(q.filter!, shape, ctx) : undefined;
  const order = q.orderby ? parseOrderBy(shape, ctx, q.orderby) : undefined;
  const cacheKey = `${shape.name}\u0001${hasFilter ? q.filter : ''}\u0001${q.orderby ?? ''}`;
  let list = cache && (f || order) ? cache.cache.get(cacheKey, cache.version) : undefined;
  if (!list) {
    const keyed = f && cache ? byKeys(shape, rows, q.filter!, cache) : undefined;
    list = keyed ?? (typeof rows === 'function' ? rows() : rows);
    if (f) list = list.filter(f);
    if (order) list = sortRows(list, order);
    if (cache && (f || order)) cache.cache.set(cacheKey, cache.version, list);
  }
  const count = list.length;
  const page = list.slice(skip, top === undefined ? undefined : skip + top);
  return { page, count };
}
