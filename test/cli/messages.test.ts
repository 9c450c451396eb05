import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, explainError, translateConfigError, translateError } from '../../src/cli/main.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CYRILLIC = /[А-Яа-яЁё]/;
// Every command, including check, demo, emulator, status and install (bench and docs are other features' files
// but are Russian too).
const OTHERS = new Set<string>([]);

function* walk(cmd: Command, path: string[] = []): Generator<{ path: string; cmd: Command }> {
  for (const sub of cmd.commands) {
    const p = [...path, sub.name()];
    yield { path: p.join(' '), cmd: sub };
    yield* walk(sub, p);
  }
}

describe('CLI texts in Russian', () => {
  it('every description, option and argument of these commands is Russian (names and flags stay as they are)', async () => {
    const program = await buildProgram();
    const english: string[] = [];
    for (const { path, cmd } of walk(program)) {
      if (OTHERS.has(path.split(' ')[0])) continue;
      if (!CYRILLIC.test(cmd.description())) english.push(`${path}: ${cmd.description()}`);
      for (const o of cmd.options) if (!CYRILLIC.test(o.description)) english.push(`${path} ${o.flags}: ${o.description}`);
      for (const a of cmd.registeredArguments) if (a.description && !CYRILLIC.test(a.description)) english.push(`${path} <${a.name()}>: ${a.description}`);
    }
    expect(english).toEqual([]);
    const help = program.helpInformation();
    expect(help).toMatch(/^Использование: regate \[параметры\] \[команда\]/);
    expect(help).toContain('Команды:');
    expect(help).not.toMatch(/\b(Usage|Options|Commands):/);
  });

  it("commander's errors are translated", () => {
    expect(translateError("error: unknown option '--bogus'\n")).toBe("ошибка: неизвестный параметр '--bogus'\n");
    expect(translateError("error: unknown command 'lst'\n(Did you mean list?)\n")).toBe("ошибка: неизвестная команда 'lst'\n(может быть, list?)\n");
    expect(translateError("error: missing required argument 'file'\n")).toBe("ошибка: не указан обязательный аргумент 'file'\n");
  });

  it('configuration errors are Russian, key names kept', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config/index.js');
    const tmp = mkdtempSync(join(tmpdir(), 'regate-cfg-'));
    try {
      const bad = join(tmp, 'bad.yaml');
      (await import('node:fs')).writeFileSync(bad, 'server: {port: abc, porty: 1}\nonec: {sessions: 0, profile: x}\n');
      let msg = '';
      try {
        loadConfig({ file: bad, env: {} });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        msg = translateConfigError((e as Error).message);
      }
      expect(msg).toMatch(/^ошибки в конфигурации:/);
      expect(msg).toContain('server.port: неверное значение: ожидается число, получено не число');
      expect(msg).toContain('неизвестный ключ: porty');
      expect(msg).toContain('onec.sessions: слишком мало (число): нужно >=1');
      expect(msg).toContain('onec.profile: допустимые значения: "ut11.5"|"ut11.4"');
      expect(translateConfigError('config file not found: /etc/regate/regate.yaml')).toBe('нет файла конфигурации: /etc/regate/regate.yaml');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a busy port names the flag and the key that change it', () => {
    const e = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8443'), { code: 'EADDRINUSE', address: '127.0.0.1', port: 8443 });
    expect(explainError(e, ['node', 'regate', 'serve'])).toMatch(/^Порт 127\.0\.0\.1:8443 уже занят .*regate serve --port .*server\.port.*REGATE_SERVER_PORT/);
    expect(explainError(e, ['node', 'regate', 'demo'])).toMatch(/regate demo --port .*--emulator-port/);
  });

  it('regate serve on a busy port: exit 1 with that message, not a bare EADDRINUSE', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const tmp = mkdtempSync(join(tmpdir(), 'regate-port-'));
    try {
      const run = promisify(execFile);
      const env = { ...process.env, REGATE_DATABASE_PATH: join(tmp, 'r.sqlite'), REGATE_LOG_LEVEL: 'silent' };
      const err = await run(process.execPath, [join(repo, 'bin/regate.mjs'), 'serve', '--port', String(port)], { cwd: repo, env, timeout: 30_000 }).then(
        () => null,
        (e) => e,
      );
      expect(err?.code).toBe(1);
      expect(err.stderr.trim()).toBe(
        `Порт 127.0.0.1:${port} уже занят другой программой (возможно, уже запущен ReGate). Укажите другой порт: regate serve --port 8444, или ключ server.port в regate.yaml (переменная REGATE_SERVER_PORT).`,
      );
    } finally {
      blocker.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('regate check without a configuration says so (not a 401 from the demo emulator address), and says it in Russian once configured', async () => {
    const run = promisify(execFile);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGATE_')));
    const tmp = mkdtempSync(join(tmpdir(), 'regate-check-'));
    try {
      const bare = await run(process.execPath, [join(repo, 'bin/regate.mjs'), 'check'], { cwd: tmp, env, timeout: 30_000 }).then(() => null, (e) => e);
      expect(bare?.code).toBe(2);
      expect(bare.stderr).toMatch(/^Нет конфигурации: не указан файл \(--config\) и не задана переменная REGATE_ONEC_URL/);
      expect(bare.stderr).not.toMatch(/401|127\.0\.0\.1:8081/);
      // with a configuration naming a 1C nobody answers at: the reason, in Russian, with the address
      const cfg = join(tmp, 'regate.yaml');
      (await import('node:fs')).writeFileSync(cfg, 'onec:\n  url: http://127.0.0.1:9/base/odata/standard.odata\n  timeoutMs: 2000\n');
      const down = await run(process.execPath, [join(repo, 'bin/regate.mjs'), '--config', cfg, 'check'], { cwd: tmp, env, timeout: 30_000 }).then(() => null, (e) => e);
      expect(down?.code).toBe(2);
      expect(down.stderr).toMatch(/^не удалось прочитать \$metadata 1С \(http:\/\/127\.0\.0\.1:9\/base\/odata\/standard\.odata\): /);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
