/**
 * A 1C that generates its answers instead of storing them, for syncs larger than the emulator can hold (it keeps
 * the whole base in memory: 5 GB at 300k items, so 1M does not fit this host). It answers the calls the catalogue
 * sync makes — list() pages in key order, all() for small sets, balance() and sliceLast() with the Condition the
 * sync builds (warehouse or price-kind keys and item-code ranges, read from the Filter itself) — with rows shaped as
 * УТ 11.5 publishes them (the fields of the ut11 profile's reads), deterministic from the item number. Not a
 * protocol emulator: no HTTP, no URL parsing. It measures ReGate's side of a sync alone: memory, CPU, SQLite.
 *
 * The base: `items` goods in groups of 100, 7 warehouses each carrying every third item (≈ 2.3 per item, as the
 * demo base), 3 price kinds with a price for every item, a barcode, a packaging and a picture per item.
 */
import type { Filter, ODataClient } from '../../src/onec/index.js';
import type { Row } from '../../src/onec/values.js';

const EMPTY = '00000000-0000-0000-0000-000000000000';
const guid = (kind: number, i: number) => `${kind.toString(16).padStart(8, '0')}-${(i >>> 16).toString(16).padStart(4, '0')}-4${(i & 0xfff).toString(16).padStart(3, '0')}-8000-${i.toString(16).padStart(12, '0')}`;
const K = { item: 1, group: 2, store: 3, kind: 4, unit: 5, file: 6, org: 7, account: 8, bank: 9, currency: 10, country: 11, vat: 12 };
const STORES = 7;
const KINDS = ['Розничная', 'Мелкооптовая', 'Оптовая'];
const code = (i: number) => String(i + 1).padStart(11, '0');

function itemRow(i: number): Row {
  return {
    Ref_Key: guid(K.item, i),
    Code: code(i),
    Description: `Товар ${['Гречка', 'Рис', 'Сахар', 'Мука', 'Чай', 'Кофе', 'Сок'][i % 7]} № ${i}`,
    DeletionMark: false,
    IsFolder: false,
    Parent_Key: guid(K.group, Math.floor(i / 100)),
    Артикул: `АР-${i}`,
    НаименованиеПолное: `Товар № ${i}, полное наименование для печатных форм`,
    Описание: 'Описание товара. '.repeat(8),
    ЕдиницаИзмерения_Key: guid(K.unit, 0),
    ТипНоменклатуры: 'Товар',
    ВидНоменклатуры_Key: EMPTY,
    Марка_Key: EMPTY,
    Производитель_Key: EMPTY,
    СтранаПроисхождения_Key: guid(K.country, 0),
    ФайлКартинки_Key: guid(K.file, i),
    СтавкаНДС_Key: guid(K.vat, 0),
    ReGate_МинимальноеКоличество: 1,
    ReGate_Кратность: 1,
    ReGate_ПродажаПодЗаказ: i % 97 === 0,
    ReGate_ПорогЦены1: 10,
    ReGate_ПорогЦены2: 100,
  };
}

/** Warehouse key → item numbers it carries: every third item, shifted per warehouse. */
const carries = (store: number, i: number) => (i + store) % 3 === 0;

