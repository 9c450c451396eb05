import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { basicAuth, AUTH_LIMITS } from '../../src/api/auth.js';
import { errorResponse } from '../../src/api/errors.js';

// Issue 13.3: 200 concurrent guesses from one address all reached scrypt (the lock was read before the await and
// failures were counted after it); 600 kept the thread pool busy 27 s and a new legitimate credential waited 23 s.
// Here verify() is a stand-in with scrypt's shape (async, ~15 ms) that counts calls and how many run at once.

function app(opts: { lockoutAfterFailures?: number; verifyMs?: number; users?: { name: string; passwordHash: string }[]; now?: () => number; maxFailureKeys?: number } = {}) {
  const stats = { calls: 0, running: 0, maxRunning: 0 };
  const verify = async (plain: string, hash: string) => {
    stats.calls++;
    stats.running++;
    stats.maxRunning = Math.max(stats.maxRunning, stats.running);
    await new Promise((r) => setTimeout(r, opts.verifyMs ?? 15));
    stats.running--;
    return hash === `ok:${plain}`;
  };
  const a = new Hono();
  a.onError((e, c) => errorResponse(e, c));
  a.use('*', async (c, next) => {
    c.set('clientAddress' as never, (c.req.header('x-test-address') ?? 'a') as never);
    await next();
  });
  const auth = basicAuth({ users: opts.users ?? [{ name: 'rs', passwordHash: 'ok:pw' }], lockoutAfterFailures: opts.lockoutAfterFailures ?? 5, lockoutMs: 60_000, verify, now: opts.now, limits: { maxFailureKeys: opts.maxFailureKeys } });
  a.use('*', auth);
  a.get('/x', (c) => c.text(String(c.get('user' as never))));
  const call = (user: string, pass: string, address = 'a') =>
    a.request('/x', { headers: { Authorization: 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64'), 'X-Test-Address': address } });
  return { call, stats, auth };
}

describe('lockout and scrypt under concurrency', () => {
  it('200 concurrent wrong guesses from one address: at most lockoutAfterFailures reach the password check', async () => {
    const t = app({ lockoutAfterFailures: 5 });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => t.call('rs', `guess-${i}`)));
    expect(t.stats.calls).toBeLessThanOrEqual(5);
    expect(answers.filter((r) => r.status === 401).length).toBe(t.stats.calls);
    expect(answers.filter((r) => r.status === 429).length).toBe(200 - t.stats.calls);
    for (const r of answers.filter((x) => x.status === 429)) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // sequential guesses then use up what is left of the budget, and the address is locked: even the right password
    // waits (it was never verified before)
    for (let i = 0; i < 10; i++) await t.call('rs', `again-${i}`);
    expect(t.stats.calls).toBe(5);
    expect((await t.call('rs', 'pw')).status).toBe(429);
  });

  it('600 concurrent guesses from 600 addresses: scrypt in flight stays under the total cap; a new real credential is answered promptly', async () => {
    const t = app({ verifyMs: 15 });
    const attack = Array.from({ length: 600 }, (_, i) => t.call('rs', `guess-${i}`, `10.0.${i >> 8}.${i & 255}`));
    const started = Date.now();
    const legit = await t.call('rs', 'pw', '192.0.2.1');
    const waited = Date.now() - started;
    const answers = await Promise.all(attack);
    expect(t.stats.maxRunning).toBeLessThanOrEqual(AUTH_LIMITS.maxInFlight);
    // the legitimate credential is either verified or told at once to retry — never queued behind 600 checks
    expect([200, 503]).toContain(legit.status);
    expect(waited).toBeLessThan(((AUTH_LIMITS.maxQueued / AUTH_LIMITS.maxInFlight) + 2) * 15 + 500);
    const busy = answers.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0].headers.get('retry-after')).toBe('1');
    expect(((await busy[0].json()) as any).error.code).toBe('auth_busy');
    expect(t.stats.calls).toBeLessThanOrEqual(AUTH_LIMITS.maxInFlight + AUTH_LIMITS.maxQueued + 1);
    // and once the burst is over the real credential works
    expect((await t.call('rs', 'pw', '192.0.2.1')).status).toBe(200);
  });

  it('a user name is compared NFC-normalised (a decomposed й logs in as the composed one)', async () => {
    const t = app({ users: [{ name: 'магазин-й', passwordHash: 'ok:pw' }] });
    const decomposed = 'магазин-й'.normalize('NFD');
    expect(decomposed).not.toBe('магазин-й');
    const r = await t.call(decomposed, 'pw');
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('магазин-й');
  });

  it('the verified-credential cache is refreshed on use; the failure map is capped', async () => {
    let clock = 1_000_000;
    const t = app({ now: () => clock, maxFailureKeys: 100, verifyMs: 1 });
    expect((await t.call('rs', 'pw')).status).toBe(200);
    expect(t.stats.calls).toBe(1);
    // used every 4 minutes for 20 minutes: never falls out of the 5-minute cache
    for (let i = 0; i < 5; i++) {
      clock += 4 * 60_000;
      expect((await t.call('rs', 'pw')).status).toBe(200);
    }
    expect(t.stats.calls).toBe(1);
    // failures from many addresses: the map does not grow past its cap (two keys per failure: address, user@address)
    for (let i = 0; i < 150; i += 1) expect((await t.call('rs', `bad-${i}`, `198.18.${i >> 8}.${i & 255}`)).status).toBe(401);
    expect(t.auth.sizes().failures).toBeLessThanOrEqual(100);
    expect(t.auth.sizes().failures).toBeGreaterThan(50);
    // the cap evicts what is not locked first: a locked address stays locked through a flood from others
    for (let i = 0; i < 5; i++) await t.call('rs', `x-${i}`, 'locked-one');
    expect((await t.call('rs', 'x-new', 'locked-one')).status).toBe(429);
    for (let i = 0; i < 150; i += 1) await t.call('rs', `bad2-${i}`, `198.19.${i >> 8}.${i & 255}`);
    expect((await t.call('rs', 'x-newer', 'locked-one')).status).toBe(429);
  });
});
