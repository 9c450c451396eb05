import type { ConfigurationDef, EntitySetDef, FieldDef, RegisterDef, SetKind, TabularDef } from '../../emulator/schema/types.js';
import type { MdAttribute, MdConfiguration, MdObject, MdType } from './types.js';

/**
 * What 1C's standard OData interface publishes for a configuration read from its dump, by the vendor's rules
 * (../shared/reference/onec-odata/reference/1c-8.3.27-devguide-17.4-standard-odata.md, table of types; DIALECT.md):
 * - a reference of one type → `X_Key` (Edm.Guid) with a navigation property;
 * - an enum → `X` (Edm.String, the member name);
 * - a composite type (several types, a type set, a defined type or characteristic of several types) → `X` + `X_Type`;
 * - ValueStorage → `X_Base64Data` + `X_Type`;
 * - a catalog with one owner → `Owner_Key`, with several → `Owner` + `Owner_Type`;
 * - `Code` only when CodeLength > 0, `Description` only when DescriptionLength > 0;
 * - hierarchical catalogs `Parent_Key`, and `IsFolder` only for HierarchyFoldersAndItems;
 * - integer numbers Edm.Int16 up to 4 digits, Edm.Int64 above (ut-real.edmx: Number(2,0) СтатусУказанияСерий →
 *   Int16, Number(10,0) КурсыВалют.Кратность → Int64); fractional numbers Edm.Double.
 * The result is the emulator's ConfigurationDef, so the emulator publishes exactly this and `regate check --dump`
 * compares a profile against it.
 */

const SET_PREFIX: Record<string, string> = {
  Catalog: 'Catalog',
  Document: 'Document',
  ChartOfCharacteristicTypes: 'ChartOfCharacteristicTypes',
  ChartOfAccounts: 'ChartOfAccounts',
  ChartOfCalculationTypes: 'ChartOfCalculationTypes',
  ExchangePlan: 'ExchangePlan',
  BusinessProcess: 'BusinessProcess',
  Task: 'Task',
  InformationRegister: 'InformationRegister',
  AccumulationRegister: 'AccumulationRegister',
  AccountingRegister: 'AccountingRegister',
};

/** `Catalog.Номенклатура` → `Catalog_Номенклатура`. */
export function setNameOf(fullName: string): string {
  const dot = fullName.indexOf('.');
  return `${fullName.slice(0, dot)}_${fullName.slice(dot + 1)}`;
}

/** A single (resolved) type: what it publishes as. Composite is decided by the caller from the count. */
type Resolved = MdType;

/** Expands defined types and characteristics to the concrete types they stand for (recursively). */
export function resolveTypes(cfg: MdConfiguration, types: MdType[], seen = new Set<string>()): Resolved[] {
  const out: Resolved[] = [];
  for (const t of types) {
    if (t.kind === 'defined') {
      const def = cfg.objects.get(`DefinedType.${t.name}`);
      if (!def || seen.has(t.name)) {
        // Not in the dump: its types are unknown, so publish it as 1C publishes an open type (composite).
        out.push({ kind: 'other', name: `DefinedType.${t.name}` }, { kind: 'other', name: '?' });
        continue;
      }
      out.push(...resolveTypes(cfg, def.types ?? [], new Set([...seen, t.name])));
    } else if (t.kind === 'characteristic') {
      const chart = cfg.objects.get(`ChartOfCharacteristicTypes.${t.name}`);
      if (!chart?.types?.length) out.push({ kind: 'other', name: `Characteristic.${t.name}` }, { kind: 'other', name: '?' });
      else out.push(...resolveTypes(cfg, chart.types, seen));
    } else out.push(t);
  }
  return out;
}

function numberField(name: string, digits: number, fraction: number): FieldDef {
  return {
    name,
    type: fraction > 0 ? 'Edm.Double' : digits <= 4 ? 'Edm.Int16' : 'Edm.Int64',
    precision: digits,
    scale: fraction,
  };
}

