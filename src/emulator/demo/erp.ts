import { generateDemoBase, type DemoBase, type DemoOptions } from './generate.js';

/**
 * The demo base of a КА 2 / ERP 2 configuration: ERP keeps УТ's objects under УТ's names and uuids
 * (../shared/reference/dumps/erp-2.5.17-xml/SOURCE.md), so УТ's generator fills it — fitted to what the ERP dump
 * publishes (file bytes in ДвоичныеДанныеФайлов, no ХранилищеФайлов: the generator keeps only the sets and fields the
 * configuration has). What the generator says as УТ is said as the base would: InformationRegister.ВерсииПодсистем's
 * main configuration is the dump's own name (Configuration.xml <Name>: УправлениеПредприятием), not УправлениеТорговлей.
 */
export function generateErpDemoBase(options: DemoOptions): DemoBase {
  const base = generateDemoBase(options);
  for (const row of base.rows.InformationRegister_ВерсииПодсистем ?? []) {
    if (row.ЭтоОсновнаяКонфигурация === true) row.ИмяПодсистемы = base.config.name;
  }
  return base;
}
