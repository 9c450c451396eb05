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
  const types = props.filter((x) => x.composite).map((x) => p(`${x.name}_Type`, 'Edm.String', x.nullable, { typeOf: x.name }));
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
      default:
        // DocumentJournal / Constant: not modelled by the engine (ReGate reads neither).
        break;
    }
  }
  return { config, shapes, defs };
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
