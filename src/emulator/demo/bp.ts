import { createHash } from 'node:crypto';
import { ean13, inn10, inn12, ogrn, withAccountKey } from './checksums.js';
import { BRANDS, CITIES, COMPANY_WORDS, COUNTRIES, FIRST_NAMES, GROUPS, LAST_NAMES, type UnitCode } from './dictionary.js';
import { BASE_DATE, EMPTY_REF, type DemoBase, type DemoOptions, type Row } from './generate.js';
import { tinyPng } from './png.js';
import { demoScaffold } from './scaffold.js';
import { fmix } from './random.js';

/**
 * The demo base of БП 3.0, filled into what the real БП dump publishes (../shared/reference/dumps/bp-3.0.198-xml): the
 * same assortment, warehouses and clients as the УТ demo, kept the БП way —
 * - items carry ВидСтавкиНДС (Enum.ВидыСтавокНДС) and Услуга; no ФайлКартинки: pictures are the item's attached files
 *   (НоменклатураПрисоединенныеФайлы, bytes in ХранилищеФайлов → ХранилищеДвоичныхДанных);
 * - units are Catalog.КлассификаторЕдиницИзмерения (шт, кг, л by their ОКЕИ codes), portions Catalog.УпаковкиНоменклатуры
 *   owned by their item (Коэффициент);
 * - price types are Catalog.ТипыЦенНоменклатуры; prices records of the recorder-subordinate InformationRegister
 *   .ЦеныНоменклатуры (periodic by day) under one УстановкаЦенНоменклатуры;
 * - warehouses are Catalog.Склады (ОптовыйСклад, РозничныйМагазин with its retail price type) with their address;
 * - clients are Контрагенты, each with its contract with the buyer (ДоговорыКонтрагентов, ВидДоговора СПокупателем)
 *   recorded as the main one (InformationRegister.ОсновныеДоговорыКонтрагента);
 * - card payments go through a payment kind (Catalog.ВидыОплатОрганизаций, ТипОплаты ПлатежнаяКарта) of the acquiring
 *   bank and its contract.
 * - stock is what БП keeps it as: balances of AccountingRegister.Хозрасчетный on 41.01 ТоварыНаСкладах by subconto
 *   Номенклатура and Склады. The dump's chart gives 41.01 no subconto kinds (Predefined.xml lines 2494-2508): a base
 *   sets them by its accounting settings, and БП's code reads them from the account (CommonModules/НалоговыйУчет
 *   Module.bsl 1115-1121 at kassya20/buh @ 8f1e6408: two kinds = Номенклатура, Склады; three = with Партии between).
 *   The demo base is one with warehouse accounting and no batches: 41.01 has Номенклатура, Склады. The goods are taken
 *   on by one posted ОприходованиеТоваров per warehouse, whose entries are Дт the line's account (41.01) Кт
 *   ПрочиеДоходы 91.01 (Documents/ОприходованиеТоваров/Ext/ManagerModule.bsl 255-269 at the same commit). The shops
 *   too: the demo base values retail goods at cost (only in sale prices does ОприходованиеТоваров put a shop's lines on
 *   41.11 / 41.12, ObjectModule.bsl 464-482).
 * - settlements are entries of the same register on 62.01 / 62.02 by subconto Контрагенты, Договоры: the first buyer
 *   paid an advance by bank — a posted ПоступлениеНаРасчетныйСчет whose entry is Дт 51 (the bank account's subconto)
 *   Кт 62.02 (CommonModules/УчетВзаиморасчетов Module.bsl 2564-2615: Кт the settlement account by Контрагенты,
 *   Договоры, Дт the bank's account; with no debt to repay the whole sum is an advance on СчетАвансов, 6778-6784).
 * Predefined items use their ids from the dump's Ext/Predefined.xml.
 */

