import pino from 'pino';

/** The logging surface Ferry uses; any pino logger fits. */
export type Logger = Pick<pino.Logger, 'debug' | 'info' | 'warn' | 'error'>;

export function createDefaultLogger(level: pino.LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { service: 'ferry' } });
}
