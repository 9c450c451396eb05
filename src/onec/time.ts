/**
 * 1C dates are naive wall-clock time of the base's server (no zone on the wire: "2016-12-26T16:00:52").
 * We keep instants as JS Dates and convert at the boundary using the configured IANA zone (onec.timezone).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    // Throws RangeError for an unknown zone: better at construction than a silently shifted date.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      era: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallOf(date: Date, tz: string): Wall {
  const p: Record<string, string> = {};
  for (const part of formatter(tz).formatToParts(date)) p[part.type] = part.value;
  let year = Number(p.year);
  if (p.era === 'BC' || p.era === 'B') year = 1 - year;
  return {
    year,
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

function utcOf(w: Wall): number {
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0..99 to 1900..1999.
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

/** Offset of `tz` from UTC at the instant `ms`, in ms (Moscow: +3 h). */
function offsetAt(ms: number, tz: string): number {
  return utcOf(wallOf(new Date(ms), tz)) - Math.floor(ms / 1000) * 1000;
}

export function assertTimeZone(tz: string): void {
  formatter(tz);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** JS Date → "yyyy-mm-ddThh:mm:ss" as the wall clock in `tz` shows it (milliseconds dropped: 1C keeps seconds). */
export function toNaive(date: Date, tz: string): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid Date');
  const w = wallOf(date, tz);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

export const NAIVE_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$/;

/**
 * "yyyy-mm-ddThh:mm:ss" read as wall time in `tz` → the instant. In a DST gap the offset before the gap is used;
 * in an overlap the earlier instant (Moscow has had no DST since 2014, but other bases may run elsewhere).
 */
export function fromNaive(text: string, tz: string): Date {
  const m = NAIVE_DATE.exec(text);
  if (!m) throw new RangeError(`not a 1C date: ${JSON.stringify(text)}`);
  const wall: Wall = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
  };
  const guess = utcOf(wall);
  // The offset is one of those around the moment; a candidate is valid when it shows the same wall time.
  const DAY = 86_400_000;
  const before = offsetAt(guess - DAY, tz);
  const offsets = new Set([before, offsetAt(guess, tz), offsetAt(guess + DAY, tz)]);
  const valid = [...offsets].map((o) => guess - o).filter((ms) => guess - offsetAt(ms, tz) === ms);
  // Overlap (clocks set back): the earlier instant. Gap (clocks set forward): read with the offset before it.
  const ms = valid.length ? Math.min(...valid) : guess - before;
  return new Date(ms);
}
