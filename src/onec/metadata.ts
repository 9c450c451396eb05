import { XMLParser } from 'fast-xml-parser';
import type { FieldType, FieldTypes } from './values.js';

/**
 * $metadata (EDMX, OData v3) of a 1C base → entity sets, types, tabular row types and bound functions.
 * Facts from a real УТ 11 dump (probe P4): virtual tables and Post/Unpost are FunctionImports with
 * IsBindable="true" whose binding is the type of the `bindingParameter` (no EntitySet attribute); tabular rows
 * and virtual-table results are ComplexTypes; NavigationProperty targets come from Association ends; the
 * EntityContainer may sit in another Schema than the types; a full УТ 11 document is ~17 MB.
 */

export interface EdmProperty {
  name: string;
  type: string;
  nullable: boolean;
}

export interface EdmNavigation {
  name: string;
  relationship: string;
  /** Target entity type name (namespace stripped), when the association is declared. */
  target?: string;
}

export interface EdmEntityType {
  name: string;
  key: string[];
  properties: EdmProperty[];
  navigation: EdmNavigation[];
}

export interface EdmComplexType {
  name: string;
  properties: EdmProperty[];
}

export interface EdmFunction {
  name: string;
  /** Entity type it is bound to (namespace stripped), e.g. AccumulationRegister_ТоварыНаСкладах. */
  bindingType?: string;
  returnType?: string;
  sideEffecting: boolean;
  parameters: { name: string; type: string }[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) =>
    [
      'Schema',
      'EntityType',
      'ComplexType',
      'EnumType',
      'Member',
      'Property',
      'PropertyRef',
      'NavigationProperty',
      'Association',
      'End',
      'EntityContainer',
      'EntitySet',
      'FunctionImport',
      'Parameter',
    ].includes(name),
});

type X = Record<string, any>;
const arr = (v: unknown): X[] => (Array.isArray(v) ? (v as X[]) : v === undefined || v === null ? [] : [v as X]);

/** "StandardODATA.Catalog_X" → "Catalog_X"; "Collection(StandardODATA.X_RowType)" → "X_RowType". */
export function localName(type: string): string {
  const m = /^Collection\((.*)\)$/.exec(type);
  const t = m ? m[1] : type;
  if (t.startsWith('Edm.')) return t;
  const dot = t.lastIndexOf('.');
  return dot >= 0 ? t.slice(dot + 1) : t;
}

const props = (t: X): EdmProperty[] =>
  arr(t.Property).map((p) => ({ name: String(p.Name), type: String(p.Type), nullable: p.Nullable !== 'false' }));

export class ODataMetadata {
  readonly namespace: string;
  readonly containerName: string;
  /** Set name → entity type name (namespace stripped). */
  readonly entitySets = new Map<string, string>();
  readonly entityTypes = new Map<string, EdmEntityType>();
  readonly complexTypes = new Map<string, EdmComplexType>();
  /** Enum type → member names (values arrive as member-name strings). */
  readonly enumTypes = new Map<string, string[]>();
  readonly functions: EdmFunction[] = [];
  private readonly typeCache = new Map<string, FieldTypes>();

