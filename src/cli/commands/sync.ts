import type { Command } from 'commander';
import { configOf } from '../context.js';

export function register(program: Command) {
  program
    .command('sync')
    .description('обновить зеркало каталога из 1С сейчас (полностью или --stock: только остатки и цены)')
    .option('--stock', 'только остатки и цены (частое задание)')
    .option('--no-pictures', 'не загружать недостающие картинки')
    .option('--allow-empty', 'принять пустой ответ 1С для набора, в котором у зеркала есть строки (обычно отвергается: так выглядят скрытые правами данные)')
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
        console.log(`товаров: ${r.items} (изменилось ${r.changed}); запросов OData: ${r.requests} (постранично ${r.requests - r.keyed} при нижней границе ${r.lowerBound}, по ключу ${r.keyed}: файлы описаний, упаковки); ${r.ms} мс`);
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
