import type { PublishedView } from './features.js';
import type { ProfileId } from './types.js';

/**
 * Which ReGate profile a base needs, decided by what the base publishes: the configuration's name where it is known
 * (Configuration.xml of a dump; InformationRegister_ВерсииПодсистем, the row with ЭтоОсновнаяКонфигурация, of a live
 * base — standard OData's $metadata does not carry it), else the entity sets only one configuration family has.
 *
 * Every name below is read from the real dumps in ../shared/reference (Configuration.xml <Name>, and the object files
 * present), checked by test/configurations/select.test.ts against each of them:
 * - УТ 11.5 / 11.4: name УправлениеТорговлей; Document.ЗаказКлиента and Catalog.Партнеры (ut-dumps/*);
 * - ERP 2.5: name УправлениеПредприятием; the same ЗаказКлиента + Партнеры (erp-2.5.17-xml: ERP shares УТ's objects and
 *   uuids, SOURCE.md). КА 2 is the same family: a УТ-shaped base under another name gets the ERP profile (its name is
 *   in no dump we have, so it is not spelled here);
 * - УНФ 3: name УправлениеНебольшойФирмой; Document.ЗаказПокупателя with Catalog.СтруктурныеЕдиницы, no Catalog.Склады
 *   (unf-3.0.12-xml);
 * - Розница 2: Catalog.Магазины with Document.ЗаказПокупателя and Catalog.Склады (roznica-2.2.12-xml, which has no
 *   Configuration.xml: its name is unknown to a dump reader, so it is recognised by its objects alone);
 * - БП 3: name БухгалтерияПредприятия; Document.СчетНаОплатуПокупателю and no customer-order document
 *   (bp-3.0.198-xml: neither ЗаказКлиента nor ЗаказПокупателя in Configuration.xml).
 */

export const CONFIGURATION_NAMES = {
  ut: 'УправлениеТорговлей',
  erp: 'УправлениеПредприятием',
  unf: 'УправлениеНебольшойФирмой',
  bp: 'БухгалтерияПредприятия',
} as const;

/** Sets whose presence marks a configuration family (published names). */
const MARKS = {
  ut: ['Document_ЗаказКлиента', 'Catalog_Партнеры'],
  unf: ['Document_ЗаказПокупателя', 'Catalog_СтруктурныеЕдиницы'],
  roznica: ['Catalog_Магазины', 'Document_ЗаказПокупателя', 'Catalog_Склады'],
  bp: ['Document_СчетНаОплатуПокупателю'],
} as const;

export interface ProfileChoice {
  id: ProfileId;
  /** For messages: «УТ 11.5», «ERP 2 / КА 2», … */
  family: string;
  /** The configuration's name as the base gave it ('' when unknown). */
  configuration: string;
  version: string;
  /** What decided: the configuration's name, or the sets it publishes. */
  by: 'name' | 'sets';
  reason: string;
}

export interface SelectInput {
  /** Configuration name (Configuration.xml, or ВерсииПодсистем's main configuration); '' or absent when unknown. */
  name?: string;
  version?: string;
  view: PublishedView;
}

export class UnknownConfiguration extends Error {
  override name = 'UnknownConfiguration';
}

const FAMILY: Record<ProfileId, string> = {
  'ut11.5': 'УТ 11.5',
  'ut11.4': 'УТ 11.4',
  erp: 'ERP 2 / КА 2',
  unf: 'УНФ 3',
  bp: 'БП 3',
  roznica: 'Розница 2',
};

/**
 * Profiles the ReGate extension serves: it is built for УТ's objects (onec/extension, src/install/extension), which ERP /
 * КА share; УНФ, БП and Розница run without it.
 */
export const EXTENSION_PROFILES: readonly ProfileId[] = ['ut11.5', 'ut11.4', 'erp'];

export function familyOf(id: ProfileId): string {
  return FAMILY[id];
}

/** УТ 11.4 publishes ЦеныНоменклатуры only; 11.5 ЦеныНоменклатуры25 (FACTS.md; the same detection as features.ts). */
function utVariant(version: string, view: PublishedView): 'ut11.5' | 'ut11.4' {
  if (/^11\.4\./.test(version)) return 'ut11.4';
  if (/^11\.5\./.test(version)) return 'ut11.5';
  return view.hasSet('InformationRegister_ЦеныНоменклатуры25') || view.hasSet('InformationRegister_ЦеныНоменклатуры25_RecordType') ? 'ut11.5' : 'ut11.4';
}

/**
 * The profile for a base. Throws UnknownConfiguration when neither the name nor the sets say (a composition so narrow
 * that none of the marking sets is published is reported as such: `regate check` says which sets it looked for).
 */
export function selectProfile(input: SelectInput): ProfileChoice {
  const name = (input.name ?? '').trim();
  const version = (input.version ?? '').trim();
  const v = input.view;
  const all = (sets: readonly string[]) => sets.every((s) => v.hasSet(s));
  const made = (id: ProfileId, by: ProfileChoice['by'], reason: string): ProfileChoice => ({ id, family: FAMILY[id], configuration: name, version, by, reason });

  if (name === CONFIGURATION_NAMES.ut) return made(utVariant(version, v), 'name', `конфигурация «${name}» ${version}`.trim());
  if (name === CONFIGURATION_NAMES.erp) return made('erp', 'name', `конфигурация «${name}» ${version}: объекты УТ (ERP делит их с УТ)`);
  if (name === CONFIGURATION_NAMES.unf) return made('unf', 'name', `конфигурация «${name}» ${version}`.trim());
  if (name === CONFIGURATION_NAMES.bp) return made('bp', 'name', `конфигурация «${name}» ${version}`.trim());

  // By the sets: the customer-order document and the place catalog tell the families apart.
  if (all(MARKS.ut)) {
    return name
      ? made('erp', 'sets', `конфигурация «${name}» публикует ${MARKS.ut.join(' и ')}, как УТ: профиль семейства ERP / КА`)
      : made(utVariant(version, v), 'sets', `публикуются ${MARKS.ut.join(' и ')}`);
  }
  if (all(MARKS.unf) && !v.hasSet('Catalog_Склады')) return made('unf', 'sets', `публикуются ${MARKS.unf.join(' и ')}, нет Catalog_Склады`);
  if (all(MARKS.roznica)) return made('roznica', 'sets', `публикуются ${MARKS.roznica.join(', ')}`);
  if (all(MARKS.bp) && !v.hasSet('Document_ЗаказКлиента') && !v.hasSet('Document_ЗаказПокупателя')) {
    return made('bp', 'sets', `публикуется ${MARKS.bp[0]}, документа заказа покупателя нет`);
  }
  throw new UnknownConfiguration(
    `не удалось определить конфигурацию${name ? ` «${name}»` : ''}: нет ни одного набора, по которому ReGate узнаёт УТ/ERP/КА (${MARKS.ut.join(' + ')}), ` +
      `УНФ (${MARKS.unf.join(' + ')}), Розницу (${MARKS.roznica.join(' + ')}) или БП (${MARKS.bp.join(' + ')}). ` +
      'Проверьте состав стандартного интерфейса OData (УстановитьСоставСтандартногоИнтерфейсаOData) или задайте onec.profile.',
  );
}
