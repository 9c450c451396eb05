import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { verifyPassword } from '../install/password.js';
import { ApiError } from './errors.js';

export interface ApiUser {
  name: string;
  passwordHash: string;
}

export interface AuthOptions {
  users: ApiUser[];
  lockoutAfterFailures: number;
  lockoutMs: number;
  now?: () => number;
  /** The password check (tests count calls); default scrypt verifyPassword. */
  verify?: (plain: string, hash: string) => Promise<boolean>;
}

/**
 * Basic auth for every /api route.
 *
 * scrypt costs ~40 ms of CPU per verification; at 2,000 requests/s that would need 80 cores. So a credential that
 * verified once is remembered for 5 minutes by the SHA-256 of its header value (never the password itself), and
 * only unknown or changed credentials pay for scrypt, once: concurrent requests with the same new header (a cold
 * burst of 256 connections) share one verification instead of running 256. Comparison is constant-time.
 *
 * Repeated failures lock out the address, and the user name AT that address, for `lockoutMs` (429 + Retry-After).
 * Not the user name everywhere: Richest.store is one user, and anyone who knew its name could otherwise lock the
 * store out from anywhere. A credential already verified keeps working from a locked address.
 */
export function basicAuth(opts: AuthOptions): MiddlewareHandler {
  const now = opts.now ?? Date.now;
  const verified = new Map<string, { user: string; until: number }>();
  const inFlight = new Map<string, Promise<{ user: string } | { error: ApiError }>>();
  const failures = new Map<string, { count: number; lockedUntil: number }>();
  const CACHE_MS = 5 * 60_000;

  const locked = (key: string) => {
    const f = failures.get(key);
    return f && f.lockedUntil > now() ? f.lockedUntil : 0;
  };
  const fail = (key: string) => {
    const f = failures.get(key) ?? { count: 0, lockedUntil: 0 };
    f.count += 1;
    if (f.count >= opts.lockoutAfterFailures) {
      f.lockedUntil = now() + opts.lockoutMs;
      f.count = 0;
    }
    failures.set(key, f);
  };
  const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);

  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    // The client's address as the app resolved it (the proxy's X-Forwarded-For when trusted): behind Apache every
    // peer is 127.0.0.1, and locking that out would lock out every client at once.
    const address =
      (c.get('clientAddress' as never) as string | undefined) ??
      (c.env as { incoming?: { socket?: { remoteAddress?: string } } })?.incoming?.socket?.remoteAddress ??
      'local';
    const addrKey = `addr:${address}`;
    if (!header.toLowerCase().startsWith('basic ')) {
      const lockedAddr = locked(addrKey);
      if (lockedAddr) throw tooMany(lockedAddr - now());
      throw unauthorized('Требуется авторизация (Basic)');
    }

    const digest = createHash('sha256').update(header).digest('hex');
    const cached = verified.get(digest);
    if (cached && cached.until > now()) {
      c.set('user' as never, cached.user as never);
      return next();
    }
    const lockedAddr = locked(addrKey);
    if (lockedAddr) throw tooMany(lockedAddr - now());

    let pending = inFlight.get(digest);
    if (!pending) {
      pending = check(header, address, addrKey).finally(() => inFlight.delete(digest));
      inFlight.set(digest, pending);
    }
    const outcome = await pending;
    if ('error' in outcome) throw outcome.error;
    c.set('user' as never, outcome.user as never);
    return next();
  };

  async function check(header: string, address: string, addrKey: string): Promise<{ user: string } | { error: ApiError }> {
    // RFC 7617: credentials are UTF-8 (a Cyrillic user name must work).
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { error: unauthorized('Неверный формат заголовка Authorization') };
    const name = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const userKey = `user:${name}@${address}`;
    const lockedUser = locked(userKey);
    if (lockedUser) return { error: tooMany(lockedUser - now()) };

    const user = opts.users.find((u) => u.name === name);
    // Verify against a dummy hash when the user is unknown, so timing does not reveal which names exist.
    const ok = await (opts.verify ?? verifyPassword)(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      fail(userKey);
      fail(addrKey);
      return { error: unauthorized('Неверное имя пользователя или пароль') };
    }
    failures.delete(userKey);
    failures.delete(addrKey);
    verified.set(createHash('sha256').update(header).digest('hex'), { user: name, until: now() + CACHE_MS });
    return { user: name };
  }
}

function tooMany(ms: number) {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new ApiError(429, 'locked_out', `Слишком много неудачных попыток входа; повторите через ${seconds} с`, [], {
    'Retry-After': String(seconds),
  });
}

// hash of a random string: verifying against it costs the same as a real user.
const DUMMY_HASH =
  'scrypt$16384$8$1$3q2+7w8AAAAAAAAAAAAAAA==$JgJQpKqUiWdx3L6sW1pCQm6hGZ0bQ1yq7z5o3c3iV0s=';
