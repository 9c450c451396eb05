import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderable } from '../helpers/orderable.js';
import { parseConfig } from '../../src/config/index.js';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { fetchMissingPictures } from '../../src/catalog/pictures.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { importStatementBytes } from '../../src/bank/import/index.js';
import { bytesOf, CLIENT_A_INN } from '../bank-import/statement.js';

/**
 * The whole API against an emulator that publishes exactly what a real base of each shared dump publishes — УТ
 * 11.5.20.68 and 11.4.2.139, with the ReGate extension merged and without it: every read method, a client, a booking
 * that gets its 1C number, a card payment, a refund, and a bank statement that pays an order (status 3). The emulator
 * ignores properties its configuration lacks, as 1C does; here that list must stay empty for everything ReGate
 * writes, so a field a version does not have can never be dropped silently.
 */
const SHARED = resolve(__dirname, '../../../shared/reference/ut-dumps');
const HAVE = existsSync(join(SHARED, 'ut-11.5.20-xml')) && existsSync(join(SHARED, 'ut-11.4.2-xml'));
// Without ../shared the same lifecycle runs on the models embedded from those dumps (src/onec/dump/embedded).
if (!HAVE) console.warn(`test/e2e/real-dumps: ${SHARED} is absent — the lifecycle runs on the embedded models of the same dumps`);
const EMBEDDED = { 'ut-11.5.20-xml': 'ut-11.5.20', 'ut-11.4.2-xml': 'ut-11.4.2' } as const;

const cases = (['ut-11.5.20-xml', 'ut-11.4.2-xml'] as const).flatMap((dump) => [true, false].map((extension) => ({ dump, extension })));

