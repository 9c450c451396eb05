import type { Command } from 'commander';
import { configOf } from '../context.js';

export function register(program: Command) {
  const docs = program.command('docs').description('API documentation');
  docs
    .command('export')
    .description('write the OpenAPI JSON and a static Swagger UI folder (for hosting the spec on a demonstration server)')
    .option('-o, --out <dir>', 'output folder', './regate-api-docs')
    .option('--server <url>', 'the API address shown in the spec (default server.publicUrl)')
    .action(async (opts, cmd: Command) => {
      const config = configOf(cmd);
      const { exportDocs } = await import('../../api/docs-export.js');
      const files = await exportDocs(config, opts.out, opts.server);
      console.log(`Записано в ${opts.out}:\n${files.map((f) => `  ${f}`).join('\n')}\nОткройте index.html через любой веб-сервер (например: npx http-server ${opts.out}).`);
    });
}
