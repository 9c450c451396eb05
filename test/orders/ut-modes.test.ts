import { afterEach, describe, expect, it } from 'vitest';
import { FO } from '../../src/emulator/posting/ut11.js';
import { ORDERS, harness, pending, until, type Harness } from './harness.js';

/**
 * ReGate's orders are accepted by УТ in each mode its functional options select (WRITE-RULES §1.4), and a refusal
 * that no retry changes ends the job at once with 1C's words.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ordersOf = (hh: Harness, orderId: string) => hh.em.store.list(ORDERS).filter((o) => o.ReGate_ВнешнийИдентификатор === orderId);
const jobs = (hh: Harness) => hh.db.prepare(`SELECT kind, state, attempts, last_error AS error FROM outbox_jobs WHERE kind = 'booking.create'`).all() as { kind: string; state: string; attempts: number; error: string | null }[];

describe('УТ modes', () => {
  it('without extended customer orders (every order is an invoice): orders are posted «На согласовании», reserving their lines', async () => {
    h = await harness();
    h.em.store.options[FO.extendedOrders] = false;
    await h.orders.client({ clientId: 'C-1', name: 'ООО Альфа', inn: '7707083893' });
    for (const id of ['INV-1', 'INV-2']) await h.noWait.book(h.booking(id, 'C-1', 1));
    expect(await until(() => pending(h!.db) === 0)).toBe(true);
    expect(jobs(h).map((j) => j.state)).toEqual(['done', 'done']);
    for (const id of ['INV-1', 'INV-2']) {
      const [doc] = ordersOf(h, id);
      expect(doc).toMatchObject({ Posted: true, ЭтоЗаказКакСчет: true, Статус: 'НеСогласован' });
      expect((doc.Товары as Record<string, unknown>[]).every((l) => l.ВариантОбеспечения === 'СоСклада')).toBe(true);
    }
  });

  it('with extended orders: «К выполнению», and СоСклада lines are reserved in ТоварыКОтгрузке', async () => {
    h = await harness();
    await h.orders.client({ clientId: 'C-1', name: 'ООО Альфа', inn: '7707083893' });
    await h.noWait.book(h.booking('EXT-1', 'C-1', 2));
    expect(await until(() => pending(h!.db) === 0)).toBe(true);
    const [doc] = ordersOf(h, 'EXT-1');
    expect(doc).toMatchObject({ Posted: true, ЭтоЗаказКакСчет: false, Статус: 'КОбеспечению', ПорядокРасчетов: 'ПоЗаказам', СкидкиРассчитаны: true });
    expect(doc.ОбъектРасчетов_Key).toMatch(/^[0-9a-f-]{36}$/);
    const reserved = h.em.store.records('AccumulationRegister_ТоварыКОтгрузке').filter((r) => (r.Recorder ?? r.Recorder_Key) === doc.Ref_Key);
    expect(reserved.map((r) => r.ВРезерве)).toEqual((doc.Товары as Record<string, unknown>[]).map((l) => l.Количество));
  });

  it('with automatic discounts on: orders are still posted (СкидкиРассчитаны, as УТ’s site loader sets it)', async () => {
    h = await harness();
    h.em.store.options[FO.autoDiscounts] = true;
    await h.orders.client({ clientId: 'C-1', name: 'ООО Альфа', inn: '7707083893' });
    await h.noWait.book(h.booking('DSC-1', 'C-1', 1));
    expect(await until(() => pending(h!.db) === 0)).toBe(true);
    expect(ordersOf(h, 'DSC-1')[0].Posted).toBe(true);
    // The rule itself: the same order without the flag is refused by 1C.
    const { Ref_Key: _k, Number: _n, DataVersion: _v, Posted: _p, ...body } = ordersOf(h, 'DSC-1')[0];
    const again = h.em.store.insert(ORDERS, { ...body, СкидкиРассчитаны: false, ReGate_ВнешнийИдентификатор: 'manual' });
    expect(() => h!.em.store.post(ORDERS, String(again.Ref_Key))).toThrow(/не рассчитаны автоматические скидки/);
  });

  it('closing an order (expiry, cancellation) cancels its lines and re-posts it: the reserve is released', async () => {
    h = await harness();
    await h.orders.client({ clientId: 'C-1', name: 'ООО Альфа', inn: '7707083893' });
    await h.noWait.book(h.booking('CL-1', 'C-1', 2));
    expect(await until(() => pending(h!.db) === 0)).toBe(true);
    const [doc] = ordersOf(h, 'CL-1');
    const reserved = () => h!.em.store.records('AccumulationRegister_ТоварыКОтгрузке').filter((r) => (r.Recorder ?? r.Recorder_Key) === doc.Ref_Key).length;
    expect(reserved()).toBeGreaterThan(0);
    const { closeOrderInOneC } = await import('../../src/orders/delivery/order-status.js');
    expect(await closeOrderInOneC(h.delivery.ctx, String(doc.Ref_Key))).toBe(true);
    const [closed] = ordersOf(h, 'CL-1');
    expect(closed).toMatchObject({ Статус: 'Закрыт', Posted: true });
    expect((closed.Товары as Record<string, unknown>[]).every((l) => l.Отменено === true)).toBe(true);
    expect(reserved()).toBe(0);
  });

  it('a bank payment is entered against the statement’s own account of the organisation, else its first account', async () => {
    h = await harness();
    const org = JSON.parse(h.db.prepare(`SELECT value FROM meta WHERE key = 'mirror.organisation'`).pluck().get() as string).id;
    const first = await h.delivery.ctx.bankAccountKey();
    const second = h.em.store.insert('Catalog_БанковскиеСчетаОрганизаций', { Owner_Key: org, НомерСчета: '40702810900000000001', Description: 'второй счёт' });
    const fresh = (await import('../../src/orders/delivery/context.js')).DeliveryContext;
    const ctx = new fresh({ db: h.db, onec: h.onec, config: h.config, logger: (await import('../../src/log.js')).silentLogger });
    expect(await ctx.bankAccountKey('40702810900000000001')).toBe(second.Ref_Key);
    // With no account of that number the fallback is the organisation's account ReGate uses when the statement names
    // none. Which of two that is depends on the order 1C lists them (Ref_Key here), and the second account's key is
    // random: comparing with the account seen before it existed failed about half of the runs.
    const fallback = await ctx.bankAccountKey();
    expect([first, second.Ref_Key]).toContain(fallback);
    expect(await ctx.bankAccountKey('40702810000000000000')).toBe(fallback);
  });

  it('a business refusal from 1C is dead at once with 1C’s message; the order keeps its status', async () => {
    h = await harness();
    await h.orders.client({ clientId: 'C-1', name: 'ООО Альфа', inn: '7707083893' });
    // УТ's free-stock control refusing the posting (РаспределениеЗапасов 2947-3116).
    h.em.store.model.defs.get(ORDERS)!.onPost = () => {
      throw new Error('Недостаточно остатка в наличии');
    };
    await h.noWait.book(h.booking('REF-1', 'C-1', 1));
    expect(await until(() => pending(h!.db) === 0)).toBe(true);
    const [job] = jobs(h);
    expect(job).toMatchObject({ state: 'dead', attempts: 1 });
    expect(job.error).toMatch(/Недостаточно остатка в наличии/);
    expect(h.db.prepare(`SELECT status FROM orders WHERE id = 'REF-1'`).pluck().get()).toBe(0);
  });
});
