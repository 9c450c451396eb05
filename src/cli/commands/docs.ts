import type { Command } from 'commander';
import { configOf } from '../context.js';

export function register(program: Command) {
  const docs = program.command('docs').description('документация API');
  docs
    .command('export')
    .description('записать OpenAPI JSON и папку со статическим Swagger UI (чтобы выложить описание на демонстрационном сервере)')
    .option('-o, --out <dir>', 'папка для записи', './regate-api-docs')
    .option('--server <url>', 'адрес API в описании (по умолчанию server.publicUrl)')
    .action(async (opts, cmd: Command) => {
      const config = configOf(cmd);
      const { exportDocs } = await import('../../api/docs-export.js');
      const files = await exportDocs(config, opts.out, opts.server);
      console.log(`Записано в ${opts.out}:\n${files.map((f) => `  ${f}`).join('\n')}\nОткройте index.html через любой веб-сервер (например: npx http-server ${opts.out}).`);
    });
}
