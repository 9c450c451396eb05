import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDump } from './read.js';
import type { MdConfiguration, MdObject } from './types.js';

/**
 * Configuration models generated from the real УТ dumps in ../shared/reference/ut-dumps and committed as data
 * (names, types, lengths, owners, predefined items, enum members, uuids: facts, no vendor text or code), so the
 * demo and the tests run without ../shared. test/onec-dump/embedded.test.ts regenerates each from ../shared and
 * fails on any difference; `npx tsx src/onec/dump/embedded.ts --write` rewrites them after a dump changes.
 */

const here = dirname(fileURLToPath(import.meta.url));
const DATA_DIR = join(here, 'embedded');

export const EMBEDDED = {
  'ut-11.5.20': { file: 'ut-11.5.20.68.json', source: 'reference/ut-dumps/ut-11.5.20-xml' },
  'ut-11.4.2': { file: 'ut-11.4.2.139.json', source: 'reference/ut-dumps/ut-11.4.2-xml' },
} as const;

export type EmbeddedId = keyof typeof EMBEDDED;

/** One object per line: a regenerated model diffs by object. */
export function serialise(cfg: MdConfiguration, id: string): string {
  const head = {
    id,
    format: cfg.format,
    formatVersion: cfg.formatVersion,
    name: cfg.name,
    synonym: cfg.synonym,
    version: cfg.version,
    uuid: cfg.uuid,
    compatibilityMode: cfg.compatibilityMode,
    extensionCompatibilityMode: cfg.extensionCompatibilityMode,
    ...(cfg.trimmed ? { trimmed: true } : {}),
  };
  const objects = [...cfg.objects.values()].sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
  return `{"head":${JSON.stringify(head)},\n"objects":[\n${objects.map((o) => JSON.stringify(o)).join(',\n')}\n]}\n`;
}

const loaded = new Map<string, MdConfiguration>();

export function loadEmbedded(id: EmbeddedId): MdConfiguration {
  const hit = loaded.get(id);
  if (hit) return hit;
  const raw = JSON.parse(readFileSync(join(DATA_DIR, EMBEDDED[id].file), 'utf8')) as { head: Record<string, string | undefined> & { trimmed?: boolean }; objects: MdObject[] };
  const h = raw.head;
  const cfg: MdConfiguration = {
    dir: `embedded:${id}`,
    format: 'designer-xml',
    formatVersion: h.formatVersion,
    name: h.name ?? '',
    synonym: h.synonym ?? '',
    version: h.version ?? '',
    uuid: h.uuid ?? '',
    compatibilityMode: h.compatibilityMode,
    extensionCompatibilityMode: h.extensionCompatibilityMode,
    isExtension: false,
    listed: raw.objects.map((o) => o.fullName),
    objects: new Map(raw.objects.map((o) => [o.fullName, o])),
    trimmed: h.trimmed === true,
    warnings: [],
  };
  loaded.set(id, cfg);
  return cfg;
}

export function embeddedPath(id: EmbeddedId): string {
  return join(DATA_DIR, EMBEDDED[id].file);
}

/** Regenerates the embedded models from ../shared (run from the repository root or anywhere). */
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  const shared = resolve(here, '../../../../shared');
  for (const [id, e] of Object.entries(EMBEDDED)) {
    const cfg = readDump(join(shared, e.source));
    writeFileSync(join(DATA_DIR, e.file), serialise(cfg, id));
    console.log(`${e.file}: ${cfg.objects.size} objects from ${e.source}`);
  }
}
