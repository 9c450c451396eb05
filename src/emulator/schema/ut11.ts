import type { ConfigurationDef, EntitySetDef, FieldDef, PostingHook, PostingStoreView } from './types.js';

/**
 * The subset of 1C:Управление торговлей 11 that ReGate touches, named exactly as a real publication names it.
 *
 * Sources (../shared/reference/onec-odata): derived/ut-11.5.18.41_odata-fields.txt for the sets and field names,
 * samples/ut-real.edmx for the OData types of numbers (fractional → Edm.Double; integer → Edm.Int64, small codes
 * Edm.Int16; LineNumber/КодСтроки/КлючСвязи are Edm.Int64). Real $metadata carries no MaxLength: the lengths here
 * are the configuration's (Артикул 25, ИНН 12, КПП 9 …) and only drive the emulator's silent truncation.
 *
 * Departures, each deliberate:
 * - `ЦеныНоменклатуры25` in УТ 11.5.18 has the dimensions `ХарактеристикаЦО_Key`, `СерияЦО_Key`, `УпаковкаЦО_Key`
 *   (pricing characteristic/series/packaging), not `Характеристика_Key`; we publish what 11.5.18 publishes.
 * - Picture bytes. `Catalog_НоменклатураПрисоединенныеФайлы` has `ТипХраненияФайла` (ВИнформационнойБазе /
 *   ВТомахНаДиске), `Том_Key`, `ПутьКФайлу` and a legacy ValueStorage `ФайлХранилище`. Since БСП 2.x the bytes of a
 *   file stored in the infobase live in the БСП register `InformationRegister_ДвоичныеДанныеФайлов` (dimension
 *   `Файл` — composite over the *ПрисоединенныеФайлы catalogs, resource `ДвоичныеДанныеФайла` — ValueStorage,
 *   published as `ДвоичныеДанныеФайла_Base64Data`); `ФайлХранилище` stays empty. Files kept in volumes on disk
 *   are not reachable through OData at all. The demo stores pictures ВИнформационнойБазе, in that register.
 * - Only the attributes ReGate reads or writes are listed (plus a few that make rows look real). Reference fields
 *   whose target set is not modelled here carry no `ref`.
 * - The ReGate extension's attributes and registers (names from docs/architecture.md) are included, prefixed
 *   `ReGate_`, as the extension publishes them.
 */

// ---- field helpers (kept tiny so the table below reads like the configuration tree) ----
const str = (name: string, maxLength = 0): FieldDef => ({ name, type: 'Edm.String', maxLength });
const bool = (name: string): FieldDef => ({ name, type: 'Edm.Boolean' });
const date = (name: string): FieldDef => ({ name, type: 'Edm.DateTime' });
/** Number(precision, scale): fractional → Edm.Double; integer → Int16 up to 4 digits, else Int64 (as ut-real.edmx). */
const num = (name: string, precision = 15, scale = 2): FieldDef => ({
  name,
  type: scale > 0 ? 'Edm.Double' : precision <= 4 ? 'Edm.Int16' : 'Edm.Int64',
  precision,
  scale,
});
const ref = (name: string, target?: string): FieldDef =>
  target ? { name, type: 'Edm.Guid', ref: target } : { name, type: 'Edm.Guid' };
const enm = (name: string, enumType: string): FieldDef => ({ name, type: 'Edm.String', enumType });
const comp = (name: string): FieldDef => ({ name, type: 'Edm.String', composite: true });
const binary = (name: string): FieldDef => ({ name, type: 'Edm.Binary' });

const C = (n: string) => `Catalog_${n}`;
const D = (n: string) => `Document_${n}`;

/** Tabular part КонтактнаяИнформация as УТ 11.5 (БСП 3.1) publishes it on Склады, Организации, Партнеры, Контрагенты. */
const contactInfo = (extra: FieldDef[] = []) => ({
  name: 'КонтактнаяИнформация',
  fields: [
    enm('Тип', 'ТипыКонтактнойИнформации'),
    ref('Вид_Key'),
    str('Представление', 500),
    str('ЗначенияПолей'),
    str('Страна', 100),
    str('Регион', 50),
    str('Город', 50),
    str('АдресЭП', 100),
    str('ДоменноеИмяСервера', 100),
    str('НомерТелефона', 20),
    str('НомерТелефонаБезКодов', 20),
    ref('ВидДляСписка_Key'),
    str('Значение'),
    ...extra,
  ],
});

