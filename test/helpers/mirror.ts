import type { Db } from '../../src/db/open.js';

/**
 * After a test has changed the mirror's items or prices in place: move the mirror generation, as every sync that
 * changes the mirror does in its final transaction (src/catalog/apply.ts swap). Readers keep what they derive from
 * the mirror per generation (the price kinds, booking's item terms, the response cache), so a change without it is
 * one no sync could make.
 */
export function mirrorChanged(db: Db): void {
  db.prepare(`INSERT INTO meta (key, value) VALUES ('mirror.generation', '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`).run();
}
