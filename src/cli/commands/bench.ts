import type { Command } from 'commander';

/**
 * `regate bench` (= `npm run bench`): the benchmark harness in bench/run.ts — every benchmark, its figures and
 * their ratios to baselines measured in the same run; see docs/benchmarks.md. A developer's tool: bench/ is in
 * the repository, not something an administrator needs on a server.
 */
export function register(program: Command) {
  program
    .command('bench')
    .description('замеры производительности (bench/run.ts): цифры, базовые линии того же прогона, цели; пишет bench/results и docs/benchmarks.md')
    .option('--only <names>', 'только эти, через запятую: read,sync,booking,bank,demo,outbox')
    .option('--scale', 'чтения на базах 20k, 100k и 300k товаров и таблица роста стоимости (долго: нужны ~12 ГБ памяти)')
    .option('--quick', 'короткий прогон (малые базы, нагрузка по 2 с); пишет только bench/results/quick.json')
    .option('--profile', 'снять профиль CPU сервера во время замеров чтения и бронирования')
    .option('--strict', 'код выхода 1, если цель не достигнута')
    .option('--verbose', 'показывать вывод дочерних процессов')
    .option('--render', 'ничего не запускать: заново записать таблицу и картинку из bench/results/latest.json')
    .action(async (opts: { only?: string; scale?: boolean; quick?: boolean; profile?: boolean; strict?: boolean; verbose?: boolean; render?: boolean }) => {
      const { existsSync } = await import('node:fs');
      const { fileURLToPath, pathToFileURL } = await import('node:url');
      const run = fileURLToPath(new URL('../../../bench/run.ts', import.meta.url));
      if (!existsSync(run)) throw new Error(`нет bench/run.ts (${run}): замеры запускаются из копии репозитория`);
      // Typed here, not by importing bench/run's types: the production build compiles src/ alone (bench/ is not shipped).
      const { runBench } = (await import(pathToFileURL(run).href)) as {
        runBench(o: { only?: string[]; scale?: boolean; quick?: boolean; profile?: boolean; strict?: boolean; verbose?: boolean; render?: boolean }): Promise<number>;
      };
      const code = await runBench({ only: opts.only?.split(',').filter(Boolean), scale: opts.scale, quick: opts.quick, profile: opts.profile, strict: opts.strict, verbose: opts.verbose, render: opts.render });
      process.exit(code);
    });
}
