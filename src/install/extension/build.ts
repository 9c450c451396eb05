import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '../templates.js';
import { compareFormats, compareModes, folderOf, type BaseFacts } from './base.js';
import { EXTRA_READ, planFor, type Right } from './plan.js';
import type { ExtensionTarget } from './targets.js';

/**
 * Builds the ReGate extension for one base, in one place: the adopted objects are the ones the profile needs and the
 * base has, each with the base's uuid; the modes and the dump format are the base's; own objects keep their uuids
 * (the identity of ReGate's data in every base). onec/extension is the build for the УТ 11.5.20 reference base
 * (test/onec-xml checks it is exactly that), so it doubles as the source of own objects and added attributes.
 *
 * Format rules (which elements a format has) are those of real platform dumps: 2.4 (8.3.10, the real extension in
 * ../shared/reference/publication), 2.6 (УТ 11.4.2), 2.9 (8.3.16), 2.11 (8.3.18) and 2.18 (УТ 11.5.20); the
 * structural test compares each generated file with the real dump of its format.
 */

export const EXTENSION_DIR = join(REPO_ROOT, 'onec/extension');
/** The canonical build's format: onec/extension is the УТ 11.5.20 build. */
export const CANONICAL_FORMAT = '2.18';
/** Extensions may carry data (own registers, attributes of adopted objects) from compatibility mode 8.3.11 on. */
export const MIN_DATA_EXTENSION_MODE = 'Version8_3_11';

const EXTENSION_NAME = 'ReGate';
const KIND_ORDER = ['Language', 'Role', 'CommonModule', 'Catalog', 'Document', 'InformationRegister', 'AccumulationRegister'];
const HEADER_NS =
  'xmlns="http://v8.1c.ru/8.3/MDClasses" xmlns:app="http://v8.1c.ru/8.2/managed-application/core" xmlns:cfg="http://v8.1c.ru/8.1/data/enterprise/current-config" xmlns:cmi="http://v8.1c.ru/8.2/managed-application/cmi" xmlns:ent="http://v8.1c.ru/8.1/data/enterprise" xmlns:lf="http://v8.1c.ru/8.2/managed-application/logform" xmlns:style="http://v8.1c.ru/8.1/data/ui/style" xmlns:sys="http://v8.1c.ru/8.1/data/ui/fonts/system" xmlns:v8="http://v8.1c.ru/8.1/data/core" xmlns:v8ui="http://v8.1c.ru/8.1/data/ui" xmlns:web="http://v8.1c.ru/8.1/data/ui/colors/web" xmlns:win="http://v8.1c.ru/8.1/data/ui/colors/windows" xmlns:xen="http://v8.1c.ru/8.3/xcf/enums" xmlns:xpr="http://v8.1c.ru/8.3/xcf/predef" xmlns:xr="http://v8.1c.ru/8.3/xcf/readable" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

export class ExtensionNotPossible extends Error {}

export interface BuiltObject {
  fullName: string;
  /** Adopted: the base object's uuid (ExtendedConfigurationObject). Own: the object's uuid. */
  uuid: string;
  rights: Right[];
}

export interface ExtensionBuild {
  target: ExtensionTarget;
  formatVersion: string;
  extensionCompatibilityMode: string;
  /** Written as a controlled property: the extension applies only while the base keeps this mode. */
  compatibilityMode: string;
  /** Relative path (`Catalogs/Номенклатура.xml`) → file text (BOM, CRLF), as the platform writes a dump. */
  files: Map<string, string>;
  adopted: BuiltObject[];
  own: BuiltObject[];
  /** Objects the profile reads or writes that the base does not have (the profile must not use them there). */
  absent: BuiltObject[];
  /** Sets the profile reads that are not adopted (charts of characteristic types): rights from the base's roles. */
  notAdopted: { set: string; why: string }[];
}

/** A uuid derived from a seed: the same adopted object gets the same ids in every build (v4 layout, variant 10). */
export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(`ReGate extension/${seed}`).digest('hex');
  const variant = (8 + (parseInt(h[16], 16) & 3)).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const dumpFile = (body: string[]) => `\uFEFF${body.join('\r\n')}`;
