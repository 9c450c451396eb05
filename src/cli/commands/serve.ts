import type { Command } from 'commander';
import { configOf } from '../context.js';

export function register(program: Command) {
  program
    .command('serve')
    .description('run the ReGate daemon: REST API, catalogue sync schedules, outbox delivery to 1C')
    .option('--port <port>', 'override server.port')
    .option('--host <host>', 'override server.host')
    .action(async (opts, cmd: Command) => {
      const overrides: Record<string, unknown> = {};
      if (opts.port) overrides['server.port'] = opts.port;
      if (opts.host) overrides['server.host'] = opts.host;
      const config = configOf(cmd, overrides);
      const { createLogger } = await import('../../log.js');
      const { createRuntime } = await import('../../runtime.js');
      const { startServer } = await import('../../api/server.js');
      const logger = createLogger(config.log.level);
      const rt = createRuntime(config, logger);
      const server = await startServer(rt.app, config);
      rt.start();
      logger.info({ url: server.url, onec: config.onec.url, db: config.database.path }, 'ReGate started');
      await untilSignal();
      logger.info('stopping');
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
