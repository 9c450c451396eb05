import { randomBytes } from 'node:crypto';

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

function encodeRandom(bytes: Buffer): string {
  // 80 bits → 16 characters of 5 bits
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out = CROCKFORD[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}

export function ulid(ms: number, random: Buffer = randomBytes(10)): string {
  return encodeTime(ms) + encodeRandom(random);
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
