import type { Command } from 'commander';

/**
 * `regate bench` (= `npm run bench`): the benchmark harness in bench/run.ts — every benchmark, its figures and
 * their ratios to baselines measured in the same run; see docs/benchmarks.md. A developer's tool: bench/ is in
 * the repository, not something an administrator needs on a server.
 */
export function register(program: Command) {
  program
    .command('bench')
    .description('run the benchmarks (bench/run.ts): figures, same-run baselines, targets; writes bench/results and docs/benchmarks.md')
    .option('--only <names>', 'comma-separated subset: read,sync,booking,bank,demo,outbox')
    .option('--quick', 'short smoke run (small bases, 2 s loads); writes bench/results/quick.json only')
    .option('--profile', 'CPU-profile the server during the read and booking measurements')
    .option('--strict', 'exit 1 when a target is not met')
    .option('--verbose', "show the child processes' output")
    .option('--render', 'run nothing: write the docs table and the picture again from bench/results/latest.json')
    .action(async (opts: { only?: string; quick?: boolean; profile?: boolean; strict?: boolean; verbose?: boolean; render?: boolean }) => {
      const { existsSync } = await import('node:fs');
      const { fileURLToPath, pathToFileURL } = await import('node:url');
      const run = fileURLToPath(new URL('../../../bench/run.ts', import.meta.url));
      if (!existsSync(run)) throw new Error(`bench/run.ts not found (${run}): benchmarks run from a checkout of the repository`);
      const { runBench } = (await import(pathToFileURL(run).href)) as typeof import('../../../bench/run.js');
      const code = await runBench({ only: opts.only?.split(',').filter(Boolean), quick: opts.quick, profile: opts.profile, strict: opts.strict, verbose: opts.verbose, render: opts.render });
      process.exit(code);
    });
}
