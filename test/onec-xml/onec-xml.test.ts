import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Checks of the 1C sources in onec/ that need no 1C platform: well-formed XML, unique UUIDs, every name
 * docs/architecture.md promises, internal references (form handlers, role objects, composition list), and the
 * element layout of real platform dumps in ../shared/reference/publication (skipped when that folder is absent).
 */
const repo = resolve(__dirname, '../..');
const onec = join(repo, 'onec');
const ext = join(onec, 'extension');
const epfName = 'ReGate_НастройкаOData';
const epf = join(onec, 'epf');
const shared = resolve(repo, '../shared');
const realExt = join(shared, 'reference/publication/extension-real/tests/fixtures/cfe');
const realEpf = join(shared, 'reference/publication/epf/vanessa-runner-fixture-epf/tests/fixtures/fixture-epf/fixture');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const text = (p: string) => readFileSync(p, 'utf8').replace(/^\uFEFF/, '');
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', preserveOrder: false, parseTagValue: false });
const parse = (p: string) => parser.parse(text(p));
/** The MetaDataObject's single object element (Configuration, Catalog, Form …) and its kind. */
function mdObject(p: string): { kind: string; node: any } {
  const root = parse(p).MetaDataObject;
  const kind = Object.keys(root).find((k) => !k.startsWith('@'))!;
  return { kind, node: root[kind] };
}
const keys = (node: any) => (node && typeof node === 'object' ? Object.keys(node).filter((k) => !k.startsWith('@')) : []);
const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
/** Names of the object's child items of one kind (Attribute, Dimension, Resource …). */
const childNames = (node: any, tag: string): string[] => asArray(node.ChildObjects?.[tag]).map((c: any) => c.Properties.Name);
const child = (node: any, tag: string, name: string) => asArray(node.ChildObjects?.[tag]).find((c: any) => c.Properties.Name === name);

const xmlFiles = walk(onec).filter((p) => p.endsWith('.xml'));

