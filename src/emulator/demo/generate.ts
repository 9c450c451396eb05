import { loadConfiguration, VARIANT_EMBEDDED, type ConfigurationChoice, type Ut11Variant } from '../configurations.js';
import { buildModel, type Shape } from '../model.js';
import type { PostingContext } from '../posting/ut11.js';
import type { ConfigurationDef } from '../schema/types.js';
import { ean13, inn10, inn12, ogrn, withAccountKey } from './checksums.js';
import { BRANDS, CITIES, COMPANY_WORDS, COUNTRIES, FIRST_NAMES, GROUPS, LAST_NAMES, type UnitCode } from './dictionary.js';
import { createHash } from 'node:crypto';
import { tinyPng } from './png.js';
import { fmix, guidFactory, hashString, mulberry32, type Rng } from './random.js';

/**
 * The demo УТ 11 base: everything ReGate reads, deterministic from a seed.
 *
 * Row conventions (what the emulator's store takes): published field names; native JS values — Int64 and Double
 * as numbers, Edm.DateTime as naive 'YYYY-MM-DDTHH:mm:ss' strings (1C server-local time), references as guid
 * strings with the empty guid for "no value", composite values as `X` + `X_Type` ("StandardODATA.Catalog_…"),
 * ValueStorage / Edm.Binary as Buffer; tabular parts inline as arrays under the part's name with LineNumber
 * numbers 1..n; register records carry their dimensions, resources and attributes plus Period, Recorder_Key,
 * LineNumber, Active (recorder-subordinate) and RecordType ('Receipt' | 'Expense', accumulation registers).
 *
 * Data layout decisions (the faithful УТ 11 way):
 * - Portion size: a packaging (Catalog_УпаковкиЕдиницыИзмерения owned by the item, Owner_Key = item) counting
 *   Числитель/Знаменатель of the item's unit: a 0.170 kg cheese portion is Числитель 0.17, Знаменатель 1 of кг.
 *   The item gets ИспользоватьУпаковки = true; its barcode points at that packaging (Упаковка_Key). Piece goods
 *   have no packaging.
 * - Pictures: Catalog_НоменклатураПрисоединенныеФайлы row (ВладелецФайла_Key = item, ТипХраненияФайла =
 *   ВИнформационнойБазе, Расширение 'png', Размер) referenced by the item's ФайлКартинки_Key; the bytes in
 *   InformationRegister_ДвоичныеДанныеФайлов (Файл + Файл_Type, ДвоичныеДанныеФайла) as БСП keeps them.
 * - Tier prices: price kinds 'Мелкооптовая' and 'Оптовая' in the price register next to 'Розничная'; the
 *   quantity thresholds X1/X2 in the extension attributes ReGate_ПорогЦены1/2 (0 = not set → config defaults).
 * - Stock: AccumulationRegister_ТоварыНаСкладах Receipt records (ВНаличии) of one ОприходованиеИзлишковТоваров
 *   per warehouse (the recorder documents carry the header only: their Товары lines would double the memory).
 * - Items sold to order (ReGate_ПродажаПодЗаказ = true) have no stock.
 */

export interface DemoOptions {
  seed?: string | number;
  /** Number of items (not counting groups). Default 2,000. */
  items?: number;
  /** Shorthand for an embedded real model: ut11.5 → УТ 11.5.20.68, ut11.4 → УТ 11.4.2.139. */
  variant?: Ut11Variant;
  /** The configuration to fill: a real dump folder, an embedded model, with or without the extension. */
  configuration?: ConfigurationChoice;
  /** Client (Партнеры + Контрагенты) count. Default 20. */
  clients?: number;
}

export type Row = Record<string, unknown>;

export interface DemoRefs {
  organisation: string;
  bankAccount: string;
  currency: string;
  vat20: string;
  vatNone: string;
  priceKinds: { retail: string; tier1: string; tier2: string };
  units: Record<UnitCode, string>;
  warehouses: string[];
  /** Warehouse key → city name. */
  warehouseCity: Record<string, string>;
  cities: string[];
}

export interface DemoBase {
  config: ConfigurationDef;
  rows: Record<string, Row[]>;
  refs: DemoRefs;
  /**
   * Properties the generator knows but this configuration does not publish, by set (`Catalog_Склады: Code`): the
   * generator fills what a version has and skips the rest; test/demo lists what each real dump leaves out.
   */
  skipped: Record<string, string[]>;
  functionalOptions: Record<string, boolean>;
  /** Whether the ReGate extension is merged, and why it would not apply as it is (the platform refuses those). */
  extension: boolean;
  extensionProblems: string[];
}

export const EMPTY_REF = '00000000-0000-0000-0000-000000000000';

/**
 * The demo base's functional options (Constant_* in a real base): a distributor working with extended customer
 * orders (reservation, statuses «К выполнению»), automatic discounts off. Tests switch them per emulator.
 */
export const DEMO_OPTIONS: Record<string, boolean> = {
  ИспользоватьРасширенныеВозможностиЗаказаКлиента: true,
  ИспользоватьАвтоматическиеСкидкиВПродажах: false,
};
export const EMPTY_DATE = '0001-01-01T00:00:00';
/** All demo documents are dated from here (a fixed date keeps the base reproducible). */
export const BASE_DATE = '2024-01-09T09:00:00';

const S = {
  items: 'Catalog_Номенклатура',
  kinds: 'Catalog_ВидыНоменклатуры',
  units: 'Catalog_УпаковкиЕдиницыИзмерения',
  countries: 'Catalog_СтраныМира',
  brands: 'Catalog_Марки',
  makers: 'Catalog_Производители',
  files: 'Catalog_НоменклатураПрисоединенныеФайлы',
  binaries: 'InformationRegister_ДвоичныеДанныеФайлов',
  fileStorage: 'InformationRegister_ХранилищеФайлов',
  itemVat: 'InformationRegister_СтавкиНДСНоменклатуры',
  blobs: 'Catalog_ХранилищеДвоичныхДанных',
  warehouses: 'Catalog_Склады',
  priceKinds: 'Catalog_ВидыЦен',
  prices25: 'InformationRegister_ЦеныНоменклатуры25',
  prices: 'InformationRegister_ЦеныНоменклатуры',
  priceDocs: 'Document_УстановкаЦенНоменклатуры',
  barcodes: 'InformationRegister_ШтрихкодыНоменклатуры',
  stock: 'AccumulationRegister_ТоварыНаСкладах',
  freeStock: 'AccumulationRegister_СвободныеОстатки',
  stockDocs: 'Document_ОприходованиеИзлишковТоваров',
  partners: 'Catalog_Партнеры',
  counterparties: 'Catalog_Контрагенты',
  organisations: 'Catalog_Организации',
  banks: 'Catalog_КлассификаторБанков',
  bankAccounts: 'Catalog_БанковскиеСчетаОрганизаций',
  currencies: 'Catalog_Валюты',
  vat: 'Catalog_СтавкиНДС',
  properties: 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
  versions: 'InformationRegister_ВерсииПодсистем',
  orders: 'Document_ЗаказКлиента',
  cardOps: 'Document_ОперацияПоПлатежнойКарте',
  bankIn: 'Document_ПоступлениеБезналичныхДенежныхСредств',
  settlements: 'AccumulationRegister_РасчетыСКлиентами',
  statuses: 'InformationRegister_ReGate_СтатусыЗаказов',
  cardPayments: 'InformationRegister_ReGate_ОплатыКартами',
  chars: 'Catalog_ХарактеристикиНоменклатуры',
  propertyValues: 'Catalog_ЗначенияСвойствОбъектов',
  pricingChars: 'Catalog_ХарактеристикиНоменклатурыДляЦенообразования',
} as const;

/**
 * Issue 17: items sold in characteristics. Textiles have sizes of their own (ИндивидуальныеДляНоменклатуры: each
 * item owns its three characteristics); tableware comes in colours shared by its item kind (ОбщиеДляВидаНоменклатуры:
 * the kind owns them). Members of Enum.ВариантыИспользованияХарактеристикНоменклатуры (both dumps).
 */
