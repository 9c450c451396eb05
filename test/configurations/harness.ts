import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from '../../src/config/index.js';
import { generateDemoFor, type ConfiguredDemoBase } from '../../src/emulator/demo/configurations.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { fetchMissingPictures } from '../../src/catalog/pictures.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';

/**
 * Boots ReGate in front of the emulator of one real configuration dump from ../shared/reference/dumps: the demo base
 * generated for it (src/emulator/demo/configurations.ts), the profile ReGate chooses for it, a full catalogue sync.
 * The tests of test/configurations drive the public API and then look into the emulator's store to see what 1C was
 * left with.
 */
export const DUMPS = resolve(__dirname, '../../../shared/reference/dumps');
export const haveDump = (folder: string) => existsSync(join(DUMPS, folder));

export interface Booted {
  base: ConfiguredDemoBase;
  em: Emulator;
  rt: Runtime;
  api: (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<{ status: number; body: any }>;
  /** Waits until no outbox job is pending or running. */
  idle: () => Promise<boolean>;
  dead: () => unknown[];
  stop: () => Promise<void>;
}

export async function boot(folder: string, opts: { extension: boolean; items?: number }): Promise<Booted> {
  const base = generateDemoFor({ items: opts.items ?? 60, seed: `cfg-${folder}`, configuration: { dump: join(DUMPS, folder), extension: opts.extension } });
  const em = await startEmulator({ base, timezone: 'Europe/Moscow' });
  const work = mkdtempSync(join(tmpdir(), 'regate-cfg-'));
  const config = parseConfig({
    database: { path: join(work, 'regate.sqlite') },
    onec: { url: em.url, sessions: 4, timeoutMs: 5000, extension: base.extension, timezone: 'Europe/Moscow', profile: base.profile.id },
    outbox: { backoffBaseMs: 20, backoffMaxMs: 200, confirmWindowMs: 5000 },
    auth: { users: [{ name: 'rs', passwordHash: await hashPassword('p'), role: 'bank' }] },
    sync: { catalogCron: '0 0 1 1 *', stockCron: '0 0 1 1 *' },
    bank: { cron: '0 0 1 1 *' },
  });
  const rt = createRuntime(config, silentLogger);
  await rt.adaptToBase();
  await runFullSync({ ...rt, profile: rt.profile });
  await fetchMissingPictures({ ...rt, profile: rt.profile });
  rt.start();
  const auth = { Authorization: 'Basic ' + Buffer.from('rs:p').toString('base64') };
  const api: Booted['api'] = async (method, path, body) => {
    const r = await rt.app.request(`/api/v1/${path}`, { method, headers: { ...auth, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    let json: any = text;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: r.status, body: json };
  };
  const busy = () => rt.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE state IN ('pending', 'running')`).pluck().get() as number;
  const idle = async (ms = 20_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (busy() === 0) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return busy() === 0;
  };
  return {
    base,
    em,
    rt,
    api,
    idle,
    dead: () => rt.db.prepare(`SELECT kind, last_error FROM outbox_jobs WHERE state = 'dead'`).all(),
    async stop() {
      await rt.stop();
      await em.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
