import type { Config } from '../../config/schema.js';
import type { Profile, ReadSpec, SetRequirement } from './types.js';

/**
 * What a profile needs published, per entity set, and why: `regate check` compares it with $metadata to report a
 * too-narrow composition (УстановитьСоставСтандартногоИнтерфейсаOData) or a missing extension attribute.
 *
 * Field names are the base names of the published object: virtual-table result names lose their suffix
 * (`ВНаличииBalance` → `ВНаличии`), ValueStorage keeps `_Base64Data`, composite `X_Type` becomes `X`; tabular
 * fields are `Part/Field`. Tabular parts are published with their owner, so they are not separate sets here.
 */

const VIRTUAL_SUFFIX = /(OpeningBalance|ClosingBalance|Balance|Turnover|Receipt|Expense)$/;

function baseField(name: string, virtual: boolean): string {
  // ValueStorage is published as `X_Base64Data` (+ `X_Type`), per the vendor guide §17.4: keep that name.
  let n = name;
  if (virtual) n = n.replace(VIRTUAL_SUFFIX, '');
  if (n.endsWith('_Type')) n = n.slice(0, -'_Type'.length);
  return n;
}

function setOf(r: ReadSpec): string {
  return r.kind === 'collection' ? r.set : r.register;
}

export function requirements(profile: Profile, config: Config): SetRequirement[] {
  const bySet = new Map<string, SetRequirement>();
  const fieldWhy = new Map<string, Map<string, Set<string>>>();
  const touch = (set: string, why: string, extension: boolean, written: boolean, virtual?: SetRequirement['virtual']) => {
    let req = bySet.get(set);
    if (!req) {
      req = { set, why: [], fields: [], extension, written: false };
      bySet.set(set, req);
      fieldWhy.set(set, new Map());
    }
    if (!req.why.includes(why)) req.why.push(why);
    // A set is "extension only" when every use of it comes from the extension.
    req.extension = req.extension && extension;
    req.written ||= written;
    if (virtual) req.virtual = virtual;
    return fieldWhy.get(set)!;
  };
  const addField = (fields: Map<string, Set<string>>, name: string, why: string) => {
    const set = fields.get(name) ?? new Set<string>();
    set.add(why);
    fields.set(name, set);
  };

  for (const [concept, read] of Object.entries(profile.reads)) {
    if (!read) continue;
    const virtual = read.kind === 'balance' ? 'Balance' : read.kind === 'sliceLast' ? 'SliceLast' : undefined;
    const fields = touch(setOf(read), `${concept}: ${read.why}`, !!read.extension, false, virtual);
    for (const f of read.select) addField(fields, baseField(f, !!virtual), concept);
  }
  for (const [what, write] of Object.entries(profile.writes)) {
    const fields = touch(write.set, `write ${what}: ${write.why}`, !!write.extension, true);
    for (const f of write.fields) addField(fields, baseField(f, false), `write ${what}`);
  }
  // The additional-attribute source needs the property chart even if no read named it.
  const sources = Object.values(profile.fieldSources);
  if (sources.some((s) => s.kind === 'additionalAttribute') && !bySet.has('ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения')) {
    const fields = touch('ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения', 'catalog.* = additionalAttribute: property names', false, false);
    for (const f of ['Ref_Key', 'Description', 'Имя']) addField(fields, f, 'property');
  }
  void config;

  return [...bySet.values()].map((req) => ({
    ...req,
    fields: [...fieldWhy.get(req.set)!.entries()].map(([name, why]) => ({ name, why: [...why] })),
  }));
}
