import { describe, it, expect } from 'vitest';
import { sqlText } from '../../src/outbox/sql.js';
import { memDb } from './helpers.js';

/** The claim path runs on every delivery; these plans are what the comments in src/outbox/sql/*.sql promise. */
describe('query plans', () => {
  const db = memDb();
  const plan = (name: Parameters<typeof sqlText>[0]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sqlText(name)}`).all({ now: 1, kinds: null, state: 'dead', limit: 5, before: 1, batch: 5 }) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');

  it('pick walks the due index in order (no sort) and probes earlier jobs of the key with a covering seek', () => {
    const p = plan('pick');
    expect(p).toContain('SEARCH j USING INDEX outbox_jobs_due (run_at<?)');
    expect(p).toContain('SEARCH e USING COVERING INDEX outbox_jobs_key_open (key=? AND id<?)');
    expect(p).not.toContain('TEMP B-TREE');
  });

  it('the concurrency count and the admin list by state use their indexes', () => {
    expect(plan('count_running')).toContain('USING COVERING INDEX outbox_jobs_running');
    expect(plan('list')).toContain('USING INDEX outbox_jobs_state (state=?)');
    expect(plan('list')).not.toContain('TEMP B-TREE');
    expect(plan('next_due')).toContain('outbox_jobs_due');
    expect(plan('purge_finished')).toContain('SEARCH outbox_jobs USING INDEX outbox_jobs_state (state=?)');
    expect(plan('purge_finished')).not.toContain('TEMP B-TREE');
  });

  it('stats reads indexes only: no table scan, no sort', () => {
    const p = plan('stats');
    expect(p).not.toMatch(/SCAN outbox_jobs|TEMP B-TREE/);
    expect(p).toContain('outbox_jobs_retrying');
  });

  it('the backpressure count reads the state index only', () => {
    expect(plan('count_pending')).toContain('USING COVERING INDEX outbox_jobs_state (state=?)');
  });
});
