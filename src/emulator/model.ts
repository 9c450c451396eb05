/**
 * The published shape of a configuration: every entity set the OData interface exposes for a ConfigurationDef,
 * with the platform's standard attributes added from the set's kind and flags (the schema lists only реквизиты).
 * Everything else in the engine (store, query, $metadata, serialisation) reads shapes from here.
 */
import type { ConfigurationDef, EdmType, EntitySetDef, FieldDef, TabularDef } from './schema/types.js';

export interface Prop {
  name: string;
  type: EdmType;
  /** Key properties and a few standard ones are Nullable="false" in the real $metadata. */
  nullable: boolean;
  maxLength?: number;
  precision?: number;
  scale?: number;
  /** A composite value `X`: its type lives in `X_Type` (also a Prop). */
  composite?: boolean;
  /** `X_Type` companion of a composite. */
  typeOf?: string;
  /** `_Key` reference: target set. */
  ref?: string;
  /** Enum attribute: the enum whose member names it holds. */
  enumType?: string;
  /** ValueStorage (ХранилищеЗначения) attribute `X`: set on `X_Base64Data` (the data) and `X_Type` (its MIME type). */
  storage?: { of: string; part: 'data' | 'type' };
  /**
   * A dynamic property of an OpenType entity: served and filterable, absent from $metadata (an accounting register's
   * subconto values, which the real $metadata of AccountingRegister_Хозрасчетный_RecordType does not declare).
   */
  open?: boolean;
}

export type ShapeKind = 'object' | 'tabular' | 'inforeg' | 'recordset' | 'records' | 'virtual';

export interface Nav {
  /** Navigation property name: the field name without `_Key` (`ЕдиницаИзмерения`). */
  name: string;
  field: string;
  target: string;
}

export interface Shape {
  name: string;
  kind: ShapeKind;
  def: EntitySetDef;
  props: Prop[];
  propByName: Map<string, Prop>;
  keys: string[];
  navs: Nav[];
  navByName: Map<string, Nav>;
  /** Objects: their tabular parts (property name → row shape). recordset: RecordSet → records shape. */
  collections: Map<string, Shape>;
  tabular?: TabularDef;
}

export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
export const EMPTY_DATE = '0001-01-01T00:00:00';
export const NS = 'StandardODATA';

function p(name: string, type: EdmType, nullable = true, extra: Partial<Prop> = {}): Prop {
  return { name, type, nullable, ...extra };
}

export function fieldProps(fields: FieldDef[] | undefined, nullable = true): Prop[] {
  const out: Prop[] = [];
  for (const f of fields ?? []) {
    if (f.composite) {
      out.push(p(f.name, 'Edm.String', nullable, { composite: true }));
    } else if (f.type === 'Edm.Binary') {
      // ХранилищеЗначения is published as X_Base64Data + X_Type (+ a navigation property X giving the bytes), §17.4.
      out.push(p(`${f.name}_Base64Data`, 'Edm.Binary', nullable, { storage: { of: f.name, part: 'data' } }));
      out.push(p(`${f.name}_Type`, 'Edm.String', nullable, { storage: { of: f.name, part: 'type' } }));
    } else {
      out.push(p(f.name, f.type, nullable, { maxLength: f.maxLength, precision: f.precision, scale: f.scale, ref: f.ref, enumType: f.enumType }));
    }
  }
  return out;
}

/** Composite companions go at the end of the property list, as the real $metadata puts them. */
function withTypeProps(props: Prop[]): Prop[] {
  const types = props.filter((x) => x.composite).map((x) => p(`${x.name}_Type`, 'Edm.String', x.nullable, { typeOf: x.name, ...(x.open ? { open: true } : {}) }));
  return [...props, ...types];
}

export function makeShape(name: string, kind: ShapeKind, def: EntitySetDef, props: Prop[], keys: string[]): Shape {
  const all = withTypeProps(props);
  const navs: Nav[] = [];
  for (const x of all) {
    if (x.ref && x.name.endsWith('_Key')) navs.push({ name: x.name.slice(0, -4), field: x.name, target: x.ref });
  }
  return {
    name,
    kind,
    def,
    props: all,
    propByName: new Map(all.map((x) => [x.name, x])),
    keys,
    navs,
    navByName: new Map(navs.map((n) => [n.name, n])),
    collections: new Map(),
  };
}

