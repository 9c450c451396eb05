/**
 * The emulator's model of a 1C configuration: which entity sets exist, their fields and OData types. The engine
 * (server, store, query, $metadata) is generic over this; ./ut11.ts describes the subset of УТ 11.5 that ReGate
 * touches, named exactly as the real publication names it (see ../shared/reference/onec-odata/derived).
 *
 * Standard attributes (Ref_Key, DataVersion, Code, Description, Number, Date, Posted, DeletionMark, IsFolder,
 * Parent_Key, Owner_Key, Predefined, PredefinedDataName, Recorder_Key, Period, LineNumber, Active) are NOT
 * listed here: the engine adds them from the set's kind and flags, as the platform does.
 */
export type EdmType =
  | 'Edm.String'
  | 'Edm.Guid'
  | 'Edm.Boolean'
  | 'Edm.Double'
  | 'Edm.Int16'
  | 'Edm.Int32'
  | 'Edm.Int64'
  | 'Edm.DateTime'
  | 'Edm.Binary'
  | 'Edm.Stream';

export interface FieldDef {
  /** As published: `Артикул`, `ЕдиницаИзмерения_Key` (a reference), `Контрагент` (+ `Контрагент_Type` if composite). */
  name: string;
  type: EdmType;
  /** For `_Key` references: the target entity set (`Catalog_УпаковкиЕдиницыИзмерения`). */
  ref?: string;
  /** Composite type: published as `name` (Edm.String holding a guid or a value) plus `name_Type`. */
  composite?: boolean;
  /** Enum fields are Edm.String holding the member name; `enumType` names the enum (`ТипыНоменклатуры`). */
  enumType?: string;
  /** String length; longer writes are silently truncated, as 1C does. 0 = unlimited. */
  maxLength?: number;
  /** Number precision, for $metadata only. */
  precision?: number;
  scale?: number;
}

export interface TabularDef {
  /** Tabular part name: `Товары` → set `Document_ЗаказКлиента_Товары`, property `Товары` of the owner. */
  name: string;
  fields: FieldDef[];
}

export type SetKind =
  | 'Catalog'
  | 'Document'
  | 'DocumentJournal'
  | 'Constant'
  | 'ExchangePlan'
  | 'ChartOfCharacteristicTypes'
  | 'InformationRegister'
  | 'AccumulationRegister'
  | 'ChartOfAccounts'
  | 'AccountingRegister';

export interface RegisterDef {
  dimensions: FieldDef[];
  resources: FieldDef[];
  /** Other attributes (реквизиты) of the register. */
  attributes?: FieldDef[];
  /** InformationRegister: periodic (has Period), recorder-subordinate (Recorder + LineNumber, `_RecordType` set). */
  periodic?: boolean;
  recorderSubordinate?: boolean;
  /** AccumulationRegister: 'balance' supports Balance/Turnovers/BalanceAndTurnovers, 'turnovers' only Turnovers. */
  accumulation?: 'balance' | 'turnovers';
  /** Recorder document sets known from the dump. */
  recorders?: string[];
  /**
   * `recorders` lists every document that records here (the dump is not trimmed). One recorder type → the platform
   * publishes `Recorder_Key`; several (or not known to be one) → composite `Recorder` + `Recorder_Type`, as every
   * multi-recorder register of the real ut-real.edmx is published.
   */
  recordersComplete?: boolean;
  /** AccountingRegister: what its records carry besides dimensions and resources (read from the dump). */
  accounting?: AccountingDef;
}

/**
 * An accounting register's link to its chart of accounts (AccountingRegisters/<Name>.xml: ChartOfAccounts,
 * Correspondence, and per dimension / resource the Balance flag; the chart's MaxExtDimensionCount).
 */
export interface AccountingDef {
  /** Published set of the chart (`ChartOfAccounts_Хозрасчетный`). */
  chartOfAccounts: string;
  correspondence: boolean;
  /** MaxExtDimensionCount of the chart: ExtDimension1..N. */
  maxExtDimensionCount: number;
  /** Published set of the subconto kinds (the chart's ExtDimensionTypes, a chart of characteristic types). */
  extDimensionTypes?: string;
  /** Dimension / resource field names (as in `dimensions` / `resources`) with Balance = false: split Dr / Cr. */
  nonBalance: string[];
}

