import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { arr, bool, FOLDERS, int, obj, parseTypeName, readXml, text, type X } from './read.js';
import type { MdAttribute, MdConfiguration, MdKind, MdObject, MdPredefined, MdTabular, MdType } from './types.js';

/**
 * Reads a 1C:EDT project (`src/Configuration/Configuration.mdo`, `src/<Kinds>/<Name>/<Name>.mdo`) into the same
 * model as a Designer dump. Element names are EDT's own (lower camel case: `attributes`, `tabularSections`,
 * `owners`, `hierarchyType`, `codeLength`; types as `CatalogRef.X`, `String` + `stringQualifiers/length`,
 * `Number` + `numberQualifiers/precision|scale|nonNegative`), as the platform tools write them (checked against the
 * public EDT project of УТ 11.5.18.41, andrewnomoore/ut_11_5_should_work). Compatibility modes are written `8.3.24`
 * there and `Version8_3_24` in Designer dumps: the model keeps the Designer spelling.
 */

/** `8.3.24` → `Version8_3_24`, as Designer dumps spell it. */
const mode = (v: unknown): string | undefined => (text(v) ? `Version${text(v).replace(/\./g, '_')}` : undefined);

/** EDT's primitive type names → the Designer spelling parseTypeName understands. */
const PRIMITIVE: Record<string, string> = { String: 'xs:string', Boolean: 'xs:boolean', Number: 'xs:decimal', Date: 'xs:dateTime', UUID: 'v8:UUID', ValueStorage: 'v8:ValueStorage' };

function typesOf(typeEl: unknown): MdType[] {
  const t = obj(typeEl);
  const s = obj(t.stringQualifiers);
  const n = obj(t.numberQualifiers);
  const d = obj(t.dateQualifiers);
  // The qualifiers in Designer shape, so one parser serves both formats.
  const q: X = {
    StringQualifiers: { Length: text(s.length) || '0' },
    NumberQualifiers: { Digits: text(n.precision) || '10', FractionDigits: text(n.scale) || '0', AllowedSign: bool(n.nonNegative) ? 'Nonnegative' : 'Any' },
    DateQualifiers: { DateFractions: text(d.dateFractions) || 'DateTime' },
  };
  return arr(t.types).map((x) => {
    const name = text(x);
    return parseTypeName(PRIMITIVE[name] ?? `cfg:${name}`, q);
  });
}

function fillValue(v: unknown): string | undefined {
  const m = /\.EnumValue\.(.+)$/.exec(text(obj(v).value));
  return m ? m[1] : undefined;
}

function attributeOf(el: X): MdAttribute {
  const fv = fillValue(el.fillValue);
  return { name: text(el.name), uuid: String(el['@uuid'] ?? ''), types: typesOf(el.type), ...(fv ? { fillValue: fv } : {}) };
}

function tabularOf(el: X): MdTabular {
  return { name: text(el.name), uuid: String(el['@uuid'] ?? ''), attributes: arr(el.attributes).map(attributeOf) };
}

function predefinedOf(el: X): MdPredefined[] {
  const out: MdPredefined[] = [];
  const walk = (items: X[], parent?: string) => {
    for (const it of items) {
      const name = text(it.name);
      // <code xsi:type="core:StringValue"><value>000000001</value></code>
      const code = typeof it.code === 'object' && it.code ? text(obj(it.code).value) : text(it.code);
      out.push({ name, id: String(it['@id'] ?? ''), code, description: text(it.description), isFolder: bool(it.isFolder), ...(parent ? { parent } : {}) });
      walk(arr(it.content), name);
    }
  };
  walk(arr(obj(el.predefined).items));
  return out;
}

