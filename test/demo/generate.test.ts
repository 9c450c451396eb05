import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { demoFacts, generateDemoBase, type Row } from '../../src/emulator/demo/index.js';
import { ean13, inn10, inn12, isValidAccount, isValidEan13, isValidInn, isValidKpp, isValidOgrn, ogrn, withAccountKey } from '../../src/emulator/demo/checksums.js';
import { guidFactory } from '../../src/emulator/demo/random.js';
import { gs1CheckOk } from '../../src/catalog/barcodes.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

describe('check digit algorithms (known real values)', () => {
  it('ИНН 10 and 12', () => {
    // ПАО Сбербанк, ИНН 7707083893; a person's ИНН from ФНС examples: 500100732259
    expect(inn10('770708389')).toBe('7707083893');
    expect(inn12('5001007322')).toBe('500100732259');
    expect(isValidInn('7707083894')).toBe(false);
    expect(isValidInn('500100732258')).toBe(false);
  });
  it('ОГРН', () => {
    expect(ogrn('102770013219')).toBe('1027700132195'); // ПАО Сбербанк
    expect(isValidOgrn('1027700132196')).toBe(false);
  });
  it('bank account key against БИК', () => {
    // ПАО Сбербанк: БИК 044525225, к/с 30101810400000000225, a known settlement account 40702810938000000000? use computed
    expect(isValidAccount('044525225', '30101810400000000225', true)).toBe(true);
    expect(isValidAccount('044525225', '30101810500000000225', true)).toBe(false);
    const acc = withAccountKey('044525225', '40702810000000012345');
    expect(isValidAccount('044525225', acc)).toBe(true);
    expect(isValidAccount('044525974', acc)).toBe(false);
  });
  it('EAN-13', () => {
    expect(ean13('460123456789')).toBe('4601234567893');
    expect(isValidEan13('4006381333931')).toBe(true); // GS1 example
    expect(isValidEan13('4006381333932')).toBe(false);
  });
});

