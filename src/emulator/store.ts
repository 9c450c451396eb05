/**
 * The emulator's in-memory base. Rows are kept as NATIVE values (numbers, naive date strings, guid strings) with
 * every published property filled (1C never omits an attribute); serialisation to the dialect happens on output.
 * Objects are indexed by Ref_Key, independent information registers by their key, recorder-subordinate registers
 * by recorder — so single-entity reads are O(1) and a page over 100,000 items costs one filter/sort pass.
 *
 * Rows returned by list/get are the store's own objects: read them, change them only through the methods.
 */
import { err, ODataError } from './errors.js';
import { EMPTY_DATE, EMPTY_GUID, emptyValue, recorderFieldOf, type Model, type Prop, type Shape } from './model.js';
import type { EntitySetDef, PostingHook, PostingStoreView } from './schema/types.js';
import { counterOf, dataVersionOf, fromWire, GUID_RE, newGuid, normDate } from './values.js';

export type Row = Record<string, unknown>;

interface ObjectData {
  kind: 'object';
  byKey: Map<string, Row>;
  counter: number;
}
interface InfoRegData {
  kind: 'inforeg';
  byKey: Map<string, Row>;
}
interface RecordData {
  kind: 'records';
  byRecorder: Map<string, Row[]>;
  flat: Row[] | null;
}
type SetData = ObjectData | InfoRegData | RecordData;

export interface StoreOptions {
  /** IANA zone for "now" (document dates, register periods); default the process zone. */
  timezone?: string;
  /** Posting handlers by document set, used when the set's definition has no onPost. */
  posting?: Record<string, PostingHook>;
  /** Functional options (Constant_* in a real base) the handlers consult; absent = false. */
  functionalOptions?: Record<string, boolean>;
}

export class Store implements PostingStoreView {
  private readonly data = new Map<string, SetData>();
  /** Incremented on every write: lets caches (none yet) and tests observe change. */
  writes = 0;
  /**
   * Properties a write carried that the configuration does not publish, by set (`Catalog_Склады.Code`). 1C ignores
   * them silently (DIALECT.md, Writing), so a client writing a field its base lacks loses data without an error:
   * tests assert this stays empty for what ReGate writes.
   */
  readonly ignored = new Map<string, Set<string>>();
  private noteIgnored = (set: string) => (name: string) => {
    let s = this.ignored.get(set);
    if (!s) this.ignored.set(set, (s = new Set()));
    s.add(name);
  };

  constructor(
    readonly model: Model,
    private readonly opts: StoreOptions = {},
  ) {
    Object.assign(this.options, opts.functionalOptions ?? {});
    this.enumMembers = new Map(Object.entries(model.config.enums).map(([k, v]) => [k, new Set(v)]));
    for (const def of model.config.sets) {
      const shape = model.shapes.get(def.name);
      if (!shape) continue;
      if (shape.kind === 'object') this.data.set(def.name, { kind: 'object', byKey: new Map(), counter: 0 });
      else if (shape.kind === 'inforeg') this.data.set(def.name, { kind: 'inforeg', byKey: new Map() });
      else if (shape.kind === 'recordset') this.data.set(def.name, { kind: 'records', byRecorder: new Map(), flat: null });
    }
    this.seedPredefined();
  }

