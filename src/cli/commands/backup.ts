import type { Command } from 'commander';
import { configOf } from '../context.js';

export function register(program: Command) {
  program
    .command('backup')
    .argument('<file>', 'файл копии, например /var/backups/regate/regate-2026-12-02.sqlite')
    .description('резервная копия базы ReGate на ходу (API резервного копирования SQLite): службу останавливать не нужно')
    .option('--force', 'перезаписать существующий файл')
    .action(async (file: string, opts: { force?: boolean }, cmd: Command) => {
      const config = configOf(cmd);
      const { backupDatabase } = await import('../backup.js');
      const r = await backupDatabase(config.database.path, file, { force: opts.force });
      console.log(`Копия базы ${config.database.path} сохранена в ${r.file}: ${(r.bytes / 1048576).toFixed(1)} МБ, ${r.pages} страниц, ${r.ms} мс, проверка целостности пройдена.`);
    });
}
