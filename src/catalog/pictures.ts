import { readFile } from 'node:fs/promises';
import type { SyncDeps } from './sync.js';
import { getProfile } from '../onec/profiles/index.js';

/**
 * Pictures are fetched from 1C once and cached in the mirror (catalog_pictures.data). УТ keeps the bytes of files
 * stored in the infobase in InformationRegister_ДвоичныеДанныеФайлов (ValueStorage, published as
 * `…_Base64Data`). We page through it with small pages (binary rows are large: 200 rows ≈ a few MB of base64)
 * and keep the rows whose file is one of our pictures; requests still grow with rows / page size.
 * Files kept in volumes (ТипХраненияФайла = ВТомахНаДиске) have no bytes over OData: they are read from the volume
 * on disk (catalog_pictures.volume_path, resolved at sync through catalog.volumeRoots).
 */
export async function fetchMissingPictures(deps: SyncDeps, pageSize = 200): Promise<{ fetched: number; missing: number; requests: number }> {
  const { db, onec, config } = deps;
  const profile = deps.profile ?? getProfile(config.onec.profile, config);
  const fromVolumes = await readFromVolumes(deps);
  const missing = new Set(db.prepare(`SELECT id FROM catalog_pictures WHERE data IS NULL AND volume_path IS NULL`).pluck().all() as string[]);
  const spec = profile.reads.pictureData;
  if (missing.size === 0 || !spec || spec.kind !== 'collection') return { fetched: fromVolumes.fetched, missing: missing.size + fromVolumes.missing, requests: 0 };
  const before = onec.stats.total;
  const update = db.prepare(`UPDATE catalog_pictures SET data = ?, fetched_at = ? WHERE id = ?`);
  let fetched = fromVolumes.fetched;
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
  return { fetched, missing: missing.size + fromVolumes.missing, requests: onec.stats.total - before };
}

/** Pictures in file volumes: read from disk once; an unreadable file is logged and retried at the next sync. */
async function readFromVolumes(deps: SyncDeps): Promise<{ fetched: number; missing: number }> {
  const rows = deps.db.prepare(`SELECT id, volume_path AS path FROM catalog_pictures WHERE data IS NULL AND volume_path IS NOT NULL`).all() as { id: string; path: string }[];
  const update = deps.db.prepare(`UPDATE catalog_pictures SET data = ?, fetched_at = ? WHERE id = ?`);
  let fetched = 0;
  for (const r of rows) {
    try {
      update.run(await readFile(r.path), new Date().toISOString(), r.id);
      fetched++;
    } catch (e) {
      deps.logger?.warn({ picture: r.id, path: r.path, err: (e as Error).message }, 'picture not readable in its 1C file volume');
    }
  }
  return { fetched, missing: rows.length - fetched };
}
