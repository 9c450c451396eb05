import type { DemoBase, Row } from './generate.js';

/**
 * "Expected facts" of a demo base, recomputed from its rows the way ReGate should see them through the profile:
 * tests compare what ReGate serves against these. Kept here so each test does not re-derive the УТ layout.
 */
export interface DemoFacts {
  cities: string[];
  /** city → warehouse Ref_Keys */
  warehousesByCity: Record<string, string[]>;
  itemCount: number;
  groupCount: number;
  /** item key → warehouse key → quantity in stock (ВНаличии) */
  stock: Map<string, Map<string, number>>;
  /** item key → price kind key → price */
  prices: Map<string, Map<string, number>>;
  /** item key → barcode */
  barcodes: Map<string, string>;
  /** item key → portion size in the item's unit (packaging Числитель/Знаменатель), absent for piece goods */
  portions: Map<string, number>;
  soldToOrder: Set<string>;
  configurationVersion: string;
}

export function demoFacts(base: DemoBase): DemoFacts {
  const { rows, refs } = base;
  const warehousesByCity: Record<string, string[]> = {};
  for (const w of rows['Catalog_Склады']) {
    const address = (w.КонтактнаяИнформация as Row[]).find((c) => c.Тип === 'Адрес');
    const city = String(address?.Город ?? '');
    (warehousesByCity[city] ??= []).push(w.Ref_Key as string);
  }
  const items = rows['Catalog_Номенклатура'];
  const stock = new Map<string, Map<string, number>>();
  for (const r of rows['AccumulationRegister_ТоварыНаСкладах']) {
    const sign = r.RecordType === 'Expense' ? -1 : 1;
    const byWarehouse = stock.get(r.Номенклатура_Key as string) ?? new Map<string, number>();
    stock.set(r.Номенклатура_Key as string, byWarehouse);
    const w = r.Склад_Key as string;
    byWarehouse.set(w, Math.round(((byWarehouse.get(w) ?? 0) + sign * (r.ВНаличии as number)) * 1000) / 1000);
  }
  // Available as ReGate serves it: less what customer orders reserve (ТоварыКОтгрузке.ВРезерве in 11.5,
  // СвободныеОстатки.ВРезервеСоСклада in 11.4).
  const reserves = rows['AccumulationRegister_СвободныеОстатки']
    ? rows['AccumulationRegister_СвободныеОстатки'].map((r) => [r.Номенклатура_Key, r.Склад_Key, (r.ВРезервеСоСклада as number) ?? 0] as const)
    : (rows['AccumulationRegister_ТоварыКОтгрузке'] ?? []).map((r) => [r.Номенклатура_Key, r.Склад_Key, (r.ВРезерве as number) ?? 0] as const);
  for (const [item, w, q] of reserves) {
    const byWarehouse = stock.get(item as string);
    if (!q || !byWarehouse?.has(w as string)) continue;
    byWarehouse.set(w as string, Math.max(0, Math.round((byWarehouse.get(w as string)! - q) * 1000) / 1000));
  }
  const priceSet = rows['InformationRegister_ЦеныНоменклатуры25']?.length
    ? rows['InformationRegister_ЦеныНоменклатуры25']
    : rows['InformationRegister_ЦеныНоменклатуры'];
  const prices = new Map<string, Map<string, number>>();
  for (const r of priceSet) {
    // The item's own prices; a characteristic's (issue 17) is the variant's, not the item's.
    if (!/^0{8}-/.test(String(r.ХарактеристикаЦО_Key ?? r.Характеристика_Key ?? '00000000-'))) continue;
    const byKind = prices.get(r.Номенклатура_Key as string) ?? new Map<string, number>();
    prices.set(r.Номенклатура_Key as string, byKind);
    byKind.set(r.ВидЦены_Key as string, r.Цена as number);
  }
  const barcodes = new Map<string, string>();
  // The unit's own barcode (the item's typedBarcodes): a characteristic's is its variant's, a packaging's (a portion's,
  // a box's) is listed under that packaging and kept in v1's barcodes too (issue 17).
  const empty = (v: unknown) => /^0{8}-/.test(String(v ?? '00000000-'));
  for (const r of rows['InformationRegister_ШтрихкодыНоменклатуры']) if (empty(r.Характеристика_Key) && empty(r.Упаковка_Key)) barcodes.set(r.Номенклатура_Key as string, r.Штрихкод as string);
  const portions = new Map<string, number>();
  for (const u of rows['Catalog_УпаковкиЕдиницыИзмерения']) {
    // Owner + Owner_Type in every real УТ dump (two owner types); Owner_Key where a configuration has one owner type.
    const owner = (u.Owner_Key as string | undefined) ?? (u.Owner_Type === 'StandardODATA.Catalog_Номенклатура' ? (u.Owner as string) : undefined);
    if (owner && owner !== '00000000-0000-0000-0000-000000000000') {
      portions.set(owner, (u.Числитель as number) / ((u.Знаменатель as number) || 1));
    }
  }
  const main = rows['InformationRegister_ВерсииПодсистем'].find((r) => r.ЭтоОсновнаяКонфигурация);
  return {
    cities: refs.cities,
    warehousesByCity,
    itemCount: items.filter((r) => !r.IsFolder).length,
    groupCount: items.filter((r) => r.IsFolder).length,
    stock,
    prices,
    barcodes,
    portions,
    soldToOrder: new Set(items.filter((r) => r.ReGate_ПродажаПодЗаказ).map((r) => r.Ref_Key as string)),
    configurationVersion: String(main?.Версия ?? ''),
  };
}
