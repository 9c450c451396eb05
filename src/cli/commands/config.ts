import type { Command } from 'commander';
import { stringify } from 'yaml';
import { maskSecrets } from '../../config/index.js';
import { configOf } from '../context.js';

export function register(program: Command) {
  const config = program.command('config').description('configuration commands');
  config
    .command('check')
    .description('print the resolved configuration (secrets masked), or each invalid key with its error')
    .option('--json', 'print JSON instead of YAML')
    .action((opts, cmd: Command) => {
      const resolved = maskSecrets(configOf(cmd));
      console.log(opts.json ? JSON.stringify(resolved, null, 2) : stringify(resolved));
    });
}
