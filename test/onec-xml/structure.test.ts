import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { readDump, type MdConfiguration } from '../../src/onec/dump/index.js';
import { buildExtension, diffAgainst, EXTENSION_DIR, writeExtension, type ExtensionBuild } from '../../src/install/extension/build.js';
import { namedTarget, targetFromDump } from '../../src/install/extension/targets.js';
import { FACTS_FILE, REFERENCE_DUMPS, renderFacts } from '../../src/install/extension/facts.js';
import { compareModes } from '../../src/install/extension/base.js';

/**
 * The ReGate extension against real dumps in ../shared: for each reference base (УТ 11.4.2, 11.5.20) the build for
 * that base adopts only objects the base has, under the base's uuid, kind and name; its modes and format are the
 * base's; and each kind of file carries the elements, in the order, of real platform-made files of that format
 * (a structural comparison of element names, not of text). A wrong uuid or a missing object fails naming it.
 */
const repo = resolve(__dirname, '../..');
const shared = resolve(repo, '../shared');
const utDumps = join(shared, 'reference/ut-dumps');
const realExtension = join(shared, 'reference/publication/extension-real/tests/fixtures/cfe');
const haveShared = existsSync(utDumps) && existsSync(realExtension);
if (!haveShared) console.warn(`skip: ${utDumps} is absent — the structural comparison with real dumps needs ../shared`);

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, preserveOrder: true });
type Node = Record<string, any>;
const strip = (s: string) => s.replace(/^\uFEFF/, '');
const tagOf = (n: Node) => Object.keys(n).find((k) => k !== ':@')!;
const kids = (n: Node): Node[] => (Array.isArray(n[tagOf(n)]) ? n[tagOf(n)] : []);
const names = (list: Node[]) => list.map(tagOf).filter((t) => t !== '#text');
const child = (list: Node[], tag: string) => list.find((n) => tagOf(n) === tag);
const textOf = (n: Node | undefined) => (n ? (kids(n).find((k) => '#text' in k)?.['#text'] ?? '') : '');

/** The MetaDataObject root: its attributes, its object element's tag, uuid and child list. */
function root(xml: string) {
  const doc = parser.parse(strip(xml)) as Node[];
  const md = doc.find((n) => tagOf(n) === 'MetaDataObject')!;
  const obj = kids(md).find((n) => tagOf(n) !== '#text')!;
  return { attrs: md[':@'] ?? {}, kind: tagOf(obj), uuid: obj[':@']?.['@uuid'] as string, body: kids(obj) };
}
const props = (body: Node[]) => kids(child(body, 'Properties')!);
const prop = (body: Node[], name: string) => String(textOf(child(props(body), name)));
const childItems = (body: Node[], tag: string) => kids(child(body, 'ChildObjects') ?? { ChildObjects: [] }).filter((n) => tagOf(n) === tag);

const FOLDER_KIND: Record<string, string> = {
  Catalogs: 'Catalog', Documents: 'Document', InformationRegisters: 'InformationRegister', AccumulationRegisters: 'AccumulationRegister', Languages: 'Language',
};

/**
 * Independent of the builder: every problem of a built extension against the base it is for, each naming its
 * object. Adopted objects: present in the base (file), same kind and name, ExtendedConfigurationObject = the base's
 * uuid, generated types and repeated register properties equal the base's.
 */
function checkAdopted(files: Map<string, string>, base: MdConfiguration): string[] {
  const problems: string[] = [];
  for (const [rel, xml] of files) {
    const [folder, file] = rel.split('/');
    if (!file?.endsWith('.xml') || rel.split('/').length !== 2 || !FOLDER_KIND[folder]) continue;
    const r = root(xml);
    const name = prop(r.body, 'Name');
    const full = `${r.kind}.${name}`;
    if (r.kind !== FOLDER_KIND[folder]) problems.push(`${rel}: holds a ${r.kind}, the folder is for ${FOLDER_KIND[folder]}`);
    if (file !== `${name}.xml`) problems.push(`${rel}: names ${full}`);
    if (prop(r.body, 'ObjectBelonging') !== 'Adopted') continue;
    const ext = prop(r.body, 'ExtendedConfigurationObject');
    if (r.kind === 'Language') {
      const langFile = join(base.dir, 'Languages', `${name}.xml`);
      const uuid = existsSync(langFile) ? root(readFileSync(langFile, 'utf8')).uuid : undefined;
      if (ext !== uuid) problems.push(`${full}: ExtendedConfigurationObject ${ext}, the base's language is ${uuid}`);
      continue;
    }
    const b = base.objects.get(full);
    if (!b) {
      problems.push(`${full}: adopted, but ${base.name} ${base.version} has no such object`);
      continue;
    }
    if (ext !== b.uuid) problems.push(`${full}: ExtendedConfigurationObject ${ext}, in ${base.name} ${base.version} it is ${b.uuid}`);
    const baseXml = readFileSync(join(base.dir, b.file), 'utf8');
    const typesOf = (x: string) => [...strip(x).slice(0, strip(x).indexOf('<Properties>')).matchAll(/<xr:GeneratedType name="([^"]+)" category="([^"]+)"/g)].map((m) => `${m[1]}/${m[2]}`);
    expect.soft(typesOf(xml), `${full}: generated types`).toEqual(typesOf(baseXml));
    if (r.kind === 'InformationRegister') {
      if (prop(r.body, 'InformationRegisterPeriodicity') !== b.periodicity) problems.push(`${full}: periodicity differs from the base's ${b.periodicity}`);
      if (prop(r.body, 'WriteMode') !== b.writeMode) problems.push(`${full}: write mode differs from the base's ${b.writeMode}`);
    }
    if (r.kind === 'AccumulationRegister' && prop(r.body, 'RegisterType') !== b.registerType) problems.push(`${full}: register type differs from the base's`);
  }
  return problems;
}

