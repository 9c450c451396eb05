/** /healthz: the process answers. /readyz: 1C is reachable and the mirror is fresh enough to serve. */
export interface ReadyCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface HealthService {
  ready(): Promise<{ ready: boolean; checks: ReadyCheck[] }>;
}

export function healthService(opts: {
  mirrorSyncedAt: () => string | null;
  maxAgeMinutes: number;
  pingOneC: () => Promise<void>;
  /** The database file: writable, not deleted or replaced under us, space left (db/open.ts probeStorage). */
  probeStorage?: () => { ok: boolean; detail: string };
  now?: () => number;
  cacheMs?: number;
}): HealthService {
  const now = opts.now ?? Date.now;
  // /readyz needs no auth and asks 1C: without a memo every outside probe would be a 1C query. One check per
  // 5 s at most; concurrent probes share it.
  let last: { at: number; result: Promise<{ ready: boolean; checks: ReadyCheck[] }> } | undefined;
  const service = {
    async check() {
      const checks: ReadyCheck[] = [];
      const synced = opts.mirrorSyncedAt();
      const ageMin = synced ? (now() - Date.parse(synced)) / 60_000 : Infinity;
      checks.push({
        name: 'mirror',
        ok: ageMin <= opts.maxAgeMinutes,
        detail: synced ? `синхронизировано ${synced} (${ageMin.toFixed(1)} мин назад)` : 'зеркало ещё не заполнено',
      });
      if (opts.probeStorage) {
        const p = opts.probeStorage();
        checks.push({ name: 'storage', ok: p.ok, detail: p.ok ? 'база ReGate доступна для записи' : p.detail });
      }
      try {
        await opts.pingOneC();
        checks.push({ name: 'onec', ok: true, detail: '1С отвечает' });
      } catch (e) {
        checks.push({ name: 'onec', ok: false, detail: `1С недоступна: ${(e as Error).message}` });
      }
      return { ready: checks.every((c) => c.ok), checks };
    },
  };
  return {
    ready() {
      if (!last || now() - last.at > (opts.cacheMs ?? 5_000)) last = { at: now(), result: service.check() };
      return last.result;
    },
  };
}
