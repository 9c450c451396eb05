import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { generateKit, onecKit, resolveOptions, writeKit, type KitFile } from '../../src/install/index.js';

/**
 * The 1C side of the kit per base: `--onec-target 11.4` and `11.5.20` give each base the extension it accepts
 * (format, modes, objects); the README names the roles and rights the OData user needs in that base and how to get
 * and renew the certificate; every PowerShell script starts with a UTF-8 BOM.
 */
const repo = resolve(__dirname, '../..');
const utDumps = resolve(repo, '../shared/reference/ut-dumps');
const opts = (os: 'linux' | 'windows', onecTarget: string, extra: Record<string, string> = {}) =>
  resolveOptions({ os, target: os === 'windows' ? 'iis' : 'apache', onecTarget, apiPassword: 'x'.repeat(12), odataPassword: 'y'.repeat(12), serverName: 'shop.example.ru', ...extra });
const get = (files: KitFile[], name: string) => {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`${name} not in the kit`);
  return f.content;
};
const extensionFiles = (files: KitFile[]) => new Set(files.filter((f) => f.name.startsWith('onec-extension/')).map((f) => f.name.slice('onec-extension/'.length)));

const kits: Record<string, KitFile[]> = {};
beforeAll(async () => {
  for (const os of ['linux', 'windows'] as const) for (const t of ['11.4', '11.5.20']) kits[`${os} ${t}`] = await generateKit(opts(os, t));
});

