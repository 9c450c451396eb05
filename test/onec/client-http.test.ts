import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq, fromNaive, ODataClient, ODataRepeatedPage, type ODataClientOptions } from '../../src/onec/index.js';
import { sendJson, startServer, type Handler } from './http-helpers.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server | undefined;
let client: ODataClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});
async function setup(handler: Handler, opts: Partial<ODataClientOptions> = {}) {
  server = await startServer(handler);
  client = new ODataClient({ url: server.url, retryBaseMs: 1, ...opts });
  return { server, client };
}

const G = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const TZ = 'Europe/Moscow';

/** Serves a set of `n` rows with $orderby/$top/$skip like 1C (no nextLink). */
function pagedSet(n: number, opts: { ignoreSkip?: boolean } = {}): Handler {
  const rows = Array.from({ length: n }, (_, i) => ({ Ref_Key: G(n - i), Code: String(i), Date: '2024-01-01T10:00:00' }));
  return (req, res) => {
    const order = req.query.get('$orderby');
    const sorted = order === 'Ref_Key' ? [...rows].sort((a, b) => a.Ref_Key.localeCompare(b.Ref_Key)) : rows;
    const skip = opts.ignoreSkip ? 0 : Number(req.query.get('$skip') ?? 0);
    const top = Number(req.query.get('$top') ?? 1e9);
    sendJson(res, 200, { 'odata.metadata': 'x', value: sorted.slice(skip, skip + top) });
  };
}

describe('stream: paging without nextLink', () => {
  it('reads 250 rows as key-ordered pages of 100, 100, 50 and stops on the short page', async () => {
    const { client, server } = await setup(pagedSet(250));
    const sizes: number[] = [];
    const keys: string[] = [];
    for await (const page of client.stream('Catalog_Номенклатура', { pageSize: 100, select: ['Ref_Key', 'Code'] })) {
      sizes.push(page.length);
      keys.push(...page.map((r) => r.Ref_Key as string));
    }
    expect(sizes).toEqual([100, 100, 50]);
    expect(new Set(keys).size).toBe(250);
    expect(keys).toEqual([...keys].sort());
    expect(server.seen.map((s) => [s.query.get('$orderby'), s.query.get('$top'), s.query.get('$skip')])).toEqual([
      ['Ref_Key', '100', null],
      ['Ref_Key', '100', '100'],
      ['Ref_Key', '100', '200'],
    ]);
    expect(server.seen[0].query.get('$format')).toBe('json');
    expect(server.seen[0].query.get('allowedOnly')).toBe('true');
  });

  it('an exact multiple ends with one empty page', async () => {
    const { client, server } = await setup(pagedSet(200));
    const rows = await client.all('Catalog_X', { pageSize: 100 });
    expect(rows).toHaveLength(200);
    expect(server.seen).toHaveLength(3);
    expect(rows[0].Date).toEqual(fromNaive('2024-01-01T10:00:00', TZ));
  });

  it('a server that ignores $skip gives ODataRepeatedPage, not an endless loop', async () => {
    const { client, server } = await setup(pagedSet(250, { ignoreSkip: true }));
    const err = await client.all('Catalog_X', { pageSize: 100 }).catch((e) => e);
    expect(err).toBeInstanceOf(ODataRepeatedPage);
    expect(err.message).toContain('$skip=100');
    expect(server.seen).toHaveLength(2);
  });

  it('orders by the given key fields (register records)', async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 200, { value: [] }));
    await client.all('InformationRegister_ШтрихкодыНоменклатуры', { keyFields: ['Штрихкод'], filter: eq('Номенклатура_Key', G(1)) });
    expect(server.seen[0].query.get('$orderby')).toBe('Штрихкод');
    expect(server.seen[0].query.get('$filter')).toBe(`Номенклатура_Key eq guid'${G(1)}'`);
  });
});

