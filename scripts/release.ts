/**
 * `npm run release`: what an administrator installs, built from this checkout.
 *
 *   dist/regate-<version>-linux-x64.tar.gz   compiled JavaScript (tsc -p tsconfig.build.json), the production
 *                                            node_modules with better-sqlite3 built for linux-x64 / Node 20,
 *                                            install.sh (service user, systemd unit, folders), regate.yaml starter
 *   dist/regate-<version>-win-x64.zip        the same program, install.ps1 (UTF-8 BOM), WinSW pinned in
 *                                            release/winsw.json; the SQLite module for win32 is bundled only when
 *                                            given (--win-sqlite), otherwise install.ps1 runs npm rebuild
 *
 * Options: --out DIR (default dist), --skip-windows, --win-sqlite FILE (better_sqlite3.node for win32-x64, Node 20),
 * --winsw FILE (bundle this WinSW-x64.exe; its SHA-256 must equal the pin), --pin-winsw FILE (write FILE's SHA-256
 * into release/winsw.json and stop).
 *
 * No network: node_modules are copied from this checkout's own installation (the production closure `npm ls
 * --omit=dev` names), not downloaded again. tsx and esbuild are left out: production runs compiled JavaScript.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_NODE_FLAGS } from '../src/node-flags.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Only tsx (and its esbuild) run TypeScript; the release runs compiled JavaScript. */
