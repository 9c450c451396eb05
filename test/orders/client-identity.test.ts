import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/orders/errors.js';
import { EXT, harness, until, type Harness } from './harness.js';

// Issue 13.1: `client` with a new clientId and the ИНН of a counterparty already bound to another store client
// answered `found`, attached the new id to that company, showed its balance and let `clientupd` rename it in 1C.
// Identity is the external id; an ИНН bound to another store client is a 409 naming the conflict.
const CP = 'Catalog_Контрагенты';
const PARTNERS = 'Catalog_Партнеры';

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e, 'expected the call to be refused').toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe('client identity: external id first, an ИНН never silently shared', () => {
  let h: Harness;
  let boundInn: string;
  let boundOwner: string;
  beforeAll(async () => {
    h = await harness();
    const cp = h.em.store.list(CP).find((r) => typeof r[EXT] === 'string' && r[EXT] && /^\d{10}$/.test(String(r.ИНН)))!;
    boundInn = String(cp.ИНН);
    boundOwner = String(cp[EXT]);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a new clientId with the ИНН of a 1C counterparty bound to another store client → 409 naming it; 1C untouched', async () => {
    const partnersBefore = structuredClone(h.em.store.list(PARTNERS));
    const err = await rejection(h.orders.client({ clientId: 'ATT-1', name: 'Захватчик', inn: boundInn }));
    expect(err.kind).toBe('conflict');
    expect(err.fields.map((f) => f.field)).toEqual(['inn']);
    expect(err.message).toContain(boundOwner);
    // nothing attached: no partner key locally, no partner or counterparty in 1C carries the attacker's id
    expect(h.db.prepare(`SELECT partner_key FROM clients WHERE id = 'ATT-1'`).pluck().get() ?? null).toBeNull();
    expect(h.em.store.list(PARTNERS).filter((r) => r[EXT] === 'ATT-1')).toHaveLength(0);
    expect(h.em.store.list(CP).filter((r) => r[EXT] === 'ATT-1')).toHaveLength(0);
    expect(h.em.store.list(PARTNERS)).toEqual(partnersBefore);
    // asked again: still a conflict (not `found` from the local row), and no order can be booked on it
    expect((await rejection(h.orders.client({ clientId: 'ATT-1', name: 'Захватчик', inn: boundInn }))).kind).toBe('conflict');
    expect((await rejection(h.noWait.book(h.booking('ATT-O-1', 'ATT-1')))).kind).toBe('conflict');
  });

  it('clientupd to a correct ИНН clears the conflict; the client is then created in 1C', async () => {
    // a clientupd of another field first: nothing to update in 1C, and no dead job holding the client's key
    await h.orders.clientUpdate({ clientId: 'ATT-1', phone: '+7 900 000-00-09' });
    expect(await until(() => h.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE key = 'client:ATT-1' AND state IN ('pending', 'running')`).pluck().get() === 0, 5000)).toBe(true);
    expect(h.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE key = 'client:ATT-1' AND state = 'dead'`).pluck().get()).toBe(0);
    await h.orders.clientUpdate({ clientId: 'ATT-1', inn: '500100732259' });
    expect(await until(() => !!h.db.prepare(`SELECT partner_key FROM clients WHERE id = 'ATT-1'`).pluck().get(), 5000)).toBe(true);
    const r = await h.orders.client({ clientId: 'ATT-1', name: 'Захватчик' });
    expect(r.body.result).toBe('found');
    expect(h.em.store.list(PARTNERS).filter((p) => p[EXT] === 'ATT-1')).toHaveLength(1);
  });

  it('an ИНН already used by another local store client → 409 at once, before 1C is asked (client and clientupd)', async () => {
    await h.noWait.client({ clientId: 'LOC-A', name: 'Первый', inn: '7736207543' });
    const err = await rejection(h.noWait.client({ clientId: 'LOC-B', name: 'Второй', inn: '7736207543' }));
    expect(err.kind).toBe('conflict');
    expect(err.message).toContain('LOC-A');
    expect(h.db.prepare(`SELECT COUNT(*) FROM clients WHERE id = 'LOC-B'`).pluck().get()).toBe(0);
    await h.noWait.client({ clientId: 'LOC-C', name: 'Третий' });
    const upd = await rejection(h.noWait.clientUpdate({ clientId: 'LOC-C', inn: '7736207543' }));
    expect(upd.kind).toBe('conflict');
    expect(h.db.prepare(`SELECT inn FROM clients WHERE id = 'LOC-C'`).pluck().get()).toBeNull();
  });

  it('an ИНН of a 1C counterparty bound to nobody is adopted (an existing 1C customer registering in the store)', async () => {
    const cp = h.em.store.list(CP).find((r) => r[EXT] === boundOwner)!;
    const partnerKey = String(cp.Партнер_Key);
    const freeCp = h.em.store.insert(CP, { Description: 'ООО Свободная', ИНН: '7702070139', КПП: '770201001', ЮрФизЛицо: 'ЮрЛицо', Партнер_Key: h.em.store.insert(PARTNERS, { Description: 'ООО Свободная' }).Ref_Key });
    expect(partnerKey).toBeTruthy();
    const r = await h.orders.client({ clientId: 'ADOPT-1', name: 'ООО Свободная', inn: '7702070139' });
    expect(r.body.result).toBe('found');
    expect(h.db.prepare(`SELECT counterparty_key FROM clients WHERE id = 'ADOPT-1'`).pluck().get()).toBe(freeCp.Ref_Key);

    // The shop renames its client: the company's record in 1C keeps its names and ИНН (the accountant's, on every
    // invoice); the phone the shop sends still goes to 1C.
    const legal = 'Общество с ограниченной ответственностью «Свободная»';
    h.em.store.update(CP, String(freeCp.Ref_Key), { НаименованиеПолное: legal });
    const partnerOf = String(freeCp.Партнер_Key);
    await h.orders.clientUpdate({ clientId: 'ADOPT-1', name: 'Свободная (магазин)', phone: '+7 900 222-33-44', inn: '7702070139' });
    expect(await until(() => (h.db.prepare(`SELECT count(*) FROM outbox_jobs WHERE state IN ('pending', 'running')`).pluck().get() as number) === 0)).toBe(true);
    expect(h.em.store.get(CP, String(freeCp.Ref_Key))).toMatchObject({ Description: 'ООО Свободная', НаименованиеПолное: legal, ИНН: '7702070139', КПП: '770201001' });
    expect(h.em.store.get(PARTNERS, partnerOf)).toMatchObject({ Description: 'ООО Свободная' });
    const phones = (h.em.store.get(CP, String(freeCp.Ref_Key))!.КонтактнаяИнформация as { Представление: string }[]).map((c) => c.Представление);
    expect(phones).toContain('+7 900 222-33-44');
    const job = h.db.prepare(`SELECT result FROM outbox_jobs WHERE kind = 'client.update' ORDER BY id DESC LIMIT 1`).pluck().get() as string;
    expect(JSON.parse(job).keptAsInOneC).toEqual(expect.arrayContaining(['Description', 'НаименованиеПолное', 'ИНН']));
  });
});

describe('client identity without the extension: a partner already bound locally is not shared', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ extension: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a second store client whose ИНН finds the partner of the first one → 409', async () => {
    const cp = h.em.store.list(CP).find((r) => /^\d{10}$/.test(String(r.ИНН)))!;
    const inn = String(cp.ИНН);
    const first = await h.orders.client({ clientId: 'NX-A', name: 'Первый', inn });
    expect(first.body.result).toBe('found');
    // The local row of the first client lost its ИНН (a clientupd that cleared it would do the same): only the
    // partner key links it to the company now.
    h.db.prepare(`UPDATE clients SET inn = NULL WHERE id = 'NX-A'`).run();
    const err = await rejection(h.orders.client({ clientId: 'NX-B', name: 'Второй', inn }));
    expect(err.kind).toBe('conflict');
    expect(err.message).toContain('NX-A');
  });
});
