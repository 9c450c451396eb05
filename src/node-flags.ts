import { setFlagsFromString } from 'node:v8';

/**
 * Node flags the daemon runs with where ReGate starts it: the systemd unit and the Windows service that `regate
 * install` writes (install/templates), the release kit's units, and the bench's daemon (bench/proc), so the bench
 * measures what is installed.
 *
 * --max-semi-space-size=64: V8's young generation 16 → 64 MiB per semi-space, for the API thread. In a 500-connection
 * booking burst ~500 requests are in flight, each living ~200 ms, and the API thread fills 16 MiB about every 60 ms:
 * each scavenge copied ~3 MB of requests still waiting (41 % of the young generation survived, --trace-gc-nvp) and
 * promoted most of it. What survives is the requests in flight, whatever the size, so a scavenge costs the same and a
 * larger young generation needs fewer of them:
 * - 32 MiB: the burst's scavenges 38-55 → 19-29 and their pauses ~480 → ~300 ms per 3 s (bench/booking-layers.ts,
 *   2026-12-04 20:10, load 1.1-2.9); the whole process 0.770-0.780 → 0.695-0.710 ms of CPU per booking. 64 MiB did
 *   not show more then, when the API thread took ~0.33 ms per booking;
 * - 64 MiB, at ~0.24 ms (2026-12-04 22:50, 3 interleaved sets of 2 rounds, load 1.4-2.1): scavenges 29-35 → 15-19
 *   (~390 → ~215 ms), the API thread 0.245 → 0.223 ms and the process 0.512 → 0.450 ms per booking, 2,944 → 3,310
 *   accepted/s, p99 of the whole burst mean 287 → 254 ms. 128 MiB (2 sets): scavenges 9, the process 0.439 ms, p99
 *   the same as 64's: not worth twice the memory.
 * It grows to that size only under such a load (1 MiB at start) and V8 keeps it afterwards, but its pages are not all
 * resident: a script that churned 3 s had 128 against 64 MiB of young generation after 60 s idle and an RSS of 262
 * against 266 MB; the booking suite's daemon peaked at 600-613 MB against 589-634 with 32.
 *
 * The flag is the process's, and a Worker's resourceLimits cannot lower it: with it the sync thread's peak at 300k
 * items went 253 → 300 MB, all of its budget (issue 19). So the worker threads do not inherit it:
 * workersGetDefaultYoungGeneration() resets it before each is started (src/workers/script.ts).
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/**
 * V8 reads --max-semi-space-size when it creates an isolate, and a worker thread is a new isolate: set back to 0 (V8's
 * own default, or the worker's resourceLimits) before a worker starts, it leaves the API thread's young generation as
 * the command line made it and gives every worker the size it had without the flag.
 */
export function workersGetDefaultYoungGeneration(): void {
  setFlagsFromString('--max-semi-space-size=0');
}
