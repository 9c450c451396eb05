import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { CatalogService } from '../../src/catalog/service.js';
import { I1, I2, I3, S1, item, snapshot } from '../fixtures/mirror.js';

// SQLite's LIKE folds case for ASCII only: `q=гречка` (the API's own example) did not find «Гречка».
let catalog: CatalogService;
const find = (q: string) => catalog.assortment({ store: S1, q, page: 1, pageSize: 100 }).items.map((i) => i.id);

beforeAll(() => {
  const db = openDb(':memory:');
  writeSnapshot(db, { ...snapshot, items: [item(I1, 'Гречка ЯДРИЦА', { article: 'ГР-100%_x' }), item(I2, 'Рис'), item(I3, 'Пшено', { soldToOrder: true })] });
  catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
});

describe('assortment?q=', () => {
  it('is case-insensitive for Cyrillic names and articles', () => {
    expect(find('гречка')).toEqual([I1]);
    expect(find('ядрица')).toEqual([I1]);
    expect(find('ГРЕЧКА')).toEqual([I1]);
    expect(find('гр-100')).toEqual([I1]);
  });
  it('still treats % and _ literally and finds nothing for a stranger', () => {
    expect(find('100%_')).toEqual([I1]);
    expect(find('гр%ка')).toEqual([]); // would match «Гречка» if % were a wildcard
    expect(find('гр_чка')).toEqual([]);
    expect(find("'; DROP TABLE catalog_items; --")).toEqual([]);
    expect(find('рис')).toEqual([]); // Рис is not carried at S1
    expect(find('гречка')).toEqual([I1]);
  });
});
