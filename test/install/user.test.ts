import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { upsertUser, verifyPassword } from '../../src/install/index.js';

const run = promisify(execFile);
const repo = resolve(__dirname, '../..');
const dir = () => mkdtempSync(join(tmpdir(), 'regate-user-'));

const ORIGINAL = `# ReGate на складе №1 — комментарий администратора
server:
  port: 8088 # за Apache
onec:
  url: http://127.0.0.1/ut11/odata/standard.odata
  user: regate_odata
  password: "p@ss: word"
auth:
  lockoutAfterFailures: 5
  users:
    - name: richest
      passwordHash: scrypt$16384$8$1$AAAA$BBBB
`;

describe('regate user add', () => {
  it('appends a user, keeping other keys, comments and existing users', async () => {
    const file = join(dir(), 'regate.yaml');
    writeFileSync(file, ORIGINAL, { mode: 0o640 });
    expect(await upsertUser(file, 'оператор', 'пароль-123')).toEqual({ created: true });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# ReGate на складе №1 — комментарий администратора');
    expect(text).toContain('port: 8088 # за Apache');
    const config = parseConfig(parseYaml(text));
    expect(config.onec.password).toBe('p@ss: word');
    expect(config.auth.lockoutAfterFailures).toBe(5);
    expect(config.auth.users.map((u) => u.name)).toEqual(['richest', 'оператор']);
    expect(config.auth.users[0].passwordHash).toBe('scrypt$16384$8$1$AAAA$BBBB');
    expect(await verifyPassword('пароль-123', config.auth.users[1].passwordHash)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('replaces the hash of an existing user instead of adding a second entry', async () => {
    const file = join(dir(), 'regate.yaml');
    writeFileSync(file, ORIGINAL);
    expect(await upsertUser(file, 'richest', 'new-password-1')).toEqual({ created: false });
    const users = parseConfig(parseYaml(readFileSync(file, 'utf8'))).auth.users;
    expect(users).toHaveLength(1);
    expect(await verifyPassword('new-password-1', users[0].passwordHash)).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('keeps the owner and group of the file when run as root (root:regate 0640)', async () => {
    const { chownSync } = await import('node:fs');
    const file = join(dir(), 'owned.yaml');
    writeFileSync(file, ORIGINAL, { mode: 0o640 });
    chownSync(file, 0, 4242);
    await upsertUser(file, 'richest', 'changed-password');
    expect(statSync(file).gid).toBe(4242);
    expect(statSync(file).uid).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('creates the file (mode 0600) when it does not exist', async () => {
    const file = join(dir(), 'new.yaml');
    await upsertUser(file, 'richest', 'first-password');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseConfig(parseYaml(readFileSync(file, 'utf8'))).auth.users[0].name).toBe('richest');
  });

  it('refuses short passwords and leaves an invalid config untouched', async () => {
    const file = join(dir(), 'bad.yaml');
    writeFileSync(file, 'server:\n  port: "not a port"\n');
    await expect(upsertUser(file, 'richest', 'short')).rejects.toThrow(/8 characters/);
    await expect(upsertUser(file, 'richest', 'long-enough-1')).rejects.toThrow(/server\.port/);
    expect(readFileSync(file, 'utf8')).toBe('server:\n  port: "not a port"\n');
  });

  it('works from the command line with --config and --password', async () => {
    const file = join(dir(), 'cli.yaml');
    writeFileSync(file, ORIGINAL);
    const { stdout } = await run(process.execPath, [join(repo, 'bin/regate.mjs'), '--config', file, 'user', 'add', 'shop2', '--password', 'cli-password-9'], { cwd: repo });
    expect(stdout).toContain('shop2');
    const users = parseConfig(parseYaml(readFileSync(file, 'utf8'))).auth.users;
    expect(await verifyPassword('cli-password-9', users.find((u) => u.name === 'shop2')!.passwordHash)).toBe(true);
  });

  it('`regate install --non-interactive` writes the kit and prints the generated API password once', async () => {
    const out = join(dir(), 'kit');
    const { stdout } = await run(
      process.execPath,
      [join(repo, 'bin/regate.mjs'), 'install', '--non-interactive', '--out', out, '--base-name', 'trade', '--server-name', 'gw.example.ru', '--regate-port', '9090'],
      { cwd: repo },
    );
    for (const f of ['default.vrd', 'apache-1c-publication.conf', 'apache-regate-tls.conf', 'regate.service', 'regate.yaml', 'README.txt'])
      expect(existsSync(join(out, f)), f).toBe(true);
    const password = stdout.match(/Пароль пользователя API «richest».*: (\S+)/)?.[1];
    expect(password).toBeTruthy();
    const config = parseConfig(parseYaml(readFileSync(join(out, 'regate.yaml'), 'utf8')));
    expect(await verifyPassword(password!, config.auth.users[0].passwordHash)).toBe(true);
    expect(config.server.port).toBe(9090);
    expect(readFileSync(join(out, 'default.vrd'), 'utf8')).toContain('base="/trade"');
    expect(readFileSync(join(out, 'apache-regate-tls.conf'), 'utf8')).toContain('ProxyPass           / http://127.0.0.1:9090/');
  });
});
