/**
 * $filter: a real tokenizer + recursive-descent parser compiled to closures over native rows.
 * Supported as the platform supports it: eq ne gt ge lt le, and or not, parentheses, add sub mul div mod,
 * substringof/startswith/endswith/like/concat/substring/year…second, cast(guid'…','Catalog_X'), `/` navigation
 * through `_Key` references, `Тч/any(d: d/Поле gt 1)` and `all`. Refused with 400 code 14 like the platform:
 * `in`, length, indexof, tolower, toupper, trim, anything unparsable or unknown.
 *
 * A composite field evaluates to a Ref (value + type) and equals only another Ref: a bare guid matches nothing [DOC].
 */
import { err, ODataError } from './errors.js';
import { NS, type Shape } from './model.js';
import type { Row } from './store.js';

export class Ref {
  constructor(
    readonly v: string,
    readonly type: string,
  ) {}
}
class GuidLit {
  constructor(readonly v: string) {}
}

type Tok =
  | { t: 'id'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'guid'; v: string }
  | { t: 'date'; v: string }
  | { t: 'punct'; v: string };

const UNSUPPORTED = new Set(['in', 'length', 'indexof', 'tolower', 'toupper', 'trim', 'round', 'floor', 'ceiling', 'replace']);
const CMP = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const isId = (c: string) => /[\p{L}\p{N}_]/u.test(c);
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '/' || c === ':') {
      out.push({ t: 'punct', v: c });
      i++;
      continue;
    }
    if (c === "'") {
      const [s, end] = readQuoted(src, i);
      out.push({ t: 'str', v: s });
      i = end;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^\d*\.?\d+(?:[eE][+-]?\d+)?[mMdDlLfF]?/.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[0].replace(/[mMdDlLfF]$/, '')) });
      i += m[0].length;
      if (i < src.length && isId(src[i])) throw err.filter();
      continue;
    }
    if (c === '-') {
      out.push({ t: 'punct', v: '-' });
      i++;
      continue;
    }
    if (isId(c)) {
      let j = i;
      while (j < src.length && isId(src[j])) j++;
      const word = src.slice(i, j);
      if (src[j] === "'" && (word === 'guid' || word === 'datetime' || word === 'datetimeoffset' || word === 'time')) {
        const [s, end] = readQuoted(src, j);
        if (word === 'guid') {
          if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) throw err.filter();
          out.push({ t: 'guid', v: s.toLowerCase() });
        } else {
          if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(s)) throw err.filter();
          out.push({ t: 'date', v: s.length === 16 ? `${s}:00` : s });
        }
        i = end;
        continue;
      }
      out.push({ t: 'id', v: word });
      i = j;
      continue;
    }
    throw err.filter();
  }
  return out;
}

function readQuoted(src: string, start: number): [string, number] {
  let i = start + 1;
  let s = '';
  for (;;) {
    if (i >= src.length) throw err.filter();
    const c = src[i];
    if (c === "'") {
      if (src[i + 1] === "'") {
        s += "'";
        i += 2;
        continue;
      }
      return [s, i + 1];
    }
    s += c;
    i++;
  }
}

export type Eval = (row: Row, vars: Record<string, Row>) => unknown;

/**
 * Static types of some sub-expressions, for the platform's type errors (probe P7): a bare number compared with a
 * string property is 400 (and the number is echoed), a string function over a non-string property is 500.
 */
const typeOf = new WeakMap<Eval, { type: string; text?: string }>();
function typed(f: Eval, type: string, text?: string): Eval {
  typeOf.set(f, { type, text });
  return f;
}

/** Resolves `_Key` navigation at evaluation time (the store's get). */
export interface FilterContext {
  shapeOf(set: string): Shape | undefined;
  getRow(set: string, key: string): Row | undefined;
}

export function compileFilter(src: string, shape: Shape, ctx: FilterContext): (row: Row) => boolean {
  let toks: Tok[];
  try {
    toks = tokenize(src);
  } catch (e) {
    if (e instanceof ODataError) throw e;
    throw err.filter();
  }
  const p = new Parser(toks, shape, ctx);
  const f = p.parseExpr(new Map());
  if (p.pos < toks.length) throw err.filter();
  return (row) => truthy(f(row, {}));
}

