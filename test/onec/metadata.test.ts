import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseRow, parseMetadata } from '../../src/onec/index.js';

const samples = resolve(import.meta.dirname, '../../../shared/reference/onec-odata/samples');
const full = resolve(samples, 'ut-real.edmx');
const excerpt = resolve(samples, 'ut11-real-metadata.excerpt.edmx.xml');
if (!existsSync(full)) console.warn(`skipping the real УТ 11 $metadata tests: ${full} is absent`);

// Note: the trimmed real УТ 11 sample does NOT contain Catalog_Номенклатура (34 sets, counted below);
// Catalog_Контрагенты is its richest catalog, so that is what the real-file assertions use.
describe.skipIf(!existsSync(full))('$metadata of a real УТ 11 base (ut-real.edmx)', () => {
  // skipIf still runs this body to collect the tests: read only when the file is there.
  const md = existsSync(full) ? parseMetadata(readFileSync(full, 'utf8')) : (undefined as never);

  it('finds the container and counts what the file declares', () => {
    expect(md.containerName).toBe('EnterpriseV8');
    expect(md.namespace).toBe('StandardODATA');
    expect(md.entitySets.size).toBe(34);
    expect(md.entityTypes.size).toBe(34);
    expect(md.complexTypes.size).toBe(32);
    expect(md.functions).toHaveLength(23);
    expect(md.hasSet('Catalog_Номенклатура')).toBe(false);
  });

  it('Catalog_Контрагенты: Ref_Key is Edm.Guid, not nullable; ИНН is a string; tabular parts are collections of row types', () => {
    const t = md.entitySet('Catalog_Контрагенты')!;
    expect(t.key).toEqual(['Ref_Key']);
    const p = new Map(t.properties.map((x) => [x.name, x]));
    expect(p.get('Ref_Key')).toEqual({ name: 'Ref_Key', type: 'Edm.Guid', nullable: false });
    expect(p.get('ИНН')).toMatchObject({ type: 'Edm.String', nullable: true });
    expect(p.get('Партнер_Key')?.type).toBe('Edm.Guid');
    expect(p.get('КонтактнаяИнформация')?.type).toBe('Collection(StandardODATA.Catalog_Контрагенты_КонтактнаяИнформация_RowType)');
    expect(t.navigation.find((n) => n.name === 'ГоловнойКонтрагент')?.target).toBe('Catalog_Контрагенты');
    const ft = md.fieldTypes('Catalog_Контрагенты')!;
    expect(ft.get('ИсторияКПП')?.row?.get('LineNumber')?.type).toBe('Edm.Int64');
  });

  it('tabular part sets are keyed by Ref_Key + LineNumber; names with underscores stay whole', () => {
    expect(md.entitySet('Document_РеализацияТоваровУслуг_Товары')?.key).toEqual(['Ref_Key', 'LineNumber']);
    expect(md.hasSet('InformationRegister_пр_ОчередьДействий')).toBe(true);
    expect(md.hasSet('ExchangePlan_Удалить_ОбменУправлениеТорговлей_11_0_РозничнаяТорговля_1_0')).toBe(true);
    expect(md.entitySet('InformationRegister_КурсыВалют')?.key).toEqual(['Period', 'Валюта_Key']);
  });

  it('composite fields are Edm.String pairs X + X_Type', () => {
    const p = md.fieldTypes('AccumulationRegister_ДвиженияДенежныеСредстваКонтрагент_RecordType')!;
    expect(p.get('Контрагент')?.type).toBe('Edm.String');
    // …while a single-type reference is X_Key (Edm.Guid).
    expect(md.fieldTypes('Document_РеализацияТоваровУслуг')!.get('Контрагент_Key')?.type).toBe('Edm.Guid');
    expect(p.get('Контрагент_Type')?.type).toBe('Edm.String');
  });

  it('virtual tables and Post/Unpost are bound FunctionImports', () => {
    const names = (set: string) => md.functionsOf(set).map((f) => f.name).sort();
    expect(names('AccumulationRegister_РасчетыСКлиентамиПланОплат')).toEqual(['Balance', 'BalanceAndTurnovers', 'Turnovers']);
    expect(names('AccumulationRegister_ДвиженияДенежныеСредстваКонтрагент')).toEqual(['Turnovers']);
    expect(names('InformationRegister_СтоимостьТоваров_RecordType')).toEqual(['SliceFirst', 'SliceLast']);
    expect(names('Document_ВводОстатковРасчетовПоЭквайрингу')).toEqual(['Post', 'Unpost']);
    const balance = md.functionsOf('AccumulationRegister_РасчетыСКлиентамиПланОплат').find((f) => f.name === 'Balance')!;
    expect(balance.parameters.map((x) => x.name).sort()).toEqual(['Condition', 'Dimensions', 'Period']);
    expect(balance.sideEffecting).toBe(false);
    expect(md.functionResultType('AccumulationRegister_РасчетыСКлиентамиПланОплат', 'Balance')).toBe('AccumulationRegister_РасчетыСКлиентамиПланОплат_Balance');
    const post = md.functionsOf('Document_ВводОстатковРасчетовПоЭквайрингу').find((f) => f.name === 'Post')!;
    expect(post.sideEffecting).toBe(true);
    expect(post.parameters).toEqual([{ name: 'PostingModeOperational', type: 'Edm.Boolean' }]);
  });

  it('Balance result types drive normalisation of virtual-table rows', () => {
    const types = md.fieldTypes(md.functionResultType('AccumulationRegister_РасчетыСКлиентамиПланОплат', 'Balance')!)!;
    expect(types.get('КОплатеBalance')?.type).toBe('Edm.Double');
    const row = normaliseRow(
      { ДатаПлановогоПогашения: '2024-01-01T00:00:00', КОплатеBalance: 10, Валюта_Key: '00000000-0000-0000-0000-000000000000' },
      { timezone: 'Europe/Moscow', types },
    );
    expect(row).toEqual({ ДатаПлановогоПогашения: new Date('2023-12-31T21:00:00Z'), КОплатеBalance: 10, Валюта_Key: null });
  });

  it('enum types list member names', () => {
    expect(md.enumTypes.size).toBe(2);
    for (const members of md.enumTypes.values()) expect(members.length).toBeGreaterThan(0);
  });
});