describe('regate install --onec-target: the extension each base accepts', () => {
  it.each([
    ['11.4', '2.6', 'Version8_3_12', 'Version8_3_10', 'ut11.4'],
    ['11.5.20', '2.18', 'Version8_3_25', 'Version8_3_24', 'ut11.5'],
  ])('УТ %s: format %s, extension mode %s, CompatibilityMode %s, profile %s', (t, format, extMode, compat, profile) => {
    for (const os of ['linux', 'windows']) {
      const files = kits[`${os} ${t}`];
      const cfg = get(files, 'onec-extension/Configuration.xml');
      expect(cfg).toContain(`version="${format}"`);
      expect(cfg).toContain(`<ConfigurationExtensionCompatibilityMode>${extMode}</ConfigurationExtensionCompatibilityMode>`);
      expect(cfg).toContain(`<CompatibilityMode>${compat}</CompatibilityMode>`);
      const config = parseConfig(parseYaml(get(files, 'regate.yaml')));
      expect(config.onec.profile).toBe(profile);
      expect(config.onec.extension).toBe(true);
      expect(get(files, 'README.txt')).toContain(`формат выгрузки ${format}`);
      // The data processor is declared in the base's format too (its elements are those of a real 2.4 dump).
      expect(get(files, 'onec-epf/ReGate_НастройкаOData.xml')).toMatch(new RegExp(`<MetaDataObject [^>]*version="${format.replace('.', '\\.')}"`));
      expect(get(files, 'onec-epf/ReGate_НастройкаOData/Forms/Форма/Ext/Form.xml')).toMatch(new RegExp(`<Form [^>]*version="${format.replace('.', '\\.')}"`));
    }
  });

  it('the two kits differ in the objects only one release has, and agree on everything ReGate owns', () => {
    const a = extensionFiles(kits['linux 11.4']);
    const b = extensionFiles(kits['linux 11.5.20']);
    const only = (x: Set<string>, y: Set<string>) => [...x].filter((f) => !y.has(f)).sort();
    // 11.4 reads the client's balance from РасчетыСКлиентами, 11.5 from РасчетыСКлиентамиПоСрокам (the manager's report).
    expect(only(a, b)).toEqual(['AccumulationRegisters/РасчетыСКлиентами.xml', 'AccumulationRegisters/СвободныеОстатки.xml', 'InformationRegisters/ДвоичныеДанныеФайлов.xml', 'InformationRegisters/ЦеныНоменклатуры.xml']);
    expect(only(b, a)).toEqual([
      'AccumulationRegisters/РасчетыСКлиентамиПоСрокам.xml', 'AccumulationRegisters/ТоварыКОтгрузке.xml', 'AccumulationRegisters/ТоварыНаСкладах.xml', 'Catalogs/СтавкиНДС.xml', 'Catalogs/ХранилищеДвоичныхДанных.xml',
      // Items' VAT rates by country: 11.5.20 only (issue 17).
      'InformationRegisters/СтавкиНДСНоменклатуры.xml', 'InformationRegisters/ХранилищеФайлов.xml', 'InformationRegisters/ЦеныНоменклатуры25.xml',
    ]);
    const uuidOf = (files: KitFile[], rel: string) => get(files, `onec-extension/${rel}`).match(/<InformationRegister uuid="([^"]+)"/)![1];
    for (const own of ['ReGate_СтатусыЗаказов', 'ReGate_ОплатыКартами', 'ReGate_СведенияОПлатформе'])
      expect(uuidOf(kits['linux 11.4'], `InformationRegisters/${own}.xml`)).toBe(uuidOf(kits['linux 11.5.20'], `InformationRegisters/${own}.xml`));
    // Linux and Windows kits carry the same 1C sources.
    for (const t of ['11.4', '11.5.20'])
      for (const rel of extensionFiles(kits[`linux ${t}`])) expect(get(kits[`windows ${t}`], `onec-extension/${rel}`)).toBe(get(kits[`linux ${t}`], `onec-extension/${rel}`));
  });

  it('the README names every role and right the 1C user needs, by the names of that release', () => {
    const r114 = get(kits['linux 11.4'], 'README.txt');
    const r115 = get(kits['linux 11.5.20'], 'README.txt');
    for (const r of [r114, r115]) {
      expect(r).toContain('ReGate_ПользовательOData');
      expect(r).toMatch(/«Чтение, Добавление, Изменение, Проведение»: Документ\.ЗаказКлиента, /);
      expect(r).toMatch(/«Чтение, Добавление, Изменение»: Справочник\.Контрагенты, Справочник\.Партнеры/);
      expect(r).toMatch(/«Чтение, Изменение»: РегистрСведений\.ReGate_ОплатыКартами, РегистрСведений\.ReGate_СведенияОПлатформе, РегистрСведений\.ReGate_СтатусыЗаказов/);
      expect(r).toContain('БазовыеПраваУТ');
      expect(r).toContain('ДополнительныеРеквизитыИСведения');
    }
    expect(r114).toMatch(/- БазовыеПрава \(«Базовые права», так роль называется в БСП этой версии УТ\)/);
    expect(r115).toMatch(/- БазовыеПраваБСП \(«Базовые права БСП»\)/);
    expect(r114).toMatch(/«Чтение»: .*РегистрНакопления\.СвободныеОстатки/);
    expect(r115).toMatch(/«Чтение»: .*РегистрСведений\.ЦеныНоменклатуры25/);
    expect(r115).not.toContain('СвободныеОстатки,');
  });

  it('the README shows how to get and renew the certificate: certbot with a reload hook, win-acme for IIS', () => {
    const linux = get(kits['linux 11.5.20'], 'README.txt');
    expect(linux).toContain('sudo certbot certonly --webroot -w /var/www/html -d shop.example.ru --deploy-hook "systemctl reload apache2"');
    expect(linux).toContain('sudo certbot renew --dry-run');
    const windows = get(kits['windows 11.5.20'], 'README.txt');
    expect(windows).toContain('wacs.exe --source iis --siteid ID_САЙТА --host shop.example.ru --installation iis');
    expect(windows).toContain('http:80:shop.example.ru');
  });

  it('every .ps1 of every kit starts with a UTF-8 BOM (PowerShell 5.1 reads BOM-less files in the ANSI code page), on disk too', () => {
    let count = 0;
    for (const files of Object.values(kits)) {
      for (const f of files.filter((x) => x.name.endsWith('.ps1'))) {
        expect(f.content.charCodeAt(0), f.name).toBe(0xfeff);
        expect(/[^\r]\n/.test(f.content), `${f.name}: CRLF`).toBe(false);
        count++;
      }
    }
    expect(count).toBe(4); // tls-hardening.ps1 and build-1c.ps1 in both Windows kits
    const dir = mkdtempSync(join(tmpdir(), 'regate-kit-'));
    writeKit(dir, kits['windows 11.4']);
    for (const n of readdirSync(dir).filter((x) => x.endsWith('.ps1'))) expect([...readFileSync(join(dir, n)).subarray(0, 3)], n).toEqual([0xef, 0xbb, 0xbf]);
    // The build script builds the extension of this kit with the designer of the kit's platform.
    const ps = get(kits['windows 11.4'], 'build-1c.ps1');
    expect(ps).toContain("$v8 = 'C:\\Program Files\\1cv8\\8.3.24.1691\\bin\\1cv8.exe'");
    expect(ps).toContain('/LoadConfigFromFiles `"$here\\onec-extension`" -Extension ReGate');
    expect(ps).toContain('Формат выгрузки 2.6: загрузит платформа 8.3.12 и новее');
    expect(get(kits['linux 11.5.20'], 'build-1c.sh')).toContain('designer /DumpCfg "$HERE/ReGate.cfe" -Extension ReGate');
  });

  it('an unknown release asks for the base dump', () => {
    expect(() => onecKit(opts('linux', '11.5.10'))).toThrow(/--onec-base-dump/);
  });
});

