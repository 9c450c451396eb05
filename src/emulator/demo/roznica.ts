import { ean13, inn10, inn12, ogrn, withAccountKey } from './checksums.js';
import { BRANDS, CITIES, COMPANY_WORDS, COUNTRIES, FIRST_NAMES, GROUPS, LAST_NAMES, type UnitCode } from './dictionary.js';
import { BASE_DATE, EMPTY_REF, type DemoBase, type DemoOptions, type Row } from './generate.js';
import { tinyPng } from './png.js';
import { demoScaffold } from './scaffold.js';
import { fmix } from './random.js';

/**
 * The demo base of Розница 2.2, filled into what the real customised dump publishes
 * (../shared/reference/dumps/roznica-2.2.12-xml, no Configuration.xml): the same assortment and clients as the УТ
 * demo, kept the Розница way —
 * - shops are Catalog.Магазины with their address (КонтактнаяИнформация), each with its sales floor and, in Москва, a
 *   store room: Catalog.Склады (ТорговыйЗал / СкладскоеПомещение) naming their Магазин — a Склад has no address;
 * - units are Catalog.БазовыеЕдиницыИзмерения (шт, кг, л by their ОКЕИ codes), portions Catalog.УпаковкиНоменклатуры
 *   owned by their item (Owner composite, Коэффициент); items carry СтавкаНДС (Enum.СтавкиНДС), Марка, Производитель
 *   (a Контрагент) and ФайлКартинки (bytes in InformationRegister.ДвоичныеДанныеФайлов);
 * - price kinds are Catalog.ВидыЦен (no currency: the dump has no Catalog.Валюты), prices records of the
 *   recorder-subordinate InformationRegister.ЦеныНоменклатуры under one УстановкаЦенНоменклатуры, and the prices each
 *   shop sells at in InformationRegister.ДействующиеЦеныНоменклатуры (ОбъектЦенообразования = the shop) under that
 *   shop's ПрименениеЦенНоменклатуры (the register's recorder in Розница: Documents/ПрименениеЦенНоменклатуры.xml
 *   RegisterRecords; the document is not in the trimmed dump, so only its records are here, typed as 1C types them).
 *   Shops use applied prices (ИспользоватьПрименениеЦен) except Казань, which sells at its pricing rule's kind
 *   (Catalog.ПравилаЦенообразования: «Розничные цены (Казань)», the others' rule is the retail kind's); Новосибирск and
 *   Екатеринбург price above Москва, and a later application in Невский reprices its first items (the last record wins);
 * - stock is AccumulationRegister.ТоварыНаСкладах (Количество, Резерв) by Склад, received by one ОприходованиеТоваров
 *   per warehouse; barcodes InformationRegister.Штрихкоды (Владелец composite, ТипШтрихкода EAN13);
 * - card payments: a ВидыОплатЧекаККМ of type ПлатежнаяКарта, the acquiring bank (a Контрагент), each shop's cash box
 *   (Catalog.Кассы) and acquiring terminal (ЭквайринговыеТерминалы with one tariff row of that kind; Москва also an
 *   invalid old one), and the cash-flow items of the customer payment and refund operations.
 * The main configuration's name and version are those SOURCE.md reads from Ext/ParentConfigurations.bin (Розница
 * 2.2.12.30): a base on support of it reports them in ВерсииПодсистем. Predefined items use the dump's ids.
 */

