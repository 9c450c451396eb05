import { hash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { verifyPassword } from '../install/password.js';
import { ApiError } from './errors.js';

export interface ApiUser {
  name: string;
  passwordHash: string;
}

/**
 * Bounds of the password check (issue 13.3). scrypt (N=2^14) is ~40 ms of a libuv thread; the pool has 4 threads,
 * and 600 concurrent guesses kept it busy 27 s while a new real credential waited 23 s. Now:
 * - maxInFlight: scrypt runs at most this many at once (the pool's size, so reads of files and DNS still get a thread);
 * - maxQueued: at most this many wait for a slot (≈ maxQueued / maxInFlight × 40 ms = 0.6 s of waiting at worst);
 *   beyond, 503 auth_busy with Retry-After: 1, at once — never a 20-second wait;
 * - maxPerAddress: checks in flight (running or queued) from one address; more are 429 without a check;
 * - maxFailureKeys / maxVerified: the failure and verified-credential maps never grow past this many entries.
 */
export const AUTH_LIMITS = { maxInFlight: 4, maxQueued: 60, maxPerAddress: 2, maxFailureKeys: 10_000, maxVerified: 1_000 };

export interface AuthOptions {
  users: ApiUser[];
  lockoutAfterFailures: number;
  lockoutMs: number;
  now?: () => number;
  /** The password check (tests count calls); default scrypt verifyPassword. */
  verify?: (plain: string, hash: string) => Promise<boolean>;
  limits?: { [K in keyof typeof AUTH_LIMITS]?: number | undefined };
}

/** The middleware, with the sizes of its maps (for tests and metrics). */
export type AuthMiddleware = MiddlewareHandler & { sizes(): { failures: number; verified: number; inFlight: number; queued: number } };

/** A counting semaphore with a bounded queue: acquire() is null when the queue is full. */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    private readonly max: number,
    private readonly queueMax: number,
  ) {}
  get inFlight() {
    return this.running;
  }
  get queued() {
    return this.waiting.length;
  }
  acquire(): Promise<() => void> | null {
    const release = () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve(release);
    }
    if (this.waiting.length >= this.queueMax) return null;
    return new Promise((resolve) => this.waiting.push(() => resolve(release)));
  }
}

/**
 * Basic auth for every /api route.
 *
 * scrypt costs ~40 ms of CPU per verification; at 2,000 requests/s that would need 80 cores. So a credential that
 * verified once is remembered by the SHA-256 of its header value (never the password itself) for 5 minutes after
 * its last use (a busy store never falls out of the cache into a cold burst of checks; at most 1 hour after the
 * check itself), and only unknown or changed credentials pay for scrypt, once: concurrent requests with the same
 * new header (a cold burst of 256 connections) share one verification instead of running 256. Comparison is
 * constant-time. User names are compared NFC-normalised, like the passwords (install/password.ts).
 *
 * Repeated failures lock out the address, and the user name AT that address, for `lockoutMs` (429 + Retry-After).
 * Not the user name everywhere: Richest.store is one user, and anyone who knew its name could otherwise lock the
 * store out from anywhere. A credential already verified keeps working from a locked address.
 *
 * Concurrency (issue 13.3): a check in flight counts against the address's failure budget before it starts, so
 * 200 concurrent guesses from one address get at most `lockoutAfterFailures` checks (the rest: 429 at once), and
 * no more than AUTH_LIMITS.maxPerAddress run or wait per address. scrypt itself runs through one gate for the
 * whole process (AUTH_LIMITS.maxInFlight, bounded queue, 503 auth_busy beyond it).
 */
