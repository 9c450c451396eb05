import { createHash } from 'node:crypto';
import { UNF_OPTIONS } from '../posting/unf.js';
import { ean13, inn10, inn12, ogrn, withAccountKey } from './checksums.js';
import { BRANDS, CITIES, COMPANY_WORDS, COUNTRIES, FIRST_NAMES, GROUPS, LAST_NAMES, type UnitCode } from './dictionary.js';
import { BASE_DATE, EMPTY_REF, type DemoBase, type DemoOptions, type Row } from './generate.js';
import { tinyPng } from './png.js';
import { demoScaffold } from './scaffold.js';
import { fmix } from './random.js';

/**
 * The demo base of УНФ 3.0, filled into what the real УНФ dump publishes (../shared/reference/dumps/unf-3.0.12-xml):
 * the same assortment, warehouses and clients as the УТ demo, kept the УНФ way —
 * - warehouses and shops are Catalog.СтруктурныеЕдиницы (the predefined ОсновнойСклад is the first warehouse; the
 *   predefined ОсновноеПодразделение sells), shops of type Розница with a retail price kind;
 * - units are the classifier (predefined шт; кг and л added as a base adds them), portions Catalog.ЕдиницыИзмерения
 *   owned by their item (Коэффициент in the item's unit);
 * - prices are records of the Independent InformationRegister.ЦеныНоменклатуры by ВидЦен (predefined Оптовая is the
 *   wholesale kind; Розничная and Мелкооптовая added);
 * - stock is AccumulationRegister.ЗапасыНаСкладах (receipts of one ОприходованиеЗапасов per warehouse) and the same
 *   free balance in AccumulationRegister.Запасы (ЗаказПокупателя empty), which orders reserve from;
 * - VAT: Catalog.СтавкиНДС items of kinds Общая (20 % and 22 %), Пониженная (10 %), БезНДС; items carry ВидСтавкиНДС;
 * - clients are Контрагенты (Покупатель, settlements by orders), each with its default contract;
 * - one order kind (predefined Основной) with the states Новый → В работе → Завершен (Завершен is predefined; the
 *   others are data a base creates), one reason for cancelling, one acquiring terminal (Catalog.СпособыОплаты of Тип
 *   Эквайринг) and one cash desk.
 * Predefined items use their ids from the dump's Ext/Predefined.xml, as a base created from the configuration has them.
 */

const S = {
  items: 'Catalog_Номенклатура',
  units: 'Catalog_КлассификаторЕдиницИзмерения',
  packagings: 'Catalog_ЕдиницыИзмерения',
  countries: 'Catalog_СтраныМира',
  files: 'Catalog_НоменклатураПрисоединенныеФайлы',
  fileStorage: 'InformationRegister_ХранилищеФайлов',
  blobs: 'Catalog_ХранилищеДвоичныхДанных',
  places: 'Catalog_СтруктурныеЕдиницы',
  priceKinds: 'Catalog_ВидыЦен',
  prices: 'InformationRegister_ЦеныНоменклатуры',
  barcodes: 'InformationRegister_ШтрихкодыНоменклатуры',
  stock: 'AccumulationRegister_ЗапасыНаСкладах',
  inventory: 'AccumulationRegister_Запасы',
  stockDocs: 'Document_ОприходованиеЗапасов',
  counterparties: 'Catalog_Контрагенты',
  contracts: 'Catalog_ДоговорыКонтрагентов',
  organisations: 'Catalog_Организации',
  banks: 'Catalog_Банки',
  bankClassifier: 'Catalog_КлассификаторБанков',
  bankAccounts: 'Catalog_БанковскиеСчета',
  currencies: 'Catalog_Валюты',
  vat: 'Catalog_СтавкиНДС',
  properties: 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
  versions: 'InformationRegister_ВерсииПодсистем',
  orderKinds: 'Catalog_ВидыЗаказовПокупателей',
  orderStates: 'Catalog_СостоянияЗаказовПокупателей',
  cancelReasons: 'Catalog_ПричиныОтменыЗаказа',
  paymentMethods: 'Catalog_СпособыОплаты',
  cashDesks: 'Catalog_Кассы',
  cashFlowItems: 'Catalog_СтатьиДвиженияДенежныхСредств',
  categories: 'Catalog_КатегорииНоменклатуры',
} as const;

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The demo base's functional options: contracts off (one default contract per buyer), reservation on, no automatic discounts. */
export const UNF_DEMO_OPTIONS: Record<string, boolean> = {
  [UNF_OPTIONS.contracts]: false,
  [UNF_OPTIONS.reservation]: true,
  [UNF_OPTIONS.autoDiscounts]: false,
};

