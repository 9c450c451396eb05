import type { Command } from 'commander';
import { configOf } from '../context.js';

const STATES = ['pending', 'running', 'done', 'dead', 'dropped'] as const;

/**
 * `regate outbox …` — the administrator's view of the job queue: what is waiting, what died and why, and the two
 * remedies (retry, drop). Works on the database file directly, so it can run next to the daemon (SQLite WAL +
 * busy_timeout); the daemon's worker picks retried jobs up on its next poll.
 */
export function register(program: Command) {
  const outbox = program.command('outbox').description('inspect and repair the delivery queue to 1C');

  outbox
    .command('list')
    .description('list jobs, newest first')
    .option('-s, --state <state>', `only this state: ${STATES.join('|')}`)
    .option('-n, --limit <n>', 'at most this many rows', '50')
    .option('--json', 'print JSON')
    .action(async (opts: { state?: string; limit: string; json?: boolean }, cmd: Command) => {
      if (opts.state && !(STATES as readonly string[]).includes(opts.state))
        throw new Error(`--state must be one of ${STATES.join(', ')}`);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit must be a positive integer');
      await withDb(cmd, async (db, o) => {
        const jobs = o.listJobs(db, { state: opts.state as (typeof STATES)[number] | undefined, limit });
        if (opts.json) return console.log(JSON.stringify(jobs, null, 2));
        if (!jobs.length) return console.log(opts.state ? `no ${opts.state} jobs` : 'the outbox is empty');
        const now = Date.now();
        console.log(
          table(
            ['id', 'state', 'kind', 'key', 'att', 'when', 'last error'],
            jobs.map((j) => {
              const b = j.state === 'pending' ? o.blockerOf(db, j) : undefined;
              const w = b ? `waits for #${b.id} (${b.state})` : when(j, now);
              return [String(j.id), j.state, j.kind, j.key, String(j.attempts), w, oneLine(j.lastError ?? '', 70)];
            }),
          ),
        );
      });
    });

  outbox
    .command('show <id>')
    .description('one job in full: payload, result, last error')
    .action(async (id: string, _opts, cmd: Command) => {
      await withDb(cmd, async (db, o) => {
        const job = o.getJob(db, jobId(id));
        if (!job) throw new Error(`no job #${id}`);
        console.log(JSON.stringify(job, null, 2));
      });
    });

  outbox
    .command('retry [id]')
    .description('run a dead job again with fresh attempts (or a pending one now); --all-dead for every dead job')
    .option('--all-dead', 'retry every dead job, oldest first')
    .action(async (id: string | undefined, opts: { allDead?: boolean }, cmd: Command) => {
      if (!id === !opts.allDead) throw new Error('give a job id or --all-dead (not both)');
      await withDb(cmd, async (db, o) => {
        if (opts.allDead) {
          const r = o.retryAllDead(db);
          console.log(r.retried.length ? `retried ${r.retried.length}: #${r.retried.join(', #')}` : 'no dead jobs');
          for (const x of r.refused) console.error(`#${x.id} not retried: ${x.reason}`);
          if (r.refused.length) process.exitCode = 1;
          return;
        }
        report(o.retryJob(db, jobId(id!)), `job #${id} will run again`);
      });
    });

  outbox
    .command('drop <id>')
    .description('give up on a pending or dead job: kept for audit as dropped; later jobs of its key may run')
    .option('-r, --reason <text>', 'why (kept with the job)', 'dropped by admin')
    .action(async (id: string, opts: { reason: string }, cmd: Command) => {
      await withDb(cmd, async (db, o) => {
        report(o.dropJob(db, jobId(id), opts.reason), `job #${id} dropped`);
      });
    });

  outbox
    .command('purge')
    .description('delete done and dropped jobs finished more than --days ago (dead jobs are kept)')
    .requiredOption('--days <n>', 'keep this many days of history')
    .action(async (opts: { days: string }, cmd: Command) => {
      const days = Number(opts.days);
      if (!(days >= 0)) throw new Error('--days must be a number of days, 0 or more');
      await withDb(cmd, async (db, o) => {
        console.log(`purged ${o.purgeFinished(db, days * 86_400_000)} finished jobs`);
      });
    });

  outbox
    .command('stats')
    .description('depth, running, dead, oldest pending age')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withDb(cmd, async (db, o) => {
        const s = o.stats(db);
        if (opts.json) return console.log(JSON.stringify(s));
        console.log(
          table(
            ['pending', 'running', 'dead', 'oldest pending', 'retrying', 'max attempts'],
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
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a job id: ${s}`);
  return n;
}

function report(r: { ok: true } | { ok: false; reason: string }, ok: string): void {
  if (r.ok) console.log(ok);
  else {
    console.error(r.reason);
    process.exitCode = 1;
  }
}

function when(j: { state: string; runAt: number; finishedAt: number | null }, now: number): string {
  if (j.state === 'pending') return j.runAt > now ? `retry in ${duration(j.runAt - now)}` : 'due';
  if (j.state === 'running') return j.runAt > now ? `lease ${duration(j.runAt - now)}` : 'lease expired';
  return j.finishedAt ? `${duration(now - j.finishedAt)} ago` : '';
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
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
