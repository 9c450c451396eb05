import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generateKit, readOdataComposition, resolveOptions, type KitFile } from '../../src/install/index.js';

/**
 * The Russian docs quote what `regate install` generates (default.vrd line, Apache directives, web.config handler,
 * webinst command lines, file names). These tests keep the two from drifting apart in either direction: quoted
 * lines must be generated verbatim (for the default options the docs use), and the kit README's commands must
 * appear in the install guide.
 */
const repo = resolve(__dirname, '../..');
const docs = join(repo, 'docs/ru');
const read = (name: string) => readFileSync(join(docs, name), 'utf8');
const norm = (s: string) => s.trim().replace(/\s+/g, ' ');
const MINE = ['README.md', 'build-1c.md', 'install-linux-apache.md', 'install-windows-iis.md', 'troubleshooting.md'];

/** Lines inside ``` fences. */
const codeLines = (md: string) => {
  const out: string[] = [];
  let inside = false;
  for (const line of md.split('\n')) {
    if (line.trim().startsWith('```')) inside = !inside;
    else if (inside) out.push(line);
  }
  return out;
};

/** Lines that quote generated configuration (as opposed to commands the administrator types). */
const QUOTED = [
  /^<standardOdata /, /^SSL(Protocol|CipherSuite|HonorCipherOrder) /, /^Header always set /, /^Proxy(Pass|PreserveHost) /,
  /^RequestHeader /, /^LoadModule _1cws_module /, /^Alias "/, /^SetHandler /, /^ManagedApplicationDescriptor /,
  /^<add name="1C Web-service Extension"/, /^<requestLimits /, /^<action type="Rewrite"/,
];
/** Commands that only make sense with generated values (webinst, appcmd, icacls …) are checked the same way. */
const COMMANDS = [/webinst(\.exe)?"? -publish/, /appcmd set config/, /^icacls /, /^sudo install /, /^sudo cp /, /^copy /];

let linuxKit: KitFile[];
let windowsKit: KitFile[];
let generated: string;
beforeAll(async () => {
  linuxKit = await generateKit(resolveOptions({ os: 'linux', apiPassword: 'x'.repeat(12), odataPassword: 'y'.repeat(12) }));
  windowsKit = await generateKit(resolveOptions({ os: 'windows', target: 'iis', apiPassword: 'x'.repeat(12), odataPassword: 'y'.repeat(12) }));
  generated = [...linuxKit, ...windowsKit].map((f) => f.content.replace(/\r\n/g, '\n')).join('\n').split('\n').map(norm).join('\n');
});

describe('docs/ru agree with regate install', () => {
  it('has the documents this session owns', () => {
    for (const f of MINE) expect(existsSync(join(docs, f)), f).toBe(true);
  });

  it.each(MINE)('%s: quoted configuration lines are generated verbatim', (name) => {
    const quoted = codeLines(read(name)).map(norm).filter((l) => QUOTED.some((re) => re.test(l)) || COMMANDS.some((re) => re.test(l)));
    const lines = new Set(generated.split('\n'));
    const missing = quoted.filter((l) => !lines.has(l) && !generated.includes(l));
    expect(missing).toEqual([]);
  });

  it('the install guides quote the vrd line, the TLS protocols and the webinst command', () => {
    const linux = read('install-linux-apache.md');
    const windows = read('install-windows-iis.md');
    const vrd = '<standardOdata enable="true" reuseSessions="autouse" sessionMaxAge="20" poolSize="10" poolTimeout="5"/>';
    for (const md of [linux, windows, read('troubleshooting.md')]) expect(md).toContain(vrd);
    expect(linux).toContain('SSLProtocol             -all +TLSv1.2 +TLSv1.3');
    expect(linux).toMatch(/webinst -publish -apache24/);
    expect(windows).toMatch(/webinst\.exe" -publish -iis/);
  });

  it('every kit file name the docs mention is one regate install writes', () => {
    const names = new Set([...linuxKit, ...windowsKit].map((f) => f.name));
    for (const name of MINE) {
      const mentioned = [...read(name).matchAll(/`((?:apache-|iis-|regate|tls-|default\.)[\w.-]*\.(?:vrd|conf|config|ps1|service|xml|yaml))`/g)].map((m) => m[1]);
      for (const m of mentioned) expect(names.has(m), `${name}: ${m}`).toBe(true);
    }
  });

  it("the kit README's commands all appear in the matching install guide", () => {
    const check = (kit: KitFile[], guide: string, pick: RegExp) => {
      const readme = kit.find((f) => f.name === 'README.txt')!.content.replace(/\r\n/g, '\n');
      const doc = codeLines(read(guide)).map(norm).join('\n');
      const commands = readme.split('\n').map(norm).filter((l) => pick.test(l));
      expect(commands.length).toBeGreaterThan(5);
      expect(commands.filter((c) => !doc.includes(c))).toEqual([]);
    };
    check(linuxKit, 'install-linux-apache.md', /^(sudo |journalctl )/);
    check(windowsKit, 'install-windows-iis.md', /^(mkdir |copy |icacls |%windir%|"C:\\Program Files\\1cv8|netsh |powershell )/);
  });

  it('build-1c.md names the sources that exist and the designer/ibcmd commands', () => {
    const md = read('build-1c.md');
    for (const p of ['onec/extension/', 'onec/epf/ReGate_НастройкаOData.xml', 'onec/odata-composition.txt']) {
      expect(md).toContain(p);
      expect(existsSync(join(repo, p))).toBe(true);
    }
    expect(md).toMatch(/\/LoadConfigFromFiles "C:\\ReGate\\onec\\extension" -Extension ReGate/);
    expect(md).toMatch(/\/DumpCfg "C:\\ReGate\\ReGate\.cfe" -Extension ReGate/);
    expect(md).toMatch(/\/LoadExternalDataProcessorOrReportFromFiles "C:\\ReGate\\onec\\epf\\ReGate_НастройкаOData\.xml"/);
    expect(md).toMatch(/ibcmd infobase config import --db-path=\S+ --extension=ReGate/);
    expect(md).toMatch(/KeepMappingToExtendedConfigurationObjectsByIDs/);
  });

  it('troubleshooting covers the known 1C publication failures', () => {
    const md = read('troubleshooting.md');
    for (const topic of [/## 404 .*standard\.odata/, /## 401 .*логин по-русски/, /UTF-8/, /maxQueryString/, /2048/, /## 411/, /Content-Length: 0/, /"code":"-1"/, /standardOData/])
      expect(md).toMatch(topic);
  });

  it('README.md links resolve (api.md and operations.md come from other parts of the project)', () => {
    const md = read('README.md');
    const links = [...md.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]).filter((l) => !/^https?:/.test(l));
    for (const l of MINE.filter((f) => f !== 'README.md')) expect(links).toContain(l);
    expect(links).toContain('api.md');
    expect(links).toContain('operations.md');
    for (const l of links.filter((x) => !['api.md', 'operations.md'].includes(x))) expect(existsSync(join(docs, l)), l).toBe(true);
    for (const l of ['api.md', 'operations.md']) if (!existsSync(join(docs, l))) console.warn(`docs/ru/${l} not written yet`);
  });

  it('the OData composition shown in the kit is the one file', () => {
    const readme = linuxKit.find((f) => f.name === 'README.txt')!.content;
    for (const e of readOdataComposition()) expect(readme).toContain(e.name);
    expect(dirname(join(docs, 'x'))).toBe(docs);
  });
});
