import { ODataRepeatedPage, type Filter, type ODataClient } from '../onec/index.js';
import type { Row } from '../onec/values.js';

/**
 * A whole set as key-ordered pages ($orderby key, $top, $skip), as ODataClient.stream reads it, with one
 * difference that matters at scale: a row repeated by a shift (an item created in 1C while the sync pages moves
 * every later row by one, so the previous page's last rows come again first) is recognised against the previous
 * page's keys only. client.stream remembers every key of the set to do that: ~100 bytes a key, so the four large
 * sets read together held ~100 MB of keys at 300k items, growing with the base (src/onec/paging.ts; reported).
 * A shift of more than a page between two page reads would repeat rows this does not recognise; the staging
 * tables keep one row per key anyway (INSERT OR IGNORE), so such a repeat costs nothing but its bytes.
 */
export async function* pagesOf(
  onec: ODataClient,
  set: string,
  o: { select: string[]; filter?: Filter | string; keyFields?: string[]; pageSize: number },
): AsyncGenerator<Row[], void, undefined> {
  const keyFields = o.keyFields ?? ['Ref_Key'];
  const keyOf = (row: Row) => JSON.stringify(keyFields.map((k) => (row[k] instanceof Date ? (row[k] as Date).toISOString() : row[k])));
  let skip = 0;
  let previousFirst: string | undefined;
  let previous = new Set<string>();
  for (;;) {
    const rows = await onec.list(set, { select: o.select, filter: o.filter, orderby: keyFields, top: o.pageSize, skip });
    if (rows.length === 0) return;
    const keys = rows.map(keyOf);
    if (previousFirst !== undefined && keys[0] === previousFirst) {
      throw new ODataRepeatedPage({
        status: 200,
        method: 'GET',
        url: `${set}?$skip=${skip}`,
        message: `page at $skip=${skip} starts with the same key as the previous page (${keys[0]}); the order is not stable or $skip is ignored`,
      });
    }
    previousFirst = keys[0];
    yield previous.size ? rows.filter((_, i) => !previous.has(keys[i])) : rows;
    if (rows.length < o.pageSize) return;
    previous = new Set(keys);
    skip += rows.length;
  }
}