function objectStdProps(def: EntitySetDef): Prop[] {
  // Ref_Key carries no `ref`: it is the key, not a navigation property.
  const out: Prop[] = [p('Ref_Key', 'Edm.Guid', false)];
  out.push(p('DataVersion', 'Edm.String'));
  out.push(p('DeletionMark', 'Edm.Boolean'));
  if (def.kind === 'Document') {
    out.push(p('Number', 'Edm.String', true, { maxLength: def.numberLength }));
    out.push(p('Date', 'Edm.DateTime'));
    out.push(p('Posted', 'Edm.Boolean'));
    return out;
  }
  if (def.kind === 'ChartOfAccounts') {
    // Parent_Key, Code, Description, Order, Type, OffBalance: the standard attributes a public client of a live БП
    // base reads from ChartOfAccounts_Хозрасчетный (see ../onec/dump/publish.ts, chartOfAccountsSet).
    out.push(p('Parent_Key', 'Edm.Guid', true, { ref: def.name }));
    out.push(p('Code', 'Edm.String', true, { maxLength: def.codeLength }));
    out.push(p('Description', 'Edm.String', true, { maxLength: def.descriptionLength }));
    out.push(p('Order', 'Edm.String'));
    out.push(p('Type', 'Edm.String'));
    out.push(p('OffBalance', 'Edm.Boolean'));
    out.push(p('Predefined', 'Edm.Boolean'));
    out.push(p('PredefinedDataName', 'Edm.String'));
    return out;
  }
  if (def.hierarchical) {
    out.push(p('Parent_Key', 'Edm.Guid', true, { ref: def.name }));
    // HierarchyOfItems has no folders, so no IsFolder (УпаковкиЕдиницыИзмерения in every УТ dump).
    if (!def.hierarchyOfItems) out.push(p('IsFolder', 'Edm.Boolean'));
  }
  // One owner type: `Owner_Key`; several: composite `Owner` + `Owner_Type` (as БанковскиеСчетаКонтрагентов is published).
  if (def.owners?.length === 1) out.push(p('Owner_Key', 'Edm.Guid', true, { ref: def.owners[0] }));
  else if (def.owners?.length) out.push(p('Owner', 'Edm.String', true, { composite: true }));
  if (def.codeLength !== 0) out.push(def.codeType === 'Number' ? p('Code', 'Edm.Int64') : p('Code', 'Edm.String', true, { maxLength: def.codeLength }));
  if (def.descriptionLength !== 0) out.push(p('Description', 'Edm.String', true, { maxLength: def.descriptionLength }));
  out.push(p('Predefined', 'Edm.Boolean'));
  out.push(p('PredefinedDataName', 'Edm.String'));
  return out;
}

export interface Model {
  config: ConfigurationDef;
  /** Every published set by name (objects, tabular sets, registers, _RecordType sets). */
  shapes: Map<string, Shape>;
  /** Definitions by name. */
  defs: Map<string, EntitySetDef>;
}

