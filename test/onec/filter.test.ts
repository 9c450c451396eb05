import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  and,
  anyOf,
  cast,
  eq,
  FilterTooLong,
  fromNaive,
  ge,
  gt,
  guid,
  le,
  lt,
  ne,
  not,
  or,
  rawFilter,
  renderFilter,
  splitKeyFilter,
  startswith,
  substringof,
  UrlBuilder,
  type Filter,
} from '../../src/onec/index.js';

const ctx = { timezone: 'Europe/Moscow' };
const r = (f: Filter) => renderFilter(f, ctx);
const G = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('$filter builder', () => {
  it('renders comparisons with typed literals', () => {
    expect(r(eq('Description', "Чай 'Эрл Грей'"))).toBe("Description eq 'Чай ''Эрл Грей'''");
    expect(r(ne('IsFolder', true))).toBe('IsFolder ne true');
    expect(r(gt('Цена', 10.5))).toBe('Цена gt 10.5');
    expect(r(ge('Date', new Date('2024-01-31T21:00:00Z')))).toBe("Date ge datetime'2024-02-01T00:00:00'");
    expect(r(lt('LineNumber', 3))).toBe('LineNumber lt 3');
    expect(r(le('Склад_Key', G(1)))).toBe(`Склад_Key le guid'${G(1)}'`);
    expect(r(eq('Контрагент', cast(G(2), 'Catalog_Контрагенты')))).toBe(`Контрагент eq cast(guid'${G(2)}', 'Catalog_Контрагенты')`);
  });
  it('functions: substringof(needle, field), startswith(field, prefix)', () => {
    expect(r(substringof("O'K", 'Description'))).toBe("substringof('O''K', Description)");
    expect(r(startswith('Артикул', 'AB-'))).toBe("startswith(Артикул, 'AB-')");
  });
  it('parenthesises or inside and, never needlessly', () => {
    const f = and(eq('A', 1), or(eq('B', 2), eq('C', 3)), not(eq('D', 4)));
    expect(r(f)).toBe('A eq 1 and (B eq 2 or C eq 3) and not (D eq 4)');
    expect(r(or(and(eq('A', 1), eq('B', 2)), eq('C', 3)))).toBe('A eq 1 and B eq 2 or C eq 3');
    expect(r(and(rawFilter('X eq 1 or Y eq 2'), eq('Z', 3)))).toBe('(X eq 1 or Y eq 2) and Z eq 3');
    expect(r(and(eq('A', 1), undefined, false))).toBe('A eq 1');
    expect(r(not(or(eq('A', 1), eq('B', 2))))).toBe('not (A eq 1 or B eq 2)');
    expect(() => and()).toThrow();
  });
  it('never emits `in`', () => {
    const f = anyOf('Ref_Key', [G(1), G(2), G(3)]);
    const s = r(f);
    expect(s).toBe(`Ref_Key eq guid'${G(1)}' or Ref_Key eq guid'${G(2)}' or Ref_Key eq guid'${G(3)}'`);
    expect(s).not.toMatch(/\bin\b/);
  });
  it('a rendered or-chain evaluates like the boolean formula it was built from', () => {
    // Property: the text re-parsed by precedence rules (and over or) gives the same truth table.
    const leaf = fc.integer({ min: 0, max: 3 }).map((i) => eq(`V${i}`, true));
    const tree = fc.letrec<{ f: Filter }>((tie) => ({
      f: fc.oneof({ depthSize: 'small' }, leaf, fc.tuple(tie('f'), tie('f')).map(([a, b]) => and(a, b)), fc.tuple(tie('f'), tie('f')).map(([a, b]) => or(a, b)), tie('f').map(not)),
    })).f;
    const evalF = (f: Filter, env: boolean[]): boolean => {
      switch (f.kind) {
        case 'cmp':
          return env[Number(f.field.slice(1))];
        case 'and':
          return f.items.every((x) => evalF(x, env));
        case 'or':
          return f.items.some((x) => evalF(x, env));
        case 'not':
          return !evalF(f.item, env);
        default:
          throw new Error('unexpected');
      }
    };
    const evalText = (text: string, env: boolean[]): boolean => {
      const js = text
        .replace(/V(\d) eq true/g, (_m, d) => String(env[Number(d)]))
        .replace(/ and /g, ' && ')
        .replace(/ or /g, ' || ')
        .replace(/not \(/g, '!(');
      return Function(`return (${js});`)() as boolean;
    };
    fc.assert(
      fc.property(tree, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (f, env) => evalText(r(f), env) === evalF(f, env)),
      { numRuns: 300 },
    );
  });
});

describe('splitting a key list to fit the URL limit', () => {
  const urls = new UrlBuilder('http://srv/trade/odata/standard.odata', ctx.timezone);
  const len = (f: Filter) => urls.collection('Catalog_Номенклатура', { filter: r(f), select: 'Ref_Key,Description' }).length;

  it('splits 500 GUIDs into chunks that each stay under the limit and together cover every key once', () => {
    const keys = Array.from({ length: 500 }, (_, i) => G(i));
    const chunks = splitKeyFilter('Ref_Key', keys, len, 2000);
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(len(c)).toBeLessThanOrEqual(2000);
    const seen = chunks.flatMap((c) => [...r(c).matchAll(/guid'([^']+)'/g)].map((m) => m[1]));
    expect(seen.sort()).toEqual([...keys].sort());
    // Greedy: every chunk but the last is full (one more key would overflow).
    const sizes = chunks.map((c) => (c.kind === 'or' ? c.items.length : 1));
    expect(new Set(sizes.slice(0, -1)).size).toBe(1);
    expect(len(anyOf('Ref_Key', keys.slice(0, sizes[0] + 1)))).toBeGreaterThan(2000);
  });

  it('deduplicates keys and and-s an extra condition into every chunk', () => {
    const keys = [G(1), G(1), G(2)];
    const chunks = splitKeyFilter('Ref_Key', keys, len, 2000, eq('DeletionMark', false));
    expect(chunks).toHaveLength(1);
    expect(r(chunks[0])).toBe(`(Ref_Key eq guid'${G(1)}' or Ref_Key eq guid'${G(2)}') and DeletionMark eq false`);
  });

  it('one key over the limit is an error, not an endless loop', () => {
    expect(() => splitKeyFilter('Штрихкод', ['x'.repeat(3000)], len, 2000)).toThrow(FilterTooLong);
  });

  it('any list length and limit: full coverage and every URL fits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 400, max: 3000 }), (n, max) => {
        const keys = Array.from({ length: n }, (_, i) => `Штрих ${i}`);
        const chunks = splitKeyFilter('Штрихкод', keys, len, max);
        const covered = chunks.flatMap((c) => [...r(c).matchAll(/'([^']+)'/g)].map((m) => m[1]));
        return covered.length === n && chunks.every((c) => len(c) <= max);
      }),
      { numRuns: 60 },
    );
  });

  it('uses Date keys as datetime literals', () => {
    const d = fromNaive('2024-05-01T10:00:00', ctx.timezone);
    expect(r(splitKeyFilter('Period', [d], len, 2000)[0])).toBe("Period eq datetime'2024-05-01T10:00:00'");
    expect(r(eq('X', guid(G(5))))).toBe(`X eq guid'${G(5)}'`);
  });
});
