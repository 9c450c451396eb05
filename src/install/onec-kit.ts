import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildExtension, ExtensionNotPossible, type ExtensionBuild } from './extension/build.js';
import { namedTarget, targetFromDump, type ExtensionTarget } from './extension/targets.js';
import { compareFormats } from './extension/base.js';
import type { InstallOptions } from './options.js';
import { REPO_ROOT } from './templates.js';

/**
 * The 1C part of the installation kit: the ReGate extension built for the customer's base (a reference release
 * chosen by --onec-target, or exactly the base given by --onec-base-dump), the data processor's sources, and the
 * README text naming the roles and rights the OData user needs in that base.
 */
export interface OnecKit {
  target: ExtensionTarget;
  /** Undefined when the base cannot carry the extension (see `problem`): ReGate then runs without it. */
  build?: ExtensionBuild;
  problem?: string;
  /** Kit files, paths relative to the kit folder. */
  files: { name: string; content: string }[];
  /** Values for the README template. */
  vars: Record<string, string>;
}

export const EPF_DIR = join(REPO_ROOT, 'onec/epf');

const KIND_RU: Record<string, string> = {
  Catalog: 'Справочник', Document: 'Документ', InformationRegister: 'РегистрСведений', AccumulationRegister: 'РегистрНакопления',
  ChartOfCharacteristicTypes: 'ПланВидовХарактеристик',
};
const RIGHT_RU: Record<string, string> = { Read: 'Чтение', Insert: 'Добавление', Update: 'Изменение', Posting: 'Проведение' };
const ru = (full: string) => {
  const [kind, name] = full.split('.');
  return `${KIND_RU[kind] ?? kind}.${name}`;
};

/**
 * The lowest 1C platform known to write (and so to read) a dump format, from real dumps: 2.4 — 8.3.10, 2.6 — УТ
 * 11.4.2 (extension mode 8.3.12, so 8.3.12+), 2.9 — 8.3.16, 2.11 — 8.3.18, 2.18 — 8.3.25 (УТ 11.5.20 declares
 * extension mode 8.3.25), 2.20 — 8.3.27. A platform loads its own format and older ones, not newer.
 */
export const FORMAT_PLATFORM: [string, string][] = [['2.4', '8.3.10'], ['2.6', '8.3.12'], ['2.9', '8.3.16'], ['2.11', '8.3.18'], ['2.18', '8.3.25'], ['2.20', '8.3.27']];
export function platformForFormat(format: string): string {
  let best = FORMAT_PLATFORM[0][1];
  for (const [f, p] of FORMAT_PLATFORM) if (compareFormats(format, f) >= 0) best = p;
  return best;
}

