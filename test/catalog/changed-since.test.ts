import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { CatalogService } from '../../src/catalog/service.js';
import { I1, I2, I3, S1, S2, item, snapshot } from '../fixtures/mirror.js';

// changedSince is an instant; the mirror keeps changed_at as toISOString() (UTC, milliseconds). Comparing the two
// as strings missed items: an offset (+03:00) or a timestamp without milliseconds does not sort like the instant.
let db: Db;
let catalog: CatalogService;
const ids = (changedSince: string, store = S1) => catalog.assortment({ store, changedSince, page: 1, pageSize: 100 }).items.map((i) => i.id);

beforeAll(() => {
  db = openDb(':memory:');
  writeSnapshot(db, snapshot, new Date('2026-11-01T00:00:00.000Z'));
  // Гречка changes half a second into 06:00:00 UTC (= 09:00:00.5 in Moscow).
  writeSnapshot(db, { ...snapshot, items: snapshot.items.map((i) => (i.id === I1 ? item(I1, 'Гречка ядрица') : i)) }, new Date('2026-11-29T06:00:00.500Z'));
  catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
});

describe('assortment?changedSince=', () => {
  it('compares instants, not strings: Z without milliseconds, and an offset, both find the change', () => {
    expect(ids('2026-11-29T05:59:59.999Z')).toEqual([I1]);
    expect(ids('2026-11-29T06:00:00Z')).toEqual([I1]);
    expect(ids('2026-11-29T09:00:00+03:00')).toEqual([I1]);
    expect(ids('2026-11-29T08:00:00+03:00')).toEqual([I1]);
  });
  it('nothing after the change', () => {
    expect(ids('2026-11-29T06:00:00.500Z')).toEqual([]);
    expect(ids('2026-11-29T09:00:01+03:00')).toEqual([]);
    expect(ids('2026-11-29T03:00:01-03:00')).toEqual([]);
    expect(ids('2026-10-31T00:00:00Z', S2)).toEqual([I3, I2]); // Пшено (sold to order), Рис
  });
});