describe.skipIf(!existsSync(utDumps))('a base whose extension mode cannot carry data', () => {
  it('gets a kit without the extension: regate.yaml says so and reads no extension attribute', async () => {
    // The 11.4.2 dump with its extension mode lowered below 8.3.11 (a symlinked copy, Configuration.xml rewritten).
    const src = join(utDumps, 'ut-11.4.2-xml');
    const dir = mkdtempSync(join(tmpdir(), 'regate-base-'));
    for (const n of readdirSync(src)) {
      if (n === 'Configuration.xml') continue;
      if (statSync(join(src, n)).isDirectory()) {
        mkdirSync(join(dir, n));
        for (const f of readdirSync(join(src, n))) symlinkSync(join(src, n, f), join(dir, n, f));
      } else symlinkSync(join(src, n), join(dir, n));
    }
    const cfg = readFileSync(join(src, 'Configuration.xml'), 'utf8').replace(
      '<ConfigurationExtensionCompatibilityMode>Version8_3_12</ConfigurationExtensionCompatibilityMode>',
      '<ConfigurationExtensionCompatibilityMode>Version8_3_10</ConfigurationExtensionCompatibilityMode>',
    );
    writeFileSync(join(dir, 'Configuration.xml'), cfg);
    const o = opts('linux', '11.5.20', { onecBaseDump: dir });
    const kit = onecKit(o);
    expect(kit.build).toBeUndefined();
    expect(kit.problem).toMatch(/Version8_3_10 ниже Version8_3_11/);
    const files = await generateKit(o, kit);
    expect(files.some((f) => f.name.startsWith('onec-extension/'))).toBe(false);
    const config = parseConfig(parseYaml(get(files, 'regate.yaml')));
    expect(config.onec.extension).toBe(false);
    expect(config.onec.profile).toBe('ut11.4');
    expect(config.catalog.minQuantity).toEqual({ kind: 'none' });
    const readme = get(files, 'README.txt');
    expect(readme).toContain('ВНИМАНИЕ');
    expect(readme).not.toContain('ReGate_ПользовательOData');
    expect(readme).toContain('без расширения ReGate права на объекты дают роли конфигурации');
    expect(get(files, 'build-1c.sh')).not.toContain('-Extension ReGate');
  });
});
