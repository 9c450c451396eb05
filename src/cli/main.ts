import { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../config/index.js';
import { VERSION } from '../version.js';

/**
 * `regate` — every command is a file in ./commands exporting `register(program)`. Discovering them keeps each
 * feature's command next to nothing else, and lets features add commands without editing a shared list.
 * Heavy modules are imported inside each action, so `regate --help` stays fast.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command('regate')
    .description('ReGate: REST gateway between 1C:Enterprise (OData) and Richest.store')
    .version(VERSION)
    .option('-c, --config <file>', 'configuration file (YAML or JSON); REGATE_* variables override it')
    .showHelpAfterError();
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  for (const file of files) {
    const mod = await import(pathToFileURL(join(dir, file)).href);
    if (typeof mod.register === 'function') mod.register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
