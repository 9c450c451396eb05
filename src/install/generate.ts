import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../config/index.js';
import { readOdataComposition } from './composition.js';
import { onecKit, type OnecKit } from './onec-kit.js';
import { connectionString, connectionStringForShell, type InstallOptions } from './options.js';
import { hashPassword } from './password.js';
import { readTemplate, render, xmlEscape } from './templates.js';
import { DAEMON_NODE_FLAGS } from '../node-flags.js';

export interface KitFile {
  /** File name inside --out. */
  name: string;
  content: string;
  /** 0o600 for files that carry secrets (the config with the OData password and API hash). */
  mode?: number;
  description: string;
}

/** IIS answers an HTML 404 above maxQueryString (2048 by default); ReGate's $filter URLs stay under onec.maxUrlLength. */
const IIS_MAX_URL = 16384;

const win = (o: InstallOptions) => o.os === 'windows';
const join2 = (o: InstallOptions, ...parts: string[]) => parts.join(win(o) ? '\\' : '/');

/** The values templates refer to, derived once from the options. */
export function templateVars(o: InstallOptions): Record<string, string | number | boolean> {
  const composition = readOdataComposition();
  return {
    ...(o as unknown as Record<string, string | number>),
    ibXml: xmlEscape(connectionString(o)),
    ibDisplay: connectionString(o),
    connstr: connectionStringForShell(o),
    wsapModule: win(o) ? join2(o, o.platformPath, 'wsap24.dll').replace(/\\/g, '/') : join2(o, o.platformPath, 'wsap24.so'),
    isapiModule: join2(o, o.platformPath, 'wsisapi.dll'),
    webinst: win(o) ? join2(o, o.platformPath, 'webinst.exe') : join2(o, o.platformPath, 'webinst'),
    publicationRequire:
      o.onecAllow === 'local' ? 'Require local' : o.onecAllow === 'all' ? 'Require all granted' : `Require ip ${o.onecAllow.split(/[\s,]+/).join(' ')}`,
    certFile: o.cert,
    keyFile: o.key,
    maxUrl: IIS_MAX_URL,
    httpsPortSuffix: o.httpsPort === 443 ? '' : `:${o.httpsPort}`,
    configDir: o.configPath.replace(/[\\/][^\\/]+$/, ''),
    generatedAt: new Date().toISOString().slice(0, 10),
    apache: o.target !== 'iis',
    iis: o.target !== 'apache',
    linux: !win(o),
    windows: win(o),
    // The daemon's own Node flags (src/node-flags.ts) go between node and the script.
    nodeFlags: DAEMON_NODE_FLAGS.join(' '),
    compositionList: composition.map((e) => `       ${e.name}${e.optional ? '  (если есть в этой версии)' : ''}`).join('\n'),
  };
}

/** The ReGate configuration for this installation, as an object the project's zod schema accepts. */
export async function regateConfig(o: InstallOptions, onec: { profile: import('../onec/profiles/types.js').ProfileId; extension: boolean } = { profile: 'ut11.5', extension: true }) {
  const config = {
    server: {
      // Behind Apache/IIS: plain HTTP on loopback only; TLS is terminated by the web server.
      host: '127.0.0.1',
      port: o.regatePort,
      publicUrl: `https://${o.serverName}${o.httpsPort === 443 ? '' : `:${o.httpsPort}`}`,
    },
    auth: { users: [{ name: o.apiUser, passwordHash: await hashPassword(o.apiPassword) }] },
    onec: { url: o.onecUrl, user: o.odataUser, password: o.odataPassword, profile: onec.profile, extension: onec.extension },
    database: { path: join2(o, o.dataDir, 'regate.sqlite') },
    // Without the extension its attributes do not exist: the order limits come from config defaults instead.
    ...(onec.extension
      ? {}
      : { catalog: Object.fromEntries(['minQuantity', 'multiplicity', 'soldToOrder', 'tier1Threshold', 'tier2Threshold'].map((k) => [k, { kind: 'none' }])) }),
  };
  parseConfig(config); // refuse to write a file ReGate would not start with
  return config;
}

/** Windows PowerShell 5.1 reads a .ps1 without a BOM in the ANSI code page: Cyrillic comments and strings break. */
const BOM = '\uFEFF';

