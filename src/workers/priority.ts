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
  return setThreadNice(nice);
}

/**
 * Raises the calling thread's priority (a negative nice), where the process may: root, CAP_SYS_NICE, or an
 * RLIMIT_NICE that allows it (systemd's LimitNICE=). Returns the thread id, or null when not allowed or not Linux:
 * the thread then keeps the process's priority, as before.
 */
export function raiseThreadPriority(nice: number): number | null {
  if (nice >= 0) return null;
  return setThreadNice(nice);
}

function setThreadNice(nice: number): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    setPriority(tid, nice);
    return tid;
  } catch {
    return null;
  }
}

/**
 * The delivery thread's nice where it may have one (raiseThreadPriority). It is short work that 1C's sessions wait
 * for: each response it has not yet read, and each next request it has not yet sent, is a 1C session idle. During a
 * 500-connection booking burst the API thread takes all the CPU it gets, and the delivery thread (9-17 ms of CPU per
 * order, 20 orders/s at 1C's bound: a third of a core at most) waited for a core behind it: delivery fell to 0.49 of
 * the bound during the burst (load 11). Its weight at -5 is 3x nice 0's; it cannot take more than it needs.
 */
export const DELIVERY_NICE = -5;

/** The sync thread's nice (0 = the process's own, as before). Under contention CFS gives nice 10 about a tenth of
 *  what nice 0 gets (weights 110 and 1024), and all of an idle core. */
export const SYNC_NICE = 10;
