import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (pino: the fastest mature JSON logger for Node, with path-based redaction built in, which
 * is what keeps secrets out: a credential that reaches a log line is a leak we cannot take back).
 */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'regate' },
      redact: {
        paths: [
          'password',
          '*.password',
          '*.*.password',
          'req.headers.authorization',
          'headers.authorization',
          'authorization',
          '*.passwordHash',
          '*.secret',
          '*.token',
          'config.onec.password',
          'config.webhooks.secret',
          'config.bank.api.token',
        ],
        censor: '***',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** For tests and commands that must stay quiet. */
export const silentLogger: Logger = pino({ level: 'silent' });
