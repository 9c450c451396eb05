import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease, checkWin64Module, type ReleaseResult } from '../../scripts/release.js';
import { DAEMON_NODE_FLAGS } from '../../src/node-flags.js';

/**
 * `npm run release`, then what an administrator does with the archive in a fresh folder: tar xf, install.sh
 * --prefix --no-systemd, bin/regate. One build for the file (~45 s on 2 cores: tsc is most of it).
 */
const tools = ['tar', 'zip', 'unzip'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
if (tools.length) console.log(`release test skipped: ${tools.join(', ')} not installed`);

describe.skipIf(tools.length > 0)('npm run release', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'regate-release-'));
  let r: ReleaseResult;
  beforeAll(() => {
    r = buildRelease({ out: join(tmp, 'out'), log: () => undefined });
  }, 240_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('the Linux archive holds compiled JavaScript and production modules only', () => {
    expect(r.linux).toMatch(/regate-\d+\.\d+\.\d+-linux-x64\.tar\.gz$/);
    const list = execFileSync('tar', ['-tzf', r.linux], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
    const top = `regate-${r.version}-linux-x64/`;
    for (const f of ['install.sh', 'regate.service', 'regate.yaml', 'README.txt', 'app/dist/cli/regate.js', 'app/dist/db/migrations/', 'app/dist/outbox/sql/', 'app/node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'app/install/templates/', 'app/docs/ru/'])
      expect(list.some((l) => l.startsWith(top + f)), f).toBe(true);
    expect(list.filter((l) => l.endsWith('.ts') && !l.endsWith('.d.ts') && !l.includes('/node_modules/'))).toEqual([]);
    for (const dev of ['tsx', 'esbuild', 'typescript', 'vitest', 'vite', 'autocannon', 'fast-check'])
      expect(list.some((l) => l.startsWith(`${top}app/node_modules/${dev}/`)), dev).toBe(false);
    expect(list.some((l) => l.includes('better-sqlite3/deps/'))).toBe(false);
    // The unit runs the daemon with its Node flags (src/node-flags.ts), through NODE_OPTIONS: bin/regate is a shell wrapper.
    const unit = execFileSync('tar', ['-xzOf', r.linux, top + 'regate.service'], { encoding: 'utf8' });
    expect(unit).toContain(`Environment=NODE_OPTIONS=${DAEMON_NODE_FLAGS.join(' ')}\n`);
    expect(unit).not.toContain('{{nodeFlags}}'); // filled at build time; {{prefix}} and the rest by install.sh
  });

  it('tar xf, ./install.sh --prefix --no-systemd, then bin/regate works without the checkout (plain node, no tsx)', () => {
    const fresh = join(tmp, 'fresh');
    execFileSync('mkdir', ['-p', fresh]);
    execFileSync('tar', ['xf', r.linux, '-C', fresh]);
    const prefix = join(tmp, 'x');
    const env = { PATH: process.env.PATH!, HOME: tmp }; // nothing of the checkout's environment
    const inst = spawnSync('./install.sh', ['--prefix', prefix, '--no-systemd'], { cwd: join(fresh, `regate-${r.version}-linux-x64`), env, encoding: 'utf8' });
    expect(inst.status, inst.stderr).toBe(0);
    expect(inst.stdout).toContain('Готово.');
    const regate = (...args: string[]) => spawnSync(join(prefix, 'bin/regate'), args, { cwd: tmp, env, encoding: 'utf8' });
    const v = regate('--version');
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(r.version);
    expect(readFileSync(join(prefix, 'bin/regate'), 'utf8')).toContain(`${prefix}/app/dist/cli/regate.js`);
    // units written by `regate install` run node <prefix>/bin/regate.mjs: the compiled program too
    const mjs = spawnSync(process.execPath, [join(prefix, 'bin/regate.mjs'), '--version'], { cwd: tmp, env, encoding: 'utf8' });
    expect(mjs.status, mjs.stderr).toBe(0);
    expect(mjs.stdout.trim()).toBe(r.version);
    // the native module, the migrations and the outbox SQL load from the installed tree
    const config = join(prefix, 'etc/regate.yaml');
    const stats = regate('--config', config, 'outbox', 'stats', '--json');
    expect(stats.status, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ pending: 0, dead: 0 });
    expect(existsSync(join(prefix, 'data/regate.sqlite'))).toBe(true);
    const backup = regate('--config', config, 'backup', join(tmp, 'b.sqlite'));
    expect(backup.status, backup.stderr).toBe(0);
    const add = regate('--config', config, 'user', 'add', 'admin', '--role', 'admin', '--password', 'admin-pass-1');
    expect(add.status, add.stderr).toBe(0);
    // a second install over the first keeps the configuration
    expect(spawnSync('./install.sh', ['--prefix', prefix, '--no-systemd'], { cwd: join(fresh, `regate-${r.version}-linux-x64`), env }).status).toBe(0);
    expect(readFileSync(config, 'utf8')).toContain('role: admin');
  });

  it('the Windows zip: install.ps1 with a UTF-8 BOM, WinSW pinned, no Linux native module', () => {
    expect(r.windows).toMatch(/regate-\d+\.\d+\.\d+-win-x64\.zip$/);
    const top = `regate-${r.version}-win-x64/`;
    const list = execFileSync('unzip', ['-Z1', r.windows!], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
    for (const f of ['install.ps1', 'winsw.json', 'regate-service.xml', 'regate.yaml', 'app/dist/cli/regate.js']) expect(list).toContain(top + f);
    expect(list.some((l) => l.endsWith('better_sqlite3.node'))).toBe(false);
    const ps1 = execFileSync('unzip', ['-p', r.windows!, top + 'install.ps1']);
    expect([...ps1.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(ps1.toString('utf8')).toContain(`ReGate ${r.version}`);
    expect(ps1.toString('utf8')).toContain('Get-FileHash');
    const service = execFileSync('unzip', ['-p', r.windows!, top + 'regate-service.xml'], { encoding: 'utf8' });
    expect(service).toContain(`<arguments>${DAEMON_NODE_FLAGS.join(' ')} "{{app}}`);
    const pin = JSON.parse(execFileSync('unzip', ['-p', r.windows!, top + 'winsw.json'], { encoding: 'utf8' }));
    expect(pin.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pin.url).toBe(`https://github.com/winsw/winsw/releases/download/v${pin.version}/WinSW-x64.exe`);
    expect(pin.sha256).toMatch(/^[0-9a-f]{64}$/); // install.ps1 refuses to install WinSW without it
  });

  it('--win-sqlite takes only a Windows x64 module (a PE image for AMD64), not the Linux one', () => {
    expect(() => checkWin64Module(join(process.cwd(), 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toThrow(/не модуль Windows x64/);
    const pe = Buffer.alloc(0x100);
    pe.write('MZ', 0, 'latin1');
    pe.writeUInt32LE(0x80, 0x3c);
    pe.write('PE\0\0', 0x80, 'latin1');
    pe.writeUInt16LE(0x8664, 0x84);
    const ok = join(tmp, 'x64.node');
    writeFileSync(ok, pe);
    expect(() => checkWin64Module(ok)).not.toThrow();
    pe.writeUInt16LE(0x014c, 0x84); // i386
    writeFileSync(ok, pe);
    expect(() => checkWin64Module(ok)).toThrow(/не модуль Windows x64/);
  });
});