/** One attribute → its published field (the engine adds `X_Type` for composites and `_Base64Data` for storage). */
export function fieldOf(cfg: MdConfiguration, a: Pick<MdAttribute, 'name' | 'types'>): FieldDef {
  const types = resolveTypes(cfg, a.types);
  const single = types.length === 1 ? types[0] : undefined;
  if (!single || single.kind === 'anyRef' || single.kind === 'other') return { name: a.name, type: 'Edm.String', composite: true };
  switch (single.kind) {
    case 'string':
      return { name: a.name, type: 'Edm.String', maxLength: single.length };
    case 'boolean':
      return { name: a.name, type: 'Edm.Boolean' };
    case 'number':
      return numberField(a.name, single.digits, single.fraction);
    case 'date':
      return { name: a.name, type: 'Edm.DateTime' };
    case 'uuid':
      return { name: a.name, type: 'Edm.Guid' };
    case 'storage':
      return { name: a.name, type: 'Edm.Binary' };
    case 'ref': {
      const [kind, name] = [single.target.slice(0, single.target.indexOf('.')), single.target.slice(single.target.indexOf('.') + 1)];
      if (kind === 'Enum') {
        const known = cfg.objects.has(single.target);
        return known ? { name: a.name, type: 'Edm.String', enumType: name } : { name: a.name, type: 'Edm.String' };
      }
      const target = setNameOf(single.target);
      // A navigation property only to a set this model publishes (a trimmed dump lacks most targets).
      return cfg.objects.has(single.target) && SET_PREFIX[kind] ? { name: `${a.name}_Key`, type: 'Edm.Guid', ref: target } : { name: `${a.name}_Key`, type: 'Edm.Guid' };
    }
    default:
      return { name: a.name, type: 'Edm.String', composite: true };
  }
}

const fieldsOf = (cfg: MdConfiguration, list: MdAttribute[] | undefined): FieldDef[] => (list ?? []).map((a) => fieldOf(cfg, a));

function setOf(cfg: MdConfiguration, o: MdObject, recorders: Map<string, string[]>): EntitySetDef | undefined {
  const base = { name: setNameOf(o.fullName), uuid: o.uuid };
  switch (o.kind) {
    case 'Catalog':
    case 'ChartOfCharacteristicTypes':
    case 'ExchangePlan': {
      const def: EntitySetDef = {
        ...base,
        kind: o.kind as SetKind,
        fields: fieldsOf(cfg, o.attributes),
        tabular: o.tabular.map((t): TabularDef => ({ name: t.name, fields: fieldsOf(cfg, t.attributes) })),
        hierarchical: !!o.hierarchical,
        codeLength: o.codeLength ?? 0,
        descriptionLength: o.descriptionLength ?? 0,
      };
      if (o.hierarchical && o.hierarchyType === 'HierarchyOfItems') def.hierarchyOfItems = true;
      if (o.codeType === 'Number') def.codeType = 'Number';
      if (o.owners?.length) def.owners = o.owners.map(setNameOf);
      if (o.predefined?.length) {
        def.predefined = o.predefined.map((p) => ({ name: p.name, ref: p.id, code: p.code, description: p.description, isFolder: p.isFolder, ...(p.parent ? { parent: p.parent } : {}) }));
      }
      return def;
    }
    case 'Document':
      return {
        ...base,
        kind: 'Document',
        fields: fieldsOf(cfg, o.attributes),
        tabular: o.tabular.map((t): TabularDef => ({ name: t.name, fields: fieldsOf(cfg, t.attributes) })),
        numberLength: o.numberLength ?? 0,
      };
    case 'ChartOfAccounts':
      return chartOfAccountsSet(cfg, o, base);
    case 'AccountingRegister':
      return accountingRegisterSet(cfg, o, base, recorders);
    case 'InformationRegister':
    case 'AccumulationRegister': {
      const register: RegisterDef = {
        dimensions: fieldsOf(cfg, o.dimensions),
        resources: fieldsOf(cfg, o.resources),
        attributes: fieldsOf(cfg, o.attributes),
      };
      if (o.kind === 'InformationRegister') {
        register.periodic = (o.periodicity ?? 'Nonperiodical') !== 'Nonperiodical';
        register.recorderSubordinate = o.writeMode === 'RecorderSubordinate';
      } else register.accumulation = o.registerType === 'Turnovers' ? 'turnovers' : 'balance';
      const recs = recorders.get(o.fullName);
      if (recs?.length) register.recorders = recs;
      // Only a complete dump tells that a register has a single recorder type (then 1C publishes `Recorder_Key`).
      if (!cfg.trimmed) register.recordersComplete = true;
      return { ...base, kind: o.kind, register };
    }
    default:
      return undefined;
  }
}

