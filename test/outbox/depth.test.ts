import { describe, expect, it } from 'vitest';
import { claim, enqueue, pendingDepth } from '../../src/outbox/index.js';
import { openDb } from '../../src/db/open.js';
import { holderA, policy, tempDbPath } from './helpers.js';

// The backpressure count of every API write (outbox.maxDepth): read at most every maxAgeMs, and in between the count
// read plus what this connection enqueued since — it may run high for a moment, never low.
describe('pendingDepth', () => {
  it('counts pending jobs, adds this connection’s enqueues at once, and sees other connections’ changes at the next read', () => {
    const path = tempDbPath();
    const api = openDb(path);
    const other = openDb(path);
    let now = 1000;
    expect(pendingDepth(api, 100, now)).toBe(0);
    for (let i = 0; i < 3; i++) enqueue(api, { kind: 'k', key: `a${i}`, payload: null });
    expect(pendingDepth(api, 100, now)).toBe(3); // without a new read: the count plus its own enqueues
    // Another connection (the delivery thread) claims one and enqueues two: not seen until the count is read again.
    claim(other, { policy, holder: holderA });
    enqueue(other, { kind: 'k', key: 'b0', payload: null });
    enqueue(other, { kind: 'k', key: 'b1', payload: null });
    now += 50;
    expect(pendingDepth(api, 100, now)).toBe(3);
    now += 60; // past maxAgeMs: read again
    expect(pendingDepth(api, 100, now)).toBe(4);
    // A dedupe hit creates nothing and counts nothing.
    enqueue(api, { kind: 'k', key: 'c', payload: null, dedupeKey: 'same' });
    enqueue(api, { kind: 'k', key: 'c', payload: null, dedupeKey: 'same' });
    expect(pendingDepth(api, 100, now)).toBe(5);
    api.close();
    other.close();
  });
});
