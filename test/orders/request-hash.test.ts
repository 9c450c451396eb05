import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BookingBody } from '../../src/api/schemas/orders.js';
import { stableJson } from '../../src/orders/service.js';

// The request hash (orders.request_hash) decides whether a repeated orderId is a replay (same answer) or a conflict
// (409). stableJson is written out by hand now; the hashes of orders stored before must not change, so its text must
// be the old replacer's, byte for byte.
const before = (v: unknown): string =>
  JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort()) : val));

describe('stableJson (the request hash)', () => {
  it('is the old replacer text for any JSON with named keys', () => {
    // Keys as schemas name them (no integer-like keys: an object's own order puts those first, which neither version
    // is asked to handle — no request schema has a record).
    const key = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,11}$/);
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object')),
      leaf: fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constant(undefined)),
      array: fc.array(tie('tree'), { maxLength: 5 }),
      // Up to 20 keys: past 16 stableJson sorts them the other way (sortedKeys).
      object: fc.dictionary(key, tie('tree'), { maxKeys: 20, noNullPrototype: true }),
    }));
    fc.assert(fc.property(fc.dictionary(key, tree, { maxKeys: 8, noNullPrototype: true }), (v) => {
        expect(stableJson(v)).toBe(before(v));
      }), { numRuns: 2000 });
  });

  it('is the old replacer text for bookings as the API parses them, whatever order the shop sends the fields in', () => {
    const body = {
      orderId: 'web-10042',
      clientId: 'client-7',
      store: '8d1e5a3c-0b2f-11ee-9c53-000c29a1b2c3',
      deliveryAddress: 'Москва, ул. Тверская, д. 1, кв. "5"',
      comment: 'позвонить за час\nдомофон 15',
      items: [
        { itemId: '5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b', quantity: 2.5 },
        { itemId: '6d9b2a4f-3c5e-4f70-9bac-1d2e3f4a5b6c', quantity: 1, variantId: '7eac3b5a-4d6f-4a81-8cbd-2e3f4a5b6c7d', packagingId: '8fbd4c6b-5e7a-4b92-9dce-3f4a5b6c7d8e' },
      ],
    };
    const parsed = BookingBody.parse(body);
    const reordered = BookingBody.parse(Object.fromEntries(Object.entries(body).reverse()));
    expect(stableJson(parsed)).toBe(before(parsed));
    expect(stableJson(reordered)).toBe(stableJson(parsed));
  });
});
