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

Остановить: Ctrl+C.`);
      await untilSignal();
      await server.close();
      await rt.stop();
      await emulator.close();
    });
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
