import type { Command } from 'commander';
import { rmSync } from 'node:fs';
import { configOf } from '../context.js';
import { untilSignal } from './serve.js';

export const DEMO_API_USER = { name: 'demo', password: 'demo' };
export const DEMO_CONSOLE_ADMIN = { name: 'admin', password: 'admin' };
export const DEMO_CONSOLE_ACCOUNTANT = { name: 'buh', password: 'buh' };
export const DEMO_ONEC_USER = { name: 'odata', password: 'odata' };

export function register(program: Command) {
  program
    .command('demo')
    .description('запустить ReGate перед встроенным эмулятором 1С с созданной демо-базой (УТ 11.5)')
    .option('--items <n>', 'сколько товаров в демо-базе', '2000')
    .option('--seed <n>', 'зерно генератора (то же зерно — та же база)', '42')
    .option('--port <port>', 'порт ReGate', '8080')
    .option('--emulator-port <port>', 'порт эмулятора 1С', '8081')
    .option('--db <file>', 'файл SQLite (создаётся заново при каждом запуске)', './data/demo.sqlite')
    .option('--dump <dir>', 'эмулировать базу этой выгрузки конфигурации (XML Конфигуратора, например ../shared/reference/ut-dumps/ut-11.4.2-xml)')
    .option('--configuration <id>', 'встроенная настоящая конфигурация, если нет --dump: ut-11.5.20 или ut-11.4.2', 'ut-11.5.20')
    .option('--no-extension', 'база без расширения ReGate (ReGate работает с onec.extension: false)')
    .action(async (opts, cmd: Command) => {
      const started = Date.now();
      // The generator and profile of the configuration given (УТ, ERP/КА, УНФ …: src/onec/profiles/select.ts).
      const { generateDemoFor } = await import('../../emulator/demo/configurations.js');
      const { startEmulator } = await import('../../emulator/index.js');
      const { hashPassword } = await import('../../install/password.js');
      const { createLogger } = await import('../../log.js');
      const { createRuntime } = await import('../../runtime.js');
      const { startServer } = await import('../../api/server.js');
      const { runFullSync } = await import('../../catalog/sync.js');

      const { configurationChoice } = await import('./emulator.js');
      const base = generateDemoFor({ seed: Number(opts.seed), items: Number(opts.items), configuration: configurationChoice(opts) });
      for (const p of base.extensionProblems) console.warn(`Расширение ReGate: ${p}`);
      // A default port another program holds is not a reason for the newcomer's demo to fail: take a free one and
      // say so. A port given on the command line is kept (and a clash reported) as asked.
      const portOf = async (name: 'port' | 'emulatorPort') => {
        const wanted = Number(opts[name]);
        if (cmd.getOptionValueSource(name) !== 'default' || (await portFree(wanted))) return wanted;
        console.warn(`Порт ${wanted} занят другой программой: демо займёт свободный порт (свой порт — ключ --${name === 'port' ? 'port' : 'emulator-port'}).`);
        return 0;
      };
      const emulator = await startEmulator({ base, port: await portOf('emulatorPort'), users: [DEMO_ONEC_USER] });
      const apiPort = await portOf('port');
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${opts.db}${suffix}`, { force: true });
      const config = configOf(cmd, {
        'onec.url': emulator.url,
        'onec.user': DEMO_ONEC_USER.name,
        'onec.password': DEMO_ONEC_USER.password,
        'database.path': opts.db,
        'server.port': apiPort,
        'server.host': '127.0.0.1',
        // The demo's store user may also see the bank review list (role bank), as a store's back office would.
        'auth.users': [{ name: DEMO_API_USER.name, passwordHash: await hashPassword(DEMO_API_USER.password), role: 'bank' }],
        'console.users': [
          { name: DEMO_CONSOLE_ADMIN.name, passwordHash: await hashPassword(DEMO_CONSOLE_ADMIN.password), role: 'admin' },
          { name: DEMO_CONSOLE_ACCOUNTANT.name, fullName: 'Бухгалтер (демо)', passwordHash: await hashPassword(DEMO_CONSOLE_ACCOUNTANT.password), role: 'accountant' },
        ],
        'onec.profile': base.profile.id,
        'onec.extension': base.extension,
      });
      const logger = createLogger(config.log.level === 'info' ? 'warn' : config.log.level);
      const rt = createRuntime(config, logger);
      await rt.adaptToBase();
      process.stdout.write(`${base.config.name} ${base.config.version}${base.extension ? ' с расширением ReGate' : ' без расширения ReGate'}. Синхронизация каталога из эмулятора 1С… `);
      const report = await runFullSync({ ...rt, profile: rt.profile });
      const { fetchMissingPictures } = await import('../../catalog/pictures.js');
      await fetchMissingPictures({ ...rt, profile: rt.profile }).catch(() => undefined);
      console.log(`готово: ${report.items} товаров, ${report.requests} запросов OData, ${report.ms} мс`);
      const server = await startServer(rt.app, config);
      rt.start();
      const u = server.url;
      const store = rt.db.prepare('SELECT id FROM catalog_stores ORDER BY name LIMIT 1').pluck().get() as string;
      const byBox = boxedItem(rt.db, rt.profile.id);
      const api = `curl -u ${DEMO_API_USER.name}:${DEMO_API_USER.password} -H 'Content-Type: application/json' ${u}/api/v1`;
      console.log(`
Демо ReGate запущено (${((Date.now() - started) / 1000).toFixed(1)} с).

  Swagger UI      ${u}/docs
  OpenAPI         ${u}/openapi.json
  API             ${u}/api/v1   (Basic-авторизация: ${DEMO_API_USER.name} / ${DEMO_API_USER.password})
  Консоль         ${u}/console   (администратор: admin / admin, бухгалтер: buh / buh)
  Эмулятор 1С     ${emulator.url}   (Basic-авторизация: ${DEMO_ONEC_USER.name} / ${DEMO_ONEC_USER.password})

Попробуйте:
  curl -u ${DEMO_API_USER.name}:${DEMO_API_USER.password} ${u}/api/v1/state
  curl -u ${DEMO_API_USER.name}:${DEMO_API_USER.password} ${u}/api/v1/city
  curl -u ${DEMO_API_USER.name}:${DEMO_API_USER.password} '${u}/api/v1/assortment?store=${store}&pageSize=2'
${
  byBox
    ? `
Заказ упаковкой: «${byBox.itemName}» — ${byBox.name} (${byBox.ratio} в упаковке, packagings в assortment), две упаковки:
  ${api}/client -d '{"clientId":"DEMO-C-1","name":"Иванов Иван"}'
  ${api}/booking -d '{"orderId":"DEMO-O-1","clientId":"DEMO-C-1","store":"${byBox.store}","deliveryAddress":"Москва, ул. Тверская, 1","items":[{"itemId":"${byBox.item}","packagingId":"${byBox.packaging}","quantity":2}]}'
`
    : ''
}
Остановить: Ctrl+C.`);
      await untilSignal();
      await server.close();
      await rt.stop();
      await emulator.close();
    });
}

/**
 * Issue 17: an item of the demo base sold by a box (packagings[] of the assortment) that can be booked as two boxes at
 * a store: no variants, in stock for them, its minimum and multiplicity met. Only where lines by a packaging are
 * written (УТ, ERP: OrdersOptions.sellsByPackaging); undefined otherwise.
 */
function boxedItem(db: import('../../db/open.js').Db, profileId: string) {
  if (!/^(ut|erp)/.test(profileId)) return undefined;
  return db
    .prepare(
      `SELECT p.item_id AS item, i.name AS itemName, p.id AS packaging, p.name, p.ratio, s.store_id AS store
         FROM catalog_item_packagings p JOIN catalog_items i ON i.id = p.item_id JOIN catalog_stock s ON s.item_id = p.item_id
        WHERE p.ratio > 1 AND i.sold_to_order = 0 AND s.quantity >= 2 * p.ratio AND i.min_quantity <= 2 * p.ratio
          AND (i.multiplicity <= 0 OR abs(2 * p.ratio / i.multiplicity - round(2 * p.ratio / i.multiplicity)) < 1e-6)
          AND EXISTS (SELECT 1 FROM catalog_prices c WHERE c.item_id = p.item_id AND c.price > 0)
          AND NOT EXISTS (SELECT 1 FROM catalog_variants v WHERE v.item_id = p.item_id)
        ORDER BY p.ratio = 12 DESC, s.quantity DESC LIMIT 1`,
    )
    .get() as { item: string; itemName: string; packaging: string; name: string; ratio: number; store: string } | undefined;
}

/** Whether 127.0.0.1:port can be listened on now. */
async function portFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
