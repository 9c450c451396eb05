import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.js';

// Write-path review: concurrent and repeated requests must answer like the first one (or a clear 4xx), never
// fail with a raw database error (which the API maps to 500). The worker is not started: these are about the
// local write alone.
describe('write path: repeated and concurrent requests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ start: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('two identical client requests for a new client in one group-commit batch both succeed (no UNIQUE → 500)', async () => {
    const input = { clientId: 'RV-C-race', name: 'Гонка Двух Запросов' };
    const results = await Promise.allSettled([h.noWait.client(input), h.noWait.client(input)]);
    for (const r of results) expect(r.status, r.status === 'rejected' ? String((r as PromiseRejectedResult).reason) : '').toBe('fulfilled');
    expect(h.db.prepare(`SELECT COUNT(*) FROM clients WHERE id = ?`).pluck().get(input.clientId)).toBe(1);
    expect(h.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE kind = 'client.ensure' AND key = ?`).pluck().get(`client:${input.clientId}`)).toBe(1);
  });
});
