import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { Db } from '../../db/open.js';

/**
 * Signed, time-limited picture URLs (issue 15): `/api/v1/picture/<id>?expires=<unix s>&signature=<base64url
 * HMAC-SHA256(secret, "<id>.<expires>")>` opens without Basic credentials until `expires`, so Richest.store can put
 * the icon URLs of the assortment straight into <img> (a browser cannot send the store's Basic credentials, and
 * must not have them). The same path with Basic keeps working as before, and without either it is a 401.
 *
 * Expiry is not "now + ttl" per request: the assortment answers are kept per mirror generation (response-cache.ts)
 * and revalidated by ETag, so links are cut to a grid of ttl/2. A page made in slot b carries links valid until the
 * start of slot b + 3 (between ttl and 1.5 ttl from now) and is served from the cache only during slot b (the slot
 * is in the ETag and the cache key): every link a client receives has at least ttl left. With the default 168 h, a
 * shop that re-reads the catalogue at least weekly never shows an expired picture.
 */
export class PictureLinks {
  private key: Buffer | undefined;
  private readonly slotSeconds: number;

  constructor(
    private readonly secretOf: () => string,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.slotSeconds = Math.max(1, Math.floor(ttlSeconds / 2));
  }

  /** The current slot: part of the ETag and cache key of answers that carry links. */
  slot(): number {
    return Math.floor(this.now() / 1000 / this.slotSeconds);
  }

  private mac(id: string, expires: number): Buffer {
    this.key ??= Buffer.from(this.secretOf(), 'utf8');
    return createHmac('sha256', this.key).update(`${id}.${expires}`).digest();
  }

  /** The signed form of a picture URL (absolute or a path ending in the picture's id). */
  sign(url: string): string {
    const id = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1)).toLowerCase();
    const expires = (this.slot() + 3) * this.slotSeconds;
    return `${url}?expires=${expires}&signature=${this.mac(id, expires).toString('base64url')}`;
  }

  verify(id: string, expires: string | undefined, signature: string | undefined): boolean {
    if (!expires || !signature || !/^[0-9]{1,12}$/.test(expires)) return false;
    if (Number(expires) * 1000 <= this.now()) return false;
    const given = Buffer.from(signature, 'base64url');
    const expected = this.mac(id.toLowerCase(), Number(expires));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Whether this request is a GET of a picture with a valid signature (then it needs no Basic credentials). */
  allows(c: Context, prefix: string): boolean {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return false;
    const path = c.req.path;
    if (!path.startsWith(`${prefix}/picture/`)) return false;
    const id = decodeURIComponent(path.slice(prefix.length + 9));
    return !id.includes('/') && this.verify(id, c.req.query('expires'), c.req.query('signature'));
  }
}

/**
 * The links of this ReGate: catalog.pictureLinkSecret, else a secret made once and kept in the database's meta
 * (so links survive a restart; a restore from backup keeps them too). undefined when pictureLinkTtlHours is 0.
 */
export function pictureLinks(db: Db, cfg: { pictureLinkTtlHours: number; pictureLinkSecret?: string }, now?: () => number): PictureLinks | undefined {
  if (!cfg.pictureLinkTtlHours) return undefined;
  const secretOf = () => {
    if (cfg.pictureLinkSecret) return cfg.pictureLinkSecret;
    db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('picture.linkSecret', ?)`).run(randomBytes(32).toString('base64url'));
    return db.prepare(`SELECT value FROM meta WHERE key = 'picture.linkSecret'`).pluck().get() as string;
  };
  return new PictureLinks(secretOf, Math.round(cfg.pictureLinkTtlHours * 3600), now);
}
