import { describe, expect, it } from 'vitest';
import { healthService } from '../../src/api/health.js';

describe('readiness', () => {
  it('reports each check and asks 1C at most once per cache period', async () => {
    let pings = 0;
    let clock = Date.parse('2026-11-29T06:00:00Z');
    let down = false;
    const h = healthService({
      mirrorSyncedAt: () => '2026-11-29T05:50:00Z',
      maxAgeMinutes: 60,
      pingOneC: async () => {
        pings++;
        if (down) throw new Error('connection refused');
      },
      probeStorage: () => ({ ok: true, detail: '' }),
      now: () => clock,
      cacheMs: 5_000,
    });
    const [a, b] = await Promise.all([h.ready(), h.ready()]);
    expect(a).toBe(b);
    expect(a.ready).toBe(true);
    expect(a.checks.map((c) => c.name)).toEqual(['mirror', 'storage', 'onec']);
    expect(pings).toBe(1);
    down = true;
    clock += 4_000;
    expect((await h.ready()).ready).toBe(true); // still the memo
    clock += 2_000;
    const r = await h.ready();
    expect(r.ready).toBe(false);
    expect(r.checks.find((c) => c.name === 'onec')!.detail).toMatch(/connection refused/);
    expect(pings).toBe(2);
    clock += 3 * 3600_000; // the mirror is now hours old
    expect((await h.ready()).checks.find((c) => c.name === 'mirror')!.ok).toBe(false);
  });
});