const DEV_ONLY_AT_RUNTIME = [/^tsx$/, /^esbuild$/, /^@esbuild\//];
/** Build leftovers of better-sqlite3 (its C sources and objects: 27 MB of the 29); only the .node file is loaded. */
const SQLITE_SKIP = [/^deps(\/|$)/, /^src(\/|$)/, /^build\/(?!Release(\/better_sqlite3\.node)?$)/];

export interface ReleaseOptions {
  out?: string;
  skipWindows?: boolean;
  winSqlite?: string;
  winsw?: string;
  log?: (s: string) => void;
}

export interface ReleaseResult {
  version: string;
  linux: string;
  windows?: string;
  ms: number;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

export function buildRelease(opts: ReleaseOptions = {}): ReleaseResult {
  const started = performance.now();
  const log = opts.log ?? ((s: string) => console.log(s));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; engines?: object; name: string; type: string };
  const version = pkg.version;
  const out = resolve(opts.out ?? join(ROOT, 'dist'));
  const work = join(out, `.release-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    // 1. The application: compiled src/ plus the files it reads beside its modules (migrations, outbox SQL, the
    //    embedded configuration models), the kit templates and the 1C extension `regate install` uses, docs/ru.
    const app = join(work, 'app');
    log('компиляция TypeScript (tsconfig.build.json)…');
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { stdio: 'inherit' });
    copyAssets(join(ROOT, 'src'), join(app, 'dist'));
    for (const dir of ['install/templates', 'onec', 'docs/ru']) if (existsSync(join(ROOT, dir))) cpSync(join(ROOT, dir), join(app, dir), { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: pkg.name, version, type: pkg.type, private: true, engines: pkg.engines, bin: { regate: 'dist/cli/regate.js' }, dependencies: pkg.dependencies }, null, 2) + '\n',
    );

    // 2. Production node_modules, copied from this installation (so the native module is the one built here).
    log('node_modules для работы (без dev-зависимостей)…');
    const modules = productionModules();
    for (const rel of modules) {
      const name = rel.replace(/^node_modules\//, '');
      if (DEV_ONLY_AT_RUNTIME.some((re) => re.test(name))) continue;
      const skip = name === 'better-sqlite3' ? SQLITE_SKIP : [];
      cpSync(join(ROOT, rel), join(app, rel), {
        recursive: true,
        filter: (src) => {
          const inside = relative(join(ROOT, rel), src).split('\\').join('/');
          // nested node_modules are copied as their own entries of the closure
          if (inside.startsWith('node_modules/') || inside === 'node_modules') return false;
          return !skip.some((re) => re.test(inside));
        },
      });
    }
    if (!existsSync(join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))) throw new Error('better_sqlite3.node не собран в node_modules: npm ci');

    // 3. Linux: tar.gz with install.sh.
    const linuxName = `regate-${version}-linux-x64`;
    const linux = join(work, linuxName);
    mkdirSync(linux);
    cpSync(app, join(linux, 'app'), { recursive: true });
    const fill = (text: string) => text.replaceAll('{{version}}', version).replaceAll('{{nodeFlags}}', DAEMON_NODE_FLAGS.join(' '));
    writeFileSync(join(linux, 'install.sh'), fill(readFileSync(join(ROOT, 'release/install.sh'), 'utf8')));
    chmodSync(join(linux, 'install.sh'), 0o755);
    for (const f of ['regate.service', 'regate.yaml']) writeFileSync(join(linux, f), fill(readFileSync(join(ROOT, 'release', f), 'utf8')));
    writeFileSync(join(linux, 'README.txt'), readme(version, 'linux'));
    const tarball = join(out, `${linuxName}.tar.gz`);
    log(`архив ${relative(process.cwd(), tarball)}…`);
    execFileSync('tar', ['-czf', tarball, '-C', work, linuxName]);

    // 4. Windows: zip with install.ps1 (its BOM kept: the template starts with it).
    let windows: string | undefined;
    if (!opts.skipWindows) {
      const winName = `regate-${version}-win-x64`;
      const win = join(work, winName);
      mkdirSync(win);
      cpSync(app, join(win, 'app'), { recursive: true });
      const winNative = join(win, 'app/node_modules/better-sqlite3/build');
      rmSync(winNative, { recursive: true, force: true }); // the linux .node would not load on Windows
      if (opts.winSqlite) {
        // Bundled with its checksum: install.ps1 refuses a module that differs from the one this release names.
        checkWin64Module(opts.winSqlite);
        mkdirSync(join(winNative, 'Release'), { recursive: true });
        cpSync(opts.winSqlite, join(winNative, 'Release/better_sqlite3.node'));
        const bs = JSON.parse(readFileSync(join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string };
        writeFileSync(
          join(win, 'sqlite-win32.json'),
          JSON.stringify({ module: 'better-sqlite3', version: bs.version, platform: 'win32-x64', node: `v${process.versions.node.split('.')[0]} (ABI ${process.versions.modules})`, file: 'app/node_modules/better-sqlite3/build/Release/better_sqlite3.node', sha256: sha256(opts.winSqlite) }, null, 2) + '\n',
        );
      }
      const ps1 = readFileSync(join(ROOT, 'release/install.ps1'));
      if (!(ps1[0] === 0xef && ps1[1] === 0xbb && ps1[2] === 0xbf)) throw new Error('release/install.ps1 must start with a UTF-8 BOM');
      writeFileSync(join(win, 'install.ps1'), Buffer.from(fill(ps1.toString('utf8')), 'utf8'));
      writeFileSync(join(win, 'regate-service.xml'), fill(readFileSync(join(ROOT, 'release/regate-service.xml'), 'utf8')));
      cpSync(join(ROOT, 'release/winsw.json'), join(win, 'winsw.json'));
      writeFileSync(join(win, 'regate.yaml'), fill(readFileSync(join(ROOT, 'release/regate.yaml'), 'utf8')).replace(/\n/g, '\r\n'));
      writeFileSync(join(win, 'README.txt'), '\ufeff' + readme(version, 'windows').replace(/\n/g, '\r\n'));
      if (opts.winsw) {
        const pin = JSON.parse(readFileSync(join(ROOT, 'release/winsw.json'), 'utf8')) as { version: string; sha256: string };
        const got = sha256(opts.winsw);
        if (!pin.sha256) throw new Error('release/winsw.json: нет sha256 — сначала npm run release -- --pin-winsw ФАЙЛ');
        if (got !== pin.sha256) throw new Error(`WinSW ${opts.winsw}: SHA-256 ${got}, а закреплено ${pin.sha256}`);
        cpSync(opts.winsw, join(win, `WinSW-x64-${pin.version}.exe`));
      }
      windows = join(out, `${winName}.zip`);
      rmSync(windows, { force: true });
      log(`архив ${relative(process.cwd(), windows)}…`);
      execFileSync('zip', ['-q', '-r', '-X', windows, winName], { cwd: work });
    }
    return { version, linux: tarball, windows, ms: Math.round(performance.now() - started) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A Windows x64 DLL (PE, machine AMD64): a Linux .node or a 32-bit build given by mistake is refused at build time. */
export function checkWin64Module(file: string) {
  const b = readFileSync(file);
  const pe = b.length > 0x40 ? b.readUInt32LE(0x3c) : 0;
  const ok = b.subarray(0, 2).toString('latin1') === 'MZ' && pe + 6 <= b.length && b.subarray(pe, pe + 4).toString('latin1') === 'PE\0\0' && b.readUInt16LE(pe + 4) === 0x8664;
  if (!ok) throw new Error(`--win-sqlite ${file}: не модуль Windows x64 (нужен better_sqlite3.node из better-sqlite3-v<версия>-node-v${process.versions.modules}-win32-x64.tar.gz)`);
}

/** Paths (node_modules/…) of every package the program needs at run time, as npm resolves them. */
function productionModules(): string[] {
  const text = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return text
    .split('\n')
    .map((p) => relative(ROOT, p.trim()).split('\\').join('/'))
    .filter((p) => p.startsWith('node_modules/'));
}

/** Everything under src/ that is not TypeScript or documentation: read at run time from beside the modules. */
function copyAssets(src: string, dest: string) {
  for (const entry of readdirSync(src)) {
    const from = join(src, entry);
    if (statSync(from).isDirectory()) copyAssets(from, join(dest, entry));
    else if (!/\.(ts|md)$/.test(entry)) {
      mkdirSync(dest, { recursive: true });
      cpSync(from, join(dest, entry));
    }
  }
}

function readme(version: string, os: 'linux' | 'windows'): string {
  return os === 'linux'
    ? `ReGate ${version} для Linux x64

Нужен Node.js 20.18+ из ветки 20 (как поставить на Debian/Ubuntu: app/docs/ru/install-node.md).

  sudo ./install.sh                 программа в /opt/regate, конфигурация /etc/regate, данные /var/lib/regate,
                                    пользователь службы regate, служба systemd regate (не запускается сама)
  ./install.sh --prefix /opt/x --no-systemd     без службы и без прав root

Затем: /opt/regate/bin/regate --config /etc/regate/regate.yaml check — и шаги, которые напишет install.sh.
Документация: app/docs/ru/ (установка, эксплуатация, резервное копирование: regate backup / regate restore).
`
    : `ReGate ${version} для Windows x64

Нужен Node.js 20.18+ из ветки 20 (x64, установщик .msi с nodejs.org; подробнее app\\docs\\ru\\install-node.md).

От администратора в PowerShell:
  powershell -ExecutionPolicy Bypass -File .\\install.ps1              C:\\ReGate, служба ReGate через WinSW
  powershell -ExecutionPolicy Bypass -File .\\install.ps1 -NoService   без службы

WinSW закреплён в winsw.json (версия и SHA-256); файл с другой суммой не устанавливается.
Документация: app\\docs\\ru\\ (установка с IIS, эксплуатация, резервное копирование).
`;
}

function main(argv: string[]) {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const pin = arg('--pin-winsw');
  if (pin) {
    const file = join(ROOT, 'release/winsw.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.sha256 = sha256(pin);
    writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
    console.log(`release/winsw.json: WinSW ${data.version} sha256 ${data.sha256}`);
    return;
  }
  const r = buildRelease({ out: arg('--out'), skipWindows: argv.includes('--skip-windows'), winSqlite: arg('--win-sqlite'), winsw: arg('--winsw') });
  const size = (f: string) => `${(statSync(f).size / 1048576).toFixed(1)} МБ`;
  console.log(`\nReGate ${r.version}: ${relative(process.cwd(), r.linux)} (${size(r.linux)})${r.windows ? `, ${relative(process.cwd(), r.windows)} (${size(r.windows)})` : ''}; ${(r.ms / 1000).toFixed(1)} с`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
