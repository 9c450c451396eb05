import type { Command } from 'commander';
import { rootOf } from '../context.js';

export function register(program: Command) {
  const user = program.command('user').description('API users (Basic auth) in the configuration file');
  user
    .command('add <name>')
    .description('add a user or change its password; the file keeps all other keys (uses the global --config)')
    .option('--password <password>', 'the password (asked without echo when omitted)')
    .action(async (name: string, opts: { password?: string }, cmd: Command) => {
      const file = rootOf(cmd).opts().config as string | undefined;
      if (!file) throw new Error('give the configuration file: regate --config /etc/regate/regate.yaml user add NAME');
      let password = opts.password;
      if (password === undefined) {
        if (!process.stdin.isTTY) throw new Error('--password is required when not on a terminal');
        const { createPrompter } = await import('../../install/prompt.js');
        const p = createPrompter();
        try {
          password = await p.secret(`Пароль для ${name}`);
          const again = await p.secret('Ещё раз');
          if (again !== password) throw new Error('passwords differ');
        } finally {
          p.close();
        }
      }
      const { upsertUser } = await import('../../install/config-file.js');
      const { created } = await upsertUser(file, name, password);
      console.log(`${created ? 'Добавлен' : 'Обновлён'} пользователь API «${name}» в ${file}. Перезапустите ReGate, чтобы он прочитал файл.`);
    });
}
