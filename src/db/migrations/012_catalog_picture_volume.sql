-- Pictures kept in a 1C file volume (ВТомахНаДиске) are read from disk at this path (catalog.volumeRoots maps the
-- volume's path as 1C records it to this machine's); NULL for pictures whose bytes are in the base.
ALTER TABLE catalog_pictures ADD COLUMN volume_path TEXT;
