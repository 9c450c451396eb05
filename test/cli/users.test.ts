import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { BankService } from '../../src/bank/import/index.js';
import { loadConfig } from '../../src/config/index.js';
import { addUser, listUsers, removeUser, setPassword, watchUsers } from '../../src/console/users.js';
import { openDb } from '../../src/db/open.js';
import { silentLogger } from '../../src/log.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(join(tmpdir(), 'regate-users-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const basic = (u: string, p: string) => ({ Authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64') });
const until = async (cond: () => Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
};

describe('regate user: file edits', () => {
  it('adds API and console users with roles, keeps comments, refuses a duplicate, changes passwords, removes', async () => {
    const file = join(tmp, 'a.yaml');
    writeFileSync(file, '# ReGate\nserver:\n  port: 9000 # порт\n');
    expect(await addUser(file, { name: 'shop', password: 'shop-pass-1', role: 'store' })).toEqual({ kind: 'api', created: true });
    expect(await addUser(file, { name: 'buh', password: 'buh-pass-12', role: 'accountant', fullName: 'Иванова А. П.' })).toEqual({ kind: 'console', created: true });
    await expect(addUser(file, { name: 'shop', password: 'other-pass-1', role: 'bank' })).rejects.toThrow(/уже есть/);
    await expect(addUser(file, { name: 'x', password: 'short', role: 'store' })).rejects.toThrow(/не короче 8/);
    await expect(addUser(file, { name: 'x', password: 'long-enough', role: 'root' as never })).rejects.toThrow(/неизвестна/);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# ReGate');
    expect(text).toContain('port: 9000 # порт');
    const c = loadConfig({ file, env: {} });
    expect(listUsers(c)).toEqual([
      { kind: 'api', name: 'shop', role: 'store' },
      { kind: 'console', name: 'buh', role: 'accountant', fullName: 'Иванова А. П.' },
    ]);
    const before = c.auth.users[0].passwordHash;
    await setPassword(file, 'shop', 'new-shop-pass');
    expect(loadConfig({ file, env: {} }).auth.users[0].passwordHash).not.toBe(before);
    await expect(removeUser(file, 'nobody')).rejects.toThrow(/нет пользователя «nobody»/);
    await removeUser(file, 'buh');
    expect(loadConfig({ file, env: {} }).console.users).toEqual([]);
  });
});

describe('a running app picks up user changes without a restart', async () => {
  const file = join(tmp, 'live.yaml');
  writeFileSync(file, 'log:\n  level: silent\n');
  await addUser(file, { name: 'shop', password: 'shop-pass-1', role: 'store' });
  const config = loadConfig({ file, env: {} });
  const db = openDb(':memory:');
  const app = createApp({ config, logger: silentLogger, services: { bank: new BankService(db), health: { ready: async () => ({ ready: true, checks: [] }) } } as never });
  const stop = watchUsers(config, file, silentLogger, 20);
  afterAll(() => {
    stop();
    db.close();
  });
  const status = async (user: string, pass: string, path = '/api/v1/bank/unmatched') => (await app.request(path, { headers: basic(user, pass) })).status;

  it('bank review list: 403 for role store, 200 for role bank (documented in OpenAPI)', async () => {
    expect(await status('shop', 'shop-pass-1')).toBe(403);
    const doc = (await (await app.request('/openapi.json')).json()) as any;
    expect(doc.paths['/api/v1/bank/unmatched'].get.responses['403'].description).toMatch(/роли bank/);
    await addUser(file, { name: 'buh-api', password: 'bank-pass-1', role: 'bank' });
    expect(await until(async () => (await status('buh-api', 'bank-pass-1')) === 200)).toBe(true);
    expect(await status('shop', 'shop-pass-1')).toBe(403);
  });

  it('a new password works and the old one stops at once (no 5-minute credential cache); a removed user gets 401', async () => {
    expect(await status('buh-api', 'bank-pass-1')).toBe(200); // cached as verified
    await setPassword(file, 'buh-api', 'bank-pass-2');
    expect(await until(async () => (await status('buh-api', 'bank-pass-2')) === 200)).toBe(true);
    expect(await status('buh-api', 'bank-pass-1')).toBe(401);
    await removeUser(file, 'buh-api');
    expect(await until(async () => (await status('buh-api', 'bank-pass-2')) === 401)).toBe(true);
  });

  it('a file that no longer parses leaves the users as they were', async () => {
    writeFileSync(file, readFileSync(file, 'utf8') + 'server:\n  port: "не порт"\n');
    await new Promise((r) => setTimeout(r, 150));
    expect(config.auth.users.map((u) => u.name)).toEqual(['shop']);
    expect(await status('shop', 'shop-pass-1')).toBe(403);
  });
});

describe('regate user (CLI)', () => {
  const run = promisify(execFile);
  const regate = (...args: string[]) => run(process.execPath, [join(repo, 'bin/regate.mjs'), ...args], { cwd: repo });
  it('add --role, list, passwd from stdin, remove; messages in Russian', async () => {
    const file = join(tmp, 'cli.yaml');
    writeFileSync(file, '');
    const add = await regate('--config', file, 'user', 'add', 'buh', '--role', 'accountant', '--full-name', 'Петрова Е. С.', '--password', 'buh-pass-12');
    expect(add.stdout).toMatch(/Добавлен пользователь консоли «buh» \(роль accountant\)/);
    const list = await regate('--config', file, 'user', 'list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([{ kind: 'console', name: 'buh', role: 'accountant', fullName: 'Петрова Е. С.' }]);
    const child = execFile(process.execPath, [join(repo, 'bin/regate.mjs'), '--config', file, 'user', 'passwd', 'buh'], { cwd: repo });
    child.stdin!.end('changed-pass-1\n');
    await new Promise((r) => child.on('close', r));
    const { verifyPassword } = await import('../../src/install/password.js');
    expect(await verifyPassword('changed-pass-1', loadConfig({ file, env: {} }).console.users[0].passwordHash)).toBe(true);
    await regate('--config', file, 'user', 'remove', 'buh');
    expect(loadConfig({ file, env: {} }).console.users).toEqual([]);
    await expect(regate('user', 'remove', 'buh')).rejects.toMatchObject({ stderr: expect.stringMatching(/укажите файл конфигурации/) });
  });
});
