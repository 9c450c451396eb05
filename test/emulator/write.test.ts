import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { G, getJson, startTest, u } from './fixture.js';

let em: Emulator;
beforeEach(async () => {
  em = await startTest();
});
afterEach(() => em.close());

async function call(method: string, path: string, body?: unknown) {
  const sep = path.includes('?') ? '&' : '?';
  const res = await fetch(`${em.url}/${u(path)}${sep}$format=json`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* empty */
  }
  return { status: res.status, body: json, headers: res.headers };
}

/** A raw HTTP/1.1 exchange, to see header bytes exactly as sent. */
function rawRequest(port: number, head: string, body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
    const b = Buffer.from(body, 'utf8');
    s.write(Buffer.concat([Buffer.from(`${head}\r\nContent-Length: ${b.length}\r\nConnection: close\r\n\r\n`, 'utf8'), b]));
  });
}

describe('emulator writes', () => {
  it('POST → 201 with a raw UTF-8 Location (not percent-encoded) and the whole entity', async () => {
    const path = `/demo/odata/standard.odata/${encodeURIComponent('Catalog_Номенклатура')}?$format=json`;
    const raw = await rawRequest(em.port, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json`, JSON.stringify({ Description: 'Пила', Артикул: 'P-9' }));
    const headEnd = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, headEnd);
    expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 201/);
    const body = JSON.parse(raw.subarray(headEnd + 4).toString('utf8'));
    const expected = Buffer.from(`Location: ${em.url}/Catalog_Номенклатура(guid'${body.Ref_Key}')`, 'utf8');
    expect(head.indexOf(expected)).toBeGreaterThan(0);
    expect(head.toString('latin1')).not.toMatch(/Location: [^\r]*%D0/);
    expect(body).toMatchObject({ Description: 'Пила', Артикул: 'P-9', DataVersion: 'AAAAAAAAAAA=', Code: 'УТ-00000005', DeletionMark: false });
    expect(body['odata.metadata']).toContain('#Catalog_Номенклатура/@Element');
    expect(em.store.get('Catalog_Номенклатура', body.Ref_Key)?.Description).toBe('Пила');
  });

  it('undici/fetch reads the Location back as the same Cyrillic URL', async () => {
    const r = await call('POST', 'Catalog_Склады', { Description: 'Новый' });
    expect(r.status).toBe(201);
    const loc = Buffer.from(r.headers.get('location')!, 'latin1').toString('utf8');
    expect(loc).toBe(`${em.url}/Catalog_Склады(guid'${r.body.Ref_Key}')`);
    expect(r.body.Code).toBe('000000003');
  });

  it('documents are auto-numbered with the prefix; unknown properties ignored; long strings truncated', async () => {
    const a = await call('POST', 'Document_ЗаказКлиента', { Комментарий: 'x', НетТакогоПоля: 1 });
    expect(a.status).toBe(201);
    expect(a.body.Number).toBe('ТД00-000042');
    expect(a.body.Posted).toBe(false);
    expect(a.body).not.toHaveProperty('НетТакогоПоля');
    const b = await call('POST', 'Document_ЗаказКлиента', {});
    expect(b.body.Number).toBe('ТД00-000043');
    const c = await call('POST', 'Catalog_Контрагенты', { Description: 'ИП', Комментарий: '0123456789ABCDEF' });
    expect(c.body.Комментарий).toBe('0123456789');
  });

  it('string into Edm.Guid → 400 code 1; broken JSON → 500 code -1; array into a string → 500 -1', async () => {
    const g = await call('POST', 'Catalog_Номенклатура', { ЕдиницаИзмерения_Key: 'not-a-guid' });
    expect(g.status).toBe(400);
    expect(g.body['odata.error'].code).toBe('1');
    expect(g.body['odata.error'].message.value).toBe("Не удалось разобрать строку 'not-a-guid' как значение типа Edm.Guid!");
    const j = await call('POST', 'Catalog_Номенклатура', '{"Description": ');
    expect(j.status).toBe(500);
    expect(j.body['odata.error']).toEqual({ code: '-1', message: { lang: 'ru', value: 'Непредвиденный символ при чтении JSON' } });
    const a = await call('POST', 'Catalog_Номенклатура', { Description: ['x'] });
    expect(a.status).toBe(500);
    expect(a.body['odata.error'].code).toBe('-1');
    const i = await call('POST', 'Catalog_Номенклатура', { Description: 'ok', СрокГодности: 'abc' });
    expect(i.status).toBe(201);
    expect(i.body.СрокГодности).toBe('0');
    expect(em.store.count('Catalog_Номенклатура')).toBe(5);
  });

  it('PATCH → 200 with the whole entity; DataVersion changes; tabular part replaced whole', async () => {
    const before = em.store.get('Document_ЗаказКлиента', G.order1)!.DataVersion;
    const r = await call('PATCH', `Document_ЗаказКлиента(guid'${G.order1}')`, {
      Комментарий: 'изменён',
      Товары: [{ LineNumber: '1', Номенклатура_Key: G.item3, Количество: 1, Цена: 500, Сумма: 500 }],
    });
    expect(r.status).toBe(200);
    expect(r.body.Комментарий).toBe('изменён');
    expect(r.body.Number).toBe('ТД00-000041');
    expect(r.body.Товары).toHaveLength(1);
    expect(r.body.Товары[0]).toMatchObject({ LineNumber: '1', Номенклатура_Key: G.item3, Ref_Key: G.order1 });
    expect(r.body.DataVersion).not.toBe(before);
    expect(r.body.DataVersion).toBe('AAAAAAAAAAE=');
    const t = await getJson(em, u('Document_ЗаказКлиента_Товары'));
    expect(t.body.value).toHaveLength(1);
  });

  it('LineNumber must run 1..n: 400 when not starting at 1, 500 -1 when missing; nothing is changed', async () => {
    const bad = await call('PATCH', `Document_ЗаказКлиента(guid'${G.order1}')`, { Товары: [{ LineNumber: 2, Количество: 1 }] });
    expect(bad.status).toBe(400);
    const missing = await call('PATCH', `Document_ЗаказКлиента(guid'${G.order1}')`, { Товары: [{ Количество: 1 }] });
    expect(missing.status).toBe(500);
    expect(missing.body['odata.error'].code).toBe('-1');
    expect((em.store.get('Document_ЗаказКлиента', G.order1)!.Товары as unknown[]).length).toBe(2);
  });

  it('POST to a tabular part set → 400 code 13', async () => {
    const r = await call('POST', 'Document_ЗаказКлиента_Товары', { Ref_Key: G.order1, LineNumber: 3 });
    expect(r.status).toBe(400);
    expect(r.body['odata.error']).toEqual({ code: '13', message: { lang: 'ru', value: 'Cоздание строк табличной части напрямую не поддерживается' } });
  });

  it('DELETE → 204, then 404 code 9', async () => {
    const r = await call('DELETE', `Catalog_Склады(guid'${G.wh2}')`);
    expect(r.status).toBe(204);
    expect(r.body).toBe('');
    const again = await call('DELETE', `Catalog_Склады(guid'${G.wh2}')`);
    expect(again.status).toBe(404);
    expect(again.body['odata.error'].code).toBe('9');
  });

  it('Post writes register records through the hook, Unpost removes them; a deletion-marked document is refused', async () => {
    const stockOf = () =>
      getJson(em, u(`AccumulationRegister_ТоварыНаСкладах/Balance(Condition='Склад_Key eq guid'${G.wh1}'')?$filter=Номенклатура_Key eq guid'${G.item1}'`));
    expect((await stockOf()).body.value[0].ВНаличииBalance).toBe(10);
    const p = await call('POST', `Document_ЗаказКлиента(guid'${G.order1}')/Post?PostingModeOperational=false`);
    expect(p.status).toBe(200);
    const doc = em.store.get('Document_ЗаказКлиента', G.order1)!;
    expect(doc.Posted).toBe(true);
    expect((await stockOf()).body.value[0].ВНаличииBalance).toBe(8);
    const recs = em.store.get('AccumulationRegister_ТоварыНаСкладах', { Recorder_Key: G.order1 })!;
    expect((recs.RecordSet as any[]).map((r) => [r.LineNumber, r.RecordType, r.Period])).toEqual([
      [1, 'Expense', '2026-01-15T10:00:00'],
      [2, 'Expense', '2026-01-15T10:00:00'],
    ]);
    const u1 = await call('POST', `Document_ЗаказКлиента(guid'${G.order1}')/Unpost`);
    expect(u1.status).toBe(200);
    expect(em.store.get('Document_ЗаказКлиента', G.order1)!.Posted).toBe(false);
    expect((await stockOf()).body.value[0].ВНаличииBalance).toBe(10);
    await call('PATCH', `Document_ЗаказКлиента(guid'${G.order1}')`, { DeletionMark: true });
    const refused = await call('POST', `Document_ЗаказКлиента(guid'${G.order1}')/Post`);
    expect(refused.status).toBe(500);
    expect(refused.body['odata.error'].code).toBe('-1');
    expect(em.store.get('Document_ЗаказКлиента', G.order1)!.Posted).toBe(false);
  });

  it('Posted cannot be written directly; a posted document cannot be marked for deletion (500 -1)', async () => {
    const p = await call('PATCH', `Document_ПриходТоваров(guid'${G.receipt}')`, { Posted: false, DeletionMark: true });
    expect(p.status).toBe(500);
    expect(p.body['odata.error'].code).toBe('-1');
    const q = await call('PATCH', `Document_ЗаказКлиента(guid'${G.order1}')`, { Posted: true });
    expect(q.status).toBe(200);
    expect(q.body.Posted).toBe(false);
  });

  it('a bodyless POST without Content-Length → 411 like IIS', async () => {
    const path = `/demo/odata/standard.odata/${encodeURIComponent('Document_ЗаказКлиента')}(guid'${G.order1}')/Post`;
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const s = connect(em.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      s.on('data', (c) => chunks.push(c));
      s.on('end', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
      s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    });
    expect(raw.toString('latin1')).toMatch(/^HTTP\/1\.1 411/);
    expect(em.store.get('Document_ЗаказКлиента', G.order1)!.Posted).toBe(false);
  });

  it('a posting hook that throws refuses with 500 code -1 and its message', async () => {
    const d = await call('POST', 'Document_ЗаказКлиента', {});
    const r = await call('POST', `Document_ЗаказКлиента(guid'${d.body.Ref_Key}')/Post`);
    expect(r.status).toBe(500);
    expect(r.body['odata.error'].code).toBe('-1');
    expect(r.body['odata.error'].message.value).toContain('Не заполнена табличная часть Товары');
  });

  it('independent information register: POST → 200, duplicate key → 400; PATCH and DELETE by named keys', async () => {
    const rec = { Period: '2026-01-16T00:00:00', Заказ_Key: G.order1, СтатусЗаказа: '2', СуммаОплаты: 300 };
    const a = await call('POST', 'InformationRegister_ReGate_СтатусыЗаказов', rec);
    expect(a.status).toBe(200);
    expect(a.body.СтатусЗаказа).toBe('2');
    const dup = await call('POST', 'InformationRegister_ReGate_СтатусыЗаказов', rec);
    expect(dup.status).toBe(400);
    const key = `InformationRegister_ReGate_СтатусыЗаказов(Period=datetime'2026-01-16T00:00:00',Заказ_Key=guid'${G.order1}')`;
    const p = await call('PATCH', key, { Комментарий: 'оплачен' });
    expect(p.status).toBe(200);
    expect(p.body.Комментарий).toBe('оплачен');
    expect((await call('DELETE', key)).status).toBe(204);
    expect(em.store.count('InformationRegister_ReGate_СтатусыЗаказов')).toBe(1);
  });

  it('the in-process store API reads and writes synchronously', () => {
    const row = em.store.insert('Catalog_Номенклатура', { Description: 'Из теста', СрокГодности: 3 });
    expect(row.Code).toBe('УТ-00000005');
    expect(em.store.get('Catalog_Номенклатура', row.Ref_Key as string)).toBe(row);
    em.store.update('Catalog_Номенклатура', row.Ref_Key as string, { Description: 'Изменён' });
    expect(em.store.list('Catalog_Номенклатура').find((r) => r.Ref_Key === row.Ref_Key)?.Description).toBe('Изменён');
    em.store.remove('Catalog_Номенклатура', row.Ref_Key as string);
    expect(em.store.count('Catalog_Номенклатура')).toBe(4);
  });
});
