import type { Command } from 'commander';
import { configOf, rootOf } from '../context.js';

export function register(program: Command) {
  program
    .command('serve')
    .description('запустить службу ReGate: REST API, веб-консоль, расписания синхронизации каталога, доставка очереди в 1С')
    .option('--port <port>', 'порт HTTP(S) вместо server.port')
    .option('--host <host>', 'адрес прослушивания вместо server.host')
    .action(async (opts, cmd: Command) => {
      const overrides: Record<string, unknown> = {};
      if (opts.port) overrides['server.port'] = opts.port;
      if (opts.host) overrides['server.host'] = opts.host;
      const config = configOf(cmd, overrides);
      const { createLogger } = await import('../../log.js');
      const { createRuntime } = await import('../../runtime.js');
      const { startServer } = await import('../../api/server.js');
      const { watchUsers } = await import('../../console/users.js');
      const logger = createLogger(config.log.level);
      const rt = createRuntime(config, logger);
      const server = await startServer(rt.app, config);
      rt.start();
      // `regate user add|remove|passwd` edit the file; the users are swapped in place, no restart.
      const file = rootOf(cmd).opts().config as string | undefined;
      const unwatch = file ? watchUsers(config, file, logger) : () => undefined;
      logger.info({ url: server.url, console: `${server.url}/console`, onec: config.onec.url, db: config.database.path, listenCopies: server.listenCopies.listening }, 'ReGate started');
      if (server.listenCopies.problem) logger.warn({ problem: server.listenCopies.problem }, 'копии прослушивающего сокета не созданы: под нагрузкой новые соединения будут приниматься по одному за оборот цикла');
      await untilSignal();
      logger.info('stopping');
      unwatch();
      await server.close();
      await rt.stop();
    });
}

/** Resolves on SIGINT/SIGTERM (the service manager's stop). */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}
