import type { Command } from 'commander';
import { configOf } from '../context.js';

export function register(program: Command) {
  const docs = program.command('docs').description('документация API');
  docs
    .command('export')
    .argument('[dir]', 'папка для записи (то же, что --out)')
    .description('записать для демонстрационного сервера: OpenAPI JSON, статический Swagger UI, коллекцию Postman и клиентов PHP и TypeScript')
    .option('-o, --out <dir>', 'папка для записи', './regate-api-docs')
    .option('--server <url>', 'адрес API в описании и в коллекции Postman (по умолчанию server.publicUrl)')
    .action(async (dir: string | undefined, opts, cmd: Command) => {
      const config = configOf(cmd);
      const out = dir ?? opts.out;
      const { exportDocs } = await import('../../api/docs-export.js');
      const files = await exportDocs(config, out, opts.server);
      const clients = files.filter((f) => f.startsWith('clients'));
      console.log(
        `Записано в ${out}:\n${files.filter((f) => !f.startsWith('clients')).map((f) => `  ${f}`).join('\n')}\n` +
          (clients.length ? `  clients/ (${clients.length} файлов: clients/php — пакет Composer с examples/quickstart.php, clients/ts — клиент TypeScript)\n` : '') +
          `Откройте index.html через любой веб-сервер (например: npx http-server ${out}); коллекцию импортируйте в Postman (File → Import).`,
      );
    });
}