describe.skipIf(!existsSync(excerpt))('$metadata excerpt (verbatim, with elisions)', () => {
  it('parses and finds the same catalog', () => {
    const md = parseMetadata(readFileSync(excerpt, 'utf8'));
    expect(md.containerName).toBe('EnterpriseV8');
    expect(md.entitySet('Catalog_Контрагенты')?.properties.find((p) => p.name === 'Ref_Key')?.type).toBe('Edm.Guid');
    expect(md.enumTypes.get('СтатусыТаможенныхДеклараций')).toEqual(['ВыпущеноСТаможни', 'ТаможенноеОформление']);
  });
});

describe('container in another schema', () => {
  it('finds the EntityContainer in any Schema and resolves types across schemas', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" Version="1.0">
  <edmx:DataServices xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" m:DataServiceVersion="3.0">
    <Schema xmlns="http://schemas.microsoft.com/ado/2009/11/edm" Namespace="StandardODATA">
      <EntityType Name="Catalog_Номенклатура">
        <Key><PropertyRef Name="Ref_Key"/></Key>
        <Property Name="Ref_Key" Type="Edm.Guid" Nullable="false"/>
        <Property Name="Артикул" Type="Edm.String" Nullable="true"/>
      </EntityType>
    </Schema>
    <Schema xmlns="http://schemas.microsoft.com/ado/2009/11/edm" Namespace="Container">
      <EntityContainer Name="EnterpriseV8" m:IsDefaultEntityContainer="true">
        <EntitySet Name="Catalog_Номенклатура" EntityType="StandardODATA.Catalog_Номенклатура"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
    const md = parseMetadata(xml);
    expect(md.fields('Catalog_Номенклатура')).toEqual(['Ref_Key', 'Артикул']);
    expect(md.entitySet('Catalog_Номенклатура')?.properties[0]).toEqual({ name: 'Ref_Key', type: 'Edm.Guid', nullable: false });
    expect(md.functions).toEqual([]);
  });
  it('rejects what is not EDMX', () => {
    expect(() => parseMetadata('<html></html>')).toThrow(/EDMX/);
  });
});
