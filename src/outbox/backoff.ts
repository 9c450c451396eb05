/**
 * Retry delay after the `attempt`-th failed attempt (1-based): "full jitter" — uniform in
 * [0, min(maxMs, baseMs · 2^(attempt−1))].
 *
 * Why full jitter rather than decorrelated jitter: both spread retries so that when 1C comes back after an
 * outage the queued jobs do not hit it in lockstep (AWS's measurements show both finish the backlog with far
 * fewer calls than plain or "equal" jitter). Full jitter is a pure function of the attempt number, so it needs no
 * extra column for the previous delay, is trivially testable, and its cap is exact: no delay ever exceeds
 * backoffMaxMs. The expected delay is half the exponential step; with the defaults (1 s base, 5 min cap) the
 * expected waits run 0.5 s, 1 s, 2 s, ... and reach the 2.5 min mean plateau at attempt 10; the 11 waits between
 * 12 attempts add up to about 9 minutes on average (555 s, the sum of the means), enough for a 1C restart or a short network outage, short enough that
 * a dead letter appears while someone is still watching.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 52));
  // random() is in [0, 1), so floor(r·(exp+1)) is in [0, exp]; min() guards a random() that returns 1.
  return Math.min(exp, Math.floor(random() * (exp + 1)));
}
