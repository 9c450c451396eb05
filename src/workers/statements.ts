import type Database from 'better-sqlite3';
import type { Db } from '../db/open.js';

type Statement = Database.Statement<unknown[]>;
type Mode = 'flat' | 'pluck' | 'raw' | 'expand';

/**
 * One compiled statement per SQL text on this connection (the delivery thread's: src/workers/outbox-worker.ts).
 *
 * The delivery handlers (src/orders/delivery) call db.prepare(...) where they use a statement, about ten times per
 * order (orderRow three times, the lines, the client, the VAT rates, the confirmation UPDATE, the history row): 5 % of
 * the delivery thread's busy time in the booking bench's profile was SQLite compiling the same texts again (load 9-11,
 * 2026-12-03). Here db.prepare hands out a light handle over a statement kept by its text (the last `max` texts).
 *
 * Each handle keeps its own result mode (pluck/raw/expand) and sets it on the shared statement just before it runs,
 * so a caller's .pluck() never leaks into another caller of the same text (better-sqlite3's modes live on the
 * statement). A handle whose statement is busy (an iterate() still open on the same text) runs on a fresh one; bind()
 * and safeIntegers(), which would change the statement for everyone, give the handle a statement of its own.
 */
export function shareStatements(db: Db, max = 256): void {
  const prepare = db.prepare.bind(db) as (sql: string) => Statement;
  const kept = new Map<string, Statement>();
  const modeOf = new WeakMap<Statement, Mode>();
  const keep = (sql: string): Statement => {
    let s = kept.get(sql);
    if (s) {
      // Least recently used goes first: re-insert at the end.
      kept.delete(sql);
      kept.set(sql, s);
      return s;
    }
    s = prepare(sql);
    kept.set(sql, s);
    if (kept.size > max) kept.delete(kept.keys().next().value as string);
    return s;
  };
  const setMode = (s: Statement, mode: Mode) => {
    if (!s.reader) return;
    const cur = modeOf.get(s) ?? 'flat';
    if (cur === mode) return;
    if (mode === 'flat') s[cur as Exclude<Mode, 'flat'>](false);
    else s[mode](true);
    modeOf.set(s, mode);
  };
  db.prepare = ((sql: string) => new Handle(sql, keep(sql), prepare, setMode)) as unknown as Db['prepare'];
}

class Handle {
  private mode: Mode = 'flat';
  /** After bind() or safeIntegers(): a statement of this handle's own. */
  private own: Statement | undefined;

  constructor(
    readonly source: string,
    private readonly shared: Statement,
    private readonly prepare: (sql: string) => Statement,
    private readonly setMode: (s: Statement, mode: Mode) => void,
  ) {}

  get database() {
    return this.shared.database;
  }
  get reader() {
    return this.shared.reader;
  }
  get readonly() {
    return this.shared.readonly;
  }
  get busy() {
    return (this.own ?? this.shared).busy;
  }

  /** The statement to run now, in this handle's mode. */
  private target(): Statement {
    const s = this.own ?? (this.shared.busy ? this.prepare(this.source) : this.shared);
    this.setMode(s, this.mode);
    return s;
  }

  run(...params: unknown[]) {
    return this.target().run(...params);
  }
  get(...params: unknown[]) {
    return this.target().get(...params);
  }
  all(...params: unknown[]) {
    return this.target().all(...params);
  }
  iterate(...params: unknown[]) {
    return this.target().iterate(...params);
  }
  columns() {
    return this.target().columns();
  }

  private toggle(mode: Exclude<Mode, 'flat'>, on: boolean): this {
    // Not a reader: the statement's own error ("only for statements that return data").
    if (!this.shared.reader) this.shared[mode](on);
    this.mode = on ? mode : this.mode === mode ? 'flat' : this.mode;
    return this;
  }
  pluck(on = true) {
    return this.toggle('pluck', on);
  }
  raw(on = true) {
    return this.toggle('raw', on);
  }
  expand(on = true) {
    return this.toggle('expand', on);
  }

  private mine(): Statement {
    if (!this.own) {
      this.own = this.prepare(this.source);
      this.setMode(this.own, this.mode);
    }
    return this.own;
  }
  bind(...params: unknown[]) {
    this.mine().bind(...params);
    return this;
  }
  safeIntegers(on = true) {
    this.mine().safeIntegers(on);
    return this;
  }
}
