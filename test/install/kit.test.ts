import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { generateKit, render, resolveOptions, verifyPassword, writeKit, type KitFile } from '../../src/install/index.js';
import { DAEMON_NODE_FLAGS } from '../../src/node-flags.js';

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
const byName = (files: KitFile[], name: string) => {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`${name} not generated; have ${files.map((x) => x.name).join(', ')}`);
  return f.content;
};
const asArray = <T>(x: T | T[]) => (Array.isArray(x) ? x : [x]);

/** `[Section]` → key → values (a key may repeat, as in systemd units). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const s = l.match(/^\[(\w+)\]$/);
    if (s) {
      section = s[1];
      out[section] = {};
      continue;
    }
    const eq = l.indexOf('=');
    expect(eq, `not key=value: ${l}`).toBeGreaterThan(0);
    (out[section][l.slice(0, eq)] ??= []).push(l.slice(eq + 1));
  }
  return out;
}

const linux = resolveOptions({ os: 'linux', apiPassword: 'Секрет-api-1', odataPassword: 'odata-pass', serverName: 'shop.example.ru', out: 'unused' });
const windows = resolveOptions({ os: 'windows', target: 'both', apiPassword: 'win-api-pass', serverName: 'shop.example.ru', out: 'unused' });
let L: KitFile[];
let W: KitFile[];
beforeAll(async () => {
  [L, W] = await Promise.all([generateKit(linux), generateKit(windows)]);
});

describe('regate install: the kit', () => {
  it('generates the Linux/Apache and Windows/IIS file sets', () => {
    const top = (files: KitFile[]) => files.map((f) => f.name).filter((n) => !n.startsWith('onec-')).sort();
    expect(top(L)).toEqual(
      ['README.txt', 'apache-1c-publication.conf', 'apache-regate-tls.conf', 'build-1c.sh', 'default.vrd', 'regate.service', 'regate.yaml'].sort(),
    );
    expect(top(W)).toEqual(
      [
        'README.txt', 'apache-1c-publication.conf', 'apache-regate-tls.conf', 'build-1c.ps1', 'default.vrd', 'iis-publication.web.config',
        'iis-regate-proxy.web.config', 'regate-service.xml', 'regate.yaml', 'tls-hardening.ps1',
      ].sort(),
    );
    for (const files of [L, W]) {
      expect(files.some((f) => f.name === 'onec-extension/Configuration.xml')).toBe(true);
      expect(files.some((f) => f.name === 'onec-epf/ReGate_НастройкаOData.xml')).toBe(true);
    }
    for (const f of [...L, ...W]) expect(f.content, f.name).not.toMatch(/\{\{|\}\}/);
  });

  it('default.vrd: well-formed, lowercase standardOdata enabled with the session pool, services off', () => {
    const text = byName(L, 'default.vrd');
    expect(XMLValidator.validate(text)).toBe(true);
    expect(text).toContain('<standardOdata enable="true" reuseSessions="autouse" sessionMaxAge="20" poolSize="10" poolTimeout="5"/>');
    expect(text).not.toMatch(/<standardOData/);
    const point = xml.parse(text).point;
    expect(point['@xmlns']).toBe('http://v8.1c.ru/8.2/virtual-resource-system');
    expect(point['@base']).toBe('/ut11');
    expect(point['@ib']).toBe('Srvr="localhost";Ref="ut11";');
    expect(text).toContain('ib="Srvr=&quot;localhost&quot;;Ref=&quot;ut11&quot;;"');
    expect(point.standardOdata['@enable']).toBe('true');
    expect(point.ws['@pointEnableCommon']).toBe('false');
    expect(point.httpServices['@publishByDefault']).toBe('false');
  });

  it('default.vrd escapes a connection string with XML-special characters', async () => {
    const files = await generateKit(resolveOptions({ os: 'linux', ibFile: '/srv/1c/A&B "test"', publication: 'ab', apiPassword: 'x'.repeat(10) }));
    const text = byName(files, 'default.vrd');
    expect(XMLValidator.validate(text)).toBe(true);
    const decoded = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: true, htmlEntities: true }).parse(text);
    expect(decoded.point['@ib']).toBe('File="/srv/1c/A&B "test"";');
  });

  it('Apache publication block: 1C module, Alias, Directory with the 1C handler and the descriptor', () => {
    const conf = byName(L, 'apache-1c-publication.conf');
    expect(conf).toContain('LoadModule _1cws_module "/opt/1cv8/x86_64/8.3.24.1691/wsap24.so"');
    expect(conf).toContain('Alias "/ut11" "/var/www/1c/ut11"');
    expect(conf).toContain('<Directory "/var/www/1c/ut11">');
    expect(conf).toContain('SetHandler 1c-application');
    expect(conf).toContain('ManagedApplicationDescriptor "/var/www/1c/ut11/default.vrd"');
    expect(conf).toMatch(/^\s*Require local$/m);
    expect(conf.match(/<Directory/g)?.length).toBe(conf.match(/<\/Directory>/g)?.length);
  });

  it('Apache TLS vhost: TLS 1.2/1.3 only, Mozilla intermediate ciphers, HSTS, proxy to loopback', () => {
    const conf = byName(L, 'apache-regate-tls.conf');
    const directive = (name: string) => conf.match(new RegExp(`^\\s*${name}\\s+(.+)$`, 'm'))?.[1].trim();
    expect(directive('SSLProtocol')).toBe('-all +TLSv1.2 +TLSv1.3');
    expect(directive('SSLCipherSuite')).toBe(
      'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:' +
        'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384',
    );
    expect(directive('SSLHonorCipherOrder')).toBe('off');
    expect(directive('Header always set Strict-Transport-Security')).toBe('"max-age=63072000"');
    expect(directive('ProxyPreserveHost')).toBe('On');
    expect(directive('RequestHeader set X-Forwarded-Proto')).toBe('"https"');
    expect(directive('ProxyPass')).toBe('/ http://127.0.0.1:8088/');
    expect(directive('ServerName')).toBe('shop.example.ru');
    expect(conf).toContain('<VirtualHost *:443>');
  });

  it('IIS web.config of the publication: the 1C ISAPI handler and URL limits above the 2048-byte default', () => {
    const text = byName(W, 'iis-publication.web.config');
    expect(XMLValidator.validate(text)).toBe(true);
    const ws = xml.parse(text).configuration['system.webServer'];
    const handler = asArray(ws.handlers.add)[0];
    expect(handler['@name']).toBe('1C Web-service Extension');
    expect(handler['@modules']).toBe('IsapiModule');
    expect(handler['@path']).toBe('*');
    expect(handler['@verb']).toBe('*');
    expect(handler['@scriptProcessor']).toBe('C:\\Program Files\\1cv8\\8.3.24.1691\\bin\\wsisapi.dll');
    const limits = ws.security.requestFiltering.requestLimits;
    expect(Number(limits['@maxQueryString'])).toBeGreaterThan(2048);
    expect(Number(limits['@maxUrl'])).toBeGreaterThan(2048);
  });

  it('IIS reverse proxy: rewrite to ReGate on loopback, X-Forwarded-Proto, HSTS; Windows files use CRLF', () => {
    const text = byName(W, 'iis-regate-proxy.web.config');
    expect(XMLValidator.validate(text)).toBe(true);
    const ws = xml.parse(text).configuration['system.webServer'];
    const rule = ws.rewrite.rules.rule;
    expect(rule.action['@type']).toBe('Rewrite');
    expect(rule.action['@url']).toBe('http://127.0.0.1:8088/{R:1}');
    expect(rule.serverVariables.set['@name']).toBe('HTTP_X_FORWARDED_PROTO');
    expect(rule.serverVariables.set['@value']).toBe('https');
    expect(asArray(ws.httpProtocol.customHeaders.add).find((h: any) => h['@name'] === 'Strict-Transport-Security')['@value']).toBe('max-age=63072000');
    for (const f of W.filter((x) => x.name !== 'apache-1c-publication.conf' && x.name !== 'apache-regate-tls.conf'))
      expect(/[^\r]\n/.test(f.content), f.name).toBe(false);
  });

  it('TLS script: SSL 2/3 and TLS 1.0/1.1 off, TLS 1.2 on, on Server and Client, plus .NET strong crypto', () => {
    const ps = byName(W, 'tls-hardening.ps1');
    expect(ps).toContain("foreach ($p in 'SSL 2.0', 'SSL 3.0', 'TLS 1.0', 'TLS 1.1') { Set-Protocol $p $false }");
    expect(ps).toContain("Set-Protocol 'TLS 1.2' $true");
    expect(ps).toMatch(/if \(\$build -ge 20348\) \{ Set-Protocol 'TLS 1\.3' \$true \}/);
    expect(ps).toContain("foreach ($side in 'Server', 'Client')");
    expect(ps).toContain("-Name 'Enabled' -PropertyType DWord -Value ([int]$Enable)");
    expect(ps).toContain("-Name 'DisabledByDefault' -PropertyType DWord -Value ([int](-not $Enable))");
    expect(ps).toContain('SCHANNEL\\Protocols');
    expect(ps).toContain("-Name 'SchUseStrongCrypto' -PropertyType DWord -Value 1");
    expect(ps).toContain('#Requires -RunAsAdministrator');
  });

  it('systemd unit: dedicated user, restart on failure, hardening, `serve` with the config', () => {
    const unit = parseUnit(byName(L, 'regate.service'));
    const s = unit.Service;
    expect(s.User).toEqual(['regate']);
    expect(s.Restart).toEqual(['on-failure']);
    expect(s.ExecStart[0]).toBe(`/usr/bin/node ${DAEMON_NODE_FLAGS.join(' ')} /opt/regate/bin/regate.mjs --config /etc/regate/regate.yaml serve`);
    for (const [k, v] of Object.entries({ NoNewPrivileges: 'true', ProtectSystem: 'strict', ProtectHome: 'true', PrivateTmp: 'true', StateDirectory: 'regate' }))
      expect(s[k], k).toEqual([v]);
    expect(s.CapabilityBoundingSet).toEqual(['']);
    expect(unit.Install.WantedBy).toEqual(['multi-user.target']);
    expect(unit.Unit.After[0]).toContain('network-online.target');
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v systemd-analyze']).status !== 0)(
    'systemd-analyze verifies the unit and rates its exposure low',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'regate-unit-'));
      // ExecStart must name an existing executable for verify: this node, this checkout.
      const o = resolveOptions({ os: 'linux', apiPassword: 'x'.repeat(12), nodePath: process.execPath, installDir: join(__dirname, '../..') });
      writeFileSync(join(dir, 'regate.service'), byName(await generateKit(o), 'regate.service'));
      const verify = spawnSync('systemd-analyze', ['verify', join(dir, 'regate.service')], { encoding: 'utf8' });
      expect(verify.status, verify.stderr).toBe(0);
      expect(verify.stderr).not.toMatch(/regate\.service:\d+:/); // no "unknown key" style warnings about our lines
      const security = spawnSync('systemd-analyze', ['security', '--offline=true', join(dir, 'regate.service')], { encoding: 'utf8' });
      const level = Number((security.stdout + security.stderr).match(/Overall exposure level for regate\.service: ([\d.]+)/)?.[1]);
      if (Number.isNaN(level)) return console.warn('systemd-analyze security --offline not supported here');
      expect(level).toBeLessThan(3);
    },
  );

  it('Windows service (WinSW): node runs `serve`, restarts on failure, no administrator account', () => {
    const text = byName(W, 'regate-service.xml');
    expect(XMLValidator.validate(text)).toBe(true);
    const svc = xml.parse(text).service;
    expect(svc.id).toBe('ReGate');
    expect(svc.executable).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(svc.arguments).toBe(`${DAEMON_NODE_FLAGS.join(' ')} "C:\\ReGate\\app\\bin\\regate.mjs" --config "C:\\ReGate\\regate.yaml" serve`);
    expect(asArray(svc.onfailure).every((f: any) => f['@action'] === 'restart')).toBe(true);
    expect(svc.serviceaccount.username).toBe('NT AUTHORITY\\LocalService');
  });

  it("the daemon's Node flags are ones this node takes, and they do what src/node-flags.ts says", () => {
    // An unknown flag stops node before ReGate starts ("bad option"): the service would never come up.
    const limit = (flags: readonly string[]) => {
      const r = spawnSync(process.execPath, [...flags, '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout);
    };
    // --max-semi-space-size=64 is four times V8's default 16 MiB semi-space; the heap limit counts the young generation as
    // three semi-spaces.
    expect(DAEMON_NODE_FLAGS).toContain('--max-semi-space-size=64');
    expect((limit(DAEMON_NODE_FLAGS) - limit([])) / 2 ** 20).toBe(3 * (64 - 16));
  });

  it('regate.yaml passes the config schema; the API hash verifies the password (and only it)', async () => {
    for (const [files, o] of [[L, linux], [W, windows]] as const) {
      const config = parseConfig(parseYaml(byName(files, 'regate.yaml')));
      expect(config.server.host).toBe('127.0.0.1');
      expect(config.server.port).toBe(8088);
      expect(config.onec.url).toBe('http://127.0.0.1/ut11/odata/standard.odata');
      expect(config.onec.user).toBe(o.odataUser);
      expect(config.onec.password).toBe(o.odataPassword);
      expect(config.auth.users).toHaveLength(1);
      expect(config.auth.users[0].name).toBe('richest');
      expect(config.auth.users[0].passwordHash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(await verifyPassword(o.apiPassword, config.auth.users[0].passwordHash)).toBe(true);
      expect(await verifyPassword(`${o.apiPassword}x`, config.auth.users[0].passwordHash)).toBe(false);
    }
    expect(parseConfig(parseYaml(byName(L, 'regate.yaml'))).database.path).toBe('/var/lib/regate/regate.sqlite');
  });

  it('README.txt carries the webinst command lines and the OData composition', () => {
    const lr = byName(L, 'README.txt');
    expect(lr).toContain('sudo /opt/1cv8/x86_64/8.3.24.1691/webinst -publish -apache24 -wsdir ut11 -dir /var/www/1c/ut11 -connstr "Srvr=localhost;Ref=ut11;"');
    expect(lr).toContain('Document_ЗаказКлиента');
    expect(lr).toContain('InformationRegister_ReGate_СтатусыЗаказов');
    expect(lr).not.toContain('-iis');
    const wr = byName(W, 'README.txt');
    expect(wr).toContain('"C:\\Program Files\\1cv8\\8.3.24.1691\\bin\\webinst.exe" -publish -iis -wsdir ut11 -dir "C:\\inetpub\\wwwroot\\ut11" -connstr "Srvr=localhost;Ref=ut11;"');
    expect(wr).toContain('regate-service.exe install');
  });

  it('writes the config with mode 0600 and everything else readable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regate-kit-'));
    writeKit(dir, L);
    const tops = [...new Set(L.map((f) => f.name.split('/')[0]))].sort();
    expect(readdirSync(dir).sort()).toEqual(tops);
    expect(readFileSync(join(dir, 'onec-extension/Configuration.xml'), 'utf8')).toBe(byName(L, 'onec-extension/Configuration.xml'));
    expect(statSync(join(dir, 'build-1c.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'regate.yaml')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'default.vrd')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, 'default.vrd'), 'utf8')).toBe(byName(L, 'default.vrd'));
  });

  it('refuses impossible options and unknown template placeholders', () => {
    expect(() => resolveOptions({ os: 'linux', target: 'iis' })).toThrow(/Windows only/);
    expect(() => resolveOptions({ publication: 'торговля' })).toThrow(/publication/);
    expect(resolveOptions({ baseName: 'Торговля' }).publication).toBe('ut11');
    expect(() => resolveOptions({ regatePort: 70000 })).toThrow(/--regate-port/);
    expect(() => render('a {{nope}} b', {})).toThrow(/nope/);
    expect(render('x\n{{#a}}\nyes\n{{/a}}\n{{#b}}\nno\n{{/b}}\nz', { a: true, b: false })).toBe('x\nyes\nz');
  });
});
