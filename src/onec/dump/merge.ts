import type { MdAttribute, MdConfiguration, MdObject, MdTabular } from './types.js';

/**
 * A configuration with an extension applied, as the platform applies it: the extension's own objects are added;
 * an adopted object (ObjectBelonging Adopted) gains the extension's own attributes, tabular parts, dimensions and
 * resources, and adopted tabular parts gain the extension's own columns. An adopted object the base does not have
 * makes the extension inapplicable (the platform refuses to apply it): it is reported in `problems`, so the caller
 * can refuse as 1C does.
 */
export interface Merged {
  cfg: MdConfiguration;
  problems: string[];
}


function mergeAttributes(base: MdAttribute[] | undefined, ext: MdAttribute[] | undefined, where: string, problems: string[]): MdAttribute[] {
  const out = [...(base ?? [])];
  for (const a of ext ?? []) {
    if (a.belonging === 'Adopted') {
      if (!out.some((b) => b.name === a.name)) problems.push(`${where}.${a.name}: заимствован расширением, но в конфигурации его нет`);
      continue;
    }
    if (out.some((b) => b.name === a.name)) problems.push(`${where}.${a.name}: имя уже занято в конфигурации`);
    else out.push(a);
  }
  return out;
}

function mergeTabular(base: MdTabular[], ext: MdTabular[], where: string, problems: string[]): MdTabular[] {
  const out = base.map((t) => ({ ...t, attributes: [...t.attributes] }));
  for (const t of ext) {
    const hit = out.find((b) => b.name === t.name);
    if (t.belonging === 'Adopted') {
      if (!hit) problems.push(`${where}.${t.name}: табличная часть заимствована, но в конфигурации её нет`);
      else hit.attributes = mergeAttributes(hit.attributes, t.attributes, `${where}.${t.name}`, problems);
    } else if (hit) problems.push(`${where}.${t.name}: имя табличной части уже занято`);
    else out.push(t);
  }
  return out;
}

export function mergeExtension(base: MdConfiguration, ext: MdConfiguration): Merged {
  const problems: string[] = [];
  const objects = new Map<string, MdObject>(base.objects);
  for (const o of ext.objects.values()) {
    if (o.belonging !== 'Adopted') {
      if (objects.has(o.fullName)) problems.push(`${o.fullName}: объект расширения совпадает по имени с объектом конфигурации`);
      else objects.set(o.fullName, o);
      continue;
    }
    const b = objects.get(o.fullName);
    if (!b) {
      problems.push(`${o.fullName}: заимствован расширением, но в конфигурации ${base.name} ${base.version} его нет`);
      continue;
    }
    if (o.extendedObject && b.uuid && o.extendedObject !== b.uuid) {
      problems.push(`${o.fullName}: расширение ссылается на объект ${o.extendedObject}, а в конфигурации он ${b.uuid}`);
    }
    objects.set(o.fullName, {
      ...b,
      attributes: mergeAttributes(b.attributes, o.attributes, o.fullName, problems),
      tabular: mergeTabular(b.tabular, o.tabular, o.fullName, problems),
      ...(b.dimensions || o.dimensions ? { dimensions: mergeAttributes(b.dimensions, o.dimensions, o.fullName, problems) } : {}),
      ...(b.resources || o.resources ? { resources: mergeAttributes(b.resources, o.resources, o.fullName, problems) } : {}),
    });
  }
  return {
    cfg: { ...base, objects, listed: [...base.listed, ...ext.listed.filter((n) => !base.listed.includes(n))], warnings: [...base.warnings] },
    problems,
  };
}
