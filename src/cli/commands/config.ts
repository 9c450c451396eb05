import type { Command } from 'commander';
import { stringify } from 'yaml';
import { maskSecrets } from '../../config/index.js';
import { configOf } from '../context.js';

export function register(program: Command) {
  const config = program.command('config').description('конфигурация');
  config
    .command('check')
    .description('показать итоговую конфигурацию (секреты скрыты) или каждый неверный ключ с ошибкой')
    .option('--json', 'JSON вместо YAML')
    .action((opts, cmd: Command) => {
      const resolved = maskSecrets(configOf(cmd));
      console.log(opts.json ? JSON.stringify(resolved, null, 2) : stringify(resolved));
    });
}
