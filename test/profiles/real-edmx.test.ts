import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ut11Configuration } from '../../src/emulator/schema/ut11.js';
import type { FieldDef } from '../../src/emulator/schema/types.js';

/**
 * ut11.ts OData types against a REAL УТ 11 $metadata (samples/ut-real.edmx, a trimmed live dump): for the
 * entity types present in both, every field we declare that the real base publishes must have the same Edm type
 * (Number with a fraction → Edm.Double, references → Edm.Guid, enums → Edm.String, dates → Edm.DateTime).
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const edmxFile = path.resolve(repoRoot, '../shared/reference/onec-odata/samples/ut-real.edmx');

function entityTypes(xml: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const m of xml.matchAll(/<EntityType Name="([^"]+)"[^>]*>([\s\S]*?)<\/EntityType>/g)) {
    const props = new Map<string, string>();
    for (const p of m[2].matchAll(/<Property Name="([^"]+)" Type="([^"]+)"/g)) props.set(p[1], p[2]);
    if (!out.has(m[1])) out.set(m[1], props);
  }
  return out;
}

describe.skipIf(!existsSync(edmxFile))('ut11.ts types vs a real УТ 11 $metadata', () => {
  const real = existsSync(edmxFile) ? entityTypes(readFileSync(edmxFile, 'utf8')) : new Map<string, Map<string, string>>();
  const schema = ut11Configuration('ut11.5');

  it('shares some entity types with the sample (sanity) and their declared fields have the real Edm types', () => {
    const compared: string[] = [];
    const problems: string[] = [];
    const check = (typeName: string, fields: FieldDef[]) => {
      const props = real.get(typeName);
      if (!props) return;
      for (const f of fields) {
        const t = props.get(f.name);
        if (!t) continue; // the sample is trimmed and customised; absence proves nothing
        compared.push(`${typeName}.${f.name}`);
        if (t !== f.type) problems.push(`${typeName}.${f.name}: ${f.type} here, ${t} in the real base`);
      }
    };
    for (const s of schema.sets) {
      check(s.name, s.fields ?? []);
      for (const t of s.tabular ?? []) check(`${s.name}_${t.name}`, t.fields);
    }
    expect(compared.length).toBeGreaterThan(20); // 29 fields (Контрагенты, its КонтактнаяИнформация, Валюты) when written
    expect(problems).toEqual([]);
  });
});