const strip = (s: string) => s.replace(/^\uFEFF/, '');
const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Elements a format does not have, removed from the canonical (2.18) text; see the rules in the header comment. */
export function toFormat(xml: string, format: string): string {
  let out = xml.replace(/(<(?:MetaDataObject|Rights)\b[^>]*\bversion=")[0-9.]+(")/, `$1${format}$2`);
  const drop = (re: RegExp) => {
    out = out.replace(new RegExp(`^[\\t ]*${re.source}.*\\r?\\n`, 'gm'), '');
  };
  if (compareFormats(format, '2.9') < 0) {
    drop(/<UpdateDataHistoryImmediatelyAfterWrite>/);
    drop(/<ExecuteAfterWriteDataHistoryVersionProcessing>/);
  }
  if (compareFormats(format, '2.18') < 0) drop(/<(?:xr:)?TypeReductionMode>/);
  return out;
}

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** The lines inside `<ChildObjects>` of an object file (added attributes), or undefined when it has none. */
function childLines(xml: string): string | undefined {
  const m = strip(xml).match(/\r?\n\t\t<ChildObjects>\r?\n([\s\S]*?)\r?\n\t\t<\/ChildObjects>/);
  return m?.[1];
}

function adoptedObjectXml(full: string, facts: BaseFacts['objects'][string], children: string | undefined, format: string): string {
  const [kind, name] = full.split('.');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MetaDataObject ${HEADER_NS} version="${format}">`,
    `\t<${kind} uuid="${stableUuid(`${full}`)}">`,
  ];
  if (facts.types.length) {
    lines.push('\t\t<InternalInfo>');
    for (const [typeName, category] of facts.types) {
      lines.push(
        `\t\t\t<xr:GeneratedType name="${typeName}" category="${category}">`,
        `\t\t\t\t<xr:TypeId>${stableUuid(`${full}/${category}/type`)}</xr:TypeId>`,
        `\t\t\t\t<xr:ValueId>${stableUuid(`${full}/${category}/value`)}</xr:ValueId>`,
        '\t\t\t</xr:GeneratedType>',
      );
    }
    lines.push('\t\t</InternalInfo>');
  } else lines.push('\t\t<InternalInfo/>');
  lines.push('\t\t<Properties>', `\t\t\t<Name>${name}</Name>`, '\t\t\t<Comment/>', '\t\t\t<ObjectBelonging>Adopted</ObjectBelonging>', `\t\t\t<ExtendedConfigurationObject>${facts.uuid}</ExtendedConfigurationObject>`);
  // What a platform-made dump repeats for an adopted object of each kind (real 8.3.16 extension dump).
  if (kind === 'Document') lines.push('\t\t\t<RegisterRecords/>');
  if (kind === 'InformationRegister')
    lines.push(`\t\t\t<InformationRegisterPeriodicity>${facts.periodicity}</InformationRegisterPeriodicity>`, `\t\t\t<WriteMode>${facts.writeMode}</WriteMode>`);
  if (kind === 'AccumulationRegister') lines.push(`\t\t\t<RegisterType>${facts.registerType}</RegisterType>`);
  lines.push('\t\t</Properties>');
  if (children) lines.push('\t\t<ChildObjects>', children, '\t\t</ChildObjects>');
  else lines.push('\t\t<ChildObjects/>');
  lines.push(`\t</${kind}>`, '</MetaDataObject>');
  return toFormat(dumpFile(lines), format);
}

function languageXml(base: BaseFacts, format: string): string {
  return dumpFile([
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MetaDataObject ${HEADER_NS} version="${format}">`,
    `\t<Language uuid="${stableUuid(`Language.${base.language.name}`)}">`,
    '\t\t<InternalInfo/>',
    '\t\t<Properties>',
    `\t\t\t<Name>${base.language.name}</Name>`,
    '\t\t\t<Comment/>',
    '\t\t\t<ObjectBelonging>Adopted</ObjectBelonging>',
    `\t\t\t<ExtendedConfigurationObject>${base.language.uuid}</ExtendedConfigurationObject>`,
    `\t\t\t<LanguageCode>${base.language.code}</LanguageCode>`,
    '\t\t</Properties>',
    '\t</Language>',
    '</MetaDataObject>',
  ]);
}

