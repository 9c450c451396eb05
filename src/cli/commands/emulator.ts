import type { Command } from 'commander';

/**
 * `regate emulator`: the 1C emulator as a standalone process, loaded with the demo УТ 11 base — a stand-in 1C for
 * trying ReGate without a real base, and a target for load tests. Faults can be set at start or at run time
 * through POST /__emulator/faults.
 */
export function register(program: Command) {
  program
    .command('emulator')
    .description('запустить эмулятор OData 1С с созданной демо-базой УТ 11 (вместо настоящей 1С: для пробы и нагрузочных тестов)')
    .option('-p, --port <port>', 'порт (0 — любой свободный)', '8081')
    .option('--host <host>', 'адрес прослушивания', '127.0.0.1')
    .option('--publication <name>', 'имя публикации (адрес /<имя>/odata/standard.odata)', 'demo')
    .option('--items <n>', 'сколько товаров в демо-базе', '2000')
    .option('--seed <seed>', 'зерно генератора (то же зерно — та же база)', '1')
    .option('--dump <dir>', 'публиковать то, что описано в этой выгрузке конфигурации (XML Конфигуратора, например ../shared/reference/ut-dumps/ut-11.4.2-xml)')
    .option('--configuration <id>', 'встроенная настоящая конфигурация, если нет --dump: ut-11.5.20 или ut-11.4.2', 'ut-11.5.20')
    .option('--no-extension', 'публиковать конфигурацию без расширения ReGate (onec/extension)')
    .option('--user <name:password>', 'пользователь Basic-авторизации (можно несколько раз)', collect, [])
    .option('--no-auth', 'принимать запросы без логина и пароля')
    .option('--timezone <zone>', 'часовой пояс IANA для часов сервера (даты документов), например Europe/Moscow')
    .option('--admin-port <port>', 'отдельный порт для /__emulator/ (работает, пока порт OData «упал»)')
    .option('--unpublish <sets>', 'не публиковать эти наборы (через запятую) — как при слишком узком УстановитьСоставСтандартногоИнтерфейсаOData')
    .option('--faults <json>', 'сбои с самого начала, например \'{"latencyMs":300,"errorRate":0.05,"seed":1}\'')
    .action(async (opts, _cmd: Command) => {
      const { startEmulator } = await import('../../emulator/index.js');
      // The generator of the configuration given (УТ, ERP/КА, УНФ: src/emulator/demo/configurations.ts).
      const { generateDemoFor } = await import('../../emulator/demo/configurations.js');
      const t0 = Date.now();
      const base = generateDemoFor({ seed: opts.seed, items: Number(opts.items), configuration: configurationChoice(opts) });
      for (const p of base.extensionProblems) console.warn(`Расширение ReGate: ${p}`);
      const users = opts.auth
        ? (opts.user as string[]).length
          ? (opts.user as string[]).map((u) => {
              const i = u.indexOf(':');
              return i < 0 ? { name: u, password: '' } : { name: u.slice(0, i), password: u.slice(i + 1) };
            })
          : [{ name: 'odata', password: 'odata' }]
        : undefined;
      const em = await startEmulator({
        port: Number(opts.port),
        host: opts.host,
        publication: opts.publication,
        users,
        base,
        timezone: opts.timezone,
        adminPort: opts.adminPort === undefined ? undefined : Number(opts.adminPort),
        faults: opts.faults ? JSON.parse(opts.faults) : undefined,
        composition: opts.unpublish ? narrowed(base.config.sets.map((d) => d.name), String(opts.unpublish)) : undefined,
      });
      const items = em.store.count('Catalog_Номенклатура');
      console.log(`Эмулятор 1С (${base.config.name} ${base.config.version}, ${base.config.source}${base.extension ? ' + расширение ReGate' : ', без расширения ReGate'}): товаров ${items}, готов за ${Date.now() - t0} мс`);
      console.log(`OData:         ${em.url}`);
      console.log(users ? `Пользователи:  ${users.map((u) => `${u.name} / ${u.password || '(пустой пароль)'}`).join(', ')}` : 'Пользователи:  (без авторизации)');
      console.log(`Сбои:          ${em.adminUrl}/faults  (GET — посмотреть; POST JSON — изменить, например {"latencyMs":500} или {"down":true,"downForMs":5000})`);
      console.log(`Попробуйте:    curl -u ${users ? `'${users[0].name}:${users[0].password}'` : 'x:x'} '${em.url}/Catalog_%D0%9D%D0%BE%D0%BC%D0%B5%D0%BD%D0%BA%D0%BB%D0%B0%D1%82%D1%83%D1%80%D0%B0?$format=json&$top=2'`);
      const stop = async () => {
        await em.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

/** --dump / --configuration / --no-extension → what the emulator publishes (shared with `regate demo`). */
export function configurationChoice(opts: { dump?: string; configuration?: string; extension?: boolean }) {
  const embedded = opts.configuration ?? 'ut-11.5.20';
  if (embedded !== 'ut-11.5.20' && embedded !== 'ut-11.4.2') throw new Error(`--configuration: ut-11.5.20 или ut-11.4.2, а не ${embedded}`);
  return { dump: opts.dump, embedded: embedded as 'ut-11.5.20' | 'ut-11.4.2', extension: opts.extension !== false };
}

/** Every set of the configuration but the ones named (the composition a careless administrator might set). */
function narrowed(all: string[], unpublish: string): string[] {
  const drop = new Set(unpublish.split(',').map((x) => x.trim()).filter(Boolean));
  const unknown = [...drop].filter((x) => !all.includes(x));
  if (unknown.length) throw new Error(`--unpublish: нет такого набора: ${unknown.join(', ')}`);
  return all.filter((x) => !drop.has(x));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
