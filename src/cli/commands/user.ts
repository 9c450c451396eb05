import type { Command } from 'commander';
import { rootOf } from '../context.js';

/**
 * `regate user add|list|remove|passwd`: API users (roles store, bank) and console users (admin, accountant) in the
 * configuration file. A running daemon watches the file and applies the change within a second or two, no restart.
 */
export function register(program: Command) {
  const user = program
    .command('user')
    .description('пользователи: API (роли store, bank) и веб-консоли (роли admin, accountant); работающий ReGate подхватывает изменения без перезапуска');

  user
    .command('add <name>')
    .description('добавить пользователя (файл конфигурации из глобального --config; остальные ключи и комментарии сохраняются)')
    .option(
      '--role <role>',
      'store — API магазина (каталог, заказы); bank — API магазина и список банковских платежей; admin, accountant — веб-консоль /console',
      'store',
    )
    .option('--full-name <text>', 'ФИО для консоли: показывается на страницах и пишется в журнал решений по платежам')
    .option('--password <password>', 'пароль (без него спрашивается без эха или читается из stdin)')
    .option('--replace', 'заменить пароль и роль, если пользователь уже есть')
    .action(async (name: string, opts: { role: string; fullName?: string; password?: string; replace?: boolean }, cmd: Command) => {
      const file = configFile(cmd, `regate --config /etc/regate/regate.yaml user add ${name} --role ${opts.role}`);
      const { addUser } = await import('../../console/users.js');
      const password = opts.password ?? (await readPassword(name));
      const r = await addUser(file, { name, password, role: opts.role as never, fullName: opts.fullName }, { replace: opts.replace });
      console.log(
        `${r.created ? 'Добавлен' : 'Обновлён'} пользователь ${r.kind === 'api' ? 'API' : 'консоли'} «${name}» (роль ${opts.role}) в ${file}. ` +
          'Работающий ReGate применит изменение в течение пары секунд.',
      );
    });

  user
    .command('list')
    .description('пользователи API и консоли с ролями (без паролей)')
    .option('--json', 'вывести JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { configOf } = await import('../context.js');
      const { listUsers } = await import('../../console/users.js');
      const rows = listUsers(configOf(cmd));
      if (opts.json) return console.log(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return console.log('пользователей нет: regate user add ИМЯ --role store');
      const w = Math.max(...rows.map((r) => r.name.length), 3);
      console.log(`${'где'.padEnd(8)}${'имя'.padEnd(w + 2)}${'роль'.padEnd(12)}ФИО`);
      for (const r of rows) console.log(`${(r.kind === 'api' ? 'API' : 'консоль').padEnd(8)}${r.name.padEnd(w + 2)}${r.role.padEnd(12)}${r.fullName ?? ''}`);
    });

  user
    .command('remove <name>')
    .description('удалить пользователя; его вход перестаёт работать без перезапуска ReGate')
    .option('--api', 'только среди пользователей API')
    .option('--console', 'только среди пользователей консоли')
    .action(async (name: string, opts: { api?: boolean; console?: boolean }, cmd: Command) => {
      const file = configFile(cmd, `regate --config /etc/regate/regate.yaml user remove ${name}`);
      const { removeUser } = await import('../../console/users.js');
      const r = await removeUser(file, name, kindOpt(opts));
      console.log(`Удалён пользователь ${r.kind === 'api' ? 'API' : 'консоли'} «${name}» из ${file}.`);
    });

  user
    .command('passwd <name>')
    .description('сменить пароль; старый перестаёт работать без перезапуска ReGate')
    .option('--password <password>', 'новый пароль (без него спрашивается без эха или читается из stdin)')
    .option('--api', 'только среди пользователей API')
    .option('--console', 'только среди пользователей консоли')
    .action(async (name: string, opts: { password?: string; api?: boolean; console?: boolean }, cmd: Command) => {
      const file = configFile(cmd, `regate --config /etc/regate/regate.yaml user passwd ${name}`);
      const { setPassword } = await import('../../console/users.js');
      const password = opts.password ?? (await readPassword(name));
      const r = await setPassword(file, name, password, kindOpt(opts));
      console.log(`Пароль пользователя ${r.kind === 'api' ? 'API' : 'консоли'} «${name}» изменён в ${file}.`);
    });
}

function configFile(cmd: Command, example: string): string {
  const file = rootOf(cmd).opts().config as string | undefined;
  if (!file) throw new Error(`укажите файл конфигурации: ${example}`);
  return file;
}

function kindOpt(o: { api?: boolean; console?: boolean }): 'api' | 'console' | undefined {
  if (o.api && o.console) throw new Error('--api и --console вместе не имеют смысла');
  return o.api ? 'api' : o.console ? 'console' : undefined;
}

/** On a terminal: asked twice without echo. Otherwise the first line of stdin (scripts: `echo … | regate user add`). */
async function readPassword(name: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
    if (!line) throw new Error('пароль не задан: --password или первая строка stdin');
    return line;
  }
  const { createPrompter } = await import('../../install/prompt.js');
  const p = createPrompter();
  try {
    const password = await p.secret(`Пароль для ${name}`);
    const again = await p.secret('Ещё раз');
    if (again !== password) throw new Error('пароли не совпадают');
    return password;
  } finally {
    p.close();
  }
}