export function generateUnfDemoBase(options: DemoOptions): DemoBase {
  const { itemCount, clientCount, guid, seedHash, rngFor, config, rows, put, skippedSorted } = demoScaffold(options, 'УНФ');
  const predefined = (set: string, name: string): string => {
    const p = config.sets.find((x) => x.name === set)?.predefined?.find((x) => x.name === name);
    if (!p) throw new Error(`УНФ demo: ${set} has no predefined item ${name} in this dump`);
    return p.ref;
  };
  const typed = (set: string) => `StandardODATA.${set}`;

  // ---- configuration version, currency, VAT ----
  for (const [name, version, main] of [[config.name, config.version, true], ['СтандартныеПодсистемы', '3.1.10.300', false]] as const) {
    put(S.versions, { ИмяПодсистемы: name, Версия: version, ЭтоОсновнаяКонфигурация: main });
  }
  const currency = guid(S.currencies, 0);
  put(S.currencies, { Ref_Key: currency, Code: '643', Description: 'руб.', DeletionMark: false, НаименованиеПолное: 'Российский рубль', СимвольноеПредставление: '₽', СпособУстановкиКурса: 'РучнойВвод' });
  // Kinds and rates (Enums/ВидыСтавокНДС.xml, Enums/СтавкиНДС.xml members): the general rate 20 % and 22 % (from 2026,
  // Catalogs/СтавкиНДС/Ext/ManagerModule.bsl 723-730), reduced 10 %, none.
  const vatDefs: [string, number, string, string, boolean][] = [['20%', 20, 'Общая', 'НДС20', false], ['22%', 22, 'Общая', 'НДС22', false], ['10%', 10, 'Пониженная', 'НДС10', false], ['Без НДС', 0, 'БезНДС', 'БезНДС', true]];
  const vatKeys = vatDefs.map(([name, rate, kind, member, none], i) => {
    const key = guid(S.vat, i);
    put(S.vat, { Ref_Key: key, Description: name, DeletionMark: false, Ставка: rate, НеОблагается: none, Расчетная: false, ВидСтавкиНДС: kind, ПеречислениеСтавкаНДС: member });
    return key;
  });

  // ---- countries ----
  const countryKeys = COUNTRIES.map(([desc, full, code, a2, a3, eaeu], i) => {
    const key = code === '643' ? predefined(S.countries, 'Россия') : guid(S.countries, i);
    put(S.countries, { Ref_Key: key, Code: code, Description: desc, DeletionMark: false, НаименованиеПолное: full, КодАльфа2: a2, КодАльфа3: a3, УчастникЕАЭС: eaeu, МеждународноеНаименование: '', ...(code === '643' ? { Predefined: true, PredefinedDataName: 'Россия' } : {}) });
    return key;
  });

  // ---- organisation, bank, account, cash desk, acquiring ----
  const orgRng = rngFor('organisation');
  const orgInn = inn10('77' + pad(orgRng.int(1, 51), 2) + pad(orgRng.int(0, 99999), 5));
  const organisation = predefined(S.organisations, 'ОсновнаяОрганизация');
  const bik = '0445252' + pad(orgRng.int(10, 99), 2);
  const bank = guid(S.banks, 0);
  put(S.banks, { Ref_Key: bank, Code: bik, Description: 'АО «Банк Пример»', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, КоррСчет: withAccountKey(bik, '30101810000000000' + bik.slice(6), true), Город: 'г. Москва' });
  put(S.bankClassifier, { Ref_Key: guid(S.bankClassifier, 0), Code: bik, Description: 'АО «Банк Пример»', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, КоррСчет: withAccountKey(bik, '30101810000000000' + bik.slice(6), true), Город: 'г. Москва' });
  const accountNumber = withAccountKey(bik, '40702810' + '0' + pad(orgRng.int(0, 9999), 4) + pad(orgRng.int(0, 9999999), 7));
  const bankAccount = guid(S.bankAccounts, 0);
  put(S.bankAccounts, { Ref_Key: bankAccount, Code: '00-000001', Description: `${accountNumber}, АО «Банк Пример»`, DeletionMark: false, Owner: organisation, Owner_Type: typed(S.organisations), НомерСчета: accountNumber, Банк_Key: bank, ВалютаДенежныхСредств_Key: currency });
  const orgAddress = { LineNumber: 1, Тип: 'Адрес', Представление: `123100, Москва г, ${CITIES[0][3][1]}, дом № 12`, Город: 'Москва', Регион: 'Москва г', Страна: 'РОССИЯ' };
  put(S.organisations, {
    Ref_Key: organisation, Code: '00-000001', Description: 'Ричест Трейд ООО', DeletionMark: false, Predefined: true, PredefinedDataName: 'ОсновнаяОрганизация',
    НаименованиеПолное: 'Общество с ограниченной ответственностью «Ричест Трейд»', НаименованиеСокращенное: 'ООО «Ричест Трейд»',
    ИНН: orgInn, КПП: orgInn.slice(0, 4) + '01001', ОГРН: ogrn('1' + '15' + '77' + pad(orgRng.int(0, 99), 2) + pad(orgRng.int(0, 99999), 5)), Префикс: 'РТ', ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо',
    БанковскийСчетПоУмолчанию_Key: bankAccount, КонтактнаяИнформация: [orgAddress, { LineNumber: 2, Тип: 'Телефон', Представление: '+7 (495) 123-45-67', НомерТелефона: '+74951234567' }],
  });
  const cashDesk = guid(S.cashDesks, 0);
  put(S.cashDesks, { Ref_Key: cashDesk, Code: '00-000001', Description: 'Основная касса', DeletionMark: false, ВалютаПоУмолчанию_Key: currency });
  // The acquirer is a counterparty (СпособыОплаты.Эквайрер); the terminal names its cash desk, account, acquirer and
  // expense account — every one of them filled, as ОперацияПоПлатежнымКартам requires (ObjectModule.bsl 2892-2906).
  // Internet acquiring runs through the payment system, not a terminal used without equipment: ВидПлатежнойКарты is
  // then not checked (ObjectModule.bsl 2915-2918); with such a terminal УНФ wants the card kind, which a shop's
  // payment event does not carry.
  const acquirer = guid(S.counterparties + '/acquirer', 0);
  put(S.counterparties, { Ref_Key: acquirer, Code: '00-000900', Description: 'АО «Банк Пример» (эквайер)', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, НаименованиеПолное: 'Акционерное общество «Банк Пример»', ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо', ИНН: inn10('770' + pad(orgRng.int(0, 999999), 6)), Поставщик: true, Покупатель: false, ВестиРасчетыПоДоговорам: false, ВестиРасчетыПоЗаказам: false, ВестиРасчетыПоДокументам: false, КонтактнаяИнформация: [] });
  const acquirerContract = guid(S.contracts, 900);
  put(S.contracts, { Ref_Key: acquirerContract, Code: '00-000900', Description: 'Договор эквайринга', DeletionMark: false, Owner: acquirer, Owner_Type: typed(S.counterparties), Организация_Key: organisation, ВалютаРасчетов_Key: currency, ВидДоговора: 'Прочее', ЭтоДоговорЭквайринга: true, НомерДоговора: 'ЭК-1' });
  const terminal = guid(S.paymentMethods, 0);
  put(S.paymentMethods, { Ref_Key: terminal, Code: '00-0000001', Description: 'Интернет-эквайринг Richest.store', DeletionMark: false, Тип: 'Эквайринг', Организация_Key: organisation, Касса: cashDesk, Касса_Type: typed(S.cashDesks), Эквайрер_Key: acquirer, Договор_Key: acquirerContract, БанковскийСчетЭквайринг_Key: bankAccount, СчетУчета_Key: guid('ChartOfAccounts_Управленческий', 57), СчетЗатрат_Key: guid('ChartOfAccounts_Управленческий', 44), ИспользоватьБезПодключенияОборудования: false, НалогообложениеНДС: 'ОблагаетсяНДС' });
  const paymentFromCustomers = predefined(S.cashFlowItems, 'ОплатаОтПокупателей');
  put(S.cashFlowItems, { Ref_Key: paymentFromCustomers, Code: '00-000003', Description: 'Оплата от покупателей', DeletionMark: false, Predefined: true, PredefinedDataName: 'ОплатаОтПокупателей' });

  // ---- order kind and states, a cancel reason ----
  const completed = predefined(S.orderStates, 'Завершен');
  const states = [['Новый', guid(S.orderStates, 1)], ['В работе', guid(S.orderStates, 2)], ['Завершен', completed]] as const;
  for (const [name, key] of states) put(S.orderStates, { Ref_Key: key, Description: name, DeletionMark: false, ...(key === completed ? { Predefined: true, PredefinedDataName: 'Завершен' } : {}) });
  const mainKind = predefined(S.orderKinds, 'Основной');
  put(S.orderKinds, { Ref_Key: mainKind, Description: 'Основной', DeletionMark: false, Predefined: true, PredefinedDataName: 'Основной', ПорядокСостояний: states.map(([, key], i) => ({ LineNumber: i + 1, Состояние_Key: key })) });
  put(S.cancelReasons, { Ref_Key: guid(S.cancelReasons, 0), Description: 'Покупатель отказался', DeletionMark: false });

  // ---- price kinds: the predefined Оптовая and Учетная, plus Розничная and Мелкооптовая ----
  const priceKindDefs: [string, string | null][] = [['Розничная', null], ['Мелкооптовая', null], ['Оптовая', 'Оптовая'], ['Учетная', 'Учетная']];
  const [retailKind, tier1Kind, tier2Kind] = priceKindDefs.map(([name, pre], i) => {
    const key = pre ? predefined(S.priceKinds, pre) : guid(S.priceKinds, i);
    put(S.priceKinds, { Ref_Key: key, Code: pad(i + 1, 9), Description: name, DeletionMark: false, ВалютаЦены_Key: currency, ЦенаВключаетНДС: true, ТипВидаЦен: 'Статический', ...(pre ? { Predefined: true, PredefinedDataName: pre } : {}) });
    return key;
  });

  // ---- places: the predefined department and main warehouse, more warehouses and two shops ----
  const department = predefined(S.places, 'ОсновноеПодразделение');
  put(S.places, { Ref_Key: department, Code: '00-000002', Description: 'Основное подразделение', DeletionMark: false, Parent_Key: EMPTY_REF, Predefined: true, PredefinedDataName: 'ОсновноеПодразделение', ТипСтруктурнойЕдиницы: 'Подразделение', Организация_Key: organisation, КонтактнаяИнформация: [] });
  const placeDefs: [string, number, string][] = [['Основной склад', 0, 'Склад'], ['Магазин «Тверская»', 0, 'Розница'], ['Склад Санкт-Петербург', 1, 'Склад'], ['Магазин «Невский»', 1, 'Розница'], ['Склад Новосибирск', 2, 'Склад'], ['Склад Екатеринбург', 3, 'Склад'], ['Склад Казань', 4, 'Склад']];
  const warehouses: string[] = [];
  const warehouseCity: Record<string, string> = {};
  placeDefs.forEach(([name, cityIndex, type], i) => {
    const key = i === 0 ? predefined(S.places, 'ОсновнойСклад') : guid(S.places, i);
    const city = CITIES[cityIndex];
    const r = rngFor('warehouse', i);
    warehouses.push(key);
    warehouseCity[key] = city[0];
    const street = r.pick(city[3]);
    const house = r.int(1, 120);
    put(S.places, {
      Ref_Key: key, Code: `00-${pad(i === 0 ? 1 : i + 2, 6)}`, Description: name, DeletionMark: false, Parent_Key: EMPTY_REF, ТипСтруктурнойЕдиницы: type, Организация_Key: organisation,
      РозничныйВидЦен_Key: type === 'Розница' ? retailKind : EMPTY_REF, ...(i === 0 ? { Predefined: true, PredefinedDataName: 'ОсновнойСклад' } : {}),
      КонтактнаяИнформация: [
        { LineNumber: 1, Тип: 'Адрес', Представление: `${city[2].padEnd(6, '0')}, ${city[1].endsWith(' г') ? city[1] : `${city[1]}, ${city[0]} г`}, ${street}, дом № ${house}`, Страна: 'РОССИЯ', Регион: city[1], Город: city[0] },
        { LineNumber: 2, Тип: 'Телефон', Представление: `+7 (${900 + i}) ${pad(r.int(100, 999), 3)}-${pad(r.int(10, 99), 2)}-${pad(r.int(10, 99), 2)}`, НомерТелефона: `+79${pad(i, 2)}${pad(r.int(0, 9999999), 7)}` },
      ],
    });
  });

  // ---- units: the predefined шт, and кг / л by their ОКЕИ codes ----
  const units = {
    шт: predefined(S.units, 'шт'),
    кг: guid(S.units, 1),
    л: guid(S.units, 2),
  } as Record<UnitCode, string>;
  put(S.units, { Ref_Key: units.шт, Code: '796', Description: 'шт', DeletionMark: false, Predefined: true, PredefinedDataName: 'шт', НаименованиеПолное: 'Штука', МеждународноеСокращение: 'PCE' });
  put(S.units, { Ref_Key: units.кг, Code: '166', Description: 'кг', DeletionMark: false, НаименованиеПолное: 'Килограмм', МеждународноеСокращение: 'KGM' });
  put(S.units, { Ref_Key: units.л, Code: '112', Description: 'л', DeletionMark: false, НаименованиеПолное: 'Литр', МеждународноеСокращение: 'LTR' });

  // ---- makers: counterparties (Номенклатура.Производитель → Контрагенты) ----
  const makerKeys = BRANDS.map(([, maker], i) => {
    const key = guid(S.counterparties + '/maker', i);
    put(S.counterparties, { Ref_Key: key, Code: `00-${pad(800 + i, 6)}`, Description: maker, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, НаименованиеПолное: maker, ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо', Поставщик: true, Покупатель: false, КонтактнаяИнформация: [] });
    return key;
  });
  [['МинимальноеКоличество', 'Минимальное количество (сайт)'], ['Кратность', 'Кратность (сайт)']].forEach(([name, title], i) => {
    put(S.properties, { Ref_Key: guid(S.properties, i), Description: title, DeletionMark: false, Имя: name, Заголовок: title });
  });

  // ---- groups and items ----
  const category = predefined(S.categories, 'БезКатегории');
  let groupIndex = 0;
  const leafGroups: { key: string; groupNo: number; subNo: number }[] = [];
  GROUPS.forEach((g, gi) => {
    const gKey = guid(S.items + '/group', groupIndex++);
    put(S.items, { Ref_Key: gKey, Code: `00-${pad(gi + 1, 8)}`, Description: g.name, DeletionMark: false, IsFolder: true, Parent_Key: EMPTY_REF });
    g.subgroups.forEach((sg, si) => {
      const sKey = guid(S.items + '/group', groupIndex++);
      put(S.items, { Ref_Key: sKey, Code: `00-${pad((gi + 1) * 100 + si + 1, 8)}`, Description: sg.name, DeletionMark: false, IsFolder: true, Parent_Key: gKey });
      leafGroups.push({ key: sKey, groupNo: gi, subNo: si });
    });
  });
  const stockDocs = warehouses.map((w, i) => {
    const key = guid(S.stockDocs, i);
    put(S.stockDocs, { Ref_Key: key, Number: `РТ00-${pad(i + 1, 6)}`, Date: '2024-01-09T10:00:00', Posted: true, DeletionMark: false, Организация_Key: organisation, СтруктурнаяЕдиница_Key: w, Комментарий: 'Начальные остатки демонстрационной базы' });
    return key;
  });
  const stockLines = new Array<number>(warehouses.length).fill(0);
  for (let i = 0; i < itemCount; i++) {
    const rng = rngFor('item', i);
    const leaf = leafGroups[rng.int(0, leafGroups.length - 1)];
    const group = GROUPS[leaf.groupNo];
    const sub = group.subgroups[leaf.subNo];
    const brandNo = rng.int(0, BRANDS.length - 1);
    const [brand] = BRANDS[brandNo];
    const noun = rng.pick(sub.nouns);
    const feature = rng.pick(sub.features);
    const key = guid(S.items, i);
    const article = `${group.prefix}-${pad(i + 1, 6)}`;
    const unit = sub.unit;
    let packaging = EMPTY_REF;
    if (sub.portions) {
      const portion = rng.pick(sub.portions);
      packaging = guid(S.packagings, i);
      const label = unit === 'кг' ? `Упаковка ${String(portion).replace('.', ',')} кг` : unit === 'л' ? `Бутылка ${String(portion).replace('.', ',')} л` : `Упаковка ${portion} шт`;
      put(S.packagings, { Ref_Key: packaging, Code: `00-${pad(i + 1, 6)}`, Description: label, DeletionMark: false, Owner: key, Owner_Type: typed(S.items), Коэффициент: portion, ЕдиницаИзмеренияПоКлассификатору_Key: units[unit], ЕдиницаИзмеренияВладельца_Key: units[unit] });
    }
    let fileKey = EMPTY_REF;
    if (rng.chance(0.9)) {
      fileKey = guid(S.files, i);
      const png = tinyPng(fmix(i ^ seedHash), (rng.int(0, 0xffffff) & 0x7f7f7f) >>> 0, 0xf4f4f0);
      put(S.files, { Ref_Key: fileKey, Description: article, DeletionMark: false, ВладелецФайла_Key: key, ДатаСоздания: BASE_DATE, ДатаМодификацииУниверсальная: '2024-01-09T06:00:00', Описание: '', Расширение: 'png', Размер: png.length, ТипХраненияФайла: 'ВИнформационнойБазе', Том_Key: EMPTY_REF, ПутьКФайлу: '' });
      const blob = guid(S.blobs, i);
      put(S.blobs, { Ref_Key: blob, DeletionMark: false, Размер: png.length, Хеш: createHash('sha256').update(png).digest('base64'), ДвоичныеДанные: png });
      put(S.fileStorage, { Файл: fileKey, Файл_Type: typed(S.files), ХранилищеДвоичныхДанных_Key: blob });
    }
    put(S.items, {
      Ref_Key: key, Code: `00-${pad(100000 + i + 1, 8)}`, Description: `${noun} «${brand}» ${feature}`.slice(0, 100), DeletionMark: false, IsFolder: false, Parent_Key: leaf.key,
      Артикул: article, НаименованиеПолное: `${noun}, ${feature}, торговая марка «${brand}», ${COUNTRIES[BRANDS[brandNo][2]][1]}`,
      ЕдиницаИзмерения_Key: units[unit], ТипНоменклатуры: 'Запас', КатегорияНоменклатуры_Key: category, Производитель_Key: makerKeys[brandNo],
      СтранаПроисхождения_Key: countryKeys[BRANDS[brandNo][2]], ФайлКартинки_Key: fileKey,
      ВидСтавкиНДС: group.prefix === 'БХ' || group.prefix === 'ТД' ? 'Общая' : 'Пониженная', Комментарий: '', ДополнительныеРеквизиты: [],
    });
    put(S.barcodes, { Штрихкод: ean13(`46${rng.int(0, 9)}${pad(i, 9)}`), Номенклатура_Key: key, Характеристика_Key: EMPTY_REF, Партия_Key: EMPTY_REF, ЕдиницаИзмерения_Key: packaging });
    const retail = Math.round(sub.price[0] + rng.next() * (sub.price[1] - sub.price[0])) - (rng.chance(0.5) ? 0.1 : 0);
    const kinds: [string, number][] = [[retailKind, round2(retail)]];
    if (rng.chance(0.97)) kinds.push([tier1Kind, round2(retail * 0.95)], [tier2Kind, round2(retail * 0.9)]);
    for (const [kind, price] of kinds) {
      // Independent register: a record per (Period, ВидЦен, Номенклатура, Характеристика), per unit of the item.
      put(S.prices, { Period: BASE_DATE, ВидЦен_Key: kind, Номенклатура_Key: key, Характеристика_Key: EMPTY_REF, Цена: price, Актуальность: true, ЕдиницаИзмерения: units[unit], ЕдиницаИзмерения_Type: typed(S.units), ВалютаЦены_Key: currency });
    }
    if (!rng.chance(0.05)) {
      const count = rng.int(1, 4);
      const start = rng.int(0, warehouses.length - 1);
      for (let k = 0; k < count; k++) {
        const w = (start + k * 2) % warehouses.length;
        const qty = unit === 'шт' ? rng.int(1, 300) : round3(rng.int(500, 200000) / 1000);
        const line = ++stockLines[w];
        const rec = { Period: '2024-01-09T10:00:00', Recorder: stockDocs[w], Recorder_Type: typed(S.stockDocs), LineNumber: line, Active: true, RecordType: 'Receipt', Организация_Key: organisation, Номенклатура_Key: key, Характеристика_Key: EMPTY_REF, Партия_Key: EMPTY_REF, Количество: qty };
        put(S.stock, { ...rec, СтруктурнаяЕдиница_Key: warehouses[w], Ячейка_Key: EMPTY_REF });
        put(S.inventory, { ...rec, СтруктурнаяЕдиница: warehouses[w], СтруктурнаяЕдиница_Type: typed(S.places), ЗаказПокупателя_Key: EMPTY_REF, Сумма: round2(qty * retail * 0.7), СчетУчета_Key: EMPTY_REF });
      }
    }
  }

  // ---- clients: buyers with settlements by orders, each with its default contract ----
  for (let c = 0; c < clientCount; c++) {
    const rng = rngFor('client', c);
    const key = guid(S.counterparties, c);
    const kind = c % 4 === 3 ? 'ip' : c % 4 === 2 ? 'person' : 'company';
    const person = `${rng.pick(LAST_NAMES)} ${rng.pick(FIRST_NAMES)}`;
    const company = `${rng.pick(COMPANY_WORDS)}-${pad(c + 1, 2)}`;
    const region = rng.pick(['77', '78', '54', '66', '16', '50']);
    const inn = kind === 'company' ? inn10(region + pad(rng.int(0, 9999999), 7)) : inn12(region + pad(rng.int(0, 99999999), 8));
    const title = kind === 'company' ? `${company} ООО` : kind === 'ip' ? `ИП ${person}` : person;
    put(S.counterparties, { Ref_Key: key, Code: `00-${pad(c + 1, 6)}`, Description: title, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, НаименованиеПолное: title, ЮридическоеФизическоеЛицо: kind === 'company' ? 'ЮридическоеЛицо' : 'ФизическоеЛицо', ИНН: inn, КПП: kind === 'company' ? inn.slice(0, 4) + '01001' : '', Покупатель: true, ВестиРасчетыПоЗаказам: true, ВестиРасчетыПоДоговорам: false, ВестиРасчетыПоДокументам: false, КонтактнаяИнформация: [] });
    put(S.contracts, { Ref_Key: guid(S.contracts, c), Code: `00-${pad(c + 1, 6)}`, Description: 'Основной договор', DeletionMark: false, Owner: key, Owner_Type: typed(S.counterparties), Организация_Key: organisation, ВалютаРасчетов_Key: currency, ВидДоговора: 'СПокупателем' });
  }

  return {
    config,
    rows,
    skipped: skippedSorted(),
    extension: false,
    extensionProblems: [],
    functionalOptions: { ...UNF_DEMO_OPTIONS },
    refs: {
      organisation,
      bankAccount,
      currency,
      vat20: vatKeys[0],
      vatNone: vatKeys[3],
      priceKinds: { retail: retailKind, tier1: tier1Kind, tier2: tier2Kind },
      units,
      warehouses,
      warehouseCity,
      cities: [...new Set(Object.values(warehouseCity))],
    },
  };
}
