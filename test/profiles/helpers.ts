import type { Row } from '../../src/onec/profiles/index.js';

const NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const EMPTY = '00000000-0000-0000-0000-000000000000';

/**
 * Turns a demo (native) row into what ODataClient returns: naive dates → Date (UTC here; the zone does not
 * matter to the mappers), the empty date → null, empty refs → null, composite types without the StandardODATA. namespace, Buffers → `X_Base64Data`. Mirrors the
 * conventions documented in src/onec/values.ts without depending on it.
 */
export function normalise(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (Array.isArray(v)) out[k] = v.map((r) => normalise(r as Row));
    else if (Buffer.isBuffer(v)) out[`${k}_Base64Data`] = v.toString('base64');
    else if (typeof v === 'string' && v.startsWith('0001-01-01T00:00:00')) out[k] = null;
    else if (typeof v === 'string' && NAIVE.test(v)) out[k] = new Date(`${v}Z`);
    else if (v === EMPTY) out[k] = null;
    else if (k.endsWith('_Type') && typeof v === 'string') out[k] = v.replace(/^StandardODATA\./, '');
    else out[k] = v;
  }
  return out;
}