const S = {
  items: 'Catalog_Номенклатура',
  units: 'Catalog_КлассификаторЕдиницИзмерения',
  packagings: 'Catalog_УпаковкиНоменклатуры',
  countries: 'Catalog_СтраныМира',
  files: 'Catalog_НоменклатураПрисоединенныеФайлы',
  fileStorage: 'InformationRegister_ХранилищеФайлов',
  blobs: 'Catalog_ХранилищеДвоичныхДанных',
  warehouses: 'Catalog_Склады',
  priceKinds: 'Catalog_ТипыЦенНоменклатуры',
  prices: 'InformationRegister_ЦеныНоменклатуры',
  priceDocs: 'Document_УстановкаЦенНоменклатуры',
  barcodes: 'InformationRegister_ШтрихкодыНоменклатуры',
  counterparties: 'Catalog_Контрагенты',
  contracts: 'Catalog_ДоговорыКонтрагентов',
  mainContracts: 'InformationRegister_ОсновныеДоговорыКонтрагента',
  organisations: 'Catalog_Организации',
  banks: 'Catalog_Банки',
  bankClassifier: 'Catalog_КлассификаторБанков',
  bankAccounts: 'Catalog_БанковскиеСчета',
  currencies: 'Catalog_Валюты',
  paymentKinds: 'Catalog_ВидыОплатОрганизаций',
  properties: 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
  versions: 'InformationRegister_ВерсииПодсистем',
  chart: 'ChartOfAccounts_Хозрасчетный',
  ledger: 'AccountingRegister_Хозрасчетный',
  subcontoKinds: 'ChartOfCharacteristicTypes_ВидыСубконтоХозрасчетные',
  receipts: 'Document_ОприходованиеТоваров',
  bankIn: 'Document_ПоступлениеНаРасчетныйСчет',
} as const;

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const round2 = (x: number) => Math.round(x * 100) / 100;

/** The demo base's functional options: contracts not kept (ВестиУчетПоДоговорам off: БП picks the main contract). */
export const BP_DEMO_OPTIONS: Record<string, boolean> = { ВестиУчетПоДоговорам: false };

