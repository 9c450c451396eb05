import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = (n: string) => join(root, 'test/fixtures/bank', n);
const regate = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/regate.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });

describe('regate bank parse', () => {
  it('prints the statement as JSON: balances and amounts in kopecks, directions, a summary', () => {
    const r = regate('bank', 'parse', fixture('several-accounts.txt'), '--compact');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toEqual({ documents: 3, incoming: 1, incomingKopecks: 50001, outgoing: 0, internal: 1, unknown: 1 });
    expect(out.header.encoding).toBe('utf-8');
    expect(out.accounts.map((a: { closingBalance: number }) => a.closingBalance)).toEqual([400000, 150001]);
    expect(out.documents.map((d: { direction: string; amountKopecks: number }) => [d.direction, d.amountKopecks])).toEqual([
      ['internal', 100000],
      ['incoming', 50001],
      ['unknown', 99],
    ]);
  });

  it('a broken file: exit code 2 and file:line: reason on stderr, nothing on stdout', () => {
    const f = fixture('broken-cut-mid-document.txt');
    const r = regate('bank', 'parse', f);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(`${f}:80: файл обрывается посреди строки ("Назначение") внутри документа, начатого в строке 52: файл обрезан? [TRUNCATED]`);
  });
});
