import type { Config } from '../../config/schema.js';
import { defaultFeatures, type Ut11Features } from './features.js';
import type { Profile } from './types.js';
import { ut11Profile } from './ut11.js';

/**
 * КА 2 / ERP 2: the УТ 11.5 profile. ERP keeps the objects ReGate reads and writes under УТ's names, fields and uuids
 * (../shared/reference/dumps/erp-2.5.17-xml/SOURCE.md: all 334 objects kept in both dumps have the same uuid, 5448 of
 * 5450 common fields too), so the differences are the ones the base publishes and feature detection reads from
 * $metadata (features.ts), never assumed from the name.
 *
 * What the real ERP 2.5.17.95 dump differs in, as detected from it (test/configurations/erp.test.ts checks that
 * detectFeatures on the dump gives exactly these):
 * - file bytes: InformationRegister.ДвоичныеДанныеФайлов (ДвоичныеДанныеФайла ValueStorage); no
 *   InformationRegister.ХранилищеФайлов and no Catalog.ХранилищеДвоичныхДанных (SOURCE.md «Asked for but not in this
 *   configuration»; MAP.md «picture bytes»);
 * - ЗаказКлиента.НомерПоДаннымКлиента is String(30), not 11.5.20's String(50) (SOURCE.md, Document.ЗаказКлиента).
 * Everything else ReGate touches is 11.5's: VAT catalog, ОбъектыРасчетов, ЦеныНоменклатуры25, ТоварыНаСкладах, ….
 */
export function erpDefaultFeatures(extension = true): Ut11Features {
  return { ...defaultFeatures('ut11.5', extension), fileBytes: 'register', clientNumberLength: 30 };
}

export function erpProfile(config: Config, features?: Ut11Features): Profile {
  const base = ut11Profile('ut11.5', config, features ?? erpDefaultFeatures(config.onec.extension));
  return { ...base, id: 'erp', family: 'ERP 2 / КА 2', configurationName: 'УправлениеПредприятием', minVersion: '2.5' };
}