describe('onec/ XML sources', () => {
  it('has the extension and the data processor', () => {
    expect(xmlFiles.length).toBeGreaterThan(20);
    expect(existsSync(join(ext, 'Configuration.xml'))).toBe(true);
    expect(existsSync(join(epf, `${epfName}.xml`))).toBe(true);
  });

  it.each(xmlFiles.map((p) => [relative(onec, p), p]))('%s is well-formed', (_rel, p) => {
    const result = XMLValidator.validate(text(p));
    expect(result).toBe(true);
  });

  it('starts every file with a UTF-8 BOM and uses CRLF, as the platform writes its dumps', () => {
    for (const p of [...xmlFiles, ...walk(onec).filter((f) => f.endsWith('.bsl'))]) {
      const raw = readFileSync(p);
      expect(raw.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), relative(onec, p)).toBe(true);
      expect(/[^\r]\n/.test(raw.toString('utf8')), `${relative(onec, p)} has a bare LF`).toBe(false);
    }
  });

  it('uses every UUID once across the sources (ClassIds are platform constants and excluded)', () => {
    const seen = new Map<string, string>();
    const dupes: string[] = [];
    const re = /(?:uuid="|<xr:TypeId>|<xr:ValueId>|<xr:ObjectId>|<ExtendedConfigurationObject>)([0-9a-f-]{36})/g;
    let count = 0;
    for (const p of xmlFiles) {
      for (const m of text(p).matchAll(re)) {
        count++;
        expect(m[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        if (seen.has(m[1])) dupes.push(`${m[1]} in ${relative(onec, p)} and ${seen.get(m[1])}`);
        seen.set(m[1], relative(onec, p));
      }
    }
    expect(count).toBeGreaterThan(200);
    expect(dupes).toEqual([]);
  });
});

describe('BSL modules', () => {
  const bslFiles = walk(onec).filter((p) => p.endsWith('.bsl'));
  /** Block keywords must pair up: a cheap guard against a broken module, since no 1C compiler runs here. */
  const pairs: [RegExp, RegExp][] = [
    [/^(Асинх\s+)?Процедура\s/, /^КонецПроцедуры$/],
    [/^(Асинх\s+)?Функция\s/, /^КонецФункции$/],
    [/^Если\s.*\sТогда$/, /^КонецЕсли;/],
    [/^(Для|Пока)\s.*\sЦикл$/, /^КонецЦикла;/],
    [/^Попытка$/, /^КонецПопытки;/],
    [/^#Область\s/, /^#КонецОбласти$/],
    [/^#Если\s/, /^#КонецЕсли$/],
  ];
  it('found the modules', () => expect(bslFiles.length).toBe(4));
  it.each(bslFiles.map((p) => [relative(onec, p), p]))('%s has balanced blocks', (_rel, p) => {
    const lines = text(p)
      .split(/\r?\n/)
      .map((l) => l.replace(/\/\/.*$/, '').replace(/"[^"]*"/g, '""').trim())
      .filter(Boolean);
    for (const [open, close] of pairs) {
      let depth = 0;
      for (const l of lines) {
        if (open.test(l)) depth++;
        if (close.test(l)) depth--;
        expect(depth, `${open} closed before opened`).toBeGreaterThanOrEqual(0);
      }
      expect(depth, `${open} left open`).toBe(0);
    }
    // Every Возврат sits inside a Функция (a Процедура cannot return a value).
    let inFunction = false;
    for (const l of lines) {
      if (/^Функция\s/.test(l)) inFunction = true;
      if (/^КонецФункции/.test(l)) inFunction = false;
      if (/^Возврат\s+\S/.test(l)) expect(inFunction, l).toBe(true);
    }
  });
});

describe('the ReGate extension', () => {
  const cfg = mdObject(join(ext, 'Configuration.xml')).node;
  const props = cfg.Properties;
  const children: [string, string][] = keys(cfg.ChildObjects).flatMap((k) => asArray(cfg.ChildObjects[k]).map((n: any) => [k, String(n)] as [string, string]));
  const folder: Record<string, string> = {
    Language: 'Languages', Role: 'Roles', CommonModule: 'CommonModules', Catalog: 'Catalogs', Document: 'Documents',
    InformationRegister: 'InformationRegisters', AccumulationRegister: 'AccumulationRegisters',
  };
  const objectFile = (kind: string, name: string) => join(ext, folder[kind], `${name}.xml`);

  it('declares itself an extension named ReGate with prefix ReGate_', () => {
    expect(props.Name).toBe('ReGate');
    expect(props.ObjectBelonging).toBe('Adopted');
    expect(props.ConfigurationExtensionPurpose).toBe('Customization');
    expect(props.NamePrefix).toBe('ReGate_');
    // Vendor uuids are in place (test/onec-xml/structure.test.ts), but mapping stays by name: a customised base
    // that re-created an object under the same name still matches.
    expect(props.KeepMappingToExtendedConfigurationObjectsByIDs).toBe('false');
    expect(props.ConfigurationExtensionCompatibilityMode).toMatch(/^Version8_3_\d+$/);
    // onec/extension is the build for УТ 11.5.20: its CompatibilityMode, repeated as a controlled property.
    expect(props.CompatibilityMode).toBe('Version8_3_24');
  });

  it('has a file for every child object and lists every file as a child object', () => {
    for (const [kind, name] of children) {
      expect(folder[kind], `unknown kind ${kind}`).toBeDefined();
      const { kind: fileKind, node } = mdObject(objectFile(kind, name));
      expect(fileKind).toBe(kind);
      expect(node.Properties.Name).toBe(name);
    }
    const listed = new Set(children.map(([k, n]) => relative(ext, objectFile(k, n))));
    const onDisk = walk(ext).filter((p) => p.endsWith('.xml') && relative(ext, p).split('/').length === 2);
    expect(onDisk.map((p) => relative(ext, p)).filter((p) => !listed.has(p))).toEqual([]);
  });

  it('marks base objects as adopted with an ExtendedConfigurationObject and own objects with the prefix', () => {
    for (const [kind, name] of children) {
      const { node } = mdObject(objectFile(kind, name));
      if (name.startsWith('ReGate_')) {
        expect(node.Properties.ObjectBelonging, name).toBeUndefined();
        expect(node.Properties.ExtendedConfigurationObject, name).toBeUndefined();
      } else {
        expect(node.Properties.ObjectBelonging, name).toBe('Adopted');
        expect(node.Properties.ExtendedConfigurationObject, name).toMatch(/^[0-9a-f-]{36}$/);
      }
      // Attributes added to adopted objects are the extension's own: prefixed, full property set.
      for (const a of asArray(node.ChildObjects?.Attribute)) {
        if (!name.startsWith('ReGate_')) expect((a as any).Properties.Name).toMatch(/^ReGate_/);
      }
    }
  });

  /**
   * Every name in docs/architecture.md's extension section, with its type: `Catalog_X.ReGate_Y` and the bare
   * `ReGate_…` names after it belong to X; payment documents are named bare; registers list dimension →
   * resources → attribute with the OData `_Key` suffix on references.
   */
  describe('matches docs/architecture.md', () => {
    const arch = readFileSync(join(repo, 'docs/architecture.md'), 'utf8');
    const section = arch.slice(arch.indexOf('## The ReGate extension in 1C'));
    const bullets = section.split('\n- ').slice(1);
    type Expect = { kind: string; object: string; tag: string; name: string; type?: string };
    const expected: Expect[] = [];
    const typeOf = (chunk: string) => {
      const m = chunk.match(/\((String|Number|Boolean|DateTime)\s*([\d.]*)[^)]*\)/);
      return m ? `${m[1]} ${m[2]}`.trim() : undefined;
    };
    for (const bullet of bullets) {
      const reg = bullet.match(/`InformationRegister_(ReGate_[^`]+)`/);
      if (reg) {
        // Split on the words that start each group; the type in parentheses follows the names it applies to.
        let tag = 'Dimension';
        for (const chunk of bullet.slice(bullet.indexOf(reg[0]) + reg[0].length).split(/(?<=\))/)) {
          let pending: Expect[] = [];
          for (const part of chunk.split(/(dimension|resources?|attribute)/)) {
            if (/^dimension$/.test(part)) tag = 'Dimension';
            else if (/^resources?$/.test(part)) tag = 'Resource';
            else if (part === 'attribute') tag = 'Attribute';
            else
              for (const t of part.matchAll(/`([^`]+)`/g)) {
                if (/^(Document|Catalog)_/.test(t[1])) continue;
                const e = { kind: 'InformationRegister', object: reg[1], tag, name: t[1].replace(/_Key$/, '') };
                expected.push(e);
                pending.push(e);
              }
          }
          const type = typeOf(chunk);
          // `X_Key` is how OData names a reference: the target is the `→ Document_Y` after it, else any reference.
          const target = bullet.match(/_Key` → (Document|Catalog)_(\S+?)[;,.]/);
          for (const e of pending)
            e.type = /_Key$/.test(`${e.name}_Key`) && chunk.includes(`\`${e.name}_Key\``)
              ? target ? `Ref ${target[1]}Ref.${target[2]}` : 'Ref'
              : type;
          pending = [];
        }
        continue;
      }
      let current: { kind: string; object: string } | undefined;
      const payments = /^Documents of payments/.test(bullet);
      for (const chunk of bullet.split(/(?<=\))/)) {
        const pending: Expect[] = [];
        for (const t of chunk.matchAll(/`([^`]+)`/g)) {
          const full = t[1].match(/^(Catalog|Document)_([^.]+)(?:\.(ReGate_\S+))?$/);
          if (full) {
            current = { kind: full[1], object: full[2] };
            if (full[3]) pending.push({ ...current, tag: 'Attribute', name: full[3] });
          } else if (/^ReGate_/.test(t[1]) && current) pending.push({ ...current, tag: 'Attribute', name: t[1] });
          else if (payments && /^[А-Яа-яЁё]+$/.test(t[1])) current = { kind: 'Document', object: t[1] };
        }
        if (payments && current) {
          for (const t of bullet.matchAll(/`([А-Яа-яЁё]+)`/g))
            expected.push({ kind: 'Document', object: t[1], tag: 'Attribute', name: 'ReGate_ВнешнийИдентификатор', type: 'String 64' });
          break;
        }
        const type = typeOf(chunk);
        for (const e of pending) expected.push({ ...e, type });
      }
    }

    it('found the names to check', () => {
      expect(expected.length).toBeGreaterThanOrEqual(24);
      expect(expected.filter((e) => e.kind === 'InformationRegister').length).toBe(13);
    });

    it.each(expected.map((e) => [`${e.kind}.${e.object}.${e.name}`, e]))('%s exists with its type', (_label, e) => {
      const file = objectFile(e.kind, e.object);
      expect(existsSync(file), relative(repo, file)).toBe(true);
      expect(children).toContainEqual([e.kind, e.object]);
      const item = child(mdObject(file).node, e.tag, e.name);
      expect(item, `${e.tag} ${e.name} in ${e.object}`).toBeDefined();
      const type = item.Properties.Type;
      if (!e.type) return;
      const [kind, size] = e.type.split(' ');
      if (kind === 'String') {
        expect(type['v8:Type']).toBe('xs:string');
        if (size) expect(String(type['v8:StringQualifiers']['v8:Length'])).toBe(size);
      } else if (kind === 'Number') {
        expect(type['v8:Type']).toBe('xs:decimal');
        const [digits, fraction = '0'] = size.split('.');
        expect(String(type['v8:NumberQualifiers']['v8:Digits'])).toBe(digits);
        expect(String(type['v8:NumberQualifiers']['v8:FractionDigits'])).toBe(fraction);
      } else if (kind === 'Boolean') expect(type['v8:Type']).toBe('xs:boolean');
      else if (kind === 'DateTime') {
        expect(type['v8:Type']).toBe('xs:dateTime');
        expect(type['v8:DateQualifiers']['v8:DateFractions']).toBe('DateTime');
      } else if (kind === 'Ref') {
        if (size) expect(type['v8:Type']).toBe(`cfg:${size}`);
        else expect(type['v8:Type']).toMatch(/^cfg:(Document|Catalog)Ref\./);
      }
    });

    it('makes СтатусыЗаказов periodic by second and both registers independent', () => {
      const statuses = mdObject(objectFile('InformationRegister', 'ReGate_СтатусыЗаказов')).node.Properties;
      const cards = mdObject(objectFile('InformationRegister', 'ReGate_ОплатыКартами')).node.Properties;
      expect(section).toMatch(/independent, periodic by second/);
      expect(statuses.InformationRegisterPeriodicity).toBe('Second');
      expect(statuses.WriteMode).toBe('Independent');
      expect(cards.WriteMode).toBe('Independent');
    });

    it('indexes the external ids ReGate looks documents up by', () => {
      for (const e of expected.filter((x) => x.name === 'ReGate_ВнешнийИдентификатор')) {
        const item = child(mdObject(objectFile(e.kind, e.object)).node, 'Attribute', e.name);
        expect(item.Properties.Indexing, e.object).toBe('Index');
      }
    });
  });

  describe('the OData role', () => {
    const role = parser.parse(text(join(ext, 'Roles/ReGate_ПользовательOData/Ext/Rights.xml'))).Rights;
    const objects = new Map<string, string[]>(
      asArray(role.object).map((o: any) => [o.name, asArray(o.right).filter((r: any) => r.value === 'true').map((r: any) => r.name)]),
    );

    it('names only objects that are in the extension (a role of an extension can name nothing else)', () => {
      const inExt = new Set(children.map(([k, n]) => `${k}.${n}`));
      for (const name of objects.keys()) expect(inExt.has(name), name).toBe(true);
    });

    it('grants no interactive rights and nothing beyond read/insert/update/posting', () => {
      for (const [name, rights] of objects) {
        for (const r of rights) expect(['Read', 'Insert', 'Update', 'Posting'], `${name}: ${r}`).toContain(r);
      }
      expect(role.setForNewObjects).toBe('false');
    });

    it('reads every adopted object, writes the documents and clients ReGate creates, and its registers', () => {
      for (const [kind, name] of children.filter(([k]) => !['Language', 'Role', 'CommonModule'].includes(k)))
        expect(objects.get(`${kind}.${name}`), `${kind}.${name}`).toContain('Read');
      for (const d of ['ЗаказКлиента', 'ПоступлениеБезналичныхДенежныхСредств', 'ОперацияПоПлатежнойКарте', 'СписаниеБезналичныхДенежныхСредств'])
        expect(objects.get(`Document.${d}`)).toEqual(['Read', 'Insert', 'Update', 'Posting']);
      for (const c of ['Партнеры', 'Контрагенты']) expect(objects.get(`Catalog.${c}`)).toEqual(['Read', 'Insert', 'Update']);
      for (const r of ['ReGate_СтатусыЗаказов', 'ReGate_ОплатыКартами'])
        expect(objects.get(`InformationRegister.${r}`)).toEqual(['Read', 'Update']);
      expect(objects.get('Catalog.Номенклатура')).toEqual(['Read']);
    });
  });

  it('lets ReGate write exactly what the profiles write, and read only what the composition lists', async () => {
    const rights = parser.parse(text(join(ext, 'Roles/ReGate_ПользовательOData/Ext/Rights.xml'))).Rights;
    const objects = asArray(rights.object).map((o: any) => ({
      set: (o.name as string).replace('.', '_'),
      rights: asArray(o.right).filter((r: any) => r.value === 'true').map((r: any) => r.name as string),
    }));
    const composition = new Set(readFileSync(join(onec, 'odata-composition.txt'), 'utf8').split('\n').map((l) => l.trim().replace(/^\?/, '')));
    for (const o of objects) expect(composition.has(o.set), o.set).toBe(true);
    // The role is generated from the profile for each base (src/install/extension/plan.ts): the canonical build's
    // written objects are exactly what the 11.5 profile writes.
    if (!existsSync(join(repo, 'src/onec/profiles/index.ts'))) return console.warn('skip: src/onec/profiles not written yet');
    const { getProfile, requirements, EXTENSION_PROFILES } = await import('../../src/onec/profiles/index.js');
    const { parseConfig } = await import('../../src/config/index.js');
    const written = new Set<string>();
    // The extension serves the УТ-shaped profiles; УНФ, БП and Розница run without it.
    for (const id of EXTENSION_PROFILES) {
      const config = parseConfig({ onec: { profile: id } });
      for (const r of requirements(getProfile(id, config), config)) if (r.written) written.add(r.set);
    }
    // Plus the register the extension's session module writes in the ReGate user's session.
    const { SESSION_WRITTEN } = await import('../../src/install/extension/plan.js');
    for (const full of SESSION_WRITTEN) written.add(full.replace('.', '_'));
    expect(objects.filter((o) => o.rights.some((r) => r !== 'Read')).map((o) => o.set).sort()).toEqual([...written].sort());
  });

  it('has a privileged server module that reads, merges and sets the OData composition', () => {
    const mod = mdObject(objectFile('CommonModule', 'ReGate_СоставOData')).node.Properties;
    expect(mod.Server).toBe('true');
    expect(mod.Privileged).toBe('true');
    expect(mod.ClientManagedApplication).toBe('false');
    const bsl = text(join(ext, 'CommonModules/ReGate_СоставOData/Ext/Module.bsl'));
    expect(bsl).toMatch(/Функция ДобавитьВСостав\(Объекты, Установить = Истина\) Экспорт/);
    const read = bsl.indexOf('ПолучитьСоставСтандартногоИнтерфейсаOData()');
    const set = bsl.indexOf('УстановитьСоставСтандартногоИнтерфейсаOData(Состав)');
    expect(read).toBeGreaterThan(0);
    expect(set).toBeGreaterThan(read);
  });
});

describe('the data processor ReGate_НастройкаOData', () => {
  const root = mdObject(join(epf, `${epfName}.xml`)).node;
  const dir = join(epf, epfName);
  const objectModule = text(join(dir, 'Ext/ObjectModule.bsl'));
  const formModule = text(join(dir, 'Forms/Форма/Ext/Form/Module.bsl'));
  const form = parse(join(dir, 'Forms/Форма/Ext/Form.xml')).Form;

  it('embeds exactly the list of onec/odata-composition.txt', () => {
    const file = readFileSync(join(onec, 'odata-composition.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const embedded = [...objectModule.matchAll(/Строки\.Добавить\("([^"]+)"\);/g)].map((m) => m[1]);
    expect(embedded).toEqual(file);
    expect(new Set(file).size).toBe(file.length);
    for (const name of file) expect(name).toMatch(/^\??(Catalog|Document|InformationRegister|AccumulationRegister|AccountingRegister|ChartOfAccounts|Constant|ChartOfCharacteristicTypes)_\S+$/);
    // Every kind in the list is one the processor can turn into a metadata object (else it would say «нет в конфигурации»).
    const kinds = new Set([...objectModule.matchAll(/Виды\.Вставить\("(\w+)"/g)].map((m) => m[1]));
    for (const name of file) expect(kinds, name).toContain(name.replace(/^\?/, '').split('_')[0]);
  });

  it("equals the profiles' needs: every set a profile requires, `?` on those not every profile needs", async () => {
    const path = join(repo, 'src/onec/profiles/index.ts');
    if (!existsSync(path)) return console.warn('skip: src/onec/profiles not written yet');
    const { getProfile, requirements, PROFILE_IDS } = await import('../../src/onec/profiles/index.js');
    const { parseConfig } = await import('../../src/config/index.js');
    const setsOf = (id: (typeof PROFILE_IDS)[number], extension: boolean) => {
      const config = parseConfig({ onec: { profile: id, extension } });
      return new Set(requirements(getProfile(id, config), config).map((r) => r.set));
    };
    const variants = PROFILE_IDS.flatMap((id) => [setsOf(id, true), setsOf(id, false)]);
    // Plus what only the extension's role reads beyond the profile (file storage of 11.5.18+, the platform register).
    const { EXTRA_READ, OWN_REGISTERS } = await import('../../src/install/extension/plan.js');
    const extra = [...EXTRA_READ.map((f) => f.replace('.', '_')), ...OWN_REGISTERS.map((r) => `InformationRegister_${r}`)];
    const union = new Set([...variants.flatMap((v) => [...v]), ...extra]);
    const always = new Set([...union].filter((n) => PROFILE_IDS.every((id) => setsOf(id, false).has(n))));
    const file = readFileSync(join(onec, 'odata-composition.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const listed = new Map(file.map((l) => [l.replace(/^\?/, ''), l.startsWith('?')]));
    expect([...listed.keys()].sort()).toEqual([...union].sort());
    for (const [name, optional] of listed) expect(optional, `${name}: "?" iff not every profile needs it`).toBe(!always.has(name));
  });

  it('reads the current composition, merges, sets it and reports what was missing', () => {
    const read = objectModule.indexOf('ПолучитьСоставСтандартногоИнтерфейсаOData()');
    const set = objectModule.indexOf('УстановитьСоставСтандартногоИнтерфейсаOData(Состав)');
    expect(read).toBeGreaterThan(0);
    expect(set).toBeGreaterThan(read);
    expect(objectModule).toMatch(/Модуль\.ДобавитьВСостав\(Объекты, Установить\)/);
    expect(objectModule).toMatch(/Не хватает/);
    expect(objectModule).toMatch(/Метаданные\.НайтиПоПолномуИмени/);
  });

  it('wires the form: handlers exist in the module, data paths name form attributes, default form exists', () => {
    expect(root.Properties.DefaultForm).toBe(`ExternalDataProcessor.${epfName}.Form.Форма`);
    expect(asArray(root.ChildObjects.Form)).toContain('Форма');
    const procs = new Set([...formModule.matchAll(/^(?:Процедура|Функция) (\S+?)\(/gm)].map((m) => m[1]));
    for (const e of asArray(form.Events.Event)) expect(procs.has((e as any)['#text']), (e as any)['#text']).toBe(true);
    for (const c of asArray(form.Commands.Command)) expect(procs.has((c as any).Action), (c as any).Action).toBe(true);
    const attrs = new Set(asArray(form.Attributes.Attribute).map((a: any) => a['@name']));
    for (const f of asArray(form.ChildItems.InputField)) expect(attrs.has((f as any).DataPath), (f as any).DataPath).toBe(true);
    const main = asArray(form.Attributes.Attribute).find((a: any) => a.MainAttribute === 'true') as any;
    expect(main.Type['v8:Type']).toBe(`cfg:ExternalDataProcessorObject.${epfName}`);
    const commands = new Set(asArray(form.Commands.Command).map((c: any) => `Form.Command.${c['@name']}`));
    for (const b of asArray(form.AutoCommandBar.ChildItems.Button)) expect(commands.has((b as any).CommandName)).toBe(true);
    // Every element id is unique within the form (the platform refuses duplicates).
    const ids = [...text(join(dir, 'Forms/Форма/Ext/Form.xml')).matchAll(/<(InputField|Button|ContextMenu|ExtendedTooltip) name="[^"]+" id="(\d+)"/g)].map((m) => m[2]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

/** Layout against real platform dumps: same wrapper elements, and every property the platform wrote. */
describe.skipIf(!existsSync(realExt) || !existsSync(realEpf))('layout matches the real dumps in ../shared', () => {
  // The real extension is format 2.4 (8.3.10); ours is 2.17 (8.3.17+), where the platform stopped writing
  // CompatibilityMode for extensions (ConfigurationExtensionCompatibilityMode replaces it).
  const droppedIn217 = new Set(['CompatibilityMode']);
  const nsOf = (p: string) => Object.keys(parse(p).MetaDataObject).filter((k) => k.startsWith('@xmlns'));

  it('Configuration.xml: same namespaces, same sections, every real property present', () => {
    const real = mdObject(join(realExt, 'Configuration.xml'));
    const ours = mdObject(join(ext, 'Configuration.xml'));
    expect(ours.kind).toBe(real.kind);
    expect(nsOf(join(ext, 'Configuration.xml')).sort()).toEqual(nsOf(join(realExt, 'Configuration.xml')).sort());
    expect(keys(ours.node)).toEqual(keys(real.node));
    const missing = keys(real.node.Properties).filter((k) => !droppedIn217.has(k) && !keys(ours.node.Properties).includes(k));
    expect(missing).toEqual([]);
    const realClassIds = asArray(real.node.InternalInfo['xr:ContainedObject']).map((c: any) => c['xr:ClassId']);
    const ourClassIds = asArray(ours.node.InternalInfo['xr:ContainedObject']).map((c: any) => c['xr:ClassId']);
    expect(ourClassIds.slice(0, realClassIds.length)).toEqual(realClassIds);
  });

  it('own attributes, dimensions and resources carry every property of a real dumped attribute, in its order', () => {
    const realRoot = walk(realEpf).find((p) => p.endsWith('.xml') && relative(realEpf, p).split('/').length === 1)!;
    const realAttr = asArray(mdObject(realRoot).node.ChildObjects.Attribute)[0] as any;
    const realKeys = keys(realAttr.Properties);
    expect(realKeys.length).toBeGreaterThan(15);
    let checked = 0;
    for (const file of walk(ext).filter((p) => /\/(Catalogs|Documents|InformationRegisters)\//.test(p))) {
      const { node } = mdObject(file);
      for (const tag of ['Attribute', 'Dimension', 'Resource'])
        for (const item of asArray(node.ChildObjects?.[tag]) as any[]) {
          if (item.Properties.ObjectBelonging) continue;
          const ours = keys(item.Properties);
          const common = ours.filter((k) => realKeys.includes(k));
          expect(common, `${relative(ext, file)} ${tag} ${item.Properties.Name}`).toEqual(realKeys);
          checked++;
        }
    }
    expect(checked).toBe(27);
  });

  it('Languages/Русский.xml: an adopted language with every real property', () => {
    const real = mdObject(join(realExt, 'Languages/Русский.xml'));
    const ours = mdObject(join(ext, 'Languages/Русский.xml'));
    expect(ours.kind).toBe('Language');
    for (const k of keys(real.node.Properties)) expect(keys(ours.node.Properties)).toContain(k);
    expect(ours.node.Properties.ObjectBelonging).toBe(real.node.Properties.ObjectBelonging);
  });

  it('the data processor: same file layout, sections, properties and form structure as the real EPF dump', () => {
    const realRoot = walk(realEpf).find((p) => p.endsWith('.xml') && relative(realEpf, p).split('/').length === 1)!;
    const realName = relative(realEpf, realRoot).replace(/\.xml$/, '');
    const real = mdObject(realRoot);
    const ours = mdObject(join(epf, `${epfName}.xml`));
    expect(ours.kind).toBe(real.kind);
    expect(keys(ours.node)).toEqual(keys(real.node));
    expect(keys(ours.node.Properties)).toEqual(keys(real.node.Properties));
    expect(keys(ours.node.InternalInfo)).toEqual(keys(real.node.InternalInfo));
    expect(ours.node.InternalInfo['xr:ContainedObject']['xr:ClassId']).toBe(real.node.InternalInfo['xr:ContainedObject']['xr:ClassId']);
    expect(existsSync(join(realEpf, realName, 'Ext/ObjectModule.bsl'))).toBe(true);
    expect(existsSync(join(epf, epfName, 'Ext/ObjectModule.bsl'))).toBe(true);

    const realFormMeta = mdObject(join(realEpf, realName, 'Forms/Форма.xml'));
    const ourFormMeta = mdObject(join(epf, epfName, 'Forms/Форма.xml'));
    expect(keys(ourFormMeta.node.Properties)).toEqual(keys(realFormMeta.node.Properties));

    const realForm = parse(join(realEpf, realName, 'Forms/Форма/Ext/Form.xml')).Form;
    const ourForm = parse(join(epf, epfName, 'Forms/Форма/Ext/Form.xml')).Form;
    const formNs = (f: any) => Object.keys(f).filter((k) => k.startsWith('@xmlns')).sort();
    expect(formNs(ourForm)).toEqual(formNs(realForm));
    for (const k of keys(realForm)) expect(keys(ourForm)).toContain(k);
    expect(ourForm.AutoCommandBar['@id']).toBe(realForm.AutoCommandBar['@id']);
    const realMain = asArray(realForm.Attributes.Attribute).find((a: any) => a.MainAttribute === 'true') as any;
    expect(realMain['@name']).toBe('Объект');
    expect(asArray(ourForm.Attributes.Attribute).some((a: any) => a['@name'] === 'Объект' && a.MainAttribute === 'true')).toBe(true);
  });
});
