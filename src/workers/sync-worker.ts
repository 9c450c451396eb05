import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/index.js';
import { openDb } from '../db/open.js';
import type { Logger } from '../log.js';
import { ODataClient } from '../onec/index.js';
import { getProfile, type Ut11Features } from '../onec/profiles/index.js';
import { runFullSync, runStockSync } from '../catalog/sync.js';
import { fetchMissingPictures } from '../catalog/pictures.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { lowerThreadPriority } from './priority.js';

/**
 * The catalogue syncs' thread (issue 19.1): its own SQLite connection (WAL: the API's readers go on while it writes;
 * its write transactions are short, apply.ts) and its own 1C client, so JSON parsing, staging and comparing never
 * run on the API's event loop. Jobs come one at a time from src/workers/index.ts; logs and 1C request observations
 * go back to the main thread (its logger and metrics).
 */
const { config, nice } = workerData as { config: Config; nice: number };
// Below the API's thread (priority.ts): the sync waits for a core rather than the shoppers.
lowerThreadPriority(nice);
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

/** Plain data only crosses threads: errors as their name and message. */
const plain = (o: unknown) => JSON.parse(JSON.stringify(o ?? {}, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : v))) as Record<string, unknown>;
const logger = Object.fromEntries(
  (['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const).map((level) => [
    level,
    (obj: unknown, msg?: string) => post({ type: 'log', level, obj: typeof obj === 'string' ? {} : plain(obj), msg: typeof obj === 'string' ? obj : msg }),
  ]),
) as unknown as Logger;

// A write of the API (a booking) holds the lock for milliseconds; the sync's own steps are short too (apply.ts).
const db = openDb(config.database.path, { busyTimeoutMs: 5000 });
const onec = new ODataClient({ ...config.onec, observer: (a) => post({ type: 'onec', attempt: a }) });

port.on('message', async (m: ToWorker) => {
  if (m.type === 'close') {
    await onec.close();
    db.close();
    port.close();
    return;
  }
  try {
    const profile = getProfile(config.onec.profile, config, m.features as Ut11Features | undefined);
    const deps = { db, onec, config, logger, profile, allowEmpty: m.allowEmpty };
    const result = m.kind === 'full' ? await runFullSync(deps) : m.kind === 'stock' ? await runStockSync(deps) : await fetchMissingPictures(deps);
    post({ type: 'done', id: m.id, result: plain(result) });
  } catch (e) {
    const err = e as Error;
    post({ type: 'failed', id: m.id, error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack } });
  }
});
post({ type: 'ready' });