function objectOf(root: string, file: string, kind: MdKind): MdObject | undefined {
  const doc = readXml(file);
  const el = obj(doc[kind]);
  const name = text(el.name);
  if (!name) return undefined;
  const o: MdObject = {
    kind,
    name,
    fullName: `${kind}.${name}`,
    uuid: String(el['@uuid'] ?? ''),
    file: relative(root, file),
    attributes: arr(el.attributes).map(attributeOf),
    tabular: arr(el.tabularSections).map(tabularOf),
  };
  switch (kind) {
    case 'Catalog':
    case 'ChartOfCharacteristicTypes':
      o.hierarchical = bool(el.hierarchical);
      o.hierarchyType = (text(el.hierarchyType) || (o.hierarchical ? 'HierarchyFoldersAndItems' : undefined)) as MdObject['hierarchyType'];
      if (kind === 'Catalog') o.owners = arr(el.owners).map(text).filter(Boolean);
      // EDT leaves out a property at its model default, 0 for the lengths: Склады, Организации, ВидыЦен (CodeLength 0
      // in the Designer dump) have no <codeLength>; a DescriptionLength 25 is written out (compared on УТ 11.5).
      o.codeLength = int(el.codeLength) ?? 0;
      o.codeType = (text(el.codeType) || 'String') as MdObject['codeType'];
      o.descriptionLength = int(el.descriptionLength) ?? 0;
      if (kind === 'ChartOfCharacteristicTypes') o.types = typesOf(el.type);
      break;
    case 'Document':
      o.numberLength = int(el.numberLength) ?? 0;
      o.numberType = (text(el.numberType) || 'String') as MdObject['numberType'];
      o.registerRecords = arr(el.registerRecords).map(text).filter(Boolean);
      break;
    case 'InformationRegister':
    case 'AccumulationRegister':
    case 'AccountingRegister':
      o.dimensions = arr(el.dimensions).map(attributeOf);
      o.resources = arr(el.resources).map(attributeOf);
      if (kind === 'InformationRegister') {
        o.periodicity = text(el.informationRegisterPeriodicity) || 'Nonperiodical';
        o.writeMode = text(el.writeMode) || 'Independent';
      }
      if (kind === 'AccumulationRegister') o.registerType = text(el.registerType) || 'Balance';
      break;
    case 'Enum':
      o.values = arr(el.enumValues).map((v) => ({ name: text(v.name), uuid: String(v['@uuid'] ?? '') }));
      break;
    case 'DefinedType':
    case 'Constant':
      o.types = typesOf(el.type);
      break;
    default:
      break;
  }
  const predefined = predefinedOf(el);
  if (predefined.length) o.predefined = predefined;
  return o;
}

/** Fills `cfg` from the EDT project whose `src` folder is `root`. */
export function readEdtInto(root: string, cfg: MdConfiguration): void {
  cfg.format = 'edt';
  const c = obj(readXml(join(root, 'Configuration', 'Configuration.mdo')).Configuration);
  cfg.uuid = String(c['@uuid'] ?? '');
  cfg.name = text(c.name);
  cfg.synonym = text(obj(c.synonym).value);
  cfg.version = text(c.version);
  cfg.compatibilityMode = mode(c.compatibilityMode);
  cfg.extensionCompatibilityMode = mode(c.configurationExtensionCompatibilityMode);
  cfg.isExtension = text(c.objectBelonging) === 'Adopted' || text(c.configurationExtensionPurpose) !== '';
  for (const [key, value] of Object.entries(c)) {
    // Object lists: <catalogs>Catalog.X</catalogs>, <documents>Document.X</documents>, …
    if (/^[a-z][A-Za-z]+s$/.test(key)) for (const v of arr<unknown>(value)) if (/^[A-Z][A-Za-z]+\./.test(text(v))) cfg.listed.push(text(v));
  }
  for (const [folder, kind] of Object.entries(FOLDERS)) {
    const d = join(root, folder);
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d)) {
      const file = join(d, name, `${name}.mdo`);
      if (!existsSync(file)) continue;
      const o = objectOf(root, file, kind);
      if (o) cfg.objects.set(o.fullName, o);
      else cfg.warnings.push(`${folder}/${name}: not a ${kind} description`);
    }
  }
}
