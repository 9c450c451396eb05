import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { PictureLinks } from '../../src/api/middleware/picture-links.js';
import { silentLogger } from '../../src/log.js';
import { DEMO_AUTH, startDemo, type Demo } from './demo.js';

/**
 * Signed, time-limited picture URLs (issue 15): the assortment's icons open without Basic credentials until they
 * expire, so Richest.store can put them in <img>; anything unsigned, tampered or expired still needs Basic.
 */
let demo: Demo;
let icon: URL;
beforeAll(async () => {
  demo = await startDemo({ listen: true });
  const store = demo.rt.db.prepare(`SELECT s.store_id FROM catalog_stock s JOIN catalog_pictures p ON p.item_id = s.item_id WHERE p.data IS NOT NULL LIMIT 1`).pluck().get() as string;
  const page = (await (await fetch(`${demo.url}/api/v1/assortment?store=${store}&limit=1000`, { headers: { Authorization: DEMO_AUTH } })).json()) as { items: { icons: string[] }[] };
  icon = new URL(page.items.flatMap((i) => i.icons)[0]);
}, 120_000);
afterAll(async () => {
  await demo?.close();
});

const secret = () => demo.rt.db.prepare(`SELECT value FROM meta WHERE key = 'picture.linkSecret'`).pluck().get() as string;

describe('signed picture links', () => {
  it('icons carry expires (7 days ± the half-period grid) and a signature, and open with no credentials (as an <img> would)', async () => {
    expect(icon.pathname).toMatch(/^\/api\/v1\/picture\/[0-9a-f-]{36}$/);
    const expires = Number(icon.searchParams.get('expires'));
    const ttl = 168 * 3600;
    expect(expires - Date.now() / 1000).toBeGreaterThan(ttl);
    expect(expires - Date.now() / 1000).toBeLessThanOrEqual(1.5 * ttl);
    expect(icon.searchParams.get('signature')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await fetch(icon);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\//);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('unsigned, tampered, another picture’s or expired: 401 without Basic; Basic alone still works', async () => {
    const bare = `${icon.origin}${icon.pathname}`;
    expect((await fetch(bare)).status).toBe(401);
    const tampered = new URL(icon);
    tampered.searchParams.set('expires', String(Number(icon.searchParams.get('expires')) + 3600));
    expect((await fetch(tampered)).status).toBe(401);
    const other = new URL(icon);
    other.pathname = other.pathname.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'));
    expect((await fetch(other)).status).toBe(401);
    // signed with the right secret 11 days ago: expired. A link is valid ttl..1.5 ttl from its signing (168-252 h, cut
    // to a grid of ttl/2: src/api/middleware/picture-links.ts), so one signed 8 days (192 h) ago was still valid in the
    // part of each 84 h slot where the grid gave it up to 60 h more (failed on 2026-12-04).
    const past = new PictureLinks(secret, 168 * 3600, () => Date.now() - 11 * 86_400_000);
    const expired = past.sign(bare);
    expect((await fetch(expired)).status).toBe(401);
    // …and with the right secret now: fine (the secret is the database's, kept in meta)
    const now = new PictureLinks(secret, 168 * 3600);
    expect((await fetch(now.sign(bare))).status).toBe(200);
    expect((await fetch(bare, { headers: { Authorization: DEMO_AUTH } })).status).toBe(200);
    // a signature opens that picture only, not the rest of the API
    expect((await fetch(`${icon.origin}/api/v1/city?${icon.searchParams}`)).status).toBe(401);
  });

  it('the grid: every link handed out has at least the whole lifetime left, for as long as its page is served', () => {
    const ttl = 3600;
    let t = 1_800_000_000_000;
    const links = new PictureLinks(() => 'k'.repeat(32), ttl, () => t);
    for (let step = 0; step < 200; step++) {
      t += 37_000; // across several slots
      const url = new URL(links.sign('https://x/api/v1/picture/5c8a1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b'));
      const left = Number(url.searchParams.get('expires')) - t / 1000;
      expect(left).toBeGreaterThan(ttl); // made now: ttl..1.5 ttl
      expect(left).toBeLessThanOrEqual(1.5 * ttl);
      // a page kept during this slot is served until the slot ends (the slot is in its ETag and cache key): its
      // links still have the whole lifetime then
      const slotEnd = (links.slot() + 1) * (ttl / 2);
      expect(Number(url.searchParams.get('expires')) - slotEnd).toBeGreaterThanOrEqual(ttl);
    }
  });

  it('pictureLinkTtlHours: 0 (no links service): icons are unsigned and need Basic, as before', async () => {
    const app = createApp({ config: demo.config, services: { ...demo.rt.services, pictureLinks: undefined }, logger: silentLogger });
    const store = demo.rt.db.prepare(`SELECT s.store_id FROM catalog_stock s JOIN catalog_pictures p ON p.item_id = s.item_id LIMIT 1`).pluck().get() as string;
    const page = (await (await app.request(`/api/v1/assortment?store=${store}&limit=1000`, { headers: { Authorization: DEMO_AUTH } })).json()) as { items: { icons: string[] }[] };
    const plain = page.items.flatMap((i) => i.icons)[0];
    expect(plain).not.toContain('?');
    expect((await app.request(new URL(icon).pathname + new URL(icon).search)).status).toBe(401);
  });
});
