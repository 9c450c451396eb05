import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConsoleUser } from './users.js';

/**
 * Console sessions: an opaque random id in an HttpOnly, SameSite=Strict cookie scoped to /console, kept in memory
 * (a restart logs everyone out, which is acceptable for a handful of staff). Each session has its own CSRF token,
 * required in every POST form. A session is bound to the user's password hash as it was at login: `regate user
 * passwd` or `remove` ends it at the next request, as it does for the API.
 */
export interface Session {
  id: string;
  csrf: string;
  name: string;
  passwordHash: string;
  expires: number;
  /** One-shot message for the next page (after a POST → redirect). */
  flash?: { text: string; error?: boolean };
}

export class Sessions {
  private readonly byId = new Map<string, Session>();
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(user: ConsoleUser): Session {
    this.sweep();
    const s: Session = {
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(24).toString('base64url'),
      name: user.name,
      passwordHash: user.passwordHash,
      expires: this.now() + this.ttlMs,
    };
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session and its user, or undefined (expired, logged out, user removed or password changed). */
  get(id: string | undefined, users: readonly ConsoleUser[]): { session: Session; user: ConsoleUser } | undefined {
    if (!id) return undefined;
    const s = this.byId.get(id);
    if (!s) return undefined;
    const user = users.find((u) => u.name === s.name);
    if (s.expires < this.now() || !user || user.passwordHash !== s.passwordHash) {
      this.byId.delete(id);
      return undefined;
    }
    return { session: s, user };
  }

  destroy(id: string | undefined) {
    if (id) this.byId.delete(id);
  }

  private sweep() {
    const now = this.now();
    for (const [id, s] of this.byId) if (s.expires < now) this.byId.delete(id);
  }
}

export function csrfMatches(session: Session, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Failed logins per (name, address) and per address: after `limit` failures, `lockMs` of refusals. Keeps a guesser
 * to a few tries per minute against the 40 ms scrypt check.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();
  constructor(
    private readonly limit = 5,
    private readonly lockMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  lockedFor(keys: string[]): number {
    const t = this.now();
    return Math.max(0, ...keys.map((k) => (this.failures.get(k)?.until ?? 0) - t));
  }

  fail(keys: string[]) {
    for (const k of keys) {
      const f = this.failures.get(k) ?? { count: 0, until: 0 };
      f.count += 1;
      if (f.count >= this.limit) {
        f.until = this.now() + this.lockMs;
        f.count = 0;
      }
      this.failures.set(k, f);
    }
  }

  succeed(keys: string[]) {
    for (const k of keys) this.failures.delete(k);
  }
}