  /**
   * Predefined items (the dump's Ext/Predefined.xml) exist in every base of the configuration, with the vendor's ids:
   * Catalog_СтавкиНДС.БезНДС is c7d2e6fc-… everywhere. A generated row with the same Ref_Key replaces the seed
   * (the demo fills in what an administrator would, e.g. its description); the predefined marks stay.
   */
  private seedPredefined(): void {
    for (const def of this.model.config.sets) {
      const shape = this.model.shapes.get(def.name);
      if (!def.predefined?.length || shape?.kind !== 'object') continue;
      const d = this.dataOf(def.name) as ObjectData;
      const byName = new Map(def.predefined.map((p) => [p.name, p.ref]));
      for (const p of def.predefined) {
        const row = this.complete(shape, {
          Ref_Key: p.ref,
          Code: p.code,
          Description: p.description,
          ...(shape.propByName.has('IsFolder') ? { IsFolder: p.isFolder } : {}),
          ...(p.parent && shape.propByName.has('Parent_Key') ? { Parent_Key: byName.get(p.parent) } : {}),
          // A chart of accounts' item: its type, flags and subconto rows (ExtDimensionTypes) from Predefined.xml.
          ...(p.values ?? {}),
          ...(p.rows ?? {}),
        });
        row.Predefined = true;
        row.PredefinedDataName = p.name;
        row.DataVersion = dataVersionOf(0);
        d.byKey.set(p.ref.toLowerCase(), row);
      }
    }
  }

