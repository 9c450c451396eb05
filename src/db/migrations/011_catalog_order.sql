-- assortment pages are ordered by (name, id): an index in that order lets SQLite walk a page instead of sorting the
-- store's whole assortment for each cold page.
CREATE INDEX IF NOT EXISTS catalog_items_name ON catalog_items (name, id);
