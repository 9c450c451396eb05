import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { G, getJson, PNG, startTest, u } from './fixture.js';

let em: Emulator;
beforeAll(async () => {
  em = await startTest();
});
afterAll(() => em.close());

describe('emulator reads: the dialect', () => {
  it('collection envelope, Int64 as strings, naive dates, empty refs, composite X + X_Type', async () => {
    const r = await getJson(em, u(`Catalog_Номенклатура(guid'${G.item1}')`));
    expect(r.status).toBe(200);
    expect(r.body['odata.metadata']).toBe(`${em.url}/$metadata#Catalog_Номенклатура/@Element`);
    expect(r.body.СрокГодности).toBe('12');
    expect(r.body.Вес).toBe(0.5);
    expect(r.body.ДополнительныеРеквизиты).toEqual([{ Ref_Key: G.item1, LineNumber: '1', Значение: 'синий' }]);
    expect(r.body.DataVersion).toBe('AAAAAAAAAAA=');
    const i3 = await getJson(em, u(`Catalog_Номенклатура(guid'${G.item3}')`));
    expect(i3.body.ЕдиницаИзмерения_Key).toBe('00000000-0000-0000-0000-000000000000');
    expect(i3.body.СрокГодности).toBe('0');
    expect(i3.body.Parent_Key).toBe('00000000-0000-0000-0000-000000000000');
    const d = await getJson(em, u(`Document_ЗаказКлиента(guid'${G.order1}')`));
    expect(d.body.Date).toBe('2026-01-15T10:00:00');
    expect(d.body.Основание).toBe(G.client);
    expect(d.body.Основание_Type).toBe('StandardODATA.Catalog_Контрагенты');
    expect(d.body.Товары[1].LineNumber).toBe('2');
    const c = await getJson(em, 'Catalog_Контрагенты');
    expect(c.body['odata.metadata']).toBe(`${em.url}/$metadata#Catalog_Контрагенты`);
    expect(Array.isArray(c.body.value)).toBe(true);
    expect(c.body.value[0]).not.toHaveProperty('odata.metadata');
    const p = await getJson(em, u('Document_ПриходТоваров'));
    const created = await fetch(`${em.url}/${u('Document_ЗаказКлиента')}?$format=json`, { method: 'POST', body: '{}' }).then((x) => x.json() as Promise<any>);
    expect(created.Основание_Type).toBe('StandardODATA.Undefined');
    expect(created.Основание).toBe('');
    expect(created.Date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(p.body.value[0].Posted).toBe(true);
  });

  it('minimal metadata adds Поле@navigationLinkUrl per reference; odata=nometadata drops metadata and links', async () => {
    const r = await getJson(em, u(`Document_ЗаказКлиента(guid'${G.order1}')`));
    expect(r.body['Контрагент@navigationLinkUrl']).toBe(`Document_ЗаказКлиента(guid'${G.order1}')/Контрагент`);
    expect(r.body.Товары[0]['Номенклатура@navigationLinkUrl']).toBe(`Document_ЗаказКлиента_Товары(Ref_Key=guid'${G.order1}',LineNumber=1)/Номенклатура`);
    const link = await getJson(em, u(r.body['Контрагент@navigationLinkUrl']));
    expect(link.body.Description).toBe('ООО Ромашка');
    const sel = await getJson(em, u(`Document_ЗаказКлиента(guid'${G.order1}')?$select=Number`));
    expect(Object.keys(sel.body).sort()).toEqual(['Number', 'odata.metadata']);
    const q = `$filter=${encodeURIComponent(`Ref_Key eq guid'${G.item1}'`)}`;
    const minimal = (await (await fetch(`${em.url}/${u('Catalog_Номенклатура')}?$format=json&${q}`)).json()) as any;
    expect(minimal.value[0]['ЕдиницаИзмерения@navigationLinkUrl']).toBe(`Catalog_Номенклатура(guid'${G.item1}')/ЕдиницаИзмерения`);
    const res = await fetch(`${em.url}/${u('Catalog_Номенклатура')}?$format=${encodeURIComponent('application/json;odata=nometadata')}&${q}`);
    const body = (await res.json()) as any;
    expect(body).not.toHaveProperty('odata.metadata');
    expect(Object.keys(body.value[0]).some((k) => k.includes('@'))).toBe(false);
    expect(body.value[0].Description).toBe('Молоток');
  });

  it('$inlinecount=allpages gives odata.count as a STRING and ignores $top/$skip (guide 17.4.6.2); /$count is plain text; $top/$skip/$orderby', async () => {
    const r = await getJson(em, u('Catalog_Номенклатура?$inlinecount=allpages&$top=2&$skip=1&$orderby=Code desc&$select=Code'));
    expect(r.body['odata.count']).toBe('4');
    expect(r.body.value).toEqual([{ Code: 'УТ-00000004' }, { Code: 'УТ-00000003' }, { Code: 'УТ-00000002' }, { Code: 'УТ-00000001' }]);
    const paged = await getJson(em, u('Catalog_Номенклатура?$top=2&$orderby=Code desc&$select=Code'));
    expect(paged.body.value).toEqual([{ Code: 'УТ-00000004' }, { Code: 'УТ-00000003' }]);
    const s = await getJson(em, u('Catalog_Номенклатура?$orderby=IsFolder desc,Description asc&$skip=1&$top=2&$select=Description'));
    expect(s.body.value.map((x: any) => x.Description)).toEqual(["Доставка 'срочная'", 'Молоток']);
    const c = await fetch(`${em.url}/${u("Catalog_Номенклатура/$count?$filter=IsFolder eq false")}`);
    expect(c.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await c.text()).toBe('3');
  });

  it('$select * and $expand only when the navigation field is also in $select', async () => {
    const base = `Catalog_Номенклатура(guid'${G.item1}')`;
    const noSel = await getJson(em, u(`${base}?$expand=ЕдиницаИзмерения`));
    expect(noSel.body).not.toHaveProperty('ЕдиницаИзмерения');
    const withKeyOnly = await getJson(em, u(`${base}?$select=Description,ЕдиницаИзмерения_Key&$expand=ЕдиницаИзмерения`));
    expect(withKeyOnly.body).not.toHaveProperty('ЕдиницаИзмерения');
    expect(withKeyOnly.body.ЕдиницаИзмерения_Key).toBe(G.unit);
    const sel = await getJson(em, u(`${base}?$select=Description,ЕдиницаИзмерения/Description&$expand=ЕдиницаИзмерения`));
    expect(sel.body.ЕдиницаИзмерения).toEqual({ Description: 'шт' });
    const whole = await getJson(em, u(`${base}?$select=ЕдиницаИзмерения&$expand=ЕдиницаИзмерения`));
    expect(whole.body.ЕдиницаИзмерения.Ref_Key).toBe(G.unit);
    const two = await getJson(em, u(`${base}?$select=**`));
    expect(two.body).toHaveProperty('Артикул');
    expect(two.body).not.toHaveProperty('ДополнительныеРеквизиты');
    const part = await getJson(em, u(`${base}?$select=Description,ДополнительныеРеквизиты/Значение`));
    expect(part.body).toEqual({ 'odata.metadata': expect.any(String), Description: 'Молоток', ДополнительныеРеквизиты: [{ Значение: 'синий' }] });
    const allowed = await getJson(em, u('Catalog_Склады?allowedOnly=true'));
    expect(allowed.status).toBe(200);
    expect(allowed.body.value).toHaveLength(2);
    const star = await getJson(em, u(`${base}?$select=*`));
    expect(star.body).toHaveProperty('ДополнительныеРеквизиты');
    expect(star.body).toHaveProperty('Артикул');
  });

  it('unknown names in $select / $orderby / $expand → 400 code 6 echoing the name', async () => {
    for (const q of ['$select=Нет', '$orderby=Нет desc', '$expand=Нет']) {
      const r = await getJson(em, u(`Catalog_Номенклатура?${q}`));
      expect(r.status).toBe(400);
      expect(r.body['odata.error'].code).toBe('6');
      expect(r.body['odata.error'].message).toEqual({ lang: 'ru', value: 'Сегмент пути Нет не найден!' });
    }
  });

  it('$filter: comparisons, logic, arithmetic, functions, navigation, any()', async () => {
    const f = async (expr: string) => {
      const r = await getJson(em, `${u('Catalog_Номенклатура')}?$filter=${encodeURIComponent(expr)}&$select=Description&$orderby=Code`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.value.map((x: any) => x.Description);
    };
    expect(await f("Артикул eq 'M-1'")).toEqual(['Молоток']);
    expect(await f("Артикул ne 'M-1' and IsFolder eq false")).toEqual(['Отвёртка', "Доставка 'срочная'"]);
    expect(await f("(Артикул eq 'M-1' or Артикул eq 'O-2') and not (Вес gt 0.3)")).toEqual(['Отвёртка']);
    expect(await f('Вес mul 10 ge 5')).toEqual(['Молоток']);
    expect(await f('СрокГодности add 1 eq 13')).toEqual(['Молоток']);
    expect(await f("substringof('ток', Description)")).toEqual(['Молоток']);
    expect(await f("startswith(Description, 'от') or endswith(Description, 'ная''')")).toEqual(['Отвёртка', "Доставка 'срочная'"]);
    expect(await f("Description eq 'Доставка ''срочная'''")).toEqual(["Доставка 'срочная'"]);
    expect(await f(`Parent_Key eq guid'${G.folder}'`)).toEqual(['Молоток', 'Отвёртка']);
    expect(await f("ЕдиницаИзмерения/Description eq 'шт'")).toEqual(['Молоток', 'Отвёртка']);
    expect(await f("ДополнительныеРеквизиты/any(d: d/Значение eq 'синий')")).toEqual(['Молоток']);
    expect(await f('IsFolder eq true')).toEqual(['Инструменты']);
  });

  it('composite fields match only through cast(); a bare guid matches nothing', async () => {
    const f = async (expr: string) => (await getJson(em, `${u('Document_ЗаказКлиента')}?$filter=${encodeURIComponent(expr)}`)).body.value.length;
    expect(await f(`Основание eq guid'${G.client}'`)).toBe(0);
    expect(await f(`Основание eq cast(guid'${G.client}', 'Catalog_Контрагенты')`)).toBe(1);
    expect(await f(`Основание eq cast(guid'${G.client}', 'Catalog_Склады')`)).toBe(0);
    expect(await f(`Date ge datetime'2026-01-15T00:00:00' and Date lt datetime'2026-01-16T00:00:00'`)).toBe(1);
  });

  it('`in`, length, indexof, tolower, toupper, trim and syntax errors → 400 code 14', async () => {
    for (const expr of [
      "Артикул in ('M-1','O-2')",
      'length(Description) gt 3',
      "indexof(Description, 'а') gt 0",
      "tolower(Description) eq 'молоток'",
      "toupper(Description) eq 'М'",
      "trim(Description) eq 'М'",
      "Description eq 'unclosed",
      'Нет eq 1',
      'Description eq',
    ]) {
      const r = await getJson(em, `${u('Catalog_Номенклатура')}?$filter=${encodeURIComponent(expr)}`);
      expect(r.status, expr).toBe(400);
      expect(r.body['odata.error'].code, expr).toBe('14');
    }
  });

  it('type errors as live: a bare number against a string field → 400 echoing it; a string function over a number → 500', async () => {
    const n = await getJson(em, `${u('Catalog_Номенклатура')}?$filter=${encodeURIComponent('Артикул eq 7391')}`);
    expect(n.status).toBe(400);
    expect(n.body['odata.error'].code).toBe('14');
    expect(n.body['odata.error'].message.value).toContain('7391');
    const f = await getJson(em, `${u('Catalog_Номенклатура')}?$filter=${encodeURIComponent("substringof('1', Вес)")}`);
    expect(f.status).toBe(500);
    expect(f.body['odata.error'].code).toBe('-1');
    const d = await getJson(em, `${u('Catalog_Номенклатура')}?$filter=${encodeURIComponent("Артикул eq datetime'1917-11-07T00:00:00'")}`);
    expect(d.status).toBe(200);
    expect(d.body.value).toEqual([]);
  });

  it('missing key → 404 code 9; unknown set → 404 echoing the name; string key → 400', async () => {
    const r = await getJson(em, u(`Catalog_Номенклатура(guid'99999999-9999-9999-9999-999999999999')`));
    expect(r.status).toBe(404);
    expect(r.body['odata.error'].code).toBe('9');
    expect(r.body['odata.error'].message.value).toContain('Экземпляр сущности');
    const s = await getJson(em, u('Catalog_НетТакого'));
    expect(s.status).toBe(404);
    expect(s.body['odata.error'].message.value).toContain('Catalog_НетТакого');
    const k = await getJson(em, u("Catalog_Номенклатура('ZZMARKER')"));
    expect(k.status).toBe(400);
    expect(k.body['odata.error'].message.value).toContain('ZZMARKER');
  });

  it('tabular part sets and register sets by named keys', async () => {
    const t = await getJson(em, u(`Document_ЗаказКлиента_Товары(Ref_Key=guid'${G.order1}',LineNumber=2)`));
    expect(t.status).toBe(200);
    expect(t.body['odata.metadata']).toContain('#Document_ЗаказКлиента_Товары/@Element');
    expect(t.body.Номенклатура_Key).toBe(G.item2);
    expect(t.body.LineNumber).toBe('2');
    const all = await getJson(em, u('Document_ЗаказКлиента_Товары?$filter=Количество gt 1'));
    expect(all.body.value).toHaveLength(1);
    const reg = await getJson(em, u(`InformationRegister_ReGate_СтатусыЗаказов(Period=datetime'2026-01-15T10:00:00',Заказ_Key=guid'${G.order1}')`));
    expect(reg.status).toBe(200);
    expect(reg.body.СтатусЗаказа).toBe('1');
    const rec = await getJson(em, u(`AccumulationRegister_ТоварыНаСкладах_RecordType?$filter=Склад_Key eq guid'${G.wh1}'`));
    expect(rec.body.value).toHaveLength(2);
    // ТоварыНаСкладах has many recorder types: its recorder is the composite `Recorder` + `Recorder_Type`.
    expect(rec.body.value[0]).toMatchObject({ Recorder: G.receipt, LineNumber: '1', RecordType: 'Receipt', Active: true });
    expect(rec.body.value[0].Recorder_Type).toMatch(/^StandardODATA\.Document_/);
    expect(rec.body.value[0]).not.toHaveProperty('Recorder_Key');
    const set = await getJson(em, u(`AccumulationRegister_ТоварыНаСкладах(Recorder='${G.receipt}',Recorder_Type='${rec.body.value[0].Recorder_Type}')`));
    expect(set.body.RecordSet).toHaveLength(3);
    const byKey = await getJson(em, u(`AccumulationRegister_ТоварыНаСкладах(Recorder_Key=guid'${G.receipt}')`));
    expect(byKey.status).toBe(400);
  });

  it('ХранилищеЗначения is published as X_Base64Data + X_Type; the navigation property gives the bytes', async () => {
    const filter = encodeURIComponent(`Файл eq cast(guid'${G.item1}', 'Catalog_Номенклатура')`);
    const r = await getJson(em, `${u('InformationRegister_ДвоичныеДанныеФайлов')}?$filter=${filter}`);
    expect(r.body.value).toHaveLength(1);
    expect(r.body.value[0]).toMatchObject({ Файл: G.item1, Файл_Type: 'StandardODATA.Catalog_Номенклатура', ДвоичныеДанныеФайла_Base64Data: PNG.toString('base64'), ДвоичныеДанныеФайла_Type: 'image/png' });
    const key = `InformationRegister_ДвоичныеДанныеФайлов(Файл='${G.item1}',Файл_Type='StandardODATA.Catalog_Номенклатура')`;
    const bytes = await fetch(`${em.url}/${u(`${key}/ДвоичныеДанныеФайла`)}`);
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await bytes.arrayBuffer())).toEqual(PNG);
    const x = await (await fetch(`${em.url}/$metadata`)).text();
    expect(x).toContain('<Property Name="ДвоичныеДанныеФайла_Base64Data" Type="Edm.Binary" Nullable="true"/>');
    expect(x).toMatch(/<PropertyRef Name="Файл_Type"\/>/);
  });

  it('answers Atom XML without $format or Accept: application/json; JSON with the Accept header', async () => {
    const r = await fetch(`${em.url}/${u('Catalog_Склады')}`);
    expect(r.headers.get('content-type')).toMatch(/application\/atom\+xml/);
    const x = await r.text();
    expect(x).toMatch(/^<\?xml/);
    expect(x).toContain('<feed');
    expect(x).toContain('<m:properties>');
    expect(x).toContain('<d:Город>Москва</d:Город>');
    expect(x.match(/<entry>/g)).toHaveLength(2);
    const { XMLValidator } = await import('fast-xml-parser');
    const doc = await (await fetch(`${em.url}/${u(`Document_ЗаказКлиента(guid'${G.order1}')`)}`)).text();
    expect(XMLValidator.validate(x)).toBe(true);
    expect(XMLValidator.validate(doc)).toBe(true);
    expect(doc).toContain('<d:LineNumber m:type="Edm.Int64">2</d:LineNumber>');
    const j = await fetch(`${em.url}/${u('Catalog_Склады')}`, { headers: { Accept: 'application/json' } });
    expect(((await j.json()) as any).value).toHaveLength(2);
    const e = await fetch(`${em.url}/${u('Catalog_Склады(guid\'99999999-9999-9999-9999-999999999999\')')}`);
    expect(await e.text()).toContain('<m:code>9</m:code>');
  });

  it('$metadata and the service document are shaped like a real publication', async () => {
    const x = await (await fetch(`${em.url}/$metadata`)).text();
    expect(x).toContain('m:DataServiceVersion="3.0"');
    expect(x).toContain('<Schema xmlns="http://schemas.microsoft.com/ado/2009/11/edm" Namespace="StandardODATA">');
    expect(x).toContain('<EntityContainer Name="EnterpriseV8" m:IsDefaultEntityContainer="true">');
    expect(x).toContain('<EntitySet Name="Document_ЗаказКлиента_Товары" EntityType="StandardODATA.Document_ЗаказКлиента_Товары"/>');
    expect(x).toContain('Type="Collection(StandardODATA.Document_ЗаказКлиента_Товары_RowType)"');
    expect(x).toContain('<ComplexType Name="Document_ЗаказКлиента_Товары_RowType">');
    expect(x).toContain('<NavigationProperty Name="ЕдиницаИзмерения" Relationship="StandardODATA.Catalog_Номенклатура_ЕдиницаИзмерения" FromRole="Begin" ToRole="End"/>');
    expect(x).toContain('<Association Name="Catalog_Номенклатура_ЕдиницаИзмерения">');
    expect(x).toContain('<Property Name="LineNumber" Type="Edm.Int64" Nullable="false"/>');
    expect(x).toContain('<Property name="RecordType"'.replace('name', 'Name'));
    expect(x).toContain('<ComplexType Name="AccumulationRegister_ТоварыНаСкладах_Balance">');
    expect(x).toContain('<Property Name="ВНаличииBalance" Type="Edm.Double" Nullable="true"/>');
    expect(x).toContain('<FunctionImport Name="SliceLast"');
    expect(x).toContain('<FunctionImport Name="Post" IsBindable="true" IsSideEffecting="true">');
    expect(x).toContain('<EnumType Name="ТипыНоменклатуры" UnderlyingType="Edm.Int32">');
    expect(x).toContain('<Property Name="Основание_Type" Type="Edm.String" Nullable="true"/>');
    const { XMLParser } = await import('fast-xml-parser');
    expect(() => new XMLParser().parse(x)).not.toThrow();
    const svc = await getJson(em, '');
    expect(svc.body.value.map((v: any) => v.name)).toContain('Catalog_Номенклатура');
  });

  it('long query strings get an IIS HTML 404, not OData', async () => {
    const r = await fetch(`${em.url}/Catalog_Склады?$format=json&$filter=${'x'.repeat(2100)}`);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(await r.text()).toContain('404 - File or directory not found.');
  });
});

