import { describe, it, expect, vi, afterEach } from 'vitest';
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { register } from '../../src/cli/commands/outbox.js';
import { openDb } from '../../src/db/open.js';
import { enqueue, claim, fail, getJob, PermanentError } from '../../src/outbox/index.js';
import { tempDbPath } from './helpers.js';

const policy = { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 60_000, leaseMs: 60_000 };

async function run(config: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  process.exitCode = undefined;
  const program = new Command('regate').option('-c, --config <file>').exitOverride();
  register(program);
  try {
    await program.parseAsync(['node', 'regate', '-c', config, 'outbox', ...args]);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  const code = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { out: out.join('\n'), err: err.join('\n'), code };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('regate outbox', () => {
  it('lists with a readable table, shows what a job waits for, retries and drops', async () => {
    const path = tempDbPath();
    const config = join(dirname(path), 'regate.json');
    writeFileSync(config, JSON.stringify({ database: { path } }));
    const db = openDb(path);
    const b = enqueue(db, { kind: 'booking.create', key: 'ord-1', payload: { n: 1 } }).id;
    const p = enqueue(db, { kind: 'payment.card', key: 'ord-1', payload: {} }).id;
    const j = claim(db, { policy, holder: { host: 'h', pid: 1, boot: 'x' } })!;
    fail(db, j.id, j.leaseToken, new PermanentError('1C 400: Номенклатура не найдена'), { policy });

    const list = await run(config, 'list');
    expect(list.out.split('\n')[0]).toMatch(/^id\s+состояние\s+вид\s+ключ\s+попыток\s+когда\s+последняя ошибка$/);
    expect(list.out).toMatch(new RegExp(`^${p}\\s+pending\\s+payment.card\\s+ord-1\\s+0\\s+ждёт #${b} \\(dead\\)`, 'm'));
    expect(list.out).toContain('permanent: 1C 400: Номенклатура не найдена');
    expect((await run(config, 'list', '--state', 'dead')).out.split('\n')).toHaveLength(3);
    expect((await run(config, 'list', '--state', 'done')).out).toBe('нет заданий в состоянии done');
    await expect(run(config, 'list', '--state', 'zombie')).rejects.toThrow(/--state: одно из/);
    expect(JSON.parse((await run(config, 'stats', '--json')).out)).toMatchObject({ pending: 1, dead: 1 });

    expect(await run(config, 'retry', String(b))).toMatchObject({ out: `задание #${b} будет выполнено снова`, code: 0 });
    expect(getJob(db, b)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await run(config, 'retry', '999')).toMatchObject({ err: 'нет задания #999', code: 1 });
    expect(await run(config, 'drop', String(b), '--reason', 'cancelled by the store')).toMatchObject({ code: 0 });
    expect(getJob(db, b)).toMatchObject({ state: 'dropped' });
    expect(getJob(db, b)!.lastError).toContain('cancelled by the store');
    expect((await run(config, 'list', '-n', '1')).out).toMatch(new RegExp(`^${p}\\s+pending.*\\sпора(\\s|$)`, 'm')); // released
    expect(await run(config, 'retry', '--all-dead')).toMatchObject({ out: 'мёртвых заданий нет', code: 0 });
    await expect(run(config, 'retry')).rejects.toThrow(/номер задания или --all-dead/);
    db.close();
  });
});
