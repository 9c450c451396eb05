import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // 60 s: tests that spawn the CLI several times (1.5 s each idle) passed 30 s at load 15 next to other builds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start real HTTP servers and SQLite files; forks isolate native handles cleanly.
    pool: 'forks',
    // Vitest's default is one fork less than the cores: a single fork on 2 cores, where the files wait on their own
    // servers, threads and child processes as much as they compute. Two forks there: test/api + test/orders took
    // 147 s instead of 173 s (2026-12-03, load ~2).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
