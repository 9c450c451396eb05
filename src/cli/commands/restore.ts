import type { Command } from 'commander';
import { configOf } from '../context.js';

export function register(program: Command) {
  program
    .command('restore')
    .argument('<file>', 'файл, снятый командой regate backup')
    .description('восстановить базу ReGate из копии; служба должна быть остановлена, прежняя база сохраняется рядом')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const config = configOf(cmd);
      const { restoreDatabase } = await import('../backup.js');
      const r = restoreDatabase(file, config.database.path);
      console.log(
        `База ${r.dbPath} восстановлена из ${file} (${(r.bytes / 1048576).toFixed(1)} МБ).` +
          (r.previous ? ` Прежняя база сохранена как ${r.previous}.` : '') +
          ' Запустите ReGate: systemctl start regate (Windows: Start-Service regate).',
      );
    });
}
