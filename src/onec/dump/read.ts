import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { MdAttribute, MdConfiguration, MdKind, MdObject, MdPredefined, MdTabular, MdType } from './types.js';
import { readEdtInto } from './edt.js';
import { dumpDiskCache } from './disk-cache.js';

/**
 * Reads a Designer XML hierarchical dump (`/DumpConfigToFiles … -Format Hierarchical`, formats 2.4–2.20 share the
 * element names used here) — full or trimmed. Configuration.xml, when present, gives the configuration's name,
 * version, compatibility modes and the list of every object; the objects' own files give their metadata. A listed
 * object without a file is simply not available (a trimmed dump); without Configuration.xml (a partial export such
 * as ../shared/reference/dumps/roznica-2.2.12-xml) the reader drives itself from the files present.
 *
 * EDT projects (`src/Configuration/Configuration.mdo`, `src/<Kind>/<Name>/<Name>.mdo`) are read by ./edt.ts.
 */

/** Folder of each kind in a dump (Designer and EDT name them the same). */
export const FOLDERS: Record<string, MdKind> = {
  Catalogs: 'Catalog',
  Documents: 'Document',
  Enums: 'Enum',
  DefinedTypes: 'DefinedType',
  ChartsOfCharacteristicTypes: 'ChartOfCharacteristicTypes',
  InformationRegisters: 'InformationRegister',
  AccumulationRegisters: 'AccumulationRegister',
  AccountingRegisters: 'AccountingRegister',
  ChartsOfAccounts: 'ChartOfAccounts',
  Constants: 'Constant',
  ExchangePlans: 'ExchangePlan',
  DocumentJournals: 'DocumentJournal',
};

const ARRAYS = new Set(['Attribute', 'TabularSection', 'Dimension', 'Resource', 'EnumValue', 'Type', 'TypeSet', 'Item', 'item', 'AccountingFlag', 'ExtDimensionAccountingFlag', 'Column', 'Flag', 'ExtDimensionType']);

export const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name),
});

export type X = Record<string, unknown>;

