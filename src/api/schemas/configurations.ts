import type { ProfileId } from '../../onec/profiles/index.js';

type Json = Record<string, any>;

/** Configurations the notes speak of; УТ 11 and КА/ERP give every method in full and have none. */
export type NotedFamily = 'unf' | 'bp' | 'roznica';

export const FAMILY_TITLE: Record<NotedFamily, string> = { unf: 'УНФ 3.0', bp: 'БП 3.0', roznica: 'Розница 2.2' };

/**
 * What a method answers differently, or leaves empty, on each configuration other than УТ 11 / КА 2 / ERP 2 (issue
 * 18.5): the API's shapes are the same everywhere, the content is what the configuration keeps. Each line follows
 * the profile it speaks of (src/onec/profiles/{unf,bp,roznica}.ts, their `limits`) and docs/ru/configurations.md;
 * test/api-contract/configurations.test.ts holds the not_supported lines against what the profiles can write.
 */
export const CONFIGURATION_NOTES: Record<string, Partial<Record<NotedFamily, string>>> = {
  listCities: {
    unf: 'города — из адресов структурных единиц (склады и розничные точки)',
    bp: 'города — из адресов складов',
    roznica: 'города — из адресов магазинов (справочник Магазины)',
  },
  listCityStores: {
    unf: 'магазины — структурные единицы типов «Склад», «Розница», «Розница (суммовой учёт)»; подразделения не попадают',
    roznica: 'магазин — магазин Розницы; id — его склад продажи (другие склады магазина не предлагаются)',
  },
  listAssortment: {
    unf: 'остаток — ЗапасыНаСкладах за вычетом резерва заказов; variants не заполняются (характеристики читаются только в УТ 11 и КА/ERP)',
    bp: 'остаток — сальдо регистра бухгалтерии по счетам, на которых база ведёт субконто «Номенклатура» и «Склады» (41.xx, 43 …; без 41.12, 42, 45), резерва в БП нет; услуги — «без ограничения»; variants не заполняются',
    roznica: 'остаток — склад продажи магазина (Количество − Резерв); price — действующая цена магазина (ДействующиеЦеныНоменклатуры, у магазина с применением цен; товар без неё там без цены, как на кассе), у магазина без применения цен — цена вида цен правила ценообразования магазина (без правила — из настроек); цены за объём — только ниже цены магазина; валюта — рубли; variants не заполняются',
  },
  getPicture: {
    bp: 'картинка — первый присоединённый файл товара (реквизита «Файл картинки» у номенклатуры БП нет)',
  },
  findOrCreateClient: {
    unf: 'клиент — контрагент (партнёров в УНФ нет), находится по ИНН; balance — РасчетыСПокупателями',
    bp: 'клиент — контрагент, находится по ИНН; balance — аванс покупателя: сальдо счёта 62.02 (за вычетом долга на 62.01) по субконто «Контрагенты»',
    roznica: 'клиент — контрагент, находится по ИНН; balance всегда 0 (взаиморасчёты не читаются)',
  },
  updateClient: {
    unf: 'пишется контрагенту',
    bp: 'пишется контрагенту',
    roznica: 'пишется контрагенту',
  },
  createBooking: {
    unf: 'в 1С — проведённый «Заказ покупателя» с резервом со склада',
    bp: 'в 1С — проведённый «Счёт на оплату покупателю»: в БП нет заказа покупателя, ничего не резервируется',
    roznica: 'в 1С — проведённый «Заказ покупателя» со статусом «Согласован», резерв на складе продажи магазина',
  },
  updateBooking: {
    unf: '422 not_supported: заказ в 1С не изменяется — отмените (bookingcancel) и создайте новый',
    bp: '422 not_supported: счёт в 1С не изменяется — отмените (bookingcancel) и создайте новый',
    roznica: '422 not_supported: заказ в 1С не изменяется — отмените (bookingcancel) и создайте новый',
  },
  cancelBooking: {
    unf: 'заказ переводится в состояние «Завершен» с вариантом «Отменен» и причиной, перепроводится (резерв снимается)',
    bp: 'счёт распроводится и помечается на удаление',
    roznica: 'все строки отменяются с причиной, резерв снимается, статус «Закрыт»',
  },
  recordCardPayment: {
    unf: 'в 1С — «Операция по платёжным картам» с эквайринговым терминалом',
    bp: 'в 1С — «Оплата платёжной картой» (вид «Оплата покупателя»)',
    roznica: 'в 1С — проведённая «Оплата от покупателя платёжной картой» по заказу: магазин заказа, его эквайринговый терминал, вид оплаты из тарифа терминала',
  },
  createRefund: {
    unf: 'в 1С — «Операция по платёжным картам» с видом «Возврат оплаты покупателю», не проводится',
    bp: 'в 1С — «Оплата платёжной картой» с видом «Возврат покупателю», не проводится',
    roznica: 'в 1С — «Оплата от покупателя платёжной картой» с операцией «Возврат оплаты клиенту» по этой оплате, не проводится',
  },
  getBookingState: {
    unf: 'fulfilment всегда none (отгрузки читаются только в УТ 11 и КА/ERP с расширением ReGate)',
    bp: 'статус 4 — проведённый приходный кассовый ордер «Оплата покупателя» по счёту; fulfilment всегда none',
    roznica: 'статус 3 не бывает (банковских выписок в Рознице 2.2 нет); статус 4 — пробитый чек ККМ продажи по заказу; fulfilment всегда none',
  },
  listUnmatchedBankPayments: {
    roznica: 'банковских выписок в Рознице 2.2 нет: список пуст',
  },
};

/**
 * Adds to each operation the notes above: `x-regate-configurations` ({ unf: …, bp: …, roznica: … }) for machines and
 * a «По конфигурациям 1С» paragraph in its description for people; the configuration of the connected base is marked.
 */
export function addConfigurationNotes(doc: Json, active?: ProfileId): Json {
  for (const item of Object.values<Json>(doc.paths ?? {})) {
    for (const op of Object.values<Json>(item)) {
      const notes = op && typeof op === 'object' ? CONFIGURATION_NOTES[op.operationId as string] : undefined;
      if (!notes) continue;
      op['x-regate-configurations'] = notes;
      const lines = (Object.entries(notes) as [NotedFamily, string][]).map(([f, text]) => `- ${FAMILY_TITLE[f]}${f === active ? ' (эта база)' : ''}: ${text}`);
      op.description = `${op.description ? `${op.description}\n\n` : ''}**По конфигурациям 1С** (УТ 11 и КА/ERP — полностью):\n${lines.join('\n')}`;
    }
  }
  return doc;
}
