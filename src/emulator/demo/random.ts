/**
 * Deterministic randomness for the demo base: a seeded PRNG (mulberry32) and stable guids derived from
 * (seed, kind, index), so the same seed gives byte-identical rows and item #i is the same whatever N is.
 */

/** 32-bit string hash (FNV-1a over UTF-16 code units, then a murmur3 finaliser for avalanche). */
export function hashString(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}

export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface Rng {
  /** [0, 1) */
  next(): number;
  /** integer in [min, max] */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(n: number): string {
  return HEX[(n >>> 24) & 255] + HEX[(n >>> 16) & 255] + HEX[(n >>> 8) & 255] + HEX[n & 255];
}

/** Guid factory for one seed: `guid('Catalog_Номенклатура', 17)` is stable and RFC 4122 version-4 shaped. */
export function guidFactory(seed: string | number): (kind: string, index: number) => string {
  const seedHash = hashString(String(seed));
  const kinds = new Map<string, number>();
  return (kind, index) => {
    let k = kinds.get(kind);
    if (k === undefined) {
      k = hashString(kind, seedHash);
      kinds.set(kind, k);
    }
    const i = index >>> 0;
    const w0 = fmix(k ^ Math.imul(i, 0x9e3779b1));
    const w1 = fmix(w0 ^ 0x27d4eb2f ^ Math.imul(i + 1, 0x85ebca77));
    const w2 = fmix(w1 ^ 0x165667b1 ^ seedHash);
    const w3 = fmix(w2 ^ 0xd3a2646c ^ i);
    const a = hex32(w0);
    const b = hex32(w1);
    const c = hex32(w2);
    const d = hex32(w3);
    // xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx
    const variant = '89ab'[(w2 >>> 30) & 3];
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  };
}
