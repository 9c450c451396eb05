import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.js';

/**
 * A handler still running after `ms` gets a 504 in the one JSON error shape instead of holding the client's
 * socket. The handler itself is not killed (JavaScript cannot); it finishes in the background and its late answer
 * is discarded (Hono keeps the first response of a finalized context).
 */
export function requestTimeout(ms: number): MiddlewareHandler {
  return async (c, next) => {
    let timer: NodeJS.Timeout | undefined;
    const run = next();
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ApiError(504, 'timeout', `Запрос не выполнен за ${Math.round(ms / 1000)} с; повторите позже`)),
        ms,
      );
    });
    try {
      await Promise.race([run, expired]);
    } finally {
      clearTimeout(timer);
      run.catch(() => {}); // a late failure of an abandoned handler is not an unhandled rejection
    }
  };
}
