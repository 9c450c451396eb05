/**
 * A demo-like 300k mirror without the emulator (the scale suite's 300k demo base takes 30+ minutes of emulator and
 * sync on a loaded 2-core host): copies a mirror that runFullSync wrote from bench/lib/fake-onec.ts (as bench/sync-fake.ts
 * syncs it; 632 s at 300k, load 13), whose names repeat seven words,
 * and gives every item a name and article as src/emulator/demo/generate.ts composes them — noun «brand» feature, a
 * group prefix and number — so q= sees the demo's word frequencies; search text and FTS through the triggers, the
 * warehouses' orders rebuilt. Used for bench/cold-reads.ts (docs/benchmarks.md, cold q= at 300k).
 *
 *   npx tsx bench/mirror-demo-names.ts <fake-mirror.sqlite> <out.sqlite>     (140 s at 300k, load 8)
 */
import { copyFileSync, rmSync } from 'node:fs';
import { openDb } from '../src/db/open.js';
import { GROUPS, BRANDS } from '../src/emulator/demo/dictionary.js';
import { mulberry32, hashString } from '../src/emulator/demo/random.js';
import { searchTextOf, rebuildAssortmentOrder } from '../src/catalog/writer.js';
const [src, dst] = process.argv.slice(2);
for (const s of ['', '-wal', '-shm']) rmSync(dst + s, { force: true });
copyFileSync(src, dst);
const db = openDb(dst);
const leaves = GROUPS.flatMap((g) => g.subgroups.map((s) => ({ g, s })));
const rows = db.prepare('SELECT rowid AS no FROM catalog_items ORDER BY rowid').pluck().all() as number[];
const up = db.prepare('UPDATE catalog_items SET name = ?, full_name = ?, article = ?, search_text = ? WHERE rowid = ?');
const t0 = performance.now();
db.transaction(() => {
  rows.forEach((no, i) => {
    const rng = mulberry32(hashString(`item/${i}`));
    const { g, s } = leaves[rng.int(0, leaves.length - 1)];
    const [brand] = BRANDS[rng.int(0, BRANDS.length - 1)];
    const name = `${rng.pick(s.nouns)} «${brand}» ${rng.pick(s.features)}`.slice(0, 100);
    const article = `${g.prefix}-${String(i + 1).padStart(6, '0')}`;
    up.run(name, name, article, searchTextOf(name, article), no);
  });
})();
rebuildAssortmentOrder(db);
db.exec(`INSERT INTO catalog_items_fts(catalog_items_fts) VALUES('optimize')`);
db.pragma('wal_checkpoint(TRUNCATE)');
console.log(`${rows.length} items renamed in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
db.close();