export function buildModel(config: ConfigurationDef): Model {
  const shapes = new Map<string, Shape>();
  const defs = new Map<string, EntitySetDef>();
  for (const def of config.sets) {
    defs.set(def.name, def);
    switch (def.kind) {
      case 'Catalog':
      case 'Document':
      case 'ChartOfCharacteristicTypes':
      case 'ChartOfAccounts':
      case 'ExchangePlan': {
        const own = makeShape(def.name, 'object', def, [...objectStdProps(def), ...fieldProps(def.fields)], ['Ref_Key']);
        shapes.set(def.name, own);
        for (const t of def.tabular ?? []) {
          const rowProps = [p('Ref_Key', 'Edm.Guid', false, { ref: def.name }), p('LineNumber', 'Edm.Int64', false), ...fieldProps(t.fields)];
          const ts = makeShape(`${def.name}_${t.name}`, 'tabular', def, rowProps, ['Ref_Key', 'LineNumber']);
          ts.tabular = t;
          // The row's Ref_Key is no navigation in the real $metadata.
          ts.navs = ts.navs.filter((n) => n.field !== 'Ref_Key');
          ts.navByName = new Map(ts.navs.map((n) => [n.name, n]));
          shapes.set(ts.name, ts);
          own.collections.set(t.name, ts);
        }
        break;
      }
      case 'InformationRegister':
      case 'AccumulationRegister': {
        const r = def.register ?? { dimensions: [], resources: [] };
        const sub = def.kind === 'AccumulationRegister' || !!r.recorderSubordinate;
        const dims = fieldProps(r.dimensions);
        const rest = [...fieldProps(r.resources), ...fieldProps(r.attributes)];
        if (!sub) {
          const keyProps = [...(r.periodic ? [p('Period', 'Edm.DateTime', false)] : []), ...dims.map((d) => ({ ...d, nullable: false }))];
          // A composite dimension keys by value and type (`Физлицо`, `Физлицо_Type` in the real $metadata).
          const keys = [...keyProps.map((x) => x.name), ...keyProps.filter((x) => x.composite).map((x) => `${x.name}_Type`)];
          shapes.set(def.name, makeShape(def.name, 'inforeg', def, [...keyProps, ...rest], keys));
          break;
        }
        const single = r.recorders?.length === 1 && !!r.recordersComplete;
        const recorderProp = (): Prop => (single ? p('Recorder_Key', 'Edm.Guid', false, { ref: r.recorders![0] }) : p('Recorder', 'Edm.String', false, { composite: true }));
        const recorderKeys = single ? ['Recorder_Key'] : ['Recorder', 'Recorder_Type'];
        const recProps: Prop[] = [recorderProp()];
        if (def.kind === 'AccumulationRegister' || r.periodic) recProps.push(p('Period', 'Edm.DateTime'));
        recProps.push(p('LineNumber', 'Edm.Int64', false), p('Active', 'Edm.Boolean'));
        if (def.kind === 'AccumulationRegister' && (r.accumulation ?? 'balance') === 'balance') recProps.push(p('RecordType', 'Edm.String'));
        const records = makeShape(`${def.name}_RecordType`, 'records', def, [...recProps, ...dims, ...rest], [...recorderKeys, 'LineNumber']);
        shapes.set(records.name, records);
        const set = makeShape(def.name, 'recordset', def, [recorderProp()], recorderKeys);
        set.collections.set('RecordSet', records);
        shapes.set(def.name, set);
        break;
      }
      case 'AccountingRegister': {
        const r = def.register;
        const acc = r?.accounting;
        if (!r || !acc) break;
        const single = r.recorders?.length === 1 && !!r.recordersComplete;
        const recorderProp = (): Prop => (single ? p('Recorder_Key', 'Edm.Guid', false, { ref: r.recorders![0] }) : p('Recorder', 'Edm.String', false, { composite: true }));
        const recorderKeys = single ? ['Recorder_Key'] : ['Recorder', 'Recorder_Type'];
        // Recorder first, as in the real $metadata (Recorder, Period, LineNumber, Active, AccountDr_Key, …).
        const withRecorder = makeShape(`${def.name}_RecordType`, 'records', def, [recorderProp(), ...accountingRecordProps(def)], [...recorderKeys, 'LineNumber']);
        shapes.set(withRecorder.name, withRecorder);
        const set = makeShape(def.name, 'recordset', def, [recorderProp()], recorderKeys);
        set.collections.set('RecordSet', withRecorder);
        shapes.set(def.name, set);
        break;
      }
      default:
        // DocumentJournal / Constant: not modelled by the engine (ReGate reads neither).
        break;
    }
  }
  return { config, shapes, defs };
}

/** `Валюта_Key` → `ВалютаDr_Key`, `Количество` → `КоличествоDr`: a Balance = false value per side. */
export function sideName(name: string, side: 'Dr' | 'Cr'): string {
  return name.endsWith('_Key') ? `${name.slice(0, -4)}${side}_Key` : `${name}${side}`;
}