/**
 * A chart of accounts as OData publishes it. The vendor chapter names the prefix only
 * (reference/1c-8.3.27-devguide-17.4-standard-odata.md lines 300-302: `ChartOfAccounts`); no real $metadata of a chart
 * is in ../shared/reference/onec-odata (samples/ut-real.edmx has none: УТ has no chart of accounts). The fields follow
 * the platform's rules for objects plus what a public client of a live БП base reads from ChartOfAccounts_Хозрасчетный
 * (a Go struct of its JSON, code index file 30562915466): Order, Type, OffBalance, every AccountingFlag as a Boolean
 * field (Валютный, Количественный, УчетПоПодразделениям, НалоговыйУчет), and the tabular part ExtDimensionTypes with
 * LineNumber, ExtDimensionType_Key, Predefined, TurnoversOnly and every ExtDimensionAccountingFlag (Суммовой,
 * Валютный, Количественный). How `Type` spells an account type on the wire is shown by no material: the emulator
 * serves the dump's own spelling (Active, Passive, ActivePassive).
 */
function chartOfAccountsSet(cfg: MdConfiguration, o: MdObject, base: { name: string; uuid: string }): EntitySetDef {
  const kinds = o.extDimensionTypes ? cfg.objects.get(o.extDimensionTypes) : undefined;
  const kindsSet = o.extDimensionTypes ? setNameOf(o.extDimensionTypes) : undefined;
  const kindId = new Map((kinds?.predefined ?? []).map((p) => [p.name, p.id]));
  const boolField = (name: string): FieldDef => ({ name, type: 'Edm.Boolean' });
  const rowFields: FieldDef[] = [
    { name: 'ExtDimensionType_Key', type: 'Edm.Guid', ...(kinds && kindsSet ? { ref: kindsSet } : {}) },
    boolField('Predefined'),
    boolField('TurnoversOnly'),
    ...(o.extDimensionAccountingFlags ?? []).map((f) => boolField(f.name)),
  ];
  const def: EntitySetDef = {
    ...base,
    kind: 'ChartOfAccounts',
    fields: [...fieldsOf(cfg, o.attributes), ...(o.accountingFlags ?? []).map((f) => boolField(f.name))],
    tabular: [{ name: 'ExtDimensionTypes', fields: rowFields }, ...o.tabular.map((t): TabularDef => ({ name: t.name, fields: fieldsOf(cfg, t.attributes) }))],
    // Accounts nest under accounts (41 → 41.01); a chart has no folders, so no IsFolder.
    hierarchical: true,
    hierarchyOfItems: true,
    codeLength: o.codeLength ?? 0,
    descriptionLength: o.descriptionLength ?? 0,
  };
  if (o.predefined?.length) {
    def.predefined = o.predefined.map((p) => ({
      name: p.name,
      ref: p.id,
      code: p.code,
      description: p.description,
      isFolder: false,
      ...(p.parent ? { parent: p.parent } : {}),
      values: { Type: p.accountType ?? '', OffBalance: !!p.offBalance, ...(p.flags ?? {}) },
      rows: {
        ExtDimensionTypes: (p.extDimensionTypes ?? []).map((e) => ({
          ExtDimensionType_Key: kindId.get(e.name),
          Predefined: true,
          TurnoversOnly: e.turnover,
          ...e.flags,
        })),
      },
    }));
  }
  return def;
}

/**
 * An accounting register with correspondence as OData publishes it. Names: the vendor chapter shows the set
 * `AccountingRegister_<Name>`, its record set by `Recorder_Key` with `RecordSet` rows of `…_RowType`
 * (reference/1c-8.3.27-devguide-17.4-standard-odata.md lines 1316-1327, 1541-1577). The record fields come from a
 * real БП $metadata of AccountingRegister_Хозрасчетный_RecordType embedded in a public Java project (code index file
 * 26627998163, JacksonXmlParserApplication.java): Recorder + Recorder_Type, Period, LineNumber, Active, AccountDr_Key,
 * AccountCr_Key, then each dimension — Организация_Key once (Balance = true), ВалютаDr_Key / ВалютаCr_Key and
 * ПодразделениеDr_Key / ПодразделениеCr_Key (Balance = false) — then each resource — Сумма once (Balance = true),
 * ВалютнаяСуммаDr / ВалютнаяСуммаCr, КоличествоDr / КоличествоCr, … (Balance = false) — then the attributes
 * (Содержание, НеКорректироватьСтоимостьАвтоматически). That is exactly what AccountingRegisters/Хозрасчетный.xml
 * gives with the Balance rule, so the rule is applied to whatever register the dump holds. That $metadata declares
 * no subconto field: the entity is OpenType and the subconto values are dynamic properties (model.ts).
 * A register without correspondence (Account_Key + RecordType per record) is not modelled: no material shows it.
 */
