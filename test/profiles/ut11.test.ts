import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { demoFacts, generateDemoBase } from '../../src/emulator/demo/index.js';
import { getProfile, requirements, type Row } from '../../src/onec/profiles/index.js';
import { renderFilter } from '../../src/onec/filter.js';
import { normalise } from './helpers.js';

const config = parseConfig({});
const p115 = getProfile('ut11.5', config);
const p114 = getProfile('ut11.4', config);
const K = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('getProfile', () => {
  it('returns both variants and refuses unknown ids', () => {
    expect(p115.id).toBe('ut11.5');
    expect(p114.id).toBe('ut11.4');
    expect(() => getProfile('unf3' as never, config)).toThrow(/Unknown 1C profile/);
  });

  it('11.5 reads prices from ЦеныНоменклатуры25 and stock from ТоварыНаСкладах; 11.4 from ЦеныНоменклатуры and СвободныеОстатки', () => {
    expect(p115.reads.price).toMatchObject({ kind: 'sliceLast', register: 'InformationRegister_ЦеныНоменклатуры25', recordType: true });
    expect(p115.reads.stock).toMatchObject({ kind: 'balance', register: 'AccumulationRegister_ТоварыНаСкладах' });
    expect(p114.reads.price).toMatchObject({ kind: 'sliceLast', register: 'InformationRegister_ЦеныНоменклатуры', recordType: true });
    expect(p114.reads.stock).toMatchObject({ kind: 'balance', register: 'AccumulationRegister_СвободныеОстатки' });
  });

  it('filters are built from runtime params with the 1C literal forms', () => {
    const r = p115.reads;
    const text = (f: unknown) => (f === undefined ? undefined : typeof f === 'string' ? f : renderFilter(f as never, { timezone: 'Europe/Moscow' } as never));
    if (r.price?.kind !== 'sliceLast') throw new Error('price');
    expect(text(r.price.condition!({ priceKindKeys: [K(1), K(2)] }))).toBe(`ВидЦены_Key eq guid'${K(1)}' or ВидЦены_Key eq guid'${K(2)}'`);
    expect(r.price.condition!({})).toBeUndefined();
    // 11.5.20: the file's row in ХранилищеФайлов by its composite key, then the binary-data item by Ref_Key.
    if (r.pictureStorage?.kind !== 'collection' || r.pictureData?.kind !== 'collection') throw new Error('pictureStorage');
    expect(text(r.pictureStorage.filter!({ fileKey: K(3) }))).toContain(`cast(guid'${K(3)}', 'Catalog_НоменклатураПрисоединенныеФайлы')`);
    expect(text(r.pictureData.filter!({ blobKey: K(4) }))).toBe(`Ref_Key eq guid'${K(4)}'`);
    const old = p114.reads.pictureData;
    if (old?.kind !== 'collection') throw new Error('pictureData 11.4');
    expect(old.set).toBe('InformationRegister_ДвоичныеДанныеФайлов');
    expect(text(old.filter!({ fileKey: K(3) }))).toContain(`cast(guid'${K(3)}', 'Catalog_НоменклатураПрисоединенныеФайлы')`);
    if (r.order?.kind !== 'collection') throw new Error('order');
    expect(text(r.order.filter!({ externalId: "o'1" }))).toBe(`ReGate_ВнешнийИдентификатор eq 'o''1'`);
  });
});

