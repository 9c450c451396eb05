import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // 60 s: tests that spawn the CLI several times (1.5 s each idle) passed 30 s at load 15 next to other builds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start real HTTP servers and SQLite files; forks isolate native handles cleanly.
    pool: 'forks',
  },
});
