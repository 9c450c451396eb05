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
  now?: () => number;
}): HealthService {
  const now = opts.now ?? Date.now;
  return {
    async ready() {
      const checks: ReadyCheck[] = [];
      const synced = opts.mirrorSyncedAt();
      const ageMin = synced ? (now() - Date.parse(synced)) / 60_000 : Infinity;
      checks.push({
        name: 'mirror',
        ok: ageMin <= opts.maxAgeMinutes,
        detail: synced ? `синхронизировано ${synced} (${ageMin.toFixed(1)} мин назад)` : 'зеркало ещё не заполнено',
      });
      try {
        await opts.pingOneC();
        checks.push({ name: 'onec', ok: true, detail: '1С отвечает' });
      } catch (e) {
        checks.push({ name: 'onec', ok: false, detail: `1С недоступна: ${(e as Error).message}` });
      }
      return { ready: checks.every((c) => c.ok), checks };
    },
  };
}
