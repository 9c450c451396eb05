import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import type { Db } from '../db/open.js';
import type { Logger } from '../log.js';
import type { ODataClient } from '../onec/index.js';
import type { Profile } from '../onec/profiles/index.js';
import { readFileBytes } from './pictures.js';
import { S } from './scratch.js';

/**
 * Issue 14.7: an item's description kept in a file (УТ Номенклатура.ФайлОписанияДляСайта, an attached file of
 * Catalog_НоменклатураПрисоединенныеФайлы like the pictures). The full sync stages every attached file's modification
 * time and size as it reads the files (Stager.files), then, before it assembles the items, reads the bytes of the
 * description files that are new or changed — where pictures' bytes are (pictures.ts readFileBytes), or from the file
 * volume on disk — and keeps their text in catalog_description_files. The item takes the text in the same generation,
 * so a changed file moves the item's changedAt like any other change.
 */

export const DESCRIPTION_DDL = `
CREATE TABLE IF NOT EXISTS ${S}.file_meta (file_id TEXT PRIMARY KEY, modified TEXT NOT NULL, size INTEGER NOT NULL, volume_path TEXT, extension TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${S}.item_dfile (item_id TEXT PRIMARY KEY, file_id TEXT NOT NULL) WITHOUT ROWID;
`;

/** Longest text kept (characters): a description, not a catalogue; longer files are cut (and logged). */
export const DESCRIPTION_MAX = 100_000;

/**
 * The text of a description file: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1251 (what 1C and
 * Windows editors write for Russian text without a BOM). HTML keeps its markup, without the document around it (the
 * body's content), so a shop can put it in a page; other files are plain text.
 */
export function decodeDescription(bytes: Buffer, extension: string): string {
  let text: string;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) text = bytes.subarray(3).toString('utf8');
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = iconv.decode(bytes.subarray(2), 'utf16-be');
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = iconv.decode(bytes, 'win1251');
    }
  }
  const ext = extension.toLowerCase().replace(/^\./, '');
  if (ext === 'htm' || ext === 'html' || /^\s*(<!doctype html|<html)/i.test(text)) {
    const body = /<body[^>]*>([\s\S]*?)(<\/body>|$)/i.exec(text);
    if (body) text = body[1];
  }
  text = text.replace(/\r\n?/g, '\n').trim();
  return text.length > DESCRIPTION_MAX ? text.slice(0, DESCRIPTION_MAX) : text;
}

export interface DescriptionReport {
  /** Description files the items name. */
  wanted: number;
  /** Read from 1C (or the volume) at this sync. */
  fetched: number;
  /** Named by an item but not among its attached files (deleted, or in an unknown volume), or without bytes. */
  missing: number;
}

/**
 * Reads the text of the description files the staged items name that the mirror does not have as they are now, and
 * forgets the ones no item names any more. Called by the full sync after the reads, before assembleItems.
 * A file that cannot be read keeps its previous text (it is asked for again at the next sync).
 */
export async function loadDescriptions(deps: { db: Db; onec: ODataClient; logger?: Logger }, profile: Profile, chunk = 50): Promise<DescriptionReport> {
  const { db } = deps;
  db.exec(DESCRIPTION_DDL);
  const wanted = db
    .prepare(
      `SELECT DISTINCT d.file_id AS id, m.modified, m.size, m.volume_path AS volumePath, m.extension
         FROM ${S}.item_dfile d LEFT JOIN ${S}.file_meta m ON m.file_id = d.file_id
        WHERE EXISTS (SELECT 1 FROM ${S}.items i WHERE i.id = d.item_id)`,
    )
    .all() as { id: string; modified: string | null; size: number | null; volumePath: string | null; extension: string | null }[];
  const cached = db.prepare(`SELECT modified, size FROM main.catalog_description_files WHERE id = ?`);
  const stale = wanted.filter((w) => {
    if (w.modified === null) return false;
    const c = cached.get(w.id) as { modified: string; size: number } | undefined;
    return !c || c.modified !== w.modified || c.size !== w.size;
  });
  const meta = new Map(stale.map((w) => [w.id, w]));
  // A description file deleted (or no longer among the item's files) takes its text with it.
  const drop = db.prepare(`DELETE FROM main.catalog_description_files WHERE id = ?`);
  for (const w of wanted) if (w.modified === null) drop.run(w.id);
  const put = db.prepare(`INSERT INTO main.catalog_description_files (id, modified, size, text, fetched_at) VALUES (@id, @modified, @size, @text, @at)
                          ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, size = excluded.size, text = excluded.text, fetched_at = excluded.fetched_at`);
  let fetched = 0;
  const keep = (found: Map<string, Buffer>) => {
    const at = new Date().toISOString();
    db.transaction(() => {
      for (const [id, bytes] of found) {
        const w = meta.get(id);
        if (!w) continue;
        const text = decodeDescription(bytes, w.extension ?? '');
        if (text.length === DESCRIPTION_MAX) deps.logger?.warn({ file: id, bytes: bytes.length }, `item description file longer than ${DESCRIPTION_MAX} characters: cut`);
        put.run({ id, modified: w.modified, size: w.size, text, at });
        fetched++;
      }
    })();
  };
  const inVolumes = stale.filter((w) => w.volumePath);
  for (const w of inVolumes) {
    try {
      keep(new Map([[w.id, await readFile(w.volumePath!)]]));
    } catch (e) {
      deps.logger?.warn({ file: w.id, path: w.volumePath, err: (e as Error).message }, 'item description file not readable in its 1C file volume');
    }
  }
  const inBase = stale.filter((w) => !w.volumePath).map((w) => w.id);
  if (inBase.length) {
    try {
      await readFileBytes(deps, profile, inBase, chunk, keep);
    } catch (e) {
      // The items keep the texts read before; the next sync asks again.
      deps.logger?.warn({ files: inBase.length, err: (e as Error).message }, 'item description files not read from 1C');
    }
  }
  db.prepare(`DELETE FROM main.catalog_description_files WHERE id NOT IN (SELECT file_id FROM ${S}.item_dfile)`).run();
  const have = db.prepare(`SELECT count(*) FROM main.catalog_description_files`).pluck().get() as number;
  return { wanted: wanted.length, fetched, missing: wanted.length - have };
}

/** An item's description file and its kept text, for assembleItems (undefined: the item has none). */
export function descriptionFileOf(db: Db): (itemId: string) => { fileId: string; text: string } | undefined {
  db.exec(DESCRIPTION_DDL);
  const q = db.prepare(`SELECT d.file_id AS fileId, coalesce(t.text, '') AS text FROM ${S}.item_dfile d LEFT JOIN main.catalog_description_files t ON t.id = d.file_id WHERE d.item_id = ?`);
  return (id) => q.get(id) as { fileId: string; text: string } | undefined;
}
