import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dumpDiskCache } from '../../src/onec/dump/disk-cache.js';
import { readDump } from '../../src/onec/dump/read.js';

const tmp = mkdtempSync(join(tmpdir(), 'regate-dump-cache-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A private copy of the EDT fixture: the test changes its files. */
function dump(name: string): string {
  const dir = join(tmp, name);
  cpSync(resolve('test/fixtures/edt-mini'), dir, { recursive: true });
  return dir;
}

describe('parsed dumps kept on disk', () => {
  it('gives back the model the reader made (Maps included), under the path it is asked by', () => {
    const dir = dump('a');
    const cfg = readDump(dir);
    const cache = dumpDiskCache(join(tmp, 'cache-a'));
    expect(cache.get(dir)).toBeUndefined();
    cache.put(dir, cfg);
    const again = dumpDiskCache(join(tmp, 'cache-a')).get(dir);
    expect(again).toBeDefined();
    expect(again!.objects).toBeInstanceOf(Map);
    expect([...again!.objects.keys()]).toEqual([...cfg.objects.keys()]);
    expect(again).toEqual(cfg);
  });

  it('misses when a file of the dump changed (size or mtime), and keeps one entry per dump', () => {
    const dir = dump('b');
    const root = join(tmp, 'cache-b');
    const cache = dumpDiskCache(root);
    cache.put(dir, readDump(dir));
    expect(cache.get(dir)).toBeDefined();
    const file = join(dir, 'src/Catalogs/Склады/Склады.mdo');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(cache.get(dir)).toBeUndefined();
    cache.put(dir, readDump(dir));
    expect(cache.get(dir)).toBeDefined();
    expect(readdirSync(root)).toHaveLength(1);
  });

  it('is not used from a folder others can write, and a damaged entry is a miss, not an error', () => {
    const dir = dump('c');
    const root = join(tmp, 'cache-c');
    const cache = dumpDiskCache(root);
    cache.put(dir, readDump(dir));
    chmodSync(root, 0o777);
    expect(cache.get(dir)).toBeUndefined();
    chmodSync(root, 0o700);
    expect(cache.get(dir)).toBeDefined();
    for (const f of readdirSync(root)) writeFileSync(join(root, f), 'not a model');
    expect(cache.get(dir)).toBeUndefined();
  });
});