function accountingRegisterSet(cfg: MdConfiguration, o: MdObject, base: { name: string; uuid: string }, recorders: Map<string, string[]>): EntitySetDef | undefined {
  if (!o.correspondence || !o.chartOfAccounts) return undefined;
  const chart = cfg.objects.get(o.chartOfAccounts);
  if (!chart) return undefined;
  const dims = o.dimensions ?? [];
  const res = o.resources ?? [];
  const register: RegisterDef = {
    dimensions: fieldsOf(cfg, dims),
    resources: fieldsOf(cfg, res),
    attributes: fieldsOf(cfg, o.attributes),
    accounting: {
      chartOfAccounts: setNameOf(chart.fullName),
      correspondence: true,
      maxExtDimensionCount: chart.maxExtDimensionCount ?? 0,
      ...(chart.extDimensionTypes && cfg.objects.has(chart.extDimensionTypes) ? { extDimensionTypes: setNameOf(chart.extDimensionTypes) } : {}),
      nonBalance: [...dims, ...res].filter((a) => a.balance === false).map((a) => fieldOf(cfg, a).name),
    },
  };
  const recs = recorders.get(o.fullName);
  if (recs?.length) register.recorders = recs;
  if (!cfg.trimmed) register.recordersComplete = true;
  return { ...base, kind: 'AccountingRegister', register };
}

export interface PublishOptions {
  /** Platform version reported by the model (the dump does not record it). */
  platformVersion?: string;
}

/** The published model (entity sets + enums) of a configuration, extension already merged if any. */
export function publish(cfg: MdConfiguration, opts: PublishOptions = {}): ConfigurationDef {
  const recorders = new Map<string, string[]>();
  for (const o of cfg.objects.values()) {
    if (o.kind !== 'Document') continue;
    for (const r of o.registerRecords ?? []) {
      if (!cfg.objects.has(r)) continue;
      const list = recorders.get(r) ?? [];
      list.push(setNameOf(o.fullName));
      recorders.set(r, list);
    }
  }
  const sets: EntitySetDef[] = [];
  const enums: Record<string, string[]> = {};
  // Sorted by published name: the model (and the committed embedded copy) do not depend on directory order.
  const objects = [...cfg.objects.values()].sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
  for (const o of objects) {
    if (o.kind === 'Enum') {
      enums[o.name] = (o.values ?? []).map((v) => v.name);
      continue;
    }
    const s = setOf(cfg, o, recorders);
    if (s) sets.push(s);
  }
  for (const s of sets) if (s.register?.recorders) s.register.recorders.sort();
  return {
    name: cfg.name,
    synonym: cfg.synonym,
    version: cfg.version,
    // The dump does not record the platform; the lowest one that knows both compatibility modes it declares
    // (11.5.20.68: Version8_3_24 and extensions Version8_3_25 → 8.3.25; 11.4.2.139: 8_3_10 / 8_3_12 → 8.3.12).
    platformVersion: opts.platformVersion ?? lowestPlatform(cfg),
    ...(cfg.compatibilityMode ? { compatibilityMode: cfg.compatibilityMode } : {}),
    source: cfg.dir,
    sets,
    enums,
  };
}

function lowestPlatform(cfg: MdConfiguration): string {
  const modes = [cfg.compatibilityMode, cfg.extensionCompatibilityMode]
    .filter((m): m is string => !!m && /^Version\d+_\d+_\d+$/.test(m))
    .map((m) => m.replace(/^Version/, '').split('_').map(Number));
  if (!modes.length) return '8.3';
  modes.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return modes[modes.length - 1].join('.');
}