const S = {
  items: 'Catalog_Номенклатура',
  units: 'Catalog_БазовыеЕдиницыИзмерения',
  packagings: 'Catalog_УпаковкиНоменклатуры',
  countries: 'Catalog_СтраныМира',
  brands: 'Catalog_Марки',
  files: 'Catalog_НоменклатураПрисоединенныеФайлы',
  binaries: 'InformationRegister_ДвоичныеДанныеФайлов',
  shops: 'Catalog_Магазины',
  warehouses: 'Catalog_Склады',
  priceKinds: 'Catalog_ВидыЦен',
  prices: 'InformationRegister_ЦеныНоменклатуры',
  shopPrices: 'InformationRegister_ДействующиеЦеныНоменклатуры',
  priceDocs: 'Document_УстановкаЦенНоменклатуры',
  barcodes: 'InformationRegister_Штрихкоды',
  barcodeTypes: 'ChartOfCharacteristicTypes_ТипыШтрихкодов',
  stock: 'AccumulationRegister_ТоварыНаСкладах',
  stockDocs: 'Document_ОприходованиеТоваров',
  counterparties: 'Catalog_Контрагенты',
  organisations: 'Catalog_Организации',
  bankClassifier: 'Catalog_КлассификаторБанков',
  bankAccounts: 'Catalog_БанковскиеСчетаОрганизаций',
  properties: 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
  versions: 'InformationRegister_ВерсииПодсистем',
  payKinds: 'Catalog_ВидыОплатЧекаККМ',
  cashBoxes: 'Catalog_Кассы',
  terminals: 'Catalog_ЭквайринговыеТерминалы',
  cashFlowItems: 'Catalog_СтатьиДвиженияДенежныхСредств',
} as const;

/** Ext/ParentConfigurations.bin of the dump (SOURCE.md): the vendor configuration the base is on support of. */
export const ROZNICA_VENDOR = { name: 'Розница', version: '2.2.12.30' } as const;

