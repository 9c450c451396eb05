import type { Command } from 'commander';
import { configOf } from '../context.js';

export function register(program: Command) {
  program
    .command('sync')
    .description('refresh the catalogue mirror from 1C now (full, or --stock for stock and prices only)')
    .option('--stock', 'only stock and prices (the frequent job)')
    .option('--no-pictures', 'skip fetching missing pictures')
    .option('--allow-empty', 'accept an empty answer from 1C for a set the mirror has rows of (normally refused: it is what hidden rights look like)')
    .action(async (opts, cmd: Command) => {
      const config = configOf(cmd);
      const { openDb } = await import('../../db/open.js');
      const { ODataClient } = await import('../../onec/index.js');
      const { runFullSync, runStockSync } = await import('../../catalog/sync.js');
      const { fetchMissingPictures } = await import('../../catalog/pictures.js');
      const { SingleBar, Presets } = await import('cli-progress');
      const db = openDb(config.database.path);
      const onec = new ODataClient({ ...config.onec });
      try {
        if (opts.stock) {
          const r = await runStockSync({ db, onec, config, allowEmpty: Boolean(opts.allowEmpty) });
          console.log(`остатки: ${r.stockRows} строк, цены: ${r.priceRows} строк, ${r.requests} запросов OData, ${r.ms} мс`);
          return;
        }
        const bar = new SingleBar({ format: 'синхронизация [{bar}] {value}/{total} {step}', hideCursor: true }, Presets.shades_classic);
        bar.start(15, 0, { step: '' });
        const r = await runFullSync({ db, onec, config, allowEmpty: Boolean(opts.allowEmpty), onProgress: (step, done) => bar.update(done, { step }) });
        bar.stop();
        console.log(`товаров: ${r.items} (изменилось ${r.changed}); запросов OData: ${r.requests} (нижняя граница ${r.lowerBound}); ${r.ms} мс`);
        if (opts.pictures) {
          const p = await fetchMissingPictures({ db, onec, config });
          console.log(`картинки: загружено ${p.fetched}, не найдено ${p.missing}, запросов ${p.requests}`);
        }
      } finally {
        await onec.close();
        db.close();
      }
    });
}
