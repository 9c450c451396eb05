import { Command, Help } from 'commander';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../config/index.js';
import { VERSION } from '../version.js';

/**
 * `regate` — every command is a file in ./commands exporting `register(program)`. Discovering them keeps each
 * feature's command next to nothing else, and lets features add commands without editing a shared list.
 * Heavy modules are imported inside each action, so `regate --help` stays fast.
 *
 * Administrators read Russian: commander's own words (headings, "(default: …)", its error messages) are
 * translated here, once, for every command (the settings are inherited by subcommands created after them).
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command('regate')
    .description('ReGate: шлюз REST между базами 1С:Предприятие (OData) и Richest.store')
    .version(VERSION, '-V, --version', 'показать версию')
    .helpOption('-h, --help', 'показать справку')
    .helpCommand('help [команда]', 'справка по команде')
    .option('-c, --config <file>', 'файл конфигурации (YAML или JSON); переменные REGATE_* имеют приоритет')
    .configureHelp(RUSSIAN_HELP)
    .configureOutput({ outputError: (str, write) => write(translateError(str)) })
    .showHelpAfterError('(подробнее: --help)');
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  for (const file of files) {
    const mod = await import(pathToFileURL(join(dir, file)).href);
    if (typeof mod.register === 'function') mod.register(program);
  }
  return program;
}

const TITLES: [RegExp, string][] = [
  [/^Usage:/gm, 'Использование:'],
  [/^Options:/gm, 'Параметры:'],
  [/^Global Options:/gm, 'Общие параметры:'],
  [/^Commands:/gm, 'Команды:'],
  [/^Arguments:/gm, 'Аргументы:'],
  [/\(default: /g, '(по умолчанию: '],
  [/\(choices: /g, '(варианты: '],
  [/\[options\]/g, '[параметры]'],
  [/\[command\]/g, '[команда]'],
  [/display help for command/g, 'справка по команде'],
];

export function translateHelp(text: string): string {
  return TITLES.reduce((t, [re, ru]) => t.replace(re, ru), text);
}

/** Each piece translated where commander computes it, so column widths are measured on the Russian text. */
const RUSSIAN_HELP: Partial<Help> = {
  styleTitle: (s: string) => translateHelp(s),
  subcommandTerm(cmd) {
    return translateHelp(Help.prototype.subcommandTerm.call(this, cmd));
  },
  commandUsage(cmd) {
    return translateHelp(Help.prototype.commandUsage.call(this, cmd));
  },
  optionDescription(option) {
    return translateHelp(Help.prototype.optionDescription.call(this, option));
  },
  argumentDescription(argument) {
    return translateHelp(Help.prototype.argumentDescription.call(this, argument));
  },
};

const ERRORS: [RegExp, string][] = [
  [/^error: unknown option '([^']*)'/, "ошибка: неизвестный параметр '$1'"],
  [/^error: unknown command '([^']*)'/, "ошибка: неизвестная команда '$1'"],
  [/^error: missing required argument '([^']*)'/, "ошибка: не указан обязательный аргумент '$1'"],
  [/^error: option '([^']*)' argument missing/, "ошибка: у параметра '$1' не указано значение"],
  [/^error: required option '([^']*)' not specified/, "ошибка: не указан обязательный параметр '$1'"],
  [/^error: too many arguments(?: for '([^']*)')?\. Expected (\d+) arguments? but got (\d+)\./, 'ошибка: лишние аргументы: ожидается $2, получено $3.'],
  [/^error: (.*) cannot be used with (.*)/, 'ошибка: $1 нельзя использовать вместе с $2'],
  [/\(Did you mean one of (.*)\?\)/, '(может быть, одна из: $1?)'],
  [/\(Did you mean (.*)\?\)/, '(может быть, $1?)'],
  [/^error: /, 'ошибка: '],
];

export function translateError(text: string): string {
  return ERRORS.reduce((t, [re, ru]) => t.replace(re, ru), text);
}

/** EADDRINUSE names the flag (and the key) that changes the port, instead of a bare code. */
export function explainError(e: unknown, argv: string[]): string {
  const err = e as NodeJS.ErrnoException & { port?: number; address?: string };
  if (err?.code === 'EADDRINUSE') {
    const where = `${err.address ?? ''}${err.port !== undefined ? `:${err.port}` : ''}`;
    const cmd = argv.slice(2).find((a) => !a.startsWith('-'));
    const how =
      cmd === 'demo'
        ? 'Запустите демо на другом порту: regate demo --port 8090 (порт эмулятора 1С: --emulator-port 8091)'
        : cmd === 'emulator'
          ? 'Укажите другой порт параметром --port'
          : 'Укажите другой порт: regate serve --port 8444, или ключ server.port в regate.yaml (переменная REGATE_SERVER_PORT)';
    return `Порт ${where} уже занят другой программой (возможно, уже запущен ReGate). ${how}.`;
  }
  if (err?.code === 'EACCES' && err.port !== undefined) {
    return `Нет прав слушать порт ${err.port}: порты ниже 1024 требуют прав администратора. Укажите порт 1024 или выше (--port или server.port).`;
  }
  return e instanceof Error ? e.message : String(e);
}

const TYPES: Record<string, string> = {
  number: 'число',
  string: 'строка',
  boolean: 'true или false',
  array: 'список',
  object: 'словарь',
  undefined: 'ничего',
  NaN: 'не число',
  null: 'null',
};
const type = (t: string) => TYPES[t] ?? t;

const CONFIG: [RegExp, string | ((...m: string[]) => string)][] = [
  [/^config file not found: (.*)$/m, 'нет файла конфигурации: $1'],
  [/^config file (.*) is not valid (JSON|YAML): /m, 'файл конфигурации $1 — не $2: '],
  [/^(\S+): not valid JSON$/m, '$1: не JSON'],
  [/^invalid configuration:/m, 'ошибки в конфигурации:'],
  [/Invalid input: expected (\w+), received (\w+)/g, (_m, a, b) => `неверное значение: ожидается ${type(a)}, получено ${type(b)}`],
  [/Unrecognized keys?: (.*)/g, 'неизвестный ключ: $1'],
  [/unknown key\(s\): (.*)/g, 'неизвестный ключ: $1'],
  [/Invalid option: expected one of (.*)/g, 'допустимые значения: $1'],
  [/Too small: expected (\w+) to (?:be|have) (.*)/g, (_m, a, b) => `слишком мало (${type(a)}): нужно ${b}`],
  [/Too big: expected (\w+) to (?:be|have) (.*)/g, (_m, a, b) => `слишком много (${type(a)}): нужно ${b}`],
  [/Invalid URL/g, 'неверный URL'],
  [/Invalid UUID/g, 'неверный UUID'],
];

/** The configuration's messages (src/config/load.ts and zod's) in Russian; key names stay as they are. */
export function translateConfigError(text: string): string {
  return CONFIG.reduce((t, [re, ru]) => t.replace(re, ru as never), text);
}

export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(translateConfigError(e.message));
      process.exit(2);
    }
    console.error(explainError(e, argv));
    process.exit(1);
  }
}
