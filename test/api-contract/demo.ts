import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { fetchMissingPictures } from '../../src/catalog/pictures.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { generateDemoBase, type DemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';

/**
 * What `regate demo` runs, in-process: the 1C emulator over a generated УТ 11.5 base, the whole runtime (mirror,
 * orders, outbox worker delivering to 1C, webhooks, bank) on a SQLite file, optionally listening on a port. The
 * integrator's contract is tested against this, not against a hand-made app: a header or status that only the
 * real wiring produces must show up here.
 */
export const DEMO_USER = { name: 'demo', password: 'demo' };
export const DEMO_AUTH = 'Basic ' + Buffer.from(`${DEMO_USER.name}:${DEMO_USER.password}`).toString('base64');
const passwordHash = await hashPassword(DEMO_USER.password);

let base: DemoBase | undefined;
/** One generated base per test file (generation is the slow part); each demo gets its own copy of the rows. */
function demoBase(): DemoBase {
  base ??= generateDemoBase({ seed: 'api-contract', items: 120 });
  return { ...base, rows: structuredClone(base.rows) };
}

export interface Demo {
  em: Emulator;
  rt: Runtime;
  config: Config;
  dir: string;
  dbPath: string;
  server?: RunningServer;
  /** `${server.url}` when listening, else '' (use rt.app.request). */
  url: string;
  /** keepFiles: leave the folder (a restart from it); keepEmulator: leave 1C running (a restart in front of it). */
  close(opts?: { keepFiles?: boolean; keepEmulator?: boolean }): Promise<void>;
}

export interface DemoOptions {
  /** Config overrides (deep-merged one level: { webhooks: {...}, server: {...} }). */
  config?: Record<string, any>;
  /** Listen on 127.0.0.1 (a free port). */
  listen?: boolean;
  /** Reuse this emulator (a restart of ReGate in front of the same 1C). */
  em?: Emulator;
  /** Reuse this folder / database file (a restart, or a restore from backup). */
  dir?: string;
  /** Skip the catalogue sync (the database already has the mirror). */
  sync?: boolean;
}

export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  const em = opts.em ?? (await startEmulator({ base: demoBase(), users: [{ name: 'odata', password: 'odata' }] }));
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'regate-contract-'));
  const dbPath = join(dir, 'regate.sqlite');
  const o = opts.config ?? {};
  const config = parseConfig({
    ...o,
    onec: { url: em.url, user: 'odata', password: 'odata', profile: 'ut11.5', ...o.onec },
    database: { path: dbPath, ...o.database },
    server: { host: '127.0.0.1', port: 0, ...o.server },
    auth: { users: [{ name: DEMO_USER.name, passwordHash, role: 'bank' }], ...o.auth },
    outbox: { backoffBaseMs: 20, backoffMaxMs: 200, ...o.outbox },
  });
  const rt = createRuntime(config, silentLogger);
  await rt.adaptToBase();
  if (opts.sync !== false) {
    await runFullSync({ ...rt, profile: rt.profile });
    await fetchMissingPictures({ ...rt, profile: rt.profile }).catch(() => undefined);
  }
  rt.start();
  const server = opts.listen ? await startServer(rt.app, config, { host: '127.0.0.1', port: 0 }) : undefined;
  return {
    em,
    rt,
    config,
    dir,
    dbPath,
    server,
    url: server?.url ?? '',
    async close(c = {}) {
      await server?.close();
      await rt.stop();
      if (!opts.em && !c.keepEmulator) await em.close();
      if (!c.keepFiles) rmSync(dir, { recursive: true, force: true });
    },
  };
}
