import type { Command } from 'commander';
import { outboxReasonRu } from '../../console/data.js';
import { configOf } from '../context.js';

const STATES = ['pending', 'running', 'done', 'dead', 'dropped'] as const;

/**
 * `regate outbox …` — the administrator's view of the job queue: what is waiting, what died and why, and the two
 * remedies (retry, drop). Works on the database file directly, so it can run next to the daemon (SQLite WAL +
 * busy_timeout); the daemon's worker picks retried jobs up on its next poll.
 */
export function register(program: Command) {
  const outbox = program.command('outbox').description('очередь доставки в 1С: просмотр и исправление');

  outbox
    .command('list')
    .description('задания, новые сначала')
    .option('-s, --state <state>', `только в этом состоянии: ${STATES.join('|')}`)
    .option('-n, --limit <n>', 'не больше стольких строк', '50')
    .option('--json', 'вывести JSON')
    .action(async (opts: { state?: string; limit: string; json?: boolean }, cmd: Command) => {
      if (opts.state && !(STATES as readonly string[]).includes(opts.state))
        throw new Error(`--state: одно из ${STATES.join(', ')}`);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit: целое число больше нуля');
      const { decodeUrlText } = await import('../../log.js'); // 1C's Cyrillic paths in the errors, readable
      await withDb(cmd, async (db, o) => {
        const jobs = o.listJobs(db, { state: opts.state as (typeof STATES)[number] | undefined, limit });
        if (opts.json) return console.log(JSON.stringify(jobs, null, 2));
        if (!jobs.length) return console.log(opts.state ? `нет заданий в состоянии ${opts.state}` : 'очередь пуста');
        const now = Date.now();
        console.log(
          table(
            ['id', 'состояние', 'вид', 'ключ', 'попыток', 'когда', 'последняя ошибка'],
            jobs.map((j) => {
              const b = j.state === 'pending' ? o.blockerOf(db, j) : undefined;
              const w = b ? `ждёт #${b.id} (${b.state})` : when(j, now);
              return [String(j.id), j.state, j.kind, j.key, String(j.attempts), w, oneLine(decodeUrlText(j.lastError ?? ''), 70)];
            }),
          ),
        );
      });
    });

  outbox
    .command('show <id>')
    .description('задание целиком: данные, результат, последняя ошибка')
    .action(async (id: string, _opts, cmd: Command) => {
      const { decodeUrlText } = await import('../../log.js');
      await withDb(cmd, async (db, o) => {
        const job = o.getJob(db, jobId(id));
        if (!job) throw new Error(`нет задания #${id}`);
        console.log(JSON.stringify({ ...job, lastError: job.lastError === null ? null : decodeUrlText(job.lastError) }, null, 2));
      });
    });

  outbox
    .command('retry [id]')
    .description('запустить «мёртвое» задание снова с новыми попытками (ждущее — сейчас же); --all-dead — все мёртвые')
    .option('--all-dead', 'повторить все мёртвые задания, старые сначала')
    .action(async (id: string | undefined, opts: { allDead?: boolean }, cmd: Command) => {
      if (!id === !opts.allDead) throw new Error('укажите номер задания или --all-dead (не оба)');
      await withDb(cmd, async (db, o) => {
        if (opts.allDead) {
          const r = o.retryAllDead(db);
          console.log(r.retried.length ? `запущено снова: ${r.retried.length}: #${r.retried.join(', #')}` : 'мёртвых заданий нет');
          for (const x of r.refused) console.error(`#${x.id} не запущено: ${outboxReasonRu(x.reason)}`);
          if (r.refused.length) process.exitCode = 1;
          return;
        }
        report(o.retryJob(db, jobId(id!)), `задание #${id} будет выполнено снова`);
      });
    });

  outbox
    .command('drop <id>')
    .description('снять ждущее или мёртвое задание: остаётся в базе для аудита как dropped; следующие задания того же заказа пойдут')
    .option('-r, --reason <text>', 'почему (хранится с заданием)', 'снято администратором')
    .action(async (id: string, opts: { reason: string }, cmd: Command) => {
      await withDb(cmd, async (db, o) => {
        report(o.dropJob(db, jobId(id), opts.reason), `задание #${id} снято`);
      });
    });

  outbox
    .command('purge')
    .description('удалить выполненные и снятые задания старше --days дней (мёртвые не удаляются)')
    .requiredOption('--days <n>', 'сколько дней истории оставить')
    .action(async (opts: { days: string }, cmd: Command) => {
      const days = Number(opts.days);
      if (!(days >= 0)) throw new Error('--days: число дней, 0 или больше');
      await withDb(cmd, async (db, o) => {
        console.log(`удалено завершённых заданий: ${o.purgeFinished(db, days * 86_400_000)}`);
      });
    });

  outbox
    .command('stats')
    .description('глубина очереди, выполняются, мёртвые, возраст самого старого ждущего')
    .option('--json', 'вывести JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withDb(cmd, async (db, o) => {
        const s = o.stats(db);
        if (opts.json) return console.log(JSON.stringify(s));
        console.log(
          table(
            ['ждут', 'выполняются', 'мёртвых', 'старейшее ждёт', 'на повторе', 'макс. попыток'],
            [[String(s.pending), String(s.running), String(s.dead), duration(s.oldestPendingAgeMs), String(s.retrying), String(s.maxAttempts)]],
          ),
        );
      });
    });
}

type OutboxModule = typeof import('../../outbox/index.js');
type Db = import('../../db/open.js').Db;

async function withDb(cmd: Command, fn: (db: Db, o: OutboxModule) => Promise<void> | void): Promise<void> {
  const { openDb } = await import('../../db/open.js');
  const o = await import('../../outbox/index.js');
  const db = openDb(configOf(cmd).database.path);
  try {
    await fn(db, o);
  } finally {
    db.close();
  }
}

function jobId(s: string): number {
  const n = Number(s.replace(/^#/, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`не номер задания: ${s}`);
  return n;
}

function report(r: { ok: true } | { ok: false; reason: string }, ok: string): void {
  if (r.ok) console.log(ok);
  else {
    console.error(outboxReasonRu(r.reason));
    process.exitCode = 1;
  }
}

function when(j: { state: string; runAt: number; finishedAt: number | null }, now: number): string {
  if (j.state === 'pending') return j.runAt > now ? `повтор через ${duration(j.runAt - now)}` : 'пора';
  if (j.state === 'running') return j.runAt > now ? `занято ещё ${duration(j.runAt - now)}` : 'занятость истекла';
  return j.finishedAt ? `${duration(now - j.finishedAt)} назад` : '';
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} с`;
  if (s < 3600) return `${Math.floor(s / 60)} мин ${String(s % 60).padStart(2, '0')} с`;
  if (s < 86400) return `${Math.floor(s / 3600)} ч ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} мин`;
  return `${Math.floor(s / 86400)} д ${Math.floor((s % 86400) / 3600)} ч`;
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}
