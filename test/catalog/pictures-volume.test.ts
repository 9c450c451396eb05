import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync, fileInVolume } from '../../src/catalog/sync.js';
import { fetchMissingPictures } from '../../src/catalog/pictures.js';

// A base that keeps files in volumes (ТипХраненияФайла = ВТомахНаДиске): the bytes are not in OData; ReGate reads
// them from where the volume is mounted on its machine.
const VOLUME = 'eeeeeeee-0000-4000-8000-000000000001';
const mount = mkdtempSync(join(tmpdir(), 'regate-volume-'));
const BYTES = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
let em: Emulator;
let onec: ODataClient;
let fileId = '';

beforeAll(async () => {
  const base = generateDemoBase({ seed: 9, items: 40 });
  base.rows['Catalog_ТомаХраненияФайлов'] = [{ Ref_Key: VOLUME, Description: 'Основной том', ПолныйПутьLinux: '/srv/1c-files/', ПолныйПутьWindows: '\\\\fs\\1c-files\\' }];
  const file = base.rows['Catalog_НоменклатураПрисоединенныеФайлы'][0];
  fileId = String(file.Ref_Key);
  Object.assign(file, { ТипХраненияФайла: 'ВТомахНаДиске', Том_Key: VOLUME, ПутьКФайлу: 'AB\\CD\\картинка.png' });
  base.rows['InformationRegister_ХранилищеФайлов'] = base.rows['InformationRegister_ХранилищеФайлов'].filter((r) => r.Файл !== fileId);
  mkdirSync(join(mount, 'AB', 'CD'), { recursive: true });
  writeFileSync(join(mount, 'AB', 'CD', 'картинка.png'), BYTES);
  em = await startEmulator({ base });
  onec = new ODataClient({ url: em.url });
});
afterAll(async () => {
  await onec?.close();
  await em?.close();
});

describe('pictures kept in 1C file volumes', () => {
  it('are offered as icons and read from the mounted volume once', async () => {
    const db = openDb(':memory:');
    const config = parseConfig({ onec: { url: em.url }, catalog: { volumeRoots: { '/srv/1c-files/': `${mount}/` } } });
    await runFullSync({ db, onec, config });
    const row = db.prepare(`SELECT volume_path AS path FROM catalog_pictures WHERE id = ?`).get(fileId) as { path: string };
    expect(row.path).toBe(join(mount, 'AB', 'CD', 'картинка.png'));
    const r = await fetchMissingPictures({ db, onec, config });
    expect(r.missing).toBe(0);
    expect(db.prepare(`SELECT data FROM catalog_pictures WHERE id = ?`).pluck().get(fileId)).toEqual(BYTES);
  });

  it('without a known volume root the path is used as is; a missing file is reported, not fatal', async () => {
    const db = openDb(':memory:');
    const config = parseConfig({ onec: { url: em.url } });
    await runFullSync({ db, onec, config });
    expect(db.prepare(`SELECT volume_path FROM catalog_pictures WHERE id = ?`).pluck().get(fileId)).toBe('/srv/1c-files/AB/CD/картинка.png');
    const r = await fetchMissingPictures({ db, onec, config });
    expect(r.missing).toBe(1);
  });

  it('maps volume paths per platform, UNC shares included', () => {
    const v = { windowsPath: '\\\\fs\\1c-files\\', linuxPath: '' };
    expect(fileInVolume(v, 'AB\\x.png', {}, 'win32')).toBe('\\\\fs\\1c-files\\AB\\x.png');
    expect(fileInVolume(v, 'AB\\x.png', { '\\\\FS\\1c-files\\': '/mnt/1c/' }, 'linux')).toBe('/mnt/1c/AB/x.png');
    expect(fileInVolume({ windowsPath: '', linuxPath: '' }, 'x.png', {}, 'linux')).toBeNull();
  });
});
