import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './templates.js';

export const COMPOSITION_FILE = join(REPO_ROOT, 'onec/odata-composition.txt');

export interface CompositionEntry {
  /** OData entity set name as $metadata spells it: Catalog_Номенклатура. */
  name: string;
  /** Absent in some УТ 11 versions; the data processor skips it silently. */
  optional: boolean;
}

/** The standard OData composition ReGate needs (one list, shared with the data processor in onec/epf). */
export function readOdataComposition(file = COMPOSITION_FILE): CompositionEntry[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => (l.startsWith('?') ? { name: l.slice(1).trim(), optional: true } : { name: l, optional: false }));
}
