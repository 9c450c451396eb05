import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { fetchMissingPictures } from '../../src/catalog/pictures.js';

// fetchMissingPictures pages through InformationRegister_ДвоичныеДанныеФайлов (every file of the base) until every
// picture without bytes is found. A picture whose bytes can never be there — kept in volumes (ВТомахНаДиске), or a
// file since deleted — kept it from stopping early, so every full sync (every 30 min) read the whole register again.
const FILES = 'Catalog_НоменклатураПрисоединенныеФайлы';
let em: Emulator;
let db: Db;
let config: Config;
let onec: ODataClient;
let inVolume: string;
let deleted: string;
const hidden = new Set<string>();

beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ seed: 8, items: 40 }) });
  config = parseConfig({ onec: { url: em.url } });
  db = openDb(':memory:');
  onec = new ODataClient(config.onec);
  // The register has no row for a file kept in volumes, nor for a deleted one.
  const stream = onec.stream.bind(onec);
  onec.stream = (set, o) => {
    const inner = stream(set, o);
    if (set !== 'InformationRegister_ДвоичныеДанныеФайлов') return inner;
    return (async function* () {
      for await (const page of inner) yield page.filter((r) => !hidden.has(String(r.Файл)));
    })();
  };
  const files = em.store.list(FILES).filter((f) => !f.DeletionMark);
  [inVolume, deleted] = [String(files[0].Ref_Key), String(files[1].Ref_Key)];
});
afterAll(async () => {
  await onec?.close();
  await em?.close();
});

describe('pictures without bytes in the base', () => {
  it('are not looked for again and again: a second fetch sends no request', async () => {
    await runFullSync({ db, onec, config }); // `deleted` is still a picture here, its bytes never fetched
    em.store.update(FILES, deleted, { DeletionMark: true });
    em.store.update(FILES, inVolume, { ТипХраненияФайла: 'ВТомахНаДиске' });
    hidden.add(deleted).add(inVolume);
    await runFullSync({ db, onec, config });
    const first = await fetchMissingPictures({ db, onec, config }, 20);
    expect(first.fetched).toBeGreaterThan(0);
    expect(first.missing).toBe(0);
    expect(await fetchMissingPictures({ db, onec, config }, 20)).toEqual({ fetched: 0, missing: 0, requests: 0 });
    // Neither is offered as an icon that could only ever answer 503.
    const icons = (db.prepare(`SELECT picture_ids FROM catalog_items`).pluck().all() as string[]).flatMap((j) => JSON.parse(j) as string[]);
    expect(icons).not.toContain(inVolume);
    expect(icons).not.toContain(deleted);
  });
});