describe('generateDemoBase', () => {
  const base = generateDemoBase({ seed: 'test', items: 300 });
  const { rows, refs } = base;
  const items = rows['Catalog_Номенклатура'].filter((r) => !r.IsFolder);
  const groups = rows['Catalog_Номенклатура'].filter((r) => r.IsFolder);

  it('is deterministic from the seed and differs between seeds', () => {
    const again = generateDemoBase({ seed: 'test', items: 300 });
    expect(again.rows).toEqual(rows);
    const other = generateDemoBase({ seed: 'other', items: 300 });
    expect(other.rows['Catalog_Номенклатура'][40].Ref_Key).not.toBe(rows['Catalog_Номенклатура'][40].Ref_Key);
  });

  it('item #i does not depend on the item count', () => {
    const bigger = generateDemoBase({ seed: 'test', items: 320 });
    const a = items[123];
    const b = bigger.rows['Catalog_Номенклатура'].find((r) => r.Ref_Key === a.Ref_Key);
    expect(b).toEqual(a);
  });

  it('guids are v4-shaped and unique across the base', () => {
    const keys = Object.values(rows).flatMap((list) => list.map((r) => r.Ref_Key).filter(Boolean)) as string[];
    for (const k of keys) expect(k).toMatch(GUID);
    expect(new Set(keys).size).toBe(keys.length);
    const g = guidFactory(1);
    expect(g('x', 1)).toBe(guidFactory(1)('x', 1));
    expect(g('x', 1)).not.toBe(g('x', 2));
  });

  it('organisation requisites have valid check digits', () => {
    const [org] = rows['Catalog_Организации'];
    expect(org.ИНН).toMatch(/^\d{10}$/);
    expect(isValidInn(org.ИНН as string)).toBe(true);
    expect(isValidKpp(org.КПП as string)).toBe(true);
    expect((org.КПП as string).slice(0, 4)).toBe((org.ИНН as string).slice(0, 4));
    expect(org.ОГРН).toMatch(/^\d{13}$/);
    expect(isValidOgrn(org.ОГРН as string)).toBe(true);
    const address = (org.КонтактнаяИнформация as Row[]).find((c) => c.Тип === 'Адрес');
    expect(address?.Представление).toMatch(/Москва/);
  });

  it('the bank account is 20 digits with a valid key against the bank БИК, and so is the corr. account', () => {
    const [account] = rows['Catalog_БанковскиеСчетаОрганизаций'];
    const bank = rows['Catalog_КлассификаторБанков'].find((b) => b.Ref_Key === account.Банк_Key)!;
    expect(account.НомерСчета).toMatch(/^40702810\d{12}$/);
    expect(isValidAccount(bank.Code as string, account.НомерСчета as string)).toBe(true);
    expect(isValidAccount(bank.Code as string, bank.КоррСчет as string, true)).toBe(true);
    expect(account.Owner_Key).toBe(refs.organisation);
  });

  it('has ≥ 3 cities and ≥ 5 warehouses with addresses (Тип Адрес, Город)', () => {
    const warehouses = rows['Catalog_Склады'];
    expect(warehouses.length).toBeGreaterThanOrEqual(5);
    for (const w of warehouses) {
      const address = (w.КонтактнаяИнформация as Row[]).find((c) => c.Тип === 'Адрес');
      expect(address?.Город).toBeTruthy();
      expect(address?.LineNumber).toBe(1);
    }
    const facts = demoFacts(base);
    expect(facts.cities.length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(facts.warehousesByCity).sort()).toEqual([...facts.cities].sort());
  });

  it('has a two-level group tree and items under leaf groups', () => {
    const top = groups.filter((g) => g.Parent_Key === '00000000-0000-0000-0000-000000000000');
    const sub = groups.filter((g) => g.Parent_Key !== '00000000-0000-0000-0000-000000000000');
    expect(top.length).toBeGreaterThanOrEqual(3);
    expect(sub.length).toBeGreaterThan(top.length);
    const subKeys = new Set(sub.map((g) => g.Ref_Key));
    expect(items.length).toBe(300);
    for (const i of items) expect(subKeys.has(i.Parent_Key)).toBe(true);
  });

  it('items have article, names, descriptions, unit, brand, country; barcodes are unique valid EAN-13', () => {
    const articles = new Set(items.map((i) => i.Артикул));
    expect(articles.size).toBe(items.length);
    for (const i of items.slice(0, 50)) {
      expect(String(i.Description).length).toBeLessThanOrEqual(100);
      expect(i.НаименованиеПолное).toBeTruthy();
      // Issue 14.7: about one item in eight has no text description, on purpose (the shop then gets none).
      if (i.Описание !== '') expect(String(i.Описание).length).toBeGreaterThan(40);
      expect(Object.values(refs.units)).toContain(i.ЕдиницаИзмерения_Key);
    }
    const brands = new Set(rows['Catalog_Марки'].map((b) => b.Ref_Key));
    const countries = new Set(rows['Catalog_СтраныМира'].map((c) => c.Ref_Key));
    expect(items.every((i) => brands.has(i.Марка_Key) && countries.has(i.СтранаПроисхождения_Key))).toBe(true);
    const codes = rows['InformationRegister_ШтрихкодыНоменклатуры'].map((b) => b.Штрихкод as string);
    // One per item, plus one per variant of the items sold in characteristics and one per box (issue 17): a box's is
    // a GTIN-14 registered for the box (Упаковка_Key).
    const boxes = new Set(rows['Catalog_УпаковкиЕдиницыИзмерения'].filter((u) => String(u.Description).startsWith('Коробка (') && u.Owner_Type === 'StandardODATA.Catalog_Номенклатура').map((u) => u.Ref_Key));
    const boxCodes = rows['InformationRegister_ШтрихкодыНоменклатуры'].filter((b) => boxes.has(b.Упаковка_Key)).map((b) => b.Штрихкод as string);
    expect(boxCodes.length).toBe(boxes.size);
    expect(boxes.size).toBeGreaterThan(0);
    expect(rows['InformationRegister_ШтрихкодыНоменклатуры'].filter((b) => /^0{8}-/.test(String(b.Характеристика_Key)) && !boxes.has(b.Упаковка_Key)).length).toBe(items.length);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(boxCodes.includes(c) ? /^1\d{13}$/.test(c) && gs1CheckOk(c) : isValidEan13(c)).toBe(true);
  });

  it('weight/volume items have a portion packaging owned by the item (e.g. 0.17 кг), and its barcode points at it', () => {
    const facts = demoFacts(base);
    expect(facts.portions.size).toBeGreaterThan(0);
    // Two owner types in every real УТ dump (Номенклатура | НаборыУпаковок): Owner + Owner_Type, no Owner_Key.
    // Issue 17: boxes of piece goods (Коробка (12 шт)) are packagings of the item too, but no portions.
    const all = rows['Catalog_УпаковкиЕдиницыИзмерения'].filter((u) => u.Owner_Type === 'StandardODATA.Catalog_Номенклатура');
    const packagings = all.filter((u) => !String(u.Description).startsWith('Коробка'));
    const boxes = all.filter((u) => String(u.Description).startsWith('Коробка'));
    expect(boxes.length).toBeGreaterThan(0);
    for (const b of boxes) {
      const item = items.find((i) => i.Ref_Key === b.Owner)!;
      expect(item.ЕдиницаИзмерения_Key).toBe(refs.units.шт);
      expect(b.ЕдиницаИзмерения_Key).toBe(refs.units.шт);
      expect([6, 12, 24]).toContain(b.Числитель);
      expect(item.ИспользоватьУпаковки).toBe(true);
    }
    expect(packagings.length).toBeGreaterThan(0);
    expect(rows['Catalog_УпаковкиЕдиницыИзмерения'].every((u) => !('Owner_Key' in u))).toBe(true);
    for (const p of packagings) {
      const item = items.find((i) => i.Ref_Key === p.Owner)!;
      expect(p.ЕдиницаИзмерения_Key).toBe(item.ЕдиницаИзмерения_Key);
      expect([refs.units.кг, refs.units.л]).toContain(item.ЕдиницаИзмерения_Key);
      expect(item.ИспользоватьУпаковки).toBe(true);
      const bc = rows['InformationRegister_ШтрихкодыНоменклатуры'].find((b) => b.Номенклатура_Key === item.Ref_Key)!;
      expect(bc.Упаковка_Key).toBe(p.Ref_Key);
    }
    const big = generateDemoBase({ seed: 'test', items: 3000 });
    expect(big.rows['Catalog_УпаковкиЕдиницыИзмерения'].some((u) => u.Числитель === 0.17)).toBe(true);
  });

  it('pictures: attached file rows + real PNG bytes in ХранилищеФайлов → ХранилищеДвоичныхДанных (11.5.20), ДвоичныеДанныеФайлов (11.4)', () => {
    // Issue 14.7: the items' site description files are attached files too (Расширение html), not pictures.
    const all = rows['Catalog_НоменклатураПрисоединенныеФайлы'];
    const files = all.filter((f) => f.Расширение === 'png');
    expect(files.length).toBeGreaterThan(items.length * 0.8);
    const withPicture = items.filter((i) => i.ФайлКартинки_Key !== '00000000-0000-0000-0000-000000000000');
    expect(withPicture.length).toBe(files.length);
    const described = items.filter((i) => i.ФайлОписанияДляСайта_Key !== '00000000-0000-0000-0000-000000000000');
    expect(described.length).toBe(all.length - files.length);
    expect(described.length).toBeGreaterThan(items.length * 0.1);
    expect(rows['InformationRegister_ДвоичныеДанныеФайлов']).toBeUndefined();
    const links = rows['InformationRegister_ХранилищеФайлов'];
    expect(links.length).toBe(all.length);
    const f = files[0];
    const link = links.find((r) => r.Файл === f.Ref_Key)!;
    expect(link.Файл_Type).toBe('StandardODATA.Catalog_НоменклатураПрисоединенныеФайлы');
    const b = rows['Catalog_ХранилищеДвоичныхДанных'].find((r) => r.Ref_Key === link.ХранилищеДвоичныхДанных_Key)!;
    expect(f.ТипХраненияФайла).toBe('ВИнформационнойБазе');
    const old = generateDemoBase({ seed: 'test', items: 20, variant: 'ut11.4' });
    expect(old.rows['InformationRegister_ДвоичныеДанныеФайлов'].length).toBe(old.rows['Catalog_НоменклатураПрисоединенныеФайлы'].length);
    expect(old.rows['Catalog_Номенклатура'].some((i) => i.ФайлОписанияДляСайта_Key !== '00000000-0000-0000-0000-000000000000')).toBe(true);
    const png = b.ДвоичныеДанные as Buffer;
    expect(png.length).toBe(f.Размер);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // Walk the chunks, check the IDAT inflates to 16 rows × 3 bytes.
    let p = 8;
    const types: string[] = [];
    let idat: Buffer | null = null;
    while (p < png.length) {
      const len = png.readUInt32BE(p);
      const type = png.subarray(p + 4, p + 8).toString('latin1');
      types.push(type);
      if (type === 'IDAT') idat = png.subarray(p + 8, p + 8 + len);
      p += 12 + len;
    }
    expect(types).toEqual(['IHDR', 'PLTE', 'IDAT', 'IEND']);
    expect(inflateSync(idat!).length).toBe(48);
    // Two items get different pictures.
    const blobs = rows['Catalog_ХранилищеДвоичныхДанных'];
    expect(Buffer.compare(blobs[0].ДвоичныеДанные as Buffer, blobs[1].ДвоичныеДанные as Buffer)).not.toBe(0);
  });

  it('prices: three price kinds with the config default names; tier prices below retail', () => {
    const kinds = rows['Catalog_ВидыЦен'].map((k) => k.Description);
    expect(kinds).toEqual(expect.arrayContaining(['Розничная', 'Мелкооптовая', 'Оптовая']));
    const facts = demoFacts(base);
    let tiers = 0;
    for (const i of items) {
      const p = facts.prices.get(i.Ref_Key as string)!;
      const retail = p.get(refs.priceKinds.retail)!;
      expect(retail).toBeGreaterThan(0);
      const t1 = p.get(refs.priceKinds.tier1);
      if (t1 !== undefined) {
        tiers++;
        expect(t1).toBeLessThan(retail);
        expect(p.get(refs.priceKinds.tier2)!).toBeLessThan(t1);
      }
    }
    expect(tiers).toBeGreaterThan(items.length * 0.9);
    const rec = rows['InformationRegister_ЦеныНоменклатуры25'][0];
    expect(rec.Period).toMatch(NAIVE);
    expect(rec.Recorder_Key).toMatch(GUID);
    expect(rec.LineNumber).toBe(1);
  });

  it('stock: items sold to order have none; others have positive stock in some warehouse; extension limits are set for some', () => {
    const facts = demoFacts(base);
    expect(facts.soldToOrder.size).toBeGreaterThan(0);
    for (const i of items) {
      const s = facts.stock.get(i.Ref_Key as string);
      if (facts.soldToOrder.has(i.Ref_Key as string)) expect(s).toBeUndefined();
      else expect([...s!.values()].every((q) => q > 0)).toBe(true);
    }
    expect(items.some((i) => (i.ReGate_МинимальноеКоличество as number) > 0)).toBe(true);
    expect(items.some((i) => (i.ReGate_Кратность as number) > 0)).toBe(true);
    const tiered = items.filter((i) => (i.ReGate_ПорогЦены1 as number) > 0);
    expect(tiered.length).toBeGreaterThan(0);
    for (const i of tiered) expect(i.ReGate_ПорогЦены2 as number).toBeGreaterThan(i.ReGate_ПорогЦены1 as number);
  });

  it('clients: Партнеры + Контрагенты with valid ИНН, linked, some with the external id', () => {
    const partners = rows['Catalog_Партнеры'];
    const cps = rows['Catalog_Контрагенты'];
    expect(partners.length).toBe(20);
    for (const c of cps) {
      expect(isValidInn(c.ИНН as string)).toBe(true);
      expect(partners.some((p) => p.Ref_Key === c.Партнер_Key)).toBe(true);
      if (c.ЮрФизЛицо === 'ЮрЛицо') expect(isValidKpp(c.КПП as string)).toBe(true);
    }
    expect(partners.filter((p) => p.ReGate_ВнешнийИдентификатор).length).toBeGreaterThan(0);
  });

  it('configuration version: УТ 11.5.x main configuration in ВерсииПодсистем', () => {
    expect(demoFacts(base).configurationVersion).toMatch(/^11\.5\.\d+\.\d+$/);
    const v114 = generateDemoBase({ seed: 'test', items: 20, variant: 'ut11.4' });
    expect(demoFacts(v114).configurationVersion).toMatch(/^11\.4\./);
    expect(v114.rows['InformationRegister_ЦеныНоменклатуры'].length).toBeGreaterThan(0);
    // Every receipt of goods is in СвободныеОстатки too; the demo orders' СоСклада lines add their reserves.
    const free = v114.rows['AccumulationRegister_СвободныеОстатки'];
    expect(free.filter((r) => (r.ВНаличии as number) > 0).length).toBe(v114.rows['AccumulationRegister_ТоварыНаСкладах'].length);
    expect(free.filter((r) => (r.ВРезервеСоСклада as number) > 0).length).toBe((v114.rows['Document_ЗаказКлиента'] as Row[]).reduce((n, o) => n + (o.Товары as Row[]).length, 0));
    expect(v114.rows['InformationRegister_ЦеныНоменклатуры25']).toBeUndefined();
    expect(v114.config.version).toBe('11.4.2.139');
  });

  it('orders are posted as УТ posts them: a plan to pay (КОплате), no debt; a payment meets the plan and is an advance until shipped', () => {
    const orders = rows['Document_ЗаказКлиента'];
    expect(orders.length).toBe(3);
    expect(orders[0].Number).toMatch(/^ТД00-\d{6}$/);
    const balanceOf = (orderKey: string, resource: 'Сумма' | 'КОплате') => {
      const object = rows['Catalog_ОбъектыРасчетов'].find((o) => o.Объект === orderKey)!;
      return rows['AccumulationRegister_РасчетыСКлиентами']
        .filter((r) => r.ОбъектРасчетов_Key === object.Ref_Key)
        .reduce((s, r) => s + (r.RecordType === 'Receipt' ? 1 : -1) * (r[resource] as number), 0);
    };
    for (const paid of [orders[0], orders[1]]) {
      expect(balanceOf(paid.Ref_Key as string, 'КОплате')).toBeCloseTo(0, 2);
      // Nothing shipped yet: the money is the client's advance on the order (negative Сумма, WRITE-RULES §2).
      expect(balanceOf(paid.Ref_Key as string, 'Сумма')).toBeCloseTo(-(paid.СуммаДокумента as number), 2);
    }
    expect(balanceOf(orders[2].Ref_Key as string, 'КОплате')).toBeCloseTo(orders[2].СуммаДокумента as number, 2);
    expect(balanceOf(orders[2].Ref_Key as string, 'Сумма')).toBeCloseTo(0, 2);
    // Lines reserve from the warehouse (СоСклада → ТоварыКОтгрузке.ВРезерве).
    expect((orders[2].Товары as Row[]).every((l) => l.ВариантОбеспечения === 'СоСклада')).toBe(true);
    expect(rows['AccumulationRegister_ТоварыКОтгрузке'].filter((r) => r.ДокументОтгрузки === orders[2].Ref_Key).map((r) => r.ВРезерве)).toEqual((orders[2].Товары as Row[]).map((l) => l.Количество));
    const goods = orders[0].Товары as Row[];
    expect(goods.map((g) => g.LineNumber)).toEqual([1, 2]);
    expect(orders[0].СуммаДокумента).toBeCloseTo(goods.reduce((s, g) => s + (g.Сумма as number), 0), 2);
    const statuses = rows['InformationRegister_ReGate_СтатусыЗаказов'];
    expect(statuses.map((s) => s.СтатусЗаказа)).toEqual([2, 3, 1]);
  });

  it('dates are naive strings; numbers are numbers', () => {
    for (const o of rows['Document_ЗаказКлиента']) expect(o.Date).toMatch(NAIVE);
    expect(typeof items[0].ReGate_ПорогЦены1).toBe('number');
    expect(typeof rows['AccumulationRegister_ТоварыНаСкладах'][0].LineNumber).toBe('number');
  });
});