describe('mapping normalised rows', () => {
  const ctx = { config };

  it('toItem: names, refs as null, extension limits with config defaults for 0', () => {
    const row: Row = {
      Ref_Key: K(10), Code: '00-00000010', Description: 'Сыр гауда «Светлый луг»', DeletionMark: false, IsFolder: false, Parent_Key: K(11),
      Артикул: 'МП-000010 ', НаименованиеПолное: 'Сыр гауда, весовой', Описание: 'Длинное описание', ЕдиницаИзмерения_Key: K(12), ТипНоменклатуры: 'Товар',
      Марка_Key: K(13), Производитель_Key: null, СтранаПроисхождения_Key: K(14), ФайлКартинки_Key: null, СтавкаНДС_Key: K(15),
      ReGate_МинимальноеКоличество: 0.5, ReGate_Кратность: 0, ReGate_ПорогЦены1: 5, ReGate_ПорогЦены2: 0, ReGate_ПродажаПодЗаказ: true,
    };
    expect(p115.map.toItem(row, ctx)).toEqual({
      id: K(10), code: '00-00000010', article: 'МП-000010', name: 'Сыр гауда «Светлый луг»', fullName: 'Сыр гауда, весовой', shortDescription: 'Длинное описание', fullDescription: '',
      groupId: K(11), unitId: K(12), countryId: K(14), brandId: K(13), manufacturerId: null, pictureFileId: null, vatRateId: K(15),
      minQuantity: 0.5, multiplicity: 1, tier1Threshold: 5, tier2Threshold: 100, soldToOrder: true, isGoods: true, deleted: false,
    });
  });

  it('toItem with additionalAttribute and none sources', () => {
    const cfg = parseConfig({
      catalog: {
        minQuantity: { kind: 'additionalAttribute', name: 'МинимальноеКоличество' },
        multiplicity: { kind: 'none' },
        soldToOrder: { kind: 'additionalAttribute', name: 'Под заказ' },
        defaults: { multiplicity: 2 },
      },
    });
    const prof = getProfile('ut11.5', cfg);
    const item = prof.reads.item;
    if (item?.kind !== 'collection') throw new Error('item');
    expect(item.select).toContain('ДополнительныеРеквизиты/Свойство_Key');
    expect(item.select).not.toContain('ReGate_МинимальноеКоличество');
    expect(item.select).not.toContain('ReGate_Кратность');
    const propertyKeys = prof.map.propertyKeysOf([
      { Ref_Key: K(20), Description: 'Мин. количество', Имя: 'МинимальноеКоличество', Заголовок: 'Мин. количество' },
      { Ref_Key: K(21), Description: 'Под заказ', Имя: 'ПодЗаказ', Заголовок: 'Под заказ' },
    ]);
    const rec = prof.map.toItem(
      {
        Ref_Key: K(1), Description: 'x', ReGate_Кратность: 7,
        ДополнительныеРеквизиты: [
          { LineNumber: 1, Свойство_Key: K(20), Значение: 3, Значение_Type: 'Edm.Double' },
          { LineNumber: 2, Свойство_Key: K(21), Значение: true, Значение_Type: 'Edm.Boolean' },
        ],
      },
      { config: cfg, propertyKeys },
    );
    expect(rec.minQuantity).toBe(3);
    expect(rec.multiplicity).toBe(2); // 'none' ignores the attribute even if present
    expect(rec.soldToOrder).toBe(true);
  });

  it('toWarehouse / citiesOf: city from Город, or from a federal-city region, or from the presentation', () => {
    const w = (n: number, address: Row) => p115.map.toWarehouse({ Ref_Key: K(n), Code: String(n), Description: `W${n}`, ТипСклада: 'ОптовыйСклад', РозничныйВидЦены_Key: null, КонтактнаяИнформация: [{ LineNumber: 1, Тип: 'Телефон', Представление: '+7 1' }, { LineNumber: 2, Тип: 'Адрес', ...address }] });
    const a = w(1, { Город: 'Казань', Регион: 'Татарстан Респ', Представление: '420000, Татарстан Респ, Казань г, Баумана ул, дом № 1' });
    const b = w(2, { Город: '', Регион: 'Москва г', Представление: '101000, Москва г, Тверская ул, дом № 7' });
    const c = w(3, { Город: '', Регион: '', Представление: 'г. Новосибирск, Красный пр-кт, 1' });
    const d = w(4, { Город: '', Регион: '', Представление: '' });
    expect([a.city, b.city, c.city, d.city]).toEqual(['Казань', 'Москва', 'Новосибирск', null]);
    expect(a.phone).toBe('+7 1');
    expect(b.address).toBe('101000, Москва г, Тверская ул, дом № 7');
    expect(p115.map.citiesOf([a, b, c, d, { ...a, id: 'x' }])).toEqual(['Казань', 'Москва', 'Новосибирск']);
  });

  it('toStock: 11.5 available = ВНаличии − КОтгрузке; 11.4 = ВНаличии − reserves; never negative', () => {
    expect(p115.map.toStock({ Номенклатура_Key: K(1), Склад_Key: K(2), ВНаличииBalance: 10.5, КОтгрузкеBalance: 2 })).toEqual({ itemId: K(1), warehouseId: K(2), onHand: 10.5, reserved: 2, available: 8.5 });
    expect(p114.map.toStock({ Номенклатура_Key: K(1), Склад_Key: K(2), ВНаличииBalance: 3, ВРезервеСоСкладаBalance: 2, ВРезервеПодЗаказBalance: 4 }).available).toBe(0);
  });

  it('toUnit: packaging ratio and owner (Owner_Key or a composite Owner)', () => {
    expect(p115.map.toUnit({ Ref_Key: K(1), Description: 'Порция 170 г', Owner_Key: K(9), ЕдиницаИзмерения_Key: K(5), Числитель: 0.17, Знаменатель: 1 })).toMatchObject({ itemId: K(9), baseUnitId: K(5), ratio: 0.17 });
    expect(p115.map.toUnit({ Ref_Key: K(1), Owner: K(9), Owner_Type: 'StandardODATA.Catalog_Номенклатура', Числитель: 6, Знаменатель: 1 })).toMatchObject({ itemId: K(9), ratio: 6 });
    expect(p115.map.toUnit({ Ref_Key: K(2), Description: 'кг', Owner_Key: null, Числитель: 0, Знаменатель: 0 })).toMatchObject({ itemId: null, ratio: 1 });
  });

  it('toPrice, toBarcode, toPicture, pictureBytes, toConfigurationVersion, toClientBalance', () => {
    const period = new Date('2024-01-09T06:00:00Z');
    expect(p115.map.toPrice({ Period: period, Номенклатура_Key: K(1), ВидЦены_Key: K(2), Цена: 99.9, ХарактеристикаЦО_Key: K(4), Упаковка_Key: null, Валюта_Key: K(3) })).toEqual({ itemId: K(1), priceKindId: K(2), price: 99.9, characteristicId: K(4), packagingId: null, currencyId: K(3), period });
    expect(p115.map.toBarcode({ Штрихкод: '4601234567893  ', Номенклатура_Key: K(1), Упаковка_Key: null })).toEqual({ barcode: '4601234567893', itemId: K(1), packagingId: null });
    expect(p115.map.toPicture({ Ref_Key: K(4), Description: 'a', ВладелецФайла_Key: K(1), Расширение: '.PNG', Размер: 140, ТипХраненияФайла: 'ВТомахНаДиске', ДатаМодификацииУниверсальная: null })).toMatchObject({ extension: 'png', storedInBase: false, size: 140, itemId: K(1) });
    expect(p115.map.pictureBytes({ ДвоичныеДанныеФайла_Base64Data: Buffer.from('PNG!').toString('base64') })?.toString()).toBe('PNG!');
    expect(p115.map.pictureBytes({ ДвоичныеДанныеФайла_Base64Data: '' })).toBeNull();
    expect(p115.map.toConfigurationVersion([{ ИмяПодсистемы: 'СтандартныеПодсистемы', Версия: '3.1.9.297', ЭтоОсновнаяКонфигурация: false }, { ИмяПодсистемы: 'УправлениеТорговлей', Версия: '11.5.18.41', ЭтоОсновнаяКонфигурация: true }])).toEqual({ name: 'УправлениеТорговлей', version: '11.5.18.41', subsystems: [{ name: 'СтандартныеПодсистемы', version: '3.1.9.297' }] });
    // 11.5: the manager's report figures (РасчетыСКлиентамиПоСрокам); 11.4: the sign of РасчетыСКлиентами.Сумма.
    expect(p115.map.toClientBalance([{ ПредоплатаBalance: 100, ДолгBalance: 0 }, { ПредоплатаBalance: 50.5, ДолгBalance: 20 }])).toEqual({ debt: 20, prepaid: 150.5 });
    expect(p114.map.toClientBalance([{ СуммаBalance: 100 }, { СуммаBalance: -250.5 }])).toEqual({ debt: 0, prepaid: 150.5 });
    expect(p115.map.toClientBalance([])).toEqual({ debt: 0, prepaid: 0 });
  });

  it('toClient / toOrder / toPayment', () => {
    const c = p115.map.toClient(
      { Ref_Key: K(1), Description: 'Вектор ООО', НаименованиеПолное: 'ООО «Вектор»', ЮрФизЛицо: 'Компания', ReGate_ВнешнийИдентификатор: 'rs-1', КонтактнаяИнформация: [{ Тип: 'АдресЭлектроннойПочты', АдресЭП: 'a@b.ru', Представление: 'a@b.ru' }] },
      { Ref_Key: K(2), ИНН: '7707083893', КПП: '770701001', ЮрФизЛицо: 'ЮрЛицо' },
    );
    expect(c).toMatchObject({ partnerId: K(1), counterpartyId: K(2), externalId: 'rs-1', inn: '7707083893', kind: 'company', email: 'a@b.ru', phone: null });
    expect(p115.map.toClient({ Ref_Key: K(1), Description: 'Иванов', ЮрФизЛицо: 'ЧастноеЛицо' }, null).kind).toBe('person');
    const date = new Date('2024-02-01T07:15:00Z');
    expect(p115.map.toOrder({ Ref_Key: K(3), Number: 'ТД00-000001', Date: date, Posted: true, Статус: 'КОбеспечению', СуммаДокумента: 1500, ReGate_ВнешнийИдентификатор: 'rs-o-1', Партнер_Key: K(1), Склад_Key: null })).toEqual({ id: K(3), number: 'ТД00-000001', date, externalId: 'rs-o-1', status: 'КОбеспечению', total: 1500, posted: true, deleted: false, partnerId: K(1), warehouseId: null, settlementObjectId: null, asInvoice: false });
    const pay = p115.map.toPayment({ Ref_Key: K(4), Number: 'ТД00-000002', Date: date, СуммаДокумента: 10, ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента', ИдентификаторДокумента: 'ev-1', РасшифровкаПлатежа: [{ ОснованиеПлатежа: K(3), ОснованиеПлатежа_Type: 'StandardODATA.Document_ЗаказКлиента', Сумма: 10 }, { ОснованиеПлатежа: K(5), ОснованиеПлатежа_Type: 'StandardODATA.Document_РеализацияТоваровУслуг' }] });
    expect(pay.orderIds).toEqual([K(3)]);
    expect(pay.externalId).toBe('ev-1');
  });
});

describe('building write bodies', () => {
  const refs = { organisationKey: K(1), partnerKey: K(2), counterpartyKey: K(3), warehouseKey: K(4), currencyKey: K(5), priceKindKey: K(6), bankAccountKey: null };
  const date = new Date('2024-03-01T09:00:00Z');

  it('orderDocument: lines with sums and VAT (price includes VAT), total, external id, delivery address', () => {
    const body = p115.build.orderDocument(
      {
        externalId: 'rs-order-9', date, deliveryAddress: 'Казань, Баумана ул, 1', paymentForm: 'card', comment: 'позвонить',
        lines: [
          { itemId: K(10), quantity: 3, price: 99.9, vatRate: 20, vatRateId: K(20) },
          { itemId: K(11), quantity: 0.34, price: 1000, packagingId: K(12), packagingRatio: 0.17, vatRate: 10, vatRateId: K(21) },
        ],
      },
      refs,
      config,
    );
    expect(body).toMatchObject({ Date: date, Организация_Key: K(1), Партнер_Key: K(2), Контрагент_Key: K(3), Склад_Key: K(4), Валюта_Key: K(5), ФормаОплаты: 'ПлатежнаяКарта', ЦенаВключаетНДС: true, АдресДоставки: 'Казань, Баумана ул, 1', ReGate_ВнешнийИдентификатор: 'rs-order-9', ХозяйственнаяОперация: 'РеализацияКлиенту', СуммаДокумента: 639.7 });
    const lines = body.Товары as Row[];
    expect(lines[0]).toMatchObject({ LineNumber: 1, Количество: 3, КоличествоУпаковок: 3, Цена: 99.9, Сумма: 299.7, СуммаНДС: 49.95, СтавкаНДС_Key: K(20), ВидЦены_Key: K(6), Склад_Key: K(4), Упаковка_Key: null });
    expect(lines[1]).toMatchObject({ LineNumber: 2, Количество: 0.34, КоличествоУпаковок: 2, Упаковка_Key: K(12), Сумма: 340, СуммаНДС: 30.91 });
  });

  it('orderDocument: a line amount ReGate priced is used as is, so 1C\'s total equals what the card must pay', () => {
    // 0.15 ₽ × 4.1 = 0.615: floating point gives 0.61499…, which rounds to 0.61; ReGate priced 0.62 (half up).
    const body = p115.build.orderDocument(
      { externalId: 'rs-order-10', date, deliveryAddress: 'x', paymentForm: 'card', lines: [{ itemId: K(10), quantity: 4.1, price: 0.15, amount: 0.62 }] },
      refs,
      config,
    );
    expect((body.Товары as Row[])[0].Сумма).toBe(0.62);
    expect(body.СуммаДокумента).toBe(0.62);
  });

  it('orderDocument: a packaging\'s Цена is rounded half up in kopecks, as ReGate priced the line', () => {
    // 0.35 ₽ × 0.1 = 0.035: the float product is 0.034999…, round2 gave 0.03; УТ's Окр(, 2) and pricing.ts give 0.04,
    // and only then is 1C's Сумма = Цена × КоличествоУпаковок (2 × 0.04 = 0.08, the amount ReGate charged).
    const body = p115.build.orderDocument(
      { externalId: 'rs-order-11', date, deliveryAddress: 'x', paymentForm: 'card', lines: [{ itemId: K(10), quantity: 0.2, price: 0.35, amount: 0.08, packagingId: K(12), packagingRatio: 0.1 }] },
      refs,
      config,
    );
    const line = (body.Товары as Row[])[0];
    expect(line).toMatchObject({ Цена: 0.04, КоличествоУпаковок: 2, Количество: 0.2, Сумма: 0.08 });
  });

  it('without the extension the external id goes to НомерПоДаннымКлиента only', () => {
    const cfg = parseConfig({ onec: { extension: false } });
    const prof = getProfile('ut11.5', cfg);
    const body = prof.build.orderDocument({ externalId: 'rs-1', date, deliveryAddress: '', paymentForm: 'bank', lines: [] }, refs, cfg);
    expect(body.ReGate_ВнешнийИдентификатор).toBeUndefined();
    expect(body.НомерПоДаннымКлиента).toBe('rs-1');
    expect(prof.reads.orderStatus).toBeUndefined();
    expect(prof.writes.orderStatus).toBeUndefined();
    const pay = prof.build.cardPaymentDocument({ externalId: 'ev-1', date, amount: 5, orderKey: K(9) }, refs, cfg);
    expect(pay.ИдентификаторДокумента).toBe('ev-1');
  });

  it('payments and refunds reference the order in РасшифровкаПлатежа; refunds are ВозвратОплатыКлиенту', () => {
    const p = { externalId: 'ev-2', date, amount: 639.7, orderKey: K(9), cardMask: '220000******1234', authCode: '123456' };
    const pay = p115.build.cardPaymentDocument(p, refs, config);
    expect(pay).toMatchObject({ ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента', ОплатаВыполнена: true, СуммаДокумента: 639.7, ДокументОснование: K(9), ДокументОснование_Type: 'StandardODATA.Document_ЗаказКлиента', ReGate_ВнешнийИдентификатор: 'ev-2' });
    expect((pay.РасшифровкаПлатежа as Row[])[0]).toMatchObject({ ОснованиеПлатежа: K(9), ОснованиеПлатежа_Type: 'StandardODATA.Document_ЗаказКлиента', Сумма: 639.7, Партнер_Key: K(2) });
    expect(p115.build.cardRefundDocument(p, refs, config)).toMatchObject({ ХозяйственнаяОперация: 'ВозвратОплатыКлиенту', ОплатаВыполнена: false });
    const refund = p115.build.bankRefundDocument(p, { ...refs, settlementObjectKey: K(30) }, config);
    expect(refund).toMatchObject({ ХозяйственнаяОперация: 'ВозвратОплатыКлиенту' });
    // СписаниеБезналичных rows have no ОснованиеПлатежа in УТ 11.5: they settle through ОбъектРасчетов_Key.
    expect((refund.РасшифровкаПлатежа as Row[])[0]).toMatchObject({ ОбъектРасчетов_Key: K(30), Контрагент_Key: K(3) });
    expect((refund.РасшифровкаПлатежа as Row[])[0].ОснованиеПлатежа).toBeUndefined();
    expect(p115.build.bankPaymentDocument({ ...p, incomingNumber: '77' }, refs, config)).toMatchObject({ ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента', НомерВходящегоДокумента: '77', ПроведеноБанком: true });
  });

  it('partner/counterparty bodies, client patch, cancel patch, status and card records', () => {
    const client = { externalId: 'rs-c', name: 'ИП Иванов', kind: 'entrepreneur' as const, inn: '500100732259', kpp: '1', phone: '+7 900 000-00-00' };
    expect(p115.build.partnerBody(client, config)).toMatchObject({ Клиент: true, ЮрФизЛицо: 'Компания', ReGate_ВнешнийИдентификатор: 'rs-c', КонтактнаяИнформация: [{ LineNumber: 1, Тип: 'Телефон', НомерТелефона: '+7 900 000-00-00' }] });
    expect(p115.build.counterpartyBody(client, { partnerKey: K(2) }, config)).toMatchObject({ ЮрФизЛицо: 'ИндивидуальныйПредприниматель', ИНН: '500100732259', КПП: '', Партнер_Key: K(2) });
    expect(p115.build.clientPatch({ inn: '7707083893' })).toEqual({ partner: {}, counterparty: { ИНН: '7707083893' } });
    expect(p115.build.cancelOrderPatch([{ LineNumber: 1, Номенклатура_Key: K(1), Отменено: false }])).toEqual({ Статус: 'Закрыт', Товары: [{ LineNumber: 1, Номенклатура_Key: K(1), Отменено: true }] });
    expect(p115.build.orderStatusRecord({ orderKey: K(9), period: date, orderStatus: 2, paymentStatus: 1, paidAmount: 10.005 })).toEqual({ Period: date, Заказ_Key: K(9), СтатусЗаказа: 2, СтатусОплаты: 1, СуммаОплаты: 10.01, Комментарий: '' });
    expect(p115.build.cardPaymentRecord({ orderKey: K(9), transactionId: 't', provider: 'p', rrn: 'r', authCode: 'a', cardMask: 'm', amount: 1, paidAt: date })).toMatchObject({ ИдентификаторТранзакции: 't', ДатаОплаты: date });
  });
});

describe('the profile over the demo base (rows normalised as the client would)', () => {
  for (const variant of ['ut11.5', 'ut11.4'] as const) {
    it(`${variant}: items, warehouses, cities, prices, stock, portions agree with the demo facts`, () => {
      const base = generateDemoBase({ seed: 7, items: 200, variant });
      const facts = demoFacts(base);
      const prof = getProfile(variant, config);
      const rows = (set: string) => base.rows[set].map(normalise);
      const items = rows('Catalog_Номенклатура').filter((r) => !r.IsFolder).map((r) => prof.map.toItem(r, { config }));
      expect(items.length).toBe(facts.itemCount);
      expect(items.filter((i) => i.soldToOrder).length).toBe(facts.soldToOrder.size);
      expect(items.every((i) => i.minQuantity > 0 && i.multiplicity > 0 && i.tier2Threshold > 0)).toBe(true);
      const warehouses = rows('Catalog_Склады').map((r) => prof.map.toWarehouse(r));
      expect(prof.map.citiesOf(warehouses)).toEqual([...facts.cities].sort((a, b) => a.localeCompare(b, 'ru')));
      const priceRead = prof.reads.price;
      if (priceRead?.kind !== 'sliceLast') throw new Error('price');
      const prices = rows(priceRead.register).map((r) => prof.map.toPrice(r));
      // The item's prices (a characteristic's own price is its variant's, issue 17).
      for (const p of prices.filter((x) => !x.characteristicId)) expect(facts.prices.get(p.itemId)?.get(p.priceKindId)).toBe(p.price);
      expect(prices.every((p) => p.period instanceof Date)).toBe(true);
      // Balance rows: emulate the virtual table by summing records per (item, warehouse).
      const stockRead = prof.reads.stock;
      if (stockRead?.kind !== 'balance') throw new Error('stock');
      const sums = new Map<string, Row>();
      for (const r of base.rows[stockRead.register]) {
        const key = `${r.Номенклатура_Key}|${r.Склад_Key}`;
        const acc = sums.get(key) ?? { Номенклатура_Key: r.Номенклатура_Key, Склад_Key: r.Склад_Key, ВНаличииBalance: 0, ВРезервеСоСкладаBalance: 0 };
        acc.ВНаличииBalance = (acc.ВНаличииBalance as number) + (r.ВНаличии as number);
        acc.ВРезервеСоСкладаBalance = (acc.ВРезервеСоСкладаBalance as number) + ((r.ВРезервеСоСклада as number) ?? 0);
        sums.set(key, acc);
      }
      // 11.5 reserves are read apart (ТоварыКОтгрузке.ВРезерве) and subtracted as the sync does.
      const reserved = new Map<string, number>();
      for (const r of base.rows['AccumulationRegister_ТоварыКОтгрузке'] ?? []) if (prof.reads.reserve) reserved.set(`${r.Номенклатура_Key}|${r.Склад_Key}`, (reserved.get(`${r.Номенклатура_Key}|${r.Склад_Key}`) ?? 0) + (r.ВРезерве as number));
      for (const s of [...sums.values()].map((r) => prof.map.toStock(r))) {
        expect(Math.max(0, Math.round((s.available - (reserved.get(`${s.itemId}|${s.warehouseId}`) ?? 0)) * 1000) / 1000)).toBe(facts.stock.get(s.itemId)?.get(s.warehouseId));
      }
      const units = rows('Catalog_УпаковкиЕдиницыИзмерения').map((r) => prof.map.toUnit(r));
      for (const u of units.filter((x) => x.itemId)) expect(u.ratio).toBe(facts.portions.get(u.itemId!));
      const version = prof.map.toConfigurationVersion(rows('InformationRegister_ВерсииПодсистем'));
      expect(version.name).toBe(prof.configurationName);
      expect(version.version.startsWith(prof.minVersion)).toBe(true);
      const [org] = rows('Catalog_Организации').map((r) => prof.map.toOrganisation(r));
      expect(org.inn).toMatch(/^\d{10}$/);
      expect(org.address).toMatch(/Москва/);
      const pictures = rows(prof.features.fileBytes === 'storage' ? 'Catalog_ХранилищеДвоичныхДанных' : 'InformationRegister_ДвоичныеДанныеФайлов');
      const bytes = prof.map.pictureBytes(pictures[0]);
      expect(bytes?.subarray(1, 4).toString()).toBe('PNG');
    });
  }
});

describe('requirements', () => {
  it('lists the sets each variant needs, with reasons, marks written and extension-only sets', () => {
    const r115 = requirements(p115, config);
    const sets115 = r115.map((r) => r.set);
    expect(sets115).toEqual(
      expect.arrayContaining([
        'Catalog_Номенклатура', 'Catalog_Склады', 'Catalog_ВидыЦен', 'InformationRegister_ЦеныНоменклатуры25', 'AccumulationRegister_ТоварыНаСкладах',
        'InformationRegister_ШтрихкодыНоменклатуры', 'Catalog_УпаковкиЕдиницыИзмерения', 'Catalog_СтраныМира', 'Catalog_Марки', 'Catalog_НоменклатураПрисоединенныеФайлы',
        'InformationRegister_ХранилищеФайлов', 'Catalog_ХранилищеДвоичныхДанных', 'Catalog_Партнеры', 'Catalog_Контрагенты', 'Document_ЗаказКлиента', 'Document_ОперацияПоПлатежнойКарте',
        'Document_ПоступлениеБезналичныхДенежныхСредств', 'Document_СписаниеБезналичныхДенежныхСредств', 'AccumulationRegister_РасчетыСКлиентамиПоСрокам', 'Catalog_Организации',
        'InformationRegister_ВерсииПодсистем', 'InformationRegister_ReGate_СтатусыЗаказов', 'InformationRegister_ReGate_ОплатыКартами',
      ]),
    );
    expect(sets115).not.toContain('AccumulationRegister_СвободныеОстатки');
    expect(sets115).not.toContain('InformationRegister_ЦеныНоменклатуры');
    const sets114 = requirements(p114, config).map((r) => r.set);
    expect(sets114).toContain('AccumulationRegister_СвободныеОстатки');
    expect(sets114).toContain('InformationRegister_ЦеныНоменклатуры');
    expect(sets114).toContain('AccumulationRegister_РасчетыСКлиентами');
    expect(sets114).not.toContain('AccumulationRegister_РасчетыСКлиентамиПоСрокам');
    const items = r115.find((r) => r.set === 'Catalog_Номенклатура')!;
    expect(items.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['Артикул', 'ReGate_МинимальноеКоличество', 'ReGate_ПродажаПодЗаказ', 'ФайлКартинки_Key']));
    expect(items.why.join(' ')).toMatch(/assortment/);
    const stock = r115.find((r) => r.set === 'AccumulationRegister_ТоварыНаСкладах')!;
    expect(stock.virtual).toBe('Balance');
    expect(stock.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['ВНаличии', 'КОтгрузке']));
    expect(r115.find((r) => r.set === 'Document_ЗаказКлиента')!.written).toBe(true);
    expect(r115.find((r) => r.set === 'Catalog_Склады')!.written).toBe(false);
    expect(r115.find((r) => r.set === 'InformationRegister_ReGate_СтатусыЗаказов')!.extension).toBe(true);
    expect(r115.find((r) => r.set === 'Catalog_ХранилищеДвоичныхДанных')!.fields.map((f) => f.name)).toContain('ДвоичныеДанные_Base64Data');
    expect(sets115).not.toContain('InformationRegister_ДвоичныеДанныеФайлов');
    expect(requirements(p114, config).find((r) => r.set === 'InformationRegister_ДвоичныеДанныеФайлов')!.fields.map((f) => f.name)).toContain('ДвоичныеДанныеФайла_Base64Data');
  });

  it('follows the configured field sources: additionalAttribute needs the property chart, none needs nothing', () => {
    const cfg = parseConfig({ onec: { extension: false }, catalog: { minQuantity: { kind: 'additionalAttribute', name: 'Мин' }, multiplicity: { kind: 'none' }, soldToOrder: { kind: 'none' }, tier1Threshold: { kind: 'none' }, tier2Threshold: { kind: 'none' } } });
    const req = requirements(getProfile('ut11.5', cfg), cfg);
    const items = req.find((r) => r.set === 'Catalog_Номенклатура')!.fields.map((f) => f.name);
    expect(items.some((f) => f.startsWith('ReGate_'))).toBe(false);
    expect(items).toContain('ДополнительныеРеквизиты/Свойство_Key');
    expect(req.map((r) => r.set)).toContain('ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения');
    expect(req.map((r) => r.set)).not.toContain('InformationRegister_ReGate_СтатусыЗаказов');
    expect(req.flatMap((r) => r.fields.map((f) => f.name)).some((f) => f.startsWith('ReGate_'))).toBe(false);
  });
});