describe('reads', () => {
  it('count: /$count as a plain number', async () => {
    const { client, server } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain;charset=utf-8' });
      res.end('\uFEFF42');
    });
    expect(await client.count('Catalog_Номенклатура', { filter: eq('IsFolder', false) })).toBe(42);
    expect(server.seen[0].path).toBe('Catalog_Номенклатура/$count');
    expect(server.seen[0].query.get('$filter')).toBe('IsFolder eq false');
  });

  it('listCounted: odata.count arrives as a string', async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 200, { 'odata.count': '19', value: [{ Ref_Key: G(1) }] }));
    expect(await client.listCounted('Catalog_X', { top: 1 })).toEqual({ rows: [{ Ref_Key: G(1) }], count: 19 });
    expect(server.seen[0].query.get('$inlinecount')).toBe('allpages');
  });

  it('get by key, with $select and $expand', async () => {
    const { client, server } = await setup((_req, res) =>
      sendJson(res, 200, { 'odata.metadata': 'x#Catalog_X/@Element', Ref_Key: G(1), Parent_Key: '00000000-0000-0000-0000-000000000000' }),
    );
    expect(await client.get('Catalog_X', G(1), { select: ['Ref_Key', 'Parent_Key', 'Parent/Description'], expand: 'Parent' })).toEqual({
      Ref_Key: G(1),
      Parent_Key: null,
    });
    expect(server.seen[0].path).toBe(`Catalog_X(guid'${G(1)}')`);
    expect(server.seen[0].query.get('$expand')).toBe('Parent');
    expect(server.seen[0].query.get('allowedOnly')).toBeNull();
  });
});

describe('virtual tables', () => {
  it('Balance(Period, Condition, Dimensions) with inner quotes as live bases expect', async () => {
    const { client, server } = await setup((_req, res) =>
      sendJson(res, 200, { value: [{ Номенклатура_Key: G(1), Склад_Key: G(2), ВНаличииBalance: 5 }] }),
    );
    const rows = await client.balance(
      'AccumulationRegister_ТоварыНаСкладах',
      { period: fromNaive('2024-02-01T00:00:00', TZ), condition: eq('Склад_Key', G(2)), dimensions: ['Номенклатура', 'Склад'] },
      { select: ['Номенклатура_Key', 'ВНаличииBalance'], filter: eq('ВНаличииBalance', 5) },
    );
    expect(rows).toEqual([{ Номенклатура_Key: G(1), Склад_Key: G(2), ВНаличииBalance: 5 }]);
    expect(server.seen[0].path).toBe(
      `AccumulationRegister_ТоварыНаСкладах/Balance(Period=datetime'2024-02-01T00:00:00',Condition='Склад_Key eq guid'${G(2)}'',Dimensions='Номенклатура,Склад')`,
    );
    expect(server.seen[0].rawUrl).not.toMatch(/\+/);
    expect(server.seen[0].query.get('$select')).toBe('Номенклатура_Key,ВНаличииBalance');
  });

  it('Turnovers, BalanceAndTurnovers, SliceLast/SliceFirst on _RecordType', async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 200, { value: [] }));
    const start = fromNaive('2024-01-01T00:00:00', TZ);
    const end = fromNaive('2024-02-01T00:00:00', TZ);
    await client.turnovers('AccumulationRegister_Продажи', { start, end });
    await client.balanceAndTurnovers('AccumulationRegister_Продажи', { start, end, condition: "Склад_Key eq guid'x'" });
    await client.sliceLast('InformationRegister_ЦеныНоменклатуры25', { recordType: true, condition: and(eq('ВидЦены_Key', G(3))) }, { top: 5 });
    await client.sliceFirst('InformationRegister_КурсыВалют', { period: start });
    await client.sliceLast('InformationRegister_КурсыВалют');
    expect(server.seen.map((s) => s.path)).toEqual([
      "AccumulationRegister_Продажи/Turnovers(StartPeriod=datetime'2024-01-01T00:00:00',EndPeriod=datetime'2024-02-01T00:00:00')",
      "AccumulationRegister_Продажи/BalanceAndTurnovers(StartPeriod=datetime'2024-01-01T00:00:00',EndPeriod=datetime'2024-02-01T00:00:00',Condition='Склад_Key eq guid'x'')",
      `InformationRegister_ЦеныНоменклатуры25_RecordType/SliceLast(Condition='ВидЦены_Key eq guid'${G(3)}'')`,
      "InformationRegister_КурсыВалют/SliceFirst(Period=datetime'2024-01-01T00:00:00')",
      'InformationRegister_КурсыВалют/SliceLast()',
    ]);
    expect(server.seen[2].query.get('$top')).toBe('5');
    // allowedOnly is for entity-set GETs only (vendor guide 17.4.5.4).
    expect(server.seen.every((s) => s.query.get('allowedOnly') === null)).toBe(true);
  });
});