export function fakeOneC(items: number): ODataClient & { served: number } {
  const groups = Math.ceil(items / 100);
  let served = 0;
  const sets: Record<string, { count: number; row: (i: number) => Row }> = {
    Catalog_Номенклатура: { count: items + groups, row: (i) => (i < items ? itemRow(i) : { Ref_Key: guid(K.group, i - items), Code: `G${i - items}`, Description: `Группа ${i - items}`, DeletionMark: false, IsFolder: true, Parent_Key: EMPTY }) },
    Catalog_УпаковкиЕдиницыИзмерения: {
      count: items + 1,
      row: (i) =>
        i === 0
          ? { Ref_Key: guid(K.unit, 0), Code: '796', Description: 'шт', DeletionMark: false, Owner: EMPTY, Owner_Type: 'StandardODATA.Undefined', НаименованиеПолное: 'Штука', ЕдиницаИзмерения_Key: EMPTY, Числитель: 1, Знаменатель: 1 }
          : { Ref_Key: guid(K.unit, i), Code: `U${i}`, Description: 'уп', DeletionMark: false, Owner: guid(K.item, i - 1), Owner_Type: 'StandardODATA.Catalog_Номенклатура', НаименованиеПолное: 'Упаковка', ЕдиницаИзмерения_Key: guid(K.unit, 0), Числитель: 6, Знаменатель: 1 },
    },
    InformationRegister_ШтрихкодыНоменклатуры: { count: items, row: (i) => ({ Штрихкод: String(4600000000000 + i), Номенклатура_Key: guid(K.item, i), Характеристика_Key: EMPTY, Упаковка_Key: EMPTY }) },
    Catalog_НоменклатураПрисоединенныеФайлы: {
      count: items,
      row: (i) => ({ Ref_Key: guid(K.file, i), Description: `Фото ${i}`, DeletionMark: false, ВладелецФайла_Key: guid(K.item, i), Расширение: 'png', Размер: 1000, ТипХраненияФайла: 'ВИнформационнойБазе', Том_Key: EMPTY, ПутьКФайлу: '', ДатаМодификацииУниверсальная: '2025-01-01T00:00:00' }),
    },
  };
  const small: Record<string, Row[]> = {
    Catalog_Склады: Array.from({ length: STORES }, (_, s) => ({ Ref_Key: guid(K.store, s), Description: `Склад ${s + 1}`, DeletionMark: false, IsFolder: false, ТипСклада: 'ОптовыйСклад', РозничныйВидЦены_Key: EMPTY, КонтактнаяИнформация: [{ Тип: 'Адрес', Представление: `Москва, ул. ${s + 1}`, Город: 'Москва', Регион: 'Москва', НомерТелефона: '' }] })),
    Catalog_ВидыЦен: KINDS.map((name, k) => ({ Ref_Key: guid(K.kind, k), Description: name, DeletionMark: false, ВалютаЦены_Key: guid(K.currency, 0), ЦенаВключаетНДС: true })),
    Catalog_СтраныМира: [{ Ref_Key: guid(K.country, 0), Code: '643', Description: 'РОССИЯ', НаименованиеПолное: 'Российская Федерация', КодАльфа2: 'RU' }],
    Catalog_Организации: [{ Ref_Key: guid(K.org, 0), Description: 'ООО "Тест"', НаименованиеПолное: 'ООО "Тест"', ИНН: '7707083893', КПП: '770701001', ОГРН: '1027700132195', КонтактнаяИнформация: [] }],
    Catalog_БанковскиеСчетаОрганизаций: [{ Ref_Key: guid(K.account, 0), Owner_Key: guid(K.org, 0), НомерСчета: '40702810900000000001', Банк_Key: guid(K.bank, 0) }],
    Catalog_КлассификаторБанков: [{ Ref_Key: guid(K.bank, 0), Code: '044525225', Description: 'ПАО СБЕРБАНК', КоррСчет: '30101810400000000225' }],
    InformationRegister_ВерсииПодсистем: [{ ИмяПодсистемы: 'УправлениеТорговлей', Версия: '11.5.20.68', ЭтоОсновнаяКонфигурация: true }],
  };
  /** The keys and code range a Condition names (the sync's own: orGuids of one field, and Номенклатура/Code). */
  const condition = (f: Filter | string | undefined) => {
    const keys = new Map<string, Set<string>>();
    let from: string | undefined;
    let to: string | undefined;
    const walk = (x: Filter | string | undefined) => {
      if (!x || typeof x === 'string') return;
      if (x.kind === 'and' || x.kind === 'or') x.items.forEach(walk);
      else if (x.kind === 'cmp' && x.op === 'eq') {
        const v = String((x.value as { text?: string })?.text ?? x.value).replace(/^guid'|'$/g, '');
        (keys.get(x.field) ?? keys.set(x.field, new Set()).get(x.field)!).add(v);
      } else if (x.kind === 'cmp' && x.field.endsWith('/Code')) {
        if (x.op === 'ge') from = String(x.value);
        if (x.op === 'lt') to = String(x.value);
      }
    };
    walk(f);
    // Codes are the item number + 1, 11 digits: a code range is an item-number range.
    const lo = from === undefined ? 0 : Number(from) - 1;
    const hi = to === undefined ? items : Number(to) - 1;
    return { keys, lo: Math.max(0, lo), hi: Math.min(items, hi) };
  };
  const answer = (rows: Row[]) => {
    served++;
    // What the client does to every answer: the rows went through one JSON text (the memory of a real answer).
    return JSON.parse(JSON.stringify({ value: rows })).value as Row[];
  };
  const client = {
    get served() {
      return served;
    },
    stats: { get total() {
      return served;
    }, retries: 0 },
    maxUrlLength: 2000,
    timezone: 'Europe/Moscow',
    async list(set: string, o: { top?: number; skip?: number } = {}) {
      const s = sets[set];
      if (!s) return answer((small[set] ?? []).slice(o.skip ?? 0, (o.skip ?? 0) + (o.top ?? 1e9)));
      const rows: Row[] = [];
      for (let i = o.skip ?? 0; i < Math.min(s.count, (o.skip ?? 0) + (o.top ?? 1000)); i++) rows.push(s.row(i));
      return answer(rows);
    },
    async all(set: string) {
      if (sets[set]) throw new Error(`fake 1C: ${set} is read page by page`);
      return answer(small[set] ?? []);
    },
    virtualUrl: () => 'x',
    async balance(register: string, p: { condition?: Filter | string }) {
      const { keys, lo, hi } = condition(p.condition);
      const stores = [...(keys.get('Склад_Key') ?? [])].map((g) => parseInt(g.slice(-12), 16));
      const rows: Row[] = [];
      if (register === 'AccumulationRegister_ТоварыНаСкладах') {
        for (const s of stores) for (let i = lo; i < hi; i++) if (carries(s, i) && i % 97 !== 0) rows.push({ Номенклатура_Key: guid(K.item, i), Склад_Key: guid(K.store, s), ВНаличииBalance: 1 + (i % 50), КОтгрузкеBalance: 0 });
      }
      return answer(rows);
    },
    async sliceLast(_register: string, p: { condition?: Filter | string }) {
      const { keys, lo, hi } = condition(p.condition);
      const kinds = [...(keys.get('ВидЦены_Key') ?? [])].map((g) => parseInt(g.slice(-12), 16));
      const rows: Row[] = [];
      for (const k of kinds) for (let i = lo; i < hi; i++) rows.push({ Period: '2025-01-01T00:00:00', Номенклатура_Key: guid(K.item, i), ХарактеристикаЦО_Key: EMPTY, ВидЦены_Key: guid(K.kind, k), Цена: 100 + (i % 1000) - k * 5, Упаковка_Key: EMPTY, Валюта_Key: guid(K.currency, 0) });
      return answer(rows);
    },
    async close() {},
  };
  return client as unknown as ODataClient & { served: number };
}
