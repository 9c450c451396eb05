import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEmbedded, type EmbeddedId } from '../onec/dump/embedded.js';
import { mergeExtension, publish, readDump, type MdConfiguration } from '../onec/dump/index.js';
import { builtExtensionDir } from '../install/extension/build.js';
import { namedTarget, targetFromDump } from '../install/extension/targets.js';
import { ut11Handlers } from './posting/ut11.js';
import { unfHandlers } from './posting/unf.js';
import { bpHandlers } from './posting/bp.js';
import { roznicaHandlers } from './posting/roznica.js';
import type { ConfigurationDef } from './schema/types.js';

/**
 * The configuration the emulator publishes: a real configuration dump (a folder, or one of the models embedded from
 * the real УТ dumps), plus the ReGate extension (onec/extension) unless asked not to, merged as the platform merges
 * it, with УТ's posting stand-ins attached to the documents. There is no hand-written schema: what the emulator
 * publishes is what a base with that configuration publishes.
 */

const here = dirname(fileURLToPath(import.meta.url));
/** onec/extension of this checkout (src/emulator → ../../onec/extension). */
export const EXTENSION_DIR = resolve(here, '../../onec/extension');

export type Ut11Variant = 'ut11.5' | 'ut11.4';
export const VARIANT_EMBEDDED: Record<Ut11Variant, EmbeddedId> = { 'ut11.5': 'ut-11.5.20', 'ut11.4': 'ut-11.4.2' };

export interface ConfigurationChoice {
  /** A Designer XML dump folder. Wins over `embedded`. */
  dump?: string;
  /** An embedded model; default ut-11.5.20. */
  embedded?: EmbeddedId;
  /**
   * Merge the ReGate extension: true (the default: the build `regate install` makes for this base — onec/extension
   * adapted to its compatibility mode, format and objects), false, or an extension dump folder.
   */
  extension?: boolean | string;
}

export interface LoadedConfiguration {
  config: ConfigurationDef;
  /** The configuration as read (extension merged), for checks that need more than the published shape. */
  md: MdConfiguration;
  /** Why the extension would not apply to this base (adopted objects the base lacks, …): the platform refuses those. */
  extensionProblems: string[];
  extension: boolean;
}

const cache = new Map<string, LoadedConfiguration>();

/**
 * Numbers and codes as a base numbers them: БСП's object prefixing (ПрефиксацияОбъектов, code, not metadata) puts the
 * organisation's prefix and the infobase prefix before a document number ("ТД00-000123" for the demo organisation
 * ТД in infobase 00) and the infobase prefix before a catalog code ("00-00000042"). Lengths come from the dump.
 */
function numbering(s: ConfigurationDef['sets'][number]): ConfigurationDef['sets'][number] {
  if (s.kind === 'Document' && (s.numberLength ?? 0) >= 9) return { ...s, numberPrefix: 'ТД00-' };
  if ((s.kind === 'Catalog' || s.kind === 'ChartOfCharacteristicTypes') && s.codeType !== 'Number' && (s.codeLength ?? 0) >= 9) return { ...s, codePrefix: '00-' };
  return s;
}

export function loadConfiguration(choice: ConfigurationChoice = {}): LoadedConfiguration {
  const key = JSON.stringify([choice.dump ?? '', choice.embedded ?? 'ut-11.5.20', choice.extension ?? true]);
  const hit = cache.get(key);
  if (hit) return hit;
  const base = choice.dump ? readDump(choice.dump) : loadEmbedded(choice.embedded ?? 'ut-11.5.20');
  let md = base;
  let extensionProblems: string[] = [];
  let extDir: string | undefined;
  if (typeof choice.extension === 'string') extDir = choice.extension;
  else if (choice.extension !== false) {
    try {
      // What installing the kit would put into this base (src/install/extension): only objects it has, its modes.
      extDir = builtExtensionDir(choice.dump ? targetFromDump(choice.dump) : namedTarget(choice.embedded === 'ut-11.4.2' ? '11.4' : '11.5.20'));
    } catch (e) {
      // No build for this base (a configuration ReGate has no profile for, a mode below 8.3.11): merge the source as
      // it is, and report why it would not apply.
      extensionProblems.push(`сборка расширения для этой базы невозможна: ${(e as Error).message}`);
      extDir = EXTENSION_DIR;
    }
  }
  if (extDir) {
    if (!existsSync(join(extDir, 'Configuration.xml'))) throw new Error(`Расширение не найдено: ${extDir}`);
    const merged = mergeExtension(base, readDump(extDir));
    md = merged.cfg;
    extensionProblems = merged.problems;
  }
  const published = publish(md);
  const has = (set: string) => published.sets.some((s) => s.name === set);
  const order = published.sets.find((s) => s.name === 'Document_ЗаказКлиента');
  // Розница 2.2's dump has no Configuration.xml: it is known by its objects (the shops with the customer order), as
  // selectProfile knows it.
  const roznica = !md.name && has('Catalog_Магазины') && has('Document_ЗаказПокупателя');
  // УНФ's, БП's and Розница's own handlers for them (Configuration.xml <Name>); every other configuration keeps УТ's.
  const { posting, beforeWrite } = md.name === 'УправлениеНебольшойФирмой' ? unfHandlers() : md.name === 'БухгалтерияПредприятия' ? bpHandlers() : roznica ? roznicaHandlers() : ut11Handlers({
    settlementObjects: has('Catalog_ОбъектыРасчетов'),
    orderAsInvoice: !!order?.fields?.some((f) => f.name === 'ЭтоЗаказКакСчет'),
    toShip: has('AccumulationRegister_ТоварыКОтгрузке'),
    freeStock: has('AccumulationRegister_СвободныеОстатки'),
  });
  const config: ConfigurationDef = {
    ...published,
    source: choice.dump ?? `embedded:${choice.embedded ?? 'ut-11.5.20'}`,
    sets: published.sets.map((s) =>
      numbering({ ...s, ...(posting[s.name] ? { onPost: posting[s.name] } : {}), ...(beforeWrite[s.name] ? { onWrite: beforeWrite[s.name] } : {}) }),
    ),
  };
  const loaded = { config, md, extensionProblems, extension: !!extDir };
  cache.set(key, loaded);
  return loaded;
}