export interface EntitySetDef {
  /** Full published name: `Catalog_Номенклатура`, `AccumulationRegister_ТоварыНаСкладах`. */
  name: string;
  kind: SetKind;
  /** Catalog / Document / ChartOfCharacteristicTypes attributes (реквизиты). */
  fields?: FieldDef[];
  tabular?: TabularDef[];
  hierarchical?: boolean;
  /**
   * HierarchyOfItems (items under items, no folders): `Parent_Key` without `IsFolder`, as УпаковкиЕдиницыИзмерения is
   * published. Without it a hierarchical catalog has folders (HierarchyFoldersAndItems: `Parent_Key` + `IsFolder`).
   */
  hierarchyOfItems?: boolean;
  /** CodeType Number publishes Code as Edm.Int64 (default String). */
  codeType?: 'String' | 'Number';
  /** Predefined items (Ext/Predefined.xml): rows that exist in every base, with the vendor's ids. */
  predefined?: PredefinedDef[];
  /** The metadata object's uuid in the dump it came from. */
  uuid?: string;
  /** Catalog owned by another catalog (Owner_Key), e.g. НоменклатураПрисоединенныеФайлы by Номенклатура. */
  owners?: string[];
  codeLength?: number;
  descriptionLength?: number;
  /** Documents: number length; numbers are assigned as `<prefix><zero-padded counter>`, e.g. "ТД00-000123". */
  numberLength?: number;
  numberPrefix?: string;
  /** Catalogs: assigned codes are `<codePrefix><zero-padded counter>` to codeLength, e.g. "УТ-00009311". */
  codePrefix?: string;
  register?: RegisterDef;
  /**
   * Documents: what posting writes (the engine's stand-in for the posting handler). Called on Post after the
   * document's old records are removed; return the records to write per register set (native values, without
   * Recorder_Key/LineNumber/Active — the engine fills those). Throw an Error to refuse posting (500, code -1,
   * the message is returned). Without it, posting only sets Posted.
   */
  onPost?: (doc: Record<string, unknown>, store: PostingStoreView) => Record<string, Record<string, unknown>[]> | void;
  /**
   * Objects: the engine's stand-in for the object's ПередЗаписью, run on every POST/PATCH after the body is applied
   * (it may fill fields, as УТ fills ЭтоЗаказКакСчет or ОбъектРасчетов). Throw to refuse the write (500, code -1).
   */
  onWrite?: (doc: Record<string, unknown>, store: PostingStoreView) => void;
}

/**
 * What a posting hook may ask of the store (the engine's Store implements it). `findOrCreate` returns the Ref_Key
 * of the first row of `set` whose fields equal `match`, creating it from `match` + `init` when none exists.
 */
export interface PostingStoreView {
  get(set: string, key: string): Record<string, unknown> | undefined;
  list(set: string): Record<string, unknown>[];
  findOrCreate(set: string, match: Record<string, unknown>, init?: Record<string, unknown>): string;
  /**
   * A functional option of the base (in a real base a Constant_* the handlers read): the emulator's settings, so a
   * test can run ReGate against each mode (startEmulator({ functionalOptions }), POST /__emulator/options).
   */
  option(name: string): boolean;
  /** Whether the configuration publishes this set (a handler writes only the registers the base has). */
  has?(set: string): boolean;
}

/** A posting handler kept outside the schema (e.g. ut11Posting), passed to startEmulator({ posting }). */
export type PostingHook = (doc: Record<string, unknown>, store: PostingStoreView) => Record<string, Record<string, unknown>[]> | void;

export interface PredefinedDef {
  name: string;
  ref: string;
  code: string;
  description: string;
  isFolder: boolean;
  parent?: string;
  /** Further field values of the item (a chart of accounts: Type, OffBalance, accounting flags), published names. */
  values?: Record<string, unknown>;
  /** Tabular rows of the item (a chart of accounts: ExtDimensionTypes), published names. */
  rows?: Record<string, Record<string, unknown>[]>;
}

export interface ConfigurationDef {
  /** Configuration name and version as 1C reports them (ВерсииПодсистем, state). */
  name: string;
  synonym: string;
  version: string;
  platformVersion: string;
  /** CompatibilityMode of the configuration (`Version8_3_24`), when read from a dump. */
  compatibilityMode?: string;
  /** Where the model came from: a dump folder, `embedded:ut-11.5.20`, or a hand-written schema. */
  source?: string;
  sets: EntitySetDef[];
  /** Enum types with their members, for $metadata. */
  enums: Record<string, string[]>;
}
