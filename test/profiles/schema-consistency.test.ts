import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { ut11Configuration } from '../../src/emulator/schema/ut11.js';
import type { EntitySetDef, FieldDef } from '../../src/emulator/schema/types.js';
import { getProfile, requirements } from '../../src/onec/profiles/index.js';

/** Standard attributes the engine adds from the set's kind (types.ts), so ut11.ts does not list them. */
const STANDARD = new Set(['Ref_Key', 'DataVersion', 'Code', 'Description', 'Number', 'Date', 'Posted', 'DeletionMark', 'IsFolder', 'Parent_Key', 'Owner_Key', 'Predefined', 'PredefinedDataName', 'Recorder_Key', 'Period', 'LineNumber', 'Active']);

function fieldsOf(def: EntitySetDef): Map<string, FieldDef> {
  const all = [...(def.fields ?? []), ...(def.register?.dimensions ?? []), ...(def.register?.resources ?? []), ...(def.register?.attributes ?? [])];
  return new Map(all.map((f) => [f.name, f]));
}

function tabularOf(def: EntitySetDef, part: string): Map<string, FieldDef> | undefined {
  const t = def.tabular?.find((x) => x.name === part);
  return t && new Map(t.fields.map((f) => [f.name, f]));
}

describe('ut11.ts publishes every set and field the profile requires', () => {
  const configs = [
    parseConfig({}),
    parseConfig({ onec: { extension: false } }),
    parseConfig({ catalog: { minQuantity: { kind: 'additionalAttribute', name: 'X' } } }),
  ];
  for (const variant of ['ut11.5', 'ut11.4'] as const) {
    it(variant, () => {
      const schema = ut11Configuration(variant);
      const sets = new Map(schema.sets.map((s) => [s.name, s]));
      const missing: string[] = [];
      for (const config of configs) {
        for (const req of requirements(getProfile(variant, config), config)) {
          const def = sets.get(req.set);
          if (!def) {
            missing.push(req.set);
            continue;
          }
          const fields = fieldsOf(def);
          for (const { name: published } of req.fields) {
            // ValueStorage fields are published as X_Base64Data; the schema names the attribute X.
            const name = published.replace(/_Base64Data$/, '');
            if (name.includes('/')) {
              const [part, field] = name.split('/');
              const t = tabularOf(def, part);
              if (!t || (!t.has(field) && !STANDARD.has(field))) missing.push(`${req.set}.${name}`);
            } else if (!fields.has(name) && !STANDARD.has(name) && !def.tabular?.some((t) => t.name === name)) {
              missing.push(`${req.set}.${published}`);
            }
          }
        }
      }
      expect([...new Set(missing)]).toEqual([]);
    });
  }

  it('the standard attributes the profile relies on exist for the set kind (Owner_Key needs owners, Parent_Key hierarchy)', () => {
    const schema = ut11Configuration('ut11.5');
    const sets = new Map(schema.sets.map((s) => [s.name, s]));
    const config = parseConfig({});
    const problems: string[] = [];
    for (const req of requirements(getProfile('ut11.5', config), config)) {
      const def = sets.get(req.set)!;
      for (const { name } of req.fields) {
        if (name === 'Owner_Key' && !def.owners?.length) problems.push(`${req.set}.Owner_Key`);
        if ((name === 'Parent_Key' || name === 'IsFolder') && !def.hierarchical) problems.push(`${req.set}.${name}`);
        if (['Number', 'Date', 'Posted'].includes(name) && def.kind !== 'Document') problems.push(`${req.set}.${name}`);
        if (name === 'Period' && !(def.register?.periodic || def.kind === 'AccumulationRegister')) problems.push(`${req.set}.Period`);
      }
      if (req.virtual === 'Balance' && def.register?.accumulation !== 'balance') problems.push(`${req.set} is not a balance register`);
      if (req.virtual === 'SliceLast' && !def.register?.periodic) problems.push(`${req.set} is not periodic`);
    }
    expect(problems).toEqual([]);
  });

  it('every ref target and enum type used in ut11.ts exists', () => {
    for (const variant of ['ut11.5', 'ut11.4'] as const) {
      const schema = ut11Configuration(variant);
      const names = new Set(schema.sets.map((s) => s.name));
      const bad: string[] = [];
      for (const s of schema.sets) {
        const all = [...fieldsOf(s).values(), ...(s.tabular ?? []).flatMap((t) => t.fields)];
        for (const f of all) {
          if (f.ref && !names.has(f.ref)) bad.push(`${s.name}.${f.name} → ${f.ref}`);
          if (f.enumType && !schema.enums[f.enumType]) bad.push(`${s.name}.${f.name} enum ${f.enumType}`);
          if (f.name.endsWith('_Key') !== (f.type === 'Edm.Guid')) bad.push(`${s.name}.${f.name} ${f.type}`);
        }
        for (const o of s.owners ?? []) if (!names.has(o)) bad.push(`${s.name} owner ${o}`);
      }
      expect(bad).toEqual([]);
    }
  });
});

// ---- against the fields of the real УТ 11.5.18 computed from its configuration sources ----

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const derivedFile = path.resolve(repoRoot, '../shared/reference/onec-odata/derived/ut-11.5.18.41_odata-fields.txt');
const KIND: Record<string, string> = {
  Catalogs: 'Catalog',
  Documents: 'Document',
  InformationRegisters: 'InformationRegister',
  AccumulationRegisters: 'AccumulationRegister',
  Constants: 'Constant',
  ChartsOfCharacteristicTypes: 'ChartOfCharacteristicTypes',
};

