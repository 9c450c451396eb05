import type { ODataClient } from './client.js';
import type { Row } from './values.js';
import type { ReadParams, ReadSpec } from './profiles/types.js';

/**
 * The one place that turns a profile's read declaration into OData requests. Collections are streamed in
 * key-ordered pages (1C has no nextLink); virtual tables (SliceLast, Balance) are one request each, since 1C
 * computes them whole and they take $top but not a reliable $skip.
 */
export async function readAll(client: ODataClient, spec: ReadSpec, params: ReadParams = {}, opts: { pageSize?: number } = {}): Promise<Row[]> {
  switch (spec.kind) {
    case 'collection':
      return client.all(spec.set, {
        select: spec.select,
        filter: spec.filter?.(params),
        keyFields: spec.keyFields,
        pageSize: opts.pageSize,
      });
    case 'sliceLast':
      return client.sliceLast(spec.register, { period: params.period, condition: spec.condition?.(params), recordType: spec.recordType }, { select: spec.select });
    case 'balance':
      return client.balance(spec.register, { period: params.period, condition: spec.condition?.(params), dimensions: spec.dimensions }, { select: spec.select });
  }
}

/** A few rows by a narrowing filter (find by external id, by ИНН): one request, no paging. */
export async function readFew(client: ODataClient, spec: ReadSpec, params: ReadParams, top = 50): Promise<Row[]> {
  if (spec.kind !== 'collection') return readAll(client, spec, params);
  const filter = spec.filter?.(params);
  if (filter === undefined) throw new Error(`readFew(${spec.set}) needs a narrowing filter`);
  return client.list(spec.set, { select: spec.select, filter, top });
}