/** Element-name sequence of the Properties of the first child `tag` found in the dump's files of `folder`. */
function realChildProps(dumpDir: string, folder: string, tag: string, where: (r: ReturnType<typeof root>) => boolean = () => true): string[] {
  for (const f of readdirSync(join(dumpDir, folder)).filter((x) => x.endsWith('.xml'))) {
    const r = root(readFileSync(join(dumpDir, folder, f), 'utf8'));
    if (!where(r)) continue;
    const item = childItems(r.body, tag)[0];
    if (item) return names(props(kids(item)));
  }
  throw new Error(`no ${tag} in ${folder} of ${dumpDir}`);
}

function realObjectProps(dumpDir: string, folder: string): string[] {
  const f = readdirSync(join(dumpDir, folder)).find((x) => x.endsWith('.xml'))!;
  return names(props(root(readFileSync(join(dumpDir, folder, f), 'utf8')).body));
}

/** `[name, xr:children]` of each standard attribute of an object's Properties. */
const standardAttributes = (body: Node[]) =>
  kids(child(props(body), 'StandardAttributes') ?? { StandardAttributes: [] }).map((sa) => [sa[':@']?.['@name'], names(kids(sa)).join(',')]);

/** A dump folder like `src`, with `drop` (relative paths) left out: symlinks, so it costs nothing to make. */
function dumpWithout(src: string, drop: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'regate-dump-'));
  const walk = (rel: string) => {
    for (const n of readdirSync(join(src, rel))) {
      const r = rel ? `${rel}/${n}` : n;
      if (drop.includes(r)) continue;
      if (statSync(join(src, r)).isDirectory()) {
        mkdirSync(join(dir, r));
        walk(r);
      } else symlinkSync(join(src, r), join(dir, r));
    }
  };
  walk('');
  return dir;
}

describe.skipIf(!haveShared)('the generated facts of the reference dumps', () => {
  it('ut-facts.generated.ts is what ../shared gives today (regenerate: npx tsx src/install/extension/facts.ts)', () => {
    expect(readFileSync(FACTS_FILE, 'utf8')).toBe(renderFacts(utDumps));
  });
});

describe('onec/extension', () => {
  it('is exactly the build for УТ 11.5.20 (regenerate: npx tsx src/install/extension/regenerate.ts)', () => {
    expect(diffAgainst(buildExtension(namedTarget('11.5.20')), EXTENSION_DIR)).toEqual([]);
  });
});

