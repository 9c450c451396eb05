import { readFile } from 'node:fs/promises';
import type { SyncDeps } from './sync.js';
import { getProfile, type Profile } from '../onec/profiles/index.js';
import { cast, guid } from '../onec/url.js';

/**
 * Pictures are fetched from 1C once and cached in the mirror (catalog_pictures.data), and only the files the items
 * reference are asked for: by key (the composite dimension `Файл` through cast()), in chunks that keep every URL under
 * onec.maxUrlLength — never a scan of every file of the base (a real base keeps contracts, scans and mail there too).
 * Where the bytes are depends on the БСП version the base runs (detected, profile.features.fileBytes):
 * - 11.5.18+: InformationRegister_ХранилищеФайлов (Файл → ХранилищеДвоичныхДанных_Key), then
 *   Catalog_ХранилищеДвоичныхДанных (ДвоичныеДанные, ValueStorage) — the old register is УдалитьДвоичныеДанныеФайлов;
 * - earlier: InformationRegister_ДвоичныеДанныеФайлов (ДвоичныеДанныеФайла, ValueStorage).
 * Files kept in volumes (ТипХраненияФайла = ВТомахНаДиске) have no bytes over OData: they are read from the volume
 * on disk (catalog_pictures.volume_path, resolved at sync through catalog.volumeRoots).
 */
export async function fetchMissingPictures(deps: SyncDeps, chunk = 50): Promise<{ fetched: number; missing: number; requests: number }> {
  const { db, onec, config } = deps;
  const profile = deps.profile ?? getProfile(config.onec.profile, config);
  const fromVolumes = await readFromVolumes(deps);
  const missing = new Set(db.prepare(`SELECT id FROM catalog_pictures WHERE data IS NULL AND volume_path IS NULL`).pluck().all() as string[]);
  const spec = profile.reads.pictureData;
  if (missing.size === 0 || !spec || spec.kind !== 'collection') return { fetched: fromVolumes.fetched, missing: missing.size + fromVolumes.missing, requests: 0 };
  const before = onec.stats.total;
  const update = db.prepare(`UPDATE catalog_pictures SET data = ?, fetched_at = ? WHERE id = ?`);
  let fetched = fromVolumes.fetched;
  await readFileBytes(deps, profile, [...missing], chunk, (found) => {
    const now = new Date().toISOString();
    db.transaction(() => {
      for (const [file, bytes] of found) {
        if (!missing.has(file)) continue;
        update.run(bytes, now, file);
        missing.delete(file);
        fetched++;
      }
    })();
  });
  return { fetched, missing: missing.size + fromVolumes.missing, requests: onec.stats.total - before };
}

/**
 * The bytes of attached files kept in the base (Catalog_НоменклатураПрисоединенныеФайлы keys), read where the
 * profile says they are (pictureStorage → pictureData, or pictureData by Файл), `chunk` files per request; each
 * chunk's bytes are handed to `onChunk` (file id → bytes) as it arrives. Pictures and, since issue 14.7, site
 * description files are read this way. A file with no bytes in 1C is simply absent from the map.
 */
export async function readFileBytes(deps: Pick<SyncDeps, 'onec'>, profile: Profile, ids: string[], chunk: number, onChunk: (found: Map<string, Buffer>) => void): Promise<void> {
  const { onec } = deps;
  const spec = profile.reads.pictureData;
  const storage = profile.reads.pictureStorage;
  if (!spec || spec.kind !== 'collection') return;
  const filesSet = profile.reads.picture?.kind === 'collection' ? profile.reads.picture.set : 'Catalog_НоменклатураПрисоединенныеФайлы';
  // Binary rows are large (a picture is tens of KB of base64): small chunks keep each answer small.
  for (let i = 0; i < ids.length; i += chunk) {
    const part = ids.slice(i, i + chunk);
    const fileKeys = part.map((id) => cast(id, filesSet));
    let dataRows: { file: string; row: Record<string, unknown> }[];
    if (storage?.kind === 'collection') {
      const links = await onec.listByKeys(storage.set, 'Файл', fileKeys, { select: storage.select });
      const blobOfFile = new Map<string, string>();
      for (const l of links) {
        const blob = profile.map.blobOf(l);
        if (blob) blobOfFile.set(String(l.Файл ?? ''), blob);
      }
      const blobs = [...new Set(blobOfFile.values())];
      const rows = blobs.length ? await onec.listByKeys(spec.set, 'Ref_Key', blobs.map(guid), { select: spec.select }) : [];
      const byBlob = new Map(rows.map((r) => [String(r.Ref_Key), r]));
      dataRows = [...blobOfFile].flatMap(([file, blob]) => (byBlob.has(blob) ? [{ file, row: byBlob.get(blob)! }] : []));
    } else {
      dataRows = (await onec.listByKeys(spec.set, 'Файл', fileKeys, { select: spec.select })).map((row) => ({ file: String(row.Файл ?? ''), row }));
    }
    const found = new Map<string, Buffer>();
    for (const { file, row } of dataRows) {
      const bytes = profile.map.pictureBytes(row);
      if (bytes && !found.has(file)) found.set(file, bytes);
    }
    onChunk(found);
  }
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
