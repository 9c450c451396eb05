import type { SourcedStatement } from '../import/types.js';

/** Calendar dates (yyyy-mm-dd), both inclusive. */
export interface DateRange {
  from: string;
  to: string;
}

/**
 * A bank's statement API, whatever its protocol: one call returns the statement for a period, mapped to the same
 * Statement a file parses to (so one matcher and one payment identity serve both). Adapters: tochka.ts.
 */
export interface BankStatementApi {
  /** Recorded as bank_statements.source. */
  readonly source: string;
  fetchStatement(range: DateRange, signal?: AbortSignal): Promise<SourcedStatement>;
}

/**
 * The period a scheduled run asks for: the last `lookbackDays` days up to today in the bank's zone. Overlapping
 * asks are the point: a payment the bank books late (or a run that failed) is picked up by the next one, and the
 * identity makes the overlap harmless.
 */
export function lookbackRange(now: Date, lookbackDays: number, timeZone = 'Europe/Moscow'): DateRange {
  const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  return { from: day(new Date(now.getTime() - lookbackDays * 86_400_000)), to: day(now) };
}
