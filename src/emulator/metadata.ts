/**
 * $metadata shaped like a real publication's (samples/ut-real.edmx): Edmx 1.0 / DataServiceVersion 3.0, one Schema
 * "StandardODATA" holding entity types, `_RowType` complex types for tabular parts and record sets, virtual-table
 * complex types (`_Balance`, `_Turnover`, `_BalanceAndTurnover`), enum types, associations Begin→End for every
 * `_Key` reference, and the container "EnterpriseV8" with the published sets and bindable function imports.
 */
import { escapeXml } from './errors.js';
import { fieldProps, NS, type Model, type Prop, type Shape } from './model.js';
import { accountingBalanceProps } from './virtual.js';

function propXml(p: Prop, indent: string): string {
  // Dynamic properties of an OpenType entity are not declared (model.ts, accountingRecordProps).
  if (p.open) return '';
  const attrs = [`Name="${escapeXml(p.name)}"`, `Type="${p.type}"`, `Nullable="${p.nullable}"`];
  // No MaxLength: a real publication declares none (samples/ut-real.edmx: 0 of 2,500 properties); the lengths only
  // drive the emulator's silent truncation on write, as 1C truncates.
  return `${indent}<Property ${attrs.join(' ')}/>\n`;
}

function navXml(shape: Shape, indent: string): string {
  return shape.navs
    .map((n) => `${indent}<NavigationProperty Name="${escapeXml(n.name)}" Relationship="${NS}.${escapeXml(`${shape.name}_${n.name}`)}" FromRole="Begin" ToRole="End"/>\n`)
    .join('');
}

