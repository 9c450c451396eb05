/**
 * A 1C configuration as its Designer XML dump (or EDT project) describes it: the metadata ReGate needs to know what
 * a base publishes over the standard OData interface. Read by ./read.ts, turned into published entity sets by
 * ./publish.ts. Nothing here is typed from memory: every name, type, length and uuid comes from the dump files.
 */

/** Metadata kinds the reader understands, as the platform names them in full names (`Catalog.Номенклатура`). */
export type MdKind =
  | 'Catalog'
  | 'Document'
  | 'Enum'
  | 'DefinedType'
  | 'ChartOfCharacteristicTypes'
  | 'InformationRegister'
  | 'AccumulationRegister'
  | 'AccountingRegister'
  | 'ChartOfAccounts'
  | 'Constant'
  | 'ExchangePlan'
  | 'DocumentJournal';

/** One type of an attribute's type list, as the dump spells it, before defined types are resolved. */
export type MdType =
  | { kind: 'string'; length: number }
  | { kind: 'boolean' }
  | { kind: 'number'; digits: number; fraction: number; nonNegative: boolean }
  | { kind: 'date'; fractions: 'Date' | 'Time' | 'DateTime' }
  | { kind: 'uuid' }
  | { kind: 'storage' }
  /** `cfg:CatalogRef.X` → target `Catalog.X`; `cfg:EnumRef.X` → `Enum.X`. */
  | { kind: 'ref'; target: string }
  /** `cfg:DefinedType.X` (resolved later against DefinedType.X). */
  | { kind: 'defined'; name: string }
  /** `cfg:Characteristic.X`: the value types of ChartOfCharacteristicTypes.X. */
  | { kind: 'characteristic'; name: string }
  /** A type set over every reference of a kind (`cfg:CatalogRef`, `cfg:AnyRef`): always composite. */
  | { kind: 'anyRef'; of: string }
  /** Something the reader does not model (kept so a composite stays composite). */
  | { kind: 'other'; name: string };

export interface MdAttribute {
  name: string;
  uuid: string;
  types: MdType[];
  /** 'Adopted' for a vendor attribute an extension borrowed; undefined for the object's own. */
  belonging?: 'Adopted';
  /** FillValue of an enum attribute (`Enum.ХозяйственныеОперации.EnumValue.РеализацияКлиенту` → member name). */
  fillValue?: string;
  /** AccountingRegister dimensions and resources: the Balance property (false: a Dr and a Cr value per record). */
  balance?: boolean;
}

export interface MdTabular {
  name: string;
  uuid: string;
  attributes: MdAttribute[];
  belonging?: 'Adopted';
}

export interface MdPredefined {
  name: string;
  id: string;
  code: string;
  description: string;
  isFolder: boolean;
  /** Name of the predefined parent folder, when nested (ChildItems). */
  parent?: string;
  /** ChartOfCharacteristicTypes items: the item's own value type (`<Type>`), e.g. CatalogRef.Номенклатура. */
  types?: MdType[];
  /** ChartOfAccounts items: AccountType (Active, Passive, ActivePassive) and OffBalance as the file spells them. */
  accountType?: string;
  offBalance?: boolean;
  /** ChartOfAccounts items: AccountingFlags by flag name (`Количественный` → true). */
  flags?: Record<string, boolean>;
  /** ChartOfAccounts items: the account's subconto kinds in order (ExtDimension1..N). */
  extDimensionTypes?: MdExtDimensionType[];
}

export interface MdExtDimensionType {
  /** Name of the predefined item of the chart's ExtDimensionTypes (`Контрагенты`). */
  name: string;
  /** Turnover: the subconto is kept for turnovers only. */
  turnover: boolean;
  /** ExtDimensionAccountingFlags by flag name (`Суммовой` → true). */
  flags: Record<string, boolean>;
}

export interface MdObject {
  kind: MdKind;
  name: string;
  /** `Catalog.Номенклатура` */
  fullName: string;
  uuid: string;
  /** Relative path of the description file inside the dump. */
  file: string;
  belonging?: 'Adopted';
  /** Extensions: the vendor uuid of the adopted object. */
  extendedObject?: string;
  attributes: MdAttribute[];
  tabular: MdTabular[];
  // Catalog / ChartOfCharacteristicTypes
  hierarchical?: boolean;
  hierarchyType?: 'HierarchyFoldersAndItems' | 'HierarchyOfItems';
  /** Full names of the owner objects (`Catalog.Номенклатура`). */
  owners?: string[];
  codeLength?: number;
  codeType?: 'String' | 'Number';
  descriptionLength?: number;
  // Document
  numberLength?: number;
  numberType?: 'String' | 'Number';
  /** Registers the document writes records to (full names). */
  registerRecords?: string[];
  // Registers
  dimensions?: MdAttribute[];
  resources?: MdAttribute[];
  /** InformationRegister: Nonperiodical, Second, Day, Month, …, RecorderPosition. */
  periodicity?: string;
  /** InformationRegister: Independent | RecorderSubordinate. */
  writeMode?: string;
  /** AccumulationRegister: Balance | Turnovers. */
  registerType?: string;
  /** AccountingRegister: its chart of accounts (full name) and whether records correspond (Dr and Cr in one). */
  chartOfAccounts?: string;
  correspondence?: boolean;
  // ChartOfAccounts
  /** Full name of the chart of characteristic types holding the subconto kinds. */
  extDimensionTypes?: string;
  maxExtDimensionCount?: number;
  /** AccountingFlag / ExtDimensionAccountingFlag objects (Boolean attributes of the account / of its subconto rows). */
  accountingFlags?: MdAttribute[];
  extDimensionAccountingFlags?: MdAttribute[];
  // Enum
  values?: { name: string; uuid: string }[];
  // DefinedType, ChartOfCharacteristicTypes (value type), Constant
  types?: MdType[];
  predefined?: MdPredefined[];
}

export interface MdConfiguration {
  /** The dump folder it was read from. */
  dir: string;
  format: 'designer-xml' | 'edt';
  /** MetaDataObject@version of Configuration.xml (`2.18`); undefined for EDT or without Configuration.xml. */
  formatVersion?: string;
  name: string;
  synonym: string;
  version: string;
  uuid: string;
  compatibilityMode?: string;
  extensionCompatibilityMode?: string;
  /** Extensions only: the configuration extension's name prefix and purpose. */
  isExtension: boolean;
  namePrefix?: string;
  /** Every object Configuration.xml lists (full names), whether or not its file is in the dump. */
  listed: string[];
  /** Objects whose description files were read, by full name. */
  objects: Map<string, MdObject>;
  /**
   * Configuration.xml lists documents whose files are absent (a trimmed dump): what records into a register is then
   * not fully known, so a register is not taken for a single-recorder one (see publish.ts, `Recorder`).
   */
  trimmed?: boolean;
  /** Problems met while reading (a listed object without a file is not one: that is a trimmed dump). */
  warnings: string[];
}
