import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EVENT_ID, floorId, nextEventId, timeOfId, ulid } from '../../src/webhooks/ids.js';

// Event ids (webhooks/ids.ts): ULID text, time-ordered, monotonic within a database even when the clock stalls or
// goes back, random in the rest — so two copies of a database do not hand out the same id.
describe('event ids', () => {
  it('encode the millisecond and 80 random bits in Crockford base 32', () => {
    const t = Date.UTC(2026, 10, 29, 9, 0, 0, 123);
    const id = nextEventId(null, t);
    expect(id).toMatch(EVENT_ID);
    expect(timeOfId(id)).toBe(t);
    expect(ulid(0, Buffer.alloc(10))).toBe('0'.repeat(26));
    expect(ulid(2 ** 48 - 1, Buffer.alloc(10, 0xff))).toBe('7ZZZZZZZZZ' + 'Z'.repeat(16));
    expect(floorId(t) < id).toBe(true);
    expect(floorId(t + 1) > id).toBe(true);
  });

  it('the random part is the 80 bits read as one big-endian number, the pooled bytes fresh for every id', () => {
    const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const reference = (b: Buffer) => {
      let n = 0n;
      for (const x of b) n = (n << 8n) | BigInt(x);
      let out = '';
      for (let i = 0; i < 16; i++, n >>= 5n) out = crockford[Number(n & 31n)] + out;
      return out;
    };
    for (let i = 0; i < 1000; i++) {
      const b = randomBytes(10);
      expect(ulid(0, b).slice(10)).toBe(reference(b));
    }
    // Drawn from the pool: across more ids than one 4 KiB refill holds, no two random parts alike.
    const parts = new Set(Array.from({ length: 2000 }, () => ulid(0).slice(10)));
    expect(parts.size).toBe(2000);
  });

  it('100,000 ids from a stalled clock: strictly increasing, none repeated', () => {
    let last: string | null = null;
    const ids: string[] = [];
    for (let i = 0; i < 100_000; i++) ids.push((last = nextEventId(last, 1_800_000_000_000)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
  });

  it('a clock set back still gives a larger id; two copies continuing from the same newest id diverge', () => {
    const newest = nextEventId(null, 1_800_000_000_000);
    const back = nextEventId(newest, 1_700_000_000_000);
    expect(back > newest).toBe(true);
    // the restored copy and the lost original both continue from `newest` in the same millisecond: random bits differ
    const copies = new Set(Array.from({ length: 10_000 }, () => nextEventId(newest, 1_700_000_000_000)));
    expect(copies.size).toBe(10_000);
  });
});
