import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The README's demo command must start on a machine where 8080 and 8081 are already taken. */
const root = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'regate-busy-'));
const blockers: Server[] = [];
afterAll(() => {
  for (const b of blockers) b.close();
  rmSync(work, { recursive: true, force: true });
});

const hold = (port: number) =>
  new Promise<void>((done) => {
    const s = createServer();
    // Already taken by another program: busy either way.
    s.once('error', () => done());
    s.listen(port, '127.0.0.1', () => {
      blockers.push(s);
      done();
    });
  });

describe('regate demo with busy default ports', () => {
  it('takes free ports, says so, and answers', async () => {
    await hold(8080);
    await hold(8081);
    const child = spawn(process.execPath, [join(root, 'bin/regate.mjs'), 'demo', '--items', '40', '--db', join(work, 'demo.sqlite')], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const end = Date.now() + 60_000;
      while (!/  API\s+http:\/\/[\d.]+:\d+/.test(out) && Date.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/Порт 8080 занят другой программой/);
      const base = /  API\s+(http:\/\/[\d.]+:\d+)/.exec(out)![1];
      expect(base).not.toMatch(/:8080$/);
      const r = await fetch(`${base}/api/v1/city`, { headers: { Authorization: 'Basic ' + Buffer.from('demo:demo').toString('base64') } });
      expect(r.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);
});
