import type { TransportAttempt } from '../onec/index.js';

/** Messages between the API's thread and the sync worker (plain data: they are structured-cloned). */
export type JobKind = 'full' | 'stock' | 'pictures';

export type ToWorker =
  | { type: 'run'; id: number; kind: JobKind; features?: unknown; allowEmpty?: boolean }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: Record<string, unknown> }
  | { type: 'failed'; id: number; error: { name: string; message: string; stack?: string } }
  | { type: 'log'; level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'; obj: Record<string, unknown>; msg?: string }
  | { type: 'onec'; attempt: TransportAttempt };
