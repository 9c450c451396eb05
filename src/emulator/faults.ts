/**
 * Fault injection: the ways a real 1C publication misbehaves, so ReGate's client and outbox are tested against them.
 * Figures from live bases (DIALECT.md): first call after idle 11.5 s vs 0.44 s warm; writes 5–11 s on a loaded base;
 * default.vrd poolSize=10 poolTimeout=5 s. Everything random draws from one seeded PRNG, so a run is reproducible.
 */
export interface FaultConfig {
  /** Added to every OData request (ms). */
  latencyMs?: number;
  /** Uniform extra 0..jitterMs. */
  jitterMs?: number;
  /** Extra delay for the first request after `idleMs` without requests (a cold session). */
  slowFirstCallAfterIdleMs?: number;
  /** Idle period before a call counts as "first after idle" (default 60,000 ms). */
  idleMs?: number;
  /** Share of requests answered 500 / code -1 without doing anything. */
  errorRate?: number;
  /** Share of requests accepted and never answered. */
  timeoutRate?: number;
  /** Share of requests executed (writes applied) whose socket is then destroyed without an answer. */
  lostResponseRate?: number;
  /** At most poolSize OData requests in progress (0/undefined = unlimited). */
  poolSize?: number;
  /** Waiting longer than this for a free session → 503 (default 5,000 ms, as default.vrd's poolTimeout=5). */
  poolTimeoutMs?: number;
  /** Connection refused: the listener is closed while true. */
  down?: boolean;
  /** PRNG seed; setting it restarts the random sequence. */
  seed?: number;
}

/** mulberry32: tiny, fast, good enough for fault dice. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultDecision = 'ok' | 'error' | 'timeout' | 'lost';

export class Faults {
  private cfg: FaultConfig = {};
  private rnd: () => number = prng(Date.now());
  private lastActivity = Date.now();
  private busy = 0;
  private waiters: (() => void)[] = [];
  /** Set by the server: close / reopen the listener. */
  onDownChange?: (down: boolean) => Promise<void>;

  constructor(initial: FaultConfig = {}) {
    this.cfg = { ...initial };
    this.rnd = prng(initial.seed ?? Date.now());
  }

  get config(): FaultConfig {
    return { ...this.cfg };
  }

  /** Merges a patch; `null` clears a key. Changing `down` closes or reopens the listener. */
  async set(patch: { [K in keyof FaultConfig]?: FaultConfig[K] | null }): Promise<FaultConfig> {
    const wasDown = !!this.cfg.down;
    for (const [k, v] of Object.entries(patch) as [keyof FaultConfig, unknown][]) {
      if (v === null || v === undefined) delete this.cfg[k];
      else (this.cfg as Record<string, unknown>)[k] = v;
    }
    if (patch.seed !== undefined && patch.seed !== null) this.rnd = prng(patch.seed);
    const isDown = !!this.cfg.down;
    if (wasDown !== isDown) await this.onDownChange?.(isDown);
    this.release(0);
    return this.config;
  }

  /** Clears every fault (and brings the listener back up). */
  async reset(): Promise<FaultConfig> {
    const patch: Record<string, null> = {};
    for (const k of Object.keys(this.cfg)) patch[k] = null;
    return this.set(patch);
  }

  down(): Promise<FaultConfig> {
    return this.set({ down: true });
  }

  up(): Promise<FaultConfig> {
    return this.set({ down: null });
  }

  random(): number {
    return this.rnd();
  }

  /** Delay for this request: latency + jitter + cold-session penalty. */
  delayMs(): number {
    const now = Date.now();
    let d = (this.cfg.latencyMs ?? 0) + (this.cfg.jitterMs ? this.rnd() * this.cfg.jitterMs : 0);
    if (this.cfg.slowFirstCallAfterIdleMs && now - this.lastActivity >= (this.cfg.idleMs ?? 60_000)) d += this.cfg.slowFirstCallAfterIdleMs;
    this.lastActivity = now;
    return d;
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  /** One roll decides the request's fate; rates are stacked in this order. */
  decide(): FaultDecision {
    const { errorRate = 0, timeoutRate = 0, lostResponseRate = 0 } = this.cfg;
    if (!errorRate && !timeoutRate && !lostResponseRate) return 'ok';
    const r = this.rnd();
    if (r < errorRate) return 'error';
    if (r < errorRate + timeoutRate) return 'timeout';
    if (r < errorRate + timeoutRate + lostResponseRate) return 'lost';
    return 'ok';
  }

  /** Takes a session slot; resolves false when none frees up within poolTimeoutMs (→ 503). */
  acquire(): Promise<boolean> {
    const size = this.cfg.poolSize ?? 0;
    if (!size || this.busy < size) {
      this.busy++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        this.busy++;
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, this.cfg.poolTimeoutMs ?? 5000);
      this.waiters.push(waiter);
    });
  }

  release(n = 1): void {
    this.busy = Math.max(0, this.busy - n);
    const size = this.cfg.poolSize ?? 0;
    while (this.waiters.length && (!size || this.busy < size)) this.waiters.shift()!();
  }

  get inProgress(): number {
    return this.busy;
  }
}
