import cron from 'node-cron';
import type { Logger } from './log.js';

/**
 * A node-cron job that never overlaps itself (a sync slower than its interval is skipped, not stacked) and never
 * throws out of the scheduler: a failed run is logged and the previous state keeps serving.
 */
export function scheduleJob(name: string, expression: string, logger: Logger, run: () => Promise<unknown>): { stop(): void; runNow(): Promise<void> } {
  if (!cron.validate(expression)) throw new Error(`${name}: invalid cron expression "${expression}"`);
  let running: Promise<void> | null = null;
  const runNow = () => {
    if (running) return running;
    running = (async () => {
      try {
        await run();
      } catch (e) {
        logger.error({ err: e, job: name }, `${name} failed; the previous state keeps serving`);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const task = cron.schedule(expression, () => void runNow(), { name, noOverlap: true });
  return {
    stop: () => void task.stop(),
    runNow,
  };
}