export async function generateKit(o: InstallOptions, onec: OnecKit = onecKit(o)): Promise<KitFile[]> {
  const vars: Record<string, string | number | boolean> = { ...templateVars(o), ...onec.vars, extension: !!onec.build, noExtension: !onec.build };
  const t = (name: string) => render(readTemplate(name), vars);
  // Windows tools (notepad, IIS, PowerShell 5) read CRLF files best; Linux files keep LF.
  const eol = (s: string) => (win(o) ? s.replace(/\r?\n/g, '\r\n') : s);
  const files: KitFile[] = [
    { name: 'default.vrd', content: eol(t('default.vrd')), description: 'дескриптор публикации 1С (standardOdata включён, пул сеансов)' },
  ];
  if (vars.apache) {
    files.push(
      { name: 'apache-1c-publication.conf', content: t('apache-1c-publication.conf'), description: 'Apache: модуль 1С и публикация базы' },
      { name: 'apache-regate-tls.conf', content: t('apache-regate-tls.conf'), description: 'Apache: TLS 1.2/1.3 и обратный прокси на ReGate' },
    );
  }
  if (vars.iis) {
    files.push(
      { name: 'iis-publication.web.config', content: eol(t('iis-publication.web.config')), description: 'IIS: web.config публикации 1С' },
      { name: 'iis-regate-proxy.web.config', content: eol(t('iis-regate-proxy.web.config')), description: 'IIS: web.config обратного прокси на ReGate' },
      { name: 'tls-hardening.ps1', content: BOM + eol(t('tls-hardening.ps1')), description: 'Windows: только TLS 1.2/1.3 (Schannel, .NET)' },
    );
  }
  if (win(o)) files.push({ name: 'build-1c.ps1', content: BOM + eol(t('build-1c.ps1')), description: 'Windows: сборка ReGate.cfe и ReGate_НастройкаOData.epf из onec-*' });
  else files.push({ name: 'build-1c.sh', content: t('build-1c.sh'), mode: 0o755, description: 'Linux: сборка ReGate.cfe и ReGate_НастройкаOData.epf из onec-*' });
  if (win(o)) files.push({ name: 'regate-service.xml', content: eol(t('regate-service.xml')), description: 'служба Windows (WinSW)' });
  else files.push({ name: 'regate.service', content: t('regate.service'), description: 'служба systemd' });

  const config = await regateConfig(o, { profile: onec.target.profile, extension: !!onec.build });
  const yaml =
    `# Конфигурация ReGate (сгенерировано regate install). Полный список ключей: regate config check\n` +
    `# Пароль пользователя API хранится только как хеш scrypt; новый пользователь: regate --config ${o.configPath} user add ИМЯ\n` +
    stringify(config, { lineWidth: 0 });
  files.push({ name: 'regate.yaml', content: eol(yaml), mode: 0o600, description: 'конфигурация ReGate (пароль OData, хеш пароля API)' });

  const list = [
    ...files,
    { name: 'README.txt', description: 'этот файл: команды и порядок действий' },
    ...(onec.build ? [{ name: 'onec-extension/', description: `расширение ReGate для этой базы (XML, формат ${onec.vars.extensionFormat})` }] : []),
    { name: 'onec-epf/', description: 'обработка ReGate_НастройкаOData (XML)' },
  ]
    .map((f) => `  ${f.name.padEnd(30)} ${f.description}`)
    .join('\n');
  files.push({ name: 'README.txt', content: eol(render(readTemplate('README.txt'), { ...vars, fileList: list })), description: 'команды и порядок действий' });
  // The 1C sources keep the platform's own form (BOM, CRLF) on every OS.
  for (const f of onec.files) files.push({ name: f.name, content: f.content, description: '1С: исходники' });
  return files;
}

export function writeKit(outDir: string, files: KitFile[]): string[] {
  mkdirSync(outDir, { recursive: true });
  return files.map((f) => {
    const path = join(outDir, f.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content, { mode: f.mode ?? 0o644 });
    if (f.mode) chmodSync(path, f.mode); // writeFileSync keeps an existing file's mode
    return path;
  });
}