/** A string function applied to a number/boolean/date property: the platform fails with 500 (probe P7). */
function notString(f: Eval): void {
  const t = typeOf.get(f)?.type;
  if (t && t !== 'Edm.String' && t !== 'num') throw err.internal();
}

function truthy(v: unknown): boolean {
  return v === true;
}

class Parser {
  pos = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly shape: Shape,
    private readonly ctx: FilterContext,
  ) {}

  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t?.t === 'id' && t.v === w;
  }
  private isPunct(v: string): boolean {
    const t = this.peek();
    return t?.t === 'punct' && t.v === v;
  }
  private expect(v: string): void {
    if (!this.isPunct(v)) throw err.filter();
    this.pos++;
  }

  parseExpr(scope: Map<string, Shape>): Eval {
    let left = this.parseAnd(scope);
    while (this.isWord('or')) {
      this.pos++;
      const l = left;
      const r = this.parseAnd(scope);
      left = (row, vars) => truthy(l(row, vars)) || truthy(r(row, vars));
    }
    return left;
  }

  private parseAnd(scope: Map<string, Shape>): Eval {
    let left = this.parseNot(scope);
    while (this.isWord('and')) {
      this.pos++;
      const l = left;
      const r = this.parseNot(scope);
      left = (row, vars) => truthy(l(row, vars)) && truthy(r(row, vars));
    }
    return left;
  }

  private parseNot(scope: Map<string, Shape>): Eval {
    if (this.isWord('not')) {
      this.pos++;
      const inner = this.parseNot(scope);
      return (row, vars) => !truthy(inner(row, vars));
    }
    return this.parseCmp(scope);
  }

  private parseCmp(scope: Map<string, Shape>): Eval {
    const left = this.parseAdd(scope);
    const t = this.peek();
    if (t?.t === 'id' && UNSUPPORTED.has(t.v)) throw err.filter();
    if (t?.t === 'id' && CMP.has(t.v)) {
      this.pos++;
      const right = this.parseAdd(scope);
      const op = t.v;
      const [lt, rt] = [typeOf.get(left), typeOf.get(right)];
      for (const [a, b] of [[lt, rt], [rt, lt]]) {
        if (a?.type === 'Edm.String' && b?.type === 'num') throw err.filter(`несовместимые типы в сравнении: ${b.text}`);
      }
      return (row, vars) => compare(op, left(row, vars), right(row, vars));
    }
    return left;
  }

  private parseAdd(scope: Map<string, Shape>): Eval {
    let left = this.parseMul(scope);
    while (this.isWord('add') || this.isWord('sub')) {
      const op = (this.toks[this.pos++] as { v: string }).v;
      const l = left;
      const r = this.parseMul(scope);
      left = (row, vars) => arith(op, l(row, vars), r(row, vars));
    }
    return left;
  }

  private parseMul(scope: Map<string, Shape>): Eval {
    let left = this.parseUnary(scope);
    while (this.isWord('mul') || this.isWord('div') || this.isWord('mod')) {
      const op = (this.toks[this.pos++] as { v: string }).v;
      const l = left;
      const r = this.parseUnary(scope);
      left = (row, vars) => arith(op, l(row, vars), r(row, vars));
    }
    return left;
  }

  private parseUnary(scope: Map<string, Shape>): Eval {
    if (this.isPunct('-')) {
      this.pos++;
      const inner = this.parseUnary(scope);
      return (row, vars) => -Number(inner(row, vars));
    }
    return this.parsePrimary(scope);
  }

  private parsePrimary(scope: Map<string, Shape>): Eval {
    const t = this.peek();
    if (!t) throw err.filter();
    if (t.t === 'punct' && t.v === '(') {
      this.pos++;
      const e = this.parseExpr(scope);
      this.expect(')');
      return e;
    }
    if (t.t === 'str' || t.t === 'num' || t.t === 'date') {
      this.pos++;
      const v = t.v;
      return t.t === 'num' ? typed(() => v, 'num', String(v)) : () => v;
    }
    if (t.t === 'guid') {
      this.pos++;
      const v = new GuidLit(t.v);
      return () => v;
    }
    if (t.t !== 'id') throw err.filter();
    if (t.v === 'true' || t.v === 'false') {
      this.pos++;
      const v = t.v === 'true';
      return () => v;
    }
    if (t.v === 'null') {
      this.pos++;
      return () => null;
    }
    if (this.toks[this.pos + 1]?.t === 'punct' && (this.toks[this.pos + 1] as { v: string }).v === '(') {
      return this.parseCall(scope);
    }
    return this.parsePath(scope);
  }

  private parseArgs(scope: Map<string, Shape>): Eval[] {
    this.expect('(');
    const args: Eval[] = [];
    if (!this.isPunct(')')) {
      for (;;) {
        args.push(this.parseExpr(scope));
        if (this.isPunct(',')) {
          this.pos++;
          continue;
        }
        break;
      }
    }
    this.expect(')');
    return args;
  }

  private parseCall(scope: Map<string, Shape>): Eval {
    const name = (this.toks[this.pos++] as { v: string }).v;
    if (UNSUPPORTED.has(name)) throw err.filter();
    const args = this.parseArgs(scope);
    const a = (i: number) => {
      const f = args[i];
      if (!f) throw err.filter();
      return f;
    };
    const s = (v: unknown) => (v instanceof Ref ? v.v : v instanceof GuidLit ? v.v : v == null ? '' : String(v)).toLowerCase();
    const date = (v: unknown) => String(v ?? '');
    const n = args.length;
    switch (name) {
      case 'substringof': {
        if (n !== 2) throw err.filter();
        const [x, y] = [a(0), a(1)];
        notString(y);
        return (row, vars) => s(y(row, vars)).includes(s(x(row, vars)));
      }
      case 'startswith':
      case 'endswith': {
        if (n !== 2) throw err.filter();
        const [x, y] = [a(0), a(1)];
        notString(x);
        return name === 'startswith'
          ? (row, vars) => s(x(row, vars)).startsWith(s(y(row, vars)))
          : (row, vars) => s(x(row, vars)).endsWith(s(y(row, vars)));
      }
      case 'like': {
        if (n !== 2) throw err.filter();
        const [x, y] = [a(0), a(1)];
        const cache = new Map<string, RegExp>();
        return (row, vars) => {
          const pat = String(y(row, vars) ?? '');
          let re = cache.get(pat);
          if (!re) {
            re = new RegExp(`^${pat.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 'is');
            cache.set(pat, re);
          }
          return re.test(String(x(row, vars) ?? ''));
        };
      }
      case 'concat':
        if (n !== 2) throw err.filter();
        return (row, vars) => String(a(0)(row, vars) ?? '') + String(a(1)(row, vars) ?? '');
      case 'substring': {
        if (n !== 2 && n !== 3) throw err.filter();
        return (row, vars) => {
          const str = String(a(0)(row, vars) ?? '');
          const from = Number(a(1)(row, vars));
          return n === 3 ? str.substr(from, Number(args[2](row, vars))) : str.slice(from);
        };
      }
      case 'year':
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
      case 'second': {
        if (n !== 1) throw err.filter();
        const [from, len] = { year: [0, 4], month: [5, 2], day: [8, 2], hour: [11, 2], minute: [14, 2], second: [17, 2] }[name] as [number, number];
        return (row, vars) => Number(date(a(0)(row, vars)).substr(from, len));
      }
      case 'cast': {
        if (n !== 2) throw err.filter();
        const [x, y] = [a(0), a(1)];
        return (row, vars) => {
          const v = x(row, vars);
          const type = String(y(row, vars));
          if (v instanceof GuidLit || v instanceof Ref) return new Ref(v.v, type.startsWith(`${NS}.`) ? type : `${NS}.${type}`);
          return v;
        };
      }
      case 'isof': {
        if (n !== 2) throw err.filter();
        const [x, y] = [a(0), a(1)];
        return (row, vars) => {
          const v = x(row, vars);
          const type = String(y(row, vars));
          return v instanceof Ref && (v.type === type || v.type === `${NS}.${type}`);
        };
      }
      default:
        throw err.filter();
    }
  }

  /** `Поле`, `Ссылка/Поле` (navigation), `d/Поле` (lambda variable), `Тч/any(d: …)`. */
  private parsePath(scope: Map<string, Shape>): Eval {
    const first = (this.toks[this.pos++] as { v: string }).v;
    let shape: Shape;
    let getter: Eval;
    if (scope.has(first)) {
      shape = scope.get(first)!;
      getter = (_row, vars) => vars[first];
      if (!this.isPunct('/')) throw err.filter();
      this.pos++;
      return this.continuePath(scope, shape, getter, this.readId());
    }
    shape = this.shape;
    getter = (row) => row;
    return this.continuePath(scope, shape, getter, first);
  }

  private readId(): string {
    const t = this.toks[this.pos++];
    if (t?.t !== 'id') throw err.filter();
    return t.v;
  }

  private continuePath(scope: Map<string, Shape>, shape: Shape, base: Eval, name: string): Eval {
    const prop = shape.propByName.get(name);
    if (prop) {
      if (this.isPunct('/')) throw err.filter();
      if (prop.composite) {
        const typeName = `${name}_Type`;
        return (row, vars) => {
          const r = base(row, vars) as Row | undefined;
          if (!r) return null;
          const type = String(r[typeName] ?? '');
          return type.startsWith(`${NS}.`) && type !== `${NS}.Undefined` ? new Ref(String(r[name]), type) : r[name];
        };
      }
      return typed((row, vars) => (base(row, vars) as Row | undefined)?.[name] ?? null, prop.type);
    }
    const nav = shape.navByName.get(name);
    if (nav && this.isPunct('/')) {
      this.pos++;
      const target = this.ctx.shapeOf(nav.target);
      if (!target) throw err.filter();
      const field = nav.field;
      const ctx = this.ctx;
      const next: Eval = (row, vars) => {
        const r = base(row, vars) as Row | undefined;
        return r ? ctx.getRow(nav.target, String(r[field])) : undefined;
      };
      return this.continuePath(scope, target, next, this.readId());
    }
    const coll = shape.collections.get(name);
    if (coll && this.isPunct('/')) {
      this.pos++;
      const fn = this.readId();
      if (fn !== 'any' && fn !== 'all') throw err.filter();
      this.expect('(');
      const v = this.readId();
      this.expect(':');
      const inner = new Map(scope);
      inner.set(v, coll);
      const body = this.parseExpr(inner);
      this.expect(')');
      return (row, vars) => {
        const r = base(row, vars) as Row | undefined;
        const lines = (r?.[name] as Row[] | undefined) ?? [];
        const test = (l: Row) => truthy(body(row, { ...vars, [v]: l }));
        return fn === 'any' ? lines.some(test) : lines.every(test);
      };
    }
    throw err.filter();
  }
}

function norm(v: unknown): unknown {
  if (v instanceof GuidLit) return v.v;
  if (typeof v === 'string' && v.length === 36 && v[8] === '-') return v.toLowerCase();
  return v;
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (a instanceof Ref || b instanceof Ref) {
    const same = a instanceof Ref && b instanceof Ref && a.v.toLowerCase() === b.v.toLowerCase() && a.type === b.type;
    if (op === 'eq') return same;
    if (op === 'ne') return !same;
    return false;
  }
  const x = norm(a);
  const y = norm(b);
  switch (op) {
    case 'eq':
      return x === y || (x == null && y == null);
    case 'ne':
      return !(x === y || (x == null && y == null));
  }
  if (x == null || y == null) return false;
  const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
  switch (op) {
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    default:
      return c <= 0;
  }
}

function arith(op: string, a: unknown, b: unknown): number {
  const x = Number(a);
  const y = Number(b);
  switch (op) {
    case 'add':
      return x + y;
    case 'sub':
      return x - y;
    case 'mul':
      return x * y;
    case 'div':
      return x / y;
    default:
      return x % y;
  }
}