describe('writes', () => {
  const entity = (body: Record<string, unknown>) => ({ 'odata.metadata': 'x', Ref_Key: G(9), DataVersion: 'AAAAAAAAAAA=', Number: 'УТ-1', ...body });

  it('create → POST 201 with the whole entity; body: naive dates, LineNumber 1..n as strings; optional load mode header', async () => {
    const { client, server } = await setup((req, res) => sendJson(res, 201, entity(JSON.parse(req.body)), { location: 'x' }));
    const created = await client.create(
      'Document_ЗаказКлиента',
      {
        Date: fromNaive('2024-03-01T12:00:00', TZ),
        Товары: [
          { LineNumber: 5, Номенклатура_Key: G(1), Количество: 2 },
          { Номенклатура_Key: G(2), Количество: 1 },
        ],
      },
      { dataLoadMode: true },
    );
    const sent = JSON.parse(server.seen[0].body);
    expect(sent).toEqual({
      Date: '2024-03-01T12:00:00',
      Товары: [
        { LineNumber: '1', Номенклатура_Key: G(1), Количество: 2 },
        { LineNumber: '2', Номенклатура_Key: G(2), Количество: 1 },
      ],
    });
    expect(server.seen[0].method).toBe('POST');
    expect(server.seen[0].path).toBe('Document_ЗаказКлиента');
    expect(server.seen[0].headers['1c_odata-dataloadmode']).toBe('true');
    expect(server.seen[0].headers['content-type']).toMatch(/application\/json/);
    expect(created.Ref_Key).toBe(G(9));
    expect(created.Date).toEqual(fromNaive('2024-03-01T12:00:00', TZ));
    expect((created.Товары as Record<string, unknown>[])[1].LineNumber).toBe(2);
  });

  it('update → PATCH 200; setDeletionMark; delete → 204; post/unpost bodyless with Content-Length: 0', async () => {
    const { client, server } = await setup((req, res) => {
      if (req.method === 'POST' && req.headers['content-length'] !== '0') {
        res.writeHead(411, { 'content-type': 'text/html' });
        return res.end('<html><title>411 Length Required</title></html>');
      }
      if (req.method === 'DELETE') {
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'POST') {
        res.writeHead(200);
        return res.end();
      }
      sendJson(res, 200, entity(JSON.parse(req.body || '{}')));
    });
    expect((await client.update('Catalog_X', G(9), { Description: 'Новое' })).Description).toBe('Новое');
    expect((await client.setDeletionMark('Catalog_X', G(9))).DeletionMark).toBe(true);
    await client.delete('InformationRegister_ШтрихкодыНоменклатуры', { Штрихкод: '4600 1' });
    await client.post('Document_ЗаказКлиента', G(9));
    await client.post('Document_ЗаказКлиента', G(9), { operational: true });
    await client.unpost('Document_ЗаказКлиента', G(9));
    expect(server.seen.map((s) => `${s.method} ${s.path} ${s.query.get('PostingModeOperational') ?? ''}`.trim())).toEqual([
      `PATCH Catalog_X(guid'${G(9)}')`,
      `PATCH Catalog_X(guid'${G(9)}')`,
      "DELETE InformationRegister_ШтрихкодыНоменклатуры(Штрихкод='4600 1')",
      `POST Document_ЗаказКлиента(guid'${G(9)}')/Post false`,
      `POST Document_ЗаказКлиента(guid'${G(9)}')/Post true`,
      `POST Document_ЗаказКлиента(guid'${G(9)}')/Unpost`,
    ]);
    expect(JSON.parse(server.seen[1].body)).toEqual({ DeletionMark: true });
    expect(server.seen[2].rawUrl).toContain("'4600%201'");
    expect(server.seen[2].rawUrl).not.toContain('+');
    expect(client.stats.byMethod).toEqual({ PATCH: 2, DELETE: 1, POST: 3 });
  });
});

const edmx = resolve(import.meta.dirname, '../../../shared/reference/onec-odata/samples/ut-real.edmx');
describe.skipIf(!existsSync(edmx))('metadata() drives normalisation', () => {
  it('reads $metadata once, then converts declared Int64 fields', async () => {
    const xml = readFileSync(edmx, 'utf8');
    const { client, server } = await setup((req, res) => {
      if (req.path === '$metadata') {
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(xml);
      }
      sendJson(res, 200, { value: [{ Period: '2024-01-01T00:00:00', Валюта_Key: G(1), Курс: 90.5, Кратность: '1' }] });
    });
    expect((await client.list('InformationRegister_КурсыВалют'))[0].Кратность).toBe('1');
    const md = await client.metadata();
    expect(await client.metadata()).toBe(md);
    expect(server.seen.filter((s) => s.path === '$metadata')).toHaveLength(1);
    expect(server.seen.find((s) => s.path === '$metadata')!.query.get('$format')).toBeNull();
    expect((await client.list('InformationRegister_КурсыВалют'))[0]).toEqual({
      Period: fromNaive('2024-01-01T00:00:00', TZ),
      Валюта_Key: G(1),
      Курс: 90.5,
      Кратность: 1,
    });
  });
});
