import type { Shape } from '../../emulator/model.js';
import type { MdConfiguration } from './types.js';

/**
 * Why a field or set the profile needs is not what a configuration publishes, in the dump's own terms: the object is
 * absent (or listed but not in a trimmed dump), the field is published under another name (composite `X` + `X_Type`,
 * a reference `X_Key`, several owners `Owner` + `Owner_Type`), it is a predefined item rather than a field, or the
 * metadata has no such attribute (CodeLength 0, HierarchyOfItems).
 */
export function explainMissingSet(md: MdConfiguration, set: string): string {
  const full = fullNameOf(set);
  if (md.listed.includes(full)) return `${full} is listed in Configuration.xml but its file is not in this dump (a trimmed dump?)`;
  return `object ${full} is absent from ${md.name} ${md.version}`;
}

export function explainMissingField(md: MdConfiguration, set: string, field: string, shape: Shape | undefined): string {
  const full = fullNameOf(set);
  const o = md.objects.get(full);
  if (!o || !shape) return `object ${full} is absent`;
  const [part, name] = field.includes('/') ? field.split('/', 2) : [undefined, field];
  const where = part ? shape.collections.get(part) : shape;
  if (part && !where) return `no tabular part ${part} in ${full}`;
  const has = (n: string) => !!where?.propByName.has(n);
  const base = name.endsWith('_Key') ? name.slice(0, -4) : name;
  if (name === 'Owner_Key' && has('Owner')) return `published as Owner + Owner_Type (owners ${(o.owners ?? []).join(', ')})`;
  if (name === 'Code' && !has('Code')) return `no Code (CodeLength ${o.codeLength ?? 0})`;
  if (name === 'IsFolder' && !has('IsFolder')) return o.hierarchical ? `no IsFolder (${o.hierarchyType ?? 'HierarchyOfItems'})` : 'no IsFolder (not hierarchical)';
  if (name.endsWith('_Key') && has(base) && has(`${base}_Type`)) return `published as ${base} + ${base}_Type (composite type)`;
  if (!name.endsWith('_Key') && has(`${name}_Key`)) return `published as ${name}_Key (a reference)`;
  if (name.endsWith('_Key') && has(base)) return `published as ${base} (an enum or a value, not a reference)`;
  const predefined = o.predefined?.find((p) => p.name === name);
  if (predefined) return `not a field: predefined item ${predefined.name} (${predefined.id}); select PredefinedDataName instead`;
  const anywhere = [...md.objects.values()].filter((x) => x.attributes.some((a) => a.name === base) || x.tabular.some((t) => t.attributes.some((a) => a.name === base)));
  return `${full}${part ? `.${part}` : ''} has no attribute ${base} in ${md.name} ${md.version}${anywhere.length && anywhere.length < 4 ? ` (found in ${anywhere.map((x) => x.fullName).join(', ')})` : ''}`;
}

/** `Catalog_Номенклатура` → `Catalog.Номенклатура`; `X_RecordType` → its register. */
export function fullNameOf(set: string): string {
  const s = set.replace(/_RecordType$/, '');
  const i = s.indexOf('_');
  return `${s.slice(0, i)}.${s.slice(i + 1)}`;
}
