/**
 * Child processes for the benchmarks: each server under test runs in its own Node process (forked with tsx), so
 * the load generator and the server never share an event loop. A child talks to the parent over the IPC channel:
 * it sends { type: 'ready', ...info } once listening, answers { id, call, args } with { id, result | error }, and
 * exits on 'stop' after reporting its own resource usage.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DAEMON_NODE_FLAGS } from '../../src/node-flags.js';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = dirname(BENCH_DIR);

export interface Child<Ready = Record<string, unknown>> {
  name: string;
  pid: number;
  ready: Ready;
  call<T = unknown>(call: string, ...args: unknown[]): Promise<T>;
  /** Asks the child to stop; resolves with what it reported (resource usage), or kills it after 10 s. */
  stop(): Promise<ChildUsage | undefined>;
}

export interface ChildUsage {
  maxRssMB: number;
  userCpuMs: number;
  systemCpuMs: number;
}

export interface ForkOptions {
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  execArgv?: string[];
  /** Milliseconds to wait for 'ready' (generation + sync of a big base takes a while). */
  readyTimeoutMs?: number;
  /** Print the child's stderr (it is kept otherwise and shown only when the child fails). */
  verbose?: boolean;
  /** Environment variables for the child on top of the bench's own. */
  env?: Record<string, string>;
}

export async function forkChild<Ready = Record<string, unknown>>(script: string, args: unknown, opts: ForkOptions = {}): Promise<Child<Ready>> {
  const file = join(BENCH_DIR, 'proc', script);
  // The daemon (regate.ts) runs with the Node flags the installed service has (src/node-flags.ts): the bench measures
  // what is installed. Not the sync's stand-in (sync.ts): the daemon's sync thread does not get them. opts.execArgv
  // comes after, so it wins.
  const daemon = /(^|\/)regate\.ts$/.test(script) ? DAEMON_NODE_FLAGS : [];
  const cp: ChildProcess = fork(file, [JSON.stringify(args)], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx', ...daemon, ...(opts.execArgv ?? [])],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', ...opts.env },
  });
  const name = script.replace(/\.ts$/, '');
  // BENCH_EMULATOR_NICE=-10: the 1C stand-in above the rest of the host, as a 1C server of its own would be — it shares
  // the bench's 2 cores with the load generator and ReGate, and a turn of its loop that comes late holds a 1C session
  // idle (the booking suite's "1C's pool busy"). Threads it starts later inherit it. Needs root or CAP_SYS_NICE.
  if (name === 'emulator' && process.env.BENCH_EMULATOR_NICE && cp.pid) {
    try {
      setPriority(cp.pid, Number(process.env.BENCH_EMULATOR_NICE));
    } catch (e) {
      process.stderr.write(`BENCH_EMULATOR_NICE: not set (${(e as Error).message})\n`);
    }
  }
  let stderr = '';
  cp.stdout!.on('data', (d) => (opts.verbose ? process.stderr.write(`[${name}] ${d}`) : undefined));
  cp.stderr!.on('data', (d) => {
    stderr = (stderr + d).slice(-20_000);
    if (opts.verbose) process.stderr.write(`[${name}] ${d}`);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let usage: ChildUsage | undefined;
  const exited = new Promise<void>((resolve) => cp.once('exit', () => resolve()));
  cp.on('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal}) during a call\n${stderr}`));
    pending.clear();
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready within ${opts.readyTimeoutMs ?? 120_000} ms\n${stderr}`)), opts.readyTimeoutMs ?? 120_000);
    cp.on('message', (m: any) => {
      if (m?.type === 'ready') {
        clearTimeout(timer);
        resolve(m.info as Ready);
      } else if (m?.type === 'usage') usage = m.usage;
      else if (m?.id && pending.has(m.id)) {
        const p = pending.get(m.id)!;
        pending.delete(m.id);
        if (m.error) p.reject(new Error(`${name}.${m.call}: ${m.error}`));
        else p.resolve(m.result);
      }
    });
    cp.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready\n${stderr}`));
    });
  });
  return {
    name,
    pid: cp.pid!,
    ready,
    call: (call, ...a) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        cp.send({ id, call, args: a });
      }),
    async stop() {
      if (cp.exitCode !== null || cp.signalCode !== null) return usage;
      cp.send({ type: 'stop' });
      const timer = setTimeout(() => cp.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      return usage;
    },
  };
}

/** The child side: serve calls from the parent until 'stop', then report usage and exit. */
export function serveParent(info: Record<string, unknown>, handlers: Record<string, (...args: any[]) => unknown>, onStop?: () => Promise<void> | void): void {
  const send = (m: unknown) => process.send?.(m);
  process.on('message', async (m: any) => {
    if (m?.type === 'stop') {
      try {
        await onStop?.();
      } finally {
        send({ type: 'usage', usage: usageNow() });
        // Let the IPC message leave before exiting.
        setTimeout(() => process.exit(0), 50);
      }
      return;
    }
    if (!m?.id) return;
    const h = handlers[m.call];
    try {
      if (!h) throw new Error(`no such call: ${m.call}`);
      send({ id: m.id, call: m.call, result: await h(...(m.args ?? [])) });
    } catch (e) {
      send({ id: m.id, call: m.call, error: e instanceof Error ? e.stack ?? e.message : String(e) });
    }
  });
  // The parent died: do not linger as an orphan server.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', info });
}

export function usageNow(): ChildUsage {
  const u = process.resourceUsage();
  return { maxRssMB: u.maxRSS / 1024, userCpuMs: u.userCPUTime / 1000, systemCpuMs: u.systemCPUTime / 1000 };
}

export function argsOf<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}
