import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { parseConfig } from '../../src/config/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { harness, pending, until, type Harness } from './harness.js';

/**
 * Clients as the shop keeps them (issue 14.6): `client` finds a known client by its id alone; `clientupd` writes
 * the name as both names and the phone, e-mail and address as contact information of the configuration's
 * predefined kinds (Партнеры: ТелефонПартнера, EmailПартнера, АдресПартнера; Контрагенты: ТелефонКонтрагента,
 * EmailКонтрагента, ФактАдресКонтрагента), keeping every other row a manager entered.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Row = Record<string, unknown>;
const hash = await hashPassword('p');
const auth = 'Basic ' + Buffer.from('rs:p').toString('base64');
const PARTNERS = 'Catalog_Партнеры';
const COUNTERPARTIES = 'Catalog_Контрагенты';

function apiOf(hh: Harness) {
  const config = parseConfig({ auth: { users: [{ name: 'rs', passwordHash: hash }] } });
  const catalog = new CatalogService(hh.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const app = createApp({ config, logger: silentLogger, services: { catalog, orders: hh.orders, health: { ready: async () => ({ ready: true, checks: [] }) } } });
  return async (path: string, body: unknown) => {
    const r = await app.request(`/api/v1/${path}`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
}

/** The predefined kind's Ref_Key in the emulated base, by its name in the dump's Predefined.xml. */
const kind = (hh: Harness, name: string) => String(hh.em.store.list('Catalog_ВидыКонтактнойИнформации').find((k) => k.PredefinedDataName === name)?.Ref_Key);
const keysOf = (hh: Harness, id: string) => hh.db.prepare(`SELECT partner_key AS p, counterparty_key AS c FROM clients WHERE id = ?`).get(id) as { p: string; c: string };
const contacts = (row: Row | undefined) => ((row?.КонтактнаяИнформация as Row[]) ?? []).map((r) => ({ Тип: r.Тип, Вид_Key: r.Вид_Key, Представление: r.Представление }));