export function metadataXml(model: Model, published: (name: string) => boolean): string {
  const types: string[] = [];
  const complex: string[] = [];
  const assoc: string[] = [];
  const sets: string[] = [];
  const fns: string[] = [];
  const I = '      ';
  const II = '        ';
  const shapes = [...model.shapes.values()].filter((s) => published(s.name));
  const entityName = (s: Shape) => `${NS}.${escapeXml(s.name)}`;
  for (const s of shapes) {
    const open = s.kind === 'recordset' || s.kind === 'records' || s.props.some((p) => p.composite) ? ' OpenType="true"' : '';
    let x = `${I}<EntityType Name="${escapeXml(s.name)}"${open}>\n${II}<Key>\n`;
    for (const k of s.keys) x += `${II}  <PropertyRef Name="${escapeXml(k)}"/>\n`;
    x += `${II}</Key>\n`;
    for (const p of s.props) x += propXml(p, II);
    for (const [name, cs] of s.collections) {
      const row = `${cs.kind === 'records' ? s.name : cs.name}_RowType`;
      x += `${II}<Property Name="${escapeXml(name)}" Type="Collection(${NS}.${escapeXml(row)})" Nullable="${cs.kind === 'records' ? 'false' : 'true'}"/>\n`;
      complex.push(
        `${I}<ComplexType Name="${escapeXml(row)}">\n${cs.props.filter((p) => !(cs.kind === 'tabular' && p.name === 'Ref_Key')).map((p) => propXml(p, II)).join('')}${I}</ComplexType>\n`,
      );
    }
    x += navXml(s, II);
    x += `${I}</EntityType>\n`;
    types.push(x);
    for (const n of s.navs) {
      assoc.push(
        `${I}<Association Name="${escapeXml(`${s.name}_${n.name}`)}">\n${II}<End Role="Begin" Type="${entityName(s)}" Multiplicity="*"/>\n` +
          `${II}<End Role="End" Type="${NS}.${escapeXml(n.target)}" Multiplicity="0..1"/>\n${I}</Association>\n`,
      );
    }
    sets.push(`${II}<EntitySet Name="${escapeXml(s.name)}" EntityType="${entityName(s)}"/>\n`);
    const def = s.def;
    const bind = `${II}  <Parameter Name="bindingParameter" Type="${entityName(s)}"/>\n`;
    if (s.kind === 'object' && def.kind === 'Document') {
      for (const fn of ['Post', 'Unpost']) {
        fns.push(
          `${II}<FunctionImport Name="${fn}" IsBindable="true" IsSideEffecting="true">\n${bind}${II}  <Parameter Name="PostingModeOperational" Type="Edm.Boolean"/>\n${II}</FunctionImport>\n`,
        );
      }
    }
    const reg = def.register;
    if (reg && s.kind === 'recordset' && def.kind === 'AccumulationRegister') {
      const dims = fieldProps(reg.dimensions);
      const variants: [string, string, string[], string[]][] = [
        ['Turnovers', 'Turnover', (reg.accumulation ?? 'balance') === 'balance' ? ['Receipt', 'Expense', 'Turnover'] : ['Turnover'], ['Condition', 'Dimensions', 'EndPeriod', 'StartPeriod']],
      ];
      if ((reg.accumulation ?? 'balance') === 'balance') {
        variants.unshift(['Balance', 'Balance', ['Balance'], ['Condition', 'Dimensions', 'Period']]);
        variants.push(['BalanceAndTurnovers', 'BalanceAndTurnover', ['OpeningBalance', 'Receipt', 'Expense', 'Turnover', 'ClosingBalance'], ['Condition', 'Dimensions', 'EndPeriod', 'StartPeriod']]);
      }
      for (const [fn, suffix, resSuffixes, params] of variants) {
        const ct = `${s.name}_${suffix}`;
        const props = [...dims, ...reg.resources.flatMap((r) => resSuffixes.map((x) => ({ name: `${r.name}${x}`, type: 'Edm.Double' as const, nullable: true })))];
        complex.push(`${I}<ComplexType Name="${escapeXml(ct)}">\n${props.map((p) => propXml(p, II)).join('')}${I}</ComplexType>\n`);
        fns.push(
          `${II}<FunctionImport Name="${fn}" IsBindable="true" IsSideEffecting="false" ReturnType="Collection(${NS}.${escapeXml(ct)})">\n${bind}` +
            params.map((p) => `${II}  <Parameter Name="${p}" Type="${p.endsWith('Period') ? 'Edm.DateTime' : 'Edm.String'}"/>\n`).join('') +
            `${II}</FunctionImport>\n`,
        );
      }
    }
    if (reg?.accounting && s.kind === 'recordset' && def.kind === 'AccountingRegister') {
      // Balance only: the vendor chapter shows it with AccountCondition, Condition and ExtraDimensions
      // (reference/1c-8.3.27-devguide-17.4-standard-odata.md lines 1300-1304) and says the parameters are those of
      // the query language's virtual table (line 364), whose first is the period. The other tables
      // (Turnovers, BalanceAndTurnovers, DrCrTurnovers, RecordsWithExtDimensions, ExtDimensions) are not served.
      const ct = `${s.name}_Balance`;
      const props = accountingBalanceProps(def);
      complex.push(`${I}<ComplexType Name="${escapeXml(ct)}">\n${props.map((p) => propXml(p, II)).join('')}${I}</ComplexType>\n`);
      fns.push(
        `${II}<FunctionImport Name="Balance" IsBindable="true" IsSideEffecting="false" ReturnType="Collection(${NS}.${escapeXml(ct)})">\n${bind}` +
          ['AccountCondition', 'Condition', 'ExtraDimensions', 'Period'].map((p) => `${II}  <Parameter Name="${p}" Type="${p === 'Period' ? 'Edm.DateTime' : 'Edm.String'}"/>\n`).join('') +
          `${II}</FunctionImport>\n`,
      );
    }
    if (reg?.periodic && def.kind === 'InformationRegister' && (s.kind === 'inforeg' || s.kind === 'records')) {
      for (const fn of ['SliceLast', 'SliceFirst']) {
        fns.push(
          `${II}<FunctionImport Name="${fn}" IsBindable="true" IsSideEffecting="false" ReturnType="Collection(${entityName(s)})">\n${bind}` +
            `${II}  <Parameter Name="Condition" Type="Edm.String"/>\n${II}  <Parameter Name="Period" Type="Edm.DateTime"/>\n${II}</FunctionImport>\n`,
        );
      }
    }
  }
  const enums = Object.entries(model.config.enums).map(
    ([name, members]) =>
      `${I}<EnumType Name="${escapeXml(name)}" UnderlyingType="Edm.Int32">\n${members.map((m) => `${II}<Member Name="${escapeXml(m)}"/>\n`).join('')}${I}</EnumType>\n`,
  );
  return (
    `<?xml version='1.0' encoding='UTF-8'?>\n` +
    `<edmx:Edmx xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" Version="1.0">\n` +
    `  <edmx:DataServices xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" m:DataServiceVersion="3.0" m:MaxDataServiceVersion="3.0">\n` +
    `    <Schema xmlns="http://schemas.microsoft.com/ado/2009/11/edm" Namespace="${NS}">\n` +
    types.join('') +
    complex.join('') +
    enums.join('') +
    assoc.join('') +
    `      <EntityContainer Name="EnterpriseV8" m:IsDefaultEntityContainer="true">\n` +
    sets.join('') +
    fns.join('') +
    `      </EntityContainer>\n    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n`
  );
}