export const arr = <T = X>(v: unknown): T[] => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? (v as T[]) : [v as T]);
export const obj = (v: unknown): X => (v && typeof v === 'object' && !Array.isArray(v) ? (v as X) : Array.isArray(v) && v[0] && typeof v[0] === 'object' ? (v[0] as X) : {});
/** Text of an element that may carry attributes (`<v8:Type xsi:type="…">text</v8:Type>` → {'#text': …}). */
export const text = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return text(v[0]);
  const t = (v as X)['#text'];
  return t === undefined ? '' : String(t);
};
export const int = (v: unknown): number | undefined => {
  const s = text(v);
  if (s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};
export const bool = (v: unknown) => text(v) === 'true';

export function readXml(file: string): X {
  // Dumps are UTF-8 with a BOM; fast-xml-parser does not skip it.
  let s = readFileSync(file, 'utf8');
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  return xmlParser.parse(s) as X;
}

/** Synonym in Russian (or the first language). */
function synonym(v: unknown): string {
  const items = arr(obj(v).item);
  const ru = items.find((i) => text(i.lang) === 'ru') ?? items[0];
  return ru ? text(ru.content) : '';
}

/** `cfg:CatalogRef.Номенклатура` and friends → MdType. Prefixes stay in the text (removeNSPrefix touches names only). */
export function parseTypeName(raw: string, q: X): MdType {
  const name = raw.replace(/^[a-z0-9]+:/i, '');
  switch (name) {
    case 'string':
      return { kind: 'string', length: int(obj(q.StringQualifiers).Length) ?? 0 };
    case 'boolean':
      return { kind: 'boolean' };
    case 'decimal': {
      const n = obj(q.NumberQualifiers);
      return { kind: 'number', digits: int(n.Digits) ?? 10, fraction: int(n.FractionDigits) ?? 0, nonNegative: text(n.AllowedSign) === 'Nonnegative' };
    }
    case 'dateTime':
      return { kind: 'date', fractions: (text(obj(q.DateQualifiers).DateFractions) || 'DateTime') as 'Date' | 'Time' | 'DateTime' };
    case 'UUID':
      return { kind: 'uuid' };
    case 'ValueStorage':
      return { kind: 'storage' };
  }
  const m = /^([A-Za-z]+)Ref\.(.+)$/.exec(name);
  if (m) return { kind: 'ref', target: `${m[1]}.${m[2]}` };
  if (name.startsWith('DefinedType.')) return { kind: 'defined', name: name.slice('DefinedType.'.length) };
  if (name.startsWith('Characteristic.')) return { kind: 'characteristic', name: name.slice('Characteristic.'.length) };
  if (/^(Any|[A-Za-z]+)Ref$/.test(name) || name === 'AnyIBRef') return { kind: 'anyRef', of: name };
  return { kind: 'other', name };
}

export function parseTypes(typeEl: unknown): MdType[] {
  const t = obj(typeEl);
  const out: MdType[] = [];
  for (const x of [...arr(t.Type), ...arr(t.TypeSet)]) out.push(parseTypeName(text(x), t));
  return out;
}

/** FillValue of an enum-typed attribute: `Enum.ХозяйственныеОперации.EnumValue.РеализацияКлиенту` → the member. */
function fillValue(v: unknown): string | undefined {
  const s = text(v);
  const m = /\.EnumValue\.(.+)$/.exec(s);
  return m ? m[1] : undefined;
}

function attributeOf(el: X): MdAttribute {
  const p = obj(el.Properties);
  const belonging = text(p.ObjectBelonging) === 'Adopted' ? ('Adopted' as const) : undefined;
  return {
    name: text(p.Name),
    uuid: String(el['@uuid'] ?? ''),
    types: parseTypes(p.Type),
    ...(belonging ? { belonging } : {}),
    ...(fillValue(p.FillValue) ? { fillValue: fillValue(p.FillValue) } : {}),
  };
}

function tabularOf(el: X): MdTabular {
  const p = obj(el.Properties);
  const belonging = text(p.ObjectBelonging) === 'Adopted' ? ('Adopted' as const) : undefined;
  return {
    name: text(p.Name),
    uuid: String(el['@uuid'] ?? ''),
    attributes: arr(obj(el.ChildObjects).Attribute).map(attributeOf),
    ...(belonging ? { belonging } : {}),
  };
}

function refList(v: unknown): string[] {
  return arr(obj(v).Item).map(text).filter(Boolean);
}

/** `<Flag ref="ChartOfAccounts.Хозрасчетный.AccountingFlag.Количественный">true</Flag>` list → { Количественный: true }. */
function flagsOf(v: unknown): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const f of arr(obj(v).Flag)) {
    const ref = String(f['@ref'] ?? '');
    out[ref.slice(ref.lastIndexOf('.') + 1)] = text(f) === 'true';
  }
  return out;
}

function predefinedOf(file: string): MdPredefined[] {
  if (!existsSync(file)) return [];
  const root = obj(readXml(file).PredefinedData);
  const out: MdPredefined[] = [];
  const walk = (items: X[], parent?: string) => {
    for (const it of items) {
      const name = text(it.Name);
      const p: MdPredefined = {
        name,
        id: String(it['@id'] ?? ''),
        code: text(it.Code),
        description: text(it.Description),
        isFolder: bool(it.IsFolder),
        ...(parent ? { parent } : {}),
      };
      // A chart of characteristic types' item has its own value type (ВидыСубконтоХозрасчетные.Номенклатура:
      // CatalogRef.Номенклатура); a chart of accounts' item its type, flags and subconto kinds
      // (ChartsOfAccounts/Хозрасчетный/Ext/Predefined.xml, e.g. 41.01 at lines 2494-2508).
      if (it.Type !== undefined) {
        const types = parseTypes(it.Type);
        if (types.length) p.types = types;
      }
      if (it.AccountType !== undefined) {
        p.accountType = text(it.AccountType);
        p.offBalance = bool(it.OffBalance);
        p.flags = flagsOf(it.AccountingFlags);
        p.extDimensionTypes = arr(obj(it.ExtDimensionTypes).ExtDimensionType).map((e) => {
          const full = String(e['@name'] ?? '');
          return { name: full.slice(full.lastIndexOf('.') + 1), turnover: bool(e.Turnover), flags: flagsOf(e.AccountingFlags) };
        });
      }
      out.push(p);
      walk(arr(obj(it.ChildItems).Item), name);
    }
  };
  walk(arr(root.Item));
  return out;
}

