import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { XMLValidator } from 'fast-xml-parser';
import { adoptFromBaseDump, EXTENSION_DIR } from '../../src/install/index.js';

/**
 * `--onec-base-dump`: the extension is built for the base whose configuration dump is given — its ids, modes and
 * format, only the objects it has. The dumps are the real ones in ../shared (skipped without them).
 */
const repo = resolve(__dirname, '../..');
const utDumps = resolve(repo, '../shared/reference/ut-dumps');
const have = existsSync(utDumps);
if (!have) console.warn(`skip: ${utDumps} is absent`);

/** A copy of a dump made of symlinks, without `drop` (relative paths). */
function dumpWithout(src: string, drop: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'regate-base-'));
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

describe.skipIf(!have)('building the extension from the base configuration dump', () => {
  it("writes the base's object ids and reports what the profile uses that the base lacks", () => {
    const dir = dumpWithout(join(utDumps, 'ut-11.4.2-xml'), ['Catalogs/Марки.xml']);
    const out = join(mkdtempSync(join(tmpdir(), 'regate-adopted-')), 'onec-extension');
    const before = readFileSync(join(EXTENSION_DIR, 'Catalogs/Номенклатура.xml'), 'utf8');
    const r = adoptFromBaseDump(dir, out);
    expect(r.missing).toEqual(['Catalog.Марки']);
    expect(existsSync(join(out, 'Catalogs/Марки.xml'))).toBe(false);
    const nomenclature = r.mapped.find((m) => m.object === 'Catalog.Номенклатура')!;
    expect(nomenclature.id).toBe('fc59acc3-f1f7-4e3f-96da-e580f2c5a88f');
    for (const { object, id } of r.mapped) {
      const [kind, name] = object.split('.');
      const folder = { Catalog: 'Catalogs', Document: 'Documents', InformationRegister: 'InformationRegisters', AccumulationRegister: 'AccumulationRegisters' }[kind]!;
      const text = readFileSync(join(out, folder, `${name}.xml`), 'utf8');
      expect(text).toContain(`<ExtendedConfigurationObject>${id}</ExtendedConfigurationObject>`);
      expect(text).toContain('version="2.6"');
      expect(XMLValidator.validate(text.replace(/^\uFEFF/, ''))).toBe(true);
    }
    // Own objects keep their uuids (the identity of ReGate's data); the repository's sources are untouched.
    const own = (p: string) => readFileSync(p, 'utf8').match(/<InformationRegister uuid="([^"]+)"/)![1];
    expect(own(join(out, 'InformationRegisters/ReGate_СтатусыЗаказов.xml'))).toBe(own(join(EXTENSION_DIR, 'InformationRegisters/ReGate_СтатусыЗаказов.xml')));
    expect(readFileSync(join(EXTENSION_DIR, 'Catalogs/Номенклатура.xml'), 'utf8')).toBe(before);
    expect(existsSync(join(out, 'Roles/ReGate_ПользовательOData/Ext/Rights.xml'))).toBe(true);
  });

  it('refuses a folder that is not a configuration dump', () => {
    expect(() => adoptFromBaseDump(mkdtempSync(join(tmpdir(), 'x-')), join(tmpdir(), 'never'))).toThrow(/Configuration\.xml/);
  });

  it('`regate install --onec-base-dump` writes the build for that base into the kit', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'regate-kit-')), 'kit');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(repo, 'bin/regate.mjs'), 'install', '--non-interactive', '--os', 'linux', '--out', out, '--api-password', 'long-password', '--onec-base-dump', join(utDumps, 'ut-11.4.2-xml')],
      { cwd: repo },
    );
    expect(stdout).toMatch(/onec-extension\/ — расширение ReGate для УправлениеТорговлей 11\.4\.2\.139 .*формат 2\.6, режим совместимости расширения Version8_3_12/);
    expect(stdout).not.toContain('ВНИМАНИЕ');
    expect(readFileSync(join(out, 'onec-extension/Configuration.xml'), 'utf8')).toContain('<CompatibilityMode>Version8_3_10</CompatibilityMode>');
    expect(readFileSync(join(out, 'regate.yaml'), 'utf8')).toMatch(/profile: ut11\.4/);
  });
});
