import { setFlagsFromString } from 'node:v8';

/**
 * Node flags the daemon runs with where ReGate starts it: the systemd unit and the Windows service that `regate
 * install` writes (install/templates), the release kit's units, and the bench's daemon (bench/proc), so the bench
 * measures what is installed.
 *
 * --max-semi-space-size=32: V8's young generation 16 → 32 MiB per semi-space, for the API thread. In a 500-connection
 * booking burst ~500 requests are in flight, each living ~200 ms, and the API thread fills 16 MiB about every 60 ms:
 * each scavenge copied ~3 MB of requests still waiting (41 % of the young generation survived, --trace-gc-nvp) and
 * promoted most of it. With 32 MiB the burst's scavenges went 38-55 → 19-29 and their pauses ~480 → ~300 ms per 3 s
 * (bench/booking-layers.ts, 2026-12-04 20:10, load 1.1-2.9); the whole process took 0.695-0.710 ms of CPU per booking
 * against 0.770-0.780 (two interleaved pairs, load 1.3-2.6); 64 MiB gained no more.
 *
 * The flag is the process's, and a Worker's resourceLimits cannot lower it: with it the sync thread's peak at 300k
 * items went 253 → 300 MB, all of its budget (issue 19). So the worker threads do not inherit it:
 * workersGetDefaultYoungGeneration() resets it before each is started (src/workers/script.ts).
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/**
 * V8 reads --max-semi-space-size when it creates an isolate, and a worker thread is a new isolate: set back to 0 (V8's
 * own default, or the worker's resourceLimits) before a worker starts, it leaves the API thread's young generation as
 * the command line made it and gives every worker the size it had without the flag.
 */
export function workersGetDefaultYoungGeneration(): void {
  setFlagsFromString('--max-semi-space-size=0');
}