  constructor(xml: string) {
    const doc = parser.parse(xml) as X;
    const services = doc.Edmx?.DataServices;
    if (!services) throw new Error('not an EDMX document (no edmx:DataServices)');
    const schemas = arr(services.Schema);
    if (schemas.length === 0) throw new Error('EDMX without a Schema');
    this.namespace = String(schemas[0].Namespace ?? '');
    const associations = new Map<string, X>();
    for (const s of schemas) {
      for (const a of arr(s.Association)) associations.set(`${s.Namespace}.${a.Name}`, a);
    }
    let container: X | undefined;
    for (const s of schemas) {
      for (const t of arr(s.EntityType)) {
        const key = arr(t.Key?.PropertyRef).map((r) => String(r.Name));
        const navigation = arr(t.NavigationProperty).map((n) => {
          const assoc = associations.get(String(n.Relationship));
          const end = arr(assoc?.End).find((e) => e.Role === n.ToRole);
          return {
            name: String(n.Name),
            relationship: String(n.Relationship),
            target: end ? localName(String(end.Type)) : undefined,
          };
        });
        this.entityTypes.set(String(t.Name), { name: String(t.Name), key, properties: props(t), navigation });
      }
      for (const t of arr(s.ComplexType)) this.complexTypes.set(String(t.Name), { name: String(t.Name), properties: props(t) });
      for (const t of arr(s.EnumType)) this.enumTypes.set(String(t.Name), arr(t.Member).map((m) => String(m.Name)));
      // The container is wherever it is (some platform versions put it in a Schema of its own).
      for (const c of arr(s.EntityContainer)) if (!container || c.IsDefaultEntityContainer === 'true') container = c;
    }
    if (!container) throw new Error('EDMX without an EntityContainer');
    this.containerName = String(container.Name ?? '');
    for (const es of arr(container.EntitySet)) this.entitySets.set(String(es.Name), localName(String(es.EntityType)));
    for (const f of arr(container.FunctionImport)) {
      const params = arr(f.Parameter).map((p) => ({ name: String(p.Name), type: String(p.Type) }));
      const binding = params.find((p) => p.name === 'bindingParameter');
      this.functions.push({
        name: String(f.Name),
        bindingType: binding ? localName(binding.type) : undefined,
        returnType: f.ReturnType === undefined ? undefined : String(f.ReturnType),
        sideEffecting: f.IsSideEffecting === 'true',
        parameters: params.filter((p) => p !== binding),
      });
    }
  }

  /** The entity type behind a set, or undefined when the set is not published. */
  entitySet(name: string): EdmEntityType | undefined {
    const t = this.entitySets.get(name);
    return t === undefined ? undefined : this.entityTypes.get(t);
  }

  hasSet(name: string): boolean {
    return this.entitySets.has(name);
  }

  /** Property names of a set (tabular parts included), or undefined when the set is not published. */
  fields(set: string): string[] | undefined {
    return this.entitySet(set)?.properties.map((p) => p.name);
  }

  /** Functions bound to a set's type: ['Balance', 'Turnovers', …] or ['Post', 'Unpost'] or ['SliceLast', …]. */
  functionsOf(set: string): EdmFunction[] {
    const t = this.entitySets.get(set) ?? set;
    return this.functions.filter((f) => f.bindingType === t);
  }

  private typesOf(properties: EdmProperty[], depth: number): FieldTypes {
    const m: FieldTypes = new Map();
    for (const p of properties) {
      const ft: FieldType = { type: p.type, nullable: p.nullable };
      if (depth < 3 && p.type.startsWith('Collection(')) {
        const row = this.complexTypes.get(localName(p.type));
        if (row) ft.row = this.typesOf(row.properties, depth + 1);
      }
      m.set(p.name, ft);
    }
    return m;
  }

  /** Field → type map for values.ts, for a set or a complex type (virtual-table result) name. */
  fieldTypes(setOrType: string): FieldTypes | undefined {
    const cached = this.typeCache.get(setOrType);
    if (cached) return cached;
    const props = this.entitySet(setOrType)?.properties ?? this.entityTypes.get(setOrType)?.properties ?? this.complexTypes.get(setOrType)?.properties;
    if (!props) return undefined;
    const m = this.typesOf(props, 0);
    this.typeCache.set(setOrType, m);
    return m;
  }

  /** Result row type of a bound function (Balance → X_Balance, SliceLast → the register's record type). */
  functionResultType(set: string, fn: string): string | undefined {
    const f = this.functionsOf(set).find((x) => x.name === fn);
    return f?.returnType ? localName(f.returnType) : undefined;
  }
}

export function parseMetadata(xml: string): ODataMetadata {
  return new ODataMetadata(xml);
}
