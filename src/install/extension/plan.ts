import { parseConfig } from '../../config/index.js';
import { getProfile, requirements, type ProfileId } from '../../onec/profiles/index.js';

/**
 * Which base objects the ReGate extension adopts, and which rights its role grants: exactly the sets the profile
 * reads or writes (src/onec/profiles, with the extension) that the base has, plus the file storage of УТ 11.5.18+.
 * An extension's role can grant rights only on objects of the extension, so every object the OData user reads is
 * adopted, even those the extension adds nothing to.
 */

/**
 * Every base object any target may adopt. The generated facts (./ut-facts.generated.ts) carry the vendor uuid of
 * each that a reference dump has; a profile needing an object missing here fails test/onec-xml.
 */
export const ADOPTABLE = [
  'Catalog.Номенклатура', 'Catalog.УпаковкиЕдиницыИзмерения', 'Catalog.Марки', 'Catalog.Производители', 'Catalog.СтраныМира',
  'Catalog.НоменклатураПрисоединенныеФайлы', 'Catalog.ТомаХраненияФайлов', 'Catalog.ХранилищеДвоичныхДанных', 'Catalog.ВидыЦен',
  'Catalog.Склады', 'Catalog.Партнеры', 'Catalog.Контрагенты', 'Catalog.КлючиАналитикиУчетаПоПартнерам', 'Catalog.Организации',
  'Catalog.БанковскиеСчетаОрганизаций', 'Catalog.КлассификаторБанков', 'Catalog.Валюты', 'Catalog.СтавкиНДС', 'Catalog.ЭквайринговыеТерминалы',
  'Document.ЗаказКлиента', 'Document.ПоступлениеБезналичныхДенежныхСредств', 'Document.ОперацияПоПлатежнойКарте',
  'Document.СписаниеБезналичныхДенежныхСредств',
  // The order's terms and endings (WRITE-RULES §1.2, §1.7) and cash taken for it in 1C (§5).
  'Catalog.СоглашенияСКлиентами', 'Catalog.ПричиныОтменыЗаказовКлиентов', 'Document.ПриходныйКассовыйОрдер',
  'Catalog.БанковскиеСчетаКонтрагентов', 'AccumulationRegister.РасчетыСКлиентамиПоСрокам', 'Catalog.СтатьиДвиженияДенежныхСредств',
  // Fulfilment (issue 14.3): the posted shipments naming an order.
  'Document.РеализацияТоваровУслуг',
  // Variants and properties (issue 17): the characteristics items are sold in, and the values of their properties.
  'Catalog.ХарактеристикиНоменклатуры', 'Catalog.ЗначенияСвойствОбъектов',
  // Items' VAT rates by period and country where the base keeps them (11.5.20; issue 17, profile read itemVatRate).
  'InformationRegister.СтавкиНДСНоменклатуры',
  'InformationRegister.ШтрихкодыНоменклатуры', 'InformationRegister.ЦеныНоменклатуры', 'InformationRegister.ЦеныНоменклатуры25',
  'InformationRegister.ВерсииПодсистем', 'InformationRegister.ДвоичныеДанныеФайлов', 'InformationRegister.ХранилищеФайлов',
  'AccumulationRegister.ТоварыНаСкладах', 'AccumulationRegister.СвободныеОстатки', 'AccumulationRegister.РасчетыСКлиентами',
  // Reserves of customer orders (11.5: the stock ReGate serves is less what orders hold, profile read 'reserve').
  'AccumulationRegister.ТоварыКОтгрузке',
] as const;

/**
 * Read on top of the profile: УТ 11.5.18+ keeps file bytes in ХранилищеФайлов → ХранилищеДвоичныхДанных instead of
 * ДвоичныеДанныеФайлов (FACTS.md "Item files"), so the role lets the OData user read them where the base has them.
 */
export const EXTRA_READ = ['InformationRegister.ХранилищеФайлов', 'Catalog.ХранилищеДвоичныхДанных'];

/**
 * Kinds the extension does not adopt although the profile reads them: an adopted chart of characteristic types must
 * repeat the chart's whole value type (a controlled property, hundreds of types in УТ); read access to
 * ДополнительныеРеквизитыИСведения comes with the base's basic-rights role instead (the kit README says so).
 */
export const NOT_ADOPTED_KINDS = ['ChartOfCharacteristicTypes'];

/** The extension's own objects the profile uses, and the one `state` reads. */
export const OWN_REGISTERS = ['ReGate_СтатусыЗаказов', 'ReGate_ОплатыКартами', 'ReGate_СведенияОПлатформе'];
/**
 * Written at session start by the extension's session module (onec/extension/Ext/SessionModule.bsl) in the ReGate
 * user's own session: an extension attached in safe mode (the БСП default) has no privileged mode, so the role
 * grants the write.
 */
export const SESSION_WRITTEN = ['InformationRegister.ReGate_СведенияОПлатформе'];

export type Right = 'Read' | 'Insert' | 'Update' | 'Posting';

export interface ExtensionPlan {
  profile: ProfileId;
  /** Base object full name → rights, for every base object the profile reads or writes (before checking the base). */
  base: Map<string, Right[]>;
  /** Own objects → rights. */
  own: Map<string, Right[]>;
  /** Sets the profile uses that the extension cannot carry (kinds not adopted), with why. */
  notAdopted: { set: string; why: string }[];
}

/** `Catalog_Номенклатура` → `Catalog.Номенклатура` (OData set names put `_` after the kind). */
export const fullNameOfSet = (set: string) => set.replace('_', '.');

function rightsFor(kind: string, written: boolean): Right[] {
  if (!written) return ['Read'];
  if (kind === 'Document') return ['Read', 'Insert', 'Update', 'Posting'];
  if (kind === 'InformationRegister') return ['Read', 'Update'];
  return ['Read', 'Insert', 'Update'];
}

export function planFor(profile: ProfileId): ExtensionPlan {
  const config = parseConfig({ onec: { profile, extension: true } });
  const base = new Map<string, Right[]>();
  const own = new Map<string, Right[]>();
  const notAdopted: ExtensionPlan['notAdopted'] = [];
  for (const r of requirements(getProfile(profile, config), config)) {
    const full = fullNameOfSet(r.set);
    const [kind, name] = full.split('.');
    if (NOT_ADOPTED_KINDS.includes(kind)) {
      notAdopted.push({ set: r.set, why: 'планы видов характеристик не заимствуются: право «Чтение» даёт базовая роль конфигурации' });
      continue;
    }
    (name.startsWith('ReGate_') ? own : base).set(full, rightsFor(kind, r.written));
  }
  for (const full of EXTRA_READ) if (!base.has(full)) base.set(full, ['Read']);
  for (const name of OWN_REGISTERS) if (!own.has(`InformationRegister.${name}`)) own.set(`InformationRegister.${name}`, ['Read']);
  for (const full of SESSION_WRITTEN) own.set(full, ['Read', 'Update']);
  return { profile, base, own, notAdopted };
}