describe.skipIf(!haveShared).each(Object.entries(REFERENCE_DUMPS))('the extension for УТ %s against %s', (id, folder) => {
  // A skipped describe's body still runs to collect its tests: without ../shared there is nothing to read.
  if (!haveShared) return;
  const dumpDir = join(utDumps, folder);
  const base = readDump(dumpDir);
  const build: ExtensionBuild = buildExtension(targetFromDump(dumpDir));
  const cfg = root(build.files.get('Configuration.xml')!);
  const baseCfg = root(readFileSync(join(dumpDir, 'Configuration.xml'), 'utf8'));

  it('equals the build for the named target (the generated facts say what the dump says)', () => {
    const named = buildExtension(namedTarget(id));
    expect([...named.files.keys()].sort()).toEqual([...build.files.keys()].sort());
    for (const [rel, text] of named.files) expect(text, rel).toBe(build.files.get(rel));
  });

  it('adopts only objects of this base, each under its uuid, kind and name', () => {
    expect(checkAdopted(build.files, base)).toEqual([]);
    expect(build.adopted.length).toBeGreaterThan(20);
    for (const o of build.adopted) expect(base.objects.has(o.fullName), o.fullName).toBe(true);
  });

  it("declares the base's modes and the base's dump format in every file", () => {
    const ext = prop(cfg.body, 'ConfigurationExtensionCompatibilityMode');
    expect(compareModes(ext, base.extensionCompatibilityMode!)).toBeLessThanOrEqual(0);
    expect(compareModes(ext, 'Version8_3_11')).toBeGreaterThanOrEqual(0);
    expect(prop(cfg.body, 'CompatibilityMode')).toBe(base.compatibilityMode);
    for (const p of ['InterfaceCompatibilityMode', 'DefaultRunMode', 'ScriptVariant', 'DefaultLanguage']) expect(prop(cfg.body, p), p).toBe(prop(baseCfg.body, p));
    for (const [rel, text] of build.files) {
      if (!rel.endsWith('.xml')) continue;
      expect(text.charCodeAt(0), rel).toBe(0xfeff);
      expect(text.match(/<(?:MetaDataObject|Rights)\b[^>]*\bversion="([0-9.]+)"/)?.[1], rel).toBe(base.formatVersion);
    }
    // The same namespaces as the base's own files.
    const ns = (xml: string) => Object.keys(root(xml).attrs).filter((k) => k.startsWith('@xmlns')).sort();
    expect(ns(build.files.get('Catalogs/Номенклатура.xml')!)).toEqual(ns(readFileSync(join(dumpDir, 'Catalogs/Номенклатура.xml'), 'utf8')));
  });

  it('Configuration.xml: the contained objects of this format, extension properties in the order of the base', () => {
    const classIds = (body: Node[]) => kids(child(body, 'InternalInfo')!).map((c) => textOf(child(kids(c), 'xr:ClassId')));
    expect(classIds(cfg.body)).toEqual(classIds(baseCfg.body));
    const ours = names(props(cfg.body));
    const extOnly = ['ConfigurationExtensionPurpose', 'ObjectBelonging', 'KeepMappingToExtendedConfigurationObjectsByIDs'];
    const real = names(props(baseCfg.body));
    expect(ours.filter((k) => !extOnly.includes(k) && !real.includes(k))).toEqual([]);
    const common = ours.filter((k) => real.includes(k));
    expect(common).toEqual(real.filter((k) => common.includes(k)));
  });

  it('own registers: properties, standard attributes, dimensions, resources and attributes as real registers of this format', () => {
    const realIr = realObjectProps(dumpDir, 'InformationRegisters');
    const realSa = standardAttributes(root(readFileSync(join(dumpDir, 'InformationRegisters/ЦеныНоменклатуры.xml'), 'utf8')).body);
    for (const o of build.own) {
      const r = root(build.files.get(`InformationRegisters/${o.fullName.split('.')[1]}.xml`)!);
      expect(names(props(r.body)), o.fullName).toEqual(realIr);
      expect(standardAttributes(r.body).map(([n]) => n), o.fullName).toEqual(realSa.map(([n]) => n));
      for (const [, xr] of standardAttributes(r.body)) expect(xr).toBe(realSa[0][1]);
      for (const tag of ['Dimension', 'Resource', 'Attribute'])
        for (const item of childItems(r.body, tag)) expect(names(props(kids(item))), `${o.fullName} ${tag}`).toEqual(realChildProps(dumpDir, 'InformationRegisters', tag));
      expect(names(kids(child(r.body, 'InternalInfo')!)).length).toBe(7);
    }
  });

  it('attributes added to adopted catalogs and documents carry the properties of real attributes of this format', () => {
    let checked = 0;
    for (const [folder, kind] of [['Catalogs', 'Catalog'], ['Documents', 'Document']]) {
      const real = realChildProps(dumpDir, folder, 'Attribute');
      for (const [rel, xml] of build.files) {
        if (!rel.startsWith(`${folder}/`)) continue;
        for (const a of childItems(root(xml).body, 'Attribute')) {
          expect(names(props(kids(a))), `${rel} ${kind}`).toEqual(real);
          checked++;
        }
      }
    }
    expect(checked).toBe(11);
  });

  it('every ReGate_ field the profile reads is defined by the build', async () => {
    const { getProfile, requirements } = await import('../../src/onec/profiles/index.js');
    const { parseConfig } = await import('../../src/config/index.js');
    const config = parseConfig({ onec: { profile: build.target.profile, extension: true } });
    const dir = mkdtempSync(join(tmpdir(), 'regate-ext-'));
    writeExtension(build, dir);
    const ext = readDump(dir);
    const fieldsOf = (full: string) => {
      const o = ext.objects.get(full);
      return o ? [...o.attributes, ...(o.dimensions ?? []), ...(o.resources ?? [])].map((a) => a.name) : [];
    };
    let checked = 0;
    for (const r of requirements(getProfile(build.target.profile, config), config)) {
      const full = r.set.replace('_', '.');
      for (const f of r.fields) {
        const field = f.name.replace(/_Key$/, '');
        if (!r.set.includes('ReGate_') && !field.startsWith('ReGate_')) continue;
        if (['Period', 'Ref', 'Recorder', 'LineNumber', 'Active'].includes(field)) continue;
        expect(fieldsOf(full), `${r.set}.${f.name}`).toContain(field);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('the emulator given this dump and this build publishes every ReGate_ field the profile uses, and the platform register', async () => {
    const { loadConfiguration } = await import('../../src/emulator/configurations.js');
    const { getProfile, requirements } = await import('../../src/onec/profiles/index.js');
    const { parseConfig } = await import('../../src/config/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'regate-ext-'));
    writeExtension(build, dir);
    const loaded = loadConfiguration({ dump: dumpDir, extension: dir });
    expect(loaded.extensionProblems).toEqual([]);
    const published = new Map(loaded.config.sets.map((s) => [s.name, [...(s.fields ?? []), ...(s.register?.dimensions ?? []), ...(s.register?.resources ?? []), ...(s.register?.attributes ?? [])].map((f) => f.name)]));
    const config = parseConfig({ onec: { profile: build.target.profile, extension: true } });
    for (const r of requirements(getProfile(build.target.profile, config), config))
      for (const f of r.fields)
        if (r.set.includes('ReGate_') || f.name.startsWith('ReGate_'))
          if (!['Period'].includes(f.name)) expect(published.get(r.set) ?? [], `${r.set}.${f.name}`).toContain(f.name);
    expect(published.get('InformationRegister_ReGate_СведенияОПлатформе')).toEqual(expect.arrayContaining(['Параметр', 'Значение', 'Обновлено']));
  });

  it('a wrong uuid fails naming the object', () => {
    const files = new Map(build.files);
    const rel = 'Catalogs/Номенклатура.xml';
    const good = base.objects.get('Catalog.Номенклатура')!.uuid;
    files.set(rel, files.get(rel)!.replace(good, '00000000-0000-4000-8000-000000000000'));
    expect(checkAdopted(files, base)).toEqual([`Catalog.Номенклатура: ExtendedConfigurationObject 00000000-0000-4000-8000-000000000000, in ${base.name} ${base.version} it is ${good}`]);
  });

  it('an object the base does not have fails naming it, and a build for that base leaves it out', () => {
    const without = dumpWithout(dumpDir, ['Catalogs/Марки.xml']);
    const lacking = readDump(without);
    expect(checkAdopted(build.files, lacking)).toEqual([`Catalog.Марки: adopted, but ${base.name} ${base.version} has no such object`]);
    const rebuilt = buildExtension(targetFromDump(without));
    expect(rebuilt.files.has('Catalogs/Марки.xml')).toBe(false);
    expect(rebuilt.absent.map((o) => o.fullName)).toContain('Catalog.Марки');
    expect(rebuilt.files.get('Configuration.xml')).not.toContain('<Catalog>Марки</Catalog>');
    expect(rebuilt.files.get('Roles/ReGate_ПользовательOData/Ext/Rights.xml')).not.toContain('Catalog.Марки');
    expect(checkAdopted(rebuilt.files, lacking)).toEqual([]);
  });
});

describe.skipIf(!haveShared)('the 11.4 build against the real extension dump of its era (format 2.4)', () => {
  it('root properties: exactly the set and order of the real platform-made extension', () => {
    const real = root(readFileSync(join(realExtension, 'Configuration.xml'), 'utf8'));
    const ours = root(buildExtension(namedTarget('11.4')).files.get('Configuration.xml')!);
    expect(names(props(ours.body))).toEqual(names(props(real.body)));
    const lang = (x: string) => names(props(root(x).body)).sort();
    expect(lang(buildExtension(namedTarget('11.4')).files.get('Languages/Русский.xml')!)).toEqual(
      expect.arrayContaining(lang(readFileSync(join(realExtension, 'Languages/Русский.xml'), 'utf8')).filter((k) => k !== 'Synonym')),
    );
  });

  it('writes a kit-ready tree (no stray files)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regate-ext-'));
    const paths = writeExtension(buildExtension(namedTarget('11.4')), dir);
    expect(paths.length).toBeGreaterThan(25);
    writeFileSync(join(dir, 'stray.txt'), 'x');
    expect(diffAgainst(buildExtension(namedTarget('11.4')), dir)).toEqual(['stray.txt: not produced by the build']);
  });
});
