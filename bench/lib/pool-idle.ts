/**
 * Whose time 1C's idle sessions were (booking suite, issue 19.1). The 1C stand-in records when each session was taken
 * (with the connection it served: ReGate's local port) and let go; ReGate's threads record when each request went
 * onto its socket (bench/lib/onec-sends.mjs). All in µs of the host's monotonic clock.
 *
 * A session let go is free from then; the next request the stand-in takes a session for ends the oldest free
 * interval (sessions are alike, so which one is a bookkeeping choice; the total idle is exact). That interval splits at
 * the moment ReGate wrote the request: before it, 1C waited for ReGate (its answer read, the next step, the request
 * written — or nothing to send); after it, 1C waited for itself (the stand-in reading a request already on its
 * socket, late because it shares the bench's 2 cores with ReGate and the load generator).
 */
export interface PoolEvents {
  /** [µs, ReGate's local port] per session taken. */
  acquires: [number, number][];
  /** µs per session let go. */
  releases: number[];
}

export interface PoolIdle {
  seconds: number;
  /** Session-ms in the window (pool × its length). */
  sessionMs: number;
  /** Session-ms idle before ReGate had written the request that ended the wait. */
  regateMs: number;
  /** Session-ms idle with that request already written, before the stand-in took it. */
  standInMs: number;
  /** Sessions taken in the window. */
  calls: number;
}

/** sends: "<port> <µs>" lines. startUs: when recording began, all `pool` sessions free. */
export function poolIdle(ev: PoolEvents, sendLines: string, pool: number, startUs: number, fromUs: number, toUs: number): PoolIdle {
  const sends = new Map<number, number[]>();
  for (const line of sendLines.split('\n')) {
    const [p, t] = line.split(' ');
    if (!t) continue;
    let list = sends.get(Number(p));
    if (!list) sends.set(Number(p), (list = []));
    list.push(Number(t));
  }
  for (const list of sends.values()) list.sort((a, b) => a - b);
  // The latest send on the port at or before t (a connection carries one request at a time).
  const sentBefore = (port: number, t: number): number | undefined => {
    const list = sends.get(port);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] <= t) {
        found = list[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const clip = (a: number, b: number) => Math.max(0, Math.min(b, toUs) - Math.max(a, fromUs));
  type E = { t: number; port?: number };
  const events: E[] = [...ev.acquires.map(([t, port]) => ({ t, port })), ...ev.releases.map((t) => ({ t }))].sort((a, b) => a.t - b.t);
  const free: number[] = Array.from({ length: pool }, () => startUs);
  let head = 0;
  let regate = 0;
  let standIn = 0;
  let calls = 0;
  for (const e of events) {
    if (e.port === undefined) {
      free.push(e.t);
      continue;
    }
    if (e.t >= fromUs && e.t <= toUs) calls++;
    if (head >= free.length) continue; // more sessions than the pool: the stand-in made it wait, no idle to split
    const f = free[head++];
    const s = sentBefore(e.port, e.t);
    // No send seen on that port: counted as ReGate's (the split must never flatter ReGate).
    const split = s === undefined ? e.t : Math.min(Math.max(s, f), e.t);
    regate += clip(f, split);
    standIn += clip(split, e.t);
  }
  // Sessions still free at the window's end: idle since they were let go, no request written yet.
  for (let i = head; i < free.length; i++) regate += clip(free[i], toUs);
  const seconds = (toUs - fromUs) / 1e6;
  return { seconds, sessionMs: (pool * (toUs - fromUs)) / 1000, regateMs: regate / 1000, standInMs: standIn / 1000, calls };
}
