import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { createApp } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { I1, I2, I3, item, snapshot } from '../fixtures/mirror.js';

// The picture's Content-Type came from the file's extension in 1C (Расширение, whatever the user attached) as
// `image/<ext>`: a Cyrillic extension is not a valid header value (a 500), `svg` gave `image/svg`.
const pic = (n: number) => `dddddddd-0000-4000-8000-00000000000${n}`;
const cases: [string, string][] = [['jpg', 'image/jpeg'], ['JPEG', 'image/jpeg'], ['png', 'image/png'], ['svg', 'image/svg+xml'], ['жпг', 'application/octet-stream'], ['gif', 'image/gif'], ['webp', 'image/webp']];
let app: ReturnType<typeof createApp>;
let db: Db;
const auth = { Authorization: 'Basic ' + Buffer.from('магазин:пароль', 'utf8').toString('base64') };

beforeAll(async () => {
  db = openDb(':memory:');
  const pictures = cases.map(([ext], i) => ({ id: pic(i), itemId: I1, extension: ext.toLowerCase() }));
  writeSnapshot(db, { ...snapshot, items: [item(I1, 'Гречка', { pictureIds: pictures.map((p) => p.id) }), item(I2, 'Рис'), item(I3, 'Пшено', { soldToOrder: true })], pictures });
  for (const p of pictures) db.prepare(`UPDATE catalog_pictures SET data = ? WHERE id = ?`).run(Buffer.from([1, 2, 3]), p.id);
  const config = parseConfig({ auth: { users: [{ name: 'магазин', passwordHash: await hashPassword('пароль') }] } });
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  app = createApp({ config, logger: silentLogger, services: { catalog, health: { ready: async () => ({ ready: true, checks: [] }) } } });
});

describe('GET /picture/{id}', () => {
  it('answers 200 with a valid Content-Type for any extension 1C holds', async () => {
    for (const [i, [ext, type]] of cases.entries()) {
      const r = await app.request(`/api/v1/picture/${pic(i)}`, { headers: auth });
      expect(r.status, ext).toBe(200);
      expect(r.headers.get('content-type'), ext).toBe(type);
    }
  });
});
