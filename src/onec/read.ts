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
    case 'balance':
      return readVirtual(client, spec, params);
  }
}

/** Key lists a profile's Condition ORs over: splitting one partitions the rows, so the parts simply concatenate. */
const KEY_LISTS = ['warehouseKeys', 'priceKindKeys', 'itemKeys', 'analyticsKeys'] as const;

/**
 * One request, unless the Condition makes the URL longer than onec.maxUrlLength: it sits in the path, ~92
 * characters per `Склад_Key eq guid'…'`, so 16 warehouses pass 2000 and ~38 pass IIS's maxUrl (an HTML 404). Then
 * the longest key list is halved until every request fits.
 */
async function readVirtual(client: ODataClient, spec: Exclude<ReadSpec, { kind: 'collection' }>, params: ReadParams): Promise<Row[]> {
  const p = { period: params.period, condition: spec.condition?.(params) };
  const fits = () =>
    spec.kind === 'balance'
      ? client.virtualUrl('Balance', spec.register, { ...p, dimensions: spec.dimensions }, { select: spec.select }).length <= client.maxUrlLength
      : client.virtualUrl('SliceLast', spec.register, { ...p, recordType: spec.recordType }, { select: spec.select }).length <= client.maxUrlLength;
  const longest = KEY_LISTS.filter((k) => (params[k]?.length ?? 0) > 1).sort((a, b) => params[b]!.length - params[a]!.length)[0];
  if (longest && !fits()) {
    const keys = params[longest]!;
    const half = Math.ceil(keys.length / 2);
    const parts = await Promise.all([keys.slice(0, half), keys.slice(half)].map((k) => readVirtual(client, spec, { ...params, [longest]: k })));
    return parts.flat();
  }
  return spec.kind === 'balance'
    ? client.balance(spec.register, { ...p, dimensions: spec.dimensions }, { select: spec.select })
    : client.sliceLast(spec.register, { ...p, recordType: spec.recordType }, { select: spec.select });
}

/** A few rows by a narrowing filter (find by external id, by ИНН): one request, no paging. */
export async function readFew(client: ODataClient, spec: ReadSpec, params: ReadParams, top = 50): Promise<Row[]> {
  if (spec.kind !== 'collection') return readAll(client, spec, params);
  const filter = spec.filter?.(params);
  if (filter === undefined) throw new Error(`readFew(${spec.set}) needs a narrowing filter`);
  return client.list(spec.set, { select: spec.select, filter, top });
}
