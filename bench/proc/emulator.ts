/**
 * Benchmark child: the 1C emulator with a generated demo base, alone in its process (1C is another machine in
 * production; here it must at least not share ReGate's event loop). Counts OData calls (every request that passes
 * auth takes exactly one Faults.delayMs() roll) and reports the orders ReGate has delivered.
 */
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type FaultConfig } from '../../src/emulator/index.js';
import { argsOf, serveParent } from '../lib/proc.js';
import { startProfile, stopProfile } from '../lib/profile.js';

const args = argsOf<{ items: number; seed?: number; faults?: FaultConfig; user: { name: string; password: string } }>();

const t0 = performance.now();
const base = generateDemoBase({ seed: args.seed ?? 42, items: args.items });
const generateMs = performance.now() - t0;
const em = await startEmulator({ base, port: 0, users: [args.user], faults: args.faults });

let calls = 0;
const delayMs = em.faults.delayMs.bind(em.faults);
em.faults.delayMs = () => {
  calls++;
  return delayMs();
};

const ORDERS = 'Document_ЗаказКлиента';
const EXTERNAL_ID = 'ReGate_ВнешнийИдентификатор';

serveParent(
  { url: em.url, adminUrl: em.adminUrl, generateMs, items: args.items },
  {
    setFaults: (patch: Record<string, unknown>) => em.faults.set(patch as FaultConfig),
    resetFaults: () => em.faults.reset(),
    profileStart: () => startProfile(),
    profileStop: (file: string) => stopProfile(file),
    /** OData calls so far and the orders whose external id starts with `prefix` (ReGate's bookings). */
    stats: (prefix: string) => {
      let delivered = 0;
      for (const r of em.store.list(ORDERS)) if (typeof r[EXTERNAL_ID] === 'string' && (r[EXTERNAL_ID] as string).startsWith(prefix)) delivered++;
      return { calls, delivered, inProgress: em.faults.inProgress };
    },
  },
  () => em.close(),
);
