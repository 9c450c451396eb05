import { randomBytes } from 'node:crypto';

export type InstallTarget = 'apache' | 'iis' | 'both';
export type InstallOs = 'linux' | 'windows';

/** Everything `regate install` asks for; flags and prompts fill the same object. */
export interface InstallOptions {
  os: InstallOs;
  target: InstallTarget;
  out: string;
  /** Infobase name on the 1C server cluster (Ref=…), or the base folder when ibFile is set. */
  baseName: string;
  /** 1C server cluster host (Srvr=…); ignored for a file base. */
  ibServer: string;
  /** File infobase folder (File=…); when set, the connection string is a file one. */
  ibFile?: string;
  publication: string;
  publicationDir: string;
  /** Who may reach the 1C publication: "local" (ReGate on the same host), "all", or addresses/CIDRs. */
  onecAllow: string;
  onecUrl: string;
  odataUser: string;
  odataPassword: string;
  serverName: string;
  httpsPort: number;
  cert: string;
  key: string;
  regatePort: number;
  apiUser: string;
  apiPassword: string;
  /** Folder of the 1C platform binaries (wsap24.so / wsisapi.dll, webinst). */
  platformPath: string;
  installDir: string;
  configPath: string;
  dataDir: string;
  nodePath: string;
  serviceUser: string;
  /** The УТ base the 1C side is built for: a reference release (`11.4`, `11.5.20`) unless a dump is given. */
  onecTarget: string;
  /** A Designer dump of the base's configuration: the extension is built for exactly that base. */
  onecBaseDump?: string;
}

/** A password for a generated account: 18 random bytes, URL-safe base64 (24 characters, no quoting trouble). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

const isWin = (o: InstallOs) => o === 'windows';

/**
 * Fills what was not given. Paths follow the target OS's conventions: /opt, /etc, /var/lib on Linux; one folder
 * under C:\ on Windows. Derived values (publication from base name, OData URL from publication) are computed
 * after the explicit ones, so `--publication x` also moves the default OData URL.
 */
export function resolveOptions(given: Partial<InstallOptions>): InstallOptions {
  const os: InstallOs = given.os ?? (process.platform === 'win32' ? 'windows' : 'linux');
  const target: InstallTarget = given.target ?? (isWin(os) ? 'iis' : 'apache');
  if (!['apache', 'iis', 'both'].includes(target)) throw new Error(`--target: apache, iis or both, not "${target}"`);
  if (!['linux', 'windows'].includes(os)) throw new Error(`--os: linux or windows, not "${os}"`);
  if (target !== 'apache' && os === 'linux') throw new Error('IIS is Windows only: use --target apache with --os linux');
  const baseName = given.baseName ?? 'ut11';
  const publication = given.publication ?? (baseName.replace(/[^A-Za-z0-9_-]/g, '') || 'ut11');
  if (!/^[A-Za-z0-9_-]+$/.test(publication)) throw new Error(`--publication: latin letters, digits, "-" and "_" only, not "${publication}"`);
  const platformPath = given.platformPath ?? (isWin(os) ? 'C:\\Program Files\\1cv8\\8.3.24.1691\\bin' : '/opt/1cv8/x86_64/8.3.24.1691');
  const installDir = given.installDir ?? (isWin(os) ? 'C:\\ReGate\\app' : '/opt/regate');
  const dataDir = given.dataDir ?? (isWin(os) ? 'C:\\ReGate\\data' : '/var/lib/regate');
  const regatePort = Number(given.regatePort ?? 8088);
  const httpsPort = Number(given.httpsPort ?? 443);
  for (const [flag, port] of [['--regate-port', regatePort], ['--https-port', httpsPort]] as const)
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${flag}: a port 1..65535, not "${port}"`);
  return {
    os,
    target,
    out: given.out ?? 'regate-install',
    baseName,
    ibServer: given.ibServer ?? 'localhost',
    ibFile: given.ibFile,
    publication,
    publicationDir: given.publicationDir ?? (isWin(os) ? `C:\\inetpub\\wwwroot\\${publication}` : `/var/www/1c/${publication}`),
    onecAllow: given.onecAllow ?? 'local',
    onecUrl: given.onecUrl ?? `http://127.0.0.1/${publication}/odata/standard.odata`,
    odataUser: given.odataUser ?? 'regate_odata',
    odataPassword: given.odataPassword ?? generatePassword(),
    serverName: given.serverName ?? 'regate.example.ru',
    httpsPort,
    cert: given.cert ?? (isWin(os) ? '(сертификат в хранилище Windows, привязка сайта IIS)' : '/etc/ssl/regate/fullchain.pem'),
    key: given.key ?? (isWin(os) ? '(закрытый ключ в хранилище Windows)' : '/etc/ssl/regate/privkey.pem'),
    regatePort,
    apiUser: given.apiUser ?? 'richest',
    apiPassword: given.apiPassword ?? generatePassword(),
    platformPath,
    installDir,
    configPath: given.configPath ?? (isWin(os) ? 'C:\\ReGate\\regate.yaml' : '/etc/regate/regate.yaml'),
    dataDir,
    nodePath: given.nodePath ?? (isWin(os) ? 'C:\\Program Files\\nodejs\\node.exe' : '/usr/bin/node'),
    serviceUser: given.serviceUser ?? 'regate',
    onecTarget: given.onecTarget ?? '11.5.20',
    onecBaseDump: given.onecBaseDump,
  };
}

/** The 1C connection string for default.vrd (quoted values, XML-escaped by the caller): Srvr="host";Ref="base";. */
export function connectionString(o: Pick<InstallOptions, 'ibFile' | 'ibServer' | 'baseName'>): string {
  return o.ibFile ? `File="${o.ibFile}";` : `Srvr="${o.ibServer}";Ref="${o.baseName}";`;
}

/** The same for webinst's -connstr inside a shell's double quotes: values unquoted (Srvr=host;Ref=base;). */
export function connectionStringForShell(o: Pick<InstallOptions, 'ibFile' | 'ibServer' | 'baseName'>): string {
  return o.ibFile ? `File=${o.ibFile};` : `Srvr=${o.ibServer};Ref=${o.baseName};`;
}
