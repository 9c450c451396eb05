import type { Db } from '../db/open.js';

/**
 * The sync's scratch database (issue 19.2): what 1C answers is written here page by page as it arrives, then
 * assembled and compared with the mirror, so the process never holds a set in memory and the mirror's own file
 * sees only the differences. It is SQLite's private temporary database (ATTACH ''): a file in the temp dir that
 * disappears when detached, with no journal and no fsync (nothing in it survives a crash, nothing needs to), and
 * its own lock — writing it never blocks the API's writers of the main database.
 */
export const S = 'regate_sync';

const DDL = `
-- staged as read (mapped by the profile); seq keeps the order 1C returned them in
-- a rowid table: the id index stays small (a WITHOUT ROWID table keyed by id carried the 1 KB record in its b-tree,
-- and every price and stock row probing it for its item cost 22 µs instead of 5)
CREATE TABLE ${S}.items (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, code TEXT NOT NULL, rec TEXT NOT NULL);
CREATE TABLE ${S}.groups (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, parent_id TEXT, code TEXT, name TEXT NOT NULL);
CREATE TABLE ${S}.units (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, item_id TEXT, base_unit_id TEXT, ratio REAL NOT NULL, name TEXT NOT NULL);
CREATE INDEX ${S}.units_item ON units (item_id, seq);
CREATE INDEX ${S}.units_id ON units (id);
CREATE TABLE ${S}.barcodes (seq INTEGER PRIMARY KEY, item_id TEXT NOT NULL, barcode TEXT NOT NULL);
CREATE INDEX ${S}.barcodes_item ON barcodes (item_id, seq);
CREATE TABLE ${S}.files (seq INTEGER PRIMARY KEY, file_id TEXT NOT NULL, item_id TEXT NOT NULL, extension TEXT NOT NULL, volume_path TEXT);
CREATE INDEX ${S}.files_item ON files (item_id, seq);
CREATE INDEX ${S}.files_id ON files (file_id);
CREATE TABLE ${S}.prices (item_id TEXT NOT NULL, kind_id TEXT NOT NULL, price REAL NOT NULL, PRIMARY KEY (item_id, kind_id)) WITHOUT ROWID;
CREATE TABLE ${S}.stock (store_id TEXT NOT NULL, item_id TEXT NOT NULL, quantity REAL NOT NULL, PRIMARY KEY (store_id, item_id)) WITHOUT ROWID;
-- the new generation, assembled
CREATE TABLE ${S}.kinds (id TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE ${S}.stores (no INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, city TEXT NOT NULL, address TEXT NOT NULL, retail_price_kind_id TEXT, existed INTEGER NOT NULL);
CREATE TABLE ${S}.new_items (
  no INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, group_id TEXT, code TEXT, article TEXT NOT NULL, name TEXT NOT NULL,
  full_name TEXT NOT NULL, description TEXT NOT NULL, full_description TEXT NOT NULL, country TEXT, brand TEXT, unit TEXT NOT NULL,
  portion_size REAL, portion_unit TEXT, min_quantity REAL NOT NULL, multiplicity REAL NOT NULL, sold_to_order INTEGER NOT NULL,
  tier1_threshold REAL NOT NULL, tier2_threshold REAL NOT NULL, picture_ids TEXT NOT NULL, vat_rate_id TEXT, hash TEXT NOT NULL,
  changed_at TEXT NOT NULL, search_text TEXT NOT NULL,
  existed INTEGER NOT NULL, -- the mirror has the item (no = its rowid there)
  write INTEGER NOT NULL    -- its row must be written (content or search text differ)
);
CREATE TABLE ${S}.new_barcodes (item_id TEXT NOT NULL, barcode TEXT NOT NULL, PRIMARY KEY (item_id, barcode)) WITHOUT ROWID;
CREATE TABLE ${S}.pic_used (file_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE ${S}.new_pictures (id TEXT PRIMARY KEY, item_id TEXT NOT NULL, extension TEXT NOT NULL, volume_path TEXT) WITHOUT ROWID;
CREATE TABLE ${S}.packagings (id TEXT PRIMARY KEY, ratio REAL NOT NULL) WITHOUT ROWID;
-- each rebuilt warehouse's paging order
CREATE TABLE ${S}.orders (store_no INTEGER NOT NULL, pos INTEGER NOT NULL, item_no INTEGER NOT NULL, PRIMARY KEY (store_no, pos)) WITHOUT ROWID;
-- what the final transaction applies
CREATE TABLE ${S}.item_del (no INTEGER PRIMARY KEY);
CREATE TABLE ${S}.touched (item_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE ${S}.rebuilt (store_no INTEGER PRIMARY KEY);
`;

export interface Scratch {
  readonly db: Db;
  close(): void;
}

export function openScratch(db: Db): Scratch {
  // A sync that died in this process (an exception between attach and detach) may have left it attached.
  const attached = (db.pragma('database_list') as { name: string }[]).some((d) => d.name === S);
  if (attached) db.exec(`DETACH DATABASE ${S}`);
  db.exec(`ATTACH DATABASE '' AS ${S}`);
  db.pragma(`${S}.journal_mode = OFF`);
  db.pragma(`${S}.synchronous = OFF`);
  // 16 MB of page cache, then the temp file: the scratch of a 300k base is ~500 MB on disk, never in the heap.
  db.pragma(`${S}.cache_size = -16384`);
  db.exec(DDL);
  return {
    db,
    close() {
      if (db.open && (db.pragma('database_list') as { name: string }[]).some((d) => d.name === S)) db.exec(`DETACH DATABASE ${S}`);
    },
  };
}
