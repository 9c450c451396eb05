import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDemo, syncedDemo } from '../helpers/synced-demo.js';
import type { Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { CatalogService } from '../../src/catalog/service.js';
import { decodeDescription } from '../../src/catalog/descriptions.js';
import { publish, readDump } from '../../src/onec/dump/index.js';

// Issue 14.7: the assortment's short description is УТ's text description (Номенклатура.Описание), the full one the
// text of the item's site description file (ФайлОписанияДляСайта, an attached file whose bytes are where pictures'
// are); never the name; empty when 1C has none. Against the emulator built from the real dumps (11.5.20 and 11.4.2).

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shared = resolve(repo, '../shared');
const EMPTY = '00000000-0000-0000-0000-000000000000';
const ITEMS = 'Catalog_Номенклатура';
const FILES = 'Catalog_НоменклатураПрисоединенныеФайлы';
type Row = Record<string, unknown>;

/** What the stored file's text is, computed here from the bytes 1C holds (not through ReGate's reader). */
const LINKS = 'InformationRegister_ХранилищеФайлов';
const linkOf = (em: Emulator, fileId: string) => (em.store.has(LINKS) ? em.store.list(LINKS).find((r) => r.Файл === fileId) : undefined);
function bytesOf(em: Emulator, fileId: string): Buffer {
  const link = linkOf(em, fileId);
  const b64 = link
    ? em.store.list('Catalog_ХранилищеДвоичныхДанных').find((b) => b.Ref_Key === link.ХранилищеДвоичныхДанных_Key)!.ДвоичныеДанные_Base64Data
    : em.store.list('InformationRegister_ДвоичныеДанныеФайлов').find((r) => r.Файл === fileId)!.ДвоичныеДанныеФайла_Base64Data;
  return Buffer.from(String(b64), 'base64');
}
const bodyOf = (html: string) => /<body>\n([\s\S]*)\n<\/body>/.exec(html)![1].trim();

const catalogOf = (db: Db) => new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });

/** Every item the mirror has, as the API shows it (any warehouse: items are the same row everywhere). */
function shown(db: Db) {
  const catalog = catalogOf(db);
  const out = new Map<string, ReturnType<CatalogService['assortment']>['items'][number]>();
  for (const store of db.prepare(`SELECT id FROM catalog_stores`).pluck().all() as string[]) {
    for (let page = 1; ; page++) {
      const r = catalog.assortment({ store, page, pageSize: 500 });
      for (const i of r.items) out.set(i.id, i);
      if (r.items.length < 500) break;
    }
  }
  return out;
}

