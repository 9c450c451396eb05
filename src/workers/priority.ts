import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the scheduling priority of the calling thread only (Linux: setpriority on the thread's own id, read from
 * /proc/thread-self; other threads of the process keep theirs). The sync thread runs at a higher nice than the API's
 * thread, so on a busy 2-core host the kernel gives the API's short requests the core first and the sync, which has
 * minutes to spare, takes what is left (stall benchmark, docs/benchmarks.md: the API thread was busy 1.3–1.8 s of a
 * 20 s stock sync of 100k items, and its p99 doubled from waiting for a core, not from its own work).
 * Raising nice needs no privilege. Returns the thread id, or null where there is no /proc/thread-self (not Linux):
 * there the thread keeps the process's priority.
 */
export function lowerThreadPriority(nice: number): number | null {
  if (nice <= 0) return null;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    setPriority(tid, nice);
    return tid;
  } catch {
    return null;
  }
}

/** The sync thread's nice (0 = the process's own, as before). Under contention CFS gives nice 10 about a tenth of
 *  what nice 0 gets (weights 110 and 1024), and all of an idle core. */
export const SYNC_NICE = 10;
