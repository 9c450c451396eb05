import type { SyncDeps } from './sync.js';
import { getProfile } from '../onec/profiles/index.js';

/**
 * Pictures are fetched from 1C once and cached in the mirror (catalog_pictures.data). УТ keeps the bytes of files
 * stored in the infobase in InformationRegister_ДвоичныеДанныеФайлов (ValueStorage, published as
 * `…_Base64Data`). We page through it with small pages (binary rows are large: 200 rows ≈ a few MB of base64)
 * and keep the rows whose file is one of our pictures; requests still grow with rows / page size.
 * Files kept in volumes (ТипХраненияФайла = ВТомахНаДиске) are not reachable over OData and stay without bytes.
 */
export async function fetchMissingPictures(deps: SyncDeps, pageSize = 200): Promise<{ fetched: number; missing: number; requests: number }> {
  const { db, onec, config } = deps;
  const profile = deps.profile ?? getProfile(config.onec.profile, config);
  const missing = new Set(db.prepare(`SELECT id FROM catalog_pictures WHERE data IS NULL`).pluck().all() as string[]);
  const spec = profile.reads.pictureData;
  if (missing.size === 0 || !spec || spec.kind !== 'collection') return { fetched: 0, missing: missing.size, requests: 0 };
  const before = onec.stats.total;
  const update = db.prepare(`UPDATE catalog_pictures SET data = ?, fetched_at = ? WHERE id = ?`);
  let fetched = 0;
  for await (const page of onec.stream(spec.set, { select: spec.select, keyFields: spec.keyFields, pageSize })) {
    const now = new Date().toISOString();
    db.transaction(() => {
      for (const row of page) {
        const id = String(row.Файл ?? '');
        if (!missing.has(id)) continue;
        const bytes = profile.map.pictureBytes(row);
        if (!bytes) continue;
        update.run(bytes, now, id);
        missing.delete(id);
        fetched++;
      }
    })();
    if (missing.size === 0) break;
  }
  return { fetched, missing: missing.size, requests: onec.stats.total - before };
}
