import type { ProfileId } from '../../onec/profiles/index.js';
import { baseFactsFromDump, type BaseFacts } from './base.js';
import { ADOPTABLE } from './plan.js';
import { UT_FACTS } from './ut-facts.generated.js';

/** The base an extension build is for: its facts and the ReGate profile that reads it. */
export interface ExtensionTarget {
  /** `11.4`, `11.5.20`, or `dump` for a base given by its dump. */
  id: string;
  label: string;
  profile: ProfileId;
  base: BaseFacts;
}

/** Named targets, from the reference dumps: `--onec-target 11.4 | 11.5.20`. */
export const NAMED_TARGETS = ['11.4', '11.5.20'] as const;
export type NamedTarget = (typeof NAMED_TARGETS)[number];

/** УТ 11.4.x → profile ut11.4; 11.5.x → ut11.5 (src/onec/profiles). */
export function profileOfVersion(version: string): ProfileId {
  return /^11\.4\./.test(version) ? 'ut11.4' : 'ut11.5';
}

export function namedTarget(id: string): ExtensionTarget {
  if (!(NAMED_TARGETS as readonly string[]).includes(id))
    throw new Error(
      `--onec-target: ${NAMED_TARGETS.join(' или ')}, не «${id}». Для другого релиза (11.5.8–11.5.19, доработанная конфигурация) ` +
        `выгрузите конфигурацию базы в файлы и передайте --onec-base-dump КАТАЛОГ: режимы совместимости и состав объектов берутся из неё.`,
    );
  const base = UT_FACTS[id as NamedTarget];
  return { id, label: `УТ ${base.version} (${base.source})`, profile: profileOfVersion(base.version), base };
}

/** A target from a Designer dump of the customer's base (`regate install --onec-base-dump DIR`). */
export function targetFromDump(dir: string): ExtensionTarget {
  const base = baseFactsFromDump(dir, ADOPTABLE);
  if (base.name && base.name !== 'УправлениеТорговлей')
    console.warn(`Внимание: ${dir} — конфигурация «${base.name}», а профили ReGate написаны для «УправлениеТорговлей».`);
  return { id: 'dump', label: `${base.name} ${base.version} (выгрузка ${dir})`, profile: profileOfVersion(base.version), base };
}
