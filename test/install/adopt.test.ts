import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { XMLValidator } from 'fast-xml-parser';
import { adoptFromBaseDump, EXTENSION_DIR } from '../../src/install/index.js';

const repo = resolve(__dirname, '../..');
const FOLDERS: Record<string, string> = {
  Language: 'Languages', Catalog: 'Catalogs', Document: 'Documents', InformationRegister: 'InformationRegisters', AccumulationRegister: 'AccumulationRegisters',
};

/** A fake dump of the base configuration: one file per object the extension adopts, minus `skip`. */
function fakeBaseDump(skip: string[]): { dir: string; ids: Map<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'regate-base-'));
  writeFileSync(join(dir, 'Configuration.xml'), '<MetaDataObject><Configuration uuid="00000000-0000-4000-8000-000000000000"/></MetaDataObject>');
  const cfg = readFileSync(join(EXTENSION_DIR, 'Configuration.xml'), 'utf8');
  const ids = new Map<string, string>();
  for (const [, kind, name] of cfg.matchAll(/<(Language|Catalog|Document|InformationRegister|AccumulationRegister)>([^<]+)</g)) {
    if (name.startsWith('ReGate_') || skip.includes(`${kind}.${name}`)) continue;
    const id = randomUUID();
    ids.set(`${kind}.${name}`, id);
    mkdirSync(join(dir, FOLDERS[kind]), { recursive: true });
    writeFileSync(join(dir, FOLDERS[kind], `${name}.xml`), `\uFEFF<?xml version="1.0"?>\n<MetaDataObject>\n\t<${kind} uuid="${id}">\n\t\t<Properties><Name>${name}</Name></Properties>\n\t</${kind}>\n</MetaDataObject>`);
  }
  return { dir, ids };
}

describe('adopting the extension to a base from its configuration dump', () => {
  it("puts the base's object ids into ExtendedConfigurationObject and reports what the base lacks", () => {
    const { dir, ids } = fakeBaseDump(['Catalog.Марки']);
    const out = join(mkdtempSync(join(tmpdir(), 'regate-adopted-')), 'onec-extension');
    const before = readFileSync(join(EXTENSION_DIR, 'Catalogs/Номенклатура.xml'), 'utf8');
    const r = adoptFromBaseDump(dir, out);
    expect(r.missing).toEqual(['Catalog.Марки']);
    expect(r.mapped.length).toBe(ids.size);
    for (const { object, id } of r.mapped) {
      expect(ids.get(object)).toBe(id);
      const [kind, name] = object.split('.');
      const text = readFileSync(join(out, FOLDERS[kind], `${name}.xml`), 'utf8');
      expect(text).toContain(`<ExtendedConfigurationObject>${id}</ExtendedConfigurationObject>`);
      expect(XMLValidator.validate(text.replace(/^\uFEFF/, ''))).toBe(true);
      expect(text.charCodeAt(0)).toBe(0xfeff);
    }
    // Own objects and the sources in the repository are untouched.
    expect(readFileSync(join(out, 'InformationRegisters/ReGate_СтатусыЗаказов.xml'), 'utf8')).toBe(
      readFileSync(join(EXTENSION_DIR, 'InformationRegisters/ReGate_СтатусыЗаказов.xml'), 'utf8'),
    );
    expect(readFileSync(join(EXTENSION_DIR, 'Catalogs/Номенклатура.xml'), 'utf8')).toBe(before);
    expect(existsSync(join(out, 'Roles/ReGate_ПользовательOData/Ext/Rights.xml'))).toBe(true);
  });

  it('refuses a folder that is not a configuration dump', () => {
    expect(() => adoptFromBaseDump(mkdtempSync(join(tmpdir(), 'x-')), join(tmpdir(), 'never'))).toThrow(/Configuration\.xml/);
  });

  it('`regate install --onec-base-dump` writes onec-extension/ into the kit', async () => {
    const { dir } = fakeBaseDump([]);
    const out = join(mkdtempSync(join(tmpdir(), 'regate-kit-')), 'kit');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(repo, 'bin/regate.mjs'), 'install', '--non-interactive', '--out', out, '--api-password', 'long-password', '--onec-base-dump', dir],
      { cwd: repo },
    );
    expect(stdout).toContain('onec-extension');
    expect(stdout).not.toContain('ВНИМАНИЕ');
    expect(existsSync(join(out, 'onec-extension/Configuration.xml'))).toBe(true);
  });
});
