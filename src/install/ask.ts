import { createPrompter } from './prompt.js';
import { generatePassword, resolveOptions, type InstallOptions } from './options.js';

/** Interactive `regate install`: each question shows the default that Enter accepts; flags already given are not asked. */
export async function askOptions(
  given: Partial<InstallOptions>,
  io: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream; log?: (line: string) => void } = {},
): Promise<InstallOptions> {
  const p = createPrompter(io.input, io.output);
  const log = io.log ?? ((line: string) => console.log(line));
  try {
    const g: Partial<InstallOptions> = { ...given };
    const ask = async <K extends keyof InstallOptions>(key: K, question: string) => {
      if (given[key] !== undefined) return;
      const def = resolveOptions(g)[key];
      (g as Record<string, unknown>)[key] = await p.ask(question, String(def));
    };
    await ask('os', 'ОС сервера (linux / windows)');
    await ask('target', 'Веб-сервер (apache / iis / both)');
    await ask('baseName', 'Имя информационной базы на сервере 1С');
    await ask('ibServer', 'Сервер 1С (кластер)');
    await ask('publication', 'Имя публикации (латиницей)');
    await ask('platformPath', 'Каталог платформы 1С (webinst, модуль веб-сервера)');
    if (given.onecBaseDump === undefined) await ask('onecTarget', 'Релиз УТ базы: 11.4 или 11.5.20 (другой — флаг --onec-base-dump с выгрузкой конфигурации)');
    await ask('odataUser', 'Пользователь 1С для ReGate');
    if (given.odataPassword === undefined) g.odataPassword = await p.secret('Его пароль (Enter — сгенерировать)', 'gen') || undefined;
    await ask('serverName', 'DNS-имя ReGate (как в сертификате)');
    await ask('cert', 'Сертификат (PEM, цепочка)');
    await ask('key', 'Закрытый ключ (PEM)');
    await ask('regatePort', 'Порт ReGate на 127.0.0.1');
    await ask('apiUser', 'Пользователь API для Richest.store');
    if (given.apiPassword === undefined) g.apiPassword = await p.secret('Его пароль (Enter — сгенерировать)', 'gen') || undefined;
    await ask('out', 'Куда записать комплект');
    // Only generated passwords are shown: the administrator knows the ones typed.
    const generated = { odataPassword: g.odataPassword === 'gen', apiPassword: g.apiPassword === 'gen' };
    for (const k of ['odataPassword', 'apiPassword'] as const) if (g[k] === 'gen') g[k] = generatePassword();
    const options = resolveOptions(g);
    if (generated.apiPassword) log(`Пароль API «${options.apiUser}»: ${options.apiPassword} (сохраните: в файлах только хеш)`);
    if (generated.odataPassword) log(`Пароль 1С «${options.odataUser}»: ${options.odataPassword} (задайте его пользователю в 1С)`);
    return options;
  } finally {
    p.close();
  }
}