for (const variant of ['ut11.5', 'ut11.4'] as const) {
  describe(`descriptions on the ${variant === 'ut11.5' ? '11.5.20' : '11.4.2'} demo base`, () => {
    let em: Emulator;
    let config: Config;
    let onec: ODataClient;
    let db: Db;
    beforeAll(async () => {
      ({ em, config, onec, db } = await syncedDemo({ seed: `descriptions-${variant}`, items: 150, variant }));
    }, 60_000);
    afterAll(() => closeDemo({ em, onec, db }));

    it('short = Описание, full = the site description file’s text; empty when 1C has none, never the name', () => {
      const items = shown(db);
      const rows = new Map(em.store.list(ITEMS).filter((r) => r.IsFolder !== true).map((r) => [String(r.Ref_Key), r]));
      let withText = 0;
      let withoutText = 0;
      let withFile = 0;
      for (const [id, item] of items) {
        const row = rows.get(id)!;
        expect(item.shortDescription).toBe(String(row.Описание).trim());
        if (row.Описание === '') withoutText++;
        else withText++;
        expect(item.fullName).toBe(row.НаименованиеПолное);
        // Never the name twice: neither description is the name or the full name.
        for (const d of [item.shortDescription, item.description]) {
          expect(d).not.toBe(item.name);
          expect(d).not.toBe(item.fullName);
        }
        const file = String(row.ФайлОписанияДляСайта_Key ?? EMPTY);
        if (file === EMPTY) {
          expect(item.description).toBe('');
          continue;
        }
        withFile++;
        expect(item.description).toBe(bodyOf(bytesOf(em, file).toString('utf8')));
        expect(item.description).toMatch(/^<h2>/);
        // The description file is no icon.
        expect(item.icons.some((u) => u.includes(file))).toBe(false);
      }
      expect(withText).toBeGreaterThan(50);
      expect(withoutText).toBeGreaterThan(3);
      expect(withFile).toBeGreaterThan(10);
    });

    it('a changed file is read again and moves the item; an unchanged one is not asked for', async () => {
      const item = em.store.list(ITEMS).find((r) => r.IsFolder !== true && r.ФайлОписанияДляСайта_Key !== EMPTY && r.DeletionMark !== true)!;
      const id = String(item.Ref_Key);
      const file = String(item.ФайлОписанияДляСайта_Key);
      const before = db.prepare(`SELECT changed_at, full_description FROM catalog_items WHERE id = ?`).get(id) as { changed_at: string; full_description: string };
      // Which sets the sync asks for by key (file bytes are read so: pictures.ts readFileBytes).
      const asked: string[] = [];
      const byKeys = onec.listByKeys.bind(onec);
      onec.listByKeys = (set, ...rest) => (asked.push(set), byKeys(set, ...rest));
      const blobSet = variant === 'ut11.5' ? 'Catalog_ХранилищеДвоичныхДанных' : 'InformationRegister_ДвоичныеДанныеФайлов';
      // Nothing changed: a second full sync reads no file bytes.
      const quiet = await runFullSync({ db, onec, config });
      expect(quiet.changed).toBe(0);
      expect(asked).not.toContain(blobSet);

      // 1C: the manager rewrites the page (in Windows-1251, as an older editor saves it) — new bytes, size, date.
      const html = iconv.encode('<html><body>\n<p>Новое описание: «ёлочный» вариант</p>\n</body></html>', 'win1251');
      const link = linkOf(em, file);
      if (link) em.store.update('Catalog_ХранилищеДвоичныхДанных', String(link.ХранилищеДвоичныхДанных_Key), { ДвоичныеДанные_Base64Data: html.toString('base64'), Размер: html.length });
      else em.store.update('InformationRegister_ДвоичныеДанныеФайлов', { Файл: file, Файл_Type: `StandardODATA.${FILES}` }, { ДвоичныеДанныеФайла_Base64Data: html.toString('base64') });
      em.store.update(FILES, file, { Размер: html.length, ДатаМодификацииУниверсальная: '2030-01-01T00:00:00' });
      const after = await runFullSync({ db, onec, config });
      expect(asked.filter((x) => x === blobSet)).toHaveLength(1); // that one file, once
      expect(after.changed).toBe(1);
      const now = db.prepare(`SELECT changed_at, full_description FROM catalog_items WHERE id = ?`).get(id) as { changed_at: string; full_description: string };
      expect(now.full_description).toBe('<p>Новое описание: «ёлочный» вариант</p>');
      expect(now.full_description).not.toBe(before.full_description);
      expect(now.changed_at > before.changed_at).toBe(true);
      expect(shown(db).get(id)?.description).toBe('<p>Новое описание: «ёлочный» вариант</p>');

      // The item loses its description file: the full description is empty again (not the name, not the old text).
      em.store.update(ITEMS, id, { ФайлОписанияДляСайта_Key: EMPTY });
      await runFullSync({ db, onec, config });
      expect(db.prepare(`SELECT full_description FROM catalog_items WHERE id = ?`).pluck().get(id)).toBe('');
      expect(db.prepare(`SELECT count(*) FROM catalog_description_files WHERE id = ?`).pluck().get(file)).toBe(0);
    });

    it('catalog.descriptions chooses the sources: the file as the short one, Описание as the full one', async () => {
      const swapped = parseConfig({ onec: { url: em.url, profile: variant }, catalog: { descriptions: { short: 'siteFile', full: 'description' } } });
      const own = openDb(':memory:');
      try {
        await runFullSync({ db: own, onec, config: swapped });
        const rows = new Map(em.store.list(ITEMS).filter((r) => r.IsFolder !== true).map((r) => [String(r.Ref_Key), r]));
        let files = 0;
        for (const [id, item] of shown(own)) {
          const row = rows.get(id)!;
          expect(item.description).toBe(String(row.Описание).trim());
          const file = String(row.ФайлОписанияДляСайта_Key ?? EMPTY);
          if (file === EMPTY) expect(item.shortDescription).toBe('');
          else {
            files++;
            expect(item.shortDescription).toBe(decodeDescription(bytesOf(em, file), 'html'));
          }
        }
        expect(files).toBeGreaterThan(5);
      } finally {
        own.close();
      }
      expect(() => parseConfig({ catalog: { descriptions: { short: 'description', full: 'description' } } })).toThrow(/same source/);
    });
  });
}

describe('decodeDescription', () => {
  it('reads UTF-8 with and without BOM, UTF-16 with a BOM, Windows-1251 otherwise; HTML keeps the body only', () => {
    const text = 'Описание «ёлки»: 100% хлопок';
    expect(decodeDescription(Buffer.from(text, 'utf8'), 'txt')).toBe(text);
    expect(decodeDescription(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), 'txt')).toBe(text);
    expect(decodeDescription(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'txt')).toBe(text);
    expect(decodeDescription(iconv.encode(text, 'win1251'), 'txt')).toBe(text);
    expect(decodeDescription(Buffer.from(`<!DOCTYPE html><html><head><title>x</title></head><BODY class="a">\r\n<p>${text}</p>\r\n</BODY></html>`), 'htm')).toBe(`<p>${text}</p>`);
    expect(decodeDescription(Buffer.from('  просто текст \r\n вторая строка  '), 'txt')).toBe('просто текст \n вторая строка');
  });
});

describe('the fields exist in both УТ dumps (dump reader)', () => {
  const dumps = ['ut-11.4.2-xml', 'ut-11.5.20-xml'].map((d) => resolve(shared, 'reference/ut-dumps', d));
  it.skipIf(!dumps.every(existsSync))('Номенклатура.Описание (string) and ФайлОписанияДляСайта (→ НоменклатураПрисоединенныеФайлы)', () => {
    for (const dir of dumps) {
      const cfg = publish(readDump(dir));
      const items = cfg.sets.find((s) => s.name === ITEMS)!;
      const field = (n: string) => items.fields!.find((f) => f.name === n);
      expect(field('Описание')?.type).toBe('Edm.String');
      expect(field('ФайлОписанияДляСайта_Key')).toMatchObject({ type: 'Edm.Guid', ref: FILES });
      const files = cfg.sets.find((s) => s.name === FILES)!;
      for (const f of ['ВладелецФайла_Key', 'Расширение', 'Размер', 'ДатаМодификацииУниверсальная', 'ТипХраненияФайла']) expect(files.fields!.some((x) => x.name === f)).toBe(true);
    }
  });
});
