-- What each mirror generation changed (issue 19.3), so the API's response cache drops only the answers that hold
-- a changed item or a warehouse whose order moved, instead of every answer at every stock sync (a stock sync runs
-- every two minutes and usually changes a few offers; recomputing a 300k base's 8,000 kept pages costs minutes).
-- Written by the sync's final transaction (catalog/apply.ts): a stock sync lists its changed items and rebuilt
-- warehouses; a full sync, or a stock sync that changed too many items to list, leaves them NULL ("everything").
CREATE TABLE IF NOT EXISTS catalog_changes (
  generation INTEGER PRIMARY KEY,
  items      TEXT,                              -- JSON array of catalog_items.id, or NULL: everything
  stores     TEXT                               -- JSON array of catalog_stores.id whose order changed
);

-- q= of one or two characters cannot use the trigram index (014): it scans search_text. Through this narrow index
-- the scan reads ~50 bytes an item instead of the wide catalog_items row (2-letter query on a 300k mirror: 364 ms
-- scanning the table; see docs/benchmarks.md for the figure through the index).
CREATE INDEX IF NOT EXISTS catalog_items_search ON catalog_items (search_text);