function rightsXml(objects: BuiltObject[], format: string): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Rights xmlns="http://v8.1c.ru/8.2/roles" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Rights" version="${format}">`,
    '\t<setForNewObjects>false</setForNewObjects>',
    '\t<setForAttributesByDefault>true</setForAttributesByDefault>',
    '\t<independentRightsOfChildObjects>false</independentRightsOfChildObjects>',
  ];
  for (const o of objects) {
    lines.push('\t<object>', `\t\t<name>${o.fullName}</name>`);
    for (const r of o.rights) lines.push('\t\t<right>', `\t\t\t<name>${r}</name>`, '\t\t\t<value>true</value>', '\t\t</right>');
    lines.push('\t</object>');
  }
  lines.push('</Rights>');
  return dumpFile(lines);
}

/**
 * Configuration.xml of the extension, in the property order of real extension dumps (2.4 and 2.9): the base's run
 * mode, purposes, script variant, language and interface mode (controlled properties: they must equal the base's),
 * its CompatibilityMode as a controlled property (the real 2.4 extension dump carries it), and from 2.9 on the
 * mapping-by-ids flag and the information addresses.
 */
function configurationXml(canonical: string, build: Omit<ExtensionBuild, 'files'>, children: string[]): string {
  const src = strip(canonical);
  const uuid = src.match(/<Configuration uuid="([0-9a-f-]{36})"/)![1];
  const contained = [...src.matchAll(/<xr:ContainedObject>\s*<xr:ClassId>([^<]+)<\/xr:ClassId>\s*<xr:ObjectId>([^<]+)<\/xr:ObjectId>\s*<\/xr:ContainedObject>/g)].map((m) => [m[1], m[2]]);
  const prop = (n: string) => src.match(new RegExp(`<${n}>([^<]*)</${n}>`))?.[1] ?? '';
  const synonym = src.match(/<Synonym>\s*<v8:item>\s*<v8:lang>ru<\/v8:lang>\s*<v8:content>([^<]*)<\/v8:content>/)?.[1] ?? EXTENSION_NAME;
  const { base } = build.target;
  const f = build.formatVersion;
  const atLeast = (v: string) => compareFormats(f, v) >= 0;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<MetaDataObject ${HEADER_NS} version="${f}">`, `\t<Configuration uuid="${uuid}">`, '\t\t<InternalInfo>'];
  // The 7th contained object appears in real dumps from 2.11 (8.3.18) on; 2.4–2.9 dumps have six.
  for (const [classId, objectId] of contained.slice(0, atLeast('2.11') ? 7 : 6))
    lines.push('\t\t\t<xr:ContainedObject>', `\t\t\t\t<xr:ClassId>${classId}</xr:ClassId>`, `\t\t\t\t<xr:ObjectId>${objectId}</xr:ObjectId>`, '\t\t\t</xr:ContainedObject>');
  lines.push(
    '\t\t</InternalInfo>',
    '\t\t<Properties>',
    `\t\t\t<Name>${EXTENSION_NAME}</Name>`,
    '\t\t\t<Synonym>',
    '\t\t\t\t<v8:item>',
    '\t\t\t\t\t<v8:lang>ru</v8:lang>',
    `\t\t\t\t\t<v8:content>${synonym}</v8:content>`,
    '\t\t\t\t</v8:item>',
    '\t\t\t</Synonym>',
    prop('Comment') ? `\t\t\t<Comment>${prop('Comment')}</Comment>` : '\t\t\t<Comment/>',
    '\t\t\t<ConfigurationExtensionPurpose>Customization</ConfigurationExtensionPurpose>',
    '\t\t\t<ObjectBelonging>Adopted</ObjectBelonging>',
  );
  // Mapping by name: a customised base that re-created an object under the same name still matches.
  if (atLeast('2.9')) lines.push('\t\t\t<KeepMappingToExtendedConfigurationObjectsByIDs>false</KeepMappingToExtendedConfigurationObjectsByIDs>');
  lines.push(
    `\t\t\t<NamePrefix>${EXTENSION_NAME}_</NamePrefix>`,
    `\t\t\t<ConfigurationExtensionCompatibilityMode>${build.extensionCompatibilityMode}</ConfigurationExtensionCompatibilityMode>`,
    `\t\t\t<DefaultRunMode>${base.defaultRunMode || 'ManagedApplication'}</DefaultRunMode>`,
    '\t\t\t<UsePurposes>',
    ...(base.usePurposes.length ? base.usePurposes : ['PlatformApplication']).map((p) => `\t\t\t\t<v8:Value xsi:type="app:ApplicationUsePurpose">${p}</v8:Value>`),
    '\t\t\t</UsePurposes>',
    `\t\t\t<ScriptVariant>${base.scriptVariant || 'Russian'}</ScriptVariant>`,
    `\t\t\t<Vendor>${xmlText(prop('Vendor') || EXTENSION_NAME)}</Vendor>`,
    `\t\t\t<Version>${prop('Version')}</Version>`,
    `\t\t\t<DefaultLanguage>Language.${base.language.name}</DefaultLanguage>`,
  );
  if (atLeast('2.9'))
    lines.push('\t\t\t<BriefInformation/>', '\t\t\t<DetailedInformation/>', '\t\t\t<Copyright/>', '\t\t\t<VendorInformationAddress/>', '\t\t\t<ConfigurationInformationAddress/>');
  lines.push(`\t\t\t<InterfaceCompatibilityMode>${base.interfaceCompatibilityMode}</InterfaceCompatibilityMode>`);
  if (build.compatibilityMode) lines.push(`\t\t\t<CompatibilityMode>${build.compatibilityMode}</CompatibilityMode>`);
  lines.push('\t\t</Properties>', '\t\t<ChildObjects>', ...children.map((c) => `\t\t\t${c}`), '\t\t</ChildObjects>', '\t</Configuration>', '</MetaDataObject>');
  return dumpFile(lines);
}

const kindRank = (full: string) => KIND_ORDER.indexOf(full.split('.')[0]);
const byKindThenName = (a: string, b: string) => kindRank(a) - kindRank(b) || (a < b ? -1 : a > b ? 1 : 0);

/** Builds the extension for `target` from the canonical sources (onec/extension). */
export function buildExtension(target: ExtensionTarget, sourceDir = EXTENSION_DIR): ExtensionBuild {
  const { base } = target;
  if (compareModes(base.extensionCompatibilityMode, MIN_DATA_EXTENSION_MODE) < 0)
    throw new ExtensionNotPossible(
      `${base.name} ${base.version}: режим совместимости расширений конфигурации ${base.extensionCompatibilityMode || '(не задан)'} ниже ` +
        `${MIN_DATA_EXTENSION_MODE}, с которого расширение может хранить данные (собственные регистры, реквизиты заимствованных объектов). ` +
        `Расширение ReGate к этой базе не подключить: работайте без него (onec.extension: false).`,
    );
  const source = readTree(sourceDir);
  const plan = planFor(target.profile);
  const format = base.formatVersion;
  const adopted: BuiltObject[] = [];
  const absent: BuiltObject[] = [];
  for (const [full, rights] of plan.base) {
    const facts = base.objects[full];
    if (facts) adopted.push({ fullName: full, uuid: facts.uuid, rights });
    else if (!EXTRA_READ.includes(full)) absent.push({ fullName: full, uuid: '', rights });
  }
  adopted.sort((a, b) => byKindThenName(a.fullName, b.fullName));
  const own: BuiltObject[] = [];
  for (const [full, rights] of plan.own) {
    const [kind, name] = full.split('.');
    const file = source.get(`${folderOf(kind)}/${name}.xml`);
    if (!file) throw new Error(`${full}: нет ${folderOf(kind)}/${name}.xml в ${sourceDir}`);
    own.push({ fullName: full, uuid: strip(file).match(new RegExp(`<${kind} uuid="([0-9a-f-]{36})"`))![1], rights });
  }
  own.sort((a, b) => byKindThenName(a.fullName, b.fullName));

  const build: Omit<ExtensionBuild, 'files'> = {
    target,
    formatVersion: format,
    extensionCompatibilityMode: base.extensionCompatibilityMode,
    compatibilityMode: base.compatibilityMode,
    adopted,
    own,
    absent,
    notAdopted: plan.notAdopted,
  };
  const files = new Map<string, string>();
  // Own objects that are not data (module, role) are copied; the role's rights are generated below.
  const copied = [...source.keys()].filter((p) => /^(CommonModules|Roles)\//.test(p) && !p.endsWith('/Rights.xml'));
  for (const p of copied) files.set(p, p.endsWith('.xml') ? toFormat(source.get(p)!, format) : source.get(p)!);
  for (const p of [...source.keys()].filter((x) => x.startsWith('Ext/'))) files.set(p, source.get(p)!);
  for (const o of own) {
    const [kind, name] = o.fullName.split('.');
    const p = `${folderOf(kind)}/${name}.xml`;
    files.set(p, toFormat(source.get(p)!, format));
  }
  for (const o of adopted) {
    const [kind, name] = o.fullName.split('.');
    const p = `${folderOf(kind)}/${name}.xml`;
    const canonical = source.get(p);
    files.set(p, adoptedObjectXml(o.fullName, base.objects[o.fullName], canonical ? childLines(canonical) : undefined, format));
  }
  files.set(`Languages/${base.language.name}.xml`, languageXml(base, format));
  const roles = [...source.keys()].filter((p) => /^Roles\/[^/]+\.xml$/.test(p)).map((p) => p.slice('Roles/'.length, -4));
  for (const role of roles) files.set(`Roles/${role}/Ext/Rights.xml`, rightsXml([...adopted, ...own], format));
  const modules = [...source.keys()].filter((p) => /^CommonModules\/[^/]+\.xml$/.test(p)).map((p) => p.slice('CommonModules/'.length, -4));
  const children = [
    `<Language>${base.language.name}</Language>`,
    ...roles.map((r) => `<Role>${r}</Role>`),
    ...modules.map((m) => `<CommonModule>${m}</CommonModule>`),
    ...[...adopted, ...own].sort((a, b) => kindRank(a.fullName) - kindRank(b.fullName)).map((o) => {
      const [kind, name] = o.fullName.split('.');
      return `<${kind}>${name}</${kind}>`;
    }),
  ];
  files.set('Configuration.xml', configurationXml(source.get('Configuration.xml')!, build, children));
  return { ...build, files };
}

/** Writes a build as a Designer dump folder (what /LoadConfigFromFiles … -Extension ReGate loads). */
export function writeExtension(build: ExtensionBuild, outDir: string): string[] {
  const paths: string[] = [];
  for (const [rel, text] of [...build.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const p = join(outDir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    paths.push(p);
  }
  return paths;
}

/** Whether `dir` holds exactly the build's files (used to check onec/extension against the 11.5.20 build). */
export function diffAgainst(build: ExtensionBuild, dir: string): string[] {
  const onDisk = existsSync(dir) ? readTree(dir) : new Map<string, string>();
  const problems: string[] = [];
  for (const [rel, text] of build.files) {
    if (!onDisk.has(rel)) problems.push(`${rel}: missing`);
    else if (onDisk.get(rel) !== text) problems.push(`${rel}: differs`);
  }
  for (const rel of onDisk.keys()) if (!build.files.has(rel)) problems.push(`${rel}: not produced by the build`);
  return problems;
}

/**
 * A folder holding the build for `target`, written once per content under the OS temp folder: what the emulator
 * merges with a base other than УТ 11.5.20 (onec/extension is the 11.5.20 build and adopts objects 11.4 lacks).
 */
export function builtExtensionDir(target: ExtensionTarget): string {
  const build = buildExtension(target);
  const hash = createHash('sha1');
  for (const [rel, text] of [...build.files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(rel).update('\0').update(text).update('\0');
  const dir = join(tmpdir(), `regate-extension-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(join(dir, 'Configuration.xml'))) {
    const tmp = `${dir}.${process.pid}`;
    writeExtension(build, tmp);
    try {
      renameSync(tmp, dir);
    } catch {
      // Another process wrote the same content first.
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return dir;
}
