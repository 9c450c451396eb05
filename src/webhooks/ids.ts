import { randomFillSync } from 'node:crypto';

/**
 * Event ids: `evt_` + a ULID (26 Crockford base-32 characters: 48 bits of milliseconds, 80 random bits).
 *
 * Why not a counter: a counter restored from a backup counts again from where the backup stopped, and the receiver
 * that stores ids to drop duplicates (Standard Webhooks asks it to) drops the new events as repeats. Time + 80
 * random bits cannot repeat across copies of the database, and ids sort by time, so `GET /events?after=<id>` works
 * with an id the restored database never saw.
 *
 * Monotonic within one database: when the clock has not passed the newest id's millisecond (a burst, or a clock
 * set back), the new id takes that millisecond + 1 with fresh random bits — never "the last id + 1", which two
 * copies of a database would both hand out.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const EVENT_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;
export const EVENT_ID_PATTERN = '^evt_[0-9A-HJKMNP-TV-Z]{26}$';

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** 80 bits → 16 characters of 5 bits, as two 40-bit halves (exact in a double; a BigInt per id was 1 % of the
 *  booking thread's time in the booking burst's profile). */
function encodeRandom(bytes: Uint8Array, at = 0): string {
  let out = '';
  for (let half = 0; half < 2; half++) {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 256 + bytes[at + half * 5 + i];
    let chars = '';
    for (let i = 0; i < 8; i++) {
      chars = CROCKFORD[v % 32] + chars;
      v = Math.floor(v / 32);
    }
    out += chars;
  }
  return out;
}

/** Random bytes drawn 4 KiB at a time: a randomBytes(10) call per id was 2 % of the booking thread (same profile). */
const pool = Buffer.allocUnsafe(4096);
let pooled = pool.length;

export function ulid(ms: number, random?: Buffer): string {
  if (random) return encodeTime(ms) + encodeRandom(random);
  if (pooled + 10 > pool.length) {
    randomFillSync(pool);
    pooled = 0;
  }
  pooled += 10;
  return encodeTime(ms) + encodeRandom(pool, pooled - 10);
}

/** The millisecond an event id (or bare ULID) was made at. */
export function timeOfId(id: string): number {
  const u = id.startsWith('evt_') ? id.slice(4) : id;
  let ms = 0;
  for (const ch of u.slice(0, 10)) ms = ms * 32 + CROCKFORD.indexOf(ch);
  return ms;
}

/** The next event id after `newest` (the database's largest, if any). */
export function nextEventId(newest: string | null | undefined, now = Date.now()): string {
  const last = newest ? timeOfId(newest) : -1;
  return `evt_${ulid(now > last ? now : last + 1)}`;
}

/** The smallest id of millisecond `ms`: `id > floorId(ms)` means "made at ms or later". */
export function floorId(ms: number): string {
  return `evt_${encodeTime(Math.max(0, ms))}${'0'.repeat(16)}`;
}