interface DerivedField {
  type: string;
}
interface DerivedSet {
  main: Map<string, DerivedField>;
  tabular: Map<string, Map<string, DerivedField>>;
}

function parseDerived(text: string): Map<string, DerivedSet> {
  const out = new Map<string, DerivedSet>();
  let current: DerivedSet | null = null;
  for (const line of text.split('\n')) {
    const head = /^## (\w+)\/(\S+)(: NOT FOUND)?/.exec(line);
    if (head) {
      current = head[3] ? null : { main: new Map(), tabular: new Map() };
      if (current) out.set(`${KIND[head[1]] ?? head[1]}_${head[2]}`, current);
      continue;
    }
    const body = /^\s+\[(attributes|dimensions|resources|tabular ([^\]]+))\] (.*)$/.exec(line);
    if (!body || !current) continue;
    const target = body[2] ? new Map<string, DerivedField>() : current.main;
    if (body[2]) current.tabular.set(body[2], target);
    for (const item of body[3].split('; ')) {
      const ref = /^(\S+_Key) -> (\S+)/.exec(item);
      const comp = /^(\S+)\(\+\S+_Type\) \[(composite|characteristic)/.exec(item);
      const plain = /^(\S+) \[(\w+)(?: (\S+))?\]/.exec(item);
      if (ref) target.set(ref[1], { type: 'ref' });
      else if (comp) target.set(comp[1], { type: 'composite' });
      else if (plain) target.set(plain[1], { type: plain[2] === 'Enum' ? `Enum ${plain[3]}` : plain[2] });
    }
  }
  return out;
}

function expectedKind(f: FieldDef): string {
  if (f.composite) return 'composite';
  if (f.type === 'Edm.Guid') return 'ref';
  if (f.enumType) return `Enum ${f.enumType}`;
  return { 'Edm.String': 'String', 'Edm.Boolean': 'Boolean', 'Edm.DateTime': 'Date', 'Edm.Double': 'Number', 'Edm.Int16': 'Number', 'Edm.Int32': 'Number', 'Edm.Int64': 'Number', 'Edm.Binary': 'ValueStorage', 'Edm.Stream': 'ValueStorage' }[f.type] ?? f.type;
}

describe.skipIf(!existsSync(derivedFile))('ut11.ts names match the real УТ 11.5.18 (derived/ut-11.5.18.41_odata-fields.txt)', () => {
  const derived = existsSync(derivedFile) ? parseDerived(readFileSync(derivedFile, 'utf8')) : new Map<string, DerivedSet>();
  const schema = ut11Configuration('ut11.5');

  it('parses the reference (sanity)', () => {
    expect(derived.get('Catalog_Номенклатура')?.main.get('Артикул')?.type).toBe('String');
    expect(derived.get('InformationRegister_ЦеныНоменклатуры25')?.main.has('ХарактеристикаЦО_Key')).toBe(true);
  });

  it('the sets ReGate relies on are all in the reference (or explicitly not covered by it)', () => {
    // Sets the derived file does not describe (it lists only what its authors looked up); their names are the
    // standard УТ 11.5 / БСП ones and are documented in ut11.ts.
    const notInReference = new Set([
      'InformationRegister_ДвоичныеДанныеФайлов', 'Catalog_ТомаХраненияФайлов', 'Catalog_СтавкиНДС', 'Catalog_БанковскиеСчетаОрганизаций', 'Catalog_КлассификаторБанков',
      'Catalog_КлючиАналитикиУчетаПоПартнерам', 'Catalog_ОбъектыРасчетов', 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
      'Document_УстановкаЦенНоменклатуры', 'Document_ОприходованиеИзлишковТоваров',
    ]);
    const unknown = schema.sets.map((s) => s.name).filter((n) => !n.includes('ReGate_') && !derived.has(n) && !notInReference.has(n));
    expect(unknown).toEqual([]);
  });

  it('every non-extension field of a covered set exists there with the same kind (ref / enum / string / number / date / composite)', () => {
    const problems: string[] = [];
    for (const s of schema.sets) {
      const d = derived.get(s.name);
      if (!d) continue;
      for (const f of fieldsOf(s).values()) {
        if (f.name.startsWith('ReGate_')) continue;
        const ref = d.main.get(f.name);
        if (!ref) problems.push(`${s.name}.${f.name}: not in УТ 11.5.18`);
        else if (ref.type !== expectedKind(f)) problems.push(`${s.name}.${f.name}: ${expectedKind(f)} here, ${ref.type} in УТ`);
      }
      for (const t of s.tabular ?? []) {
        const dt = d.tabular.get(t.name);
        if (!dt) {
          problems.push(`${s.name}.${t.name}: no such tabular part in УТ 11.5.18`);
          continue;
        }
        for (const f of t.fields) {
          const ref = dt.get(f.name);
          if (!ref) problems.push(`${s.name}.${t.name}.${f.name}: not in УТ 11.5.18`);
          else if (ref.type !== expectedKind(f)) problems.push(`${s.name}.${t.name}.${f.name}: ${expectedKind(f)} here, ${ref.type} in УТ`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