/** Per shop (in shopDefs order): the factor of its applied prices over the retail kind, or null = no applied prices. */
const SHOP_PRICE_FACTOR: (number | null)[] = [1, 1, 1.05, 1.03, null];

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function generateRoznicaDemoBase(options: DemoOptions): DemoBase {
  const { itemCount, clientCount, guid, seedHash, rngFor, config, rows, put, skippedSorted } = demoScaffold(options, 'Розница');
  const predefined = (set: string, name: string): string => {
    const p = config.sets.find((x) => x.name === set)?.predefined?.find((x) => x.name === name);
    if (!p) throw new Error(`Розница demo: ${set} has no predefined item ${name} in this dump`);
    return p.ref;
  };
  const typed = (set: string) => `StandardODATA.${set}`;

  // ---- configuration version ----
  for (const [name, version, main] of [[ROZNICA_VENDOR.name, ROZNICA_VENDOR.version, true], ['СтандартныеПодсистемы', '2.3.6.34', false]] as const) {
    put(S.versions, { ИмяПодсистемы: name, Версия: version, ЭтоОсновнаяКонфигурация: main });
  }

  // ---- countries ----
  const countryKeys = COUNTRIES.map(([desc, full, code, a2, a3, eaeu], i) => {
    const key = code === '643' ? predefined(S.countries, 'Россия') : guid(S.countries, i);
    put(S.countries, { Ref_Key: key, Code: code, Description: desc, DeletionMark: false, НаименованиеПолное: full, КодАльфа2: a2, КодАльфа3: a3, УчастникЕАЭС: eaeu, ...(code === '643' ? { Predefined: true, PredefinedDataName: 'Россия' } : {}) });
    return key;
  });

  // ---- organisation, its bank account ----
  const orgRng = rngFor('organisation');
  const orgInn = inn10('77' + pad(orgRng.int(1, 51), 2) + pad(orgRng.int(0, 99999), 5));
  const organisation = guid(S.organisations, 0);
  const bik = '0445252' + pad(orgRng.int(10, 99), 2);
  const bank = guid(S.bankClassifier, 0);
  put(S.bankClassifier, { Ref_Key: bank, Code: bik, Description: 'АО «Банк Пример»', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, КоррСчет: withAccountKey(bik, '30101810000000000' + bik.slice(6), true), Город: 'г. Москва' });
  const accountNumber = withAccountKey(bik, '40702810' + '0' + pad(orgRng.int(0, 9999), 4) + pad(orgRng.int(0, 9999999), 7));
  const bankAccount = guid(S.bankAccounts, 0);
  put(S.bankAccounts, { Ref_Key: bankAccount, Description: `${accountNumber}, АО «Банк Пример»`, DeletionMark: false, Owner_Key: organisation, НомерСчета: accountNumber, Банк_Key: bank });
  put(S.organisations, {
    Ref_Key: organisation, Code: '00-0000001', Description: 'Ричест Ритейл ООО', DeletionMark: false,
    НаименованиеПолное: 'Общество с ограниченной ответственностью «Ричест Ритейл»', НаименованиеСокращенное: 'ООО «Ричест Ритейл»',
    ИНН: orgInn, КПП: orgInn.slice(0, 4) + '01001', ОГРН: ogrn('1' + '15' + '77' + pad(orgRng.int(0, 99), 2) + pad(orgRng.int(0, 99999), 5)), Префикс: 'РР', ЮрФизЛицо: 'ЮрЛицо',
    КонтактнаяИнформация: [{ LineNumber: 1, Тип: 'Адрес', Представление: `123100, Москва г, ${CITIES[0][3][1]}, дом № 12`, Город: 'Москва', Регион: 'Москва г', Страна: 'РОССИЯ' }, { LineNumber: 2, Тип: 'Телефон', Представление: '+7 (495) 123-45-67', НомерТелефона: '+74951234567' }],
  });

  // ---- price kinds: Розничная, Мелкооптовая, Оптовая, Казань's retail kind (no currency in this dump) ----
  const [retailKind, tier1Kind, tier2Kind, kazanKind] = ['Розничная', 'Мелкооптовая', 'Оптовая', 'Розничная (Казань)'].map((name, i) => {
    const key = guid(S.priceKinds, i);
    put(S.priceKinds, { Ref_Key: key, Code: `00-${pad(i + 1, 7)}`, Description: name, DeletionMark: false, ЦенаВключаетНДС: true, ИспользоватьПриПродаже: true, СпособЗаданияЦены: 'Вручную' });
    return key;
  });

  // ---- pricing rules: the price kind a shop sells at where no price is applied to it (Магазины.ПравилоЦенообразования) ----
  const rules = [['Розничные цены', retailKind], ['Розничные цены (Казань)', kazanKind]].map(([name, kind], i) => {
    const key = guid('Catalog_ПравилаЦенообразования', i);
    put('Catalog_ПравилаЦенообразования', { Ref_Key: key, Description: name, DeletionMark: false, ВидЦен_Key: kind, ЦенаВключаетНДС: true });
    return key;
  });

  // ---- shops with their address; each a sales floor, the first a store room too ----
  const shopDefs: [string, number][] = [['Магазин «Тверская»', 0], ['Магазин «Невский»', 1], ['Магазин «Новосибирск»', 2], ['Магазин «Екатеринбург»', 3], ['Магазин «Казань»', 4]];
  const warehouses: string[] = [];
  const warehouseCity: Record<string, string> = {};
  const shops: string[] = [];
  const shopOf: Record<string, string> = {};
  let w = 0;
  shopDefs.forEach(([name, cityIndex], i) => {
    const shop = guid(S.shops, i);
    const city = CITIES[cityIndex];
    const r = rngFor('shop', i);
    const floor = guid(S.warehouses, w++);
    const room = i === 0 ? guid(S.warehouses, w++) : null;
    shops.push(shop);
    put(S.shops, {
      Ref_Key: shop, Code: `00-${pad(i + 1, 7)}`, Description: name, DeletionMark: false, СкладПродажи_Key: floor, СкладПоступления_Key: room ?? floor, ИспользоватьПрименениеЦен: SHOP_PRICE_FACTOR[i] !== null,
      ПравилоЦенообразования_Key: SHOP_PRICE_FACTOR[i] === null ? rules[1] : rules[0],
      КонтактнаяИнформация: [
        { LineNumber: 1, Тип: 'Адрес', Представление: `${city[2].padEnd(6, '0')}, ${city[1].endsWith(' г') ? city[1] : `${city[1]}, ${city[0]} г`}, ${r.pick(city[3])}, дом № ${r.int(1, 120)}`, Страна: 'РОССИЯ', Регион: city[1], Город: city[0] },
        { LineNumber: 2, Тип: 'Телефон', Представление: `+7 (${900 + i}) ${pad(r.int(100, 999), 3)}-${pad(r.int(10, 99), 2)}-${pad(r.int(10, 99), 2)}`, НомерТелефона: `+79${pad(i, 2)}${pad(r.int(0, 9999999), 7)}` },
      ],
    });
    for (const [key, type, label] of [[floor, 'ТорговыйЗал', 'Торговый зал'], ...(room ? [[room, 'СкладскоеПомещение', 'Склад']] : [])] as [string, string, string][]) {
      put(S.warehouses, { Ref_Key: key, Code: `00-${pad(warehouses.length + 1, 7)}`, Description: `${label} ${name.replace('Магазин ', '')}`, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ТипСклада: type, Организация_Key: organisation, Магазин_Key: shop });
      warehouses.push(key);
      warehouseCity[key] = city[0];
      shopOf[key] = shop;
    }
  });

  // ---- units by their ОКЕИ codes ----
  const units = { шт: guid(S.units, 0), кг: guid(S.units, 1), л: guid(S.units, 2) } as Record<UnitCode, string>;
  put(S.units, { Ref_Key: units.шт, Code: '796', Description: 'шт', DeletionMark: false, НаименованиеПолное: 'Штука', МеждународноеСокращение: 'PCE' });
  put(S.units, { Ref_Key: units.кг, Code: '166', Description: 'кг', DeletionMark: false, НаименованиеПолное: 'Килограмм', МеждународноеСокращение: 'KGM' });
  put(S.units, { Ref_Key: units.л, Code: '112', Description: 'л', DeletionMark: false, НаименованиеПолное: 'Литр', МеждународноеСокращение: 'LTR' });

  // ---- brands (Марки) and makers (Контрагенты) ----
  const brandKeys = BRANDS.map(([brand], i) => {
    const key = guid(S.brands, i);
    put(S.brands, { Ref_Key: key, Description: brand, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF });
    return key;
  });
  const makerKeys = BRANDS.map(([, maker], i) => {
    const key = guid(S.counterparties + '/maker', i);
    put(S.counterparties, { Ref_Key: key, Code: `00-${pad(800 + i, 7)}`, Description: maker, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, НаименованиеПолное: maker, ЮрФизЛицо: 'ЮрЛицо', КонтактнаяИнформация: [] });
    return key;
  });
  [['МинимальноеКоличество', 'Минимальное количество (сайт)'], ['Кратность', 'Кратность (сайт)']].forEach(([name, title], i) => {
    put(S.properties, { Ref_Key: guid(S.properties, i), Description: title, DeletionMark: false, Имя: name, Заголовок: title });
  });
  const ean13Type = predefined(S.barcodeTypes, 'EAN13');
  put('Catalog_ПричиныОтменыЗаказовПокупателей', { Ref_Key: guid('Catalog_ПричиныОтменыЗаказовПокупателей', 0), Description: 'Покупатель отказался', DeletionMark: false });

  // ---- card payments: a payment kind of type ПлатежнаяКарта, the acquiring bank, each shop's cash box and terminal ----
  // Розница's card document takes its payment kind from the terminal's tariff rows and its cash-flow item from the one
  // item of the operation (src/onec/profiles/roznica.ts cardDoc). The predefined kinds of the dump (Наличные, …) are
  // none of type ПлатежнаяКарта: a base makes its own. Each shop has one valid terminal on its cash box (Catalog.Кассы,
  // not punching till receipts), as ЭквайринговыйТерминалПоУмолчанию finds a shop's terminal; Москва's has a second,
  // invalid one (НеДействителен), which the default skips.
  const cardKind = guid(S.payKinds, 0);
  put(S.payKinds, { Ref_Key: cardKind, Code: '000000101', Description: 'Банковская карта', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ТипОплаты: 'ПлатежнаяКарта', ПроцентБанковскойКомиссии: 0 });
  const acquirer = guid(S.counterparties + '/acquirer', 0);
  put(S.counterparties, { Ref_Key: acquirer, Code: '00-0000900', Description: 'АО «Банк Пример» (эквайринг)', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, НаименованиеПолное: 'Акционерное общество «Банк Пример»', ЮрФизЛицо: 'ЮрЛицо', ИНН: '7700000017', КПП: '770001001', КонтактнаяИнформация: [] });
  const terminals: string[] = [];
  shops.forEach((shop, i) => {
    const box = guid(S.cashBoxes, i);
    put(S.cashBoxes, { Ref_Key: box, Description: `Операционная касса (${shopDefs[i][0]})`, DeletionMark: false, Owner_Key: organisation, Магазин_Key: shop, ПробиватьЧекиПоКассеККМ: false, КассаУправляющейСистемы: false });
    const terminal = guid(S.terminals, i);
    terminals.push(terminal);
    put(S.terminals, {
      Ref_Key: terminal, Code: pad(i + 1, 9), Description: `Терминал ${shopDefs[i][0]}`, DeletionMark: false, Организация_Key: organisation, Магазин_Key: shop, Касса: box, Касса_Type: typed(S.cashBoxes),
      Эквайрер_Key: acquirer, РозничнаяТорговля: true, ИспользоватьБезПодключенияОборудования: true, НеДействителен: false,
      ТарифыЗаРасчетноеОбслуживание: [{ LineNumber: 1, ВидОплаты_Key: cardKind, ПроцентКомиссииПриПродаже: 1.8, ПроцентКомиссииПриОтмене: 0, ПроцентКомиссииПриВозврате: 0 }],
    });
  });
  put(S.terminals, {
    Ref_Key: guid(S.terminals, shops.length), Code: pad(shops.length + 1, 9), Description: `Старый терминал ${shopDefs[0][0]}`, DeletionMark: false, Организация_Key: organisation, Магазин_Key: shops[0], Касса: guid(S.cashBoxes, 0), Касса_Type: typed(S.cashBoxes),
    Эквайрер_Key: acquirer, РозничнаяТорговля: true, ИспользоватьБезПодключенияОборудования: true, НеДействителен: true,
    ТарифыЗаРасчетноеОбслуживание: [{ LineNumber: 1, ВидОплаты_Key: cardKind, ПроцентКомиссииПриПродаже: 2.2, ПроцентКомиссииПриОтмене: 0, ПроцентКомиссииПриВозврате: 0 }],
  });
  (['ПоступлениеОплатыОтКлиента', 'ВозвратОплатыКлиенту'] as const).forEach((operation, i) => {
    put(S.cashFlowItems, { Ref_Key: guid(S.cashFlowItems, i), Code: `00-0000${pad(i + 21, 2)}`, Description: operation === 'ПоступлениеОплатыОтКлиента' ? 'Поступление оплаты от клиента' : 'Возврат оплаты клиенту', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ХозяйственнаяОперация: operation });
  });

  // ---- groups, items, prices, stock ----
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
  const priceDoc = guid(S.priceDocs, 0);
  put(S.priceDocs, { Ref_Key: priceDoc, Number: 'РР00-000001', Date: BASE_DATE, Posted: true, DeletionMark: false, Комментарий: 'Цены демонстрационной базы' });
  let priceLine = 0;
  // One ПрименениеЦенНоменклатуры per shop using applied prices, and a later one of Невский.
  const applications = shops.map((_, i) => guid('Document_ПрименениеЦенНоменклатуры', i));
  const laterNevsky = guid('Document_ПрименениеЦенНоменклатуры', shops.length);
  const applicationLines = new Map<string, number>();
  const applied = (recorder: string, period: string, shop: string, item: string, price: number) =>
    put(S.shopPrices, {
      Period: period, Recorder: recorder, Recorder_Type: 'StandardODATA.Document_ПрименениеЦенНоменклатуры', LineNumber: applicationLines.set(recorder, (applicationLines.get(recorder) ?? 0) + 1).get(recorder), Active: true,
      ОбъектЦенообразования_Key: shop, Номенклатура_Key: item, Характеристика_Key: EMPTY_REF, Цена: price, Упаковка_Key: EMPTY_REF,
    });
  const stockDocs = warehouses.map((wh, i) => {
    const key = guid(S.stockDocs, i);
    put(S.stockDocs, { Ref_Key: key, Number: `РР00-${pad(i + 1, 6)}`, Date: '2024-01-09T10:00:00', Posted: true, DeletionMark: false, Организация_Key: organisation, Магазин_Key: shopOf[wh], Склад_Key: wh, Комментарий: 'Начальные остатки демонстрационной базы' });
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
      put(S.packagings, { Ref_Key: packaging, Description: label, DeletionMark: false, Owner: key, Owner_Type: typed(S.items), ЕдиницаИзмерения_Key: units[unit], Коэффициент: portion });
    }
    let fileKey = EMPTY_REF;
    if (rng.chance(0.9)) {
      fileKey = guid(S.files, i);
      const png = tinyPng(fmix(i ^ seedHash), (rng.int(0, 0xffffff) & 0x7f7f7f) >>> 0, 0xf4f4f0);
      put(S.files, { Ref_Key: fileKey, Description: article, DeletionMark: false, ВладелецФайла_Key: key, ДатаСоздания: BASE_DATE, ДатаМодификацииУниверсальная: '2024-01-09T06:00:00', Описание: '', Расширение: 'png', Размер: png.length, ТипХраненияФайла: 'ВИнформационнойБазе', Том_Key: EMPTY_REF, ПутьКФайлу: '' });
      put(S.binaries, { Файл: fileKey, Файл_Type: typed(S.files), ДвоичныеДанныеФайла: png });
    }
    put(S.items, {
      Ref_Key: key, Code: `00-${pad(100000 + i + 1, 8)}`, Description: `${noun} «${brand}» ${feature}`.slice(0, 100), DeletionMark: false, IsFolder: false, Parent_Key: leaf.key,
      Артикул: article, НаименованиеПолное: `${noun}, ${feature}, торговая марка «${brand}», ${COUNTRIES[BRANDS[brandNo][2]][1]}`, Описание: '',
      ТипНоменклатуры: 'Товар', ЕдиницаИзмерения_Key: units[unit], Марка_Key: brandKeys[brandNo], Производитель_Key: makerKeys[brandNo], СтранаПроисхождения_Key: countryKeys[BRANDS[brandNo][2]], ФайлКартинки_Key: fileKey,
      СтавкаНДС: group.prefix === 'БХ' || group.prefix === 'ТД' ? 'НДС20' : 'НДС10',
    });
    put(S.barcodes, { Штрихкод: ean13(`46${rng.int(0, 9)}${pad(i, 9)}`), Владелец: key, Владелец_Type: typed(S.items), Характеристика_Key: EMPTY_REF, Упаковка_Key: packaging, ТипШтрихкода_Key: ean13Type, Дата: BASE_DATE });
    const retail = Math.round(sub.price[0] + rng.next() * (sub.price[1] - sub.price[0])) - (rng.chance(0.5) ? 0.1 : 0);
    const kinds: [string, number][] = [[retailKind, round2(retail)], [kazanKind, round2(Math.round(retail * 1.02) - 0.1)]];
    if (rng.chance(0.97)) kinds.push([tier1Kind, round2(retail * 0.95)], [tier2Kind, round2(retail * 0.9)]);
    for (const [kind, price] of kinds) {
      put(S.prices, { Period: BASE_DATE, Recorder_Key: priceDoc, LineNumber: ++priceLine, Active: true, ВидЦены_Key: kind, Номенклатура_Key: key, Характеристика_Key: EMPTY_REF, Цена: price, Упаковка_Key: EMPTY_REF });
    }
    // The price each shop sells at (its pricing rule applied to the retail kind): the retail price with the shop's
    // regional factor, in roubles less 10 kopecks as the retail prices are.
    shops.forEach((shop, si) => {
      const factor = SHOP_PRICE_FACTOR[si];
      if (factor === null) return;
      applied(applications[si], BASE_DATE, shop, key, factor === 1 ? round2(retail) : round2(Math.round(retail * factor) - 0.1));
      if (si === 1 && i < 3) applied(laterNevsky, '2024-02-01T09:00:00', shop, key, round2(Math.round(retail * 0.9) - 0.1));
    });
    if (!rng.chance(0.05)) {
      const count = rng.int(1, 4);
      const start = rng.int(0, warehouses.length - 1);
      for (let k = 0; k < count; k++) {
        const wi = (start + k * 2) % warehouses.length;
        const qty = unit === 'шт' ? rng.int(1, 300) : round3(rng.int(500, 200000) / 1000);
        put(S.stock, { Period: '2024-01-09T10:00:00', Recorder: stockDocs[wi], Recorder_Type: typed(S.stockDocs), LineNumber: ++stockLines[wi], Active: true, RecordType: 'Receipt', Склад_Key: warehouses[wi], Номенклатура_Key: key, Характеристика_Key: EMPTY_REF, Количество: qty, Резерв: 0 });
      }
    }
  }

  // ---- clients ----
  for (let c = 0; c < clientCount; c++) {
    const rng = rngFor('client', c);
    const key = guid(S.counterparties, c);
    const kind = c % 4 === 3 ? 'ip' : c % 4 === 2 ? 'person' : 'company';
    const person = `${rng.pick(LAST_NAMES)} ${rng.pick(FIRST_NAMES)}`;
    const company = `${rng.pick(COMPANY_WORDS)}-${pad(c + 1, 2)}`;
    const region = rng.pick(['77', '78', '54', '66', '16', '50']);
    const inn = kind === 'company' ? inn10(region + pad(rng.int(0, 9999999), 7)) : inn12(region + pad(rng.int(0, 99999999), 8));
    const title = kind === 'company' ? `${company} ООО` : kind === 'ip' ? `ИП ${person}` : person;
    put(S.counterparties, { Ref_Key: key, Code: `00-${pad(c + 1, 7)}`, Description: title, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, НаименованиеПолное: title, ЮрФизЛицо: kind === 'company' ? 'ЮрЛицо' : kind === 'ip' ? 'ИндивидуальныйПредприниматель' : 'ФизЛицо', ИНН: inn, КПП: kind === 'company' ? inn.slice(0, 4) + '01001' : '', СтранаРегистрации_Key: countryKeys[0], КонтактнаяИнформация: [] });
  }

  return {
    config,
    rows,
    skipped: skippedSorted(),
    extension: false,
    extensionProblems: [],
    functionalOptions: {},
    refs: {
      organisation,
      bankAccount,
      currency: EMPTY_REF,
      // Розница's VAT rates are Enum.СтавкиНДС members.
      vat20: 'НДС20',
      vatNone: 'БезНДС',
      priceKinds: { retail: retailKind, tier1: tier1Kind, tier2: tier2Kind },
      units,
      warehouses,
      warehouseCity,
      cities: [...new Set(Object.values(warehouseCity))],
    },
  };
}
