import type { Command } from 'commander';

/** Flag → option name; the same names the prompts fill. */
const FLAGS = [
  ['--target <target>', 'apache | iis | both (default: apache on Linux, iis on Windows)', 'target'],
  ['--os <os>', 'linux | windows: the server the kit is for (default: this one)', 'os'],
  ['--out <dir>', 'where to write the kit', 'out'],
  ['--base-name <name>', 'infobase name on the 1C server (Ref=)', 'baseName'],
  ['--ib-server <host>', '1C server cluster host (Srvr=)', 'ibServer'],
  ['--ib-file <dir>', 'file infobase folder (File=) instead of a server one', 'ibFile'],
  ['--publication <name>', 'publication name: http://host/<name>/odata/standard.odata', 'publication'],
  ['--publication-dir <dir>', 'folder of the publication (default.vrd lives there)', 'publicationDir'],
  ['--onec-allow <who>', 'who may reach the 1C publication: local | all | addresses', 'onecAllow'],
  ['--onec-url <url>', 'OData base ReGate calls', 'onecUrl'],
  ['--odata-user <name>', '1C user ReGate logs in as', 'odataUser'],
  ['--odata-password <password>', "that user's password (default: generated)", 'odataPassword'],
  ['--server-name <host>', 'public DNS name of ReGate (TLS certificate name)', 'serverName'],
  ['--https-port <port>', 'public HTTPS port', 'httpsPort'],
  ['--cert <file>', 'TLS certificate chain (PEM)', 'cert'],
  ['--key <file>', 'TLS private key (PEM)', 'key'],
  ['--regate-port <port>', 'loopback port ReGate listens on', 'regatePort'],
  ['--api-user <name>', 'Richest.store API user', 'apiUser'],
  ['--api-password <password>', 'its password (default: generated, printed once)', 'apiPassword'],
  ['--platform-path <dir>', '1C platform binaries (wsap24.so / wsisapi.dll, webinst)', 'platformPath'],
  ['--install-dir <dir>', 'where ReGate itself is installed', 'installDir'],
  ['--config-path <file>', 'where regate.yaml goes on the server', 'configPath'],
  ['--data-dir <dir>', 'ReGate data folder (SQLite)', 'dataDir'],
  ['--node-path <file>', 'node executable for the service', 'nodePath'],
  ['--service-user <name>', 'system account of the service (Linux)', 'serviceUser'],
  ['--onec-target <release>', 'УТ release the 1C side is built for: 11.4 | 11.5.20 (default 11.5.20)', 'onecTarget'],
  ['--onec-base-dump <dir>', "Designer XML dump of the base's configuration: build the extension for exactly that base", 'onecBaseDump'],
] as const;

export function register(program: Command) {
  const cmd = program
    .command('install')
    .description('generate the installation kit: default.vrd, Apache/IIS configs, TLS, service, regate.yaml, README.txt')
    .option('--non-interactive', 'take flags and defaults, ask nothing');
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