const additionalAttributes = {
  name: 'ДополнительныеРеквизиты',
  fields: [
    ref('Свойство_Key', 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения'),
    comp('Значение'),
    str('ТекстоваяСтрока'),
  ],
};

/** РасшифровкаПлатежа rows shared by the payment documents (only the fields ReGate fills or reads). */
const paymentBreakdown = (extra: FieldDef[] = [], withBasis = true) => ({
  name: 'РасшифровкаПлатежа',
  fields: [
    ref('Партнер_Key', C('Партнеры')),
    // СписаниеБезналичныхДенежныхСредств has no ОснованиеПлатежа: it settles through ОбъектРасчетов_Key only.
    ...(withBasis ? [comp('ОснованиеПлатежа')] : []),
    num('Сумма', 15, 2),
    ref('ВалютаВзаиморасчетов_Key', C('Валюты')),
    num('СуммаВзаиморасчетов', 15, 2),
    ref('СтавкаНДС_Key', C('СтавкиНДС')),
    num('СуммаНДС', 15, 2),
    ref('ОбъектРасчетов_Key', C('ОбъектыРасчетов')),
    str('ИдентификаторСтроки', 36),
    ...extra,
  ],
});

const EXT_ID = () => str('ReGate_ВнешнийИдентификатор', 64);

const commonSets: EntitySetDef[] = [
  {
    name: C('Номенклатура'),
    kind: 'Catalog',
    hierarchical: true,
    codeLength: 11,
    codePrefix: '00-',
    descriptionLength: 100,
    fields: [
      ref('ЕдиницаИзмерения_Key', C('УпаковкиЕдиницыИзмерения')),
      str('Артикул', 25),
      str('НаименованиеПолное', 1024),
      str('Описание'),
      ref('ВидНоменклатуры_Key', C('ВидыНоменклатуры')),
      enm('ТипНоменклатуры', 'ТипыНоменклатуры'),
      enm('ИспользованиеХарактеристик', 'ВариантыИспользованияХарактеристикНоменклатуры'),
      bool('ИспользоватьУпаковки'),
      ref('Марка_Key', C('Марки')),
      ref('Производитель_Key', C('Производители')),
      ref('СтранаПроисхождения_Key', C('СтраныМира')),
      ref('ФайлКартинки_Key', C('НоменклатураПрисоединенныеФайлы')),
      ref('СтавкаНДС_Key', C('СтавкиНДС')),
      str('КодДляПоиска', 25),
      bool('ВесИспользовать'),
      num('ВесЧислитель', 15, 3),
      num('ВесЗнаменатель', 15, 3),
      ref('ВесЕдиницаИзмерения_Key', C('УпаковкиЕдиницыИзмерения')),
      bool('ОбъемИспользовать'),
      num('ОбъемЧислитель', 15, 3),
      num('ОбъемЗнаменатель', 15, 3),
      ref('ОбъемЕдиницаИзмерения_Key', C('УпаковкиЕдиницыИзмерения')),
      // ReGate extension (docs/architecture.md): Number 15.3 / Boolean.
      num('ReGate_МинимальноеКоличество', 15, 3),
      num('ReGate_Кратность', 15, 3),
      num('ReGate_ПорогЦены1', 15, 3),
      num('ReGate_ПорогЦены2', 15, 3),
      bool('ReGate_ПродажаПодЗаказ'),
    ],
    tabular: [additionalAttributes],
  },
  {
    name: C('ВидыНоменклатуры'),
    kind: 'Catalog',
    hierarchical: true,
    codeLength: 9,
    descriptionLength: 100,
    fields: [
      enm('ТипНоменклатуры', 'ТипыНоменклатуры'),
      bool('ИспользоватьУпаковки'),
      enm('ИспользованиеХарактеристик', 'ВариантыИспользованияХарактеристикНоменклатуры'),
      str('НаименованиеДляПечати', 100),
    ],
  },
  {
    // Units of measure and packagings in one catalog (УТ 11.4+). A unit has no owner; a packaging is owned by an
    // item and counts Числитель/Знаменатель of the item's unit (a 0.170 kg portion: Числитель 0.17, Знаменатель 1).
    name: C('УпаковкиЕдиницыИзмерения'),
    kind: 'Catalog',
    hierarchical: true,
    owners: [C('Номенклатура')],
    codeLength: 9,
    descriptionLength: 100,
    fields: [
      str('НаименованиеПолное', 100),
      str('МеждународноеСокращение', 10),
      enm('ТипИзмеряемойВеличины', 'ТипыИзмеряемыхВеличин'),
      ref('ЕдиницаИзмерения_Key', C('УпаковкиЕдиницыИзмерения')),
      num('Числитель', 15, 3),
      num('Знаменатель', 15, 3),
      bool('Безразмерная'),
      num('Вес', 15, 3),
      ref('ВесЕдиницаИзмерения_Key', C('УпаковкиЕдиницыИзмерения')),
      num('Объем', 15, 3),
      ref('ОбъемЕдиницаИзмерения_Key', C('УпаковкиЕдиницыИзмерения')),
    ],
  },
  {
    name: C('СтраныМира'),
    kind: 'Catalog',
    codeLength: 3,
    descriptionLength: 100,
    fields: [
      str('НаименованиеПолное', 100),
      str('КодАльфа2', 2),
      str('КодАльфа3', 3),
      bool('УчастникЕАЭС'),
      str('МеждународноеНаименование', 100),
    ],
  },
  {
    name: C('Марки'),
    kind: 'Catalog',
    hierarchical: true,
    codeLength: 9,
    descriptionLength: 100,
    fields: [ref('Производитель_Key', C('Производители'))],
  },
  { name: C('Производители'), kind: 'Catalog', hierarchical: true, codeLength: 9, descriptionLength: 100, fields: [] },
  {
    name: C('НоменклатураПрисоединенныеФайлы'),
    kind: 'Catalog',
    hierarchical: true,
    descriptionLength: 150,
    fields: [
      ref('ВладелецФайла_Key', C('Номенклатура')),
      ref('Автор_Key'),
      date('ДатаСоздания'),
      date('ДатаМодификацииУниверсальная'),
      str('Описание'),
      str('Расширение', 10),
      num('Размер', 15, 0),
      num('ИндексКартинки', 10, 0),
      enm('ТипХраненияФайла', 'ТипыХраненияФайлов'),
      ref('Том_Key', C('ТомаХраненияФайлов')),
      str('ПутьКФайлу'),
      binary('ФайлХранилище'),
      bool('Зашифрован'),
      bool('ПодписанЭП'),
      bool('ХранитьВерсии'),
    ],
  },
  // БСП's file volumes: a file stored ВТомахНаДиске lives at <the volume's full path><ПутьКФайлу>.
  {
    name: C('ТомаХраненияФайлов'),
    kind: 'Catalog',
    codeLength: 9,
    descriptionLength: 100,
    fields: [str('ПолныйПутьWindows'), str('ПолныйПутьLinux'), num('МаксимальныйРазмер', 15, 0), str('Комментарий'), num('ПорядокЗаполнения', 10, 0)],
  },
  {
    name: 'InformationRegister_ДвоичныеДанныеФайлов',
    kind: 'InformationRegister',
    register: {
      dimensions: [comp('Файл')],
      resources: [binary('ДвоичныеДанныеФайла')],
    },
  },
  {
    name: C('Склады'),
    kind: 'Catalog',
    hierarchical: true,
    codeLength: 9,
    descriptionLength: 100,
    fields: [
      enm('ТипСклада', 'ТипыСкладов'),
      ref('РозничныйВидЦены_Key', C('ВидыЦен')),
      ref('УчетныйВидЦены_Key', C('ВидыЦен')),
      ref('Подразделение_Key'),
      bool('КонтролироватьОперативныеОстатки'),
      bool('КонтролироватьСвободныеОстатки'),
      str('ГруппировкаТоваров'),
    ],
    tabular: [contactInfo(), additionalAttributes],
  },
  {
    name: C('ВидыЦен'),
    kind: 'Catalog',
    hierarchical: true,
    codeLength: 9,
    descriptionLength: 100,
    fields: [
      ref('ВалютаЦены_Key', C('Валюты')),
      bool('ЦенаВключаетНДС'),
      bool('ИспользоватьПриПродаже'),
      bool('ИспользоватьПриРозничнойПродаже'),
      bool('ИспользоватьПриОптовойПродаже'),
      enm('Статус', 'СтатусыДействияВидовЦен'),
      enm('СпособЗаданияЦены', 'СпособыЗаданияЦен'),
      str('Идентификатор', 100),
      num('РеквизитДопУпорядочивания', 10, 0),
    ],
  },
  {
    name: 'InformationRegister_ЦеныНоменклатуры25',
    kind: 'InformationRegister',
    register: {
      periodic: true,
      recorderSubordinate: true,
      dimensions: [
        ref('Номенклатура_Key', C('Номенклатура')),
        ref('ХарактеристикаЦО_Key'),
        ref('СерияЦО_Key'),
        ref('УпаковкаЦО_Key', C('УпаковкиЕдиницыИзмерения')),
        ref('ВидЦены_Key', C('ВидыЦен')),
      ],
      resources: [num('Цена', 15, 2), ref('Упаковка_Key', C('УпаковкиЕдиницыИзмерения')), ref('Валюта_Key', C('Валюты'))],
      attributes: [str('Формула')],
    },
  },
  {
    // Older price register: still present in 11.5.18, the one 11.4 uses.
    name: 'InformationRegister_ЦеныНоменклатуры',
    kind: 'InformationRegister',
    register: {
      periodic: true,
      recorderSubordinate: true,
      dimensions: [
        ref('Номенклатура_Key', C('Номенклатура')),
        ref('Характеристика_Key'),
        ref('ВидЦены_Key', C('ВидыЦен')),
      ],
      resources: [num('Цена', 15, 2), ref('Упаковка_Key', C('УпаковкиЕдиницыИзмерения')), ref('Валюта_Key', C('Валюты'))],
      attributes: [str('Формула')],
    },
  },
  {
    // Recorder of the price registers.
    name: D('УстановкаЦенНоменклатуры'),
    kind: 'Document',
    numberLength: 11,
    numberPrefix: 'ТД00-',
    fields: [str('Комментарий'), ref('Ответственный_Key'), enm('Статус', 'СтатусыУстановкиЦенНоменклатуры')],
  },
  {
    name: 'InformationRegister_ШтрихкодыНоменклатуры',
    kind: 'InformationRegister',
    register: {
      dimensions: [str('Штрихкод', 200)],
      resources: [
        ref('Номенклатура_Key', C('Номенклатура')),
        ref('Характеристика_Key'),
        ref('Упаковка_Key', C('УпаковкиЕдиницыИзмерения')),
      ],
    },
  },
  {
    name: 'AccumulationRegister_ТоварыНаСкладах',
    kind: 'AccumulationRegister',
    register: {
      accumulation: 'balance',
      dimensions: [
        ref('Номенклатура_Key', C('Номенклатура')),
        ref('Характеристика_Key'),
        ref('Назначение_Key'),
        ref('Склад_Key', C('Склады')),
        ref('Помещение_Key'),
        ref('Серия_Key'),
      ],
      resources: [num('ВНаличии', 15, 3), num('КОтгрузке', 15, 3)],
      attributes: [bool('КонтролироватьОстатки'), bool('Сторно')],
    },
  },
  {
    // Recorder of the demo's opening stock (a real УТ 11 document: surplus posting).
    name: D('ОприходованиеИзлишковТоваров'),
    kind: 'Document',
    numberLength: 11,
    numberPrefix: 'ТД00-',
    fields: [ref('Организация_Key', C('Организации')), ref('Склад_Key', C('Склады')), str('Комментарий')],
  },
  {
    name: C('Партнеры'),
    kind: 'Catalog',
    hierarchical: true,
    codeLength: 11,
    codePrefix: '00-',
    descriptionLength: 100,
    fields: [
      str('НаименованиеПолное', 200),
      bool('Клиент'),
      bool('Поставщик'),
      bool('ПрочиеОтношения'),
      enm('ЮрФизЛицо', 'КомпанияЧастноеЛицо'),
      date('ДатаРегистрации'),
      str('Комментарий'),
      str('ДополнительнаяИнформация'),
      ref('ОсновнойМенеджер_Key'),
      EXT_ID(),
    ],
    tabular: [contactInfo(), additionalAttributes],
  },
  {
    name: C('Контрагенты'),
    kind: 'Catalog',
    codeLength: 11,
    codePrefix: '00-',
    descriptionLength: 100,
    fields: [
      str('НаименованиеПолное', 1000),
      enm('ЮрФизЛицо', 'ЮрФизЛицо'),
      enm('ЮридическоеФизическоеЛицо', 'ЮридическоеФизическоеЛицо'),
      ref('СтранаРегистрации_Key', C('СтраныМира')),
      str('ИНН', 12),
      str('КПП', 9),
      str('КодПоОКПО', 10),
      ref('Партнер_Key', C('Партнеры')),
      ref('ГоловнойКонтрагент_Key', C('Контрагенты')),
      str('ДополнительнаяИнформация'),
      EXT_ID(),
    ],
    tabular: [contactInfo([date('ДействуетС')]), additionalAttributes],
  },
  {
    name: C('КлючиАналитикиУчетаПоПартнерам'),
    kind: 'Catalog',
    descriptionLength: 150,
    fields: [
      ref('Партнер_Key', C('Партнеры')),
      ref('Контрагент_Key', C('Контрагенты')),
      ref('Организация_Key', C('Организации')),
      comp('Договор'),
      ref('НаправлениеДеятельности_Key'),
    ],
  },
  {
    name: C('ОбъектыРасчетов'),
    kind: 'Catalog',
    descriptionLength: 150,
    fields: [
      comp('Объект'),
      enm('ТипРасчетов', 'ТипыРасчетовСПартнерами'),
      ref('Партнер_Key', C('Партнеры')),
      ref('Контрагент_Key', C('Контрагенты')),
      ref('Организация_Key', C('Организации')),
      ref('Валюта_Key', C('Валюты')),
      date('Дата'),
      str('Номер', 11),
      num('СуммаДокумента', 15, 2),
    ],
  },
  {
    name: C('Организации'),
    kind: 'Catalog',
    codeLength: 9,
    descriptionLength: 100,
    fields: [
      str('НаименованиеПолное', 1000),
      str('НаименованиеСокращенное', 255),
      str('ИНН', 12),
      str('КПП', 9),
      str('ОГРН', 15),
      str('КодПоОКПО', 10),
      str('Префикс', 2),
      enm('ЮрФизЛицо', 'ЮрФизЛицо'),
      ref('ГоловнаяОрганизация_Key', C('Организации')),
      ref('СтранаРегистрации_Key', C('СтраныМира')),
      ref('ВалютаРегламентированногоУчета_Key', C('Валюты')),
      date('ДатаРегистрации'),
    ],
    tabular: [contactInfo([date('ДействуетС')]), additionalAttributes],
  },
  {
    name: C('КлассификаторБанков'),
    kind: 'Catalog',
    hierarchical: true,
    codeLength: 9,
    descriptionLength: 100,
    fields: [str('КоррСчет', 20), str('Город', 100), str('Адрес', 500), str('Телефоны', 100), str('СВИФТБИК', 11)],
  },
  {
    name: C('БанковскиеСчетаОрганизаций'),
    kind: 'Catalog',
    owners: [C('Организации')],
    descriptionLength: 150,
    fields: [
      str('НомерСчета', 20),
      ref('Банк_Key', C('КлассификаторБанков')),
      ref('ВалютаДенежныхСредств_Key', C('Валюты')),
      ref('Подразделение_Key'),
      str('ТекстКорреспондента', 250),
    ],
  },
  {
    name: C('Валюты'),
    kind: 'Catalog',
    codeLength: 3,
    descriptionLength: 10,
    fields: [
      str('НаименованиеПолное', 50),
      bool('ЗагружаетсяИзИнтернета'),
      num('Наценка', 10, 2),
      enm('СпособУстановкиКурса', 'СпособыУстановкиКурсаВалюты'),
      str('ПараметрыПрописи', 200),
    ],
  },
  {
    // УТ 11.5 keeps VAT rates in a catalog (earlier editions used the enum СтавкиНДС).
    name: C('СтавкиНДС'),
    kind: 'Catalog',
    codeLength: 9,
    descriptionLength: 50,
    fields: [num('Ставка', 5, 2), bool('БезНДС'), bool('НулеваяСтавка'), bool('Расчетная'), enm('ПеречислениеСтавкиНДС', 'СтавкиНДС')],
  },
  {
    name: 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
    kind: 'ChartOfCharacteristicTypes',
    descriptionLength: 150,
    fields: [str('Имя', 75), str('Заголовок', 150), bool('ЭтоДополнительноеСведение'), str('Подсказка')],
  },
  {
    name: D('ЗаказКлиента'),
    kind: 'Document',
    numberLength: 11,
    numberPrefix: 'ТД00-',
    fields: [
      ref('Партнер_Key', C('Партнеры')),
      ref('Контрагент_Key', C('Контрагенты')),
      ref('Организация_Key', C('Организации')),
      ref('Соглашение_Key'),
      ref('Договор_Key'),
      ref('Валюта_Key', C('Валюты')),
      num('СуммаДокумента', 15, 2),
      ref('Склад_Key', C('Склады')),
      bool('ЦенаВключаетНДС'),
      enm('Статус', 'СтатусыЗаказовКлиентов'),
      bool('Согласован'),
      date('ДатаСогласования'),
      enm('ФормаОплаты', 'ФормыОплаты'),
      ref('БанковскийСчет_Key', C('БанковскиеСчетаОрганизаций')),
      date('ДатаОтгрузки'),
      str('АдресДоставки'),
      str('АдресДоставкиЗначенияПолей'),
      str('ДополнительнаяИнформацияПоДоставке'),
      enm('НалогообложениеНДС', 'ТипыНалогообложенияНДС'),
      enm('ХозяйственнаяОперация', 'ХозяйственныеОперации'),
      str('Комментарий'),
      str('НомерПоДаннымКлиента', 50),
      date('ДатаПоДаннымКлиента'),
      ref('ОбъектРасчетов_Key', C('ОбъектыРасчетов')),
      num('МаксимальныйКодСтроки', 10, 0),
      bool('ЭтоЗаказКакСчет'),
      EXT_ID(),
    ],
    tabular: [
      {
        name: 'Товары',
        fields: [
          ref('Номенклатура_Key', C('Номенклатура')),
          ref('Характеристика_Key'),
          ref('Упаковка_Key', C('УпаковкиЕдиницыИзмерения')),
          num('КоличествоУпаковок', 15, 3),
          num('Количество', 15, 3),
          ref('ВидЦены_Key', C('ВидыЦен')),
          num('Цена', 15, 2),
          num('Сумма', 15, 2),
          ref('СтавкаНДС_Key', C('СтавкиНДС')),
          num('СуммаНДС', 15, 2),
          num('СуммаСНДС', 15, 2),
          num('ПроцентРучнойСкидки', 5, 2),
          num('СуммаРучнойСкидки', 15, 2),
          num('КодСтроки', 10, 0),
          bool('Отменено'),
          ref('Склад_Key', C('Склады')),
          date('ДатаОтгрузки'),
          enm('ВариантОбеспечения', 'ВариантыОбеспечения'),
          str('Содержание'),
        ],
      },
      additionalAttributes,
    ],
  },
  {
    name: D('ПоступлениеБезналичныхДенежныхСредств'),
    kind: 'Document',
    numberLength: 11,
    numberPrefix: 'ТД00-',
    fields: [
      ref('Организация_Key', C('Организации')),
      ref('БанковскийСчет_Key', C('БанковскиеСчетаОрганизаций')),
      enm('ХозяйственнаяОперация', 'ХозяйственныеОперации'),
      num('СуммаДокумента', 15, 2),
      ref('Контрагент_Key', C('Контрагенты')),
      ref('Партнер_Key', C('Партнеры')),
      ref('Валюта_Key', C('Валюты')),
      date('ДатаВходящегоДокумента'),
      str('НомерВходящегоДокумента', 30),
      str('НазначениеПлатежа'),
      bool('ПроведеноБанком'),
      date('ДатаПроведенияБанком'),
      str('ИдентификаторПлатежа', 25),
      str('ИмяКонтрагента'),
      str('Комментарий'),
      str('ИдентификаторДокумента', 36),
      EXT_ID(),
    ],
    tabular: [paymentBreakdown()],
  },
  {
    name: D('ОперацияПоПлатежнойКарте'),
    kind: 'Document',
    numberLength: 11,
    numberPrefix: 'ТД00-',
    fields: [
      enm('ХозяйственнаяОперация', 'ХозяйственныеОперации'),
      ref('Организация_Key', C('Организации')),
      ref('Контрагент_Key', C('Контрагенты')),
      ref('Партнер_Key', C('Партнеры')),
      ref('ДоговорЭквайринга_Key'),
      ref('ЭквайринговыйТерминал_Key'),
      num('СуммаДокумента', 15, 2),
      ref('Валюта_Key', C('Валюты')),
      str('НомерПлатежнойКарты', 20),
      bool('ОплатаВыполнена'),
      str('КодАвторизации', 20),
      str('ИдентификаторОплатыСБП', 50),
      comp('ДокументОснование'),
      str('Комментарий'),
      str('ИдентификаторДокумента', 36),
      EXT_ID(),
    ],
    tabular: [paymentBreakdown()],
  },
  {
    name: D('СписаниеБезналичныхДенежныхСредств'),
    kind: 'Document',
    numberLength: 11,
    numberPrefix: 'ТД00-',
    fields: [
      enm('ХозяйственнаяОперация', 'ХозяйственныеОперации'),
      ref('Организация_Key', C('Организации')),
      ref('БанковскийСчет_Key', C('БанковскиеСчетаОрганизаций')),
      ref('Контрагент_Key', C('Контрагенты')),
      ref('Партнер_Key', C('Партнеры')),
      num('СуммаДокумента', 15, 2),
      ref('Валюта_Key', C('Валюты')),
      str('НазначениеПлатежа'),
      num('ОчередностьПлатежа', 1, 0),
      bool('ПроведеноБанком'),
      date('ДатаПроведенияБанком'),
      comp('ДокументОснование'),
      str('Комментарий'),
      str('ИдентификаторДокумента', 36),
      EXT_ID(),
    ],
    tabular: [paymentBreakdown([ref('Контрагент_Key', C('Контрагенты'))], false)],
  },
  {
    name: 'AccumulationRegister_РасчетыСКлиентами',
    kind: 'AccumulationRegister',
    register: {
      accumulation: 'balance',
      dimensions: [
        ref('АналитикаУчетаПоПартнерам_Key', C('КлючиАналитикиУчетаПоПартнерам')),
        ref('ОбъектРасчетов_Key', C('ОбъектыРасчетов')),
        ref('Валюта_Key', C('Валюты')),
      ],
      resources: [
        num('Сумма', 15, 2),
        num('КОплате', 15, 2),
        num('Оплачивается', 15, 2),
        num('КОтгрузке', 15, 2),
        num('Отгружается', 15, 2),
      ],
      attributes: [
        enm('ХозяйственнаяОперация', 'ХозяйственныеОперации'),
        enm('ФормаОплаты', 'ФормыОплаты'),
        comp('ПродажаПоЗаказу'),
        date('ДатаРегистратора'),
        date('ДатаПлатежа'),
        num('СуммаРегл', 15, 2),
        num('СуммаУпр', 15, 2),
        comp('РасчетныйДокумент'),
        bool('Сторно'),
      ],
    },
  },
  {
    name: 'InformationRegister_ВерсииПодсистем',
    kind: 'InformationRegister',
    register: {
      dimensions: [str('ИмяПодсистемы', 255)],
      resources: [str('Версия', 23)],
      attributes: [bool('ЭтоОсновнаяКонфигурация')],
    },
  },
  // ---- the ReGate extension's own registers (docs/architecture.md) ----
  {
    name: 'InformationRegister_ReGate_СтатусыЗаказов',
    kind: 'InformationRegister',
    register: {
      periodic: true,
      dimensions: [ref('Заказ_Key', D('ЗаказКлиента'))],
      resources: [num('СтатусЗаказа', 2, 0), num('СтатусОплаты', 2, 0), num('СуммаОплаты', 15, 2)],
      attributes: [str('Комментарий', 200)],
    },
  },
  {
    name: 'InformationRegister_ReGate_ОплатыКартами',
    kind: 'InformationRegister',
    register: {
      dimensions: [ref('Заказ_Key', D('ЗаказКлиента')), str('ИдентификаторТранзакции', 64)],
      resources: [
        str('Провайдер', 50),
        str('RRN', 12),
        str('КодАвторизации', 10),
        str('МаскаКарты', 20),
        num('Сумма', 15, 2),
        date('ДатаОплаты'),
      ],
    },
  },
];

/** 11.4: free stock register (removed in 11.5.18). */
const freeStock: EntitySetDef = {
  name: 'AccumulationRegister_СвободныеОстатки',
  kind: 'AccumulationRegister',
  register: {
    accumulation: 'balance',
    dimensions: [ref('Номенклатура_Key', C('Номенклатура')), ref('Характеристика_Key'), ref('Склад_Key', C('Склады'))],
    resources: [num('ВНаличии', 15, 3), num('ВРезервеСоСклада', 15, 3), num('ВРезервеПодЗаказ', 15, 3)],
  },
};

const enums: Record<string, string[]> = {
  ТипыНоменклатуры: ['Товар', 'МногооборотнаяТара', 'Услуга', 'Работа', 'Набор'],
  ВариантыИспользованияХарактеристикНоменклатуры: [
    'НеИспользовать',
    'ОбщиеДляВидаНоменклатуры',
    'ИндивидуальныеДляНоменклатуры',
    'ОбщиеСДругимВидомНоменклатуры',
  ],
  ТипыИзмеряемыхВеличин: ['Вес', 'Объем', 'Длина', 'Площадь', 'КоличествоШтук', 'Упаковка', 'ВремяРаботы', 'Мощность', 'ЭлектрическийЗаряд', 'Энергия'],
  ТипыХраненияФайлов: ['ВИнформационнойБазе', 'ВТомахНаДиске'],
  ТипыСкладов: ['ОптовыйСклад', 'РозничныйМагазин'],
  СтатусыДействияВидовЦен: ['Действует', 'НеДействует', 'ВРазработке'],
  СпособыЗаданияЦен: ['Вручную', 'РассчитыватьПоФормуле', 'ЗаполнятьПоДаннымИБ', 'ЗаполнятьПоЦенамПоставщика'],
  СтатусыУстановкиЦенНоменклатуры: ['Черновик', 'НаСогласовании', 'Согласован', 'Отклонен'],
  ТипыКонтактнойИнформации: ['Адрес', 'АдресЭлектроннойПочты', 'ВебСтраница', 'Телефон', 'Факс', 'Skype', 'Другое'],
  КомпанияЧастноеЛицо: ['Компания', 'ЧастноеЛицо'],
  ЮрФизЛицо: ['ЮрЛицо', 'ФизЛицо', 'ИндивидуальныйПредприниматель', 'ЮрЛицоНеРезидент'],
  ЮридическоеФизическоеЛицо: ['ЮридическоеЛицо', 'ФизическоеЛицо'],
  ТипыРасчетовСПартнерами: ['РасчетыСКлиентом', 'РасчетыСПоставщиком'],
  СтатусыЗаказовКлиентов: ['НеСогласован', 'КОбеспечению', 'КОтгрузке', 'Закрыт'],
  ФормыОплаты: ['Наличная', 'Безналичная', 'ПлатежнаяКарта', 'Любая'],
  ТипыНалогообложенияНДС: ['ПродажаОблагаетсяНДС', 'ПродажаНеОблагаетсяНДС', 'ЭкспортНесырьевыхТоваров', 'ЭкспортСырьевыхТоваровУслуг'],
  ВариантыОбеспечения: ['Отгрузить', 'СоСклада', 'КОбеспечению', 'Обособленно', 'НеТребуется', 'ОтгрузитьОбособленно'],
  ХозяйственныеОперации: [
    'РеализацияКлиенту',
    'ПоступлениеОплатыОтКлиента',
    'ВозвратОплатыКлиенту',
    'ОприходованиеИзлишковТоваров',
    'ПрочееПоступлениеДенежныхСредств',
    'ПрочаяВыдачаДенежныхСредств',
  ],
  СпособыУстановкиКурсаВалюты: ['РучнойВвод', 'ЗагрузкаИзИнтернета', 'НаценкаНаКурсДругойВалюты', 'РасчетПоФормуле'],
  СтавкиНДС: ['НДС20', 'НДС10', 'НДС0', 'БезНДС', 'НДС20_120', 'НДС10_110'],
};

export type Ut11Variant = 'ut11.5' | 'ut11.4';

/** The emulated configuration for a variant: 11.4 adds AccumulationRegister_СвободныеОстатки. */
export function ut11Configuration(variant: Ut11Variant = 'ut11.5'): ConfigurationDef {
  const is115 = variant === 'ut11.5';
  return {
    name: 'УправлениеТорговлей',
    synonym: 'Управление торговлей, редакция 11',
    version: is115 ? '11.5.18.41' : '11.4.13.254',
    platformVersion: is115 ? '8.3.24.1548' : '8.3.18.1741',
    // Posting handlers ride on the document definitions (EntitySetDef.onPost): defined below, attached here.
    sets: (is115 ? commonSets : [...commonSets, freeStock]).map((set) =>
      ut11Posting[set.name] ? { ...set, onPost: ut11Posting[set.name] as PostingHook } : set,
    ),
    enums,
  };
}


// ---- posting (проведение): what the documents write to AccumulationRegister_РасчетыСКлиентами ----

/** A record as the emulator stores it: field values in the native form of the demo rows. */
export type RegisterRecord = Record<string, unknown>;

/** What a posting handler may ask of the store (the engine's Store implements it; so does the demo generator). */
export type PostingContext = PostingStoreView;

/** Returns, per register set, the records this document writes (replacing its previous movements). */
export type PostHandler = (doc: Record<string, unknown>, ctx: PostingContext) => Record<string, RegisterRecord[]>;

const SETTLEMENTS = 'AccumulationRegister_РасчетыСКлиентами';
const ORDER = D('ЗаказКлиента');
const NULL_GUID = '00000000-0000-0000-0000-000000000000';

function analyticsKey(doc: Record<string, unknown>, ctx: PostingContext, partner?: unknown): string {
  return ctx.findOrCreate(C('КлючиАналитикиУчетаПоПартнерам'), {
    Партнер_Key: (partner ?? doc.Партнер_Key ?? NULL_GUID) as string,
    Контрагент_Key: (doc.Контрагент_Key ?? NULL_GUID) as string,
    Организация_Key: (doc.Организация_Key ?? NULL_GUID) as string,
  });
}

function orderObject(orderKey: string, ctx: PostingContext): string {
  const order = ctx.get(ORDER, orderKey) ?? {};
  return ctx.findOrCreate(
    C('ОбъектыРасчетов'),
    { Объект: orderKey, Объект_Type: `StandardODATA.${ORDER}` },
    {
      Description: `Заказ клиента ${String(order.Number ?? '')}`.trim(),
      ТипРасчетов: 'РасчетыСКлиентом',
      Партнер_Key: order.Партнер_Key ?? NULL_GUID,
      Контрагент_Key: order.Контрагент_Key ?? NULL_GUID,
      Организация_Key: order.Организация_Key ?? NULL_GUID,
      Валюта_Key: order.Валюта_Key ?? NULL_GUID,
      Номер: order.Number ?? '',
      Дата: order.Date ?? '0001-01-01T00:00:00',
      СуммаДокумента: order.СуммаДокумента ?? 0,
    },
  );
}

/** Payment-like documents: each РасшифровкаПлатежа row settles its ОснованиеПлатежа (an order) or an advance. */
function paymentHandler(set: string, recordType: 'Receipt' | 'Expense'): PostHandler {
  return (doc, ctx) => {
    const rows = (doc.РасшифровкаПлатежа as Record<string, unknown>[] | undefined) ?? [];
    const lines = rows.length
      ? rows
      : [{ Сумма: doc.СуммаДокумента, Партнер_Key: doc.Партнер_Key, ОснованиеПлатежа: null }];
    const records = lines.map((line) => {
      const basis = line.ОснованиеПлатежа as string | null | undefined;
      const basisIsOrder = !!basis && String(line.ОснованиеПлатежа_Type ?? '').endsWith(ORDER);
      const given = line.ОбъектРасчетов_Key as string | null | undefined;
      const object = basisIsOrder
        ? orderObject(basis, ctx)
        : given && given !== NULL_GUID
          ? given
          : ctx.findOrCreate(C('ОбъектыРасчетов'), { Объект: doc.Ref_Key, Объект_Type: `StandardODATA.${set}` });
      const sum = Number(line.Сумма ?? 0);
      return {
        RecordType: recordType,
        АналитикаУчетаПоПартнерам_Key: analyticsKey(doc, ctx, line.Партнер_Key ?? doc.Партнер_Key),
        ОбъектРасчетов_Key: object,
        Валюта_Key: doc.Валюта_Key ?? NULL_GUID,
        Сумма: sum,
        КОплате: sum,
        ХозяйственнаяОперация: doc.ХозяйственнаяОперация,
        РасчетныйДокумент: doc.Ref_Key,
      };
    });
    return { [SETTLEMENTS]: records };
  };
}

/**
 * onPost handlers by document set. Conventions of РасчетыСКлиентами as ReGate reads them: a posted order is a
 * Receipt of `Сумма`/`КОплате` = the order total (the client owes it); a payment is an Expense of what it paid
 * (the debt falls; a negative balance is the client's advance); a refund is a Receipt again. Card operations
 * with ХозяйственнаяОперация = ВозвратОплатыКлиенту are refunds.
 */
export const ut11Posting: Record<string, PostHandler> = {
  [ORDER]: (doc, ctx) => {
    const sum = Number(doc.СуммаДокумента ?? 0);
    return {
      [SETTLEMENTS]: [
        {
          RecordType: 'Receipt',
          АналитикаУчетаПоПартнерам_Key: analyticsKey(doc, ctx),
          ОбъектРасчетов_Key: orderObject(String(doc.Ref_Key), ctx),
          Валюта_Key: doc.Валюта_Key ?? NULL_GUID,
          Сумма: sum,
          КОплате: sum,
          ХозяйственнаяОперация: doc.ХозяйственнаяОперация ?? 'РеализацияКлиенту',
          ФормаОплаты: doc.ФормаОплаты,
        },
      ],
    };
  },
  [D('ПоступлениеБезналичныхДенежныхСредств')]: paymentHandler(D('ПоступлениеБезналичныхДенежныхСредств'), 'Expense'),
  [D('ОперацияПоПлатежнойКарте')]: (doc, ctx) =>
    paymentHandler(
      D('ОперацияПоПлатежнойКарте'),
      doc.ХозяйственнаяОперация === 'ВозвратОплатыКлиенту' ? 'Receipt' : 'Expense',
    )(doc, ctx),
  [D('СписаниеБезналичныхДенежныхСредств')]: paymentHandler(D('СписаниеБезналичныхДенежныхСредств'), 'Receipt'),
};

/** УТ 11.5.18, the default emulated base (after ut11Posting: the handlers are attached at construction). */
export const ut11: ConfigurationDef = ut11Configuration('ut11.5');