function readTree(dir: string, prefix: string): { name: string; content: string }[] {
  const out: { name: string; content: string }[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ name: `${prefix}/${relative(dir, p).split('\\').join('/')}`, content: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The rights of the ReGate role, grouped by the set of rights: one README line per group. */
function rightsText(build: ExtensionBuild): string {
  const groups = new Map<string, string[]>();
  for (const o of [...build.adopted, ...build.own]) {
    const key = o.rights.map((r) => RIGHT_RU[r]).join(', ');
    groups.set(key, [...(groups.get(key) ?? []), ru(o.fullName)]);
  }
  return [...groups].map(([rights, objects]) => `         «${rights}»: ${objects.join(', ')}`).join('\n');
}

function rolesText(target: ExtensionTarget, build: ExtensionBuild | undefined, odataUser: string): string {
  const roles = target.base.roles;
  const bsp = roles.includes('БазовыеПраваБСП') ? 'БазовыеПраваБСП' : roles.includes('БазовыеПрава') ? 'БазовыеПрава' : 'БазовыеПраваБСП';
  const lines = [`  Пользователь 1С «${odataUser}»: аутентификация 1С:Предприятия, «Показывать в списке выбора» — снять.`, '  Роли:'];
  if (build) {
    lines.push('    - ReGate_ПользовательOData («ReGate: пользователь OData», роль расширения ReGate), права:', rightsText(build));
  }
  lines.push(
    `    - ${bsp} («Базовые права${bsp === 'БазовыеПраваБСП' ? ' БСП' : ''}»${bsp === 'БазовыеПрава' ? ', так роль называется в БСП этой версии УТ' : ''}): без неё БСП не даёт начать сеанс;` +
      ' она же даёт «Чтение» плана видов характеристик ДополнительныеРеквизитыИСведения (его расширение не заимствует).',
  );
  if (roles.includes('БазовыеПраваУТ')) lines.push('    - БазовыеПраваУТ («Базовые права: Управление торговлей»): общие настройки и константы, которые УТ читает при записи документов.');
  if (!build) {
    lines.push(
      '    - без расширения ReGate права на объекты дают роли конфигурации: «Чтение» всех объектов из списка состава OData (шаг 1.3),',
      '      «Добавление», «Изменение» справочников Партнеры, Контрагенты и «Добавление», «Изменение», «Проведение» документов',
      '      ЗаказКлиента, ПоступлениеБезналичныхДенежныхСредств, ОперацияПоПлатежнойКарте, СписаниеБезналичныхДенежныхСредств',
      '      (например, ДобавлениеИзменениеЗаказовКлиентов и ДобавлениеИзменениеДокументовПоБанку); полных прав не давайте.',
    );
  }
  lines.push('  Интерактивных прав и «Администрирования» пользователю не нужно; ограничения доступа на уровне записей (RLS) ReGate не мешают,');
  lines.push('  пока они пропускают организацию, склады и виды цен, с которыми он работает.');
  return lines.join('\n');
}

export function onecKit(o: InstallOptions): OnecKit {
  const target = o.onecBaseDump ? targetFromDump(o.onecBaseDump) : namedTarget(o.onecTarget);
  let build: ExtensionBuild | undefined;
  let problem: string | undefined;
  try {
    build = buildExtension(target);
  } catch (e) {
    if (!(e instanceof ExtensionNotPossible)) throw e;
    problem = e.message;
  }
  const b = target.base;
  const format = b.formatVersion;
  // The data processor's XML uses only elements of the oldest real EPF dump (2.4, test/onec-xml), so it is declared
  // in the base's format: the platform that runs the base loads it.
  const epf = readTree(EPF_DIR, 'onec-epf').map((f) => ({
    ...f,
    content: f.name.endsWith('.xml') ? f.content.replace(/(<(?:MetaDataObject|Form)\b[^>]*\bversion=")[0-9.]+(")/, `$1${format}$2`) : f.content,
  }));
  const files = [...(build ? [...build.files].map(([rel, content]) => ({ name: `onec-extension/${rel}`, content })) : []), ...epf];
  const extensionSummary = build
    ? [
        `  Расширение ReGate собрано для: ${target.label}`,
        `    формат выгрузки ${format} (загрузит платформа ${platformForFormat(format)} и новее),`,
        `    ConfigurationExtensionCompatibilityMode ${build.extensionCompatibilityMode} (не выше режима расширений базы ${b.extensionCompatibilityMode}),`,
        `    CompatibilityMode ${build.compatibilityMode} (как у базы: контролируемое свойство), интерфейс ${b.interfaceCompatibilityMode},`,
        `    заимствовано объектов: ${build.adopted.length} — с идентификаторами этой базы; профиль ReGate: ${target.profile}.`,
        ...(build.absent.length
          ? [`    Нужны профилю, но в базе их нет (не заимствованы): ${build.absent.map((x) => ru(x.fullName)).join(', ')}.`]
          : []),
      ].join('\n')
    : `  ВНИМАНИЕ: ${problem}`;
  return {
    target,
    build,
    problem,
    files,
    vars: {
      extensionSummary,
      extensionTargetLabel: target.label,
      rolesText: rolesText(target, build, o.odataUser),
      extensionFormat: format,
      extensionPlatform: platformForFormat(format),
      onecProfile: target.profile,
    },
  };
}
