import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.js';

/**
 * Token buckets by key. A bucket holds `burstSeconds` worth of requests and refills continuously at
 * perMinute / 60 per second, so a client may burst briefly but not exceed the rate over time.
 * Two numbers per key and no timers: a check is a Map lookup and a little arithmetic.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;
  private readonly now: () => number;
  private readonly maxKeys: number;
  readonly capacity: number;
  /** Seconds a full bucket takes to refill from empty: the window of RateLimit-Policy. */
  readonly windowSeconds: number;

  constructor(perMinute: number, opts: { burstSeconds?: number; maxKeys?: number; now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.perMs = perMinute / 60_000;
    this.capacity = Math.max(1, Math.round((perMinute / 60) * (opts.burstSeconds ?? 10)));
    this.windowSeconds = Math.max(1, Math.round(this.capacity / this.perMs / 1000));
  }

  /** Tokens left for key (whole requests) and the seconds until its bucket is full again; a new key is full. */
  state(key: string): { remaining: number; fullInSeconds: number } {
    const b = this.buckets.get(key);
    if (!b) return { remaining: this.capacity, fullInSeconds: 0 };
    const tokens = Math.min(this.capacity, b.tokens + (this.now() - b.at) * this.perMs);
    return { remaining: Math.floor(tokens), fullInSeconds: Math.ceil((this.capacity - tokens) / this.perMs / 1000) };
  }

  /** Takes one token: 0 when allowed, otherwise the milliseconds until a token will be there. */
  take(key: string): number {
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      b = { tokens: this.capacity, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.capacity, b.tokens + (now - b.at) * this.perMs);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.perMs);
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Forget buckets that have refilled (they equal a new one); if many clients are all active, the oldest go. */
  private sweep(now: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + (now - b.at) * this.perMs >= this.capacity) this.buckets.delete(k);
    if (this.buckets.size < this.maxKeys) return;
    let excess = this.buckets.size - Math.floor(this.maxKeys * 0.9);
    for (const k of this.buckets.keys()) {
      if (excess-- <= 0) break;
      this.buckets.delete(k);
    }
  }
}

export function rateLimited(waitMs: number, what: string): ApiError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new ApiError(429, 'rate_limited', `Слишком много запросов ${what}; повторите через ${seconds} с`, [], { 'Retry-After': String(seconds) });
}

/**
 * 429 + Retry-After (the one error shape) when the request's key has no token left; no key → not limited.
 *
 * Every limited answer also says where the client stands, in the IETF RateLimit header fields
 * (draft-ietf-httpapi-ratelimit-headers-10): `RateLimit-Policy: "user";q=50000;w=10` — a bucket of q requests that
 * refills in w seconds — and `RateLimit: "user";r=49999;t=1` — r requests left, t seconds until the bucket is full
 * again. Both limits (per address, per user) append their own member, so a client sees the tighter one. A client
 * that paces itself by r never meets the 429 (Richest.store's catalogue import runs thousands of requests in a row).
 */
export function rateLimit(buckets: TokenBuckets, keyOf: (c: Context) => string | undefined, what: string, policy?: string): MiddlewareHandler {
  const policyValue = policy ? `"${policy}";q=${buckets.capacity};w=${buckets.windowSeconds}` : '';
  return async (c, next) => {
    const key = keyOf(c);
    if (key !== undefined) {
      const wait = buckets.take(key);
      if (policy) {
        const s = buckets.state(key);
        c.header('RateLimit-Policy', policyValue, { append: true });
        c.header('RateLimit', `"${policy}";r=${s.remaining};t=${s.fullInSeconds}`, { append: true });
      }
      if (wait > 0) throw rateLimited(wait, what);
    }
    return next();
  };
}
