import type { Figure, LatencyPoint } from '../lib/report.js';

export interface SuiteContext {
  quick: boolean;
  /** Scratch directory on the same disk as the repository (SQLite files: fsync costs what it costs there). */
  tmpDir: string;
  resultsDir: string;
  profile: boolean;
  verbose: boolean;
  log(line: string): void;
}

export interface SuiteResult {
  figures: Figure[];
  /** Raw measurements for latest.json. */
  details: Record<string, unknown>;
  latency?: { series: LatencyPoint[]; baseline: LatencyPoint[]; subtitle: string };
}

export const ONEC_USER = { name: 'odata', password: 'odata' };
export const API_USER = { name: 'bench', password: 'bench-password' };
