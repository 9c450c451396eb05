import { describe, expect, it } from 'vitest';
import { poolIdle } from '../../bench/lib/pool-idle.js';

// µs throughout. A pool of 2 recorded from t=0; the window is [1,000, 11,000].
describe('bench pool-idle: whose time 1C sessions sat idle', () => {
  it('splits each wait at the moment ReGate wrote the request that ended it', () => {
    const ev = {
      // Both sessions taken at 1,000 (requests written at 900: before the window, nothing counted in it).
      // Session 1 let go at 3,000; ReGate writes the next request on port 10 at 3,400, the stand-in takes it at 4,000:
      // 400 µs ReGate's, 600 the stand-in's. Session 2 let go at 5,000; a request already written at 4,500 on port 11
      // is taken at 5,200: all 200 the stand-in's.
      acquires: [[1000, 10], [1000, 11], [4000, 10], [5200, 11]] as [number, number][],
      releases: [3000, 5000],
    };
    const sends = ['10 900', '11 900', '10 3400', '11 4500'].join('\n');
    const r = poolIdle(ev, sends, 2, 0, 1000, 11_000);
    expect(r.calls).toBe(4);
    expect(r.sessionMs).toBe(20);
    expect(r.regateMs).toBeCloseTo(0.4, 6);
    expect(r.standInMs).toBeCloseTo(0.6 + 0.2, 6);
  });

  it('counts a session with nothing sent, or a send it cannot find, as waiting for ReGate', () => {
    // Session let go at 2,000 and never taken again in the window; another taken at 3,000 from a port with no sends.
    const ev = { acquires: [[500, 1], [500, 2], [3000, 3]] as [number, number][], releases: [2000, 2500] };
    const r = poolIdle(ev, '1 400\n2 400\n', 2, 0, 1000, 4000);
    // [2,000, 3,000] ended by port 3 (no send seen): ReGate's 1 ms; [2,500, 4,000] still free at the end: 1.5 ms.
    expect(r.regateMs).toBeCloseTo(2.5, 6);
    expect(r.standInMs).toBe(0);
  });

  it('clips waits to the window', () => {
    // Let go at 500, request written at 800, taken at 1,500: the window [1,000, 2,000] sees 500 µs of the stand-in's.
    const ev = { acquires: [[0, 7], [1500, 7]] as [number, number][], releases: [500] };
    const r = poolIdle(ev, '7 0\n7 800\n', 1, 0, 1000, 2000);
    expect(r.regateMs).toBe(0);
    expect(r.standInMs).toBeCloseTo(0.5, 6);
  });
});