export function generateBpDemoBase(options: DemoOptions): DemoBase {
  const { itemCount, clientCount, guid, seedHash, rngFor, config, model, rows, put, skippedSorted } = demoScaffold(options, 'БП');
  const predefined = (set: string, name: string): string => {
    const p = config.sets.find((x) => x.name === set)?.predefined?.find((x) => x.name === name);
    if (!p) throw new Error(`БП demo: ${set} has no predefined item ${name} in this dump`);
    return p.ref;
  };
  const typed = (set: string) => `StandardODATA.${set}`;

  // ---- configuration version, currency ----
  for (const [name, version, main] of [[config.name, config.version, true], ['СтандартныеПодсистемы', '3.1.10.300', false]] as const) {
    put(S.versions, { ИмяПодсистемы: name, Версия: version, ЭтоОсновнаяКонфигурация: main });
  }
  const currency = guid(S.currencies, 0);
  put(S.currencies, { Ref_Key: currency, Code: '643', Description: 'руб.', DeletionMark: false, НаименованиеПолное: 'Российский рубль', СпособУстановкиКурса: 'РучнойВвод' });

  // ---- countries ----
  const countryKeys = COUNTRIES.map(([desc, full, code, a2, a3, eaeu], i) => {
    const key = code === '643' ? predefined(S.countries, 'Россия') : guid(S.countries, i);
    put(S.countries, { Ref_Key: key, Code: code, Description: desc, DeletionMark: false, НаименованиеПолное: full, КодАльфа2: a2, КодАльфа3: a3, УчастникЕАЭС: eaeu, ...(code === '643' ? { Predefined: true, PredefinedDataName: 'Россия' } : {}) });
    return key;
  });

  // ---- organisation, bank, account ----
  const orgRng = rngFor('organisation');
  const orgInn = inn10('77' + pad(orgRng.int(1, 51), 2) + pad(orgRng.int(0, 99999), 5));
  const organisation = guid(S.organisations, 0);
  const bik = '0445252' + pad(orgRng.int(10, 99), 2);
  const bank = guid(S.banks, 0);
  const corr = withAccountKey(bik, '30101810000000000' + bik.slice(6), true);
  put(S.banks, { Ref_Key: bank, Code: bik, Description: 'АО «Банк Пример»', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, КоррСчет: corr, Город: 'г. Москва' });
  put(S.bankClassifier, { Ref_Key: guid(S.bankClassifier, 0), Code: bik, Description: 'АО «Банк Пример»', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, КоррСчет: corr, Город: 'г. Москва' });
  const accountNumber = withAccountKey(bik, '40702810' + '0' + pad(orgRng.int(0, 9999), 4) + pad(orgRng.int(0, 9999999), 7));
  const bankAccount = guid(S.bankAccounts, 0);
  put(S.bankAccounts, { Ref_Key: bankAccount, Code: '00-0000001', Description: `${accountNumber}, АО «Банк Пример»`, DeletionMark: false, Owner: organisation, Owner_Type: typed(S.organisations), НомерСчета: accountNumber, Банк_Key: bank, ВалютаДенежныхСредств_Key: currency, ВидСчета: 'Расчетный' });
  put(S.organisations, {
    Ref_Key: organisation, Code: '00-0000001', Description: 'Ричест Трейд ООО', DeletionMark: false,
    НаименованиеПолное: 'Общество с ограниченной ответственностью «Ричест Трейд»', НаименованиеСокращенное: 'ООО «Ричест Трейд»',
    ИНН: orgInn, КПП: orgInn.slice(0, 4) + '01001', ОГРН: ogrn('1' + '15' + '77' + pad(orgRng.int(0, 99), 2) + pad(orgRng.int(0, 99999), 5)), Префикс: 'РТ', ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо',
    ОсновнойБанковскийСчет_Key: bankAccount,
    КонтактнаяИнформация: [{ LineNumber: 1, Тип: 'Адрес', Представление: `123100, Москва г, ${CITIES[0][3][1]}, дом № 12`, Город: 'Москва', Регион: 'Москва г', Страна: 'РОССИЯ' }, { LineNumber: 2, Тип: 'Телефон', Представление: '+7 (495) 123-45-67', НомерТелефона: '+74951234567' }],
  });

  // ---- acquiring: the bank as a counterparty, its contract, the card payment kind ----
  const acquirer = guid(S.counterparties + '/acquirer', 0);
  put(S.counterparties, { Ref_Key: acquirer, Code: '00-0000900', Description: 'АО «Банк Пример» (эквайер)', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, НаименованиеПолное: 'Акционерное общество «Банк Пример»', ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо', ИНН: inn10('770' + pad(orgRng.int(0, 999999), 6)), КонтактнаяИнформация: [] });
  const acquirerContract = guid(S.contracts, 900);
  put(S.contracts, { Ref_Key: acquirerContract, Code: '00-0000900', Description: 'Договор эквайринга', DeletionMark: false, Owner_Key: acquirer, Организация_Key: organisation, ВалютаВзаиморасчетов_Key: currency, ВидДоговора: 'Прочее' });
  const cardKind = guid(S.paymentKinds, 0);
  put(S.paymentKinds, { Ref_Key: cardKind, Code: '00-0000001', Description: 'Оплата картой (интернет-эквайринг)', DeletionMark: false, Организация_Key: organisation, ТипОплаты: 'ПлатежнаяКарта', Контрагент_Key: acquirer, ДоговорКонтрагента_Key: acquirerContract, ПроцентБанковскойКомиссии: 2 });

  // ---- price types: Розничная, Мелкооптовая, Оптовая ----
  const [retailKind, tier1Kind, tier2Kind] = ['Розничная', 'Мелкооптовая', 'Оптовая'].map((name, i) => {
    const key = guid(S.priceKinds, i);
    put(S.priceKinds, { Ref_Key: key, Code: `00-${pad(i + 1, 7)}`, Description: name, DeletionMark: false, ВалютаЦены_Key: currency, ЦенаВключаетНДС: true, Комментарий: '' });
    return key;
  });

  // ---- warehouses: wholesale warehouses and two shops, each with its address ----
  const placeDefs: [string, number, string][] = [['Основной склад', 0, 'ОптовыйСклад'], ['Магазин «Тверская»', 0, 'РозничныйМагазин'], ['Склад Санкт-Петербург', 1, 'ОптовыйСклад'], ['Магазин «Невский»', 1, 'РозничныйМагазин'], ['Склад Новосибирск', 2, 'ОптовыйСклад'], ['Склад Екатеринбург', 3, 'ОптовыйСклад'], ['Склад Казань', 4, 'ОптовыйСклад']];
  const warehouses: string[] = [];
  const warehouseCity: Record<string, string> = {};
  placeDefs.forEach(([name, cityIndex, type], i) => {
    const key = guid(S.warehouses, i);
    const city = CITIES[cityIndex];
    const r = rngFor('warehouse', i);
    warehouses.push(key);
    warehouseCity[key] = city[0];
    put(S.warehouses, {
      Ref_Key: key, Code: `00-${pad(i + 1, 7)}`, Description: name, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ТипСклада: type,
      ТипЦенРозничнойТорговли_Key: type === 'РозничныйМагазин' ? retailKind : EMPTY_REF, Комментарий: '',
      КонтактнаяИнформация: [
        { LineNumber: 1, Тип: 'Адрес', Представление: `${city[2].padEnd(6, '0')}, ${city[1].endsWith(' г') ? city[1] : `${city[1]}, ${city[0]} г`}, ${r.pick(city[3])}, дом № ${r.int(1, 120)}`, Страна: 'РОССИЯ', Регион: city[1], Город: city[0] },
        { LineNumber: 2, Тип: 'Телефон', Представление: `+7 (${900 + i}) ${pad(r.int(100, 999), 3)}-${pad(r.int(10, 99), 2)}-${pad(r.int(10, 99), 2)}`, НомерТелефона: `+79${pad(i, 2)}${pad(r.int(0, 9999999), 7)}` },
      ],
    });
  });

  // ---- units by their ОКЕИ codes ----
  const units = { шт: guid(S.units, 0), кг: guid(S.units, 1), л: guid(S.units, 2) } as Record<UnitCode, string>;
  put(S.units, { Ref_Key: units.шт, Code: '796', Description: 'шт', DeletionMark: false, НаименованиеПолное: 'Штука' });
  put(S.units, { Ref_Key: units.кг, Code: '166', Description: 'кг', DeletionMark: false, НаименованиеПолное: 'Килограмм' });
  put(S.units, { Ref_Key: units.л, Code: '112', Description: 'л', DeletionMark: false, НаименованиеПолное: 'Литр' });

  // ---- makers: counterparties (Номенклатура.Производитель → Контрагенты) ----
  const makerKeys = BRANDS.map(([, maker], i) => {
    const key = guid(S.counterparties + '/maker', i);
    put(S.counterparties, { Ref_Key: key, Code: `00-${pad(800 + i, 7)}`, Description: maker, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, НаименованиеПолное: maker, ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо', КонтактнаяИнформация: [] });
    return key;
  });
  [['МинимальноеКоличество', 'Минимальное количество (сайт)'], ['Кратность', 'Кратность (сайт)']].forEach(([name, title], i) => {
    put(S.properties, { Ref_Key: guid(S.properties, i), Description: title, DeletionMark: false, Имя: name, Заголовок: title });
  });

  // ---- groups, items, prices under one price-setting document ----
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
  put(S.priceDocs, { Ref_Key: priceDoc, Number: 'РТ00-000001', Date: BASE_DATE, Posted: true, DeletionMark: false, Комментарий: 'Цены демонстрационной базы' });
  let priceLine = 0;
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
    if (sub.portions) {
      const portion = rng.pick(sub.portions);
      const label = unit === 'кг' ? `Упаковка ${String(portion).replace('.', ',')} кг` : unit === 'л' ? `Бутылка ${String(portion).replace('.', ',')} л` : `Упаковка ${portion} шт`;
      put(S.packagings, { Ref_Key: guid(S.packagings, i), Code: `00-${pad(i + 1, 7)}`, Description: label, DeletionMark: false, Owner_Key: key, ЕдиницаИзмерения_Key: units[unit], Коэффициент: portion });
    }
    if (rng.chance(0.9)) {
      const fileKey = guid(S.files, i);
      const png = tinyPng(fmix(i ^ seedHash), (rng.int(0, 0xffffff) & 0x7f7f7f) >>> 0, 0xf4f4f0);
      put(S.files, { Ref_Key: fileKey, Description: article, DeletionMark: false, ВладелецФайла_Key: key, ДатаСоздания: BASE_DATE, ДатаМодификацииУниверсальная: '2024-01-09T06:00:00', Описание: '', Расширение: 'png', Размер: png.length, ТипХраненияФайла: 'ВИнформационнойБазе', Том_Key: EMPTY_REF, ПутьКФайлу: '' });
      const blob = guid(S.blobs, i);
      put(S.blobs, { Ref_Key: blob, DeletionMark: false, Размер: png.length, Хеш: createHash('sha256').update(png).digest('base64'), ДвоичныеДанные: png });
      put(S.fileStorage, { Файл: fileKey, Файл_Type: typed(S.files), ХранилищеДвоичныхДанных_Key: blob });
    }
    put(S.items, {
      Ref_Key: key, Code: `00-${pad(100000 + i + 1, 8)}`, Description: `${noun} «${brand}» ${feature}`.slice(0, 100), DeletionMark: false, IsFolder: false, Parent_Key: leaf.key,
      Артикул: article, НаименованиеПолное: `${noun}, ${feature}, торговая марка «${brand}», ${COUNTRIES[BRANDS[brandNo][2]][1]}`, Описание: '', Комментарий: '',
      ЕдиницаИзмерения_Key: units[unit], Услуга: false, Производитель_Key: makerKeys[brandNo], СтранаПроисхождения_Key: countryKeys[BRANDS[brandNo][2]],
      ВидСтавкиНДС: group.prefix === 'БХ' || group.prefix === 'ТД' ? 'Общая' : 'Пониженная',
    });
    put(S.barcodes, { Штрихкод: ean13(`46${rng.int(0, 9)}${pad(i, 9)}`), Номенклатура_Key: key });
    const retail = Math.round(sub.price[0] + rng.next() * (sub.price[1] - sub.price[0])) - (rng.chance(0.5) ? 0.1 : 0);
    const kinds: [string, number][] = [[retailKind, round2(retail)]];
    if (rng.chance(0.97)) kinds.push([tier1Kind, round2(retail * 0.95)], [tier2Kind, round2(retail * 0.9)]);
    for (const [kind, price] of kinds) {
      put(S.prices, { Period: BASE_DATE.slice(0, 10) + 'T00:00:00', Recorder: priceDoc, Recorder_Type: typed(S.priceDocs), LineNumber: ++priceLine, Active: true, ТипЦен_Key: kind, Номенклатура_Key: key, Цена: price, Валюта_Key: currency });
    }
  }

  // ---- stock: 41.01 by Номенклатура and Склады, taken on per warehouse ----
  if (model.shapes.has(S.ledger) && model.shapes.has(S.chart)) {
    const chartDef = config.sets.find((x) => x.name === S.chart)!;
    const account = (name: string) => chartDef.predefined!.find((p) => p.name === name)!;
    const goods = account('ТоварыНаСкладах');
    const otherIncome = account('ПрочиеДоходы');
    // The base's own setting of 41.01 (see the head comment). The rows' accounting flags are the administrator's:
    // no material shows them; the emulator's Balance does not read them.
    put(S.chart, {
      Ref_Key: goods.ref, Code: goods.code, Description: goods.description, DeletionMark: false, Parent_Key: account('Товары').ref, ...goods.values,
      ExtDimensionTypes: ['Номенклатура', 'Склады'].map((kind, i) => ({ LineNumber: i + 1, ExtDimensionType_Key: predefined(S.subcontoKinds, kind), Predefined: false, TurnoversOnly: false, Суммовой: true, Валютный: false, Количественный: true })),
    });
    const stockRng = rngFor('stock');
    const costOf = new Map<string, number>();
    for (const r of rows[S.prices]) if (r.ТипЦен_Key === retailKind) costOf.set(String(r.Номенклатура_Key), round2(Number(r.Цена) * 0.6));
    const itemKeys = rows[S.items].filter((r) => r.IsFolder === false).map((r) => String(r.Ref_Key));
    warehouses.forEach((wh, w) => {
      const doc = guid(S.receipts, w);
      put(S.receipts, { Ref_Key: doc, Number: `РТ00-${pad(w + 1, 6)}`, Date: BASE_DATE, Posted: true, DeletionMark: false, Организация_Key: organisation, Склад_Key: wh, Комментарий: 'Остатки демонстрационной базы' });
      let line = 0;
      for (const item of itemKeys) {
        // About two items in three are in stock at a warehouse; a few of those have only one or two left.
        if (!stockRng.chance(0.65)) continue;
        const qty = stockRng.chance(0.1) ? stockRng.int(1, 2) : stockRng.int(3, 120);
        const sum = round2(qty * (costOf.get(item) ?? 100));
        put(S.ledger, {
          Period: BASE_DATE, Recorder: doc, Recorder_Type: typed(S.receipts), LineNumber: ++line, Active: true,
          AccountDr_Key: goods.ref, AccountCr_Key: otherIncome.ref, Организация_Key: organisation,
          Сумма: sum, КоличествоDr: qty, СуммаНУDr: sum, Содержание: 'Оприходование товаров',
          ExtDimensionDr1: item, ExtDimensionDr1_Type: typed(S.items), ExtDimensionDr2: wh, ExtDimensionDr2_Type: typed(S.warehouses),
        });
      }
    });
  }

  // ---- clients: buyers, each with its main contract with the buyer ----
  for (let c = 0; c < clientCount; c++) {
    const rng = rngFor('client', c);
    const key = guid(S.counterparties, c);
    const kind = c % 4 === 3 ? 'ip' : c % 4 === 2 ? 'person' : 'company';
    const person = `${rng.pick(LAST_NAMES)} ${rng.pick(FIRST_NAMES)}`;
    const company = `${rng.pick(COMPANY_WORDS)}-${pad(c + 1, 2)}`;
    const region = rng.pick(['77', '78', '54', '66', '16', '50']);
    const inn = kind === 'company' ? inn10(region + pad(rng.int(0, 9999999), 7)) : inn12(region + pad(rng.int(0, 99999999), 8));
    const title = kind === 'company' ? `${company} ООО` : kind === 'ip' ? `ИП ${person}` : person;
    put(S.counterparties, { Ref_Key: key, Code: `00-${pad(c + 1, 7)}`, Description: title, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, НаименованиеПолное: title, ЮридическоеФизическоеЛицо: kind === 'company' ? 'ЮридическоеЛицо' : 'ФизическоеЛицо', ИНН: inn, КПП: kind === 'company' ? inn.slice(0, 4) + '01001' : '', СтранаРегистрации_Key: countryKeys[0], КонтактнаяИнформация: [] });
    const contract = guid(S.contracts, c);
    put(S.contracts, { Ref_Key: contract, Code: `00-${pad(c + 1, 7)}`, Description: 'Основной договор', DeletionMark: false, Owner_Key: key, Организация_Key: organisation, ВалютаВзаиморасчетов_Key: currency, ВидДоговора: 'СПокупателем' });
    put(S.mainContracts, { Организация_Key: organisation, Контрагент_Key: key, ВидДоговора: 'СПокупателем', Договор_Key: contract });
  }

  // ---- settlements: the first buyer's advance by bank (see the head comment) ----
  if (clientCount > 0 && model.shapes.has(S.ledger) && model.shapes.has(S.chart) && model.shapes.has(S.bankIn)) {
    const chartDef = config.sets.find((x) => x.name === S.chart)!;
    const account = (name: string) => chartDef.predefined!.find((p) => p.name === name)!.ref;
    const buyer = guid(S.counterparties, 0);
    const contract = guid(S.contracts, 0);
    const doc = guid(S.bankIn, 0);
    const sum = 15000;
    put(S.bankIn, {
      Ref_Key: doc, Number: 'РТ00-000001', Date: BASE_DATE, Posted: true, DeletionMark: false, ВидОперации: 'ОплатаПокупателя', Организация_Key: organisation,
      СчетОрганизации_Key: bankAccount, Контрагент: buyer, Контрагент_Type: typed(S.counterparties), ДоговорКонтрагента_Key: contract, ВалютаДокумента_Key: currency,
      СуммаДокумента: sum, НомерВходящегоДокумента: '17', ДатаВходящегоДокумента: BASE_DATE, НазначениеПлатежа: 'Предоплата по договору', Комментарий: 'Аванс демонстрационной базы',
      РасшифровкаПлатежа: [{ LineNumber: 1, ДоговорКонтрагента_Key: contract, СпособПогашенияЗадолженности: 'Автоматически', СуммаПлатежа: sum, КурсВзаиморасчетов: 1, КратностьВзаиморасчетов: 1, СуммаВзаиморасчетов: sum }],
    });
    put(S.ledger, {
      Period: BASE_DATE, Recorder: doc, Recorder_Type: typed(S.bankIn), LineNumber: 1, Active: true,
      AccountDr_Key: account('РасчетныеСчета'), AccountCr_Key: account('РасчетыПоАвансамПолученным'), Организация_Key: organisation,
      Сумма: sum, СуммаНУDr: sum, СуммаНУCr: sum, Содержание: 'Поступление оплаты от покупателя',
      ExtDimensionDr1: bankAccount, ExtDimensionDr1_Type: typed(S.bankAccounts),
      ExtDimensionCr1: buyer, ExtDimensionCr1_Type: typed(S.counterparties), ExtDimensionCr2: contract, ExtDimensionCr2_Type: typed(S.contracts),
    });
  }

  return {
    config,
    rows,
    skipped: skippedSorted(),
    extension: false,
    extensionProblems: [],
    functionalOptions: { ...BP_DEMO_OPTIONS },
    refs: {
      organisation,
      bankAccount,
      currency,
      // БП's VAT rates are Enum.СтавкиНДС members, not catalog items.
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