  /** Current server-local time, naive. */
  now(): string {
    const d = new Date();
    if (!this.opts.timezone) {
      const off = d.getTimezoneOffset() * 60000;
      return new Date(d.getTime() - off).toISOString().slice(0, 19);
    }
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: this.opts.timezone,
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).formatToParts(d);
    const g = (t: string) => parts.find((x) => x.type === t)!.value;
    return `${g('year')}-${g('month')}-${g('day')}T${g('hour')}:${g('minute')}:${g('second')}`;
  }

  shape(set: string): Shape {
    const s = this.model.shapes.get(set);
    if (!s) throw err.unknownSet(set);
    return s;
  }

  private dataOf(defName: string): SetData {
    const d = this.data.get(defName);
    if (!d) throw err.unknownSet(defName);
    return d;
  }

  // ---------------------------------------------------------------- loading

  /** Loads a generated base: rows per set name with native values (see the data contract in index.ts). */
  load(rows: Record<string, Row[]>): void {
    // Objects first: a composite `Recorder` takes its type from the document that has the recorder's guid.
    const isRegister = (set: string) => /^(AccumulationRegister|InformationRegister|AccountingRegister)_/.test(set);
    const ordered = Object.entries(rows).sort(([a], [b]) => Number(isRegister(a)) - Number(isRegister(b)));
    for (const [set, list] of ordered) {
      const name = set.endsWith('_RecordType') ? set.slice(0, -'_RecordType'.length) : set;
      const shape = this.model.shapes.get(name);
      if (!shape) throw new Error(`emulator: rows given for ${set}, which the configuration does not define (or the engine does not model)`);
      if (shape.kind === 'object') {
        const d = this.dataOf(shape.name) as ObjectData;
        for (const r of list) {
          const row = this.complete(shape, r);
          if (!GUID_RE.test(String(row.Ref_Key)) || row.Ref_Key === EMPTY_GUID) row.Ref_Key = newGuid();
          else row.Ref_Key = (row.Ref_Key as string).toLowerCase();
          if (!row.DataVersion) row.DataVersion = dataVersionOf(0);
          // A generated row for a predefined item keeps the platform's marks (applyScalars never sets them).
          const seeded = d.byKey.get(row.Ref_Key as string);
          if (seeded?.Predefined) {
            row.Predefined = true;
            row.PredefinedDataName = seeded.PredefinedDataName;
          }
          d.byKey.set(row.Ref_Key as string, row);
          d.counter = Math.max(d.counter, numericSuffix(shape.def, row));
        }
      } else if (shape.kind === 'inforeg') {
        const d = this.dataOf(shape.name) as InfoRegData;
        for (const r of list) {
          const row = this.complete(shape, r);
          d.byKey.set(keyString(shape, row), row);
        }
      } else if (shape.kind === 'recordset') {
        const rec = shape.collections.get('RecordSet')!;
        const d = this.dataOf(shape.name) as RecordData;
        const rf = recorderFieldOf(rec);
        for (const r of list) {
          const row = this.complete(rec, r);
          const k = String(r[rf] ?? r.Recorder_Key ?? r.Recorder).toLowerCase();
          row[rf] = k;
          if (rf === 'Recorder') row.Recorder_Type = (r.Recorder_Type as string | undefined) ?? this.recorderTypeOf(shape.def, k);
          let arr = d.byRecorder.get(k);
          if (!arr) d.byRecorder.set(k, (arr = []));
          arr.push(row);
          if (!r.LineNumber) row.LineNumber = arr.length;
          // A record is active unless the generator says otherwise (the platform's default too).
          if (r.Active === undefined || r.Active === null) row.Active = true;
        }
        d.flat = null;
      }
    }
  }

  /** A row with every property of the shape present (defaults for the missing ones), tabular parts included. */
  complete(shape: Shape, r: Row): Row {
    const row: Row = {};
    for (const p of shape.props) {
      let v = r[p.name];
      if (v === undefined && p.storage) v = storageValue(p.storage, r[p.storage.of]);
      row[p.name] =
        v === undefined || v === null ? emptyValue(p) : p.type === 'Edm.DateTime' && typeof v === 'string' && v.length !== 19 ? normDate(v) : v;
    }
    if (row.Ref_Key === EMPTY_GUID && shape.kind === 'object') row.Ref_Key = newGuid();
    for (const [name, ts] of shape.collections) {
      if (shape.kind !== 'object') continue;
      const lines = Array.isArray(r[name]) ? (r[name] as Row[]) : [];
      row[name] = lines.map((l, i) => {
        const line = this.complete(ts, l);
        line.Ref_Key = row.Ref_Key;
        if (!l.LineNumber) line.LineNumber = i + 1;
        return line;
      });
    }
    return row;
  }

  // ---------------------------------------------------------------- reads

  /** All rows of a published set: objects, tabular rows (flattened), register records, or recorder groups. */
  list(set: string): Row[] {
    const shape = this.shape(set);
    switch (shape.kind) {
      case 'object':
      case 'inforeg':
        return Array.from((this.dataOf(shape.name) as ObjectData | InfoRegData).byKey.values());
      case 'tabular': {
        const name = shape.tabular!.name;
        const out: Row[] = [];
        for (const o of (this.dataOf(shape.def.name) as ObjectData).byKey.values()) for (const l of o[name] as Row[]) out.push(l);
        return out;
      }
      case 'records':
        return this.records(shape.def.name);
      case 'recordset': {
        const d = this.dataOf(shape.name) as RecordData;
        return Array.from(d.byRecorder, ([k, v]) => this.recordSetRow(shape, k, v));
      }
      default:
        return [];
    }
  }

  /** Flat records of a register (cached until the next write). */
  records(register: string): Row[] {
    const d = this.dataOf(register);
    if (d.kind !== 'records') return this.list(register);
    if (!d.flat) d.flat = Array.from(d.byRecorder.values()).flat();
    return d.flat;
  }

  count(set: string): number {
    const shape = this.shape(set);
    if (shape.kind === 'object' || shape.kind === 'inforeg') return (this.dataOf(shape.name) as ObjectData).byKey.size;
    return this.list(set).length;
  }

  /**
   * One row: objects by Ref_Key (a string), tabular rows by {Ref_Key, LineNumber}, independent registers by their
   * key fields, recorder sets by Recorder_Key, records by {Recorder_Key, LineNumber}.
   */
  get(set: string, key: string | Row): Row | undefined {
    const shape = this.shape(set);
    const k: Row = typeof key === 'string' ? { [shape.keys[0]]: key } : key;
    switch (shape.kind) {
      case 'object':
        return (this.dataOf(shape.name) as ObjectData).byKey.get(String(k.Ref_Key).toLowerCase());
      case 'tabular': {
        const o = (this.dataOf(shape.def.name) as ObjectData).byKey.get(String(k.Ref_Key).toLowerCase());
        return (o?.[shape.tabular!.name] as Row[] | undefined)?.find((l) => Number(l.LineNumber) === Number(k.LineNumber));
      }
      case 'inforeg':
        return (this.dataOf(shape.name) as InfoRegData).byKey.get(keyString(shape, this.complete(shape, k)));
      case 'recordset': {
        // Internal callers (posting, tests) may name the recorder either way; the OData key parser names it as published.
        const key = String(k[recorderFieldOf(shape)] ?? k.Recorder_Key ?? k.Recorder).toLowerCase();
        const arr = (this.dataOf(shape.name) as RecordData).byRecorder.get(key);
        return arr ? this.recordSetRow(shape, key, arr) : undefined;
      }
      case 'records': {
        const arr = (this.dataOf(shape.def.name) as RecordData).byRecorder.get(String(k[recorderFieldOf(shape)] ?? k.Recorder_Key ?? k.Recorder).toLowerCase());
        return arr?.find((l) => Number(l.LineNumber) === Number(k.LineNumber));
      }
      default:
        return undefined;
    }
  }

  // ---------------------------------------------------------------- writes

  /** Functional options, changeable at run time (the admin endpoint; tests). */
  readonly options: Record<string, boolean> = {};
  /** Enum members as sets: ХозяйственныеОперации alone has 790, and every write checks its enum fields. */
  private readonly enumMembers: ReadonlyMap<string, ReadonlySet<string>>;

  option(name: string): boolean {
    return this.options[name] === true;
  }

  /** Runs the set's ПередЗаписью stand-in; a refusal is 1C's 500 / -1 with the handler named. */
  private beforeWrite(def: EntitySetDef, row: Row): void {
    if (!def.onWrite) return;
    try {
      def.onWrite(row, this);
    } catch (e) {
      if (e instanceof ODataError) throw e;
      throw err.internal(`Ошибка при выполнении обработчика - 'ПередЗаписью': ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** For posting hooks: the first row matching `match` exactly, created from match + init when absent. */
  has(set: string): boolean {
    return this.model.shapes.has(set);
  }

  findOrCreate(set: string, match: Row, init: Row = {}): string {
    const entries = Object.entries(match);
    const found = this.list(set).find((r) => entries.every(([k, v]) => r[k] === v || (typeof v === 'string' && typeof r[k] === 'string' && v.toLowerCase() === (r[k] as string).toLowerCase())));
    if (found) return found.Ref_Key as string;
    return this.insert(set, { ...init, ...match }).Ref_Key as string;
  }

  /**
   * Creates an object or an independent register record. `body` holds wire or native values; it is coerced like
   * an OData POST (unknown properties ignored, long strings truncated). Returns the stored row.
   */
  insert(set: string, body: Row): Row {
    const shape = this.shape(set);
    if (shape.kind === 'tabular') throw err.tabularPost();
    if (shape.kind === 'inforeg') {
      const d = this.dataOf(shape.name) as InfoRegData;
      const row = this.complete(shape, {});
      applyScalars(shape, row, body, this.noteIgnored(shape.name), this.enumMembers);
      const k = keyString(shape, row);
      if (d.byKey.has(k)) throw err.duplicate();
      d.byKey.set(k, row);
      this.writes++;
      return row;
    }
    if (shape.kind !== 'object') throw err.notSupported(`Создание записей в ${set}`);
    const d = this.dataOf(shape.name) as ObjectData;
    const row = this.complete(shape, {});
    row.Ref_Key = newGuid();
    applyScalars(shape, row, body, this.noteIgnored(shape.name), this.enumMembers);
    if (d.byKey.has(row.Ref_Key as string)) throw err.duplicate();
    this.applyCollections(shape, row, body);
    const def = shape.def;
    if (def.kind === 'Document') {
      if (!row.Number) row.Number = this.nextNumber(d, def, def.numberPrefix ?? '', def.numberLength ?? 11);
      if (row.Date === EMPTY_DATE) row.Date = this.now();
      row.Posted = false;
    } else if (shape.propByName.has('Code') && !row.Code) {
      row.Code = this.nextNumber(d, def, def.codePrefix ?? '', def.codeLength ?? 9);
    }
    this.beforeWrite(def, row);
    row.DataVersion = dataVersionOf(0);
    d.byKey.set(row.Ref_Key as string, row);
    this.writes++;
    return row;
  }

  /** PATCH semantics: the given properties change, tabular parts given are replaced whole. */
  update(set: string, key: string | Row, body: Row): Row {
    const shape = this.shape(set);
    const row = this.get(set, key);
    if (!row) throw err.notFound(set);
    if (shape.kind === 'inforeg') {
      const d = this.dataOf(shape.name) as InfoRegData;
      const oldKey = keyString(shape, row);
      const next = { ...row };
      applyScalars(shape, next, body, this.noteIgnored(shape.name), this.enumMembers);
      const newKey = keyString(shape, next);
      if (newKey !== oldKey && d.byKey.has(newKey)) throw err.duplicate();
      d.byKey.delete(oldKey);
      Object.assign(row, next);
      d.byKey.set(newKey, row);
      this.writes++;
      return row;
    }
    if (shape.kind !== 'object') throw err.notSupported(`Изменение ${set}`);
    if (shape.def.kind === 'Document' && row.Posted && (body.DeletionMark === true || body.DeletionMark === 'true')) {
      // Live УТ 11 refuses to mark a posted document (probe M2: "сначала Unpost").
      throw err.internal(`Ошибка при выполнении обработчика - 'ПередЗаписью': проведенный документ ${row.Number} не может быть помечен на удаление`);
    }
    const next = { ...row };
    const { Ref_Key: _ignored, ...rest } = body;
    applyScalars(shape, next, rest, this.noteIgnored(shape.name), this.enumMembers);
    this.applyCollections(shape, next, body);
    next.Ref_Key = row.Ref_Key;
    this.beforeWrite(shape.def, next);
    Object.assign(row, next);
    this.bump(row);
    return row;
  }

  remove(set: string, key: string | Row): void {
    const shape = this.shape(set);
    const row = this.get(set, key);
    if (!row) throw err.notFound(set);
    if (shape.kind === 'object') {
      (this.dataOf(shape.name) as ObjectData).byKey.delete(row.Ref_Key as string);
      if (shape.def.kind === 'Document') this.removeRecords(row.Ref_Key as string);
    } else if (shape.kind === 'inforeg') {
      (this.dataOf(shape.name) as InfoRegData).byKey.delete(keyString(shape, row));
    } else if (shape.kind === 'recordset') {
      const d = this.dataOf(shape.name) as RecordData;
      d.byRecorder.delete(row[recorderFieldOf(shape)] as string);
      d.flat = null;
    } else {
      throw err.notSupported(`Удаление ${set}`);
    }
    this.writes++;
  }

  /**
   * Replaces the records a recorder wrote into a register (LineNumber 1..n, Active true by default). `recorderSet`
   * (`Document_X`) types a composite `Recorder`; without it the type is looked up by the recorder's guid.
   */
  writeRecords(register: string, recorder: string, records: Row[], recorderSet?: string): Row[] {
    const shape = this.shape(register);
    if (shape.kind !== 'recordset') throw err.notSupported(`Запись наборов в ${register}`);
    const rec = shape.collections.get('RecordSet')!;
    const d = this.dataOf(register) as RecordData;
    const key = recorder.toLowerCase();
    const rf = recorderFieldOf(rec);
    const recorderType = rf === 'Recorder' ? (recorderSet ? typeName(recorderSet) : this.recorderTypeOf(shape.def, key)) : undefined;
    const rows = records.map((r, i) => {
      const row = this.complete(rec, {});
      row.Active = true;
      applyScalars(rec, row, r, this.noteIgnored(register), this.enumMembers);
      row[rf] = key;
      if (recorderType) row.Recorder_Type = recorderType;
      row.LineNumber = i + 1;
      return row;
    });
    if (rows.length) d.byRecorder.set(key, rows);
    else d.byRecorder.delete(key);
    d.flat = null;
    this.writes++;
    return rows;
  }

  /** Posting: old records removed, the set's onPost hook writes new ones, Posted = true. */
  post(set: string, key: string): Row {
    const shape = this.shape(set);
    const doc = this.get(set, key);
    if (!doc) throw err.notFound(set);
    if (shape.def.kind !== 'Document') throw err.methodNotFound('Post');
    if (doc.DeletionMark) throw err.internal(`Помеченный на удаление документ не может быть проведен! (${set} ${doc.Number})`);
    let produced: Record<string, Row[]> | void;
    try {
      produced = (shape.def.onPost ?? this.opts.posting?.[set])?.(doc, this);
    } catch (e) {
      if (e instanceof ODataError) throw e;
      throw err.internal(`Ошибка при выполнении обработчика - 'ОбработкаПроведения': ${e instanceof Error ? e.message : String(e)}`);
    }
    this.removeRecords(doc.Ref_Key as string);
    for (const [register, records] of Object.entries(produced ?? {})) {
      this.writeRecords(
        register,
        doc.Ref_Key as string,
        records.map((r) => ({ Period: doc.Date, ...r })),
        set,
      );
    }
    doc.Posted = true;
    this.bump(doc);
    return doc;
  }

  unpost(set: string, key: string): Row {
    const shape = this.shape(set);
    const doc = this.get(set, key);
    if (!doc) throw err.notFound(set);
    if (shape.def.kind !== 'Document') throw err.methodNotFound('Unpost');
    this.removeRecords(doc.Ref_Key as string);
    doc.Posted = false;
    this.bump(doc);
    return doc;
  }

  /** One recorder's record set as the platform shows it: the recorder (and its type when composite) and its rows. */
  private recordSetRow(shape: Shape, key: string, rows: Row[]): Row {
    if (recorderFieldOf(shape) === 'Recorder_Key') return { Recorder_Key: key, RecordSet: rows };
    return { Recorder: key, Recorder_Type: rows[0]?.Recorder_Type ?? this.recorderTypeOf(shape.def, key), RecordSet: rows };
  }

  private readonly recorderTypes = new Map<string, string>();

  /** `StandardODATA.Document_X` of a recorder guid: the register's only recorder, else the document that has it. */
  private recorderTypeOf(def: EntitySetDef, recorder: string): string {
    const known = def.register?.recorders;
    if (known?.length === 1) return typeName(known[0]);
    const hit = this.recorderTypes.get(recorder);
    if (hit) return hit;
    for (const [name, d] of this.data) {
      if (d.kind !== 'object' || !name.startsWith('Document_') || !d.byKey.has(recorder)) continue;
      this.recorderTypes.set(recorder, typeName(name));
      return typeName(name);
    }
    return 'StandardODATA.Undefined';
  }

  private removeRecords(recorder: string): void {
    for (const d of this.data.values()) {
      if (d.kind === 'records' && d.byRecorder.delete(recorder)) d.flat = null;
    }
  }

  private bump(row: Row): void {
    row.DataVersion = dataVersionOf(counterOf(row.DataVersion) + 1);
    this.writes++;
  }

  private nextNumber(d: ObjectData, _def: EntitySetDef, prefix: string, length: number): string {
    d.counter++;
    const digits = Math.max(1, length - prefix.length);
    return prefix + String(d.counter).padStart(digits, '0');
  }

  private applyCollections(shape: Shape, row: Row, body: Row): void {
    for (const [name, ts] of shape.collections) {
      if (!(name in body)) continue;
      const lines = body[name];
      if (!Array.isArray(lines)) throw err.internal();
      const out: Row[] = [];
      lines.forEach((l: Row, i) => {
        if (l === null || typeof l !== 'object') throw err.internal();
        if (l.LineNumber === undefined || l.LineNumber === null || l.LineNumber === '') throw err.internal();
        if (Number(l.LineNumber) !== i + 1) throw err.lineNumbers();
        const line = this.complete(ts, {});
        applyScalars(ts, line, l, this.noteIgnored(ts.name), this.enumMembers);
        line.Ref_Key = row.Ref_Key;
        line.LineNumber = i + 1;
        out.push(line);
      });
      row[name] = out;
    }
  }
}

/** Writes the known scalar properties of `body` into `row`, coerced; `X@odata.bind` sets `X_Key`. */
export function applyScalars(shape: Shape, row: Row, body: Row, ignored?: (name: string) => void, enums?: ReadonlyMap<string, ReadonlySet<string>>): void {
  for (const [name, value] of Object.entries(body)) {
    let prop: Prop | undefined = shape.propByName.get(name);
    let v = value;
    if (!prop && name.endsWith('@odata.bind')) {
      prop = shape.propByName.get(`${name.slice(0, -'@odata.bind'.length)}_Key`);
      const m = typeof v === 'string' ? /guid'([0-9a-f-]{36})'/i.exec(v) : null;
      if (!prop || !m) {
        ignored?.(name);
        continue;
      }
      v = m[1];
    }
    if (shape.collections.has(name)) continue;
    // Write-only conveniences of the engine and the body's own bookkeeping are not properties.
    if (!prop) {
      if (name !== 'LineNumber' && name !== 'Ref_Key' && !name.startsWith('odata.') && !name.endsWith('@odata.type')) ignored?.(name);
      continue;
    }
    // Set by the platform only: posting goes through Post/Unpost, predefined items come from the configuration.
    if (name === 'DataVersion' || name === 'Posted' || name === 'Predefined' || name === 'PredefinedDataName') continue;
    const c = fromWire(prop, v);
    // An enum holds one of its members (or the empty value): anything else cannot be stored in a base of this
    // configuration. 1C's answer to it is not recorded in our probes, so the value is kept out and reported.
    const members = prop.enumType ? enums?.get(prop.enumType) : undefined;
    if (members && typeof c === 'string' && c !== '' && !members.has(c)) {
      ignored?.(`${name}=${c} (not a member of ${prop.enumType})`);
      continue;
    }
    if (c !== undefined) row[name] = c;
  }
}

/** Native ValueStorage content (Buffer / Uint8Array / base64 string) → its published parts. */
function storageValue(storage: { part: 'data' | 'type' }, raw: unknown): unknown {
  if (raw === undefined || raw === null) return undefined;
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw instanceof Uint8Array ? Buffer.from(raw) : undefined;
  if (!buf) return undefined;
  if (storage.part === 'data') return buf.toString('base64');
  if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (buf[0] === 0xff && buf[1] === 0xd8) return 'image/jpeg';
  return 'application/octet-stream';
}

export function keyString(shape: Shape, row: Row): string {
  return shape.keys.map((k) => String(row[k] ?? '').toLowerCase()).join('\u0001');
}

function numericSuffix(def: EntitySetDef, row: Row): number {
  const v = String(def.kind === 'Document' ? (row.Number ?? '') : (row.Code ?? ''));
  const prefix = def.kind === 'Document' ? (def.numberPrefix ?? '') : (def.codePrefix ?? '');
  if (prefix && !v.startsWith(prefix)) return 0;
  const m = /(\d+)$/.exec(v.slice(prefix.length));
  return m ? Number(m[1]) : 0;
}

/** The type name a composite value carries in `X_Type`. */
function typeName(set: string): string {
  return `StandardODATA.${set}`;
}
