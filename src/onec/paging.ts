import { ODataRepeatedPage } from './errors.js';
import type { Row } from './values.js';

/**
 * 1C has no server paging (no odata.nextLink): a whole set is read as $orderby=<key>&$top=N&$skip=M pages.
 * The loop stops on a short page. If a page starts with the same key as the previous one (an unstable order,
 * or a server that ignores $skip), it throws ODataRepeatedPage instead of looping forever.
 */

export interface PageRequest {
  top: number;
  skip: number;
}

export interface PagingOptions {
  pageSize: number;
  /** Fields that identify a row (the $orderby); their values form the page's first key. */
  keyFields: string[];
  /** For the error message. */
  method?: string;
  urlOf?: (p: PageRequest) => string;
}

export async function* pages(fetchPage: (p: PageRequest) => Promise<Row[]>, opts: PagingOptions): AsyncGenerator<Row[], void, undefined> {
  const { pageSize, keyFields } = opts;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
  let skip = 0;
  let previousFirst: string | undefined;
  // A row created in 1C while we page (keys are random GUIDs) shifts every later row by one: the last row of a page
  // comes again first on the next. Rows already yielded are dropped, so callers never see a key twice.
  const seen = new Set<string>();
  const keyOf = (row: Row) => JSON.stringify(keyFields.map((k) => keyValue(row[k])));
  for (;;) {
    const rows = await fetchPage({ top: pageSize, skip });
    if (rows.length === 0) return;
    const first = JSON.stringify(keyFields.map((k) => keyValue(rows[0][k])));
    if (previousFirst !== undefined && first === previousFirst) {
      throw new ODataRepeatedPage({
        status: 200,
        method: opts.method ?? 'GET',
        url: opts.urlOf?.({ top: pageSize, skip }) ?? '',
        message: `page at $skip=${skip} starts with the same key as the previous page (${first}); the order is not stable or $skip is ignored`,
      });
    }
    previousFirst = first;
    yield rows.filter((row) => {
      const key = keyOf(row);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (rows.length < pageSize) return;
    skip += rows.length;
  }
}

function keyValue(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : v;
}
