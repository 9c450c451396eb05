import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { parseConfig } from '../../src/config/index.js';
import { REVIEW_REASON } from '../../src/bank/import/index.js';
import { register } from '../../src/cli/commands/bank.js';

// docs/ru/bank.md quotes the configuration, the reason codes and the commands: keep them true.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const md = readFileSync(join(root, 'docs/ru/bank.md'), 'utf8');

describe('docs/ru/bank.md', () => {
  it('the yaml example is a valid configuration with the values it claims', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(md)![1];
    const c = parseConfig(parseYaml(yaml));
    expect(c.bank).toMatchObject({ processedDir: 'processed', failedDir: 'failed', settleMs: 5000, cron: '*/10 * * * *', ownAccounts: ['40702810900000000001'] });
    expect(c.bank.api).toMatchObject({ kind: 'tochka', accountId: '40702810900000000001/044525104', lookbackDays: 3, readyTimeoutMs: 60000 });
  });

  it('the reason table lists every code with the wording the CLI and API use', () => {
    const rows = [...md.matchAll(/^\| `([a-z-]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(REVIEW_REASON);
  });

  it('every command in the table exists', () => {
    const program = new Command();
    register(program);
    const bank = program.commands.find((c) => c.name() === 'bank')!;
    const documented = [...md.matchAll(/^\| `regate bank (\w+)/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(bank.commands.map((c) => c.name()).sort());
  });
});