describe('client contact information and names in 1C', () => {
  it('a new client: phone, e-mail and address under the predefined kinds of the partner and of the counterparty', async () => {
    h = await harness();
    const hh = h;
    const post = apiOf(hh);
    const r = await post('client', { clientId: 'CC-1', name: 'Иванов Иван Иванович', phone: '+7 900 000-00-00', email: 'ivanov@example.ru', address: 'Москва, ул. Тверская, д. 1' });
    expect(r.status).toBe(201);
    const k = keysOf(hh, 'CC-1');
    const partner = hh.em.store.get(PARTNERS, k.p);
    expect(partner).toMatchObject({ Description: 'Иванов Иван Иванович', НаименованиеПолное: 'Иванов Иван Иванович' });
    expect(contacts(partner)).toEqual([
      { Тип: 'Телефон', Вид_Key: kind(hh, 'ТелефонПартнера'), Представление: '+7 900 000-00-00' },
      { Тип: 'АдресЭлектроннойПочты', Вид_Key: kind(hh, 'EmailПартнера'), Представление: 'ivanov@example.ru' },
      { Тип: 'Адрес', Вид_Key: kind(hh, 'АдресПартнера'), Представление: 'Москва, ул. Тверская, д. 1' },
    ]);
    expect(contacts(hh.em.store.get(COUNTERPARTIES, k.c))).toEqual([
      { Тип: 'Телефон', Вид_Key: kind(hh, 'ТелефонКонтрагента'), Представление: '+7 900 000-00-00' },
      { Тип: 'АдресЭлектроннойПочты', Вид_Key: kind(hh, 'EmailКонтрагента'), Представление: 'ivanov@example.ru' },
      { Тип: 'Адрес', Вид_Key: kind(hh, 'ФактАдресКонтрагента'), Представление: 'Москва, ул. Тверская, д. 1' },
    ]);
    expect([...hh.em.store.ignored]).toEqual([]);
  });

  it('clientupd writes the new name as both names and the address under its kind, keeping a manager’s other rows', async () => {
    h = await harness();
    const hh = h;
    const post = apiOf(hh);
    await post('client', { clientId: 'CC-2', name: 'Петров', phone: '+7 900 111-11-11' });
    const k = keysOf(hh, 'CC-2');
    // A manager adds the legal address of the counterparty and a second phone of the partner in 1C.
    const legal = { Тип: 'Адрес', Вид_Key: kind(hh, 'ЮрАдресКонтрагента'), Представление: 'Москва, Красная пл., 1' };
    hh.em.store.update(COUNTERPARTIES, k.c, { КонтактнаяИнформация: [...(hh.em.store.get(COUNTERPARTIES, k.c)!.КонтактнаяИнформация as Row[]), { LineNumber: 2, ...legal }] });
    const other = { Тип: 'Другое', Вид_Key: kind(hh, 'ДругаяИнформацияКонтрагенты'), Представление: 'звонить после 18' };
    hh.em.store.update(COUNTERPARTIES, k.c, { КонтактнаяИнформация: [...(hh.em.store.get(COUNTERPARTIES, k.c)!.КонтактнаяИнформация as Row[]), { LineNumber: 3, ...other }] });

    const r = await post('clientupd', { clientId: 'CC-2', name: 'Петров Пётр Петрович', address: 'Казань, ул. Баумана, 5' });
    expect(r.status).toBe(202);
    expect(await until(() => pending(hh.db) === 0)).toBe(true);
    const partner = hh.em.store.get(PARTNERS, k.p)!;
    const counterparty = hh.em.store.get(COUNTERPARTIES, k.c)!;
    for (const row of [partner, counterparty]) expect(row).toMatchObject({ Description: 'Петров Пётр Петрович', НаименованиеПолное: 'Петров Пётр Петрович' });
    expect(contacts(partner)).toEqual([
      { Тип: 'Телефон', Вид_Key: kind(hh, 'ТелефонПартнера'), Представление: '+7 900 111-11-11' },
      { Тип: 'Адрес', Вид_Key: kind(hh, 'АдресПартнера'), Представление: 'Казань, ул. Баумана, 5' },
    ]);
    expect(contacts(counterparty)).toEqual([
      legal,
      other,
      { Тип: 'Телефон', Вид_Key: kind(hh, 'ТелефонКонтрагента'), Представление: '+7 900 111-11-11' },
      { Тип: 'Адрес', Вид_Key: kind(hh, 'ФактАдресКонтрагента'), Представление: 'Казань, ул. Баумана, 5' },
    ]);

    // Again with another address: one address row of the kind, replaced, not added.
    await post('clientupd', { clientId: 'CC-2', address: 'Казань, ул. Пушкина, 10' });
    expect(await until(() => pending(hh.db) === 0)).toBe(true);
    const addresses = contacts(hh.em.store.get(PARTNERS, k.p)).filter((c) => c.Тип === 'Адрес');
    expect(addresses).toEqual([{ Тип: 'Адрес', Вид_Key: kind(hh, 'АдресПартнера'), Представление: 'Казань, ул. Пушкина, 10' }]);
    expect(contacts(hh.em.store.get(COUNTERPARTIES, k.c)).map((c) => c.Представление)).toEqual(['Москва, Красная пл., 1', 'звонить после 18', '+7 900 111-11-11', 'Казань, ул. Пушкина, 10']);
    expect([...hh.em.store.ignored]).toEqual([]);
  });

  it('client by its id alone: a known client is found with its balance; an unknown one without a name is 404 naming name', async () => {
    h = await harness();
    const post = apiOf(h);
    expect((await post('client', { clientId: 'CC-3', name: 'Сидоров' })).status).toBe(201);
    const found = await post('client', { clientId: 'CC-3' });
    expect(found).toMatchObject({ status: 200, body: { clientId: 'CC-3', result: 'found', balance: 0 } });
    const nf = await post('client', { clientId: 'CC-404' });
    expect(nf.status).toBe(404);
    expect(nf.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['clientId', 'name']);
    expect(h.db.prepare(`SELECT count(*) FROM clients WHERE id = 'CC-404'`).pluck().get()).toBe(0);
  });
});