/** Reads one `<Kind>/<Name>.xml` description file. */
export function readObjectFile(dir: string, file: string, kind: MdKind): MdObject | undefined {
  const doc = obj(readXml(file).MetaDataObject);
  const el = obj(doc[kind]);
  const p = obj(el.Properties);
  const name = text(p.Name);
  if (!name) return undefined;
  const c = obj(el.ChildObjects);
  const belonging = text(p.ObjectBelonging) === 'Adopted' ? ('Adopted' as const) : undefined;
  const o: MdObject = {
    kind,
    name,
    fullName: `${kind}.${name}`,
    uuid: String(el['@uuid'] ?? ''),
    file: relative(dir, file),
    attributes: arr(c.Attribute).map(attributeOf),
    tabular: arr(c.TabularSection).map(tabularOf),
  };
  if (belonging) o.belonging = belonging;
  if (text(p.ExtendedConfigurationObject)) o.extendedObject = text(p.ExtendedConfigurationObject);
  switch (kind) {
    case 'Catalog':
    case 'ChartOfCharacteristicTypes':
      o.hierarchical = bool(p.Hierarchical);
      if (text(p.HierarchyType)) o.hierarchyType = text(p.HierarchyType) as MdObject['hierarchyType'];
      // Charts of characteristic types have folders when hierarchical (no HierarchyType property).
      if (kind === 'ChartOfCharacteristicTypes' && o.hierarchical && !o.hierarchyType) o.hierarchyType = 'HierarchyFoldersAndItems';
      if (kind === 'Catalog') o.owners = refList(p.Owners);
      o.codeLength = int(p.CodeLength);
      o.codeType = (text(p.CodeType) || undefined) as MdObject['codeType'];
      o.descriptionLength = int(p.DescriptionLength);
      if (kind === 'ChartOfCharacteristicTypes') o.types = parseTypes(p.Type);
      break;
    case 'Document':
      o.numberLength = int(p.NumberLength);
      o.numberType = (text(p.NumberType) || undefined) as MdObject['numberType'];
      o.registerRecords = refList(p.RegisterRecords);
      break;
    case 'InformationRegister':
    case 'AccumulationRegister':
    case 'AccountingRegister':
      o.dimensions = arr(c.Dimension).map(attributeOf);
      o.resources = arr(c.Resource).map(attributeOf);
      if (kind === 'AccountingRegister') {
        // AccountingRegisters/Хозрасчетный.xml: ChartOfAccounts (line 45), Correspondence (46), and a Balance flag per
        // dimension (445, 484, 529) and resource (573, 616, …): Balance = false values are kept per side (Dr / Cr).
        const balanceOf = (el: X) => text(obj(el.Properties).Balance) === 'true';
        arr(c.Dimension).forEach((el, i) => (o.dimensions![i].balance = balanceOf(el)));
        arr(c.Resource).forEach((el, i) => (o.resources![i].balance = balanceOf(el)));
        o.chartOfAccounts = text(p.ChartOfAccounts) || undefined;
        o.correspondence = bool(p.Correspondence);
      }
      if (kind === 'InformationRegister') {
        o.periodicity = text(p.InformationRegisterPeriodicity) || 'Nonperiodical';
        o.writeMode = text(p.WriteMode) || 'Independent';
      }
      if (kind === 'AccumulationRegister') o.registerType = text(p.RegisterType) || 'Balance';
      break;
    case 'ChartOfAccounts':
      // ChartsOfAccounts/Хозрасчетный.xml: ExtDimensionTypes (line 46), MaxExtDimensionCount (47), CodeLength (49),
      // DescriptionLength (50); ChildObjects: Attribute, AccountingFlag (607-775), ExtDimensionAccountingFlag (776-).
      // A chart of accounts is always hierarchical (Parent), items only (no folders).
      o.hierarchical = true;
      o.codeLength = int(p.CodeLength);
      o.descriptionLength = int(p.DescriptionLength);
      o.extDimensionTypes = text(p.ExtDimensionTypes) || undefined;
      o.maxExtDimensionCount = int(p.MaxExtDimensionCount) ?? 0;
      o.accountingFlags = arr(c.AccountingFlag).map(attributeOf);
      o.extDimensionAccountingFlags = arr(c.ExtDimensionAccountingFlag).map(attributeOf);
      break;
    case 'Enum':
      o.values = arr(c.EnumValue).map((v) => ({ name: text(obj(v.Properties).Name), uuid: String(v['@uuid'] ?? '') }));
      break;
    case 'DefinedType':
    case 'Constant':
      o.types = parseTypes(p.Type);
      break;
    default:
      break;
  }
  const folder = Object.keys(FOLDERS).find((k) => FOLDERS[k] === kind)!;
  const predefined = predefinedOf(join(dir, folder, name, 'Ext', 'Predefined.xml'));
  if (predefined.length) o.predefined = predefined;
  return o;
}