const VARIANT_SUBGROUPS: Record<string, { use: 'ИндивидуальныеДляНоменклатуры' | 'ОбщиеДляВидаНоменклатуры'; names: string[] }> = {
  Текстиль: { use: 'ИндивидуальныеДляНоменклатуры', names: ['30×50 см', '50×90 см', '70×140 см'] },
  Посуда: { use: 'ОбщиеДляВидаНоменклатуры', names: ['Белый', 'Графит', 'Оливковый'] },
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
/** GS1 check digit on 13 digits (weights 3, 1 from the right): a GTIN-14 as a box of a trade item carries it. */
const gtin14 = (first13: string) => first13 + (10 - ([...first13].reduce((s, d, k) => s + Number(d) * ((first13.length - 1 - k) % 2 ? 1 : 3), 0) % 10)) % 10;
/** Retail prices end in ,90 or ,00 the way shops set them. */
const shopPrice = (x: number, rng: Rng) => (x < 100 ? Math.round(x) - (rng.chance(0.5) ? 0.1 : 0) : Math.round(x / 10) * 10 - (rng.chance(0.6) ? 0.1 : 0));

/** 'dd.mm' portion label the way УТ names packagings: "Упаковка 0,17 кг" → we spell grams/ml for small sizes. */
function portionName(size: number, unit: UnitCode): string {
  const comma = (x: number) => String(x).replace('.', ',');
  if (unit === 'кг') return size < 1 ? `Порция ${Math.round(size * 1000)} г (${comma(size)} кг)` : `Упаковка ${comma(size)} кг`;
  if (unit === 'л') return size < 1 ? `Бутылка ${Math.round(size * 1000)} мл (${comma(size)} л)` : `Бутылка ${comma(size)} л`;
  return `Упаковка ${size} шт`;
}

function addressRow(line: number, city: (typeof CITIES)[number], street: string, house: number): Row {
  const [name, region, postPrefix] = city;
  const postcode = (postPrefix + '000000').slice(0, 6).replace(/0{2}$/, pad(house % 100, 2));
  const cityPart = region.endsWith(' г') ? region : `${region}, ${name} г`;
  const presentation = `${postcode}, ${cityPart}, ${street}, дом № ${house}`;
  return {
    LineNumber: line,
    Тип: 'Адрес',
    Вид_Key: EMPTY_REF,
    Представление: presentation,
    ЗначенияПолей: '',
    Страна: 'РОССИЯ',
    Регион: region,
    Город: name,
    АдресЭП: '',
    ДоменноеИмяСервера: '',
    НомерТелефона: '',
    НомерТелефонаБезКодов: '',
    ВидДляСписка_Key: EMPTY_REF,
    // БСП 3.1 keeps the structured address as JSON in Значение.
    Значение: JSON.stringify({
      value: presentation,
      type: 'Адрес',
      country: 'РОССИЯ',
      addressType: 'Административно-территориальный',
      ZIPcode: postcode,
      area: region,
      city: name,
      street,
      houseType: 'Дом',
      houseNumber: String(house),
    }),
  };
}

function phoneRow(line: number, phone: string): Row {
  return {
    LineNumber: line,
    Тип: 'Телефон',
    Вид_Key: EMPTY_REF,
    Представление: phone,
    ЗначенияПолей: '',
    Страна: '',
    Регион: '',
    Город: '',
    АдресЭП: '',
    ДоменноеИмяСервера: '',
    НомерТелефона: phone,
    НомерТелефонаБезКодов: phone.replace(/\D/g, '').slice(-7),
    ВидДляСписка_Key: EMPTY_REF,
    Значение: JSON.stringify({ value: phone, type: 'Телефон', number: phone.replace(/\D/g, '') }),
  };
}

export function generateDemoBase(options: DemoOptions = {}): DemoBase {
  const seed = options.seed ?? 1;
  const itemCount = options.items ?? 2000;
  const variant = options.variant ?? 'ut11.5';
  const clientCount = options.clients ?? 20;
  const guid = guidFactory(seed);
  const seedHash = hashString(String(seed));
  /** A PRNG per (purpose, index): item #i does not depend on how many items come before it. */
  const rngFor = (purpose: string, index = 0) => mulberry32(fmix(hashString(purpose, seedHash) ^ Math.imul(index + 1, 0x9e3779b1)));
  const loaded = loadConfiguration({ embedded: VARIANT_EMBEDDED[variant], ...options.configuration });
  const config = loaded.config;
  const model = buildModel(config);
  const rows: Record<string, Row[]> = {};
  for (const set of config.sets) rows[set.name] = [];
  const skipped: Record<string, Set<string>> = {};
  const has = (set: string) => model.shapes.has(set);
  const hasField = (set: string, field: string) => !!shapeOf(set)?.propByName.has(field);
  /** Object shape, or the records shape of a register (what a row of `set` is checked against). */
  function shapeOf(set: string): Shape | undefined {
    const sh = model.shapes.get(set);
    return sh?.kind === 'recordset' ? sh.collections.get('RecordSet') : sh;
  }
  /**
   * Per shape, whether an input name is kept: a published property, ValueStorage content, or record metadata the
   * store takes. Cached because every row of a set has the same names: building `${k}_Base64Data` for each of them
   * made fitting 9 of 10 s of a 100,000-item base (1.9 s self time of 5.6 s at 30,000 items, --cpu-prof).
   */
  const keeps = new Map<Shape, Map<string, boolean>>();
  const kept = (shape: Shape, k: string): boolean => {
    let m = keeps.get(shape);
    if (!m) keeps.set(shape, (m = new Map()));
    let yes = m.get(k);
    if (yes === undefined) {
      yes = shape.propByName.has(k) || shape.propByName.has(`${k}_Base64Data`) || ['Period', 'Recorder_Key', 'LineNumber', 'Active', 'RecordType'].includes(k);
      m.set(k, yes);
    }
    return yes;
  };
  /** Keeps the properties the configuration publishes (tabular rows too); remembers what it dropped. */
  const fit = (set: string, shape: Shape, row: Row): Row => {
    // Most rows fit as they are: keep the object itself (a copy per row doubled the garbage of a large base).
    let fits = true;
    for (const k in row) {
      if (kept(shape, k) && !(shape.collections.size && shape.collections.has(k))) continue;
      fits = false;
      break;
    }
    if (fits) return row;
    const out: Row = {};
    for (const k in row) {
      const v = row[k];
      const part = shape.collections.size ? shape.collections.get(k) : undefined;
      if (part && Array.isArray(v)) out[k] = v.map((line) => fit(`${set}.${k}`, part, line as Row));
      else if (kept(shape, k)) out[k] = v;
      else (skipped[set] ??= new Set()).add(k);
    }
    return out;
  };
  const put = (set: string, row: Row) => {
    const shape = shapeOf(set);
    if (!shape) {
      (skipped[set] ??= new Set()).add('(the whole set)');
      return;
    }
    rows[set].push(fit(set, shape, row));
  };
  /** УпаковкиЕдиницыИзмерения has two owner types in every real УТ dump: `Owner` + `Owner_Type`, not `Owner_Key`. */
  const ownerOf = (set: string, ownerSet: string, key: string): Row =>
    hasField(set, 'Owner_Key') ? { Owner_Key: key } : { Owner: key, Owner_Type: key === EMPTY_REF ? 'StandardODATA.Undefined' : `StandardODATA.${ownerSet}` };

  // ---- currency, VAT, configuration version ----
  const currency = guid(S.currencies, 0);
  put(S.currencies, { Ref_Key: currency, Code: '643', Description: 'руб.', DeletionMark: false, НаименованиеПолное: 'Российский рубль', ЗагружаетсяИзИнтернета: false, Наценка: 0, СпособУстановкиКурса: 'РучнойВвод', ПараметрыПрописи: 'рубль, рубля, рублей, м, копейка, копейки, копеек, ж, 2' });
  // VAT: 11.5 keeps rates in Catalog_СтавкиНДС (БезНДС is a predefined item with the vendor's id, the others are
  // rows an administrator fills, each naming its Enum.СтавкиНДС member); 11.4 has no catalog: items hold the enum.
  const vatRates: [string, number, string][] = [['20%', 20, 'НДС20'], ['10%', 10, 'НДС10'], ['0%', 0, 'НДС0'], ['Без НДС', 0, 'БезНДС']];
  const vatCatalog = has(S.vat);
  const vatNonePredefined = config.sets.find((x) => x.name === S.vat)?.predefined?.find((x) => x.name === 'БезНДС');
  const vatKeys = vatRates.map(([name, rate, enumName], i) => {
    if (!vatCatalog) return enumName;
    const isNone = enumName === 'БезНДС' && vatNonePredefined;
    const key = isNone ? vatNonePredefined.ref : guid(S.vat, i);
    put(S.vat, { Ref_Key: key, Description: name, DeletionMark: false, Ставка: rate, ПеречислениеСтавкаНДС: enumName, РасчетнаяСтавка: false, Основная: enumName === 'НДС20', ...(isNone ? { Predefined: true, PredefinedDataName: 'БезНДС' } : {}) });
    return key;
  });
  const vatField = vatCatalog ? { key: 'СтавкаНДС_Key' } : { key: 'СтавкаНДС' };
  const is115 = has(S.prices25);
  const versions: [string, string, boolean][] = [
    ['УправлениеТорговлей', config.version, true],
    ['СтандартныеПодсистемы', is115 ? '3.1.9.297' : '3.1.5.220', false],
    ['ИнтернетПоддержкаПользователей', is115 ? '2.7.2.38' : '2.6.3.20', false],
    ['БиблиотекаЭлектронныхДокументов', is115 ? '1.9.5.33' : '1.8.3.19', false],
  ];
  for (const [name, version, main] of versions) put(S.versions, { ИмяПодсистемы: name, Версия: version, ЭтоОсновнаяКонфигурация: main });
  // What the extension's session module records at session start (onec/extension, ReGate_СведенияОПлатформе); the
  // emulator has no platform, so it stands for the one its configuration's compatibility mode needs at least.
  for (const [param, value] of [['ВерсияПлатформы', config.platformVersion], ['ТипПлатформы', 'Linux_x86_64'], ['ВерсияКонфигурации', config.version]]) {
    put('InformationRegister_ReGate_СведенияОПлатформе', { Параметр: param, Значение: value, Обновлено: BASE_DATE });
  }

  // ---- countries, manufacturers, brands ----
  /** A predefined item's vendor id (Ext/Predefined.xml): a base fills these rows rather than adding its own. */
  const predefinedRef = (set: string, name: string) => config.sets.find((x) => x.name === set)?.predefined?.find((p) => p.name === name)?.ref;
  const countryKeys = COUNTRIES.map(([desc, full, code, a2, a3, eaeu], i) => {
    // СтраныМира.Россия is predefined in every dump: the demo's Russia is that item.
    const key = (code === '643' ? predefinedRef(S.countries, 'Россия') : undefined) ?? guid(S.countries, i);
    put(S.countries, { Ref_Key: key, Code: code, Description: desc, DeletionMark: false, НаименованиеПолное: full, КодАльфа2: a2, КодАльфа3: a3, УчастникЕАЭС: eaeu, МеждународноеНаименование: '' });
    return key;
  });
  const brandKeys = BRANDS.map(([brand, maker], i) => {
    const makerKey = guid(S.makers, i);
    put(S.makers, { Ref_Key: makerKey, Code: pad(i + 1, 9), Description: maker, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF });
    const key = guid(S.brands, i);
    put(S.brands, { Ref_Key: key, Code: pad(i + 1, 9), Description: brand, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, Производитель_Key: makerKey });
    return { key, makerKey };
  });

  // ---- units (ОКЕИ codes) ----
  const unitDefs: [UnitCode, string, string, string, string][] = [
    ['шт', 'Штука', '796', 'PCE', 'КоличествоШтук'],
    ['кг', 'Килограмм', '166', 'KGM', 'Вес'],
    ['л', 'Литр; кубический дециметр', '112', 'LTR', 'Объем'],
    ['г' as UnitCode, 'Грамм', '163', 'GRM', 'Вес'],
  ];
  const units = {} as Record<UnitCode, string>;
  unitDefs.forEach(([name, full, code, intl, measure], i) => {
    const key = guid(S.units, i);
    units[name] = key;
    put(S.units, { Ref_Key: key, Code: code, Description: name, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ...ownerOf(S.units, S.items, EMPTY_REF), НаименованиеПолное: full, МеждународноеСокращение: intl, ТипИзмеряемойВеличины: measure, ЕдиницаИзмерения_Key: EMPTY_REF, Числитель: 1, Знаменатель: 1, Безразмерная: false, Вес: 0, ВесЕдиницаИзмерения_Key: EMPTY_REF, Объем: 0, ОбъемЕдиницаИзмерения_Key: EMPTY_REF });
  });

  // ---- organisation, bank, account ----
  const orgRng = rngFor('organisation');
  const orgInn = inn10('77' + pad(orgRng.int(1, 51), 2) + pad(orgRng.int(0, 99999), 5));
  const orgKpp = orgInn.slice(0, 4) + '01' + '001';
  const orgOgrn = ogrn('1' + '15' + '77' + pad(orgRng.int(0, 99), 2) + pad(orgRng.int(0, 99999), 5));
  // Организации.УправленческаяОрганизация is predefined in every dump; a single-company base fills it with its data.
  const organisation = predefinedRef(S.organisations, 'УправленческаяОрганизация') ?? guid(S.organisations, 0);
  const orgAddress = addressRow(1, CITIES[0], CITIES[0][3][1], 12);
  put(S.organisations, {
    Ref_Key: organisation, Code: '000000001', Description: 'Ричест Трейд ООО', DeletionMark: false,
    НаименованиеПолное: 'Общество с ограниченной ответственностью «Ричест Трейд»', НаименованиеСокращенное: 'ООО «Ричест Трейд»',
    ИНН: orgInn, КПП: orgKpp, ОГРН: orgOgrn, КодПоОКПО: pad(orgRng.int(0, 99999999), 8), Префикс: 'ТД', ЮрФизЛицо: 'ЮрЛицо',
    ГоловнаяОрганизация_Key: organisation, СтранаРегистрации_Key: countryKeys[0], ВалютаРегламентированногоУчета_Key: currency,
    ДатаРегистрации: '2015-03-17T00:00:00',
    КонтактнаяИнформация: [{ ...orgAddress, ДействуетС: EMPTY_DATE }, { ...phoneRow(2, '+7 (495) 123-45-67'), ДействуетС: EMPTY_DATE }],
    ДополнительныеРеквизиты: [],
  });
  const bik = '0445252' + pad(orgRng.int(10, 99), 2);
  const bank = guid(S.banks, 0);
  put(S.banks, { Ref_Key: bank, Code: bik, Description: 'АО «Банк Пример»', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, КоррСчет: withAccountKey(bik, '30101810000000000' + bik.slice(6), true), Город: 'г. Москва', Адрес: '125009, г. Москва, ул. Тверская, д. 1', Телефоны: '+7 (495) 000-00-00', СВИФТБИК: '' });
  const accountNumber = withAccountKey(bik, '40702810' + '0' + pad(orgRng.int(0, 9999), 4) + pad(orgRng.int(0, 9999999), 7));
  const bankAccount = guid(S.bankAccounts, 0);
  put(S.bankAccounts, { Ref_Key: bankAccount, Description: `${accountNumber}, АО «Банк Пример»`, DeletionMark: false, Owner_Key: organisation, НомерСчета: accountNumber, Банк_Key: bank, ВалютаДенежныхСредств_Key: currency, Подразделение_Key: EMPTY_REF, ТекстКорреспондента: 'ООО «Ричест Трейд»' });

  // ---- acquiring: one contract with the bank (11.5) and its terminal, as a shop taking cards has ----
  const acquiringContract = has('Catalog_ДоговорыЭквайринга') ? guid('Catalog_ДоговорыЭквайринга', 0) : EMPTY_REF;
  if (acquiringContract !== EMPTY_REF) {
    put('Catalog_ДоговорыЭквайринга', { Ref_Key: acquiringContract, Code: '000000001', Description: 'Эквайринг АО «Банк Пример»', DeletionMark: false, Номер: 'ЭК-1', Дата: BASE_DATE, Организация_Key: organisation, БанковскийСчет_Key: bankAccount, ИспользуютсяЭквайринговыеТерминалы: true });
  }
  const acquiringTerminal = guid('Catalog_ЭквайринговыеТерминалы', 0);
  put('Catalog_ЭквайринговыеТерминалы', { Ref_Key: acquiringTerminal, Code: '1', Description: 'Интернет-эквайринг Richest.store', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, Owner_Key: acquiringContract, БанковскийСчет_Key: bankAccount });

  // ---- price kinds ----
  const priceKindDefs: [string, boolean, boolean][] = [['Розничная', true, false], ['Мелкооптовая', false, true], ['Оптовая', false, true], ['Закупочная', false, false], ['Дилерская', false, true]];
  const priceKindKeys = priceKindDefs.map(([name, retail, wholesale], i) => {
    const key = guid(S.priceKinds, i);
    put(S.priceKinds, { Ref_Key: key, Code: pad(i + 1, 9), Description: name, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ВалютаЦены_Key: currency, ЦенаВключаетНДС: true, ИспользоватьПриПродаже: name !== 'Закупочная', ИспользоватьПриРозничнойПродаже: retail, ИспользоватьПриОптовойПродаже: wholesale, Статус: 'Действует', СпособЗаданияЦены: 'Вручную', Идентификатор: ['Розничная', 'Мелкооптовая', 'Оптовая', 'Закупочная', 'Дилерская'][i], РеквизитДопУпорядочивания: i + 1 });
    return key;
  });
  const [retailKind, tier1Kind, tier2Kind] = priceKindKeys;

  // ---- the typical agreement web orders are made under, the reasons an order's lines are cancelled with, a cash desk ----
  if (has('Catalog_СоглашенияСКлиентами')) {
    put('Catalog_СоглашенияСКлиентами', {
      Ref_Key: guid('Catalog_СоглашенияСКлиентами', 0), Description: 'Розничная продажа через интернет-магазин', DeletionMark: false, Номер: 'ИМ-1', Дата: BASE_DATE,
      Организация_Key: organisation, Валюта_Key: currency, Типовое: true, Статус: 'Действует', Согласован: true, ВидЦен_Key: retailKind, ЦенаВключаетНДС: true,
      ХозяйственнаяОперация: 'РеализацияКлиенту', ДатаНачалаДействия: BASE_DATE, НалогообложениеНДС: 'ПродажаОблагаетсяНДС',
    });
  }
  if (has('Catalog_ПричиныОтменыЗаказовКлиентов')) {
    put('Catalog_ПричиныОтменыЗаказовКлиентов', { Ref_Key: guid('Catalog_ПричиныОтменыЗаказовКлиентов', 0), Description: 'Заказ не оплачен в срок', DeletionMark: false, ДоступнаДляУказанияКлиентом: false });
  }
  if (has('Catalog_Кассы')) {
    put('Catalog_Кассы', { Ref_Key: guid('Catalog_Кассы', 0), Description: 'Касса курьеров', DeletionMark: false, Owner_Key: organisation, ВалютаДенежныхСредств_Key: currency });
  }

  // ---- warehouses: 7 in 5 cities, two of them shops with a retail price kind ----
  const warehouseDefs: [string, number, string][] = [
    ['Центральный склад', 0, 'ОптовыйСклад'],
    ['Магазин «Тверская»', 0, 'РозничныйМагазин'],
    ['Склад Санкт-Петербург', 1, 'ОптовыйСклад'],
    ['Магазин «Невский»', 1, 'РозничныйМагазин'],
    ['Склад Новосибирск', 2, 'ОптовыйСклад'],
    ['Склад Екатеринбург', 3, 'ОптовыйСклад'],
    ['Склад Казань', 4, 'ОптовыйСклад'],
  ];
  const warehouses: string[] = [];
  const warehouseCity: Record<string, string> = {};
  warehouseDefs.forEach(([name, cityIndex, type], i) => {
    const key = guid(S.warehouses, i);
    const city = CITIES[cityIndex];
    const wRng = rngFor('warehouse', i);
    warehouses.push(key);
    warehouseCity[key] = city[0];
    put(S.warehouses, {
      Ref_Key: key, Code: pad(i + 1, 9), Description: name, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF,
      ТипСклада: type, РозничныйВидЦены_Key: type === 'РозничныйМагазин' ? retailKind : EMPTY_REF, УчетныйВидЦены_Key: priceKindKeys[3],
      Подразделение_Key: EMPTY_REF, КонтролироватьОперативныеОстатки: true, КонтролироватьСвободныеОстатки: false, ГруппировкаТоваров: '',
      КонтактнаяИнформация: [addressRow(1, city, wRng.pick(city[3]), wRng.int(1, 120)), phoneRow(2, `+7 (${900 + i}) ${pad(wRng.int(100, 999), 3)}-${pad(wRng.int(10, 99), 2)}-${pad(wRng.int(10, 99), 2)}`)],
      ДополнительныеРеквизиты: [],
    });
  });

  // ---- additional attribute properties (for the additionalAttribute FieldSource; values not filled) ----
  [['МинимальноеКоличество', 'Минимальное количество (сайт)'], ['Кратность', 'Кратность (сайт)']].forEach(([name, title], i) => {
    put(S.properties, { Ref_Key: guid(S.properties, i), Description: title, DeletionMark: false, Имя: name, Заголовок: title, ЭтоДополнительноеСведение: false, Подсказка: '' });
  });
  // Issue 17: properties shops filter by — a material (values in Catalog_ЗначенияСвойствОбъектов, owned by the
  // property) and a yes/no one; textiles and tableware have them in their ДополнительныеРеквизиты.
  const materialProp = guid(S.properties, 2);
  const hypoProp = guid(S.properties, 3);
  put(S.properties, { Ref_Key: materialProp, Description: 'Материал', DeletionMark: false, Имя: 'Материал', Заголовок: 'Материал', ЭтоДополнительноеСведение: false, ДополнительныеЗначенияИспользуются: true, Подсказка: '' });
  put(S.properties, { Ref_Key: hypoProp, Description: 'Гипоаллергенный', DeletionMark: false, Имя: 'Гипоаллергенный', Заголовок: 'Гипоаллергенный', ЭтоДополнительноеСведение: false, ДополнительныеЗначенияИспользуются: false, Подсказка: '' });
  const materials = Object.fromEntries(['Хлопок', 'Бамбук', 'Лён', 'Керамика', 'Сталь'].map((name, n) => {
    const ref = guid(S.propertyValues, n);
    put(S.propertyValues, { Ref_Key: ref, Description: name, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, Owner_Key: materialProp, ПолноеНаименование: name, Вес: 0 });
    return [name, ref];
  })) as Record<string, string>;
  const VALUE_TYPE = `StandardODATA.${S.propertyValues}`;
  const propertiesOfItem = (sub: string, i: number): Row[] => {
    if (sub === 'Текстиль') {
      const m = ['Хлопок', 'Бамбук', 'Лён'][i % 3];
      return [
        { LineNumber: 1, Свойство_Key: materialProp, Значение: materials[m], Значение_Type: VALUE_TYPE, ТекстоваяСтрока: '' },
        { LineNumber: 2, Свойство_Key: hypoProp, Значение: m === 'Бамбук', Значение_Type: 'Edm.Boolean', ТекстоваяСтрока: '' },
      ];
    }
    if (sub === 'Посуда') return [{ LineNumber: 1, Свойство_Key: materialProp, Значение: materials[i % 2 ? 'Сталь' : 'Керамика'], Значение_Type: VALUE_TYPE, ТекстоваяСтрока: '' }];
    return [];
  };
  // Issue 17: a characteristic's own property — the Цвет of each shared colour (ХарактеристикиНоменклатуры.
  // ДополнительныеРеквизиты, both dumps), values owned by the property like the material's.
  const colourProp = guid(S.properties, 4);
  put(S.properties, { Ref_Key: colourProp, Description: 'Цвет', DeletionMark: false, Имя: 'Цвет', Заголовок: 'Цвет', ЭтоДополнительноеСведение: false, ДополнительныеЗначенияИспользуются: true, Подсказка: '' });
  const colours = Object.fromEntries(VARIANT_SUBGROUPS.Посуда.names.map((name, n) => {
    const ref = guid(S.propertyValues, 5 + n);
    put(S.propertyValues, { Ref_Key: ref, Description: name, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, Owner_Key: colourProp, ПолноеНаименование: name, Вес: 0 });
    return [name, ref];
  })) as Record<string, string>;
  const propertiesOfCharacteristic = (name: string): Row[] =>
    colours[name] ? [{ LineNumber: 1, Свойство_Key: colourProp, Значение: colours[name], Значение_Type: VALUE_TYPE, ТекстоваяСтрока: '' }] : [];

  // ---- item kinds and the group tree ----
  const goodsKind = guid(S.kinds, 0);
  put(S.kinds, { Ref_Key: goodsKind, Code: '000000001', Description: 'Товары', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ТипНоменклатуры: 'Товар', ИспользоватьУпаковки: true, ИспользованиеХарактеристик: 'НеИспользовать', НаименованиеДляПечати: 'Товар' });
  // Issue 17: a kind per way of using characteristics; the shared colours belong to their kind (Owner = the kind).
  const charKinds: Record<string, { kind: string; shared: string[] }> = {};
  Object.entries(VARIANT_SUBGROUPS).forEach(([sub, v], k) => {
    const kind = guid(S.kinds, 1 + k);
    put(S.kinds, { Ref_Key: kind, Code: pad(2 + k, 9), Description: sub, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ТипНоменклатуры: 'Товар', ИспользоватьУпаковки: false, ИспользованиеХарактеристик: v.use, ИспользоватьХарактеристики: true, ВладелецХарактеристик_Key: v.use === 'ОбщиеДляВидаНоменклатуры' ? kind : EMPTY_REF, НаименованиеДляПечати: sub });
    const shared = v.use === 'ОбщиеДляВидаНоменклатуры'
      ? v.names.map((name, n) => {
          const ref = guid(S.chars + '/shared', k * 10 + n);
          put(S.chars, { Ref_Key: ref, Description: name, DeletionMark: false, ...ownerOf(S.chars, S.kinds, kind), НаименованиеПолное: name, ВидНоменклатуры_Key: kind, ХарактеристикаНоменклатурыДляЦенообразования_Key: EMPTY_REF, ДополнительныеРеквизиты: propertiesOfCharacteristic(name) });
          return ref;
        })
      : [];
    charKinds[sub] = { kind, shared };
  });
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

  // ---- items and everything per item ----
  const priceDoc = guid(S.priceDocs, 0);
  put(S.priceDocs, { Ref_Key: priceDoc, Number: 'ТД00-000001', Date: BASE_DATE, Posted: true, DeletionMark: false, Комментарий: 'Начальные цены демонстрационной базы', Ответственный_Key: EMPTY_REF, Статус: 'Согласован' });
  const stockDocs = warehouses.map((w, i) => {
    const key = guid(S.stockDocs, i);
    put(S.stockDocs, { Ref_Key: key, Number: `ТД00-${pad(i + 1, 6)}`, Date: '2024-01-09T10:00:00', Posted: true, DeletionMark: false, Организация_Key: organisation, Склад_Key: w, Комментарий: 'Начальные остатки демонстрационной базы' });
    return key;
  });
  const stockLines = new Array<number>(warehouses.length).fill(0);
  let priceLine = 0;
  const priceSet = is115 ? S.prices25 : S.prices;
  const usedArticles = new Set<string>();

  const FILE_TYPE = `StandardODATA.${S.files}`;
  // Issue 17: a packaging set (Catalog_НаборыУпаковок, both dumps) shared by piece goods: its packaging (Owner = the
  // set) is a unit of sale of every item naming the set in НаборУпаковок.
  const packSet = has('Catalog_НаборыУпаковок') ? guid('Catalog_НаборыУпаковок', 0) : EMPTY_REF;
  if (packSet !== EMPTY_REF) {
    put('Catalog_НаборыУпаковок', { Ref_Key: packSet, Description: 'Коробки штучного товара', DeletionMark: false, ЕдиницаИзмерения_Key: units.шт, ЕдиницаДляОтчетов_Key: units.шт, КоэффициентЕдиницыДляОтчетов: 1 });
    put(S.units, { Ref_Key: guid(S.units + '/set', 0), Code: '', Description: 'Короб (20 шт)', DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ...ownerOf(S.units, 'Catalog_НаборыУпаковок', packSet), НаименованиеПолное: 'Короб (20 шт)', МеждународноеСокращение: '', ТипИзмеряемойВеличины: 'Упаковка', ЕдиницаИзмерения_Key: units.шт, Числитель: 20, Знаменатель: 1, Безразмерная: false, Вес: 0, ВесЕдиницаИзмерения_Key: EMPTY_REF, Объем: 0, ОбъемЕдиницаИзмерения_Key: EMPTY_REF });
  }
  for (let i = 0; i < itemCount; i++) {
    const rng = rngFor('item', i);
    const leaf = leafGroups[rng.int(0, leafGroups.length - 1)];
    const group = GROUPS[leaf.groupNo];
    const sub = group.subgroups[leaf.subNo];
    const brandNo = rng.int(0, BRANDS.length - 1);
    const [brand] = BRANDS[brandNo];
    const countryKey = countryKeys[BRANDS[brandNo][2]];
    const noun = rng.pick(sub.nouns);
    const feature = rng.pick(sub.features);
    const key = guid(S.items, i);
    const article = `${group.prefix}-${pad(i + 1, 6)}`;
    usedArticles.add(article);
    const name = `${noun} «${brand}» ${feature}`.slice(0, 100);
    const countryName = COUNTRIES[BRANDS[brandNo][2]][1];
    const unit = sub.unit;
    const soldToOrder = rng.chance(0.05);
    const minQty = rng.chance(0.2) ? (unit === 'шт' ? rng.pick([2, 3, 5, 6, 10]) : rng.pick([0.5, 1, 2])) : 0;
    const multiplicity = rng.chance(0.15) ? (unit === 'шт' ? rng.pick([2, 3, 6, 12]) : rng.pick([0.1, 0.5])) : 0;
    const hasTiers = rng.chance(0.3);
    const x1 = hasTiers ? (unit === 'шт' ? rng.pick([5, 10, 12, 20]) : rng.pick([2, 3, 5])) : 0;
    const x2 = hasTiers ? x1 * rng.pick([5, 10]) : 0;

    // packaging = portion
    let packaging = EMPTY_REF;
    let portion = 0;
    if (sub.portions) {
      portion = rng.pick(sub.portions);
      packaging = guid(S.units + '/packaging', i);
      put(S.units, { Ref_Key: packaging, Code: '', Description: portionName(portion, unit), DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ...ownerOf(S.units, S.items, key), НаименованиеПолное: portionName(portion, unit), МеждународноеСокращение: '', ТипИзмеряемойВеличины: 'Упаковка', ЕдиницаИзмерения_Key: units[unit], Числитель: portion, Знаменатель: 1, Безразмерная: false, Вес: unit === 'кг' ? portion : 0, ВесЕдиницаИзмерения_Key: unit === 'кг' ? units.кг : EMPTY_REF, Объем: unit === 'л' ? portion : 0, ОбъемЕдиницаИзмерения_Key: unit === 'л' ? units.л : EMPTY_REF });
    }

    // Issue 17: a box the shop can sell piece goods by (Коробка по 6/12/24 шт: a packaging owned by the item, Числитель
    // of the item's unit), for about one piece item in four without portions or characteristics. A random stream of its
    // own: the rest of the base stays as it was.
    const pRng = rngFor('box', i);
    let box = 0;
    let inSet = false;
    const pieceGoods = !sub.portions && unit === 'шт' && !VARIANT_SUBGROUPS[sub.name];
    if (pieceGoods && pRng.chance(0.25)) {
      box = pRng.pick([6, 12, 24]);
      put(S.units, { Ref_Key: guid(S.units + '/box', i), Code: '', Description: `Коробка (${box} шт)`, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ...ownerOf(S.units, S.items, key), НаименованиеПолное: `Коробка (${box} шт)`, МеждународноеСокращение: '', ТипИзмеряемойВеличины: 'Упаковка', ЕдиницаИзмерения_Key: units[unit], Числитель: box, Знаменатель: 1, Безразмерная: false, Вес: 0, ВесЕдиницаИзмерения_Key: EMPTY_REF, Объем: 0, ОбъемЕдиницаИзмерения_Key: EMPTY_REF });
    } else if (pieceGoods && packSet !== EMPTY_REF && pRng.chance(0.15)) {
      inSet = true;
    }

    // picture (90% of items)
    let fileKey = EMPTY_REF;
    if (rng.chance(0.9)) {
      fileKey = guid(S.files, i);
      const png = tinyPng(fmix(i ^ seedHash), (rng.int(0, 0xffffff) & 0x7f7f7f) >>> 0, 0xf4f4f0);
      put(S.files, { Ref_Key: fileKey, Description: article, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ВладелецФайла_Key: key, Автор_Key: EMPTY_REF, ДатаСоздания: BASE_DATE, ДатаМодификацииУниверсальная: '2024-01-09T06:00:00', Описание: '', Расширение: 'png', Размер: png.length, ИндексКартинки: 0, ТипХраненияФайла: 'ВИнформационнойБазе', Том_Key: EMPTY_REF, ПутьКФайлу: '', Зашифрован: false, ПодписанЭП: false, ХранитьВерсии: false });
      if (has(S.fileStorage)) {
        // 11.5.18+: ХранилищеФайлов points at a ХранилищеДвоичныхДанных item holding the bytes (FACTS.md, Item files).
        const blob = guid(S.blobs, i);
        put(S.blobs, { Ref_Key: blob, DeletionMark: false, Размер: png.length, Хеш: createHash('sha256').update(png).digest('base64'), ДвоичныеДанные: png });
        put(S.fileStorage, { Файл: fileKey, Файл_Type: FILE_TYPE, ХранилищеДвоичныхДанных_Key: blob });
      } else put(S.binaries, { Файл: fileKey, Файл_Type: FILE_TYPE, ДвоичныеДанныеФайла: png });
    }

    // Issue 14.7: descriptions. A separate random stream (the rest of the base stays as it was): about one item in
    // eight has no text description (Описание empty: the shop gets no short description, never the name), and one in
    // six a site description file — an HTML attached file named by ФайлОписанияДляСайта, its bytes kept where the
    // pictures' are (ХранилищеФайлов → ХранилищеДвоичныхДанных from 11.5.18, ДвоичныеДанныеФайлов before).
    const dRng = rngFor('description', i);
    const withoutText = dRng.chance(0.125);
    let descriptionFile = EMPTY_REF;
    if (dRng.chance(1 / 6)) {
      descriptionFile = guid(S.files + '/description', i);
      const html = Buffer.from(siteDescriptionHtml(`${noun} «${brand}»`, feature, countryName, group.storage), 'utf8');
      put(S.files, { Ref_Key: descriptionFile, Description: `${article} описание для сайта`, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, ВладелецФайла_Key: key, Автор_Key: EMPTY_REF, ДатаСоздания: BASE_DATE, ДатаМодификацииУниверсальная: '2024-01-09T06:30:00', Описание: '', Расширение: 'html', Размер: html.length, ИндексКартинки: 0, ТипХраненияФайла: 'ВИнформационнойБазе', Том_Key: EMPTY_REF, ПутьКФайлу: '', Зашифрован: false, ПодписанЭП: false, ХранитьВерсии: false });
      if (has(S.fileStorage)) {
        const blob = guid(S.blobs + '/description', i);
        put(S.blobs, { Ref_Key: blob, DeletionMark: false, Размер: html.length, Хеш: createHash('sha256').update(html).digest('base64'), ДвоичныеДанные: html });
        put(S.fileStorage, { Файл: descriptionFile, Файл_Type: FILE_TYPE, ХранилищеДвоичныхДанных_Key: blob });
      } else put(S.binaries, { Файл: descriptionFile, Файл_Type: FILE_TYPE, ДвоичныеДанныеФайла: html });
    }

    const weight = unit === 'шт' && rng.chance(0.5) ? round3(rng.int(50, 2000) / 1000) : 0;
    // Issue 17: the item's characteristics (its own sizes, or its kind's colours). A separate random stream, so the
    // rest of the base stays as it was.
    const variantDef = VARIANT_SUBGROUPS[sub.name];
    const vRng = rngFor('variant', i);
    const variantKeys: string[] = !variantDef
      ? []
      : variantDef.use === 'ОбщиеДляВидаНоменклатуры'
        ? charKinds[sub.name].shared
        : variantDef.names.map((n, k) => {
            const ref = guid(S.chars, i * 3 + k);
            put(S.chars, { Ref_Key: ref, Description: n, DeletionMark: false, ...ownerOf(S.chars, S.items, key), НаименованиеПолное: `${noun}, ${n}`, ВидНоменклатуры_Key: charKinds[sub.name].kind, ХарактеристикаНоменклатурыДляЦенообразования_Key: EMPTY_REF, ДополнительныеРеквизиты: [] });
            return ref;
          });
    put(S.items, {
      Ref_Key: key, Code: `00-${pad(100000 + i + 1, 8)}`, Description: name, DeletionMark: false, IsFolder: false, Parent_Key: leaf.key,
      ЕдиницаИзмерения_Key: units[unit], Артикул: article,
      НаименованиеПолное: `${noun}, ${feature}, торговая марка «${brand}», ${countryName}`,
      Описание: withoutText ? '' : `${noun} торговой марки «${brand}» (${feature}). Страна происхождения — ${countryName}. ${group.storage}${portion ? ` Фасовка: ${portionName(portion, unit).toLowerCase()}.` : ''}`,
      ФайлОписанияДляСайта_Key: descriptionFile,
      ВидНоменклатуры_Key: variantDef ? charKinds[sub.name].kind : goodsKind, ТипНоменклатуры: 'Товар', ИспользованиеХарактеристик: variantDef ? variantDef.use : 'НеИспользовать', ИспользоватьУпаковки: portion > 0 || box > 0 || inSet, НаборУпаковок_Key: inSet ? packSet : EMPTY_REF,
      ВладелецХарактеристик_Key: variantDef?.use === 'ОбщиеДляВидаНоменклатуры' ? charKinds[sub.name].kind : EMPTY_REF,
      Марка_Key: brandKeys[brandNo].key, Производитель_Key: brandKeys[brandNo].makerKey, СтранаПроисхождения_Key: countryKey,
      ФайлКартинки_Key: fileKey, [vatField.key]: group.prefix === 'БХ' || group.prefix === 'ТД' ? vatKeys[0] : vatKeys[1], КодДляПоиска: '',
      ВесИспользовать: weight > 0, ВесЧислитель: weight, ВесЗнаменатель: weight > 0 ? 1 : 0, ВесЕдиницаИзмерения_Key: weight > 0 ? units.кг : EMPTY_REF,
      ОбъемИспользовать: false, ОбъемЧислитель: 0, ОбъемЗнаменатель: 0, ОбъемЕдиницаИзмерения_Key: EMPTY_REF,
      ReGate_МинимальноеКоличество: minQty, ReGate_Кратность: multiplicity, ReGate_ПорогЦены1: x1, ReGate_ПорогЦены2: x2, ReGate_ПродажаПодЗаказ: soldToOrder,
      ДополнительныеРеквизиты: propertiesOfItem(sub.name, i),
    });

    // Issue 17: 11.5.20 keeps items' VAT rates in InformationRegister.СтавкиНДСНоменклатуры (by period and country; an
    // empty Страна is the initial fill from the item's attribute). Some items have it: one in ten the initial record,
    // one in thirty a later record for Russia (the organisation's country) with the other rate — the register wins
    // over Номенклатура.СтавкаНДС — and one in fifty a record for Belarus (another country's: not this shop's rate).
    if (has(S.itemVat)) {
      const vRate = rngFor('item-vat', i);
      const own = group.prefix === 'БХ' || group.prefix === 'ТД' ? vatKeys[0] : vatKeys[1];
      if (vRate.chance(0.1)) put(S.itemVat, { Period: '2024-01-01T00:00:00', Номенклатура_Key: key, Страна_Key: EMPTY_REF, СтавкаНДС_Key: own });
      if (vRate.chance(1 / 30)) put(S.itemVat, { Period: '2025-01-01T00:00:00', Номенклатура_Key: key, Страна_Key: countryKeys[0], СтавкаНДС_Key: own === vatKeys[0] ? vatKeys[1] : vatKeys[0] });
      if (vRate.chance(0.02)) put(S.itemVat, { Period: '2025-01-01T00:00:00', Номенклатура_Key: key, Страна_Key: countryKeys[1], СтавкаНДС_Key: vatKeys[2] });
    }

    // barcode: Russian GS1 prefix 460–469, unique by construction (item index in the body)
    const barcode = ean13(`46${rng.int(0, 9)}${pad(i, 9)}`);
    put(S.barcodes, { Штрихкод: barcode, Номенклатура_Key: key, Характеристика_Key: EMPTY_REF, Упаковка_Key: packaging });
    // Issue 17: a box its own GTIN-14 (indicator 1 + the item's EAN-13 body + check digit), registered for the box.
    if (box) put(S.barcodes, { Штрихкод: gtin14(`1${barcode.slice(0, 12)}`), Номенклатура_Key: key, Характеристика_Key: EMPTY_REF, Упаковка_Key: guid(S.units + '/box', i) });
    // Each variant its own EAN-13 in the in-store range 200–299 (unique: the variant's number and the item's index).
    variantKeys.forEach((ch, k) => put(S.barcodes, { Штрихкод: ean13(`2${pad(k, 2)}${pad(i, 9)}`), Номенклатура_Key: key, Характеристика_Key: ch, Упаковка_Key: EMPTY_REF }));

    // prices (per unit of the item, not per packaging: Упаковка_Key empty, as price lists in УТ usually are)
    const retail = shopPrice(sub.price[0] + rng.next() * (sub.price[1] - sub.price[0]), rng);
    const kinds: [string, number][] = [[retailKind, retail]];
    if (rng.chance(0.97)) kinds.push([tier1Kind, round2(retail * 0.95)], [tier2Kind, round2(retail * 0.9)]);
    for (const [kind, price] of kinds) {
      priceLine++;
      put(
        priceSet,
        is115
          ? { Period: BASE_DATE, Recorder_Key: priceDoc, LineNumber: priceLine, Active: true, Номенклатура_Key: key, ХарактеристикаЦО_Key: EMPTY_REF, СерияЦО_Key: EMPTY_REF, УпаковкаЦО_Key: EMPTY_REF, ВидЦены_Key: kind, Цена: price, Упаковка_Key: EMPTY_REF, Валюта_Key: currency, Формула: '' }
          : { Period: BASE_DATE, Recorder_Key: priceDoc, LineNumber: priceLine, Active: true, Номенклатура_Key: key, Характеристика_Key: EMPTY_REF, ВидЦены_Key: kind, Цена: price, Упаковка_Key: EMPTY_REF, Валюта_Key: currency, Формула: '' },
      );
    }
    // Issue 17: the dealer price kind (a client's own agreement names it), 15% off retail.
    priceLine++;
    put(priceSet, is115
      ? { Period: BASE_DATE, Recorder_Key: priceDoc, LineNumber: priceLine, Active: true, Номенклатура_Key: key, ХарактеристикаЦО_Key: EMPTY_REF, СерияЦО_Key: EMPTY_REF, УпаковкаЦО_Key: EMPTY_REF, ВидЦены_Key: priceKindKeys[4], Цена: round2(retail * 0.85), Упаковка_Key: EMPTY_REF, Валюта_Key: currency, Формула: '' }
      : { Period: BASE_DATE, Recorder_Key: priceDoc, LineNumber: priceLine, Active: true, Номенклатура_Key: key, Характеристика_Key: EMPTY_REF, ВидЦены_Key: priceKindKeys[4], Цена: round2(retail * 0.85), Упаковка_Key: EMPTY_REF, Валюта_Key: currency, Формула: '' });
    // Issue 17: the largest size costs more (a retail price of its own); the other variants sell at the item's price.
    // 11.5 prices a characteristic through its ХарактеристикаНоменклатурыДляЦенообразования (ЦеныНоменклатуры25 has
    // ХарактеристикаЦО, not Характеристика: both dumps' InformationRegisters/ЦеныНоменклатуры*.xml).
    if (variantDef?.use === 'ИндивидуальныеДляНоменклатуры') {
      const ch = variantKeys[variantKeys.length - 1];
      const price = shopPrice(retail * (1.2 + vRng.next() * 0.3), vRng);
      priceLine++;
      if (is115) {
        const pricing = guid(S.pricingChars, i);
        put(S.pricingChars, { Ref_Key: pricing, Description: variantDef.names[variantKeys.length - 1], DeletionMark: false, ВидНоменклатуры_Key: charKinds[sub.name].kind, Номенклатура_Key: key, НаименованиеПолное: variantDef.names[variantKeys.length - 1], КоличествоРеквизитов: 0 });
        const row = rows[S.chars].find((r) => r.Ref_Key === ch);
        if (row) row.ХарактеристикаНоменклатурыДляЦенообразования_Key = pricing;
        put(priceSet, { Period: BASE_DATE, Recorder_Key: priceDoc, LineNumber: priceLine, Active: true, Номенклатура_Key: key, ХарактеристикаЦО_Key: pricing, СерияЦО_Key: EMPTY_REF, УпаковкаЦО_Key: EMPTY_REF, ВидЦены_Key: retailKind, Цена: price, Упаковка_Key: EMPTY_REF, Валюта_Key: currency, Формула: '' });
      } else {
        put(priceSet, { Period: BASE_DATE, Recorder_Key: priceDoc, LineNumber: priceLine, Active: true, Номенклатура_Key: key, Характеристика_Key: ch, ВидЦены_Key: retailKind, Цена: price, Упаковка_Key: EMPTY_REF, Валюта_Key: currency, Формула: '' });
      }
    }

    // stock in 1–4 warehouses; none for items sold to order
    if (!soldToOrder) {
      const count = rng.int(1, 4);
      const start = rng.int(0, warehouses.length - 1);
      for (let k = 0; k < count; k++) {
        const w = (start + k * 2) % warehouses.length;
        const qty = unit === 'шт' ? rng.int(1, 300) : round3(rng.int(500, 200000) / 1000);
        // Issue 17: an item in characteristics has its stock per characteristic (the same total, split).
        const parts: [string, number][] = variantKeys.length ? splitStock(qty, variantKeys, vRng) : [[EMPTY_REF, qty]];
        for (const [ch, q] of parts) {
          const line = ++stockLines[w];
          put(S.stock, { Period: '2024-01-09T10:00:00', Recorder_Key: stockDocs[w], LineNumber: line, Active: true, RecordType: 'Receipt', Номенклатура_Key: key, Характеристика_Key: ch, Назначение_Key: EMPTY_REF, Склад_Key: warehouses[w], Помещение_Key: EMPTY_REF, Серия_Key: EMPTY_REF, ВНаличии: q, КОтгрузке: 0, КонтролироватьОстатки: true, Сторно: false });
          if (has(S.freeStock)) put(S.freeStock, { Period: '2024-01-09T10:00:00', Recorder_Key: stockDocs[w], LineNumber: line, Active: true, RecordType: 'Receipt', Номенклатура_Key: key, Характеристика_Key: ch, Склад_Key: warehouses[w], ВНаличии: q, ВРезервеСоСклада: 0, ВРезервеПодЗаказ: 0 });
        }
      }
    }
  }

  // ---- clients ----
  const clients: { partner: string; counterparty: string }[] = [];
  for (let c = 0; c < clientCount; c++) {
    const rng = rngFor('client', c);
    const partner = guid(S.partners, c);
    const counterparty = guid(S.counterparties, c);
    const kind = c % 4 === 3 ? 'ip' : c % 4 === 2 ? 'person' : 'company';
    const person = `${rng.pick(LAST_NAMES)} ${rng.pick(FIRST_NAMES)}`;
    const company = `${rng.pick(COMPANY_WORDS)}-${pad(c + 1, 2)}`;
    const region = rng.pick(['77', '78', '54', '66', '16', '50']);
    const inn = kind === 'company' ? inn10(region + pad(rng.int(0, 9999999), 7)) : inn12(region + pad(rng.int(0, 99999999), 8));
    const title = kind === 'company' ? `${company} ООО` : kind === 'ip' ? `ИП ${person}` : person;
    const full = kind === 'company' ? `Общество с ограниченной ответственностью «${company}»` : kind === 'ip' ? `Индивидуальный предприниматель ${person}` : person;
    const externalId = c % 2 === 0 ? `rs-client-${pad(c + 1, 4)}` : '';
    const phone = phoneRow(1, `+7 (9${pad(rng.int(0, 99), 2)}) ${pad(rng.int(0, 999), 3)}-${pad(rng.int(0, 99), 2)}-${pad(rng.int(0, 99), 2)}`);
    put(S.partners, { Ref_Key: partner, Code: `00-${pad(c + 1, 8)}`, Description: title, DeletionMark: false, IsFolder: false, Parent_Key: EMPTY_REF, НаименованиеПолное: full, Клиент: true, Поставщик: false, ПрочиеОтношения: false, ЮрФизЛицо: kind === 'person' ? 'ЧастноеЛицо' : 'Компания', ДатаРегистрации: '2024-01-10T12:00:00', Комментарий: '', ДополнительнаяИнформация: '', ОсновнойМенеджер_Key: EMPTY_REF, ReGate_ВнешнийИдентификатор: externalId, КонтактнаяИнформация: [phone], ДополнительныеРеквизиты: [] });
    put(S.counterparties, { Ref_Key: counterparty, Code: `00-${pad(c + 1, 8)}`, Description: title, DeletionMark: false, НаименованиеПолное: full, ЮрФизЛицо: kind === 'company' ? 'ЮрЛицо' : kind === 'ip' ? 'ИндивидуальныйПредприниматель' : 'ФизЛицо', ЮридическоеФизическоеЛицо: kind === 'company' ? 'ЮридическоеЛицо' : 'ФизическоеЛицо', СтранаРегистрации_Key: countryKeys[0], ИНН: inn, КПП: kind === 'company' ? inn.slice(0, 4) + '01001' : '', КодПоОКПО: '', Партнер_Key: partner, ГоловнойКонтрагент_Key: counterparty, ДополнительнаяИнформация: '', ReGate_ВнешнийИдентификатор: externalId, КонтактнаяИнформация: [{ ...phone, ДействуетС: EMPTY_DATE }], ДополнительныеРеквизиты: [] });
    clients.push({ partner, counterparty });
  }

  // ---- issue 17: the first client buys under an agreement of its own, at the dealer price kind ----
  if (has('Catalog_СоглашенияСКлиентами') && clients.length) {
    put('Catalog_СоглашенияСКлиентами', {
      Ref_Key: guid('Catalog_СоглашенияСКлиентами', 1), Description: `Дилерское соглашение с ${String(rows[S.partners][0].Description)}`, DeletionMark: false, Номер: 'ДС-1', Дата: BASE_DATE,
      Организация_Key: organisation, Валюта_Key: currency, Типовое: false, Партнер_Key: clients[0].partner, Контрагент_Key: clients[0].counterparty, Статус: 'Действует', Согласован: true,
      ВидЦен_Key: priceKindKeys[4], ЦенаВключаетНДС: true, ХозяйственнаяОперация: 'РеализацияКлиенту', ДатаНачалаДействия: BASE_DATE, НалогообложениеНДС: 'ПродажаОблагаетсяНДС',
    });
  }

  // ---- a few orders, one paid by card, one paid by bank transfer, posted through the ut11Posting handlers ----
  const items = rows[S.items].filter((r) => !r.IsFolder);
  const retailPrice = new Map<string, number>();
  for (const p of rows[priceSet]) if (p.ВидЦены_Key === retailKind) retailPrice.set(p.Номенклатура_Key as string, p.Цена as number);
  const ctx = makePostingContext(rows, guid);
  const onHand = new Map<string, number>();
  for (const r of rows[S.stock]) if (r.Склад_Key === warehouses[0]) onHand.set(r.Номенклатура_Key as string, (onHand.get(r.Номенклатура_Key as string) ?? 0) + (r.ВНаличии as number));
  // Items in characteristics are left out: a line of one needs its characteristic, which these orders do not name.
  const stocked = items.filter((i) => (onHand.get(i.Ref_Key as string) ?? 0) >= 5 && (i.ИспользованиеХарактеристик ?? 'НеИспользовать') === 'НеИспользовать');
  if (stocked.length < 2) stocked.push(...items.slice(0, 2));
  const post = (set: string, doc: Row) => {
    const handler = config.sets.find((x) => x.name === set)?.onPost;
    if (!handler) return;
    for (const [register, records] of Object.entries(handler(doc, ctx) ?? {})) {
      records.forEach((r, n) => put(register, { Period: doc.Date, Recorder_Key: doc.Ref_Key, LineNumber: n + 1, Active: true, ...r }));
    }
  };
  /** Adds a document (fitted to the configuration) and returns the row as stored, for posting. */
  const putDoc = (set: string, row: Row): Row => {
    put(set, row);
    return rows[set][rows[set].length - 1];
  };
  const orderCount = Math.min(3, clients.length, Math.floor(items.length / 2));
  for (let o = 0; o < orderCount; o++) {
    const rng = rngFor('order', o);
    const client = clients[o];
    // A manager reserves what the warehouse has: the demo orders take items with at least 5 in the first warehouse.
    const lines = [0, 1].map((n) => stocked[(o * 2 + n) % stocked.length]);
    const date = `2024-02-0${o + 1}T1${o}:15:00`;
    const goods = lines.map((item, n) => {
      const qty = rng.int(1, 5);
      const price = retailPrice.get(item.Ref_Key as string) ?? 100;
      const sum = round2(qty * price);
      const vatKey = item[vatField.key] as string;
      const rate = vatKey === vatKeys[0] ? 20 : 10;
      return { LineNumber: n + 1, Номенклатура_Key: item.Ref_Key, Характеристика_Key: EMPTY_REF, Упаковка_Key: EMPTY_REF, КоличествоУпаковок: qty, Количество: qty, ВидЦены_Key: retailKind, Цена: price, Сумма: sum, [vatField.key]: vatKey, СуммаНДС: round2((sum * rate) / (100 + rate)), СуммаСНДС: sum, ПроцентРучнойСкидки: 0, СуммаРучнойСкидки: 0, КодСтроки: n + 1, Отменено: false, Склад_Key: warehouses[0], ДатаОтгрузки: EMPTY_DATE, ВариантОбеспечения: 'СоСклада', Содержание: '' };
    });
    const total = round2(goods.reduce((s, g) => s + g.Сумма, 0));
    const orderKey = guid(S.orders, o);
    const order: Row = {
      Ref_Key: orderKey, Number: `ТД00-${pad(o + 1, 6)}`, Date: date, Posted: true, DeletionMark: false,
      Партнер_Key: client.partner, Контрагент_Key: client.counterparty, Организация_Key: organisation, Соглашение_Key: EMPTY_REF, Договор_Key: EMPTY_REF,
      Валюта_Key: currency, СуммаДокумента: total, Склад_Key: warehouses[0], ЦенаВключаетНДС: true, Статус: 'КОбеспечению', Согласован: true, ДатаСогласования: date,
      ФормаОплаты: o === 1 ? 'Безналичная' : 'ПлатежнаяКарта', БанковскийСчет_Key: bankAccount, ДатаОтгрузки: EMPTY_DATE,
      АдресДоставки: `${CITIES[o % CITIES.length][0]}, ${CITIES[o % CITIES.length][3][0]}, д. ${o + 3}, кв. ${o + 10}`, АдресДоставкиЗначенияПолей: '', ДополнительнаяИнформацияПоДоставке: '',
      НалогообложениеНДС: 'ПродажаОблагаетсяНДС', ХозяйственнаяОперация: 'РеализацияКлиенту', Комментарий: 'Заказ с сайта Richest.store', НомерПоДаннымКлиента: `RS-${1000 + o}`, ДатаПоДаннымКлиента: date,
      ОбъектРасчетов_Key: EMPTY_REF, МаксимальныйКодСтроки: goods.length, ЭтоЗаказКакСчет: !DEMO_OPTIONS.ИспользоватьРасширенныеВозможностиЗаказаКлиента, ReGate_ВнешнийИдентификатор: `rs-order-${pad(o + 1, 6)}`,
      Товары: goods, ДополнительныеРеквизиты: [],
    };
    const stored = putDoc(S.orders, order);
    // As ПередЗаписью fills it (the emulator's posting/ut11.ts stand-in does the same for orders written over OData).
    const orderObject = hasField(S.orders, 'ОбъектРасчетов_Key') ? ctx.findOrCreate('Catalog_ОбъектыРасчетов', { Объект: orderKey, Объект_Type: `StandardODATA.${S.orders}` }) : EMPTY_REF;
    stored.ОбъектРасчетов_Key = orderObject;
    post(S.orders, stored);
    let statusOrder = 1;
    let statusPayment = 0;
    let paid = 0;
    if (o === 0) {
      const payKey = guid(S.cardOps, o);
      const pay: Row = { Ref_Key: payKey, Number: `ТД00-${pad(o + 1, 6)}`, Date: date.replace(':15:', ':20:'), Posted: true, DeletionMark: false, ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента', Организация_Key: organisation, Контрагент_Key: client.counterparty, Партнер_Key: client.partner, ДоговорЭквайринга_Key: acquiringContract, ЭквайринговыйТерминал_Key: acquiringTerminal, СуммаДокумента: total, Валюта_Key: currency, НомерПлатежнойКарты: '220000******1234', ОплатаВыполнена: true, КодАвторизации: '123456', ИдентификаторОплатыСБП: '', ДокументОснование: orderKey, ДокументОснование_Type: `StandardODATA.${S.orders}`, Комментарий: '', ReGate_ВнешнийИдентификатор: 'rs-pay-000001', РасшифровкаПлатежа: [{ LineNumber: 1, Партнер_Key: client.partner, ОснованиеПлатежа: orderKey, ОснованиеПлатежа_Type: `StandardODATA.${S.orders}`, Заказ: orderKey, Заказ_Type: `StandardODATA.${S.orders}`, Сумма: total, ВалютаВзаиморасчетов_Key: currency, СуммаВзаиморасчетов: total, СтавкаНДС_Key: EMPTY_REF, СуммаНДС: 0, ОбъектРасчетов_Key: orderObject, ИдентификаторСтроки: '' }] };
      post(S.cardOps, putDoc(S.cardOps, pay));
      put(S.cardPayments, { Заказ_Key: orderKey, ИдентификаторТранзакции: 'txn-0001', Провайдер: 'demo-acquirer', RRN: '401234567890', КодАвторизации: '123456', МаскаКарты: '220000******1234', Сумма: total, ДатаОплаты: pay.Date });
      statusOrder = 2;
      statusPayment = 1;
      paid = total;
    } else if (o === 1) {
      const payKey = guid(S.bankIn, o);
      const pay: Row = { Ref_Key: payKey, Number: `ТД00-${pad(o + 1, 6)}`, Date: '2024-02-05T09:00:00', Posted: true, DeletionMark: false, Организация_Key: organisation, БанковскийСчет_Key: bankAccount, ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента', СуммаДокумента: total, Контрагент_Key: client.counterparty, Партнер_Key: client.partner, Валюта_Key: currency, ДатаВходящегоДокумента: '2024-02-05T00:00:00', НомерВходящегоДокумента: '512', НазначениеПлатежа: `Оплата по заказу ${order.Number}`, ПроведеноБанком: true, ДатаПроведенияБанком: '2024-02-05T00:00:00', ИдентификаторПлатежа: '', ИмяКонтрагента: order.Контрагент_Key === client.counterparty ? String(rows[S.counterparties][o].Description) : '', Комментарий: '', ReGate_ВнешнийИдентификатор: 'rs-bank-000001', РасшифровкаПлатежа: [{ LineNumber: 1, Партнер_Key: client.partner, ОснованиеПлатежа: orderKey, ОснованиеПлатежа_Type: `StandardODATA.${S.orders}`, Заказ: orderKey, Заказ_Type: `StandardODATA.${S.orders}`, Сумма: total, ВалютаВзаиморасчетов_Key: currency, СуммаВзаиморасчетов: total, СтавкаНДС_Key: EMPTY_REF, СуммаНДС: 0, ОбъектРасчетов_Key: orderObject, ИдентификаторСтроки: '' }] };
      post(S.bankIn, putDoc(S.bankIn, pay));
      statusOrder = 3;
      statusPayment = 2;
      paid = total;
    }
    put(S.statuses, { Period: date, Заказ_Key: orderKey, СтатусЗаказа: statusOrder, СтатусОплаты: statusPayment, СуммаОплаты: paid, Комментарий: '' });
  }

  return {
    config,
    rows,
    skipped: Object.fromEntries(Object.entries(skipped).map(([k, v]) => [k, [...v].sort()])),
    extension: loaded.extension,
    extensionProblems: loaded.extensionProblems,
    functionalOptions: { ...DEMO_OPTIONS },
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

/** A quantity split over characteristics (whole pieces; each part ≥ 0, the parts add up to the quantity). */
/** Issue 14.7: the page a manager writes for the site (УТ keeps it as an HTML file attached to the item). */
function siteDescriptionHtml(title: string, feature: string, country: string, storage: string): string {
  const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${esc(title)}</title></head>\n<body>\n<h2>${esc(title)}</h2>\n<p>${esc(feature[0].toUpperCase() + feature.slice(1))}. Производство: ${esc(country)}.</p>\n<ul><li>${esc(storage)}</li><li>Гарантия качества производителя</li></ul>\n</body></html>\n`;
}

function splitStock(qty: number, keys: string[], rng: Rng): [string, number][] {
  let left = qty;
  return keys.map((k, n) => {
    const q = n === keys.length - 1 ? left : Math.min(left, Math.floor(qty * (0.2 + rng.next() * 0.3)));
    left -= q;
    return [k, q];
  });
}

/** A PostingContext over plain rows (the generator's; the engine provides its own over its store). */
export function makePostingContext(rows: Record<string, Row[]>, guid: (kind: string, index: number) => string): PostingContext {
  const counters: Record<string, number> = {};
  return {
    findOrCreate(set, match, init = {}) {
      const list = (rows[set] ??= []);
      const found = list.find((r) => Object.entries(match).every(([k, v]) => r[k] === v));
      if (found) return found.Ref_Key as string;
      const n = (counters[set] = (counters[set] ?? 0) + 1);
      const key = guid(set, n);
      list.push({ Ref_Key: key, Description: '', DeletionMark: false, ...init, ...match });
      return key;
    },
    get(set, refKey) {
      return rows[set]?.find((r) => r.Ref_Key === refKey);
    },
    option: (name) => DEMO_OPTIONS[name] === true,
    has: (set) => set in rows,
    list(set) {
      return rows[set] ?? [];
    },
  };
}
