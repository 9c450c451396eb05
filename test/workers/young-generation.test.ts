import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DAEMON_NODE_FLAGS } from '../../src/node-flags.js';

/**
 * The daemon's --max-semi-space-size is for the API thread (src/node-flags.ts): a worker started the way ReGate starts
 * one (workerScript first) gets V8's default young generation, as before the flag, so the sync thread's memory does
 * not grow with it. V8 counts the young generation in heap_size_limit as three semi-spaces.
 */
const probe = `
import { Worker } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { workerScript } from './src/workers/script.ts';
const main = getHeapStatistics().heap_size_limit;
if (process.argv.includes('--through-workerScript')) workerScript('sync-worker');
const w = new Worker("const { parentPort } = await import('node:worker_threads'); const { getHeapStatistics } = await import('node:v8'); parentPort.postMessage(getHeapStatistics().heap_size_limit);", { eval: true });
w.once('message', (worker) => { console.log(JSON.stringify({ main, worker })); w.terminate(); });
`;
const MiB = 2 ** 20;

function limits(flags: readonly string[], ...args: string[]): { main: number; worker: number } {
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', probe, '--', ...args], { encoding: 'utf8', cwd: process.cwd() });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe("the daemon's Node flags", () => {
  it('give the API thread the larger young generation and every worker thread the default one', () => {
    expect(DAEMON_NODE_FLAGS).toContain('--max-semi-space-size=64');
    const plain = limits([]);
    const daemon = limits(DAEMON_NODE_FLAGS, '--through-workerScript');
    // The API thread: 3 × (64 − 16) MiB more than without the flag.
    expect((daemon.main - plain.main) / MiB).toBe(3 * (64 - 16));
    // A worker started after workerScript(): as without the flag.
    expect(daemon.worker).toBe(plain.worker);
    // Without the reset the worker would have inherited it (what the sync thread's 300 MB peak was, issue 19).
    const inherited = limits(DAEMON_NODE_FLAGS);
    expect((inherited.worker - plain.worker) / MiB).toBe(3 * (64 - 16));
  });
});