describe('emulator: auth and composition', () => {
  it('Basic auth with a UTF-8 Cyrillic login; 401 otherwise', async () => {
    const e = await startTest({ users: [{ name: 'Администратор', password: 'пароль' }] });
    try {
      const ok = await fetch(`${e.url}/Catalog_Склады?$format=json`, {
        headers: { Authorization: `Basic ${Buffer.from('Администратор:пароль', 'utf8').toString('base64')}` },
      });
      expect(ok.status).toBe(200);
      const bad = await fetch(`${e.url}/Catalog_Склады?$format=json`, {
        headers: { Authorization: `Basic ${Buffer.from('Администратор:нет', 'utf8').toString('base64')}` },
      });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect((await fetch(`${e.url}/Catalog_Склады?$format=json`)).status).toBe(401);
    } finally {
      await e.close();
    }
  });

  it('sets outside the composition answer 404 like unpublished ones, also in $metadata', async () => {
    const e = await startTest({ composition: ['Catalog_Номенклатура', 'Document_ЗаказКлиента'], publication: 'trade' });
    try {
      expect(e.url).toMatch(/\/trade\/odata\/standard\.odata$/);
      expect((await getJson(e, u('Catalog_Склады'))).status).toBe(404);
      expect((await getJson(e, u('Document_ЗаказКлиента_Товары'))).status).toBe(200);
      const x = await (await fetch(`${e.url}/$metadata`)).text();
      expect(x).not.toContain('EntitySet Name="Catalog_Склады"');
      expect(x).toContain('EntitySet Name="Catalog_Номенклатура"');
    } finally {
      await e.close();
    }
  });
});
