import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { writeJson } from '../../src/bank/parse/json-out.js';
import { parseStatement } from '../../src/bank/parse/index.js';

// `regate bank parse` writes the statement piece by piece (a 300 MB statement was one string too long for V8):
// the bytes must be exactly what JSON.stringify(value, null, indent) wrote, pretty or compact.
async function pieces(value: unknown, indent: number, depth?: number) {
  const out: string[] = [];
  await writeJson((s) => void out.push(s), value, indent, depth);
  return out;
}
const dir = join(import.meta.dirname, '..', 'fixtures', 'bank');

describe('writeJson', () => {
  it('writes what JSON.stringify writes for every parsable fixture statement, pretty and compact', async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));
    let parsed = 0;
    for (const f of files) {
      let st;
      try {
        st = parseStatement(readFileSync(join(dir, f)));
      } catch {
        continue;
      }
      parsed++;
      const value = { file: f, summary: { documents: st.documents.length }, ...st };
      for (const indent of [2, 0]) expect((await pieces(value, indent)).join(''), `${f} indent ${indent}`).toBe(JSON.stringify(value, null, indent || undefined));
      // Documents are written one by one, not as one string.
      if (st.documents.length > 1) expect((await pieces(value, 2)).length).toBeGreaterThan(st.documents.length);
    }
    expect(parsed).toBeGreaterThan(5);
  });

  it('agrees with JSON.stringify on arbitrary JSON values and on undefined, empty and nested cases', async () => {
    for (const v of [{}, [], { a: [], b: {}, c: undefined, d: null, e: [undefined, () => 1] }, [[[]], [{}]], 'x\ny', 5, null, { k: { deep: { deeper: [1, { z: 'ё\n"' }] } } }]) {
      for (const indent of [0, 2, 4]) for (const depth of [1, 2, 3, 9]) expect((await pieces(v, indent, depth)).join('')).toBe(JSON.stringify(v, null, indent || undefined));
    }
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.constantFrom(0, 2), fc.integer({ min: 0, max: 4 }), async (v, indent, depth) => {
        expect((await pieces(v, indent, depth)).join('')).toBe(JSON.stringify(v, null, indent || undefined));
      }),
      { numRuns: 300 },
    );
  });
});
