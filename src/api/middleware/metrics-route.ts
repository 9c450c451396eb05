import type { MiddlewareHandler } from 'hono';
import type { App } from '../app.js';
import { isDirectLoopback } from './client.js';

export interface MetricsEndpoint {
  render(): Promise<string>;
  readonly contentType: string;
}

export function isMetricsEndpoint(x: unknown): x is MetricsEndpoint {
  return typeof (x as MetricsEndpoint | undefined)?.render === 'function';
}

/**
 * GET /metrics (Prometheus text). access 'loopback': a Prometheus on this machine scrapes without credentials,
 * anything else (including a request relayed by the local Apache/IIS) authenticates like the API; 'auth': always
 * authenticate; 'open': never (a closed monitoring network).
 */
export function registerMetricsRoute(app: App, metrics: MetricsEndpoint, access: 'loopback' | 'auth' | 'open', auth: MiddlewareHandler) {
  app.use('/metrics', async (c, next) => {
    if (access === 'open' || (access === 'loopback' && isDirectLoopback(c))) return next();
    return auth(c, next);
  });
  app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' }));
}