/**
 * The records of an accounting register with correspondence, after the recorder: Period, LineNumber, Active,
 * AccountDr_Key, AccountCr_Key, each dimension and resource once when Balance = true, else as Dr and Cr, then the
 * attributes — the order of the real AccountingRegister_Хозрасчетный_RecordType (see ../onec/dump/publish.ts).
 * Then the subconto of each side, ExtDimensionDr1..N / ExtDimensionCr1..N (composite, with `_Type`), as OpenType
 * dynamic properties: the real $metadata declares none of them; the names are those public clients of live bases
 * read (`ExtDimensionDr1`, `ExtDimensionDr1_Type`: code index files 57906646506, 47227816635), and the vendor chapter
 * compares the virtual table's `ExtDimension1` through `cast(guid'…', 'Catalog_Контрагенты')`, i.e. a composite
 * (reference/1c-8.3.27-devguide-17.4-standard-odata.md lines 1300-1304). Whether a plain GET of the record set
 * returns them is not shown by any material; the emulator serves them so that its Balance is computed from records.
 */
export function accountingRecordProps(def: EntitySetDef): Prop[] {
  const r = def.register!;
  const acc = r.accounting!;
  const split = new Set(acc.nonBalance);
  const sides = (list: Prop[]) => list.flatMap((x) => (split.has(x.name) ? [{ ...x, name: sideName(x.name, 'Dr') }, { ...x, name: sideName(x.name, 'Cr') }] : [x]));
  const ext: Prop[] = [];
  for (const side of ['Dr', 'Cr'] as const) {
    for (let i = 1; i <= acc.maxExtDimensionCount; i++) ext.push(p(`ExtDimension${side}${i}`, 'Edm.String', true, { composite: true, open: true }));
  }
  return [
    p('Period', 'Edm.DateTime'),
    p('LineNumber', 'Edm.Int64', false),
    p('Active', 'Edm.Boolean'),
    p('AccountDr_Key', 'Edm.Guid', true, { ref: acc.chartOfAccounts }),
    p('AccountCr_Key', 'Edm.Guid', true, { ref: acc.chartOfAccounts }),
    ...sides(fieldProps(r.dimensions)),
    ...sides(fieldProps(r.resources)),
    ...fieldProps(r.attributes),
    ...ext,
  ];
}

/** Where a register's records name their recorder: `Recorder_Key` (one recorder type) or composite `Recorder`. */
export function recorderFieldOf(shape: Shape): 'Recorder_Key' | 'Recorder' {
  return shape.propByName.has('Recorder') ? 'Recorder' : 'Recorder_Key';
}

/** Default (empty) native value of a property, as 1C fills an unset attribute. */
export function emptyValue(prop: Prop): unknown {
  if (prop.storage) return prop.storage.part === 'type' ? 'application/octet-stream' : '';
  if (prop.typeOf) return 'StandardODATA.Undefined';
  if (prop.composite) return '';
  switch (prop.type) {
    case 'Edm.Guid':
      return EMPTY_GUID;
    case 'Edm.Boolean':
      return false;
    case 'Edm.DateTime':
      return EMPTY_DATE;
    case 'Edm.Double':
    case 'Edm.Int16':
    case 'Edm.Int32':
    case 'Edm.Int64':
      return 0;
    default:
      return '';
  }
}

/**
 * What a model publishes, as feature detection asks it (src/onec/profiles/features.ts PublishedView): sets, fields
 * (`Part/Field` for tabular columns, a register's record fields) and string lengths, which a dump knows and a live
 * $metadata does not.
 */
export function modelView(model: Model): { hasSet(set: string): boolean; hasField(set: string, field: string): boolean; maxLength(set: string, field: string): number | undefined } {
  return {
    hasSet: (set) => model.shapes.has(set),
    hasField(set, field) {
      const [part, name] = field.includes('/') ? field.split('/', 2) : [undefined, field];
      const sh = model.shapes.get(set);
      const where = part ? sh?.collections.get(part) : sh?.kind === 'recordset' ? sh.collections.get('RecordSet') : sh;
      return !!where?.propByName.has(name) || !!model.shapes.get(`${set}_RecordType`)?.propByName.has(name);
    },
    maxLength: (set, field) => model.shapes.get(set)?.propByName.get(field)?.maxLength,
  };
}