function readConfigurationXml(dir: string, cfg: MdConfiguration): void {
  const file = join(dir, 'Configuration.xml');
  if (!existsSync(file)) {
    cfg.warnings.push('no Configuration.xml: name, version and the list of objects are unknown; objects are read from the files present');
    return;
  }
  const doc = obj(readXml(file).MetaDataObject);
  cfg.formatVersion = String(doc['@version'] ?? '') || undefined;
  const el = obj(doc.Configuration);
  const p = obj(el.Properties);
  cfg.uuid = String(el['@uuid'] ?? '');
  cfg.name = text(p.Name);
  cfg.synonym = synonym(p.Synonym);
  cfg.version = text(p.Version);
  cfg.compatibilityMode = text(p.CompatibilityMode) || undefined;
  cfg.extensionCompatibilityMode = text(p.ConfigurationExtensionCompatibilityMode) || undefined;
  cfg.isExtension = text(p.ObjectBelonging) === 'Adopted' || text(p.ConfigurationExtensionPurpose) !== '';
  if (text(p.NamePrefix)) cfg.namePrefix = text(p.NamePrefix);
  const children = obj(el.ChildObjects);
  for (const [kind, names] of Object.entries(children)) {
    for (const n of arr<unknown>(names)) cfg.listed.push(`${kind}.${text(n)}`);
  }
}

const cache = new Map<string, { mtime: number; cfg: MdConfiguration }>();

/**
 * Reads a configuration dump folder. Designer XML (Configuration.xml and/or `<Kinds>/<Name>.xml`) or an EDT project
 * (`src/Configuration/Configuration.mdo`). Results are cached per folder for the life of the process (the emulator
 * and `regate check` read the same dump several times in a test run) and on disk between processes (./disk-cache.ts:
 * the same files read by the same reader).
 */
export function readDump(dir: string): MdConfiguration {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`Выгрузка конфигурации не найдена: ${dir}`);
  const mtime = statSync(dir).mtimeMs;
  const hit = cache.get(dir);
  if (hit && hit.mtime === mtime) return hit.cfg;
  const disk = dumpDiskCache();
  const kept = disk.get(dir);
  if (kept) {
    cache.set(dir, { mtime, cfg: kept });
    return kept;
  }
  const cfg: MdConfiguration = {
    dir,
    format: 'designer-xml',
    name: '',
    synonym: '',
    version: '',
    uuid: '',
    isExtension: false,
    listed: [],
    objects: new Map(),
    warnings: [],
  };
  const edtRoot = existsSync(join(dir, 'src', 'Configuration', 'Configuration.mdo')) ? join(dir, 'src') : existsSync(join(dir, 'Configuration', 'Configuration.mdo')) ? dir : undefined;
  if (edtRoot) {
    readEdtInto(edtRoot, cfg);
  } else {
    readConfigurationXml(dir, cfg);
    for (const [folder, kind] of Object.entries(FOLDERS)) {
      const d = join(dir, folder);
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d)) {
        if (!f.endsWith('.xml')) continue;
        const o = readObjectFile(dir, join(d, f), kind);
        if (o) cfg.objects.set(o.fullName, o);
        else cfg.warnings.push(`${folder}/${f}: not a ${kind} description`);
      }
    }
  }
  cfg.trimmed = cfg.listed.some((n) => n.startsWith('Document.') && !cfg.objects.has(n));
  cache.set(dir, { mtime, cfg });
  disk.put(dir, cfg);
  return cfg;
}

/** Whether the configuration has an object (file read), by full name. */
export function hasObject(cfg: MdConfiguration, fullName: string): boolean {
  return cfg.objects.has(fullName);
}
