import type { Command } from 'commander';

/** Flag → option name; the same names the prompts fill. */
const FLAGS = [
  ['--target <target>', 'apache | iis | both (по умолчанию: apache на Linux, iis на Windows)', 'target'],
  ['--os <os>', 'linux | windows: для какого сервера комплект (по умолчанию: для этого)', 'os'],
  ['--out <dir>', 'куда записать комплект', 'out'],
  ['--base-name <name>', 'имя информационной базы на сервере 1С (Ref=)', 'baseName'],
  ['--ib-server <host>', 'сервер кластера 1С (Srvr=)', 'ibServer'],
  ['--ib-file <dir>', 'папка файловой базы (File=) вместо серверной', 'ibFile'],
  ['--publication <name>', 'имя публикации: http://сервер/<имя>/odata/standard.odata', 'publication'],
  ['--publication-dir <dir>', 'папка публикации (в ней default.vrd)', 'publicationDir'],
  ['--onec-allow <who>', 'кому доступна публикация 1С: local | all | список адресов', 'onecAllow'],
  ['--onec-url <url>', 'адрес OData, к которому обращается ReGate', 'onecUrl'],
  ['--odata-user <name>', 'пользователь 1С, под которым входит ReGate', 'odataUser'],
  ['--odata-password <password>', 'его пароль (по умолчанию: создаётся)', 'odataPassword'],
  ['--server-name <host>', 'внешнее DNS-имя ReGate (имя в сертификате TLS)', 'serverName'],
  ['--https-port <port>', 'внешний порт HTTPS', 'httpsPort'],
  ['--cert <file>', 'цепочка сертификатов TLS (PEM)', 'cert'],
  ['--key <file>', 'закрытый ключ TLS (PEM)', 'key'],
  ['--regate-port <port>', 'локальный порт, который слушает ReGate', 'regatePort'],
  ['--api-user <name>', 'пользователь API для Richest.store', 'apiUser'],
  ['--api-password <password>', 'его пароль (по умолчанию: создаётся и печатается один раз)', 'apiPassword'],
  ['--platform-path <dir>', 'папка платформы 1С (wsap24.so / wsisapi.dll, webinst)', 'platformPath'],
  ['--install-dir <dir>', 'куда установлен сам ReGate', 'installDir'],
  ['--config-path <file>', 'где на сервере будет regate.yaml', 'configPath'],
  ['--data-dir <dir>', 'папка данных ReGate (SQLite)', 'dataDir'],
  ['--node-path <file>', 'исполняемый файл node для службы', 'nodePath'],
  ['--service-user <name>', 'системная учётная запись службы (Linux)', 'serviceUser'],
  ['--onec-target <release>', 'редакция УТ, для которой собирается часть 1С: 11.4 | 11.5.20 (по умолчанию 11.5.20)', 'onecTarget'],
  ['--onec-base-dump <dir>', 'выгрузка конфигурации базы (XML Конфигуратора): расширение собирается ровно под эту базу', 'onecBaseDump'],
] as const;

export function register(program: Command) {
  const cmd = program
    .command('install')
    .description('создать комплект установки: default.vrd, настройки Apache/IIS, TLS, служба, regate.yaml, README.txt, расширение и обработка 1С')
    .option('--non-interactive', 'ничего не спрашивать: только параметры и значения по умолчанию');
  for (const [flag, help] of FLAGS) cmd.option(flag, help);
  cmd.action(async (opts: Record<string, string | boolean | undefined>) => {
    const { resolveOptions, generateKit, writeKit } = await import('../../install/index.js');
    const given: Record<string, string> = {};
    for (const [, , key] of FLAGS) if (typeof opts[key] === 'string') given[key] = opts[key] as string;
    const interactive = !opts.nonInteractive && Boolean(process.stdin.isTTY);
    const generated = { odata: !given.odataPassword, api: !given.apiPassword };
    let options = resolveOptions(given as never);
    if (interactive) {
      const { askOptions } = await import('../../install/ask.js');
      options = await askOptions(given as never);
      generated.odata = false;
      generated.api = false;
    }
    const { onecKit } = await import('../../install/onec-kit.js');
    const onec = onecKit(options);
    const files = await generateKit(options, onec);
    const paths = writeKit(options.out, files);
    console.log(`Комплект установки записан в ${options.out}:`);
    for (const p of paths.filter((x) => !/[\\/]onec-(extension|epf)[\\/]/.test(x))) console.log(`  ${p}`);
    console.log(`  ${options.out}/onec-epf/ — обработка ReGate_НастройкаOData (XML)`);
    if (onec.build) {
      const b = onec.build;
      console.log(
        `  ${options.out}/onec-extension/ — расширение ReGate для ${onec.target.label}: формат ${b.formatVersion}, ` +
          `режим совместимости расширения ${b.extensionCompatibilityMode}, CompatibilityMode ${b.compatibilityMode}, ` +
          `заимствовано ${b.adopted.length} объектов (профиль ${onec.target.profile})`,
      );
      if (b.absent.length) console.log(`  нужны профилю, но в базе их нет: ${b.absent.map((x) => x.fullName).join(', ')}`);
    } else console.log(`ВНИМАНИЕ: ${onec.problem}\n  regate.yaml записан с onec.extension: false.`);
    if (generated.api) console.log(`\nПароль пользователя API «${options.apiUser}» (сохраните, в файлах только хеш): ${options.apiPassword}`);
    if (generated.odata) console.log(`Пароль пользователя 1С «${options.odataUser}» (записан в regate.yaml): ${options.odataPassword}`);
    console.log(`\nДальше:\n` +
      `  1. Соберите (build-1c.${options.os === 'windows' ? 'ps1' : 'sh'}) и подключите расширение ReGate, создайте пользователя 1С «${options.odataUser}» с ролями из README.txt.\n` +
      `  2. Запустите обработку ReGate_НастройкаOData: «Добавить в состав OData».\n` +
      `  3. Опубликуйте базу (webinst или готовые файлы), включите TLS и прокси.\n` +
      `  4. Установите службу ReGate и проверьте https://${options.serverName}/api/v1/state.\n` +
      `Команды по шагам: ${options.out}/README.txt; подробно: docs/ru/install-${options.os === 'windows' ? 'windows-iis' : 'linux-apache'}.md`);
  });
}
