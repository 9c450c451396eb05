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

export function serialize(shape: Shape, row: Row, sel: Selection | null, ctx: FilterContext): Row {
  const out: Row = {};
  for (const p of shape.props) {
    if (sel && !sel.all && !sel.fields.has(p.name) && !(p.typeOf && sel.fields.has(p.typeOf))) continue;
    out[p.name] = toWire(p, row[p.name]);
  }
  for (const [name, cs] of shape.collections) {
    const want = !sel || sel.all ? '*' : sel.collections.get(name);
    if (!want) continue;
    const lines = (row[name] as Row[] | undefined) ?? [];
    out[name] = lines.map((l) => serialize(cs, l, want === '*' ? null : { ...emptySel(), fields: want }, ctx));
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

export function parseOrderBy(shape: Shape, ctx: FilterContext, orderby: string): (a: Row, b: Row) => number {
  const keys = splitList(orderby).map((item) => {
    const m = /^(\S+)(?:\s+(asc|desc))?$/i.exec(item);
    if (!m) throw err.option('$orderby');
    const path = m[1].split('/');
    const dir = m[2]?.toLowerCase() === 'desc' ? -1 : 1;
    let get: (r: Row) => unknown;
    if (path.length === 1) {
      if (!shape.propByName.has(path[0])) throw err.segment(path[0]);
      const f = path[0];
      get = (r) => r[f];
    } else {
      const nav = shape.navByName.get(path[0]);
      if (!nav) throw err.segment(path[0]);
      const target = ctx.shapeOf(nav.target);
      if (!target?.propByName.has(path[1])) throw err.segment(path[1]);
      const [field, sub] = [nav.field, path[1]];
      get = (r) => ctx.getRow(nav.target, String(r[field]))?.[sub];
    }
    return { get, dir };
  });
  return (a, b) => {
    for (const k of keys) {
      const x = k.get(a);
      const y = k.get(b);
      if (x === y) continue;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '') < String(y ?? '') ? -1 : String(x ?? '') > String(y ?? '') ? 1 : 0;
      if (c) return c * k.dir;
    }
    return 0;
  };
}

function intOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw err.option(name);
  return Number(v);
}

/** Filters, orders and pages; returns the page and the filtered count (for $inlinecount). */
export function runQuery(shape: Shape, rows: Row[], q: QueryOptions, ctx: FilterContext): { page: Row[]; count: number } {
  const top = intOption('$top', q.top);
  const skip = intOption('$skip', q.skip) ?? 0;
  let list = rows;
  if (q.filter !== undefined && q.filter.trim() !== '') {
    const f = compileFilter(q.filter, shape, ctx);
    list = list.filter(f);
  }
  if (q.orderby) {
    const cmp = parseOrderBy(shape, ctx, q.orderby);
    list = list === rows ? [...list].sort(cmp) : list.sort(cmp);
  }
  const count = list.length;
  const page = list.slice(skip, top === undefined ? undefined : skip + top);
  return { page, count };
}
