import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBEDDED, embeddedPath, loadEmbedded, serialise, type EmbeddedId } from '../../src/onec/dump/embedded.js';
import { readDump } from '../../src/onec/dump/index.js';

const SHARED = resolve(__dirname, '../../../shared');
const have = existsSync(join(SHARED, 'reference/ut-dumps'));
if (!have) console.warn(`test/onec-dump/embedded: ${SHARED} is absent — the embedded models are not compared with the dumps`);

describe('embedded configuration models', () => {
  it.skipIf(!have).each(Object.keys(EMBEDDED) as EmbeddedId[])('%s is exactly what the real dump gives today', (id) => {
    const fresh = serialise(readDump(join(SHARED, EMBEDDED[id].source)), id);
    // A difference means the dump changed or the reader did: regenerate with `npx tsx src/onec/dump/embedded.ts --write`.
    expect(fresh === readFileSync(embeddedPath(id), 'utf8')).toBe(true);
  });

  it('loads without ../shared', () => {
    const cfg = loadEmbedded('ut-11.5.20');
    expect(cfg.version).toBe('11.5.20.68');
    expect(cfg.objects.get('Catalog.СтавкиНДС')?.predefined?.[0].name).toBe('БезНДС');
    expect(loadEmbedded('ut-11.4.2').objects.has('AccumulationRegister.СвободныеОстатки')).toBe(true);
  });
});
