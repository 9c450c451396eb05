/**
 * Node flags the daemon runs with where ReGate starts it: the systemd unit and the Windows service that `regate
 * install` writes (install/templates), and the bench's daemon (bench/proc), so the bench measures what is installed.
 *
 * --max-semi-space-size=32: V8's young generation 16 → 32 MiB per semi-space. In a 500-connection booking burst a
 * request lives ~200 ms, while the API thread allocates enough to fill 16 MiB in about as long: most requests in
 * flight were copied by a scavenge and many promoted to the old generation, which then had to be collected too
 * (GC was 13.7 % of the API thread's profile). With 32 MiB the whole process took 0.695-0.710 ms of CPU per booking
 * against 0.770-0.780 (two interleaved pairs, bench/booking-layers.ts, load 1.3-2.6); 64 MiB gained no more
 * (0.658-0.674 against 0.705-0.876). The flag is the process's: the sync worker's young generation grows with it
 * too (a Worker's resourceLimits cannot lower it), so the size was chosen with the sync's peak RSS measured
 * (docs/benchmarks.md, issue 19).
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
