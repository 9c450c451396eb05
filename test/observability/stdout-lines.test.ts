import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { createLogger } from '../../src/log.js';

const LOG = fileURLToPath(new URL('../../src/log.ts', import.meta.url));

// The daemon's log goes to standard output through sonic-boom in chunks of at most 2 KiB (src/log.ts stdoutLines):
// at its default 16 KiB every line re-measured the whole pending chunk, ~11 KB allocated per 300-byte line.
describe('log lines on standard output', () => {
  it('are written in chunks of at most 2 KiB', () => {
    const stream = (createLogger('info') as unknown as Record<symbol, { maxWrite?: number }>)[pino.symbols.streamSym];
    expect(stream.maxWrite).toBe(2048);
  });

  it('all reach the pipe, whole and in order, when the process exits right after writing them', () => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(LOG)});
      const log = createLogger('info');
      for (let i = 0; i < 5000; i++) log.info({ i, pad: 'ж'.repeat(i % 300) }, 'line');
      process.exit(0);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { i: number; pad: string });
    expect(lines).toHaveLength(5000);
    expect(lines.every((l, k) => l.i === k && l.pad.length === k % 300)).toBe(true);
  });
});