describe.each(cases)('$dump, extension: $extension', ({ dump, extension }) => {
  let em: Emulator;
  let rt: Runtime;
  let work: string;
  const auth = { Authorization: 'Basic ' + Buffer.from('rs:p').toString('base64') };
  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const r = await rt.app.request(`/api/v1/${path}`, { method, headers: { ...auth, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: r.status, body: json, bytes: text.length };
  };
  const idle = () => rt.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE state IN ('pending', 'running')`).pluck().get() === 0;
  const dead = () => rt.db.prepare(`SELECT kind, last_error FROM outbox_jobs WHERE state = 'dead'`).all();
  const until = async (check: () => boolean | Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return check();
  };
  let store = '';
  let items: string[] = [];

  beforeAll(async () => {
    const base = generateDemoBase({ items: 80, seed: `dump-${dump}`, configuration: HAVE ? { dump: join(SHARED, dump), extension } : { embedded: EMBEDDED[dump], extension } });
    em = await startEmulator({ base, timezone: 'Europe/Moscow' });
    work = mkdtempSync(join(tmpdir(), 'regate-dump-e2e-'));
    const config = parseConfig({
      database: { path: join(work, 'regate.sqlite') },
      onec: { url: em.url, sessions: 4, timeoutMs: 5000, extension, timezone: 'Europe/Moscow', profile: base.config.version.startsWith('11.4') ? 'ut11.4' : 'ut11.5' },
      outbox: { backoffBaseMs: 20, backoffMaxMs: 200, confirmWindowMs: 5000 },
      auth: { users: [{ name: 'rs', passwordHash: await hashPassword('p'), role: 'bank' }] },
      sync: { catalogCron: '0 0 1 1 *', stockCron: '0 0 1 1 *' },
      bank: { cron: '0 0 1 1 *' },
    });
    rt = createRuntime(config, silentLogger);
    const features = await rt.adaptToBase();
    expect(features?.extension).toBe(extension);
    await runFullSync({ ...rt, profile: rt.profile });
    await fetchMissingPictures({ ...rt, profile: rt.profile });
    rt.start();
  }, 60_000);

  afterAll(async () => {
    await rt?.stop();
    await em?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('detects the variant from what the base publishes', () => {
    const f = rt.profile.features;
    if (dump.startsWith('ut-11.4')) expect(f).toMatchObject({ vat: 'enum', settlement: 'order', fileBytes: 'register', stock: 'AccumulationRegister_СвободныеОстатки', documentId: false });
    else expect(f).toMatchObject({ vat: 'catalog', settlement: 'object', fileBytes: 'storage', stock: 'AccumulationRegister_ТоварыНаСкладах', documentId: true });
  });

  it('every read method answers from the mirror', async () => {
    const state = await api('GET', 'state');
    expect(state.status).toBe(200);
    expect(state.body.configuration.version).toMatch(dump.startsWith('ut-11.4') ? /^11\.4\.2/ : /^11\.5\.20/);
    // The platform version is readable only through the extension (ReGate_СведенияОПлатформе).
    if (extension) expect(state.body.platform).toMatch(/^8\.3\.\d+/);
    else expect(state.body.platform).toBeNull();
    const cities = await api('GET', 'city');
    expect(cities.status).toBe(200);
    expect(cities.body.cities.length).toBeGreaterThan(0);
    const stores = await api('GET', `citystore?city=${encodeURIComponent(cities.body.cities[0].name)}`);
    expect(stores.status, JSON.stringify(stores.body)).toBe(200);
    expect(stores.body.stores.length).toBeGreaterThan(0);
    ({ store, items } = orderable(rt.db));
    expect(items.length).toBeGreaterThanOrEqual(2);
    const table = await api('GET', `storetable?store=${store}`);
    expect(table.status, JSON.stringify(table.body)).toBe(200);
    const page = await api('GET', `assortment?store=${store}&pageSize=50`);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeGreaterThan(0);
    const withIcon = page.body.items.find((i: any) => i.icons?.length);
    expect(withIcon, 'an item with a picture').toBeTruthy();
    const pic = await rt.app.request(new URL(withIcon.icons[0]).pathname, { headers: auth });
    expect(pic.status).toBe(200);
    expect(Buffer.from(await pic.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    // Without the extension nothing ReGate_* is read: order limits come from config.catalog.defaults.
    if (!extension) expect(page.body.items.every((i: any) => i.minQuantity === 1 && i.multiplicity === 1)).toBe(true);
  });

  it('client, booking with a 1C number, card payment, refund, bank payment to status 3', async () => {
    const client = await api('POST', 'client', { clientId: 'C-A', name: 'ООО "Альфа"', inn: CLIENT_A_INN });
    expect(client.status, JSON.stringify(client.body)).toBeLessThan(300);
    const book = (orderId: string, n: number) =>
      api('POST', 'booking', { orderId, clientId: 'C-A', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: n }, { itemId: items[1], quantity: 1 }] });
    // 40 characters: longer than 11.4's НомерПоДаннымКлиента (30), shorter than 11.5.20's (50).
    const long = 'RS-ORDER-0000000000000000000000000000001';
    for (const [id, n] of [['O-1', 1], ['O-2', 2], [long, 1]] as const) {
      const r = await book(id, n);
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    }
    expect(await until(idle), JSON.stringify(dead())).toBe(true);
    expect(dead()).toEqual([]);
    const state = async (id: string) => (await api('GET', `bookingstate?orderId=${encodeURIComponent(id)}`)).body;
    const o1 = await state('O-1');
    expect(o1).toMatchObject({ status: 1, paymentStatus: 0 });
    expect(o1.number).toMatch(/^ТД00-\d{6}$/);
    const orders1C = em.store.list('Document_ЗаказКлиента').filter((d) => d.Number === o1.number);
    expect(orders1C).toHaveLength(1);
    expect(orders1C[0].Posted).toBe(true);
    // WRITE-RULES §1.2: made under the base's one typical agreement in force; §1.6: lines reserve from the warehouse
    // (11.5: ТоварыКОтгрузке.ВРезерве; 11.4: СвободныеОстатки.ВРезервеСоСклада).
    const agreement = em.store.list('Catalog_СоглашенияСКлиентами').find((a) => a.Типовое === true)!;
    expect(orders1C[0].Соглашение_Key).toBe(agreement.Ref_Key);
    const lines1 = orders1C[0].Товары as Record<string, unknown>[];
    expect(lines1.every((l) => l.ВариантОбеспечения === 'СоСклада')).toBe(true);
    const reserveOf = (ref: unknown) =>
      dump.startsWith('ut-11.4')
        ? em.store.records('AccumulationRegister_СвободныеОстатки').filter((r) => (r.Recorder ?? r.Recorder_Key) === ref).reduce((x, r) => x + Number(r.ВРезервеСоСклада), 0)
        : em.store.records('AccumulationRegister_ТоварыКОтгрузке').filter((r) => (r.Recorder ?? r.Recorder_Key) === ref).reduce((x, r) => x + Number(r.ВРезерве), 0);
    expect(reserveOf(orders1C[0].Ref_Key)).toBe(lines1.reduce((x, l) => x + Number(l.Количество), 0));

    // card payment of O-1, then its refund
    const pay = await api('POST', 'paycard', { orderId: 'O-1', provider: 'ЮKassa', transactionId: 'T-1', amount: o1.amount, paidAt: '2026-11-29T08:15:00+03:00' });
    expect(pay.status, JSON.stringify(pay.body)).toBeLessThan(300);
    expect(await until(idle), JSON.stringify(dead())).toBe(true);
    expect(await state('O-1')).toMatchObject({ paymentStatus: 1 });
    const cardDocs = () => em.store.list('Document_ОперацияПоПлатежнойКарте').filter((d) => d.ХозяйственнаяОперация === 'ПоступлениеОплатыОтКлиента' && d.Posted);
    expect(cardDocs().length).toBeGreaterThanOrEqual(1);
    const refund = await api('POST', 'refund', { orderId: 'O-1', reason: 'Клиент отказался' });
    expect(refund.status, JSON.stringify(refund.body)).toBeLessThan(300);
    expect(await until(idle), JSON.stringify(dead())).toBe(true);
    expect(dead()).toEqual([]);
    expect((await state('O-1')).status).toBe(7);
    const refunds = em.store.list('Document_ОперацияПоПлатежнойКарте').filter((d) => d.ХозяйственнаяОперация === 'ВозвратОплатыКлиенту');
    expect(refunds).toHaveLength(1);
    // WRITE-RULES §3: card operations name the terminal (and on 11.5 its acquiring contract); the refund's basis is
    // the payment it returns; the payment line pays the order's settlement object (11.5) or the order (11.4).
    const payment = cardDocs().find((d) => (d.РасшифровкаПлатежа as any[])[0]?.ОснованиеПлатежа === orders1C[0].Ref_Key)!;
    expect(payment, 'the card payment of O-1').toBeTruthy();
    expect(payment.ЭквайринговыйТерминал_Key).toMatch(/^[0-9a-f-]{36}$/);
    expect(payment.ЭквайринговыйТерминал_Key).not.toBe('00000000-0000-0000-0000-000000000000');
    if (dump.startsWith('ut-11.5')) {
      expect(payment.ДоговорЭквайринга_Key).not.toBe('00000000-0000-0000-0000-000000000000');
      expect(refunds[0].ДокументОснование).toBe(payment.Ref_Key);
      expect((payment.РасшифровкаПлатежа as any[])[0].ОбъектРасчетов_Key).toBe(orders1C[0].ОбъектРасчетов_Key);
    } else expect((payment.РасшифровкаПлатежа as any[])[0].Заказ).toBe(orders1C[0].Ref_Key);
    // Cash-flow items by operation, the configuration's predefined ones (WRITE-RULES §3).
    const item = (name: string) => em.store.list('Catalog_СтатьиДвиженияДенежныхСредств').find((r) => r.PredefinedDataName === name)!.Ref_Key;
    expect((payment.РасшифровкаПлатежа as any[])[0].СтатьяДвиженияДенежныхСредств_Key).toBe(item('ПоступлениеОплатыОтКлиента'));
    expect((refunds[0].РасшифровкаПлатежа as any[])[0].СтатьяДвиженияДенежныхСредств_Key).toBe(item('ВозвратОплатыКлиенту'));

    // a bank statement pays O-2 by its 1C number
    const o2 = await state('O-2');
    const kop = Math.round(o2.amount * 100);
    // The payer's account is known in 1C (the client's counterparty owns it): the receipt names it (WRITE-RULES §4).
    const payerCounterparty = em.store.list('Catalog_Контрагенты').find((c) => c.ИНН === CLIENT_A_INN)!;
    const payerAccount = em.store.insert('Catalog_БанковскиеСчетаКонтрагентов', { Description: '40702810400000000002', НомерСчета: '40702810400000000002', Owner: payerCounterparty.Ref_Key, Owner_Type: 'StandardODATA.Catalog_Контрагенты' });
    const file = bytesOf([{ number: '501', date: '28.11.2026', amount: `${Math.floor(kop / 100)}.${String(kop % 100).padStart(2, '0')}`, payerAcc: '40702810400000000002', payerInn: CLIENT_A_INN, payerName: 'ООО "Альфа"', purpose: `Оплата по счету № ${o2.number} от 28.11.2026` }]);
    const report = importStatementBytes(rt.db, file, { name: 'kl_to_1c.txt', source: 'cli' });
    expect(JSON.stringify(report)).toContain('O-2');
    expect(await until(idle), JSON.stringify(dead())).toBe(true);
    expect(dead()).toEqual([]);
    expect(await state('O-2')).toMatchObject({ status: 3, paymentStatus: 2 });
    const bankDocs = em.store.list('Document_ПоступлениеБезналичныхДенежныхСредств').filter((d) => d.Posted && d.СуммаДокумента === o2.amount);
    expect(bankDocs.length).toBeGreaterThanOrEqual(1);
    // As УТ's КлиентБанк loader fills a receipt, so its duplicate test recognises ours (WRITE-RULES §4).
    expect(bankDocs[0]).toMatchObject({ ТипПлатежногоДокумента: 'ПлатежноеПоручение', НомерВходящегоДокумента: '501', БанковскийСчетКонтрагента_Key: payerAccount.Ref_Key, ПроведеноБанком: true });

    // the long order id: one document, found again on re-delivery (width of НомерПоДаннымКлиента per version)
    expect((await state(long)).number).toBeTruthy();

    // booking → cancel (it expires unpaid): in 1C every line Отменено with the reason, Статус Закрыт, re-posted, the
    // reserve released (WRITE-RULES §1.7)
    const longNumber = (await state(long)).number;
    const longDoc = em.store.list('Document_ЗаказКлиента').find((d) => d.Number === longNumber)!;
    expect(reserveOf(longDoc.Ref_Key)).toBeGreaterThan(0);
    const { expireOrders } = await import('../../src/orders/expiry.js');
    const expired = expireOrders(rt.db, { expireAfterHours: 0, webhooks: false, now: new Date(Date.now() + 60_000) });
    expect(expired.expired).toContain(long);
    expect(await until(idle), JSON.stringify(dead())).toBe(true);
    expect(dead()).toEqual([]);
    const closed = em.store.get('Document_ЗаказКлиента', String(longDoc.Ref_Key))!;
    const reason = em.store.list('Catalog_ПричиныОтменыЗаказовКлиентов').find((r) => r.Predefined !== true)!;
    expect(closed).toMatchObject({ Статус: 'Закрыт', Posted: true });
    expect((closed.Товары as Record<string, unknown>[]).every((l) => l.Отменено === true && l.ПричинаОтмены_Key === reason.Ref_Key)).toBe(true);
    expect(reserveOf(longDoc.Ref_Key)).toBe(0);
    expect((await state(long)).status).toBe(5);
  }, 60_000);

  it('ReGate wrote no property this configuration does not publish (1C would drop it silently)', () => {
    const ignored = Object.fromEntries([...em.store.ignored].map(([k, v]) => [k, [...v].sort()]));
    expect(ignored).toEqual({});
  });
});