export function basicAuth(opts: AuthOptions): AuthMiddleware {
  const now = opts.now ?? Date.now;
  const limits = { ...AUTH_LIMITS, ...Object.fromEntries(Object.entries(opts.limits ?? {}).filter(([, v]) => v !== undefined)) } as typeof AUTH_LIMITS;
  const users = new Map(opts.users.map((u) => [u.name.normalize('NFC'), u]));
  const verified = new Map<string, { user: string; until: number; hardUntil: number }>();
  const inFlight = new Map<string, Promise<{ user: string } | { error: ApiError }>>();
  const checking = new Map<string, number>(); // address → checks in flight (running or queued)
  const failures = new Map<string, { count: number; lockedUntil: number; at: number }>();
  const gate = new Gate(limits.maxInFlight, limits.maxQueued);
  const CACHE_MS = 5 * 60_000;
  const CACHE_HARD_MS = 60 * 60_000;

  const locked = (key: string) => {
    const f = failures.get(key);
    return f && f.lockedUntil > now() ? f.lockedUntil : 0;
  };
  const failCount = (key: string) => {
    const f = failures.get(key);
    // a failure older than the lockout period is forgotten: three typos a week apart are not an attack
    return f && f.lockedUntil <= now() && now() - f.at < opts.lockoutMs ? f.count : 0;
  };
  const fail = (key: string) => {
    const t = now();
    const f = failures.get(key) ?? { count: 0, lockedUntil: 0, at: t };
    if (t - f.at >= opts.lockoutMs && f.lockedUntil <= t) f.count = 0;
    f.count += 1;
    f.at = t;
    if (f.count >= opts.lockoutAfterFailures) {
      f.lockedUntil = t + opts.lockoutMs;
      f.count = 0;
    }
    failures.delete(key); // re-inserted last: the Map's order is then least recently failed first
    failures.set(key, f);
    capFailures();
  };
  /** Past the cap: forget what has expired, then the oldest entries that lock nothing, then the oldest. */
  const capFailures = () => {
    if (failures.size <= limits.maxFailureKeys) return;
    const t = now();
    for (const [k, f] of failures) if (f.lockedUntil <= t && t - f.at >= opts.lockoutMs) failures.delete(k);
    for (const [k, f] of failures) {
      if (failures.size <= limits.maxFailureKeys) return;
      if (f.lockedUntil <= t) failures.delete(k);
    }
    for (const k of failures.keys()) {
      if (failures.size <= limits.maxFailureKeys) return;
      failures.delete(k);
    }
  };
  const remember = (digest: string, user: string) => {
    const t = now();
    verified.delete(digest);
    verified.set(digest, { user, until: t + CACHE_MS, hardUntil: t + CACHE_HARD_MS });
    if (verified.size > limits.maxVerified) {
      for (const [k, v] of verified) if (v.until <= t) verified.delete(k);
      for (const k of verified.keys()) {
        if (verified.size <= limits.maxVerified) break;
        verified.delete(k);
      }
    }
  };
  const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);

  const handler: MiddlewareHandler = async (c, next) => {
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

    const digest = hash('sha256', header, 'hex');
    const cached = verified.get(digest);
    if (cached && cached.until > now()) {
      cached.until = Math.min(cached.hardUntil, now() + CACHE_MS); // refreshed on use
      c.set('user' as never, cached.user as never);
      return next();
    }
    const lockedAddr = locked(addrKey);
    if (lockedAddr) throw tooMany(lockedAddr - now());

    let pending = inFlight.get(digest);
    if (!pending) {
      // The check is reserved before it starts: in flight + failed may not exceed what locks the address.
      const busy = checking.get(address) ?? 0;
      if (busy >= limits.maxPerAddress) {
        throw new ApiError(429, 'rate_limited', 'Слишком много одновременных проверок пароля с этого адреса; повторите через 1 с', [{ field: 'Authorization', message: 'проверка не начата' }], { 'Retry-After': '1' });
      }
      if (busy + failCount(addrKey) >= opts.lockoutAfterFailures) throw tooMany(1000);
      checking.set(address, busy + 1);
      pending = check(header, digest, address, addrKey).finally(() => {
        inFlight.delete(digest);
        const left = (checking.get(address) ?? 1) - 1;
        if (left > 0) checking.set(address, left);
        else checking.delete(address);
      });
      inFlight.set(digest, pending);
    }
    const outcome = await pending;
    if ('error' in outcome) throw outcome.error;
    c.set('user' as never, outcome.user as never);
    return next();
  };

  async function check(header: string, digest: string, address: string, addrKey: string): Promise<{ user: string } | { error: ApiError }> {
    // RFC 7617: credentials are UTF-8 (a Cyrillic user name must work).
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { error: unauthorized('Неверный формат заголовка Authorization') };
    const name = decoded.slice(0, colon).normalize('NFC');
    const password = decoded.slice(colon + 1);
    const userKey = `user:${name}@${address}`;
    const lockedUser = locked(userKey);
    if (lockedUser) return { error: tooMany(lockedUser - now()) };

    const user = users.get(name);
    const acquired = gate.acquire();
    if (!acquired) {
      return {
        error: new ApiError(503, 'auth_busy', 'Проверка паролей перегружена; повторите запрос через 1 с', [{ field: 'Authorization', message: 'проверка отложена' }], { 'Retry-After': '1' }),
      };
    }
    const release = await acquired;
    let ok: boolean;
    try {
      // Verify against a dummy hash when the user is unknown, so timing does not reveal which names exist.
      ok = await (opts.verify ?? verifyPassword)(password, user?.passwordHash ?? DUMMY_HASH);
    } finally {
      release();
    }
    if (!user || !ok) {
      fail(userKey);
      fail(addrKey);
      return { error: unauthorized('Неверное имя пользователя или пароль') };
    }
    failures.delete(userKey);
    failures.delete(addrKey);
    remember(digest, user.name.normalize('NFC'));
    return { user: user.name.normalize('NFC') };
  }

  return Object.assign(handler, { sizes: () => ({ failures: failures.size, verified: verified.size, inFlight: gate.inFlight, queued: gate.queued }) });
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
