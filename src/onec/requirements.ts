import type { EdmProperty, ODataMetadata } from './metadata.js';

/**
 * Compares what a profile needs (sets and fields) with what a base publishes ($metadata). Pure, so `regate check`
 * stays a thin printer and the rules are testable. Shapes match SetRequirement in ./profiles/types.ts.
 */

export interface RequiredSet {
  set: string;
  why?: string[];
  fields: { name: string; why?: string[] }[];
  extension?: boolean;
  virtual?: 'SliceLast' | 'SliceFirst' | 'Balance' | 'Turnovers' | 'BalanceAndTurnovers';
  written?: boolean;
}

export interface FieldCheck {
  name: string;
  present: boolean;
  why: string[];
}

export interface SetCheck {
  set: string;
  /** The set actually found (`X_RecordType` when only that is published). */
  publishedAs?: string;
  present: boolean;
  /** The virtual table function is declared for the set (undefined when none is needed). */
  virtualPresent?: boolean;
  extension: boolean;
  written: boolean;
  why: string[];
  fields: FieldCheck[];
  missing: string[];
}

export interface RequirementsReport {
  sets: SetCheck[];
  missingSets: number;
  missingFields: number;
  ok: boolean;
}

const RESULT_SUFFIX = /(OpeningBalance|ClosingBalance|Balance|Turnover|Receipt|Expense)$/;

function propertyNames(props: EdmProperty[] | undefined): Set<string> {
  return new Set((props ?? []).map((p) => p.name));
}

export function checkRequirements(md: ODataMetadata, required: RequiredSet[]): RequirementsReport {
  const sets: SetCheck[] = [];
  for (const r of required) {
    const candidates = [r.set, `${r.set}_RecordType`, r.set.replace(/_RecordType$/, '')];
    const publishedAs = candidates.find((s) => md.hasSet(s));
    const check: SetCheck = {
      set: r.set,
      publishedAs,
      present: publishedAs !== undefined,
      extension: !!r.extension,
      written: !!r.written,
      why: r.why ?? [],
      fields: [],
      missing: [],
    };
    // Field sources: the set, its _RecordType twin, and the result type of the virtual table, if any.
    const names = new Set<string>();
    for (const s of candidates) for (const n of propertyNames(md.entitySet(s)?.properties)) names.add(n);
    if (r.virtual) {
      const bound = candidates.filter((s) => md.hasSet(s)).flatMap((s) => md.functionsOf(s));
      const fn = bound.find((f) => f.name === r.virtual);
      check.virtualPresent = !!fn;
      // A result column `<resource>Balance` stands for the resource: required fields lose the suffix, and an
      // accounting register's set has no column of that name when the resource splits into Dr/Cr (БП's Количество:
      // КоличествоDr, КоличествоCr).
      if (fn?.returnType) for (const n of propertyNames(md.complexTypes.get(localType(fn.returnType))?.properties ?? md.entityTypes.get(localType(fn.returnType))?.properties)) names.add(n).add(n.replace(RESULT_SUFFIX, ''));
    }
    for (const f of r.fields) {
      const present = check.present && fieldPresent(md, publishedAs, names, f.name);
      check.fields.push({ name: f.name, present, why: f.why ?? [] });
      if (!present) check.missing.push(f.name);
    }
    sets.push(check);
  }
  const missingSets = sets.filter((s) => !s.present || s.virtualPresent === false).length;
  // Fields of an unpublished set are not counted again: the set itself is the finding.
  const missingFields = sets.filter((s) => s.present).reduce((n, s) => n + s.missing.length, 0);
  return { sets, missingSets, missingFields, ok: missingSets === 0 && missingFields === 0 };
}

function localType(t: string): string {
  const m = /^Collection\((.*)\)$/.exec(t);
  const x = m ? m[1] : t;
  return x.slice(x.lastIndexOf('.') + 1);
}

function fieldPresent(md: ODataMetadata, set: string | undefined, names: Set<string>, field: string): boolean {
  if (names.has(field)) return true;
  // A navigation path (Контрагент/Description) or a tabular field (Товары/Номенклатура_Key).
  const slash = field.indexOf('/');
  if (slash > 0 && set) {
    const head = field.slice(0, slash);
    const tail = field.slice(slash + 1);
    const prop = md.entitySet(set)?.properties.find((p) => p.name === head);
    if (prop?.type.startsWith('Collection(')) return propertyNames(md.complexTypes.get(localType(prop.type))?.properties).has(tail);
    if (md.entitySet(set)?.navigation.some((n) => n.name === head)) return true;
    return false;
  }
  // A virtual-table resource (ВНаличииBalance) when the result type is not declared: the register's resource.
  const base = field.replace(RESULT_SUFFIX, '');
  return base !== field && names.has(base);
}
